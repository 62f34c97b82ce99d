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
#include <stdio.h>
#include <signal.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include "harness.h"

enum { THREADS = 4, OPS = 20000, SLOTS = 32, SHARED = 64, PAGE = 4096 };

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

/* One thread allocates, another frees, through a ring: every block the
 * consumer receives still holds what the producer wrote (a slab retired
 * while another thread's free was still announcing it would be handed out
 * twice). */
enum { RING = 1024, HANDED = 400000 };
static void *ring[RING];
static volatile unsigned ring_head, ring_tail;
static volatile int handed_bad;

static void *consume(void *arg)
{
    (void)arg;
    for (unsigned n = 0; n < HANDED; n++) {
        while (__atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) == n)
            ;
        unsigned char *p = ring[n % RING];
        size_t size = 16 + n % 113;
        for (size_t i = 0; i < size; i++)
            if (p[i] != (unsigned char)(n + i))
                handed_bad = 1;
        free(p);
        __atomic_store_n(&ring_head, n + 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_blocks_freed_by_a_consumer(void)
{
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, consume, NULL), 0);
    int nulls = 0;
    for (unsigned n = 0; n < HANDED; n++) {
        while (n - __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) >= RING)
            ;
        size_t size = 16 + n % 113;
        unsigned char *p = malloc(size);
        if (!p) {
            nulls++;
            p = malloc(size);
        }
        for (size_t i = 0; i < size && p; i++)
            p[i] = (unsigned char)(n + i);
        ring[n % RING] = p;
        __atomic_store_n(&ring_tail, n + 1, __ATOMIC_RELEASE);
    }
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(nulls, 0);
    CHECK_EQ(handed_bad, 0);
}

/* fork never deadlocks with a library lock held while allocating: threads
 * allocate while holding a FILE lock (as getline does), one thread flushes
 * every stream (taking the stream list lock, then each FILE lock), and the
 * main thread forks. The allocator takes no lock before a fork, so the
 * forking thread never holds one while the C library waits for stdio's. */
static FILE *shared_stream;
static volatile int stdio_stop;

static void *allocate_holding_file_lock(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stdio_stop, __ATOMIC_RELAXED)) {
        flockfile(shared_stream);
        for (int i = 0; i < 20; i++) {
            void *p = malloc((size_t)(16 + i * 4000));
            void *q = realloc(p, (size_t)(200000 + i));
            free(q ? q : p);
        }
        funlockfile(shared_stream);
    }
    return NULL;
}

static void *flush_all(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stdio_stop, __ATOMIC_RELAXED))
        fflush(NULL);
    return NULL;
}

static void fork_beside_stdio(void *arg)
{
    (void)arg;
    /* A deadlock ends as SIGALRM; under qemu-user the mmap and guard
     * modes' forks, which copy a mapping or two per block, take up to a
     * minute on their own. */
#ifdef T_QEMU_USER
    alarm(300);
#else
    alarm(60);
#endif
    shared_stream = fopen("/dev/null", "w");
    if (!shared_stream)
        _exit(90);
    pthread_t t[3];
    pthread_create(&t[0], NULL, allocate_holding_file_lock, NULL);
    pthread_create(&t[1], NULL, allocate_holding_file_lock, NULL);
    pthread_create(&t[2], NULL, flush_all, NULL);
    int bad = 0;
    /* The mmap and guard modes keep a mapping or two per block: each fork
     * copies hundreds of them, so they fork fewer times. */
#if defined(MINIC_MALLOC_MODE_mmap) || defined(MINIC_MALLOC_MODE_guard)
    enum { FORKS = 40 };
#else
    enum { FORKS = 300 };
#endif
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            void *p = malloc(100);
            free(p);
            _exit(p ? 0 : 1);
        }
        int status = -1;
        bad += pid <= 0 || waitpid(pid, &status, 0) != pid || status != 0;
    }
    __atomic_store_n(&stdio_stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    _exit(bad ? 1 : 0);
}

