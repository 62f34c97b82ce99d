/*
 * minic <mqueue.h>: POSIX message queues.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/mqueue.h.html
 *
 * Beside a system C library this header includes the system's own
 * <mqueue.h> (the same mqd_t, struct mq_attr and functions, Linux's layout)
 * and adds nothing. Standing alone (freestanding, or with MINIC_STANDALONE
 * defined) it declares minic's interface itself, with struct sigevent and
 * struct timespec, and makes <fcntl.h>'s O_* flags visible.
 */
#ifndef MINIC_MQUEUE_H
#define MINIC_MQUEUE_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<mqueue.h>)
#define MINIC_MQUEUE_FROM_HOST 1
#endif
#endif

#ifdef MINIC_MQUEUE_FROM_HOST
#include_next <mqueue.h>
#else

#include <minic/types.h>
#include <minic/timespec.h>
#include <minic/sigevent.h>
#include <fcntl.h>

typedef int mqd_t;

struct mq_attr {
    long mq_flags;   /* O_NONBLOCK or 0 */
    long mq_maxmsg;  /* most messages in the queue */
    long mq_msgsize; /* largest message, in bytes */
    long mq_curmsgs; /* messages now in the queue */
    long __reserved[4];
};

MINIC_BEGIN_DECLS

mqd_t mq_open(const char *name, int oflag, ...);
int mq_close(mqd_t mqdes);
int mq_unlink(const char *name);
int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio);
int mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio,
                 const struct timespec *abs_timeout);
ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio);
ssize_t mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio,
                        const struct timespec *abs_timeout);
int mq_getattr(mqd_t mqdes, struct mq_attr *mqstat);
int mq_setattr(mqd_t mqdes, const struct mq_attr *mqstat, struct mq_attr *omqstat);
int mq_notify(mqd_t mqdes, const struct sigevent *notification);

MINIC_END_DECLS

#endif /* MINIC_MQUEUE_FROM_HOST */
#endif /* MINIC_MQUEUE_H */
