/* Cross-thread free with several producers and consumers: `xfree <scale>
 * <workers>` runs that many allocating threads and as many freeing threads,
 * joined by one shared queue of batches (32 blocks of 16-128 bytes), so
 * every block is freed by another thread than the one that allocated it,
 * and a freeing thread frees blocks of every allocating thread. The total
 * work is the same for 1 and 2 workers. A thread that finds the queue full
 * or empty sleeps until it is half empty or half full, as a work queue's
 * threads block. */
#include "common.h"

#define BATCH 32
#define DEPTH 64 /* batches the queue holds */
#define MAX_SIZE 128
#define SEED 11

static void *queue[DEPTH][BATCH];
static size_t head, tail, total; /* batches queued, taken, to make */
static unsigned producers_waiting, consumers_waiting;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

struct producer {
    size_t batches;
    uint64_t seed;
};

static void *produce(void *arg)
{
    struct producer *w = arg;
    uint64_t s = w->seed;
    void *batch[BATCH];
    for (size_t b = 0; b < w->batches; b++) {
        for (int i = 0; i < BATCH; i++) {
            size_t n = rnd_range(&s, 16, MAX_SIZE);
            batch[i] = xmalloc(n);
            tag_sized(batch[i], n, SEED);
        }
        pthread_mutex_lock(&lock);
        while (head - tail == DEPTH) {
            producers_waiting++;
            pthread_cond_wait(&not_full, &lock);
            producers_waiting--;
        }
        memcpy(queue[head % DEPTH], batch, sizeof batch);
        head++;
        if (consumers_waiting && (head - tail >= DEPTH / 2 || head == total))
            pthread_cond_broadcast(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consume(void *arg)
{
    (void)arg;
    void *batch[BATCH];
    for (;;) {
        pthread_mutex_lock(&lock);
        while (tail == head && tail < total) {
            consumers_waiting++;
            pthread_cond_wait(&not_empty, &lock);
            consumers_waiting--;
        }
        if (tail == total) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        memcpy(batch, queue[tail % DEPTH], sizeof batch);
        tail++;
        if (producers_waiting && head - tail <= DEPTH / 2)
            pthread_cond_broadcast(&not_full);
        if (tail == total) /* the other consumers stop too */
            pthread_cond_broadcast(&not_empty);
        pthread_mutex_unlock(&lock);
        for (int i = 0; i < BATCH; i++) {
            check_sized(batch[i], MAX_SIZE, SEED);
            free(batch[i]);
        }
    }
}

int main(int argc, char **argv)
{
    long workers = arg_long(argc, argv, 2, 1);
    if (workers != 1 && workers != 2)
        die("workers must be 1 or 2");
    size_t per = scaled(arg_scale(argc, argv), 3e6 / BATCH, 20) / (size_t)workers;
    total = per * (size_t)workers;
    struct producer w[2];
    pthread_t p[2], c[2];
    double t0 = now_s();
    for (long i = 0; i < workers; i++) {
        w[i] = (struct producer){per, 5000u + (uint64_t)i};
        start_thread(&p[i], produce, &w[i]);
        start_thread(&c[i], consume, NULL);
    }
    for (long i = 0; i < workers; i++) {
        pthread_join(p[i], NULL);
        pthread_join(c[i], NULL);
    }
    report(now_s() - t0, (size_t)(DEPTH + 2 * workers) * BATCH * MAX_SIZE);
    return 0;
}