static void test_fork_beside_stdio_locks(void)
{
    CHECK_EQ(t_run_child(fork_beside_stdio, NULL), 0);
}

/* fork is async-signal-safe: a signal handler forks while the interrupted
 * thread is anywhere in the malloc family (trim and the statistics
 * included); the child allocates and exits, the parent carries on. */
static volatile int handler_fork_failures;
/* Shared with the process that sends the signals, which goes on until
 * enough of them forked (a loaded machine merges more of them). */
static volatile int *handler_forks;

static void fork_in_handler(int sig)
{
    (void)sig;
    pid_t pid = fork();
    if (pid == 0) {
        /* Still inside the handler: where it interrupted the allocator,
         * the child is refused (ENOMEM), never left waiting or aborted. */
        errno = 0;
        void *p = malloc(64);
        _exit(p || errno == ENOMEM ? 0 : 1);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
        handler_fork_failures++;
    (*handler_forks)++;
}

static void fork_from_signal_handler(void *arg)
{
    (void)arg;
    alarm(120);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fork_in_handler;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    handler_forks = mmap(NULL, sizeof *handler_forks, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (handler_forks == MAP_FAILED)
        _exit(2);
    /* Not while this fork runs: glibc's fork holds its own lock, which a
     * fork in the handler would wait for forever. */
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    pid_t signaller = fork();
    if (signaller != 0)
        sigprocmask(SIG_SETMASK, &old, NULL);
    if (signaller == 0) {
        /* A child that signals its parent while it allocates. */
        for (int i = 0; i < 3000 && *handler_forks < 100; i++) {
            kill(me, SIGUSR1);
            usleep(3000);
        }
        _exit(0);
    }
    int status;
    while (waitpid(signaller, &status, WNOHANG) == 0) {
        for (int i = 0; i < 200; i++) {
            void *p = malloc((size_t)(i * 97 % 5000 + 1));
            void *q = realloc(p, (size_t)(i * 131 % 300000 + 1));
            free(q ? q : p);
        }
        malloc_trim(0);
        struct mallinfo2 mi = mallinfo2();
        (void)mi;
    }
    /* Signals that arrive while the handler runs are merged: the signaller
     * went on until 100 of them forked. */
    if (handler_fork_failures || *handler_forks < 100) {
        fprintf(stderr, "forks from the handler: %d, failed: %d\n", *handler_forks,
                handler_fork_failures);
        _exit(1);
    }
    _exit(0);
}

static void test_fork_from_signal_handler(void)
{
    CHECK_EQ(t_run_child(fork_from_signal_handler, NULL), 0);
}

/* Two threads freeing the same block at the same instant: one of them is
 * told, every time. Each try runs in a child, which must die of SIGABRT. */
static char *raced_block;
static volatile int race_go;

static void *free_raced_block(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE))
        ;
    free(raced_block);
    return NULL;
}

static void *allocate_raced_block(void *arg)
{
    (void)arg;
    raced_block = malloc(48);
    return NULL;
}

/* Who races to free the block: a small one, or (TWO_OTHERS_LARGE) a large
 * one, which has a mapping of its own. */
enum race { TWO_OTHERS, OWNER_AND_OTHER, TWO_AFTER_OWNER_EXITED, TWO_OTHERS_LARGE };

static void race_double_free(void *arg)
{
    enum race race = *(enum race *)arg;
    int owner_frees = race == OWNER_AND_OTHER;
    t_close(2);
    pthread_t t[2];
    if (race == TWO_AFTER_OWNER_EXITED) {
        pthread_create(&t[0], NULL, allocate_raced_block, NULL);
        pthread_join(t[0], NULL);
    } else {
        raced_block = malloc(race == TWO_OTHERS_LARGE ? 100000 : 48);
    }
    for (int i = owner_frees; i < 2; i++)
        pthread_create(&t[i], NULL, free_raced_block, NULL);
    usleep(1000);
    __atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
    if (owner_frees)
        free(raced_block);
    for (int i = owner_frees; i < 2; i++)
        pthread_join(t[i], NULL);
    /* Told by the next call into the allocator at the latest: before the
     * block could be handed out twice. */
    malloc_trim(0);
    void *again[4];
    for (int i = 0; i < 4; i++)
        again[i] = malloc(48);
    for (int i = 0; i < 4; i++)
        free(again[i]);
    _exit(0);
}

