/*
 * minic <fcntl.h>: the open flags used with shm_open and mq_open.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/fcntl.h.html
 *
 * Beside a system C library this is the system's <fcntl.h>. Standing alone it
 * gives the O_* flags (Linux values for the target: aarch64 differs) and mode bits; minic provides no
 * open() of its own.
 */
#ifndef MINIC_FCNTL_H
#define MINIC_FCNTL_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<fcntl.h>)
#define MINIC_FCNTL_FROM_HOST 1
#endif
#endif

#ifdef MINIC_FCNTL_FROM_HOST
#include_next <fcntl.h>
#else

#include <minic/types.h>

#define O_ACCMODE 0003
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DSYNC 010000
#ifdef __aarch64__
#define O_DIRECTORY 040000
#define O_NOFOLLOW 0100000
#else
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#endif
#define O_CLOEXEC 02000000
#define O_SYNC 04010000

#define AT_FDCWD (-100)

#define S_IRWXU 0700
#define S_IRUSR 0400
#define S_IWUSR 0200
#define S_IXUSR 0100
#define S_IRWXG 070
#define S_IRGRP 040
#define S_IWGRP 020
#define S_IXGRP 010
#define S_IRWXO 07
#define S_IROTH 04
#define S_IWOTH 02
#define S_IXOTH 01

#endif /* MINIC_FCNTL_FROM_HOST */
#endif /* MINIC_FCNTL_H */
