/*
 * ctests for <mqueue.h>: every function's success and documented errors,
 * priorities, blocking and timeouts, several processes, and notification by
 * signal. Runs hosted and freestanding (threads: mqueue_threads.c).
 */
#define _GNU_SOURCE /* mq_timed* and struct sigevent in the host headers */
#include <mqueue.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <errno.h>
#include "harness.h"

#define MSGSIZE 64
#define LONG_MAX __LONG_MAX__ /* no <limits.h> freestanding */
#define LONG_MIN (-LONG_MAX - 1)

/* The Linux layouts, whichever header (the host's or minic's own) is in use. */
_Static_assert(sizeof(mqd_t) == 4, "mqd_t is an int");
_Static_assert(sizeof(struct mq_attr) == 64, "struct mq_attr");
_Static_assert(offsetof(struct mq_attr, mq_msgsize) == 16, "mq_msgsize");
_Static_assert(offsetof(struct mq_attr, mq_curmsgs) == 24, "mq_curmsgs");
_Static_assert(sizeof(struct sigevent) == 64, "struct sigevent");
_Static_assert(offsetof(struct sigevent, sigev_notify) == 12, "sigev_notify");
_Static_assert(offsetof(struct sigevent, sigev_notify_function) == 16, "sigev_notify_function");
_Static_assert(offsetof(struct sigevent, sigev_notify_attributes) == 24, "sigev_notify_attributes");
_Static_assert(sizeof(struct timespec) == 16, "struct timespec");

static char qname[96], qname2[96];
/* Null pointers the host headers' nonnull attributes cannot see through. */
static void *volatile null_ptr;
static long msg_max, msgsize_max, msg_default, msgsize_default;

static void cleanup(void)
{
    mq_unlink(qname);
    mq_unlink(qname2);
}

/* A new queue of maxmsg messages of MSGSIZE bytes, opened with extra flags. */
static mqd_t make_queue(long maxmsg, int flags)
{
    struct mq_attr attr = {0};
    attr.mq_maxmsg = maxmsg;
    attr.mq_msgsize = MSGSIZE;
    mq_unlink(qname);
    return mq_open(qname, O_RDWR | O_CREAT | O_EXCL | flags, 0600, &attr);
}

static struct timespec deadline_in_ms(long ms)
{
    long long t = t_now_ns() + ms * 1000000LL;
    struct timespec ts = {(time_t)(t / 1000000000LL), (long)(t % 1000000000LL)};
    return ts;
}

static void put_number(char *buf, int v)
{
    for (int i = 0; i < 8; i++, v /= 10)
        buf[7 - i] = (char)('0' + v % 10);
}

static int get_number(const char *buf)
{
    int v = 0;
    for (int i = 0; i < 8; i++)
        v = v * 10 + (buf[i] - '0');
    return v;
}

