/*
 * ctests for the malloc family under threads (hosted only): threads allocate,
 * reallocate and free random sizes, hand blocks to each other to free, and
 * check every block's fill pattern until it is freed; fork while they run.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <malloc.h>
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

enum { THREADS = 4, OPS = 20000, SLOTS = 32, SHARED = 64 };

/* Every block starts with its size and seed; the rest is a pattern of them. */
struct tag {
    size_t size;
    unsigned seed;
};

static void paint(unsigned char *p, size_t size, unsigned seed)
{
    struct tag t = {size, seed};
    unsigned char *tp = (unsigned char *)&t;
    for (size_t i = 0; i < sizeof t && i < size; i++)
        p[i] = tp[i];
    for (size_t i = sizeof t; i < size; i++)
        p[i] = (unsigned char)(seed ^ (i * 31));
}

/* The pattern holds over the first n bytes of a block painted with size. */
static int intact(const unsigned char *p, size_t n)
{
    struct tag t;
    unsigned char *tp = (unsigned char *)&t;
    for (size_t i = 0; i < sizeof t; i++)
        tp[i] = p[i];
    if (n > t.size)
        return 0;
    for (size_t i = sizeof t; i < n; i++)
        if (p[i] != (unsigned char)(t.seed ^ (i * 31)))
            return 0;
    return 1;
}

static size_t tag_size(const unsigned char *p)
{
    struct tag t;
    unsigned char *tp = (unsigned char *)&t;
    for (size_t i = 0; i < sizeof t; i++)
        tp[i] = p[i];
    return t.size;
}

static unsigned char *shared[SHARED];
static int bad_blocks, failed_allocs;

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static size_t random_size(unsigned *s)
{
    unsigned r = next(s);
    if (r % 64 == 0)
        return sizeof(struct tag) + r % 200000;
    return sizeof(struct tag) + r % 1024;
}

static void check_and_free(unsigned char *p)
{
    if (!intact(p, tag_size(p)))
        __atomic_add_fetch(&bad_blocks, 1, __ATOMIC_RELAXED);
    free(p);
}

static unsigned char *new_block(unsigned *s)
{
    size_t size = random_size(s);
    unsigned char *p;
    switch (next(s) % 4) {
    case 0:
        p = calloc(1, size);
        break;
    case 1:
        p = aligned_alloc((size_t)16 << (next(s) % 6), size);
        break;
    case 2: {
        void *q = NULL;
        p = posix_memalign(&q, 64, size) == 0 ? q : NULL;
        break;
    }
    default:
        p = malloc(size);
    }
    if (!p) {
        __atomic_add_fetch(&failed_allocs, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    paint(p, size, next(s));
    return p;
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;
    unsigned char *mine[SLOTS] = {0};
    for (int op = 0; op < OPS; op++) {
        unsigned i = next(&seed) % SLOTS;
        switch (next(&seed) % 4) {
        case 0: /* replace */
            if (mine[i])
                check_and_free(mine[i]);
            mine[i] = new_block(&seed);
            break;
        case 1: /* resize, keeping the head */
            if (mine[i]) {
                size_t old = tag_size(mine[i]), size = random_size(&seed);
                unsigned char *q = realloc(mine[i], size);
                if (!q) {
                    __atomic_add_fetch(&failed_allocs, 1, __ATOMIC_RELAXED);
                    break;
                }
                if (!intact(q, old < size ? old : size))
                    __atomic_add_fetch(&bad_blocks, 1, __ATOMIC_RELAXED);
                paint(q, size, next(&seed));
                mine[i] = q;
            }
            break;
        case 2: { /* hand a block to whichever thread takes the shared slot next */
            unsigned char *given = mine[i];
            mine[i] = NULL;
            unsigned char *taken = __atomic_exchange_n(&shared[next(&seed) % SHARED], given, __ATOMIC_ACQ_REL);
            if (taken)
                check_and_free(taken);
            break;
        }
        default:
            if (mine[i] && !intact(mine[i], tag_size(mine[i])))
                __atomic_add_fetch(&bad_blocks, 1, __ATOMIC_RELAXED);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        if (mine[i])
            check_and_free(mine[i]);
    return NULL;
}

static void test_threads(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < SHARED; i++)
        if (shared[i]) {
            check_and_free(shared[i]);
            shared[i] = NULL;
        }
    CHECK_EQ(bad_blocks, 0);
    CHECK_EQ(failed_allocs, 0);
}

static void allocate_in_child(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        char *p = malloc((size_t)i * 100 + 1);
        if (!p)
            t_exit(1);
        p[0] = 1;
        free(p);
    }
}

static volatile int stop;

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        void *p = malloc(random_size(&seed));
        free(realloc(p, random_size(&seed)));
    }
    return NULL;
}

/* A fork while other threads are inside the allocator: the child's
 * allocator is usable (the lock is not inherited held). */
static void test_fork_while_allocating(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)), 0);
    int ok = 1;
    for (int i = 0; i < 30; i++) {
        /* The C library's fork, which runs the fork handlers (the raw
         * system call would not). */
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a deadlocked child dies of SIGALRM */
            allocate_in_child(NULL);
            _exit(0);
        }
        int status = -1;
        ok &= pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
    }
    CHECK(ok);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
}

#ifdef MINIC_MALLOC_MODE_default
/* Takes a slab for a size nothing else in this program uses (with a
 * non-null argument). */
static void *use_one_block(void *arg)
{
    if (!arg)
        return NULL;
    char *p = malloc(7000);
    if (p)
        p[0] = 1;
    free(p);
    return p;
}

/* A thread that exits gives back what its heap keeps for reuse: the slab
 * it took is in the pool again once it has gone (run first, before other
 * threads' heaps could hold a slab of that size). */
static void test_default_thread_exit_gives_back(void)
{
    /* A first thread: what the thread library allocates once for threads
     * is allocated before the count. */
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, use_one_block, NULL), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    size_t free_slabs = mallinfo2().ordblks;
    CHECK(free_slabs > 0);
    static int use = 1;
    CHECK_EQ(pthread_create(&t, NULL, use_one_block, &use), 0);
    void *p = NULL;
    CHECK_EQ(pthread_join(t, &p), 0);
    CHECK(p != NULL);
    CHECK(mallinfo2().ordblks >= free_slabs);
}
#endif

int main(void)
{
#ifdef MINIC_MALLOC_MODE_default
    RUN(test_default_thread_exit_gives_back);
#endif
    RUN(test_threads);
    RUN(test_fork_while_allocating);
    return t_report("malloc_threads");
}
