/* Fragmentation then full free: about 530 MiB of small blocks of mixed sizes
 * are allocated, every other one is freed, the holes are refilled with other
 * sizes, then everything is freed. After a pause (1 s by default, the
 * second argument in milliseconds) and one small malloc/free (a chance for
 * an allocator that returns memory lazily), the workload reports the memory
 * still resident: what a long-running program keeps after a peak.
 * The time is that of the allocation phases only. */
#include "common.h"

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    long pause_ms = arg_long(argc, argv, 2, 1000);
    /* 2.7M blocks of ~170 bytes on average, plus headers: ~530 MiB. */
    size_t n = scaled(scale, 2.7e6, 1000);
    void **p = xmalloc(n * sizeof *p);
    uint32_t *sz = xmalloc(n * sizeof *sz);
    uint64_t s = 77;
    /* The tables are live heap blocks too (31 MiB at scale 1). */
    size_t live = n * (sizeof *p + sizeof *sz), peak = 0;
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        sz[i] = (uint32_t)rnd_small_size(&s);
        p[i] = xmalloc(sz[i]);
        tag_block(p[i], sz[i], i);
        live += sz[i];
    }
    peak = live;
    for (size_t i = 0; i < n; i += 2) {
        check_block(p[i], sz[i], i);
        free(p[i]);
        live -= sz[i];
    }
    /* Refill the holes with sizes unlike the freed ones, half as many. */
    for (size_t i = 0; i < n; i += 4) {
        sz[i] = (uint32_t)rnd_range(&s, 16, 300);
        p[i] = xmalloc(sz[i]);
        tag_block(p[i], sz[i], i);
        live += sz[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (i % 2 == 0 && i % 4 != 0)
            continue;
        check_block(p[i], sz[i], i);
        free(p[i]);
    }
    double t = now_s() - t0;
    free(p);
    free(sz);
    if (pause_ms > 0) {
        struct timespec ts = {pause_ms / 1000, (pause_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    free(malloc(16));
    report(t, peak);
    return 0;
}