static void test_open_close_attributes(void)
{
    mqd_t q = make_queue(4, 0);
    CHECK(q >= 0);
    struct mq_attr a;
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_flags, 0);
    CHECK_EQ(a.mq_maxmsg, 4);
    CHECK_EQ(a.mq_msgsize, MSGSIZE);
    CHECK_EQ(a.mq_curmsgs, 0);
    CHECK_EQ(mq_send(q, "x", 1, 0), 0);
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_curmsgs, 1);
    /* Descriptors are close-on-exec (the kernel's rule). */
    CHECK_EQ(t_fcntl(q, T_F_GETFD) & 1, 1);

    CHECK_ERRNO(mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL), -1, EEXIST);
    /* Without O_CREAT, mode and attributes are neither read nor used. */
    mqd_t q2 = mq_open(qname, O_RDONLY);
    CHECK(q2 >= 0);
    CHECK(q2 != q);
    CHECK_EQ(mq_getattr(q2, &a), 0);
    CHECK_EQ(a.mq_maxmsg, 4);
    CHECK_EQ(a.mq_curmsgs, 1);
    CHECK_EQ(mq_close(q2), 0);
    /* O_CREAT on an existing queue opens it; its attributes stay. */
    struct mq_attr other = {0};
    other.mq_maxmsg = 2;
    other.mq_msgsize = 8;
    q2 = mq_open(qname, O_WRONLY | O_CREAT, 0600, &other);
    CHECK(q2 >= 0);
    CHECK_EQ(mq_getattr(q2, &a), 0);
    CHECK_EQ(a.mq_maxmsg, 4);
    CHECK_EQ(mq_close(q2), 0);
    /* The name without its slash is the same queue. */
    q2 = mq_open(qname + 1, O_RDONLY);
    CHECK(q2 >= 0);
    CHECK_EQ(mq_getattr(q2, &a), 0);
    CHECK_EQ(a.mq_curmsgs, 1);
    CHECK_EQ(mq_close(q2), 0);

    CHECK_EQ(mq_close(q), 0);
    CHECK_ERRNO(mq_close(q), -1, EBADF);
    CHECK_EQ(mq_unlink(qname), 0);
    CHECK_ERRNO(mq_unlink(qname), -1, ENOENT);
    CHECK_ERRNO(mq_open(qname, O_RDWR), -1, ENOENT);

    /* No attributes: the system's defaults. */
    q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    CHECK(q >= 0);
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_maxmsg, msg_default < msg_max ? msg_default : msg_max);
    CHECK_EQ(a.mq_msgsize, msgsize_default < msgsize_max ? msgsize_default : msgsize_max);
    CHECK_EQ(mq_close(q), 0);
    CHECK_EQ(mq_unlink(qname), 0);
    /* An access mode that is neither read, write nor both: refused, and
     * (unlike the kernel alone) no queue is created. */
    CHECK_ERRNO(mq_open(qname, O_WRONLY | O_RDWR | O_CREAT, 0600, NULL), -1, EINVAL);
    CHECK_ERRNO(mq_open(qname, O_RDONLY), -1, ENOENT);
    cleanup();
}

static void test_bad_names(void)
{
    static const char *bad[] = {"", "/", "//", ".", "/.", "..", "/..", "/a/b", "a/", "/../../tmp/x"};
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_ERRNO(mq_open(bad[i], O_RDWR | O_CREAT, 0600, NULL), -1, EINVAL);
        CHECK_ERRNO(mq_open(bad[i], O_RDWR), -1, EINVAL);
        CHECK_ERRNO(mq_unlink(bad[i]), -1, EINVAL);
    }
    CHECK_ERRNO(mq_open((const char *)null_ptr, O_RDWR), -1, EFAULT);
    CHECK_ERRNO(mq_unlink((const char *)null_ptr), -1, EFAULT);
    char longest[260];
    longest[0] = '/';
    for (int i = 1; i <= 256; i++)
        longest[i] = (char)('a' + i % 26);
    longest[257] = 0;
    CHECK_ERRNO(mq_open(longest, O_RDWR | O_CREAT, 0600, NULL), -1, ENAMETOOLONG);
    CHECK_ERRNO(mq_unlink(longest), -1, ENAMETOOLONG);
    longest[256] = 0; /* NAME_MAX bytes */
    mq_unlink(longest);
    mqd_t q = mq_open(longest, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    CHECK(q >= 0);
    CHECK_EQ(mq_close(q), 0);
    CHECK_EQ(mq_unlink(longest), 0);
}

static void test_bad_attributes(void)
{
    /* mq_maxmsg, mq_msgsize */
    static const long bad[][2] = {
        {0, 8}, {-1, 8}, {4, 0}, {4, -1}, {LONG_MIN, 8}, {4, LONG_MIN},
        {65537, 8},            /* above the kernel's hard limit, even for root */
        {4, 16 * 1024 * 1024 + 1},
        {LONG_MAX, 8}, {4, LONG_MAX}, {LONG_MAX, LONG_MAX},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct mq_attr a = {0};
        a.mq_maxmsg = bad[i][0];
        a.mq_msgsize = bad[i][1];
        CHECK_ERRNO(mq_open(qname, O_RDWR | O_CREAT, 0600, &a), -1, EINVAL);
        CHECK_ERRNO(mq_open(qname, O_RDWR), -1, ENOENT); /* nothing was created */
    }
    /* The largest valid values are accepted. */
    struct mq_attr a = {0};
    a.mq_maxmsg = msg_max;
    a.mq_msgsize = 16;
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    CHECK(q >= 0);
    mq_close(q);
    mq_unlink(qname);
    a.mq_maxmsg = 1;
    a.mq_msgsize = msgsize_max;
    q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    CHECK(q >= 0);
    mq_close(q);
    cleanup();
}

