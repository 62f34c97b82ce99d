/*
 * ctests for the freestanding malloc family under threads that have no TLS:
 * raw clone(2) threads sharing the address space, as a young kernel's
 * threads are. Each allocates, fills, checks and frees blocks of every size
 * class (and large ones), while another thread runs malloc_trim, mallinfo2
 * and malloc_stats (the default mode's). No malloc may return NULL (memory is plentiful) and no
 * lock may take contention for re-entry (an abort).
 */
#include <stdlib.h>
#include <malloc.h>
#include <stdint.h>
#include "harness.h"

enum { THREADS = 4, LIVE = 16 };

/* Fewer rounds where every block is a system call or more, and in the
 * linear mode, whose large blocks are slow to place among many. */
#if defined(MINIC_MALLOC_MODE_mmap) || defined(MINIC_MALLOC_MODE_guard) || defined(MINIC_MALLOC_MODE_linear)
enum { ROUNDS = 20000 };
#else
enum { ROUNDS = 100000 };
#endif

static int nulls, bad, done_workers;
static volatile int stop_inspector;
static long inspections;

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void fill(unsigned char *p, size_t n, unsigned tag)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(tag + i * 7);
}

static int filled(const unsigned char *p, size_t n, unsigned tag)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(tag + i * 7))
            return 0;
    return 1;
}

struct live {
    unsigned char *p;
    size_t n;
    unsigned tag;
};

/* Sizes 16-2015 mostly; one block in 32 is large (64-320 KiB). */
static size_t pick_size(unsigned *s)
{
    unsigned r = next(s);
    if (r % 32 == 0)
        return 65536 + next(s) % 262144;
    return 16 + r % 2000;
}

static void worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 3;
    struct live held[LIVE] = {{0, 0, 0}};
    for (int round = 0; round < ROUNDS; round++) {
        struct live *b = &held[next(&seed) % LIVE];
        if (b->p) {
            if (!filled(b->p, b->n, b->tag))
                __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
            free(b->p);
        }
        b->n = pick_size(&seed);
        b->tag = next(&seed);
        b->p = malloc(b->n);
        if (!b->p) {
            __atomic_add_fetch(&nulls, 1, __ATOMIC_RELAXED);
            continue;
        }
        fill(b->p, b->n, b->tag);
    }
    for (int i = 0; i < LIVE; i++) {
        if (held[i].p && !filled(held[i].p, held[i].n, held[i].tag))
            __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        free(held[i].p);
    }
    __atomic_add_fetch(&done_workers, 1, __ATOMIC_RELEASE);
}

/* While the workers run: the default allocator trims, reads its statistics
 * and prints them (the other modes have no such functions); every mode
 * takes and gives back a large block. */
static void inspector(void *arg)
{
    (void)arg;
    while (!stop_inspector) {
#ifdef MINIC_MALLOC_MODE_default
        malloc_trim(0);
        struct mallinfo2 mi = mallinfo2();
        if (mi.uordblks > mi.arena + mi.hblkhd)
            __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        malloc_stats();
#endif
        unsigned char *p = malloc(1 << 20);
        if (!p)
            __atomic_add_fetch(&nulls, 1, __ATOMIC_RELAXED);
        else
            p[0] = p[(1 << 20) - 1] = 1;
        free(p);
        inspections++;
    }
}

static void test_threads_without_tls(void)
{
    struct t_thread workers[THREADS], insp;
    NEEDS(T_NEEDS_THREADS);
    /* malloc_stats writes to fd 2: kept out of the log. */
    int saved = t_dup(2), quiet = t_open("/dev/null", 1 /* O_WRONLY */, 0);
    CHECK(saved >= 0 && quiet >= 0);
    CHECK_EQ(t_dup2(quiet, 2), 2);
    CHECK_EQ(t_thread_start(&insp, inspector, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(t_thread_start(&workers[i], worker, (void *)(uintptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        t_thread_join(&workers[i]);
    stop_inspector = 1;
    t_thread_join(&insp);
    t_dup2(saved, 2);
    t_close(saved);
    t_close(quiet);
    CHECK_EQ(__atomic_load_n(&done_workers, __ATOMIC_ACQUIRE), THREADS);
    CHECK_EQ(nulls, 0);
    CHECK_EQ(bad, 0);
    CHECK(inspections > 0);
#if defined(MINIC_TEST_PORT_LINUX) && (defined(MINIC_MALLOC_MODE_default) || defined(MINIC_MALLOC_MODE_linear))
    /* Through ctests/port_linux.c: the threads that found a lock taken
     * slept in the port's futex (the mmap and guard modes take no lock). */
    extern long port_linux_futex_waits;
    CHECK(port_linux_futex_waits > 0);
#endif
    /* The allocator still serves the main thread. */
    void *p = malloc(100);
    CHECK(p != NULL);
    free(p);
}

int main(void)
{
    RUN(test_threads_without_tls);
    return t_report("malloc_raw_threads");
}
