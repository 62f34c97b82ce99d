/*
 * minic <time.h>: struct timespec, for the deadlines of mq_timedsend and
 * mq_timedreceive.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/time.h.html
 *
 * Beside a system C library this is the system's <time.h>. Standing alone it
 * gives only time_t, struct timespec and the clock ids (Linux values):
 * minic has no time functions of its own.
 */
#ifndef MINIC_TIME_H
#define MINIC_TIME_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<time.h>)
#define MINIC_TIME_FROM_HOST 1
#endif
#endif

#ifdef MINIC_TIME_FROM_HOST
#include_next <time.h>
#else

#include <minic/types.h>
#include <minic/timespec.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

#endif /* MINIC_TIME_FROM_HOST */
#endif /* MINIC_TIME_H */
