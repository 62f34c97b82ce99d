/* What every workload shares: argument parsing, a fast random generator,
 * timing, memory figures and the one result line the runner parses:
 *
 *   time=<seconds> maxrss_kb=<peak RSS> rss_kb=<RSS now> live_kb=<peak live bytes / 1024>
 *
 * A workload is run as `<workload> [scale] [extra]`: scale (default 1) multiplies
 * the amount of work, so `make check` can run it at 0.01 in a few milliseconds.
 * Workloads check the contents of every block before freeing it, so a broken
 * allocator fails them (exit status 1) instead of producing a fast figure. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* xorshift64*: cheap enough not to dominate a malloc/free pair. */
static inline uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [lo, hi]. */
static inline size_t rnd_range(uint64_t *s, size_t lo, size_t hi)
{
    return lo + (size_t)(rnd(s) % (hi - lo + 1));
}

/* The mixed small-size distribution used by several workloads: three in four
 * requests are 16-128 bytes, the rest 129-1024, as in programs dominated by
 * small structs and strings. */
static inline size_t rnd_small_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    if ((r & 3) != 0)
        return 16 + (size_t)((r >> 8) % 113);
    return 129 + (size_t)((r >> 8) % 896);
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double arg_scale(int argc, char **argv)
{
    double s = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    return s > 0 ? s : 1.0;
}

static inline long arg_long(int argc, char **argv, int i, long dflt)
{
    return argc > i ? strtol(argv[i], NULL, 10) : dflt;
}

/* n scaled, never below a floor that keeps the workload meaningful. */
static inline size_t scaled(double scale, double n, size_t floor)
{
    double v = n * scale;
    return v < (double)floor ? floor : (size_t)v;
}

/* Resident memory now, from /proc/self/statm, read without stdio so the
 * reading itself allocates nothing. */
static inline long rss_now_kb(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strchr(buf, ' ');
    return p ? strtol(p + 1, NULL, 10) * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static inline long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static inline void report(double seconds, size_t live_peak_bytes)
{
    long rss = rss_now_kb();
    printf("time=%.4f maxrss_kb=%ld rss_kb=%ld live_kb=%zu\n", seconds, maxrss_kb(), rss,
           live_peak_bytes / 1024);
}

static inline void die(const char *what)
{
    fprintf(stderr, "workload failed: %s\n", what);
    exit(1);
}

/* A block's tag: its first and last 8 bytes hold a value derived from its
 * size and a seed, checked before it is freed. Blocks are at least 16 bytes. */
static inline uint64_t tag_of(size_t size, uint64_t seed)
{
    return (size * 0x9E3779B97F4A7C15ULL) ^ seed;
}

static inline void tag_block(void *p, size_t size, uint64_t seed)
{
    uint64_t t = tag_of(size, seed);
    memcpy(p, &t, 8);
    memcpy((char *)p + size - 8, &t, 8);
}

static inline void check_block(const void *p, size_t size, uint64_t seed)
{
    uint64_t t = tag_of(size, seed), a, b;
    memcpy(&a, p, 8);
    memcpy(&b, (const char *)p + size - 8, 8);
    if (a != t || b != t)
        die("block contents changed");
}

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        die("out of memory");
    return p;
}

static inline void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
    if (pthread_create(t, NULL, fn, arg) != 0)
        die("pthread_create");
}

#endif
