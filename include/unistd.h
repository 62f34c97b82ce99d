/*
 * minic <unistd.h>: the few calls the freestanding library provides so that
 * a program with no C library can use shared memory (close, ftruncate) and
 * report (write, _exit).
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/unistd.h.html
 *
 * Beside a system C library this is the system's <unistd.h>: the hosted
 * library never replaces the host's own unistd functions.
 */
#ifndef MINIC_UNISTD_H
#define MINIC_UNISTD_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<unistd.h>)
#define MINIC_UNISTD_FROM_HOST 1
#endif
#endif

#ifdef MINIC_UNISTD_FROM_HOST
#include_next <unistd.h>
#else

#include <minic/types.h>

MINIC_BEGIN_DECLS
int close(int fd);
int ftruncate(int fd, off_t length);
ssize_t write(int fd, const void *buf, size_t count);
void _exit(int status) __attribute__((__noreturn__));
MINIC_END_DECLS

#endif /* MINIC_UNISTD_FROM_HOST */
#endif /* MINIC_UNISTD_H */
