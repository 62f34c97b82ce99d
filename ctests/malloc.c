/*
 * ctests for the malloc family: every function's success and documented
 * errors, in every allocator mode, then the checks of the mode this program
 * was built for (MINIC_MALLOC_MODE_<mode>, from the Makefile).
 */
#define _GNU_SOURCE /* reallocarray, valloc, pvalloc, memalign in the host headers */
#include <stdlib.h>
#include <malloc.h>
#include <errno.h>
#include <stdint.h>
#include "harness.h"

/* The tests ask for impossible sizes on purpose. */
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="
/* ... and use blocks after a realloc that failed, which gcc cannot know. */
#pragma GCC diagnostic ignored "-Wuse-after-free"

#define PAGE 4096
/* A size no address space can hold (2^47 bytes: all of x86_64 user space;
 * on a 32-bit target, 4 GiB less 1 MiB: more than the program leaves free). */
#if __SIZEOF_POINTER__ == 8
#define HUGE_SIZE ((size_t)1 << 47)
#else
#define HUGE_SIZE ((size_t)0xfff00000u)
#endif
/* 2^(bits/2): its square, and HALF_BITS * 2 times HALF_BITS / 2, overflow size_t. */
#define HALF_BITS ((size_t)1 << (sizeof(size_t) * 4))

/* A realloc within the usable size keeps the block, except in guard mode,
 * which moves every resize so that the block's end meets its guard page. */
#ifdef MINIC_MALLOC_MODE_guard
#define KEPT(q, p) ((q) != NULL)
#else
#define KEPT(q, p) ((q) == (p))
#endif

#ifdef MINIC_MALLOC_MODE_linear
#define LINEAR_MODE 1
#endif

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)(seed + i * 7);
}

static int filled(const void *p, size_t n, unsigned seed)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

static int zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

static __attribute__((unused)) void touch(void *p) { *(volatile char *)p = 1; }

static void test_malloc(void)
{
    static const size_t sizes[] = {1, 7, 15, 16, 17, 31, 100, 1000, 4095, 4096, 4097, 65536, 300000, 3000000};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *p = malloc(sizes[i]);
        CHECK(p != NULL);
        CHECK(aligned(p, 16));
        CHECK(malloc_usable_size(p) >= sizes[i]);
        fill(p, sizes[i], i);
        CHECK(filled(p, sizes[i], i));
        free(p);
    }
    /* malloc(0): a unique block free accepts. */
    void *a = malloc(0), *b = malloc(0);
    CHECK(a != NULL && b != NULL && a != b);
    CHECK(aligned(a, 16) && aligned(b, 16));
    free(b);
    free(a);
    free(NULL);
    CHECK_EQ(malloc_usable_size(NULL), 0);
}