/* How a racing double free ends: the report's abort. In the modes that
 * unmap or seal a freed block at once, the second free may instead fault
 * reading the header the first has just made inaccessible: stopped too,
 * never let through. */
static int race_caught(int signal)
{
#if defined(MINIC_MALLOC_MODE_guard) || defined(MINIC_MALLOC_MODE_mmap)
    if (signal == T_SIGSEGV)
        return 1;
#endif
    return signal == T_SIGABRT;
}

static void test_racing_double_frees_are_caught(void)
{
    enum { TRIES = 100, RACES = 4 };
    static enum race races[RACES] = {TWO_OTHERS, OWNER_AND_OTHER, TWO_AFTER_OWNER_EXITED,
                                     TWO_OTHERS_LARGE};
    int caught[RACES] = {0, 0, 0, 0};
    for (int i = 0; i < TRIES; i++)
        for (int r = 0; r < RACES; r++)
            caught[r] += race_caught(t_run_child(race_double_free, &races[r]));
    /* Two threads that are not the block's owner: always. */
    CHECK_EQ(caught[TWO_OTHERS], TRIES);
    /* The owner against another thread: the owner's free takes no atomic
     * step in the default mode; a double free that got past both is found
     * by the next call, before the slot is handed out again. */
    CHECK_EQ(caught[OWNER_AND_OTHER], TRIES);
    /* Two threads freeing a block of a thread that exited: one of them may
     * free it as the owner would. */
    CHECK_EQ(caught[TWO_AFTER_OWNER_EXITED], TRIES);
    /* A large block: its claim in the registry tells the second. */
    CHECK_EQ(caught[TWO_OTHERS_LARGE], TRIES);
    t_puts("  racing double frees caught: ");
    t_putnum(caught[TWO_OTHERS]);
    t_puts(" of 100 between two threads, ");
    t_putnum(caught[OWNER_AND_OTHER]);
    t_puts(" of 100 with the owner, ");
    t_putnum(caught[TWO_AFTER_OWNER_EXITED]);
    t_puts(" of 100 after the owner exited, ");
    t_putnum(caught[TWO_OTHERS_LARGE]);
    t_puts(" of 100 of a large block\n");
}

static void *free_block_now(void *p)
{
    free(p);
    return NULL;
}

/* Frees p on a new thread (one that has allocated nothing). */
static void free_in_a_thread(void *p)
{
    pthread_t t;
    pthread_create(&t, NULL, free_block_now, p);
    pthread_join(t, NULL);
}

/* A block freed by two threads one after the other, or used after
 * another thread freed it. */
enum turn { OTHER_THEN_OWNER, OWNER_THEN_OTHER, USED_AFTER_OTHERS_FREE };

static void misuse_in_turn(void *arg)
{
    enum turn turn = *(enum turn *)arg;
    t_close(2);
    char *p = malloc(48);
    p[0] = 1;
    switch (turn) {
    case OTHER_THEN_OWNER:
        free_in_a_thread(p);
        free(p);
        break;
    case OWNER_THEN_OTHER:
        free(p);
        free_in_a_thread(p);
        /* Told before the block is handed out again: every block of its
         * size taken meanwhile is another (then a trim collects). */
        for (int i = 0; i < 100; i++)
            if (malloc(48) == p)
                _exit(3);
        malloc_trim(0);
        break;
    case USED_AFTER_OTHERS_FREE:
        free_in_a_thread(p);
        (void)malloc_usable_size(p);
        break;
    }
    _exit(0);
}

