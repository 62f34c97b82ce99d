/*
 * Random sequences of the C allocation functions against a model (the C
 * ABI's counterpart of tests/malloc_fuzz.rs): every function of the family,
 * including the impossible requests each must refuse, with each block's
 * contents, alignment, usable size and separation from every other live
 * block checked as the sequence goes. Fixed seeds: a failure names the seed
 * and step, and the run is the same every time.
 */
#define _GNU_SOURCE /* reallocarray, valloc, pvalloc, memalign in the host headers */
#include <stdlib.h>
#include <malloc.h>
#include <errno.h>
#include <stdint.h>
#include "harness.h"

#pragma GCC diagnostic ignored "-Walloc-size-larger-than="

enum { SLOTS = 48, STEPS = 6000, SEEDS = 4, PAGE = 4096 };

struct block {
    unsigned char *p;
    size_t size, align;
    unsigned char seed;
    /* From here on the block holds bytes the program never wrote: zero. */
    size_t clean_from;
};

static struct block slots[SLOTS];
static unsigned long long rng;
static long step_no;
static unsigned seed_no;
static int broken;

static unsigned long long next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static size_t random_size(void)
{
    unsigned r = next() % 100;
    if (r < 60)
        return next() % 129;
    if (r < 90)
        return next() % 5000;
    if (r < 98)
        return next() % 70000;
    return next() % (1 << 20);
}

static unsigned char pattern(unsigned char seed, size_t i) { return (unsigned char)((seed + i * 31) | 1); }

static void fail(const char *what)
{
    if (broken++ < 5) {
        t_puts("  seed ");
        t_putnum(seed_no);
        t_puts(" step ");
        t_putnum(step_no);
        t_puts(": ");
        t_puts(what);
        t_puts("\n");
    }
}

static void paint(struct block *b)
{
    b->seed = (unsigned char)next();
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = pattern(b->seed, i);
    if (b->clean_from < b->size)
        b->clean_from = b->size;
}

static int holds(const struct block *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b->p[i] != pattern(b->seed, i))
            return 0;
    return 1;
}

/* Alignment, usable size, no overlap with another live block. */
static void check_new(int slot)
{
    struct block *b = &slots[slot];
    uintptr_t start = (uintptr_t)b->p;
    size_t usable = malloc_usable_size(b->p);
    if (start % (b->align < 16 ? 16 : b->align))
        fail("misaligned block");
    if (usable < b->size)
        fail("usable size below the size asked for");
    for (int i = 0; i < SLOTS; i++) {
        if (i == slot || !slots[i].p)
            continue;
        uintptr_t s = (uintptr_t)slots[i].p, e = s + malloc_usable_size(slots[i].p);
        if (start < e && s < start + usable)
            fail("blocks overlap");
    }
}

static void check(int slot)
{
    if (slots[slot].p && !holds(&slots[slot], slots[slot].size))
        fail("contents changed");
}

static void release(int slot)
{
    struct block *b = &slots[slot];
    if (!b->p)
        return;
    check(slot);
    switch (next() % 3) {
    case 0:
        free_sized(b->p, b->size);
        break;
    case 1:
        if (b->align > 16) {
            free_aligned_sized(b->p, b->align, b->size);
            break;
        }
        /* fall through */
    default:
        free(b->p);
    }
    b->p = NULL;
}

static void fresh(int slot)
{
    struct block *b = &slots[slot];
    size_t size = random_size(), align = 16;
    void *p = NULL;
    int zeroed = 0;
    size_t clean = 0;
    switch (next() % 9) {
    case 0: {
        size_t n = next() % 8 + 1;
        size = size / n * n;
        p = calloc(n, size / n);
        zeroed = 1;
        break;
    }
    case 1:
        align = (size_t)1 << (next() % 13);
        p = aligned_alloc(align, size);
        break;
    case 2:
        align = (size_t)8 << (next() % 10);
        if (posix_memalign(&p, align, size) != 0)
            p = NULL;
        break;
    case 3:
        align = (size_t)1 << (next() % 17);
        p = memalign(align, size);
        break;
    case 4:
        align = PAGE;
        p = valloc(size);
        break;
    case 5:
        /* pvalloc asks for whole pages: what lies past size is the caller's
         * (indeterminate), and recallocarray's zeroing starts at the end of
         * the pages. */
        align = PAGE;
        p = pvalloc(size);
        /* pvalloc(0) is one whole page too. */
        clean = ((size ? size : 1) + PAGE - 1) / PAGE * PAGE;
        break;
    default:
        p = malloc(size);
    }
    if (!p) {
        fail("an allocation failed");
        return;
    }
    /* Past the size, only calloc's block is known to be zero (malloc's
     * slack may hold old bytes). */
    if (!zeroed && clean < malloc_usable_size(p))
        clean = malloc_usable_size(p);
    *b = (struct block){p, size, align, 0, clean > size ? clean : size};
    if (zeroed)
        for (size_t i = 0; i < size; i++)
            if (b->p[i]) {
                fail("calloc gave a non-zero byte");
                break;
            }
    check_new(slot);
    paint(b);
}

