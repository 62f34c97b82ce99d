/*
 * minic <malloc.h>: the Linux allocation extensions.
 * https://man7.org/linux/man-pages/man3/memalign.3.html
 *
 * Beside a system C library this is the system's <malloc.h> (which declares
 * everything minic provides here). Standing alone it declares minic's
 * memalign, valloc, pvalloc, malloc_usable_size and the allocator's
 * figures (mallinfo, mallinfo2, malloc_stats, malloc_trim), after
 * <stdlib.h>'s malloc family.
 */
#ifndef MINIC_MALLOC_H
#define MINIC_MALLOC_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<malloc.h>)
#define MINIC_MALLOC_FROM_HOST 1
#endif
#endif

#ifdef MINIC_MALLOC_FROM_HOST
#include_next <malloc.h>
#else

#include <stdlib.h>
#include <minic/types.h>

/* glibc's layout; every allocator mode fills it from its own figures. */
struct mallinfo2 {
    size_t arena;    /* bytes held for blocks that share memory (slabs, regions) */
    size_t ordblks;  /* free slabs (default mode) */
    size_t smblks;   /* 0 */
    size_t hblks;    /* blocks with a mapping of their own */
    size_t hblkhd;   /* bytes of those mappings */
    size_t usmblks;  /* 0 */
    size_t fsmblks;  /* 0 */
    size_t uordblks; /* bytes in live blocks */
    size_t fordblks; /* bytes of the arena in no live block */
    size_t keepcost; /* bytes malloc_trim can give back now */
};

/* The same figures in int fields, each capped at INT_MAX. */
struct mallinfo {
    int arena;
    int ordblks;
    int smblks;
    int hblks;
    int hblkhd;
    int usmblks;
    int fsmblks;
    int uordblks;
    int fordblks;
    int keepcost;
};

MINIC_BEGIN_DECLS
void *memalign(size_t alignment, size_t size) MINIC_NOTHROW;
void *valloc(size_t size) MINIC_NOTHROW;
void *pvalloc(size_t size) MINIC_NOTHROW;
size_t malloc_usable_size(void *ptr) MINIC_NOTHROW;
struct mallinfo mallinfo(void) MINIC_NOTHROW;
struct mallinfo2 mallinfo2(void) MINIC_NOTHROW;
int malloc_trim(size_t pad) MINIC_NOTHROW;
void malloc_stats(void) MINIC_NOTHROW;
MINIC_END_DECLS

#endif /* MINIC_MALLOC_FROM_HOST */
#endif /* MINIC_MALLOC_H */