static void test_malloc_errors(void)
{
    CHECK_ERRNO(malloc(SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(malloc(SIZE_MAX - 15), NULL, ENOMEM);
    CHECK_ERRNO(malloc(SIZE_MAX - 4096), NULL, ENOMEM);
    CHECK_ERRNO(malloc(PTRDIFF_MAX), NULL, ENOMEM);
    /* No overflow: the kernel refuses (brk, then mmap). */
    CHECK_ERRNO(malloc(HUGE_SIZE), NULL, ENOMEM);
    /* The allocator still works afterwards. */
    char *p = malloc(64);
    CHECK(p != NULL);
    free(p);
}

static void test_free_keeps_errno(void)
{
    static const size_t sizes[] = {1, 100, 5000, 2000000};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = malloc(sizes[i]);
        errno = 1234;
        free(p);
        CHECK_EQ(errno, 1234);
    }
    void *q = malloc(10), *r = malloc(10);
    errno = 4321;
    free(q); /* not the most recent block */
    free(r);
    free(NULL);
    CHECK_EQ(errno, 4321);
    errno = 0;
    void *s = malloc(100);
    CHECK_EQ(errno, 0); /* success leaves errno alone */
    free(s);
}

static void test_calloc(void)
{
    /* Dirty memory first, so that a reused block must really be cleared. */
    char *d = malloc(4000);
    fill(d, 4000, 3);
    free(d);
    char *p = calloc(100, 40);
    CHECK(p != NULL && aligned(p, 16));
    CHECK(zero(p, 4000));
    free(p);
    char *big = calloc(3, 1 << 20);
    CHECK(big != NULL && zero(big, 3 << 20));
    free(big);
    void *z1 = calloc(0, 10), *z2 = calloc(10, 0);
    CHECK(z1 != NULL && z2 != NULL && z1 != z2);
    free(z2);
    free(z1);
    CHECK_ERRNO(calloc(SIZE_MAX / 2 + 1, 2), NULL, ENOMEM);
    CHECK_ERRNO(calloc(2, SIZE_MAX / 2 + 1), NULL, ENOMEM);
    CHECK_ERRNO(calloc(1, SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(calloc(HALF_BITS, HALF_BITS), NULL, ENOMEM);
    CHECK_ERRNO(calloc(1, HUGE_SIZE), NULL, ENOMEM);
}

static void test_realloc(void)
{
    char *p = realloc(NULL, 100);
    CHECK(p != NULL && aligned(p, 16));
    fill(p, 100, 5);
    /* Within the usable size: the block stays where it is. */
    size_t usable = malloc_usable_size(p);
    CHECK(usable >= 100);
    CHECK(realloc(p, usable) == p);
    char *p1 = realloc(p, 1);
    CHECK(KEPT(p1, p));
    CHECK(filled(p1, 1, 5));
    p = realloc(p1, 100);
    CHECK(KEPT(p, p1));
    fill(p, 100, 5);
    /* Growing keeps the contents, whether it moves or not. */
    char *keep = malloc(10); /* so that p is not the most recent block */
    char *q = realloc(p, 10000);
    CHECK(q != NULL && aligned(q, 16));
    CHECK(filled(q, 100, 5));
    fill(q, 10000, 6);
    char *r = realloc(q, 3000000);
    CHECK(r != NULL && filled(r, 10000, 6));
    fill(r, 3000000, 7);
    /* Shrinking keeps the contents. */
    char *s = realloc(r, 5000);
    CHECK(s != NULL && filled(s, 5000, 7));
    /* A failed realloc leaves the block and its contents intact. */
    CHECK_ERRNO(realloc(s, SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(realloc(s, PTRDIFF_MAX), NULL, ENOMEM);
    CHECK_ERRNO(realloc(s, HUGE_SIZE), NULL, ENOMEM);
    CHECK(filled(s, 5000, 7));
    CHECK(malloc_usable_size(s) >= 5000);
    /* realloc(p, 0) frees p and returns a minimal unique block. */
    void *m = realloc(s, 0);
    CHECK(m != NULL && aligned(m, 16));
    void *n = malloc(0);
    CHECK(n != m);
    free(n);
    free(m);
    free(keep);
}

static void test_reallocf(void)
{
    char *p = reallocf(NULL, 50);
    CHECK(p != NULL);
    fill(p, 50, 9);
    char *q = reallocf(p, 500);
    CHECK(q != NULL && filled(q, 50, 9));
    /* On failure the block is freed (mmap mode proves it below). */
    CHECK_ERRNO(reallocf(q, SIZE_MAX), NULL, ENOMEM);
    char *r = malloc(70);
    CHECK_ERRNO(reallocf(r, HUGE_SIZE), NULL, ENOMEM);
    char *s = reallocf(malloc(10), 0);
    CHECK(s != NULL);
    free(s);
}

static void test_reallocarray(void)
{
    int *a = reallocarray(NULL, 10, sizeof(int));
    CHECK(a != NULL);
    for (int i = 0; i < 10; i++)
        a[i] = i * i;
    int *b = reallocarray(a, 1000, sizeof(int));
    CHECK(b != NULL);
    int same = 1;
    for (int i = 0; i < 10; i++)
        same &= b[i] == i * i;
    CHECK(same);
    CHECK_ERRNO(reallocarray(b, SIZE_MAX / 2, 4), NULL, ENOMEM);
    CHECK_ERRNO(reallocarray(b, HALF_BITS * 2, HALF_BITS / 2), NULL, ENOMEM);
    CHECK_ERRNO(reallocarray(NULL, SIZE_MAX, SIZE_MAX), NULL, ENOMEM);
    CHECK_EQ(b[9], 81); /* intact after the failures */
    void *c = reallocarray(b, 0, 4);
    CHECK(c != NULL);
    free(c);
}

static void test_recallocarray(void)
{
    /* A dirty block at the top first: a linear allocator reuses its space. */
    char *d = malloc(200);
    fill(d, 200, 1);
    free(d);
    /* calloc clears the whole capacity, slack included: the array's
     * growth below the capacity reads as zero (even in a slot that held a
     * dirty block of the same size just before). */
    char *dirty = malloc(10);
    fill(dirty, malloc_usable_size(dirty), 1);
    free(dirty);
    char *p = calloc(10, 1);
    CHECK(p != NULL && zero(p, malloc_usable_size(p)));
    fill(p, 10, 2);
    char *g = recallocarray(p, 12, 1);
    CHECK(g == p && filled(g, 10, 2) && zero(g + 10, 2));
    p = g;
    char *q = recallocarray(p, 200, 1);
    CHECK(q != NULL);
    CHECK(filled(q, 10, 2));
    CHECK(zero(q + 10, 190));
    /* Shrinking keeps the head and clears what the array gave up. */
    fill(q, 200, 3);
    char *r = recallocarray(q, 5, 1);
    CHECK(r != NULL && filled(r, 5, 3));
    char *s = recallocarray(r, 50, 1);
    CHECK(s != NULL && filled(s, 5, 3) && zero(s + 5, 45));
    /* Every size a shrink may end at within a 16-byte unit: what it gives
     * up reads as zero when the array grows back. */
    int cleared = 0;
    for (size_t n = 1; n <= 48; n++) {
        char *a = calloc(48, 1);
        if (!a)
            break;
        fill(a, 48, 4);
        char *b = recallocarray(a, n, 1);
        char *c = b ? recallocarray(b, 48, 1) : NULL;
        cleared += c != NULL && filled(c, n, 4) && zero(c + n, 48 - n);
        free(c ? c : b ? b : a);
    }
    CHECK_EQ(cleared, 48);
    /* Growth that moves the block. */
    char *keep = malloc(1);
    char *t = recallocarray(s, 100, 1000);
    CHECK(t != NULL && filled(t, 5, 3) && zero(t + 5, 100000 - 5));
    free(keep);
    CHECK_ERRNO(recallocarray(t, SIZE_MAX / 2, 3), NULL, ENOMEM);
    CHECK_ERRNO(recallocarray(t, 1, HUGE_SIZE), NULL, ENOMEM);
    CHECK(filled(t, 5, 3));
    free(t);
    int *u = recallocarray(NULL, 64, sizeof(int));
    CHECK(u != NULL && zero(u, 64 * sizeof(int)));
    free(u);
    CHECK_ERRNO(recallocarray(NULL, SIZE_MAX, 2), NULL, ENOMEM);
}

static void test_posix_memalign(void)
{
    static const size_t aligns[] = {8, 16, 32, 64, 256, 4096, 65536, 1 << 21};
    for (unsigned i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        void *p = NULL;
        CHECK_EQ(posix_memalign(&p, aligns[i], 1000), 0);
        CHECK(p != NULL && aligned(p, aligns[i]) && aligned(p, 16));
        CHECK(malloc_usable_size(p) >= 1000);
        fill(p, 1000, i);
        CHECK(filled(p, 1000, i));
        free(p);
    }
    void *z = NULL;
    CHECK_EQ(posix_memalign(&z, 64, 0), 0);
    CHECK(z != NULL && aligned(z, 64));
    free(z);
    /* Errors are returned and *memptr is left alone; a bad alignment leaves
     * errno alone, running out of memory sets it to ENOMEM too (as glibc
     * and musl do: programs read it after any failed allocation). */
    void *sentinel = (void *)0x1234, *p = sentinel;
    errno = 77;
    CHECK_EQ(posix_memalign(&p, 0, 16), EINVAL);
    CHECK_EQ(posix_memalign(&p, sizeof(void *) / 2, 16), EINVAL); /* not a multiple of sizeof(void *) */
    CHECK_EQ(posix_memalign(&p, 1, 16), EINVAL);
    CHECK_EQ(posix_memalign(&p, 24, 16), EINVAL);
    CHECK_EQ(posix_memalign(&p, 48, 16), EINVAL);
    CHECK_EQ(errno, 77);
    CHECK_EQ(posix_memalign(&p, 64, SIZE_MAX), ENOMEM);
    CHECK_EQ(errno, ENOMEM);
    CHECK_EQ(posix_memalign(&p, 64, HUGE_SIZE), ENOMEM);
#if __SIZEOF_POINTER__ == 8
    CHECK_EQ(posix_memalign(&p, (size_t)1 << 62, 16), ENOMEM);
#else
    /* A 32-bit address space holds a 1 GiB-aligned block: not twice 2 GiB. */
    CHECK_EQ(posix_memalign(&p, SIZE_MAX / 2 + 1, SIZE_MAX / 2), ENOMEM);
#endif
    CHECK(p == sentinel);
    CHECK_EQ(errno, ENOMEM);
}

static void test_aligned_alloc(void)
{
    /* The small powers of two are accepted, rounded up to 16. */
    static const size_t small[] = {1, 2, 4, 8, 16};
    for (unsigned i = 0; i < sizeof small / sizeof small[0]; i++) {
        void *p = aligned_alloc(small[i], 24);
        CHECK(p != NULL && aligned(p, 16));
        free(p);
    }
    /* Any size (C17), not only multiples of the alignment. */
    void *q = aligned_alloc(128, 100);
    CHECK(q != NULL && aligned(q, 128));
    free(q);
    void *z = aligned_alloc(64, 0);
    CHECK(z != NULL && aligned(z, 64));
    free(z);
    CHECK_ERRNO(aligned_alloc(0, 16), NULL, EINVAL);
    CHECK_ERRNO(aligned_alloc(3, 16), NULL, EINVAL);
    CHECK_ERRNO(aligned_alloc(48, 96), NULL, EINVAL);
    CHECK_ERRNO(aligned_alloc(SIZE_MAX, 16), NULL, EINVAL);
    CHECK_ERRNO(aligned_alloc(64, SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(aligned_alloc(64, HUGE_SIZE), NULL, ENOMEM);
}

static void test_memalign_valloc_pvalloc(void)
{
    void *a = memalign(64, 10);
    CHECK(a != NULL && aligned(a, 64));
    void *b = memalign(48, 10); /* rounded up to 64, as glibc does */
    CHECK(b != NULL && aligned(b, 64));
    void *c = memalign(0, 10);
    CHECK(c != NULL && aligned(c, 16));
    CHECK_ERRNO(memalign(64, SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(memalign(SIZE_MAX, 16), NULL, EINVAL);
    void *v = valloc(100);
    CHECK(v != NULL && aligned(v, PAGE));
    CHECK(malloc_usable_size(v) >= 100);
    CHECK_ERRNO(valloc(SIZE_MAX), NULL, ENOMEM);
    void *pv = pvalloc(PAGE + 1);
    CHECK(pv != NULL && aligned(pv, PAGE));
    CHECK(malloc_usable_size(pv) >= 2 * PAGE);
    void *pz = pvalloc(0);
    CHECK(pz != NULL && aligned(pz, PAGE) && malloc_usable_size(pz) >= PAGE);
    CHECK_ERRNO(pvalloc(SIZE_MAX), NULL, ENOMEM);
    CHECK_ERRNO(pvalloc(SIZE_MAX - PAGE), NULL, ENOMEM);
    free(pz);
    free(pv);
    free(v);
    free(c);
    free(b);
    free(a);
}

static void test_aligned_blocks_everywhere(void)
{
    /* Blocks from the aligned functions go to realloc, usable_size and free. */
    char *p = aligned_alloc(256, 300);
    fill(p, 300, 11);
    CHECK(malloc_usable_size(p) >= 300);
    char *q = realloc(p, 20000);
    CHECK(q != NULL && filled(q, 300, 11));
    free(q);
    void *r = NULL;
    CHECK_EQ(posix_memalign(&r, 4096, 5000), 0);
    fill(r, 5000, 12);
    char *keep = malloc(1); /* r is no longer the most recent block */
    char *s = realloc(r, 100000);
    CHECK(s != NULL && filled(s, 5000, 12));
    char *t = realloc(s, 100);
    CHECK(KEPT(t, s) && filled(t, 100, 12));
    free(t);
    free(keep);
    void *u = memalign(1 << 16, 10);
    CHECK(u != NULL && aligned(u, 1 << 16));
    void *u2 = realloc(u, 16);
    CHECK(KEPT(u2, u));
    free(u2);
}

static void test_free_sized(void)
{
    void *p = malloc(100);
    errno = 55;
    free_sized(p, 100);
    void *q = aligned_alloc(64, 128);
    free_aligned_sized(q, 64, 128);
    free_sized(NULL, 0);
    free_aligned_sized(NULL, 64, 0);
    CHECK_EQ(errno, 55);
}

/* Many live blocks at once, each with its own pattern, freed newest first. */
static void test_many_blocks(void)
{
#if defined(MINIC_MALLOC_MODE_guard) && defined(MINIC_TEST_PORT_ARENA)
    /* 2000 live blocks of two pages each fill the 16 MiB arena. */
    t_skip_because("guard mode: two pages a block, more than the arena holds");
    return;
#endif
    enum { N = 2000 };
    static char *blocks[N];
    int ok = 1;
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) * 13 + 1;
        blocks[i] = malloc(n);
        if (!blocks[i] || !aligned(blocks[i], 16)) {
            ok = 0;
            break;
        }
        fill(blocks[i], n, (unsigned)i);
    }
    CHECK(ok);
    for (int i = N - 1; i >= 0 && ok; i--) {
        size_t n = (size_t)(i % 97) * 13 + 1;
        ok &= filled(blocks[i], n, (unsigned)i);
        free(blocks[i]);
    }
    CHECK(ok);
}

/* Misuse is reported on stderr and aborts (in a child, its stderr closed). */
static void free_interior(void *arg)
{
    t_close(2);
    char *p = malloc(64);
    (void)arg;
    free(p + 16);
}

static void free_static(void *arg)
{
    static _Alignas(16) char not_a_block[64];
    t_close(2);
    (void)arg;
    free(not_a_block + 32);
}

static void realloc_overwritten(void *arg)
{
    t_close(2);
    /* A block with a header before its payload in every mode (the default
     * mode's small blocks have none). */
    char *p = malloc(100000);
    (void)arg;
    p[-16] ^= 1; /* the first byte of the header */
    p = realloc(p, 1000);
    p[0] = 0;
}

static void free_twice(void *arg)
{
    t_close(2);
    char *p = malloc(64), *q = malloc(64);
    (void)arg;
    free(p);
    free(q);
    free(p);
}

static void test_misuse_aborts(void)
{
    NEEDS(T_NEEDS_PROCESSES);
    CHECK_EQ(t_run_child(free_interior, NULL), T_SIGABRT);
    CHECK_EQ(t_run_child(free_static, NULL), T_SIGABRT);
    CHECK_EQ(t_run_child(realloc_overwritten, NULL), T_SIGABRT);
    /* In mmap mode the freed block's header went with its mapping: the
     * registry tells, without touching it. */
    CHECK_EQ(t_run_child(free_twice, NULL), T_SIGABRT);
}

/* Out of memory, in a child under a tight limit (RLIMIT_AS or RLIMIT_DATA):
 * allocations of every size fail with ENOMEM, so does every function, a
 * failed realloc leaves its block alone, and once blocks are freed (or the
 * limit raised) the allocator works again. The child's checks print their
 * failures; it exits with their count. */
struct chain {
    struct chain *next;
    char bytes[8];
};

static void exhaust(void *arg)
{
    int resource = *(const int *)arg;
    long vm_pages = t_read_number("/proc/self/statm");
    struct t_rlimit old, tight;
    if (vm_pages <= 0 || t_getrlimit(resource, &old) != 0)
        t_exit(90);
    tight.cur = (unsigned long)vm_pages * PAGE + (48UL << 20);
    tight.max = old.max;
    if (t_setrlimit(resource, &tight) != 0)
        t_exit(91);
    struct chain *head = NULL;
    static const size_t sizes[] = {1 << 20, 100000, 4000, 16};
    long blocks = 0;
    int errnos_ok = 1;
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (;;) {
            errno = 0;
            struct chain *c = malloc(sizes[k]);
            if (!c) {
                errnos_ok &= errno == ENOMEM;
                break;
            }
            c->next = head;
            fill(c->bytes, sizeof c->bytes, (unsigned)blocks);
            head = c;
            blocks++;
        }
    }
    CHECK(blocks > 16);
    CHECK(errnos_ok);
    size_t big = 64 << 20;
    CHECK_ERRNO(malloc(big), NULL, ENOMEM);
    CHECK_ERRNO(malloc(16), NULL, ENOMEM);
    CHECK_ERRNO(calloc(1, big), NULL, ENOMEM);
    CHECK_ERRNO(realloc(NULL, big), NULL, ENOMEM);
    CHECK_ERRNO(reallocarray(NULL, big, 1), NULL, ENOMEM);
    CHECK_ERRNO(recallocarray(NULL, big, 1), NULL, ENOMEM);
    CHECK_ERRNO(aligned_alloc(4096, big), NULL, ENOMEM);
    CHECK_ERRNO(memalign(4096, big), NULL, ENOMEM);
    CHECK_ERRNO(valloc(big), NULL, ENOMEM);
    CHECK_ERRNO(pvalloc(big), NULL, ENOMEM);
    void *untouched = (void *)head;
    CHECK_EQ(posix_memalign(&untouched, 64, big), ENOMEM);
    CHECK(untouched == (void *)head);
    /* A failed resize keeps the block and its contents. */
    CHECK_ERRNO(realloc(head, big), NULL, ENOMEM);
    CHECK_ERRNO(reallocarray(head, big, 2), NULL, ENOMEM);
    CHECK_ERRNO(recallocarray(head, big, 2), NULL, ENOMEM);
    CHECK(filled(head->bytes, sizeof head->bytes, (unsigned)blocks - 1));
    /* Everything freed (newest first), contents checked on the way. */
    int intact = 1;
    while (head) {
        struct chain *next = head->next;
        blocks--;
        intact &= filled(head->bytes, sizeof head->bytes, (unsigned)blocks);
        free(head);
        head = next;
    }
    CHECK(intact);
    char *p = malloc(100000);
    CHECK(p != NULL);
    if (p) {
        fill(p, 100000, 4);
        char *q = realloc(p, 200000);
        CHECK(q != NULL && filled(q, 100000, 4));
        free(q ? q : p);
    }
    void *z = calloc(1000, 10);
    CHECK(z != NULL && zero(z, 10000));
    free(z);
    /* With the limit back, large blocks again. */
    CHECK_EQ(t_setrlimit(resource, &old), 0);
    void *b = malloc(big);
    CHECK(b != NULL);
    free(b);
    t_exit(t_failed ? 1 : 0);
}

static void test_out_of_memory(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_LIMITS | T_NEEDS_FILES);
    int as = T_RLIMIT_AS, data = T_RLIMIT_DATA;
    CHECK_EQ(t_run_child(exhaust, &as), 0);
    CHECK_EQ(t_run_child(exhaust, &data), 0);
}

/* A signal handler allocates and frees while the main loop does: neither
 * corrupts the other's blocks. A handler that interrupted the allocator
 * holding its lock (linear mode) gets NULL rather than a deadlock. */
static volatile long handler_runs, handler_nulls, handler_bad;

static void on_alarm(int sig, void *info, void *context)
{
    static unsigned seed = 1;
    (void)sig, (void)info, (void)context;
    seed = seed * 1103515245u + 12345u;
    size_t n = 1 + (seed >> 8) % 3000;
    unsigned char *p = malloc(n);
    if (!p) {
        handler_nulls++;
        return;
    }
    fill(p, n, 9);
    unsigned char *q = realloc(p, n * 2);
    if (!q) {
        handler_nulls++;
        q = p;
    }
    if (!filled(q, n, 9))
        handler_bad++;
    free(q);
    handler_runs++;
}

static void test_signal_handler_allocates(void)
{
    NEEDS(T_NEEDS_SIGNALS | T_NEEDS_CLOCK);
    enum { N = 64 };
    char *blocks[N] = {0};
    size_t sizes[N] = {0};
    unsigned seed = 7;
    int bad = 0, nulls = 0;
    CHECK_EQ(t_sigaction(T_SIGALRM, on_alarm), 0);
    CHECK_EQ(t_itimer_us(100), 0);
    long long start = t_now_ns();
    while (t_now_ns() - start < 300000000LL || (handler_runs < 100 && t_now_ns() - start < 3000000000LL)) {
        seed = seed * 1103515245u + 12345u;
        unsigned i = (seed >> 8) % N;
        if (blocks[i]) {
            bad |= !filled(blocks[i], sizes[i], i);
            if ((seed >> 20) % 3 == 0) {
                char *q = realloc(blocks[i], sizes[i] * 2 + 1);
                if (!q) {
                    nulls++;
                    continue;
                }
                bad |= !filled(q, sizes[i], i);
                blocks[i] = q;
                sizes[i] = sizes[i] * 2 + 1;
                fill(q, sizes[i], i);
                continue;
            }
            free(blocks[i]);
        }
        sizes[i] = (seed >> 12) % 5000;
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i]) {
            nulls++;
            continue;
        }
        fill(blocks[i], sizes[i], i);
        /* The handler also interrupts these, which hold the allocator's
         * shared locks while they run. */
        if ((seed >> 16) % 64 == 0) {
            malloc_trim(0);
            bad |= mallinfo2().uordblks == 0;
        }
    }
    CHECK_EQ(t_itimer_us(0), 0);
    t_sigdefault(T_SIGALRM);
    for (unsigned i = 0; i < N; i++) {
        if (blocks[i]) {
            bad |= !filled(blocks[i], sizes[i], i);
            free(blocks[i]);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(nulls, 0);
    CHECK_EQ(handler_bad, 0);
    CHECK(handler_runs >= 100);
    /* Only a handler that interrupted the allocator's lock may see NULL. */
    CHECK(handler_nulls < handler_runs);
    t_puts("  signal handler: ");
    t_putnum(handler_runs);
    t_puts(" runs, ");
    t_putnum(handler_nulls);
    t_puts(" allocations refused inside the interrupted allocator\n");
}

#ifdef LINEAR_MODE
static void test_linear_reuse(void)
{
    /* Freeing the most recent block lets the next allocation reuse it. */
    char *p = malloc(100);
    free(p);
    char *q = malloc(100);
    CHECK(q == p);
    free(q);
    char *r = malloc(40);
    CHECK(r == p);
    /* An older block is not recycled. */
    char *s = malloc(40);
    free(r);
    char *t = malloc(40);
    CHECK(t != r);
    free(t);
    free(s);
    /* A growing most recent block stays in place. */
    char *u = malloc(64);
    fill(u, 64, 4);
    CHECK(realloc(u, 6400) == u);
    CHECK(filled(u, 64, 4));
    free(u);
}

static void test_linear_break(void)
{
    NEEDS(T_NEEDS_LIMITS);
    unsigned long before = t_brk(0);
    char *p = malloc(4 << 20);
    unsigned long grown = t_brk(0);
    CHECK(p != NULL);
    /* The block lies in the break, which grew for it. */
    CHECK(grown > before);
    CHECK((unsigned long)p + (4 << 20) <= grown);
    fill(p, 4 << 20, 8);
    free(p);
    /* Freeing the most recent large block gives the break back. */
    CHECK(t_brk(0) < grown);
    /* Someone else moving the break: minic continues above it. */
    unsigned long foreign = t_brk(0) + (1 << 16);
    CHECK_EQ(t_brk(foreign), foreign);
    char *a = malloc(1 << 18);
    CHECK(a != NULL && (unsigned long)a >= foreign);
    free(a);
}

/* The break blocked by a mapping right above it: mapped regions take over. */
static void test_linear_fallback(void)
{
    NEEDS(T_NEEDS_LIMITS);
    unsigned long top = (t_brk(0) + PAGE - 1) & ~(unsigned long)(PAGE - 1);
    void *blocker = (void *)(top + (1 << 16));
    long m = t_mmap(blocker, PAGE, 0, 0x22 | 0x100000 /* PRIVATE|ANONYMOUS|FIXED_NOREPLACE */);
    CHECK(m == (long)blocker);
    enum { N = 64 };
    char *blocks[N];
    int ok = 1;
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(16 << 10);
        ok &= blocks[i] != NULL;
        if (blocks[i])
            fill(blocks[i], 16 << 10, (unsigned)i);
    }
    CHECK(ok);
    CHECK(t_brk(0) <= (unsigned long)blocker);
    char *large = malloc(2 << 20); /* its own mapping */
    CHECK(large != NULL);
    fill(large, 2 << 20, 99);
    for (int i = 0; i < N && ok; i++)
        ok &= filled(blocks[i], 16 << 10, (unsigned)i);
    CHECK(ok);
    CHECK(filled(large, 2 << 20, 99));
    free(large);
    for (int i = N - 1; i >= 0; i--)
        free(blocks[i]);
    t_munmap(blocker, PAGE);
}
#endif

/* The allocator's figures exist in every mode and follow a 1 MiB block (a
 * mapping of its own, or carved in the linear mode): mallinfo2, mallinfo
 * (the same in int fields), malloc_usable_size; malloc_trim gives back what
 * the mode keeps (the default mode caches the freed mapping; the others
 * keep none). */
static void test_figures_in_every_mode(void)
{
    /* A freestanding library caches at most 1 MiB of large mappings. */
    enum { SIZE = __STDC_HOSTED__ ? 1 << 20 : 256 << 10 };
    malloc_trim(0);
    struct mallinfo2 before = mallinfo2();
    CHECK_EQ(before.keepcost, 0);
    char *p = malloc(SIZE);
    CHECK(p != NULL);
    if (!p)
        return;
    fill(p, SIZE, 5);
    CHECK(malloc_usable_size(p) >= SIZE);
    struct mallinfo2 mi = mallinfo2();
#ifdef MINIC_MALLOC_MODE_linear
    /* Carved from the break where it can grow, else a mapping of its own. */
    int own = mi.hblks == before.hblks + 1;
    CHECK(own || mi.hblks == before.hblks);
#else
    int own = 1;
    CHECK_EQ(mi.hblks, before.hblks + 1);
#endif
    if (own)
        CHECK(mi.hblkhd >= before.hblkhd + SIZE);
    else
        CHECK(mi.arena >= before.arena + SIZE);
    CHECK(mi.uordblks >= before.uordblks + SIZE);
    /* glibc's header marks mallinfo deprecated (its int fields overflow);
     * minic's caps them, and the call is what this test is about. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo old = mallinfo();
#pragma GCC diagnostic pop
    CHECK_EQ((size_t)old.hblks, mi.hblks);
    CHECK_EQ((size_t)old.hblkhd, mi.hblkhd);
    CHECK_EQ((size_t)old.uordblks, mi.uordblks);
    CHECK(filled(p, SIZE, 5));
    free(p);
    mi = mallinfo2();
    CHECK_EQ(mi.hblks, before.hblks);
    CHECK(mi.uordblks <= before.uordblks);
#ifdef MINIC_MALLOC_MODE_default
    CHECK(mi.keepcost >= SIZE);
    CHECK_EQ(malloc_trim(0), 1);
#else
    CHECK_EQ(mi.keepcost, 0);
    CHECK_EQ(malloc_trim(0), 0);
#endif
    CHECK_EQ(mallinfo2().keepcost, 0);
}

/* malloc_stats writes the figures on stderr, one a line: captured through
 * a pipe in place of fd 2. */
static void test_malloc_stats_writes_lines(void)
{
    NEEDS(T_NEEDS_FILES); /* a pipe */
    enum { F_DUPFD_ = 0 };
    int fds[2];
    CHECK_EQ((int)T_SYS(T_NR_pipe2, fds, 0, 0, 0, 0, 0), 0);
    int saved = (int)T_SYS(T_NR_fcntl, 2, F_DUPFD_, 10, 0, 0, 0);
    CHECK(saved >= 0);
    CHECK_EQ((int)T_SYS(T_NR_dup3, fds[1], 2, 0, 0, 0, 0), 2);
    malloc_stats();
    CHECK_EQ((int)T_SYS(T_NR_dup3, saved, 2, 0, 0, 0, 0), 2);
    t_close(saved);
    t_close(fds[1]);
    char out[1024];
    long n = t_read(fds[0], out, sizeof out);
    t_close(fds[0]);
    int lines = 0;
    for (long i = 0; i < n; i++)
        lines += out[i] == '\n';
    CHECK_EQ(lines, 6);
    CHECK(n > 0 && out[0] == 'b'); /* "bytes held ..." */
}

#ifdef MINIC_MALLOC_MODE_default
/* The default allocator gives freed memory back at once beyond a reserve of
 * empty slabs (24 MiB at most, for about a second), and its figures follow. */
static void test_default_gives_memory_back(void)
{
    NEEDS(T_NEEDS_FILES);
    enum { N = 65536, SIZE = 1000 };
    static void *p[N];
    long before = t_rss_pages();
    int got = 0;
    for (int i = 0; i < N; i++) {
        p[i] = malloc(SIZE);
        if (!p[i])
            break;
        fill(p[i], 16, (unsigned)i);
        got++;
    }
    CHECK_EQ(got, N);
    if (got != N)
        return;
    struct mallinfo2 mi = mallinfo2();
    CHECK(mi.uordblks >= (size_t)N * SIZE);
    CHECK(mi.arena >= mi.uordblks);
    CHECK(t_rss_pages() - before >= (long)((size_t)N * SIZE / PAGE));
    int intact = 0;
    for (int i = 0; i < N; i++) {
        intact += filled(p[i], 16, (unsigned)i);
        free(p[i]);
    }
    CHECK_EQ(intact, N);
    mi = mallinfo2();
    CHECK(mi.uordblks < ((size_t)8 << 20));
    CHECK(t_rss_pages() - before < (long)((32 << 20) / PAGE));
    /* The reserve of empty slabs goes too. */
    CHECK_EQ(malloc_trim(0), 1);
    CHECK(t_rss_pages() - before < (long)((12 << 20) / PAGE));
}

/* Large blocks: a freed mapping is reused by the next request of its size,
 * and realloc moves pages instead of bytes, keeping the contents. */
static void test_default_large_blocks(void)
{
    char *p = malloc(1 << 20);
    CHECK(p != NULL);
    if (!p)
        return;
    struct mallinfo2 mi = mallinfo2();
    CHECK(mi.hblks >= 1 && mi.hblkhd >= (size_t)1 << 20);
    free(p);
    char *q = malloc(1 << 20);
#if defined(T_QEMU_USER) && !__STDC_HOSTED__
    /* Freestanding, the block is not cached: the kernel maps it again. */
    UNLESS_QEMU("maps elsewhere than the range just unmapped", CHECK(q == p));
#else
    CHECK(q == p);
#endif
    fill(q, 1 << 20, 3);
    /* Larger than the 16 MiB a test kernel's arena has in all. */
    size_t grown = T_PLATFORM_HAS & T_NEEDS_MMU ? (size_t)64 << 20 : (size_t)4 << 20;
    char *r = realloc(q, grown);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(filled(r, 1 << 20, 3));
    CHECK(malloc_usable_size(r) >= grown);
    free(r);
    CHECK_EQ(mallinfo2().hblks, mi.hblks - 1);
}

/* A large block that outgrows its mapping moves into a cached mapping with
 * room (resident pages) before the kernel is asked for new ones. */
static void test_default_large_realloc_into_cache(void)
{
    /* A hosted library reuses a cached mapping for a request of a
     * sixteenth of it or more, a freestanding one (whose cache holds at most
     * 1 MiB) for half of it or more. */
    const size_t cached_size = __STDC_HOSTED__ ? 2 << 20 : 256 << 10;
    const size_t grown = __STDC_HOSTED__ ? 1 << 20 : 192 << 10;
    /* An empty cache: the first trim gives back what earlier tests left,
     * after which there is nothing more to give. */
    (void)malloc_trim(0);
    CHECK_EQ(malloc_trim(0), 0);
    char *cached = malloc(cached_size);
    CHECK(cached != NULL);
    if (!cached)
        return;
    free(cached);
    /* Too small to take the cached mapping. */
    char *p = malloc(64 << 10);
    CHECK(p != NULL && p != cached);
    if (!p)
        return;
    fill(p, 64 << 10, 9);
    char *q = realloc(p, grown);
    CHECK(q == cached);
    CHECK(filled(q, 64 << 10, 9));
    CHECK(malloc_usable_size(q) >= grown);
    free(q);
}

/* A freed large block whose mapping is larger than the cache's bound (four
 * times the live large bytes, at least 16 MiB; 1 MiB at most freestanding)
 * is unmapped at once, even when the cache is empty: a program that frees
 * its one big buffer and then allocates smaller ones does not keep the big
 * one's pages resident under them. */
static void test_default_big_freed_mapping_goes_back(void)
{
    NEEDS(T_NEEDS_FILES);
    const size_t big = __STDC_HOSTED__ ? 48 << 20 : 4 << 20;
    (void)malloc_trim(0);
    long before = t_rss_pages();
    char *p = malloc(big);
    CHECK(p != NULL);
    if (!p)
        return;
    fill(p, big, 7);
    CHECK(t_rss_pages() - before >= (long)(big / 2 / PAGE));
    free(p);
    CHECK(t_rss_pages() - before < (long)(big / 8 / PAGE));
    /* A smaller buffer gets fresh pages, not the big one's. */
    char *q = malloc(big / 4);
    CHECK(q != NULL);
    CHECK(t_rss_pages() - before < (long)(big / 8 / PAGE));
    free(q);
}

/* A freed large mapping that nothing reuses goes back to the kernel within
 * about a quarter of a second (at the next large allocation or free): a
 * buffer that grows by allocating a larger one and freeing the last leaves
 * no trail of resident mappings behind it for long. */
static void test_default_cached_mappings_age_out(void)
{
    NEEDS(T_NEEDS_FILES | T_NEEDS_CLOCK);
    const size_t step = 1 << 20;
    (void)malloc_trim(0);
    long before = t_rss_pages();
    char *p = NULL;
    for (int i = 1; i <= 8; i++) {
        char *q = malloc(i * step);
        CHECK(q != NULL);
        if (!q)
            break;
        fill(q, i * step, (unsigned)i);
        free(p);
        p = q;
    }
    /* The seven smaller mappings (28 steps) wait in the cache. */
    CHECK(t_rss_pages() - before >= (long)(28 * step / PAGE));
    t_sleep_ms(400);
    free(malloc(9 * step));
    CHECK(t_rss_pages() - before < (long)(16 * step / PAGE));
    free(p);
}

/* A block that takes a cached mapping at least twice as long as it needs
 * keeps the pages past what it needs for about a sixteenth of a second,
 * then they go back to the kernel (at the next large allocation or free),
 * its own contents kept; grown in place before that, it keeps them all. */
static void test_default_roomy_block_gives_room_back(void)
{
    NEEDS(T_NEEDS_FILES | T_NEEDS_CLOCK);
    /* Two mappings of 5 MiB, both cached (the bound is 16 MiB). */
    const size_t big = 4 << 20, small = 512 << 10, grown = 3 << 20;
    (void)malloc_trim(0);
    long before = t_rss_pages();
    /* Two cached mappings, every page resident. */
    char *a = malloc(big), *b = malloc(big);
    CHECK(a != NULL && b != NULL);
    if (!a || !b)
        return;
    fill(a, big, 1);
    fill(b, big, 2);
    free(a);
    free(b);
    /* Each serves a 512 KiB block; the second grows in place to 3 MiB. */
    char *p = malloc(small), *q = malloc(small);
    CHECK(p != NULL && q != NULL);
    if (!p || !q)
        return;
    fill(p, small, 3);
    fill(q, small, 4);
    char *r = realloc(q, grown);
    CHECK(r == q);
    if (!r)
        return;
    fill(r, grown, 5);
    CHECK(t_rss_pages() - before >= (long)(2 * big / PAGE * 9 / 10));
    t_sleep_ms(200);
    free(malloc(big));
    /* p's room went back (it keeps 640 KiB of its mapping); r keeps all
     * of its mapping, 5 MiB. */
    CHECK(t_rss_pages() - before < (long)(big * 7 / 4 / PAGE));
    CHECK(filled(p, small, 3));
    CHECK(filled(r, grown, 5));
    /* p grows into its room again: its pages come back as zero. */
    char *g = realloc(p, grown);
    CHECK(g == p);
    if (g) {
        CHECK(filled(g, small, 3));
        fill(g, grown, 6);
        CHECK(filled(g, grown, 6));
    }
    free(g ? g : p);
    free(r);
}

/* An attacker's writes change no allocation: a write after free of the
 * freed block's first word (where a free-list link would be), a 16-byte
 * overflow into the next block, a 144-byte underflow before a block. None
 * makes a later malloc return the address the attacker wrote, and nothing
 * of the allocator's is written into a freed block. */
static char attack_target[64] __attribute__((aligned(16)));

static int returns_target(size_t size, int tries)
{
    void *got[8];
    int hit = 0;
    for (int i = 0; i < tries; i++) {
        got[i] = malloc(size);
        hit |= got[i] == attack_target + 16 || got[i] == attack_target;
    }
    for (int i = 0; i < tries; i++)
        free(got[i]);
    return hit;
}

static void test_default_attacker_writes_redirect_nothing(void)
{
    void *volatile *link;
    free(malloc(24));
    char *a = malloc(24), *b = malloc(24), *keep = malloc(24);
    CHECK(a != NULL && b != NULL && keep != NULL);
    if (!a || !b || !keep)
        return;
    for (int i = 0; i < 24; i++)
        a[i] = 0x33;
    free(b);
    free(a);
    /* Nothing was written into the freed block. */
    int untouched = 1;
    for (int i = 0; i < 24; i++)
        untouched &= a[i] == 0x33;
    CHECK(untouched);
    link = (void *volatile *)a;
    *link = attack_target + 16;
    CHECK(!returns_target(24, 4));
    /* A 16-byte linear overflow from a live block into its neighbour. */
    char *c = malloc(24), *d = malloc(24);
    CHECK(c != NULL && d != NULL);
    if (c && d) {
        free(d);
        for (int i = 0; i < 16; i += 8)
            *(void *volatile *)(c + 24 + i) = attack_target;
        for (int i = 0; i < 16; i += 8)
            *(void *volatile *)(c + 32 + i) = attack_target;
        CHECK(!returns_target(24, 4));
        /* The overflow did not change the neighbour's size either. */
        char *e = malloc(24);
        CHECK(e != NULL && malloc_usable_size(e) == 32);
        free(e);
        free(c);
    }
    /* A 144-byte underflow before a block (not its slab's first). */
    char *f = malloc(24), *g = malloc(24), *h = malloc(24), *v = malloc(24);
    CHECK(f && g && h && v);
    if (f && g && h && v) {
        free(g);
        for (int i = 8; i <= 144 && v - i >= f; i += 8)
            *(void *volatile *)(v - i) = attack_target + 16;
        CHECK(!returns_target(24, 4));
        CHECK(!returns_target(16, 4));
        free(f);
        free(h);
        free(v);
    }
    free(keep);
}

/* Under a tight address-space limit small blocks still come: no large
 * reservation is made up front. */
static void small_blocks_under_tight_limit(void *arg)
{
    long limit = *(const long *)arg;
    long vm_pages = t_read_number("/proc/self/statm");
    struct t_rlimit old, tight;
    if (vm_pages <= 0 || t_getrlimit(T_RLIMIT_AS, &old) != 0)
        t_exit(90);
    tight.cur = (unsigned long)vm_pages * PAGE + (unsigned long)limit;
    tight.max = old.max;
    if (t_setrlimit(T_RLIMIT_AS, &tight) != 0)
        t_exit(91);
    long bytes = 0;
    while (malloc(24))
        bytes += 24;
    /* At least 60% of the limit in 24-byte blocks (32-byte slots). */
    t_exit(bytes * 32 / 24 >= limit * 6 / 10 ? 0 : 1);
}

static void test_default_tight_address_space(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_LIMITS | T_NEEDS_FILES);
    long limit = 32L << 20;
    CHECK_EQ(t_run_child(small_blocks_under_tight_limit, &limit), 0);
}

/* Memory comes back after a full free of many small blocks: within a
 * second, by the next malloc-family call, resident memory is close to what
 * it was before, and malloc_trim brings it back further. */
static void test_default_small_blocks_give_memory_back(void)
{
    NEEDS(T_NEEDS_FILES | T_NEEDS_CLOCK);
    enum { N = 400000 };
    void **p = malloc(N * sizeof *p);
    CHECK(p != NULL);
    if (!p)
        return;
    long before = t_rss_pages();
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = malloc(16 + (seed >> 16) % 1000);
        if (p[i])
            *(char *)p[i] = 1;
    }
    long peak = t_rss_pages();
    CHECK(peak - before > (long)((64 << 20) / PAGE));
    /* Freed in random order. */
    t_shuffle(p, N, seed);
    for (int i = 0; i < N; i++)
        free(p[i]);
    CHECK_MEMORY_BACK(before);
    free(p);
}

/* One size rule: every request of a size gets the same slot size, the
 * first of the process as the hundredth, and malloc(0) the smallest. */
static void test_default_one_size_rule(void)
{
    enum { N = 100 };
    void *p[N], *z[N];
    size_t first = 0, zero = 0;
    int same = 0, same_zero = 0;
    for (int i = 0; i < N; i++) {
        p[i] = malloc(24);
        z[i] = malloc(0);
        CHECK(p[i] != NULL && z[i] != NULL);
        if (!p[i] || !z[i])
            return;
        if (i == 0) {
            first = malloc_usable_size(p[0]);
            zero = malloc_usable_size(z[0]);
        }
        same += malloc_usable_size(p[i]) == first;
        same_zero += malloc_usable_size(z[i]) == zero;
    }
    CHECK_EQ(first, (size_t)32);
#if __STDC_HOSTED__
    CHECK_EQ(zero, (size_t)0); /* a zero-size block: no bytes at all */
#else
    CHECK_EQ(zero, (size_t)16);
#endif
    CHECK_EQ(same, N);
    CHECK_EQ(same_zero, N);
    for (int i = 0; i < N; i++) {
        free(p[i]);
        free(z[i]);
    }
}

#endif /* MINIC_MALLOC_MODE_default */

#if __STDC_HOSTED__ && (defined(MINIC_MALLOC_MODE_default) || defined(MINIC_MALLOC_MODE_guard))
static void read_byte(void *p) { (void)*(volatile char *)p; }

static void double_free_zero_size_after_reuse(void *arg)
{
    (void)arg;
    t_close(2);
    void *p = malloc(0);
    free(p);
    void *q = malloc(0);
    free(p);
    free(q);
}

/* malloc(0) and its kin return distinct, aligned, freeable blocks with no
 * bytes: any read or write through one faults where it happens. realloc
 * and recallocarray work from them; an aligned_alloc stricter than 16
 * gets an ordinary block. */
static void check_zero_size_blocks_fault(void)
{
    enum { KIN = 7 };
    void *z[KIN];
    z[0] = malloc(0);
    z[1] = malloc(0);
    z[2] = calloc(0, 8);
    z[3] = calloc(8, 0);
    z[4] = realloc(NULL, 0);
    z[5] = aligned_alloc(16, 0);
    CHECK_EQ(posix_memalign(&z[6], 8, 0), 0);
    for (int i = 0; i < KIN; i++) {
        CHECK(z[i] != NULL && aligned(z[i], 16));
        CHECK_EQ(malloc_usable_size(z[i]), 0);
        for (int j = 0; j < i; j++)
            CHECK(z[i] != z[j]);
        CHECK_EQ(t_run_child(read_byte, z[i]), T_SIGSEGV);
        CHECK_EQ(t_run_child(touch, z[i]), T_SIGSEGV);
    }
    /* A block that must be aligned more is an ordinary one. */
    char *a64 = aligned_alloc(64, 0);
    CHECK(a64 != NULL && aligned(a64, 64));
    CHECK_EQ(t_run_child(touch, a64), 0);
    free(a64);
    /* realloc gives a zero-size block room (nothing to copy), and
     * realloc(p, 0) frees p and returns a zero-size block again. */
    char *grown = realloc(z[0], 100);
    CHECK(grown != NULL && malloc_usable_size(grown) >= 100);
    fill(grown, 100, 3);
    CHECK(filled(grown, 100, 3));
    void *shrunk = realloc(grown, 0);
    CHECK(shrunk != NULL && malloc_usable_size(shrunk) == 0);
    CHECK_EQ(t_run_child(touch, shrunk), T_SIGSEGV);
    z[0] = shrunk;
    char *zeroed = recallocarray(z[1], 0, 1);
    CHECK(zeroed != NULL);
    z[1] = zeroed;
    char *gained = recallocarray(z[1], 40, 1);
    CHECK(gained != NULL && zero(gained, 40));
    free(gained);
    z[1] = NULL;
    free_sized(z[2], 0);
    z[2] = NULL;
    for (int i = 0; i < KIN; i++)
        free(z[i]);
}
#endif

#if __STDC_HOSTED__ && defined(MINIC_MALLOC_MODE_default)
static int by_pointer(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return (x > y) - (x < y);
}

/* Zero-size blocks (check_zero_size_blocks_fault) are addresses in a
 * reserved range with no access; more live at once than it holds get
 * ordinary blocks. */
static void test_default_zero_size_blocks_fault(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    check_zero_size_blocks_fault();
    /* 20,000 live at once: all distinct and freeable, the ones past the
     * reserved addresses ordinary blocks. */
    enum { MANY = 20000 };
    void **many = malloc(MANY * sizeof *many);
    CHECK(many != NULL);
    if (!many)
        return;
    size_t ordinary = 0;
    for (int i = 0; i < MANY; i++) {
        many[i] = malloc(0);
        CHECK(many[i] != NULL);
        ordinary += many[i] && malloc_usable_size(many[i]) != 0;
    }
    CHECK(ordinary > 0 && ordinary < MANY);
    qsort(many, MANY, sizeof *many, by_pointer);
    int repeated = 0;
    for (int i = 1; i < MANY; i++)
        repeated += many[i] == many[i - 1];
    CHECK_EQ(repeated, 0);
    for (int i = 0; i < MANY; i++)
        free(many[i]);
    free(many);
    /* The addresses are there again. */
    void *again = malloc(0);
    CHECK(again != NULL && malloc_usable_size(again) == 0);
    free(again);
    /* A freed address comes back only after all the others, so a second
     * free of it is caught even after more zero-size blocks were made. */
    void *next = malloc(0);
    CHECK(next != NULL && next != again);
    free(next);
    CHECK_EQ(t_run_child(double_free_zero_size_after_reuse, NULL), T_SIGABRT);
}
#endif

#ifdef MINIC_MALLOC_MODE_mmap
static void test_mmap_freed_blocks_fault(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    char *small = malloc(100), *large = malloc(1 << 20);
    void *al = aligned_alloc(1 << 16, 100);
    small[0] = large[0] = 1;
    free(small);
    free(large);
    free(al);
    CHECK_EQ(t_run_child(touch, small), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, large), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, large + (1 << 20) - 1), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, al), T_SIGSEGV);
    /* realloc(p, 0) and a failed reallocf free the block too. */
    char *r = malloc(10);
    void *m = realloc(r, 0);
    /* The new minimal block may be mapped where r was, since r goes first. */
    CHECK(m == (void *)r || t_run_child(touch, r) == T_SIGSEGV);
    free(m);
    char *f = malloc(10);
    CHECK(reallocf(f, HUGE_SIZE) == NULL);
    CHECK_EQ(t_run_child(touch, f), T_SIGSEGV);
    /* A live block's whole usable size is accessible. */
    char *live = malloc(10);
    CHECK_EQ(t_run_child(touch, live + malloc_usable_size(live) - 1), 0);
    free(live);
}

