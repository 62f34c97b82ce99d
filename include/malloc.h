/*
 * minic <malloc.h>: the glibc-compatible allocator extensions (interim: the
 * malloc family's header lands with its branch).
 * https://man7.org/linux/man-pages/man3/mallinfo.3.html
 *
 * Beside a system C library that has <malloc.h> this header includes it
 * (glibc declares all of these). Standing alone it declares minic's.
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

#include <minic/types.h>

struct mallinfo2 {
    size_t arena;    /* bytes mapped for slabs */
    size_t ordblks;  /* free slabs */
    size_t smblks;   /* 0 */
    size_t hblks;    /* large blocks, each in its own mapping */
    size_t hblkhd;   /* bytes of those mappings */
    size_t usmblks;  /* 0 */
    size_t fsmblks;  /* 0 */
    size_t uordblks; /* bytes in use */
    size_t fordblks; /* free bytes in slabs */
    size_t keepcost; /* bytes malloc_trim can give back now */
};

MINIC_BEGIN_DECLS

void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void *memalign(size_t alignment, size_t size);
void *valloc(size_t size);
void *pvalloc(size_t size);
size_t malloc_usable_size(void *ptr);
struct mallinfo2 mallinfo2(void);
int malloc_trim(size_t pad);
void malloc_stats(void);

MINIC_END_DECLS

#endif /* MINIC_MALLOC_FROM_HOST */
#endif /* MINIC_MALLOC_H */
