/*
 * minic <stdlib.h>: the memory allocation functions (interim: the malloc
 * family's header lands with its branch).
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/stdlib.h.html
 *
 * Beside a system C library this header includes the system's <stdlib.h>
 * and adds what it may lack (reallocf, C23's free_sized and
 * free_aligned_sized). Standing alone it declares minic's functions.
 */
#ifndef MINIC_STDLIB_H
#define MINIC_STDLIB_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<stdlib.h>)
#define MINIC_STDLIB_FROM_HOST 1
#endif
#endif

#ifdef MINIC_STDLIB_FROM_HOST
#include_next <stdlib.h>
#else
#include <minic/types.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MINIC_STDLIB_FROM_HOST
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void *reallocarray(void *ptr, size_t nmemb, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
int posix_memalign(void **memptr, size_t alignment, size_t size);
void *valloc(size_t size);
#endif
void *reallocf(void *ptr, size_t size);
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t alignment, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* MINIC_STDLIB_H */
