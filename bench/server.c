/* A server's threads serving connections: 16 connections, each with a
 * table of 1,000 blocks (16-1024 bytes) that its requests replace at
 * random. `server <scale> <threads>` runs 1 or 2 long-lived worker threads
 * that take the connection waiting longest from a shared queue, serve 500
 * of its requests, and put it back: with 2 workers a connection moves
 * between them, so about half the blocks are freed by another thread than
 * the one that allocated them, as a server's are. The total work is the
 * same for 1 and 2 threads: their ratio is the scaling.
 *
 * `server <scale> <threads> untouched` neither writes nor reads the blocks:
 * what is left is the allocator's own work, and the difference from the
 * ordinary run is what the program's accesses to its blocks cost. */
#include "common.h"

#define CONNECTIONS 16
#define SLOTS 1000
#define TURN 500 /* requests served per turn */

struct connection {
    void *p[SLOTS];
    uint32_t size[SLOTS];
    uint64_t seed;
};

static struct connection conn[CONNECTIONS];
static unsigned waiting[CONNECTIONS], first, count; /* a ring of ids */
static size_t turns_left;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int untouched;

static void serve(struct connection *c)
{
    uint64_t s = c->seed;
    for (int i = 0; i < TURN; i++) {
        size_t k = (size_t)(rnd(&s) % SLOTS);
        if (c->p[k]) {
            if (!untouched)
                check_block(c->p[k], c->size[k], k);
            free(c->p[k]);
        }
        size_t n = rnd_range(&s, 16, 1024);
        c->p[k] = xmalloc(n);
        c->size[k] = (uint32_t)n;
        if (!untouched)
            tag_block(c->p[k], n, k);
    }
    c->seed = s;
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        if (turns_left == 0) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        turns_left--;
        /* More connections than workers: the queue is never empty. */
        unsigned id = waiting[first];
        first = (first + 1) % CONNECTIONS;
        count--;
        pthread_mutex_unlock(&lock);
        serve(&conn[id]);
        pthread_mutex_lock(&lock);
        waiting[(first + count) % CONNECTIONS] = id;
        count++;
        pthread_mutex_unlock(&lock);
    }
}

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    long threads = arg_long(argc, argv, 2, 1);
    if (threads != 1 && threads != 2)
        die("threads must be 1 or 2");
    untouched = arg_word(argc, argv, "untouched");
    turns_left = scaled(scale, 4e6 / TURN, CONNECTIONS);
    for (unsigned i = 0; i < CONNECTIONS; i++) {
        conn[i].seed = 0x5eed0000u + i;
        waiting[i] = i;
    }
    count = CONNECTIONS;
    pthread_t t[2];
    double t0 = now_s();
    for (long i = 0; i < threads; i++)
        start_thread(&t[i], worker, NULL);
    for (long i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    for (unsigned i = 0; i < CONNECTIONS; i++)
        for (size_t k = 0; k < SLOTS; k++)
            if (conn[i].p[k]) {
                if (!untouched)
                    check_block(conn[i].p[k], conn[i].size[k], k);
                free(conn[i].p[k]);
            }
    report(now_s() - t0, (size_t)CONNECTIONS * SLOTS * 520);
    return 0;
}
