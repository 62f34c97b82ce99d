/*
 * ctests for <mqueue.h> with threads (hosted only): SIGEV_THREAD
 * notification, timed calls woken from another thread, several senders.
 */
#define _GNU_SOURCE
#include <mqueue.h>
#include <signal.h>
#include <time.h>
#include <pthread.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define MSGSIZE 32

static char qname[96];
static long msg_max;

static mqd_t make_queue(long maxmsg)
{
    struct mq_attr attr = {0};
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = MSGSIZE;
    mq_unlink(qname);
    return mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
}

static struct timespec deadline_in_ms(long ms)
{
    long long t = t_now_ns() + ms * 1000000LL;
    struct timespec ts = {(time_t)(t / 1000000000LL), (long)(t % 1000000000LL)};
    return ts;
}

/* The number of threads of this process. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Waits up to 2 s for the thread count to become n; returns the last count. */
static int wait_thread_count(int n)
{
    int c = thread_count();
    for (int i = 0; i < 200 && c != n; i++) {
        t_sleep_ms(10);
        c = thread_count();
    }
    return c;
}

/* The lowest free descriptor number: unchanged if nothing leaked. */
static int lowest_free_fd(void)
{
    int fd = dup(0);
    close(fd);
    return fd;
}

/* --- the notification function and what it saw -------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int calls;
static void *seen_value;
static int seen_other_thread, seen_signals_blocked;
static pthread_t main_thread;

static void notified(union sigval v)
{
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    pthread_mutex_lock(&lock);
    calls++;
    seen_value = v.sival_ptr;
    seen_other_thread = !pthread_equal(pthread_self(), main_thread);
    seen_signals_blocked = sigismember(&mask, SIGINT) && sigismember(&mask, SIGUSR1);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

/* Waits up to ms for calls to reach n; returns calls. */
static int wait_calls(int n, long ms)
{
    struct timespec until = deadline_in_ms(ms);
    pthread_mutex_lock(&lock);
    while (calls < n && pthread_cond_timedwait(&changed, &lock, &until) == 0)
        ;
    int c = calls;
    pthread_mutex_unlock(&lock);
    return c;
}

static int marker;

static struct sigevent thread_event(void *value, pthread_attr_t *attr)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notified;
    ev.sigev_notify_attributes = attr;
    ev.sigev_value.sival_ptr = value;
    return ev;
}

static void test_thread_notification(void)
{
    mqd_t q = make_queue(4);
    CHECK(q >= 0);
    int base = thread_count(), free_fd = lowest_free_fd();
    struct sigevent ev = thread_event(&marker, NULL);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(thread_count(), base + 1); /* the helper, waiting */

    /* A second registration fails and leaves nothing behind. */
    int helper_fd = lowest_free_fd();
    CHECK_ERRNO(mq_notify(q, &ev), -1, EBUSY);
    struct sigevent sig;
    memset(&sig, 0, sizeof sig);
    sig.sigev_notify = SIGEV_SIGNAL;
    sig.sigev_signo = SIGUSR1;
    CHECK_ERRNO(mq_notify(q, &sig), -1, EBUSY);
    CHECK_EQ(lowest_free_fd(), helper_fd);
    CHECK_EQ(wait_thread_count(base + 1), base + 1);

    int before = wait_calls(0, 0);
    CHECK_EQ(mq_send(q, "hello", 5, 0), 0);
    CHECK_EQ(wait_calls(before + 1, 3000), before + 1);
    CHECK(seen_value == &marker);
    CHECK(seen_other_thread);
    CHECK(seen_signals_blocked);
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(lowest_free_fd(), free_fd);

    /* Used once: registering again works, and fires again. */
    char buf[MSGSIZE];
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 5);
    ev.sigev_value.sival_int = 77;
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_send(q, "again", 5, 0), 0);
    CHECK_EQ(wait_calls(before + 2, 3000), before + 2);
    CHECK_EQ((int)(long)seen_value, 77);
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 5);

    /* Unregistered with NULL: the helper ends and nothing is called. */
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(thread_count(), base + 1);
    CHECK_EQ(mq_notify(q, NULL), 0);
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(mq_send(q, "unseen", 6, 0), 0);
    t_sleep_ms(50);
    CHECK_EQ(wait_calls(0, 0), before + 2);
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 6);

    /* Closing the descriptor also ends the registration and its helper. */
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_close(q), 0);
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(lowest_free_fd(), q < free_fd ? q : free_fd); /* the socket too is closed */
    CHECK_EQ(wait_calls(0, 0), before + 2);
    mq_unlink(qname);
}