static void test_priorities(void)
{
    mqd_t q = make_queue(8, 0);
    CHECK(q >= 0);
    static const struct { const char *text; unsigned prio; } sent[] = {
        {"one-a", 1}, {"five-a", 5}, {"three", 3}, {"five-b", 5}, {"zero", 0},
        {"one-b", 1}, {"max", 32767}, {"five-c", 5},
    };
    static const int order[] = {6, 1, 3, 7, 2, 0, 5, 4};
    for (unsigned i = 0; i < 8; i++)
        CHECK_EQ(mq_send(q, sent[i].text, t_strlen(sent[i].text), sent[i].prio), 0);
    for (unsigned i = 0; i < 8; i++) {
        char buf[MSGSIZE];
        unsigned prio = 99999;
        const char *want = sent[order[i]].text;
        ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
        CHECK_EQ(n, (long)t_strlen(want));
        CHECK_EQ(prio, sent[order[i]].prio);
        int same = n == (ssize_t)t_strlen(want);
        for (ssize_t k = 0; same && k < n; k++)
            same = buf[k] == want[k];
        CHECK(same);
    }
    CHECK_ERRNO(mq_send(q, "x", 1, 32768), -1, EINVAL);
    CHECK_ERRNO(mq_send(q, "x", 1, 0xffffffffu), -1, EINVAL);
    /* An empty message, and a receive that does not ask for the priority. */
    CHECK_EQ(mq_send(q, "", 0, 2), 0);
    char buf[MSGSIZE];
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 0);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void test_message_sizes(void)
{
    mqd_t q = make_queue(4, 0);
    CHECK(q >= 0);
    char big[MSGSIZE + 1] = {0};
    CHECK_ERRNO(mq_send(q, big, MSGSIZE + 1, 0), -1, EMSGSIZE);
    CHECK_ERRNO(mq_send(q, big, (size_t)-1, 0), -1, EMSGSIZE);
    CHECK_EQ(mq_send(q, big, MSGSIZE, 0), 0);
    CHECK_EQ(mq_send(q, "s", 1, 0), 0);
    /* A buffer shorter than mq_msgsize is refused, even for a short message. */
    char buf[MSGSIZE + 8];
    CHECK_ERRNO(mq_receive(q, buf, MSGSIZE - 1, NULL), -1, EMSGSIZE);
    CHECK_ERRNO(mq_receive(q, buf, 0, NULL), -1, EMSGSIZE);
    struct timespec later = deadline_in_ms(1000);
    CHECK_ERRNO(mq_timedreceive(q, buf, 1, NULL, &later), -1, EMSGSIZE);
    CHECK_EQ(mq_receive(q, buf, MSGSIZE, NULL), MSGSIZE);
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void test_nonblocking(void)
{
    mqd_t q = make_queue(3, O_NONBLOCK);
    CHECK(q >= 0);
    char buf[MSGSIZE];
    CHECK_ERRNO(mq_receive(q, buf, sizeof buf, NULL), -1, EAGAIN);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(mq_send(q, "m", 1, 0), 0);
    CHECK_ERRNO(mq_send(q, "m", 1, 0), -1, EAGAIN);
    struct timespec later = deadline_in_ms(1000);
    CHECK_ERRNO(mq_timedsend(q, "m", 1, 0, &later), -1, EAGAIN);

    struct mq_attr a, old;
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_flags, O_NONBLOCK);
    CHECK_EQ(a.mq_curmsgs, 3);
    /* mq_setattr changes only the flags, and reports the old attributes. */
    a.mq_flags = 0;
    a.mq_maxmsg = 1;
    a.mq_msgsize = 1;
    CHECK_EQ(mq_setattr(q, &a, &old), 0);
    CHECK_EQ(old.mq_flags, O_NONBLOCK);
    CHECK_EQ(old.mq_maxmsg, 3);
    CHECK_EQ(old.mq_curmsgs, 3);
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_flags, 0);
    CHECK_EQ(a.mq_maxmsg, 3);
    CHECK_EQ(a.mq_msgsize, MSGSIZE);
    /* Now blocking: a full queue times out instead. */
    later = deadline_in_ms(20);
    CHECK_ERRNO(mq_timedsend(q, "m", 1, 0, &later), -1, ETIMEDOUT);
    /* Only O_NONBLOCK may be set. */
    a.mq_flags = O_NONBLOCK | O_CREAT;
    CHECK_ERRNO(mq_setattr(q, &a, NULL), -1, EINVAL);
    CHECK_ERRNO(mq_setattr(q, (const struct mq_attr *)null_ptr, &old), -1, EFAULT);
    CHECK_ERRNO(mq_getattr(q, (struct mq_attr *)null_ptr), -1, EFAULT);
    a.mq_flags = O_NONBLOCK;
    CHECK_EQ(mq_setattr(q, &a, NULL), 0);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    CHECK_ERRNO(mq_receive(q, buf, sizeof buf, NULL), -1, EAGAIN);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void test_timeouts(void)
{
    mqd_t q = make_queue(2, 0);
    CHECK(q >= 0);
    char buf[MSGSIZE];
    /* An empty queue: the wait ends at the deadline. */
    long long start = t_now_ns();
    struct timespec ts = deadline_in_ms(60);
    CHECK_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), -1, ETIMEDOUT);
    CHECK(t_now_ns() - start >= 50 * 1000000LL);
    /* A deadline already past. */
    ts.tv_sec = 1;
    ts.tv_nsec = 0;
    CHECK_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), -1, ETIMEDOUT);
    /* Invalid deadlines, on a call that would block. */
    ts = deadline_in_ms(1000);
    ts.tv_nsec = 1000000000;
    CHECK_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), -1, EINVAL);
    ts.tv_nsec = -1;
    CHECK_ERRNO(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), -1, EINVAL);

    CHECK_EQ(mq_send(q, "a", 1, 0), 0);
    CHECK_EQ(mq_send(q, "b", 1, 0), 0);
    start = t_now_ns();
    ts = deadline_in_ms(60);
    CHECK_ERRNO(mq_timedsend(q, "c", 1, 0, &ts), -1, ETIMEDOUT);
    CHECK(t_now_ns() - start >= 50 * 1000000LL);
    ts.tv_nsec = 1000000000;
    CHECK_ERRNO(mq_timedsend(q, "c", 1, 0, &ts), -1, EINVAL);
    ts.tv_nsec = -5;
    CHECK_ERRNO(mq_timedsend(q, "c", 1, 0, &ts), -1, EINVAL);
    /* A message waiting: the timed calls return it at once. */
    ts = deadline_in_ms(5000);
    start = t_now_ns();
    CHECK_EQ(mq_timedreceive(q, buf, sizeof buf, NULL, &ts), 1);
    CHECK_EQ(mq_timedsend(q, "c", 1, 0, &ts), 0);
    CHECK(t_now_ns() - start < 1000 * 1000000LL);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void test_bad_descriptors(void)
{
    mqd_t q = make_queue(2, 0);
    CHECK(q >= 0);
    mqd_t rd = mq_open(qname, O_RDONLY);
    mqd_t wr = mq_open(qname, O_WRONLY);
    CHECK(rd >= 0 && wr >= 0);
    char buf[MSGSIZE];
    struct timespec ts = deadline_in_ms(1000);
    CHECK_ERRNO(mq_send(rd, "x", 1, 0), -1, EBADF);
    CHECK_ERRNO(mq_timedsend(rd, "x", 1, 0, &ts), -1, EBADF);
    CHECK_ERRNO(mq_receive(wr, buf, sizeof buf, NULL), -1, EBADF);
    CHECK_ERRNO(mq_timedreceive(wr, buf, sizeof buf, NULL, &ts), -1, EBADF);
    CHECK_EQ(mq_send(wr, "x", 1, 0), 0);
    CHECK_EQ(mq_receive(rd, buf, sizeof buf, NULL), 1);

    /* Not a descriptor, a closed one, and a descriptor that is no queue. */
    int file = t_open("/dev/null", O_RDWR, 0);
    CHECK(file >= 0);
    mq_close(wr);
    mqd_t bad[] = {-1, wr, file, 1 << 20};
    struct mq_attr a = {0};
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_ERRNO(mq_send(bad[i], "x", 1, 0), -1, EBADF);
        CHECK_ERRNO(mq_timedsend(bad[i], "x", 1, 0, &ts), -1, EBADF);
        CHECK_ERRNO(mq_receive(bad[i], buf, sizeof buf, NULL), -1, EBADF);
        CHECK_ERRNO(mq_timedreceive(bad[i], buf, sizeof buf, NULL, &ts), -1, EBADF);
        CHECK_ERRNO(mq_getattr(bad[i], &a), -1, EBADF);
        CHECK_ERRNO(mq_setattr(bad[i], &a, NULL), -1, EBADF);
        CHECK_ERRNO(mq_notify(bad[i], &ev), -1, EBADF);
        CHECK_ERRNO(mq_notify(bad[i], NULL), -1, EBADF);
    }
    CHECK_ERRNO(mq_close(-1), -1, EBADF);
    t_close(file);
    mq_close(rd);
    mq_close(q);
    cleanup();
}

