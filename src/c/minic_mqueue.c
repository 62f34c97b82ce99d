/*
 * mq_open is C-variadic: mode and attributes follow only with O_CREAT, and
 * are read only then (reading absent arguments is undefined behaviour).
 */
#include <stdarg.h>
#include <stddef.h>

#define MINIC_PUBLIC __attribute__((visibility("default")))
#define MINIC_O_CREAT 0100 /* O_CREAT, Linux ABI */

struct mq_attr;
int __minic_mq_open(const char *name, int oflag, unsigned int mode, const struct mq_attr *attr);

/* https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_open.html */
MINIC_PUBLIC int mq_open(const char *name, int oflag, ...)
{
    unsigned int mode = 0;
    const struct mq_attr *attr = NULL;
    if (oflag & MINIC_O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = va_arg(ap, unsigned int);
        attr = va_arg(ap, const struct mq_attr *);
        va_end(ap);
    }
    return __minic_mq_open(name, oflag, mode, attr);
}