/* A second free on another thread than the first, in either order, is
 * told at that free or before the block could be handed out twice; so is
 * asking the size of a block another thread freed. */
static void test_double_frees_across_threads_in_turn(void)
{
    static enum turn turns[] = {OTHER_THEN_OWNER, OWNER_THEN_OTHER, USED_AFTER_OTHERS_FREE};
    CHECK(race_caught(t_run_child(misuse_in_turn, &turns[OTHER_THEN_OWNER])));
    CHECK(race_caught(t_run_child(misuse_in_turn, &turns[OWNER_THEN_OTHER])));
    CHECK(race_caught(t_run_child(misuse_in_turn, &turns[USED_AFTER_OTHERS_FREE])));
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

/* Two threads making and freeing zero-size blocks at once (in the default
 * mode, addresses taken from one shared table by atomic steps): every
 * round, the blocks both hold are distinct, and all are freeable. */
enum { ZERO_BLOCKS = 3000, ZERO_ROUNDS = 20 };
static void *zero_blocks[2][ZERO_BLOCKS];
static pthread_barrier_t zero_turn;

static void *make_zero_size_blocks(void *arg)
{
    void **mine = arg;
    for (int r = 0; r < ZERO_ROUNDS; r++) {
        for (int i = 0; i < ZERO_BLOCKS; i++)
            mine[i] = malloc(0);
        pthread_barrier_wait(&zero_turn); /* made */
        pthread_barrier_wait(&zero_turn); /* compared */
        for (int i = 0; i < ZERO_BLOCKS; i++)
            free(mine[i]);
    }
    return NULL;
}

static void test_zero_size_blocks_from_racing_threads(void)
{
    CHECK_EQ(pthread_barrier_init(&zero_turn, NULL, 3), 0);
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        CHECK_EQ(pthread_create(&t[k], NULL, make_zero_size_blocks, zero_blocks[k]), 0);
    static void *all[2 * ZERO_BLOCKS];
    int nulls = 0, repeated = 0;
    for (int r = 0; r < ZERO_ROUNDS; r++) {
        pthread_barrier_wait(&zero_turn);
        memcpy(all, zero_blocks, sizeof all);
        qsort(all, 2 * ZERO_BLOCKS, sizeof *all, by_address);
        for (int i = 0; i < 2 * ZERO_BLOCKS; i++) {
            nulls += all[i] == NULL;
            repeated += i > 0 && all[i] == all[i - 1];
        }
        pthread_barrier_wait(&zero_turn);
    }
    for (int k = 0; k < 2; k++)
        CHECK_EQ(pthread_join(t[k], NULL), 0);
    CHECK_EQ(pthread_barrier_destroy(&zero_turn), 0);
    CHECK_EQ(nulls, 0);
    CHECK_EQ(repeated, 0);
}

static void double_free_from_a_thread_with_no_heap(void *arg)
{
    (void)arg;
    t_close(2);
    /* Blocks of a size nothing else in this program uses, more than one
     * slab holds in the default mode: freed in order, the first slab goes
     * back to the pool as it empties. */
    enum { N = 20 };
    void *p[N];
    for (int i = 0; i < N; i++)
        p[i] = malloc(9000);
    for (int i = 0; i < N; i++)
        free(p[i]);
    /* The second free comes from a thread that has not allocated. */
    raced_block = p[0];
    __atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);
    pthread_t t;
    pthread_create(&t, NULL, free_raced_block, NULL);
    pthread_join(t, NULL);
    _exit(0);
}

/* A double free from a thread that never allocated is reported like any
 * other, also when the block's slab has gone back to the pool. */
