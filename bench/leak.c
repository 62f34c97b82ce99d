/* Grow-only: a million small blocks (16-1024 bytes, three in four under
 * 129) are allocated and filled as a compiler's or a parser's nodes are,
 * and none is freed before the program exits (their contents are checked
 * at the end): the figures are the cost of fresh memory and how closely the
 * resident memory follows the bytes asked for. */
#include "common.h"

int main(int argc, char **argv)
{
    size_t n = scaled(arg_scale(argc, argv), 1e6, 1000);
    void **p = xmalloc(n * sizeof *p);
    uint32_t *sz = xmalloc(n * sizeof *sz);
    uint64_t s = 99;
    size_t live = n * (sizeof *p + sizeof *sz);
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        size_t m = rnd_small_size(&s);
        p[i] = xmalloc(m);
        memset(p[i], (int)(i & 0xff), m);
        tag_block(p[i], m, i);
        sz[i] = (uint32_t)m;
        live += m;
    }
    double t = now_s() - t0;
    for (size_t i = 0; i < n; i++)
        check_block(p[i], sz[i], i);
    report(t, live);
    return 0;
}
