/* Producer/consumer: one thread allocates and fills blocks, another checks
 * and frees them. Blocks travel in batches of 64 through a bounded ring, as
 * work queues hand over messages, so the figure is the allocator's cost of
 * freeing what another thread allocated rather than the cost of a cache
 * line bouncing per item. */
#include "common.h"
#include <sched.h>
#include <stdatomic.h>

#define BATCH 64
#define DEPTH 64 /* batches in flight */

struct item {
    void *p;
    size_t size;
};

static struct item ring[DEPTH][BATCH];
static _Atomic size_t head, tail; /* batches written, batches read */
static size_t batches;

static void *producer(void *arg)
{
    (void)arg;
    uint64_t s = 42;
    for (size_t b = 0; b < batches; b++) {
        for (unsigned spin = 0; b - atomic_load_explicit(&tail, memory_order_acquire) == DEPTH;)
            if (++spin % 16 == 0)
                sched_yield();
        struct item *slot = ring[b % DEPTH];
        for (int i = 0; i < BATCH; i++) {
            size_t n = rnd_range(&s, 16, 512);
            void *p = xmalloc(n);
            tag_block(p, n, 7);
            slot[i] = (struct item){p, n};
        }
        atomic_store_explicit(&head, b + 1, memory_order_release);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (size_t b = 0; b < batches; b++) {
        for (unsigned spin = 0; atomic_load_explicit(&head, memory_order_acquire) == b;)
            if (++spin % 16 == 0)
                sched_yield();
        struct item *slot = ring[b % DEPTH];
        for (int i = 0; i < BATCH; i++) {
            check_block(slot[i].p, slot[i].size, 7);
            free(slot[i].p);
        }
        atomic_store_explicit(&tail, b + 1, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    batches = scaled(arg_scale(argc, argv), 2e6 / BATCH, 20);
    pthread_t p, c;
    double t0 = now_s();
    start_thread(&p, producer, NULL);
    start_thread(&c, consumer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    report(now_s() - t0, DEPTH * BATCH * 264);
    return 0;
}