static void test_mmap_break_still(void)
{
    NEEDS(T_NEEDS_LIMITS);
    unsigned long before = t_brk(0);
    void *p = malloc(1 << 20), *q = malloc(10);
    void *r = realloc(q, 100000);
    CHECK_EQ(t_brk(0), before);
    free(r);
    free(p);
}
#endif

#ifdef MINIC_MALLOC_MODE_guard
static void write_byte(void *p) { *(volatile char *)p = 0; }

#if __STDC_HOSTED__
/* A zero-size block is its guard page's first address: any access faults
 * (check_zero_size_blocks_fault), and a second free is stopped, the block
 * being sealed by the first. */
static void test_guard_zero_size_blocks_fault(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    check_zero_size_blocks_fault();
    int signal = t_run_child(double_free_zero_size_after_reuse, NULL);
    CHECK(signal == T_SIGABRT || signal == T_SIGSEGV);
}
#endif

/* Each block ends at an inaccessible page: one byte too far faults. */
static void test_guard_overflow_faults(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    static const size_t sizes[] = {16, 32, 4096, 8208, 100000};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *p = malloc(sizes[i]);
        CHECK_EQ(malloc_usable_size(p), sizes[i]);
        CHECK_EQ(t_run_child(touch, p + sizes[i] - 1), 0);
        CHECK_EQ(t_run_child(write_byte, p + sizes[i]), T_SIGSEGV);
        free(p);
    }
    /* An aligned block: its slack up to the page end is canary. */
    char *a = aligned_alloc(256, 1000);
    CHECK(a != NULL && aligned(a, 256));
    CHECK_EQ(malloc_usable_size(a), 1000);
    CHECK_EQ(t_run_child(write_byte, a + 1024 + 4096), T_SIGSEGV);
    free(a);
    /* The usable size is the size asked for: all of it is usable. */
    char *b = malloc(13);
    CHECK_EQ(malloc_usable_size(b), 13);
    fill(b, 13, 1);
    free(b);
}