static void test_double_free_from_a_thread_with_no_heap(void)
{
    CHECK(race_caught(t_run_child(double_free_from_a_thread_with_no_heap, NULL)));
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

/* Blocks another thread frees are allocated again before slots never
 * used: a thread that allocates 256 blocks of 48 bytes at a time, each round
 * freed by another thread, keeps to a few hundred slots instead of running
 * through its slab's 2,730 first (which would make every page of it
 * resident). */
enum { REUSE_ROUND = 256, REUSE_ROUNDS = 40 };
static void *reused[REUSE_ROUNDS * REUSE_ROUND];
static pthread_barrier_t reuse_turn;

static void *allocate_rounds(void *arg)
{
    (void)arg;
    for (int r = 0; r < REUSE_ROUNDS; r++) {
        for (int i = 0; i < REUSE_ROUND; i++)
            reused[r * REUSE_ROUND + i] = malloc(48);
        pthread_barrier_wait(&reuse_turn); /* handed over */
        pthread_barrier_wait(&reuse_turn); /* freed */
    }
    return NULL;
}

static void test_default_blocks_freed_by_another_thread_are_reused_first(void)
{
    CHECK_EQ(pthread_barrier_init(&reuse_turn, NULL, 2), 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, allocate_rounds, NULL), 0);
    for (int r = 0; r < REUSE_ROUNDS; r++) {
        pthread_barrier_wait(&reuse_turn);
        for (int i = 0; i < REUSE_ROUND; i++)
            free(reused[r * REUSE_ROUND + i]);
        pthread_barrier_wait(&reuse_turn);
    }
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(pthread_barrier_destroy(&reuse_turn), 0);
    size_t n = REUSE_ROUNDS * REUSE_ROUND, distinct = 0, nulls = 0;
    qsort(reused, n, sizeof *reused, by_address);
    for (size_t i = 0; i < n; i++) {
        nulls += reused[i] == NULL;
        distinct += i == 0 || reused[i] != reused[i - 1];
    }
    CHECK_EQ(nulls, 0);
    /* A round's slots, and the rest of the last 64-slot word each round
     * ends in. */
    CHECK(distinct <= 2 * REUSE_ROUND);
}

/* A new thread adopts the heap of a thread that has exited even while
 * another thread is freeing that heap's blocks (and holds it for a moment
 * on each free), rather than making a heap of its own: a program whose
 * threads take over the blocks of threads that ended (a server's
 * connections) keeps one heap's memory, not two. Each round, a thread
 * allocates blocks of a size no other test uses and exits; a second thread
 * frees most of them while a third, new, allocates its first block: that
 * block lies in one of the exited thread's slabs (128 KiB each), not in a
 * slab of a heap of its own. (Run after the tests above, which leave one
 * exited thread's heap: the only one to adopt, which the thread that only
 * frees leaves to the new thread's first allocation.) */
enum { ADOPT_BLOCKS = 2000, ADOPT_SIZE = 3000, ADOPT_ROUNDS = 20, ADOPT_KEPT = 32,
       SLAB_BYTES = 128 << 10 };
static void *adopt_blocks[ADOPT_BLOCKS];
static int adopt_freeing, adopt_in_their_slab;

static void *allocate_adopt_blocks(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADOPT_BLOCKS; i++)
        adopt_blocks[i] = malloc(ADOPT_SIZE);
    return NULL;
}

/* Frees all but every ADOPT_KEPT-th block (no slab empties, so none goes
 * back to the pool for a new heap to take). */
static void *free_adopt_blocks(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADOPT_BLOCKS; i++) {
        if (i % ADOPT_KEPT == 0)
            continue;
        free(adopt_blocks[i]);
        __atomic_store_n(&adopt_freeing, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *first_block_while_freeing(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&adopt_freeing, __ATOMIC_ACQUIRE))
        ;
    uintptr_t p = (uintptr_t)malloc(ADOPT_SIZE);
    adopt_in_their_slab = 0;
    for (int i = 0; i < ADOPT_BLOCKS; i++)
        adopt_in_their_slab |= ((uintptr_t)adopt_blocks[i] & -(uintptr_t)SLAB_BYTES) == (p & -(uintptr_t)SLAB_BYTES);
    free((void *)p);
    return NULL;
}

