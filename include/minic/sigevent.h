/*
 * minic: union sigval, struct sigevent and the SIGEV_* values (Linux
 * layout), for minic's headers when they stand alone. Internal to minic's
 * headers; beside a system C library, the system's own definitions are used.
 */
#ifndef MINIC_SIGEVENT_H
#define MINIC_SIGEVENT_H

#include <minic/types.h>

#ifndef MINIC_UNION_SIGVAL
#define MINIC_UNION_SIGVAL
union sigval {
    int sival_int;
    void *sival_ptr;
};
#endif

#ifndef MINIC_STRUCT_SIGEVENT
#define MINIC_STRUCT_SIGEVENT
/*
 * 64 bytes, as the kernel reads it. The thread fields are in a union with
 * the kernel's thread id and padding, named through macros as other C
 * libraries do. sigev_notify_attributes is a pthread_attr_t * (void * here:
 * a freestanding program has no pthread_attr_t).
 */
struct sigevent {
    union sigval sigev_value;
    int sigev_signo;
    int sigev_notify;
    union {
        /* The structure is 64 bytes on every architecture. */
        int __pad[(64 - 2 * sizeof(int) - sizeof(union sigval)) / sizeof(int)];
        int __tid;
        struct {
            void (*__function)(union sigval);
            void *__attributes;
        } __sev_thread;
    } __sev_fields;
};
#define sigev_notify_function __sev_fields.__sev_thread.__function
#define sigev_notify_attributes __sev_fields.__sev_thread.__attributes
#define sigev_notify_thread_id __sev_fields.__tid
#endif

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

#endif /* MINIC_SIGEVENT_H */
