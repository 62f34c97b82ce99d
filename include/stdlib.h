/*
 * minic <stdlib.h>: the malloc family.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/stdlib.h.html
 *
 * Beside a system C library this header includes the system's <stdlib.h>
 * and adds what it may lack: reallocf (FreeBSD), minic's three-argument
 * recallocarray, and C23's free_sized and free_aligned_sized. Standing alone
 * (freestanding, or with MINIC_STANDALONE defined) it declares the whole
 * family minic provides, and nothing else of <stdlib.h>.
 *
 * recallocarray(ptr, nmemb, size) is not OpenBSD's (or libbsd's)
 * four-argument recallocarray(ptr, oldnmemb, nmemb, size): minic zeroes the
 * bytes past the capacity its block header records, and keeps the bytes
 * between the array's size and the capacity zero. They are zero in a block
 * from calloc or recallocarray, not necessarily in one from malloc or
 * realloc. libminic.so does not export it, so a preloaded minic never
 * replaces the four-argument one.
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
#include <minic/types.h>

MINIC_BEGIN_DECLS
void *reallocf(void *ptr, size_t size) MINIC_NOTHROW;
void *recallocarray(void *ptr, size_t nmemb, size_t size) MINIC_NOTHROW;
void free_sized(void *ptr, size_t size) MINIC_NOTHROW;
void free_aligned_sized(void *ptr, size_t alignment, size_t size) MINIC_NOTHROW;
MINIC_END_DECLS

#else

#include <minic/types.h>

MINIC_BEGIN_DECLS
void *malloc(size_t size) MINIC_NOTHROW;
void free(void *ptr) MINIC_NOTHROW;
void *calloc(size_t nmemb, size_t size) MINIC_NOTHROW;
void *realloc(void *ptr, size_t size) MINIC_NOTHROW;
void *reallocf(void *ptr, size_t size) MINIC_NOTHROW;
void *reallocarray(void *ptr, size_t nmemb, size_t size) MINIC_NOTHROW;
void *recallocarray(void *ptr, size_t nmemb, size_t size) MINIC_NOTHROW;
int posix_memalign(void **memptr, size_t alignment, size_t size) MINIC_NOTHROW;
void *aligned_alloc(size_t alignment, size_t size) MINIC_NOTHROW;
void *valloc(size_t size) MINIC_NOTHROW;
void free_sized(void *ptr, size_t size) MINIC_NOTHROW;
void free_aligned_sized(void *ptr, size_t alignment, size_t size) MINIC_NOTHROW;
MINIC_END_DECLS

#endif /* MINIC_STDLIB_FROM_HOST */
#endif /* MINIC_STDLIB_H */