static void test_default_new_thread_adopts_a_heap_being_freed_into(void)
{
    int in_their_slab = 0;
    for (int r = 0; r < ADOPT_ROUNDS; r++) {
        pthread_t e, f, n;
        CHECK_EQ(pthread_create(&e, NULL, allocate_adopt_blocks, NULL), 0);
        CHECK_EQ(pthread_join(e, NULL), 0);
        int allocated = 0;
        for (int i = 0; i < ADOPT_BLOCKS; i++)
            allocated += adopt_blocks[i] != NULL;
        CHECK_EQ(allocated, ADOPT_BLOCKS);
        adopt_freeing = 0;
        CHECK_EQ(pthread_create(&n, NULL, first_block_while_freeing, NULL), 0);
        CHECK_EQ(pthread_create(&f, NULL, free_adopt_blocks, NULL), 0);
        CHECK_EQ(pthread_join(f, NULL), 0);
        CHECK_EQ(pthread_join(n, NULL), 0);
        in_their_slab += adopt_in_their_slab;
        for (int i = 0; i < ADOPT_BLOCKS; i += ADOPT_KEPT)
            free(adopt_blocks[i]);
    }
    CHECK_EQ(in_their_slab, ADOPT_ROUNDS);
}

/* A thread with no heap that frees a block of a thread that has exited
 * adopts that thread's heap when another exited thread's heap is left for
 * the next new thread: it frees as the owner, and its next block of that
 * size is the slot it has just freed. Two threads allocate at the same
 * time (so their heaps differ) and exit; then a new thread frees a block
 * of the first and allocates, and another does the same with the second.
 * (Adopting at the first allocation instead, both new threads would take
 * the same heap, the first one free in the list of heaps.) */
enum { TAKEOVER_BLOCKS = 4, TAKEOVER_SIZE = 5000 };
static void *takeover[2][TAKEOVER_BLOCKS];
static pthread_barrier_t takeover_both;

static void *allocate_then_exit_together(void *arg)
{
    void **blocks = arg;
    for (int i = 0; i < TAKEOVER_BLOCKS; i++)
        blocks[i] = malloc(TAKEOVER_SIZE);
    pthread_barrier_wait(&takeover_both);
    return NULL;
}

/* Two exited threads' heaps, holding takeover[0] and takeover[1]. */
static int leave_two_heaps(void)
{
    if (pthread_barrier_init(&takeover_both, NULL, 2) != 0)
        return 0;
    pthread_t t[2];
    int made = 0;
    for (int k = 0; k < 2; k++)
        made += pthread_create(&t[made], NULL, allocate_then_exit_together, takeover[k]) == 0;
    /* One thread alone would wait at the barrier for good. */
    if (made == 1)
        pthread_barrier_wait(&takeover_both);
    for (int k = 0; k < made; k++)
        pthread_join(t[k], NULL);
    pthread_barrier_destroy(&takeover_both);
    int allocated = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < TAKEOVER_BLOCKS; i++)
            allocated += takeover[k][i] != NULL;
    return made == 2 && allocated == 2 * TAKEOVER_BLOCKS;
}

static void *free_first_then_allocate(void *arg)
{
    void **blocks = arg;
    free(blocks[0]);
    return malloc(TAKEOVER_SIZE);
}

static void test_default_thread_freeing_exited_blocks_adopts_their_heap(void)
{
    CHECK(leave_two_heaps());
    for (int k = 0; k < 2; k++) {
        pthread_t t;
        void *again = NULL;
        CHECK_EQ(pthread_create(&t, NULL, free_first_then_allocate, takeover[k]), 0);
        CHECK_EQ(pthread_join(t, &again), 0);
        CHECK(again == takeover[k][0]);
        takeover[k][0] = again;
    }
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < TAKEOVER_BLOCKS; i++)
            free(takeover[k][i]);
}

static void *free_twice(void *p)
{
    free(p);
    free(p);
    return NULL;
}