/* --- several processes ------------------------------------------------- */

#define MANY 500

static void child_sends_many(void *arg)
{
    (void)arg;
    mqd_t q = mq_open(qname, O_WRONLY);
    if (q < 0)
        t_exit(1);
    t_sleep_ms(30); /* the parent is blocked on the empty queue by now */
    for (int i = 0; i < MANY; i++) {
        char msg[16] = "seq:";
        put_number(msg + 4, i);
        if (mq_send(q, msg, 12, 0) != 0)
            t_exit(2);
    }
    t_exit(0);
}

static void test_many_in_order_between_processes(void)
{
    long depth = msg_max < 8 ? msg_max : 8;
    mqd_t q = make_queue(depth, 0);
    CHECK(q >= 0);
    int pid = t_fork();
    if (pid == 0)
        child_sends_many(NULL);
    CHECK(pid > 0);
    int in_order = 0, full_seen = 0;
    for (int i = 0; i < MANY; i++) {
        char buf[MSGSIZE];
        unsigned prio = 1;
        ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
        if (n == 12 && prio == 0 && get_number(buf + 4) == i)
            in_order++;
        if (i == 100) { /* let the sender fill the queue, so it blocks too */
            struct mq_attr a = {0};
            for (int wait = 0; wait < 500 && a.mq_curmsgs != depth; wait++) {
                t_sleep_ms(10);
                mq_getattr(q, &a);
            }
            full_seen = a.mq_curmsgs == depth;
        }
    }
    CHECK_EQ(in_order, MANY);
    CHECK(full_seen);
    int status = -1;
    CHECK_EQ(t_waitpid(pid, &status), pid);
    CHECK_EQ(status, 0);
    struct mq_attr a;
    CHECK_EQ(mq_getattr(q, &a), 0);
    CHECK_EQ(a.mq_curmsgs, 0);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void child_receives_one_later(void *arg)
{
    (void)arg;
    mqd_t q = mq_open(qname, O_RDONLY);
    if (q < 0)
        t_exit(1);
    t_sleep_ms(80);
    char buf[MSGSIZE];
    if (mq_receive(q, buf, sizeof buf, NULL) != 1 || buf[0] != '0')
        t_exit(2);
    t_exit(0);
}

static void test_full_queue_unblocks(void)
{
    mqd_t q = make_queue(2, 0);
    CHECK(q >= 0);
    CHECK_EQ(mq_send(q, "0", 1, 0), 0);
    CHECK_EQ(mq_send(q, "1", 1, 0), 0);
    long long start = t_now_ns(); /* before the child's sleep begins */
    int pid = t_fork();
    if (pid == 0)
        child_receives_one_later(NULL);
    CHECK_EQ(mq_send(q, "2", 1, 0), 0); /* blocks until the child takes one */
    CHECK(t_now_ns() - start >= 50 * 1000000LL);
    int status = -1;
    CHECK_EQ(t_waitpid(pid, &status), pid);
    CHECK_EQ(status, 0);
    char buf[MSGSIZE];
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    CHECK_EQ(buf[0], '1');
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    CHECK_EQ(buf[0], '2');
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

static void child_sends_one_later(void *arg)
{
    (void)arg;
    mqd_t q = mq_open(qname, O_WRONLY);
    if (q < 0)
        t_exit(1);
    t_sleep_ms(80);
    if (mq_send(q, "late", 4, 9) != 0)
        t_exit(2);
    t_exit(0);
}

static void test_empty_queue_unblocks(void)
{
    mqd_t q = make_queue(2, 0);
    CHECK(q >= 0);
    long long start = t_now_ns(); /* before the child's sleep begins */
    int pid = t_fork();
    if (pid == 0)
        child_sends_one_later(NULL);
    char buf[MSGSIZE];
    unsigned prio = 0;
    struct timespec ts = deadline_in_ms(10000);
    CHECK_EQ(mq_timedreceive(q, buf, sizeof buf, &prio, &ts), 4);
    CHECK_EQ(prio, 9);
    long long waited = t_now_ns() - start;
    CHECK(waited >= 50 * 1000000LL && waited < 5000 * 1000000LL);
    int status = -1;
    CHECK_EQ(t_waitpid(pid, &status), pid);
    CHECK_EQ(status, 0);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

/* --- notification ------------------------------------------------------ */

static volatile int got_signo, got_code, got_pid;
static void *volatile got_value;

static void on_signal(int sig, void *info, void *context)
{
    (void)context;
    got_signo = sig;
    got_code = T_SI_CODE(info);
    got_pid = T_SI_PID(info);
    got_value = T_SI_VALUE(info);
}

static int marker;

static void child_notify_busy(void *arg)
{
    mqd_t q = mq_open(qname, O_RDWR);
    if (q < 0)
        t_exit(1);
    struct sigevent *ev = arg;
    if (mq_notify(q, ev) != -1 || errno != EBUSY)
        t_exit(2);
    /* Unregistering what another process registered does nothing. */
    if (mq_notify(q, NULL) != 0)
        t_exit(3);
    if (mq_notify(q, ev) != -1 || errno != EBUSY)
        t_exit(4);
    t_exit(0);
}

static void child_sends_now(void *arg)
{
    (void)arg;
    mqd_t q = mq_open(qname, O_WRONLY);
    if (q < 0 || mq_send(q, "n", 1, 0) != 0)
        t_exit(1);
    t_exit(0);
}

static int wait_for_signal(void)
{
    for (int i = 0; i < 200 && !got_signo; i++)
        t_sleep_ms(10);
    return got_signo;
}

static void test_notify_signal(void)
{
    mqd_t q = make_queue(4, 0);
    CHECK(q >= 0);
    CHECK_EQ(t_sigaction(T_SIGUSR1, on_signal), 0);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = T_SIGUSR1;
    ev.sigev_value.sival_ptr = &marker;
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_ERRNO(mq_notify(q, &ev), -1, EBUSY);
    CHECK_EQ(t_run_child(child_notify_busy, &ev), 0);

    got_signo = got_code = got_pid = 0;
    got_value = NULL;
    int pid = t_fork();
    if (pid == 0)
        child_sends_now(NULL);
    CHECK_EQ(wait_for_signal(), T_SIGUSR1);
    CHECK_EQ(got_code, T_SI_MESGQ);
    CHECK_EQ(got_pid, pid);
    CHECK(got_value == &marker);
    int status = -1;
    t_waitpid(pid, &status);
    CHECK_EQ(status, 0);

    /* A registration is used once: registering again is allowed. */
    CHECK_EQ(mq_notify(q, &ev), 0);
    /* No signal while the queue is not empty... */
    got_signo = 0;
    char buf[MSGSIZE];
    CHECK_EQ(mq_send(q, "second", 6, 0), 0);
    t_sleep_ms(20);
    CHECK_EQ(got_signo, 0);
    /* ...but one when a message arrives on the empty queue. */
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 1);
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 6);
    ev.sigev_value.sival_int = 4242;
    CHECK_EQ(mq_notify(q, NULL), 0);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_send(q, "third", 5, 0), 0);
    CHECK_EQ(wait_for_signal(), T_SIGUSR1);
    CHECK_EQ((int)(long)got_value, 4242);
    CHECK_EQ(got_pid, t_getpid());

    /* Unregistered: no signal. */
    CHECK_EQ(mq_receive(q, buf, sizeof buf, NULL), 5);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_notify(q, NULL), 0);
    CHECK_EQ(mq_notify(q, NULL), 0); /* nothing registered: still fine */
    got_signo = 0;
    CHECK_EQ(mq_send(q, "fourth", 6, 0), 0);
    t_sleep_ms(20);
    CHECK_EQ(got_signo, 0);
    CHECK_EQ(mq_close(q), 0);
    t_sigdefault(T_SIGUSR1);
    cleanup();
}

