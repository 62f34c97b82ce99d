/* Large blocks: a working set of 16 blocks of 64 KiB-8 MiB (log-uniform),
 * each touched on every page as a buffer is, replaced one at a time; one
 * replacement in four grows the block by realloc instead. Allocators that
 * unmap or decommit every freed large block pay page faults again and again. */
#include "common.h"

#define SLOTS 16

static size_t pick(uint64_t *s)
{
    /* 2^16 .. 2^23 bytes, uniform in the exponent, then within the octave. */
    size_t lo = (size_t)1 << rnd_range(s, 16, 22);
    return rnd_range(s, lo, 2 * lo);
}

static void touch(char *p, size_t from, size_t to, size_t k)
{
    for (size_t i = from; i < to; i += 4096)
        p[i] = (char)(i ^ k);
    p[to - 1] = (char)k;
}

static void verify(const char *p, size_t n, size_t k)
{
    for (size_t i = 0; i < n - 1; i += 4096 * 7)
        if (p[i] != (char)(i ^ k))
            die("large block contents changed");
    if (p[n - 1] != (char)k)
        die("large block end changed");
}

int main(int argc, char **argv)
{
    size_t ops = scaled(arg_scale(argc, argv), 12000, 24);
    char *p[SLOTS] = {0};
    size_t sz[SLOTS] = {0};
    uint64_t s = 3;
    size_t live = 0, peak = 0;
    double t0 = now_s();
    for (size_t i = 0; i < ops; i++) {
        size_t k = (size_t)(rnd(&s) % SLOTS);
        if (p[k] && rnd(&s) % 4 == 0 && sz[k] < (16u << 20)) {
            size_t old = sz[k], n = old + old / 2;
            char *q = realloc(p[k], n);
            if (!q)
                die("out of memory");
            verify(q, old, k);
            /* The old end mark becomes an ordinary page mark again. */
            if ((old - 1) % 4096 == 0)
                q[old - 1] = (char)((old - 1) ^ k);
            touch(q, (old + 4095) & ~(size_t)4095, n, k);
            live += n - sz[k];
            p[k] = q;
            sz[k] = n;
        } else {
            if (p[k]) {
                verify(p[k], sz[k], k);
                free(p[k]);
                live -= sz[k];
            }
            sz[k] = pick(&s);
            p[k] = xmalloc(sz[k]);
            touch(p[k], 0, sz[k], k);
            live += sz[k];
        }
        if (live > peak)
            peak = live;
    }
    for (int k = 0; k < SLOTS; k++)
        if (p[k]) {
            verify(p[k], sz[k], k);
            free(p[k]);
        }
    report(now_s() - t0, peak);
    return 0;
}