static void test_thread_attributes(void)
{
    mqd_t q = make_queue(4);
    CHECK(q >= 0);
    int base = thread_count();
    char buf[MSGSIZE];
    pthread_attr_t attr;
    for (int detached = 0; detached < 2; detached++) {
        CHECK_EQ(pthread_attr_init(&attr), 0);
        CHECK_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
        CHECK_EQ(pthread_attr_setdetachstate(&attr, detached ? PTHREAD_CREATE_DETACHED
                                                              : PTHREAD_CREATE_JOINABLE), 0);
        int before = wait_calls(0, 0);
        struct sigevent ev = thread_event(&attr, &attr);
        CHECK_EQ(mq_notify(q, &ev), 0);
        CHECK_EQ(pthread_attr_destroy(&attr), 0); /* used at registration only */
        CHECK_EQ(mq_send(q, "a", 1, 0), 0);
        CHECK_EQ(wait_calls(before + 1, 3000), before + 1);
        CHECK(seen_value == &attr);
        CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
        CHECK_EQ(wait_thread_count(base), base);
    }
    CHECK_EQ(mq_close(q), 0);
    mq_unlink(qname);
}

static void test_thread_errors(void)
{
    mqd_t q = make_queue(4);
    CHECK(q >= 0);
    int base = thread_count(), free_fd = lowest_free_fd();
    struct sigevent ev = thread_event(NULL, NULL);
    ev.sigev_notify_function = NULL;
    CHECK_ERRNO(mq_notify(q, &ev), -1, EINVAL);
    ev = thread_event(NULL, NULL);
    CHECK_ERRNO(mq_notify(-1, &ev), -1, EBADF);
    CHECK_ERRNO(mq_notify(free_fd, &ev), -1, EBADF);
    int file = open("/dev/null", O_RDONLY);
    CHECK_ERRNO(mq_notify(file, &ev), -1, EBADF);
    close(file);
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(lowest_free_fd(), free_fd);
    /* Nothing above registered anything. */
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_notify(q, NULL), 0);
    CHECK_EQ(mq_close(q), 0);
    CHECK_EQ(wait_thread_count(base), base);
    mq_unlink(qname);
}

/* Several threads register at once: exactly one wins. */
static mqd_t race_queue;
static void *race_register(void *arg)
{
    struct sigevent ev = thread_event(arg, NULL);
    long r = mq_notify(race_queue, &ev) == 0 ? 0 : errno;
    return (void *)r;
}

static void test_concurrent_registrations(void)
{
    race_queue = make_queue(4);
    CHECK(race_queue >= 0);
    int base = thread_count(), free_fd = lowest_free_fd();
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, race_register, NULL), 0);
    int ok = 0, busy = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok += r == (void *)0;
        busy += r == (void *)(long)EBUSY;
    }
    CHECK_EQ(ok, 1);
    CHECK_EQ(busy, 7);
    CHECK_EQ(wait_thread_count(base + 1), base + 1);
    CHECK_EQ(mq_notify(race_queue, NULL), 0);
    CHECK_EQ(wait_thread_count(base), base);
    CHECK_EQ(lowest_free_fd(), free_fd);
    CHECK_EQ(mq_close(race_queue), 0);
    mq_unlink(qname);
}

/* --- timed calls woken by another thread ---------------------------------- */

static mqd_t shared_queue;

static void *send_later(void *arg)
{
    (void)arg;
    t_sleep_ms(60);
    mq_send(shared_queue, "wake", 4, 3);
    return NULL;
}