static void test_notify_none_and_errors(void)
{
    mqd_t q = make_queue(4, 0);
    CHECK(q >= 0);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_ERRNO(mq_notify(q, &ev), -1, EBUSY);
    CHECK_EQ(t_run_child(child_notify_busy, &ev), 0);
    /* The message uses up the registration, delivering nothing. */
    CHECK_EQ(mq_send(q, "x", 1, 0), 0);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_notify(q, NULL), 0);

    /* Closing the descriptor ends the registration. */
    mqd_t q2 = mq_open(qname, O_RDONLY);
    CHECK_EQ(mq_notify(q2, &ev), 0);
    CHECK_ERRNO(mq_notify(q, &ev), -1, EBUSY);
    CHECK_EQ(mq_close(q2), 0);
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_notify(q, NULL), 0);

    struct sigevent bad = {0};
    bad.sigev_notify = SIGEV_SIGNAL;
    bad.sigev_signo = -1;
    CHECK_ERRNO(mq_notify(q, &bad), -1, EINVAL);
    bad.sigev_signo = 65;
    CHECK_ERRNO(mq_notify(q, &bad), -1, EINVAL);
    bad.sigev_notify = 99;
    bad.sigev_signo = T_SIGUSR1;
    CHECK_ERRNO(mq_notify(q, &bad), -1, EINVAL);