/* A write into the tail padding is found when the block is freed. */
static void overflow_into_padding(void *arg)
{
    char *p = malloc(13);
    (void)arg;
    t_close(2);
    p[13] = 0;
    free(p);
}

static void overflow_then_realloc(void *arg)
{
    char *p = malloc(20);
    (void)arg;
    t_close(2);
    p[25] = 'x';
    p = realloc(p, 24);
    free(p);
}

static void test_guard_canary(void)
{
    NEEDS(T_NEEDS_PROCESSES);
    CHECK_EQ(t_run_child(overflow_into_padding, NULL), T_SIGABRT);
    CHECK_EQ(t_run_child(overflow_then_realloc, NULL), T_SIGABRT);
}

/* A freed block stays inaccessible (quarantined), whatever its size. */
static void test_guard_use_after_free(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    char *small = malloc(24), *large = malloc(300000);
    void *al = aligned_alloc(1 << 16, 100);
    char *moved = malloc(100);
    char *grown = realloc(moved, 5000);
    CHECK(grown != moved);
    free(small);
    free(large);
    free(al);
    CHECK_EQ(t_run_child(touch, small), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, large + 150000), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, al), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch, moved), T_SIGSEGV);
    /* The quarantine keeps the addresses from being handed out again. */
    int reused = 0;
    for (int i = 0; i < 200; i++) {
        char *p = malloc(24);
        reused |= p == small;
        free(p);
    }
    CHECK(!reused);
    free(grown);
}

