/*
 * minic <string.h>: the memory functions the freestanding library provides.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/string.h.html
 *
 * Beside a system C library this is the system's <string.h> (the hosted
 * library uses the host's mem* functions). Standing alone it declares
 * minic's memcpy, memmove, memset and memcmp.
 */
#ifndef MINIC_STRING_H
#define MINIC_STRING_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<string.h>)
#define MINIC_STRING_FROM_HOST 1
#endif
#endif

#ifdef MINIC_STRING_FROM_HOST
#include_next <string.h>
#else

#include <minic/types.h>

MINIC_BEGIN_DECLS
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
MINIC_END_DECLS

#endif /* MINIC_STRING_FROM_HOST */
#endif /* MINIC_STRING_H */
