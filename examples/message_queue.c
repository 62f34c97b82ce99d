/*
 * A C program linked with -lminic: two processes talk through a POSIX
 * message queue (priorities, blocking, timeouts), and a thread is told
 * when a message arrives (SIGEV_THREAD).
 */
#define _GNU_SOURCE
#include <mqueue.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t told = PTHREAD_COND_INITIALIZER;
static int notified;

static void on_message(union sigval v)
{
    pthread_mutex_lock(&lock);
    notified = 1;
    printf("notification thread: a message arrived on queue %s\n", (const char *)v.sival_ptr);
    pthread_cond_signal(&told);
    pthread_mutex_unlock(&lock);
}

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/minic-demo-mq-%d", (int)getpid());
    struct mq_attr attr = {0};
    attr.mq_maxmsg = 4;
    attr.mq_msgsize = 64;
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q == (mqd_t)-1) {
        perror("mq_open");
        return 1;
    }

    /* Be told, in a new thread, when the first message arrives. */
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = on_message;
    ev.sigev_value.sival_ptr = name;
    if (mq_notify(q, &ev) != 0)
        perror("mq_notify");

    pid_t child = fork();
    if (child == 0) {
        /* More messages than the queue holds: the sender blocks until the
         * parent receives. Higher priorities are received first. */
        static const struct { const char *text; unsigned prio; } msgs[] = {
            {"routine report", 1}, {"urgent: disk full", 9}, {"hello", 1},
            {"another routine report", 1}, {"urgent: fan stopped", 9}, {"goodbye", 0},
        };
        for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
            mq_send(q, msgs[i].text, strlen(msgs[i].text), msgs[i].prio);
        _exit(0);
    }

    pthread_mutex_lock(&lock);
    while (!notified)
        pthread_cond_wait(&told, &lock);
    pthread_mutex_unlock(&lock);
    usleep(200 * 1000); /* let the sender fill the queue, so that priorities show */

    for (int i = 0; i < 6; i++) {
        char buf[64];
        unsigned prio;
        ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
        printf("received (priority %u): %.*s\n", prio, (int)n, buf);
    }
    waitpid(child, NULL, 0);

    /* Errors, through errno. */
    struct timespec soon;
    clock_gettime(CLOCK_REALTIME, &soon);
    soon.tv_nsec += 100 * 1000 * 1000;
    if (soon.tv_nsec >= 1000000000) {
        soon.tv_sec++;
        soon.tv_nsec -= 1000000000;
    }
    char buf[64];
    errno = 0;
    mq_timedreceive(q, buf, sizeof buf, NULL, &soon);
    printf("empty queue, 100 ms deadline: %s\n", strerror(errno));
    errno = 0;
    mq_receive(q, buf, 10, NULL);
    printf("receive into 10 bytes (mq_msgsize is 64): %s\n", strerror(errno));
    errno = 0;
    mq_open("/../../tmp/escape", O_RDWR | O_CREAT, 0600, NULL);
    printf("mq_open(\"/../../tmp/escape\"): %s\n", strerror(errno));

    mq_close(q);
    mq_unlink(name);
    return 0;
}