/* At the kernel's mapping limit (two mappings a block): ENOMEM, no crash,
 * and everything works again once blocks are freed. */
static void fill_map_count(void *arg)
{
    struct node {
        struct node *next;
    } *head = NULL;
    long n = 0;
    (void)arg;
    for (;;) {
        errno = 0;
        struct node *b = malloc(sizeof *b);
        if (!b)
            break;
        b->next = head;
        head = b;
        n++;
    }
    CHECK_EQ(errno, ENOMEM);
    CHECK(n > 20000);
    CHECK_ERRNO(calloc(1, 10), NULL, ENOMEM);
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
    void *p = malloc(1000);
    CHECK(p != NULL);
    free(p);
    t_puts("  guard mode: ");
    t_putnum(n);
    t_puts(" live blocks at the mapping limit\n");
    t_exit(t_failed ? 1 : 0);
}

static void test_guard_mapping_limit(void)
{
    NEEDS(T_NEEDS_PROCESSES);
    CHECK_EQ(t_run_child(fill_map_count, NULL), 0);
}
#endif

int main(void)
{
    RUN(test_malloc);
    RUN(test_malloc_errors);
    RUN(test_free_keeps_errno);
    RUN(test_calloc);
    RUN(test_realloc);
    RUN(test_reallocf);
    RUN(test_reallocarray);
    RUN(test_recallocarray);
    RUN(test_posix_memalign);
    RUN(test_aligned_alloc);
    RUN(test_memalign_valloc_pvalloc);
    RUN(test_aligned_blocks_everywhere);
    RUN(test_free_sized);
    RUN(test_many_blocks);
    RUN(test_misuse_aborts);
    T_QEMU_LACKS(test_out_of_memory, "applies no RLIMIT_AS or RLIMIT_DATA to the program");
    RUN(test_signal_handler_allocates);
    RUN(test_figures_in_every_mode);
    RUN(test_malloc_stats_writes_lines);
#ifdef LINEAR_MODE
    RUN(test_linear_reuse);
    T_QEMU_LACKS(test_linear_break, "may put the program break within the stack's reach, where minic leaves it alone");
    T_QEMU_LACKS(test_linear_fallback, "keeps the pages of a shrunk program break mapped");
#endif
#ifdef MINIC_MALLOC_MODE_default
    RUN(test_default_gives_memory_back);
    RUN(test_default_large_blocks);
    RUN(test_default_large_realloc_into_cache);
    T_QEMU_LACKS(test_default_big_freed_mapping_goes_back, "counts its own memory in the resident pages");
#if __STDC_HOSTED__
    T_QEMU_LACKS(test_default_cached_mappings_age_out, "counts its own memory in the resident pages");
    T_QEMU_LACKS(test_default_roomy_block_gives_room_back, "counts its own memory in the resident pages");
#else
    SKIP_RUN(test_default_cached_mappings_age_out, "keeps at most 1 MiB of freed mappings, less than the test leaves");
    SKIP_RUN(test_default_roomy_block_gives_room_back, "keeps at most 1 MiB of freed mappings, less than the test uses");
#endif
    RUN(test_default_one_size_rule);
#if __STDC_HOSTED__
    RUN(test_default_zero_size_blocks_fault);
#endif
    RUN(test_default_attacker_writes_redirect_nothing);
    T_QEMU_LACKS(test_default_tight_address_space, "applies no RLIMIT_AS or RLIMIT_DATA to the program");
    T_QEMU_LACKS(test_default_small_blocks_give_memory_back, "counts its own memory in the resident pages");
#endif
#ifdef MINIC_MALLOC_MODE_mmap
    RUN(test_mmap_freed_blocks_fault);
    RUN(test_mmap_break_still);
#endif
#ifdef MINIC_MALLOC_MODE_guard
    RUN(test_guard_overflow_faults);
    RUN(test_guard_canary);
    RUN(test_guard_use_after_free);
    RUN(test_guard_mapping_limit);
#if __STDC_HOSTED__
    RUN(test_guard_zero_size_blocks_fault);
#endif
#endif
    return t_report("malloc");
}