static void resize(int slot)
{
    struct block *b = &slots[slot];
    if (!b->p)
        return fresh(slot);
    check(slot);
    size_t size = random_size(), old = b->size;
    unsigned char *q;
    unsigned kind = next() % 4;
    if (kind == 0 && size % 8 == 0)
        q = reallocarray(b->p, size / 8, 8);
    else if (kind == 1)
        q = reallocf(b->p, size);
    else
        q = realloc(b->p, size);
    if (!q) {
        fail("a resize failed");
        if (kind == 1)
            b->p = NULL; /* reallocf freed it */
        return;
    }
    b->p = q;
    b->size = size;
    b->align = 16; /* realloc keeps only the default alignment */
    /* Its slack may hold old bytes. */
    if (b->clean_from < malloc_usable_size(q))
        b->clean_from = malloc_usable_size(q);
    if (!holds(b, old < size ? old : size))
        fail("realloc lost contents");
    check_new(slot);
    paint(b);
}

static void resize_zeroed(int slot)
{
    struct block *b = &slots[slot];
    if (!b->p)
        return fresh(slot);
    check(slot);
    size_t size = random_size(), old = b->size;
    size_t kept = old < size ? old : size, clean = b->clean_from > kept ? b->clean_from : kept;
    unsigned char *q = recallocarray(b->p, size, 1);
    if (!q) {
        fail("recallocarray failed");
        return;
    }
    b->p = q;
    b->align = 16;
    if (!holds(b, kept))
        fail("recallocarray lost contents");
    for (size_t i = clean; i < size; i++)
        if (q[i]) {
            fail("recallocarray gave non-zero bytes beyond the old contents");
            break;
        }
    b->size = size;
    b->clean_from = size;
    check_new(slot);
    paint(b);
}

/* Requests every function must refuse, leaving the block alone. */
static void refuse(int slot)
{
    struct block *b = &slots[slot];
    void *p = (void *)1;
    errno = 0;
    if (malloc(SIZE_MAX) || errno != ENOMEM)
        fail("malloc(SIZE_MAX)");
    if (calloc(SIZE_MAX / 2, 3) || aligned_alloc(24, 16) || memalign(SIZE_MAX, 1) ||
        posix_memalign(&p, 64, PTRDIFF_MAX) != ENOMEM || p != (void *)1)
        fail("an impossible allocation succeeded");
    if (b->p) {
        errno = 0;
        if (realloc(b->p, SIZE_MAX - 8) || reallocarray(b->p, SIZE_MAX / 4, 8) ||
            recallocarray(b->p, SIZE_MAX / 4, 8) || errno != ENOMEM)
            fail("an impossible resize succeeded");
        check(slot);
    }
}

static void run(unsigned seed)
{
    seed_no = seed;
    rng = 0x9e3779b97f4a7c15ULL * (seed + 1) | 1;
    for (step_no = 0; step_no < STEPS; step_no++) {
        int slot = (int)(next() % SLOTS);
        switch (next() % 20) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6:
            release(slot);
            fresh(slot);
            break;
        case 7: case 8: case 9: case 10:
            release(slot);
            break;
        case 11: case 12: case 13: case 14: case 15:
            resize(slot);
            break;
        case 16: case 17: case 18:
            resize_zeroed(slot);
            break;
        default:
            refuse(slot);
        }
        check((int)(next() % SLOTS));
    }
    for (int i = 0; i < SLOTS; i++)
        release(i);
}

static void test_random_sequences(void)
{
#if defined(MINIC_MALLOC_MODE_linear) && defined(MINIC_TEST_PORT_ARENA)
    /* Random frees leave the linear mode's space behind the top unused:
     * thousands of sequences need more than a 16 MiB arena. */
    t_skip_because("linear mode in a 16 MiB arena: space below the top is not reused");
    return;
#endif
    for (unsigned seed = 0; seed < SEEDS; seed++) {
        int before = broken;
        run(seed);
        CHECK_EQ(broken - before, 0);
    }
}

int main(void)
{
    RUN(test_random_sequences);
    return t_report("malloc_fuzz");
}
