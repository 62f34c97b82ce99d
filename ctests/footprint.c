/*
 * ctests for the allocator's footprint over a kernel that commits what it
 * maps (the arena port counts its pages in use): the first malloc(16) takes
 * at most 1 MiB; while blocks of every kind come and go, the pages in use
 * stay within twice the live bytes plus 1 MiB; once everything is freed
 * (and malloc_trim(0) has run), they are back to the start within 1 MiB.
 */
#include <stdlib.h>
#include <malloc.h>
#include <stdint.h>
#include "harness.h"

#define MIB (1L << 20)

static long in_use(void) { return (long)arena_pages_in_use() * 4096; }

static long start, live, worst_excess, worst_at_live, checks;

/* The pages in use beyond the start, compared with the live bytes. */
static void measure(void)
{
    long mapped = in_use() - start, excess = mapped - 2 * live;
    checks++;
    if (excess > worst_excess) {
        worst_excess = excess;
        worst_at_live = live;
    }
}

static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void put_kib(const char *what, long bytes)
{
    t_puts(what);
    t_putnum(bytes / 1024);
    t_puts(" KiB");
}

enum { SMALL = 1024, LARGE = 8 };
static char *blocks[SMALL + LARGE];
static size_t sizes[SMALL + LARGE];

static void release(int i)
{
    free(blocks[i]);
    live -= (long)sizes[i];
    blocks[i] = NULL;
    sizes[i] = 0;
}

static void test_first_malloc(void)
{
    start = in_use();
    char *first = malloc(16);
    CHECK(first != NULL);
    long first_cost = in_use() - start;
    put_kib("  first malloc(16): ", first_cost);
    t_puts("\n");
    CHECK(first_cost <= MIB);
    free(first);
}

/* Small blocks (16-2015 bytes, about 1 MiB live), a few large ones
 * (64 KiB-576 KiB), and resizes of both, with frees among them. */
static void churn(int *nulls)
{
    unsigned seed = 11;
    for (int round = 0; round < 30000; round++) {
        unsigned r = next(&seed);
        int large = r % 16 == 0, i = large ? SMALL + (int)(r / 16 % LARGE) : (int)(r / 16 % SMALL);
        size_t n = large ? 65536 + next(&seed) % (512 << 10) : 16 + next(&seed) % 2000;
        if (blocks[i] && round % 3 == 0) {
            char *q = realloc(blocks[i], n);
            if (q) {
                live += (long)n - (long)sizes[i];
                blocks[i] = q;
                sizes[i] = n;
            } else {
                ++*nulls;
            }
        } else {
            if (blocks[i])
                release(i);
            blocks[i] = malloc(n);
            if (blocks[i]) {
                sizes[i] = n;
                live += (long)n;
            } else {
                ++*nulls;
            }
        }
        if (blocks[i])
            blocks[i][0] = blocks[i][sizes[i] - 1] = 1;
        if (round % 64 == 0)
            measure();
    }
    measure();
}

/* The guard mode keeps two pages or more for every live block and the
 * last 4096 freed blocks mapped (its quarantine): by design it needs more
 * than a 16 MiB arena for this churn. */
#ifdef MINIC_MALLOC_MODE_guard
#define SKIP_BY_DESIGN()                                                    \
    do {                                                                        \
        t_skip_because("guard mode: two pages a block and a 4096-block quarantine"); \
        return;                                                                 \
    } while (0)
#elif defined(MINIC_MALLOC_MODE_linear)
/* The linear mode takes space back only at the top of its region: by
 * design, mapped memory follows the most recent blocks, not the live ones. */
#define SKIP_BY_DESIGN()                                                    \
    do {                                                                        \
        t_skip_because("linear mode: only the most recent block's space is reused"); \
        return;                                                                 \
    } while (0)
#else
#define SKIP_BY_DESIGN() ((void)0)
#endif

static void test_mapped_follows_live(void)
{
    SKIP_BY_DESIGN();
    int nulls = 0;
    churn(&nulls);
    CHECK_EQ(nulls, 0);
    put_kib("  worst pages in use beyond twice the live bytes: ", worst_excess);
    put_kib(" (live ", worst_at_live);
    t_puts(")\n");
#ifdef MINIC_MALLOC_MODE_mmap
    /* A mapping of whole pages per block: the mode's purpose. */
    t_skip_because("mmap mode: a page or more a block by design");
#else
    CHECK(worst_excess <= MIB);
#endif
    for (int i = 0; i < SMALL + LARGE; i++)
        if (blocks[i])
            release(i);
    CHECK_EQ(live, 0);
}

static void test_back_to_start(void)
{
    SKIP_BY_DESIGN();
#ifdef MINIC_MALLOC_MODE_default
    malloc_trim(0);
#endif
    long after = in_use() - start;
    put_kib("  after everything is freed: ", after);
    put_kib(" beyond the start; peak ", (long)arena_pages_peak() * 4096 - start);
    t_puts("\n");
    CHECK(after <= MIB);
}

int main(void)
{
    RUN(test_first_malloc);
    RUN(test_mapped_follows_live);
    RUN(test_back_to_start);
    return t_report("footprint");
}
