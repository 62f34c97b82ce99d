/*
 * minic: time_t and struct timespec (Linux layout: long, so 32 bits on x86), for minic's
 * headers when they stand alone; only the headers whose interface uses them
 * include this (<mqueue.h>, <time.h>). Internal to minic's headers.
 */
#ifndef MINIC_TIMESPEC_H
#define MINIC_TIMESPEC_H

#include <minic/types.h>

#ifndef MINIC_TIME_T
#define MINIC_TIME_T
typedef long time_t;
#endif

#ifndef MINIC_STRUCT_TIMESPEC
#define MINIC_STRUCT_TIMESPEC
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
#endif

#endif /* MINIC_TIMESPEC_H */
