/*
 * minic <strings.h>: bcmp, which compilers emit for equality of byte ranges.
 *
 * Beside a system C library this is the system's <strings.h>.
 */
#ifndef MINIC_STRINGS_H
#define MINIC_STRINGS_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<strings.h>)
#define MINIC_STRINGS_FROM_HOST 1
#endif
#endif

#ifdef MINIC_STRINGS_FROM_HOST
#include_next <strings.h>
#else

#include <minic/types.h>

MINIC_BEGIN_DECLS
int bcmp(const void *a, const void *b, size_t n);
MINIC_END_DECLS

#endif /* MINIC_STRINGS_FROM_HOST */
#endif /* MINIC_STRINGS_H */
