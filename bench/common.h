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
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

/* Whether `word` (a mode such as "wide" or "untouched") is among the
 * arguments after the scale and the thread count. */
static inline int arg_word(int argc, char **argv, const char *word)
{
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], word) == 0)
            return 1;
    return 0;
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

/* Blocks that say their own size, for workloads whose blocks change hands
 * without it: the first 8 bytes hold the size, the last 8 its tag. Blocks
 * are at least 16 bytes and at most `max` (a corrupt size is caught before
 * it is used). */
static inline void tag_sized(void *p, size_t size, uint64_t seed)
{
    uint64_t n = size, t = tag_of(size, seed);
    memcpy(p, &n, 8);
    memcpy((char *)p + size - 8, &t, 8);
}

static inline size_t check_sized(const void *p, size_t max, uint64_t seed)
{
    uint64_t n, t;
    memcpy(&n, p, 8);
    if (n < 16 || n > max)
        die("block contents changed");
    memcpy(&t, (const char *)p + n - 8, 8);
    if (t != tag_of(n, seed))
        die("block contents changed");
    return n;
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

/* A counter that one thread advances and one other thread waits on. The
 * waiter spins briefly (on an idle machine the other side answers within
 * microseconds), then sleeps in the kernel until the counter has gone
 * further (`enough`), so that a sleep and its wake-up serve many steps. On
 * a machine whose cores are busy with other processes, a waiter that kept
 * spinning or yielding instead would use up its share of a core while the
 * thread it waits for sits in a run queue: the figure would be the
 * scheduler's time slices, whatever the allocator. */
struct gate {
    _Atomic uint32_t value;
    _Atomic uint32_t want; /* what the sleeper waits for */
    _Atomic uint32_t bell; /* 1 while the waiter sleeps (the futex word) */
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* a >= b for counters that may wrap. */
static inline int reached(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* Waits until the gate's value reaches `need` (spinning) or, once asleep,
 * `enough` (at least `need`); returns the value. */
static inline uint32_t gate_wait(struct gate *g, uint32_t need, uint32_t enough)
{
    uint32_t v;
    for (int i = 0; i < 1000; i++) {
        v = atomic_load_explicit(&g->value, memory_order_acquire);
        if (reached(v, need))
            return v;
        cpu_relax();
    }
    /* Announced before the value is read again (all sequentially
     * consistent): either gate_set sees the bell armed, or the value it set
     * is seen here. The sleep is on the bell, which changes only to wake
     * the waiter: the steps short of `enough` cost the sleeper nothing. */
    for (;;) {
        atomic_store(&g->want, enough);
        atomic_store(&g->bell, 1);
        v = atomic_load(&g->value);
        if (reached(v, enough)) {
            atomic_store(&g->bell, 0);
            return v;
        }
        while (atomic_load(&g->bell) == 1)
            syscall(SYS_futex, &g->bell, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    }
}

static inline void gate_set(struct gate *g, uint32_t v)
{
    atomic_store(&g->value, v);
    if (atomic_load(&g->bell) == 1 && reached(v, atomic_load(&g->want))) {
        atomic_store(&g->bell, 0);
        syscall(SYS_futex, &g->bell, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

#endif
