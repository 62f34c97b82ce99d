/* <mqueue.h>, for mk/check-porting.sh: what a port needs for it. */
#include <mqueue.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
int main(void)
{
    struct mq_attr a = {0};
    struct timespec ts = {0, 0};
    struct sigevent ev = {0};
    char buf[64];
    unsigned prio;
    mqd_t q = mq_open("/x", O_RDWR | O_CREAT, 0600, (struct mq_attr *)0);
    int r = mq_send(q, "x", 1, 0) + mq_timedsend(q, "x", 1, 0, &ts) + (int)mq_receive(q, buf, 64, &prio) +
            (int)mq_timedreceive(q, buf, 64, &prio, &ts) + mq_getattr(q, &a) + mq_setattr(q, &a, 0) +
            mq_notify(q, &ev);
    return r + mq_close(q) + mq_unlink("/x");
}