static void double_free_by_a_thread_adopting_the_heap(void *arg)
{
    (void)arg;
    t_close(2);
    if (!leave_two_heaps())
        _exit(1);
    pthread_t t;
    pthread_create(&t, NULL, free_twice, takeover[0][1]);
    pthread_join(t, NULL);
    _exit(0);
}

/* A thread that adopts a heap by freeing one of its blocks, then frees the
 * block again: reported. */
static void test_default_double_free_by_a_thread_adopting_the_heap(void)
{
    CHECK(race_caught(t_run_child(double_free_by_a_thread_adopting_the_heap, NULL)));
}

/* A thread's exit handlers that run after it has left its heap free into
 * the heap as any other thread would, rather than adopt it again: a key's
 * destructor frees the thread's last block in the last round of
 * destructors, after which no hook of the thread runs. The block's emptied
 * slab goes back to the pool; adopted again, the heap would keep it as its
 * bin's only slab, with no exit left to tidy it. (Two other exited
 * threads' heaps are left, so that the thread would adopt a heap by
 * freeing into it.) */
enum { LAST_BLOCK_SIZE = 11000 };
static pthread_key_t last_block_key;
static int last_block_rounds;

/* For a destructor of `key`: true in the last round of destructors; before
 * it, sets the key's `value` again (and counts the round), so that the
 * destructor runs in the next round too. */
static int in_the_last_round(pthread_key_t key, int *rounds, void *value)
{
    if (++*rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(key, value);
        return 0;
    }
    return 1;
}

static void free_last_block_in_the_last_round(void *p)
{
    if (in_the_last_round(last_block_key, &last_block_rounds, p))
        free(p);
}

static void *keep_block_until_exit(void *arg)
{
    (void)arg;
    void *p = malloc(LAST_BLOCK_SIZE);
    if (p)
        pthread_setspecific(last_block_key, p);
    return p;
}

static void test_default_exit_handlers_free_into_the_heap_left(void)
{
    CHECK(leave_two_heaps());
    /* Made after the allocator's key: its destructor runs after the
     * allocator's. */
    CHECK_EQ(pthread_key_create(&last_block_key, free_last_block_in_the_last_round), 0);
    size_t free_slabs = mallinfo2().ordblks;
    pthread_t t;
    void *p = NULL;
    CHECK_EQ(pthread_create(&t, NULL, keep_block_until_exit, NULL), 0);
    CHECK_EQ(pthread_join(t, &p), 0);
    CHECK(p != NULL);
    CHECK_EQ(last_block_rounds, PTHREAD_DESTRUCTOR_ITERATIONS);
    CHECK(mallinfo2().ordblks >= free_slabs);
    CHECK_EQ(pthread_key_delete(last_block_key), 0);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < TAKEOVER_BLOCKS; i++)
            free(takeover[k][i]);
}

/* A heap a thread takes from its exit handlers, after it has left its
 * own, stays adoptable: a key's destructor allocates a block in the last
 * round of destructors, after which no hook of the thread runs, and the
 * heap that block lies in is adopted by one of the new threads that start
 * afterwards (as many at once as there are heaps of exited threads, and
 * more). With the hook counted on, the heap would be left to a thread
 * that no longer exists, with its slabs, for good. */
enum { LATE_SIZE = 13000, LATE_THREADS = 64 };
static pthread_key_t late_key;
static int late_rounds;
static void *late_block;
static int late_holding, late_release;
static int late_adopted;

static void allocate_in_the_last_round(void *value)
{
    if (in_the_last_round(late_key, &late_rounds, value))
        late_block = malloc(LATE_SIZE);
}

static void *set_late_key(void *arg)
{
    (void)arg;
    free(malloc(16));
    pthread_setspecific(late_key, &late_rounds);
    return NULL;
}

