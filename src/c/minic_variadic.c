/*
 * C-variadic entry points. Stable Rust cannot define a C-variadic function,
 * so each one here reads its optional arguments and calls a fixed-argument
 * Rust function. Compiled with hidden visibility; the build keeps only the
 * public names global.
 */
#include <stdarg.h>
#include <stddef.h>

#define MINIC_PUBLIC __attribute__((visibility("default")))
#define MREMAP_FIXED_FLAG 2 /* MREMAP_FIXED, Linux ABI */

void *__minic_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr);

/* https://man7.org/linux/man-pages/man2/mremap.2.html */
MINIC_PUBLIC void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
    void *new_addr = NULL;
    if (flags & MREMAP_FIXED_FLAG) {
        va_list ap;
        va_start(ap, flags);
        new_addr = va_arg(ap, void *);
        va_end(ap);
    }
    return __minic_mremap(old, old_len, new_len, flags, new_addr);
}
