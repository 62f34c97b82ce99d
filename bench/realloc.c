/* String builders: many strings grow by small appends, each append a realloc
 * to the exact new length (the naive builder that in-place growth rewards);
 * a few grow to megabytes (where mremap beats copying). A finished string is
 * checked and freed, and a new one starts in its place. */
#include "common.h"

#define BUILDERS 64

struct builder {
    char *buf;
    size_t len, target;
};

static size_t pick_target(uint64_t *s)
{
    uint64_t r = rnd(s) % 1000;
    if (r < 2)
        return rnd_range(s, 1 << 20, 8 << 20);
    if (r < 100)
        return rnd_range(s, 4096, 256 << 10);
    return rnd_range(s, 16, 4096);
}

static char byte_at(size_t i) { return (char)(i * 31 + (i >> 8)); }

static void check_and_free(struct builder *b)
{
    for (size_t i = 0; i < b->len; i += 61)
        if (b->buf[i] != byte_at(i))
            die("string contents changed");
    free(b->buf);
}

int main(int argc, char **argv)
{
    size_t appends = scaled(arg_scale(argc, argv), 4e6, 2000);
    struct builder b[BUILDERS] = {0};
    uint64_t s = 99;
    for (int i = 0; i < BUILDERS; i++)
        b[i].target = pick_target(&s);
    size_t live = 0, peak = 0;
    double t0 = now_s();
    for (size_t n = 0; n < appends; n++) {
        struct builder *x = &b[rnd(&s) % BUILDERS];
        /* Big strings append big chunks, as a reader filling a buffer does. */
        size_t chunk = x->target > 65536 ? rnd_range(&s, 1024, 16384) : rnd_range(&s, 1, 48);
        char *nb = realloc(x->buf, x->len + chunk + 1);
        if (!nb)
            die("out of memory");
        x->buf = nb;
        for (size_t i = 0; i < chunk; i++)
            nb[x->len + i] = byte_at(x->len + i);
        nb[x->len + chunk] = 0;
        x->len += chunk;
        live += chunk;
        if (live > peak)
            peak = live;
        if (x->len >= x->target) {
            check_and_free(x);
            live -= x->len;
            *x = (struct builder){NULL, 0, pick_target(&s)};
        }
    }
    for (int i = 0; i < BUILDERS; i++)
        if (b[i].buf)
            check_and_free(&b[i]);
    report(now_s() - t0, peak);
    return 0;
}
