/* Random lifetimes across threads: two threads replace blocks in tables
 * they share, each step swapping a new block into a random slot (an atomic
 * exchange) and freeing the block it takes out, whichever thread allocated
 * it. Three steps in four use a small table (short lives), the rest a large
 * one (long lives); seven blocks in eight are 16-512 bytes, the rest up to
 * 16 KiB. `lifetimes <scale> <threads>` (1 or 2) does the same total work. */
#include "common.h"

#define SHORT_SLOTS 256
#define MAX_SIZE 16384
#define SEED 23

static _Atomic(void *) *short_lived, *long_lived;
static size_t long_slots, steps_per_thread;

static size_t pick_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    if ((r & 7) != 0)
        return 16 + (size_t)((r >> 8) % 497);
    return 513 + (size_t)((r >> 8) % (MAX_SIZE - 512));
}

static void *run(void *arg)
{
    uint64_t s = *(uint64_t *)arg;
    for (size_t i = 0; i < steps_per_thread; i++) {
        uint64_t r = rnd(&s);
        _Atomic(void *) *slot = (r & 3) != 0 ? &short_lived[(r >> 8) % SHORT_SLOTS]
                                             : &long_lived[(r >> 8) % long_slots];
        size_t n = pick_size(&s);
        void *p = xmalloc(n);
        tag_sized(p, n, SEED);
        void *old = atomic_exchange_explicit(slot, p, memory_order_acq_rel);
        if (old) {
            check_sized(old, MAX_SIZE, SEED);
            free(old);
        }
    }
    return NULL;
}

static void free_table(_Atomic(void *) *t, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        void *p = atomic_load(&t[k]);
        if (p) {
            check_sized(p, MAX_SIZE, SEED);
            free(p);
        }
    }
    free(t);
}

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    long threads = arg_long(argc, argv, 2, 2);
    if (threads != 1 && threads != 2)
        die("threads must be 1 or 2");
    long_slots = scaled(scale, 8192, 64);
    steps_per_thread = scaled(scale, 4e6, 1000) / (size_t)threads;
    short_lived = calloc(SHORT_SLOTS, sizeof *short_lived);
    long_lived = calloc(long_slots, sizeof *long_lived);
    if (!short_lived || !long_lived)
        die("out of memory");
    uint64_t seeds[2] = {0xabcdef, 0x123457};
    pthread_t t[2];
    double t0 = now_s();
    for (long i = 0; i < threads; i++)
        start_thread(&t[i], run, &seeds[i]);
    for (long i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    free_table(short_lived, SHORT_SLOTS);
    free_table(long_lived, long_slots);
    /* The mean block is about 1.25 KiB. */
    report(now_s() - t0, (SHORT_SLOTS + long_slots) * 1280);
    return 0;
}