static void *first_block_beside_late(void *arg)
{
    (void)arg;
    uintptr_t p = (uintptr_t)malloc(LATE_SIZE);
    if (p && (p & -(uintptr_t)SLAB_BYTES) == ((uintptr_t)late_block & -(uintptr_t)SLAB_BYTES))
        __atomic_store_n(&late_adopted, 1, __ATOMIC_RELAXED);
    /* Every thread holds its heap until all have taken one. */
    __atomic_add_fetch(&late_holding, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&late_release, __ATOMIC_ACQUIRE))
        sched_yield();
    free((void *)p);
    return NULL;
}

static void test_default_heap_taken_in_exit_handlers_stays_adoptable(void)
{
    CHECK_EQ(pthread_key_create(&late_key, allocate_in_the_last_round), 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, set_late_key, NULL), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(late_rounds, PTHREAD_DESTRUCTOR_ITERATIONS);
    CHECK(late_block != NULL);
    pthread_t n[LATE_THREADS];
    int made = 0;
    for (int i = 0; i < LATE_THREADS; i++)
        made += pthread_create(&n[made], NULL, first_block_beside_late, NULL) == 0;
    CHECK_EQ(made, LATE_THREADS);
    /* As many as were made: a thread that could not be made is waited
     * for by no one. */
    while (__atomic_load_n(&late_holding, __ATOMIC_ACQUIRE) < made)
        sched_yield();
    __atomic_store_n(&late_release, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < made; i++)
        pthread_join(n[i], NULL);
    CHECK_EQ(late_holding, made);
    CHECK_EQ(late_adopted, 1);
    CHECK_EQ(pthread_key_delete(late_key), 0);
    free(late_block);
}

/* Blocks of a thread that has exited, freed by another thread, give their
 * memory back as if their own thread had freed them: within a second, by
 * the next malloc-family call, and all of it at malloc_trim. */
enum { ORPHANED = 200000 };

static void *allocate_and_exit(void *arg)
{
    void **p = arg;
    unsigned seed = 54321;
    for (int i = 0; i < ORPHANED; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = malloc(16 + (seed >> 16) % 1000);
        if (p[i])
            *(char *)p[i] = 1;
    }
    return NULL;
}

static void test_default_exited_threads_blocks_give_memory_back(void)
{
    NEEDS(T_NEEDS_FILES | T_NEEDS_CLOCK);
    void **p = calloc(ORPHANED, sizeof *p);
    CHECK(p != NULL);
    if (!p)
        return;
    long before = t_rss_pages();
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, allocate_and_exit, p), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK(t_rss_pages() - before > (long)((64 << 20) / PAGE));
    t_shuffle(p, ORPHANED, 777);
    int allocated = 0;
    for (int i = 0; i < ORPHANED; i++) {
        allocated += p[i] != NULL;
        free(p[i]);
    }
    CHECK_EQ(allocated, ORPHANED);
    CHECK_MEMORY_BACK(before);
    free(p);
}
#endif

int main(void)
{
#ifdef MINIC_MALLOC_MODE_default
    RUN(test_default_thread_exit_gives_back);
    RUN(test_default_blocks_freed_by_another_thread_are_reused_first);
    RUN(test_default_new_thread_adopts_a_heap_being_freed_into);
    RUN(test_default_thread_freeing_exited_blocks_adopts_their_heap);
    RUN(test_default_double_free_by_a_thread_adopting_the_heap);
    RUN(test_default_exit_handlers_free_into_the_heap_left);
    RUN(test_default_heap_taken_in_exit_handlers_stays_adoptable);
#endif
    RUN(test_threads);
    RUN(test_fork_while_allocating);
    RUN(test_blocks_freed_by_a_consumer);
    RUN(test_fork_beside_stdio_locks);
    RUN(test_fork_from_signal_handler);
    RUN(test_racing_double_frees_are_caught);
    RUN(test_double_free_from_a_thread_with_no_heap);
    RUN(test_double_frees_across_threads_in_turn);
    RUN(test_zero_size_blocks_from_racing_threads);
#ifdef MINIC_MALLOC_MODE_default
    RUN(test_default_exited_threads_blocks_give_memory_back);
#endif
    return t_report("malloc_threads");
}
