/* Larson-style server: each of 2 workers owns a table of blocks and replaces
 * random entries (sizes 16-1024); after each round the worker exits and a new
 * thread takes over its table, and the two tables are swapped, so most
 * blocks are freed by a thread other than the one that allocated them, as
 * connections move between a server's threads. */
#include "common.h"

#define WORKERS 2
#define ROUNDS 20

struct table {
    void **p;
    size_t *sz;
    size_t slots, ops;
    uint64_t seed;
};

static void *worker(void *arg)
{
    struct table *t = arg;
    uint64_t s = t->seed;
    for (size_t i = 0; i < t->ops; i++) {
        size_t k = (size_t)(rnd(&s) % t->slots);
        if (t->p[k]) {
            check_block(t->p[k], t->sz[k], k);
            free(t->p[k]);
        }
        size_t n = rnd_range(&s, 16, 1024);
        t->p[k] = xmalloc(n);
        t->sz[k] = n;
        tag_block(t->p[k], n, k);
    }
    t->seed = s;
    return NULL;
}

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    size_t slots = scaled(scale, 20000, 64), ops = scaled(scale, 16e6, 1000);
    struct table tab[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        tab[w] = (struct table){calloc(slots, sizeof(void *)), calloc(slots, sizeof(size_t)),
                                slots, ops / WORKERS / ROUNDS, 1000u + w, };
        if (!tab[w].p || !tab[w].sz)
            die("out of memory");
    }
    double t0 = now_s();
    for (int r = 0; r < ROUNDS; r++) {
        pthread_t th[WORKERS];
        for (int w = 0; w < WORKERS; w++)
            start_thread(&th[w], worker, &tab[w]);
        for (int w = 0; w < WORKERS; w++)
            pthread_join(th[w], NULL);
        struct table x = tab[0];
        tab[0] = tab[1];
        tab[1] = x;
    }
    for (int w = 0; w < WORKERS; w++) {
        for (size_t k = 0; k < slots; k++)
            if (tab[w].p[k]) {
                check_block(tab[w].p[k], tab[w].sz[k], k);
                free(tab[w].p[k]);
            }
        free(tab[w].p);
        free(tab[w].sz);
    }
    report(now_s() - t0, WORKERS * slots * 520);
    return 0;
}