static void *receive_later(void *arg)
{
    char buf[MSGSIZE];
    t_sleep_ms(60);
    return (void *)mq_receive(shared_queue, buf, sizeof buf, (unsigned *)arg);
}

static void test_timed_calls_woken_by_threads(void)
{
    shared_queue = make_queue(2);
    CHECK(shared_queue >= 0);
    pthread_t t;
    char buf[MSGSIZE];
    unsigned prio = 0;
    long long start = t_now_ns();
    CHECK_EQ(pthread_create(&t, NULL, send_later, NULL), 0);
    struct timespec until = deadline_in_ms(10000);
    CHECK_EQ(mq_timedreceive(shared_queue, buf, sizeof buf, &prio, &until), 4);
    long long waited = t_now_ns() - start;
    CHECK(waited >= 40 * 1000000LL && waited < 5000 * 1000000LL);
    CHECK_EQ(prio, 3);
    CHECK_EQ(memcmp(buf, "wake", 4), 0);
    pthread_join(t, NULL);

    /* A full queue: the timed send waits until another thread receives. */
    CHECK_EQ(mq_send(shared_queue, "1", 1, 1), 0);
    CHECK_EQ(mq_send(shared_queue, "2", 1, 2), 0);
    unsigned got_prio = 0;
    start = t_now_ns();
    CHECK_EQ(pthread_create(&t, NULL, receive_later, &got_prio), 0);
    until = deadline_in_ms(10000);
    CHECK_EQ(mq_timedsend(shared_queue, "3", 1, 0, &until), 0);
    waited = t_now_ns() - start;
    CHECK(waited >= 40 * 1000000LL && waited < 5000 * 1000000LL);
    void *r;
    pthread_join(t, &r);
    CHECK_EQ((long)r, 1);
    CHECK_EQ(got_prio, 2);
    CHECK_EQ(mq_close(shared_queue), 0);
    mq_unlink(qname);
}

/* --- several senders ------------------------------------------------------ */

#define SENDERS 4
#define PER_SENDER 250

static void *sender(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < PER_SENDER; i++) {
        int msg[2] = {(int)id, i};
        if (mq_send(shared_queue, (const char *)msg, sizeof msg, (unsigned)id) != 0)
            return (void *)1;
    }
    return NULL;
}

static void test_several_senders(void)
{
    shared_queue = make_queue(msg_max < 8 ? msg_max : 8);
    CHECK(shared_queue >= 0);
    pthread_t t[SENDERS];
    for (long i = 0; i < SENDERS; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, sender, (void *)i), 0);
    int next[SENDERS] = {0}, in_order = 0;
    for (int n = 0; n < SENDERS * PER_SENDER; n++) {
        int msg[2] = {-1, -1};
        unsigned prio = 99;
        struct timespec until = deadline_in_ms(10000);
        if (mq_timedreceive(shared_queue, (char *)msg, MSGSIZE, &prio, &until) != sizeof msg)
            break;
        if (msg[0] >= 0 && msg[0] < SENDERS && prio == (unsigned)msg[0] && msg[1] == next[msg[0]]) {
            next[msg[0]]++;
            in_order++;
        }
    }
    CHECK_EQ(in_order, SENDERS * PER_SENDER);
    for (int i = 0; i < SENDERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        CHECK(r == NULL);
    }
    CHECK_EQ(mq_close(shared_queue), 0);
    mq_unlink(qname);
}

int main(void)
{
    main_thread = pthread_self();
    msg_max = t_read_number("/proc/sys/fs/mqueue/msg_max");
    CHECK(msg_max >= 4);
    t_unique_name(qname, "/minic-mqt-", "q");
    T_QEMU_LACKS(test_thread_notification, "has no mq_notify");
    T_QEMU_LACKS(test_thread_attributes, "has no mq_notify");
    T_QEMU_LACKS(test_thread_errors, "has no mq_notify");
    T_QEMU_LACKS(test_concurrent_registrations, "has no mq_notify");
    RUN(test_timed_calls_woken_by_threads);
    RUN(test_several_senders);
    mq_unlink(qname);
    return t_report("mqueue_threads");
}