#if !__STDC_HOSTED__
    /* The freestanding library has no threads. */
    struct sigevent thread = {0};
    thread.sigev_notify = SIGEV_THREAD;
    CHECK_ERRNO(mq_notify(q, &thread), -1, ENOSYS);
#endif
    /* Nothing above registered anything. */
    CHECK_EQ(mq_notify(q, &ev), 0);
    CHECK_EQ(mq_close(q), 0);
    cleanup();
}

/* --- permissions ------------------------------------------------------- */

static void child_unprivileged(void *arg)
{
    (void)arg;
    if (t_become_nobody() != 0)
        t_exit(1);
    if (mq_open(qname, O_RDWR) != -1 || errno != EACCES)
        t_exit(2);
    /* The kernel says EPERM (the queue directory is sticky); POSIX says EACCES. */
    if (mq_unlink(qname) != -1 || errno != EACCES)
        t_exit(3);
    t_exit(0);
}

static void test_permissions(void)
{
    if (t_getuid() != 0) {
        t_skip("needs root to switch users");
        return;
    }
    mqd_t q = make_queue(2, 0);
    CHECK(q >= 0);
    CHECK_EQ(t_run_child(child_unprivileged, NULL), 0);
    CHECK_EQ(mq_close(q), 0);
    CHECK_EQ(mq_unlink(qname), 0); /* still there after the refused unlink */
    cleanup();
}

int main(void)
{
    msg_max = t_read_number("/proc/sys/fs/mqueue/msg_max");
    msgsize_max = t_read_number("/proc/sys/fs/mqueue/msgsize_max");
    msg_default = t_read_number("/proc/sys/fs/mqueue/msg_default");
    msgsize_default = t_read_number("/proc/sys/fs/mqueue/msgsize_default");
    CHECK(msg_max >= 4 && msgsize_max >= MSGSIZE && msg_default > 0 && msgsize_default > 0);
    t_unique_name(qname, "/minic-mq-", "q");
    t_unique_name(qname2, "/minic-mq-", "q2");
    cleanup();
    RUN(test_open_close_attributes);
    RUN(test_bad_names);
    RUN(test_bad_attributes);
    RUN(test_priorities);
    RUN(test_message_sizes);
    RUN(test_nonblocking);
    RUN(test_timeouts);
    RUN(test_bad_descriptors);
    RUN(test_many_in_order_between_processes);
    RUN(test_full_queue_unblocks);
    RUN(test_empty_queue_unblocks);
    RUN(test_notify_signal);
    RUN(test_notify_none_and_errors);
    RUN(test_permissions);
    cleanup();
    return t_report("mqueue");
}
