/* Random mix of small sizes against a live set (the classic "random
 * replace" shape): each step replaces a random slot's block by a new one of
 * another size. The work is two equal jobs with their own live sets;
 * `mixed <scale> 1` runs them one after the other on one thread, `mixed
 * <scale> 2` on two threads at once. The work and the data are the same,
 * so the ratio of the two times is the allocator's scaling alone (no help
 * from smaller per-thread data fitting the caches better). Each live set
 * (20,000 blocks, about 4 MiB) is small enough that the time is the
 * allocator's code rather than cache misses, which the 2 threads of a
 * small machine share.
 *
 * `mixed <scale> <threads> wide` draws sizes from 16 bytes to 4 KiB
 * instead (uniform in the power of two, then within it: a buffer-heavy
 * program's sizes), with 8,000 blocks per live set, about as many bytes,
 * and half as many replacements.
 *
 * With `untouched` (after the thread count, or after `wide`) the blocks are
 * neither written nor read: what is left is the allocator's own work, and
 * the difference from the ordinary run is what the program's accesses to
 * its blocks cost. With `written` instead, each block is written when it
 * is allocated and never read: the difference from `untouched` is what
 * the writes to new blocks cost alone. */
#include "common.h"

#define JOBS 2

struct job {
    size_t slots, ops;
    uint64_t seed;
    size_t live_peak;
};

/* 16 .. 4111 bytes: 16 plus up to 2^4 .. 2^12 bytes. */
static size_t rnd_wide_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    return 16 + (size_t)((r >> 8) % ((uint64_t)16 << (r % 9)));
}

static size_t (*pick_size)(uint64_t *) = rnd_small_size;
static int untouched, written;

static void *run(void *arg)
{
    struct job *j = arg;
    void **p = calloc(j->slots, sizeof *p);
    size_t *sz = calloc(j->slots, sizeof *sz);
    if (!p || !sz)
        die("out of memory");
    uint64_t s = j->seed;
    size_t live = 0, peak = 0;
    for (size_t i = 0; i < j->ops; i++) {
        size_t k = (size_t)(rnd(&s) % j->slots);
        if (p[k]) {
            if (!untouched && !written)
                check_block(p[k], sz[k], k);
            free(p[k]);
            live -= sz[k];
        }
        size_t n = pick_size(&s);
        p[k] = xmalloc(n);
        sz[k] = n;
        if (!untouched)
            tag_block(p[k], n, k);
        live += n;
        if (live > peak)
            peak = live;
    }
    for (size_t k = 0; k < j->slots; k++) {
        if (p[k]) {
            if (!untouched && !written)
                check_block(p[k], sz[k], k);
            free(p[k]);
        }
    }
    free(p);
    free(sz);
    j->live_peak = peak;
    return NULL;
}

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    long threads = arg_long(argc, argv, 2, 1);
    if (threads != 1 && threads != JOBS)
        die("threads must be 1 or 2");
    int wide = arg_word(argc, argv, "wide");
    untouched = arg_word(argc, argv, "untouched");
    written = arg_word(argc, argv, "written");
    if (untouched && written)
        die("untouched and written exclude each other");
    if (wide)
        pick_size = rnd_wide_size;
    size_t slots = scaled(scale, wide ? 8000 : 20000, 128);
    size_t ops = scaled(scale, wide ? 3e6 : 6e6, 500);
    struct job jobs[JOBS];
    pthread_t t[JOBS];
    size_t peak = 0;
    double t0 = now_s();
    for (int i = 0; i < JOBS; i++) {
        jobs[i] = (struct job){slots, ops, 0x1234567ULL + i * 7919, 0};
        if (threads == 1) {
            run(&jobs[i]);
            if (jobs[i].live_peak > peak)
                peak = jobs[i].live_peak;
        } else {
            start_thread(&t[i], run, &jobs[i]);
        }
    }
    if (threads > 1)
        for (int i = 0; i < JOBS; i++) {
            pthread_join(t[i], NULL);
            peak += jobs[i].live_peak;
        }
    report(now_s() - t0, peak);
    return 0;
}
