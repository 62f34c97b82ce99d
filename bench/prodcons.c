/* Producer/consumer: one thread allocates and fills blocks, another checks
 * and frees them. Blocks travel in batches of 64 through a bounded ring, as
 * work queues hand over messages, so the figure is the allocator's cost of
 * freeing what another thread allocated rather than the cost of a cache
 * line bouncing per item. A side that finds the ring full or empty waits
 * at a gate (common.h), as a work queue's threads block. */
#include "common.h"

#define BATCH 64
#define DEPTH 64 /* batches in flight */

struct item {
    void *p;
    size_t size;
};

static struct item ring[DEPTH][BATCH];
static struct gate head, tail; /* batches written, batches read */
static uint32_t batches;

static void *producer(void *arg)
{
    (void)arg;
    uint64_t s = 42;
    uint32_t read = 0;
    for (uint32_t b = 0; b < batches; b++) {
        if (b - read == DEPTH) /* full: wait for one free slot, or half */
            read = gate_wait(&tail, b - DEPTH + 1, b - DEPTH / 2);
        struct item *slot = ring[b % DEPTH];
        for (int i = 0; i < BATCH; i++) {
            size_t n = rnd_range(&s, 16, 512);
            void *p = xmalloc(n);
            tag_block(p, n, 7);
            slot[i] = (struct item){p, n};
        }
        gate_set(&head, b + 1);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    uint32_t written = 0;
    for (uint32_t b = 0; b < batches; b++) {
        if (written == b) /* empty: wait for one batch, or half a ring */
            written = gate_wait(&head, b + 1, b + DEPTH / 2 < batches ? b + DEPTH / 2 : batches);
        struct item *slot = ring[b % DEPTH];
        for (int i = 0; i < BATCH; i++) {
            check_block(slot[i].p, slot[i].size, 7);
            free(slot[i].p);
        }
        gate_set(&tail, b + 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    batches = (uint32_t)scaled(arg_scale(argc, argv), 2e6 / BATCH, 20);
    pthread_t p, c;
    double t0 = now_s();
    start_thread(&p, producer, NULL);
    start_thread(&c, consumer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    report(now_s() - t0, DEPTH * BATCH * 264);
    return 0;
}
