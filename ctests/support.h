/*
 * Test support: raw Linux system calls (ctests/arch.h) for what the tests need beyond
 * minic's API (fork, wait, files). Test code, not API: it lets the same test
 * sources run linked with the host C library or with no C library at all.
 */
#ifndef MINIC_TEST_SUPPORT_H
#define MINIC_TEST_SUPPORT_H

#include <stddef.h>

#include "arch.h"

#define T_SYS(n, a, b, c, d, e, f) \
    t_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#define T_AT_FDCWD (-100)

static inline long t_write(int fd, const void *buf, size_t n) { return T_SYS(T_NR_write, fd, buf, n, 0, 0, 0); }
static inline long t_pread(int fd, void *buf, size_t n, long off) { return T_SYS(T_NR_pread, fd, buf, n, off, 0, 0); }
static inline long t_pwrite(int fd, const void *buf, size_t n, long off) { return T_SYS(T_NR_pwrite, fd, buf, n, off, 0, 0); }
static inline int t_open(const char *path, int flags, int mode) { return (int)T_SYS(T_NR_openat, T_AT_FDCWD, path, flags, mode, 0, 0); }
static inline int t_close(int fd) { return (int)T_SYS(T_NR_close, fd, 0, 0, 0, 0, 0); }
static inline int t_unlink(const char *path) { return (int)T_SYS(T_NR_unlinkat, T_AT_FDCWD, path, 0, 0, 0, 0); }
static inline int t_ftruncate(int fd, long len) { return (int)T_SYS(T_NR_ftruncate, fd, len, 0, 0, 0, 0); }
/* The raw program break: brk(0) reports it, brk(a) tries to move it there. */
static inline unsigned long t_brk(unsigned long addr) { return (unsigned long)T_SYS(T_NR_brk, addr, 0, 0, 0, 0, 0); }
static inline long t_mmap(void *addr, size_t len, int prot, int flags) { return T_SYS(T_NR_mmap, addr, len, prot, flags, -1, 0); }
static inline int t_munmap(void *addr, size_t len) { return (int)T_SYS(T_NR_munmap, addr, len, 0, 0, 0, 0); }
static inline int t_getpid(void) { return (int)T_SYS(T_NR_getpid, 0, 0, 0, 0, 0, 0); }
#ifdef T_FORK_BY_CLONE
static inline int t_fork(void) { return (int)T_SYS(T_NR_clone, 17 /* SIGCHLD */, 0, 0, 0, 0, 0); }
#else
static inline int t_fork(void) { return (int)T_SYS(T_NR_fork, 0, 0, 0, 0, 0, 0); }
#endif
static inline int t_waitpid(int pid, int *status) { return (int)T_SYS(T_NR_wait4, pid, status, 0, 0, 0, 0); }
static inline void t_exit(int code)
{
    for (;;)
        T_SYS(T_NR_exit_group, code, 0, 0, 0, 0, 0);
}

static inline long t_read(int fd, void *buf, size_t n) { return T_SYS(T_NR_read, fd, buf, n, 0, 0, 0); }
static inline int t_symlink(const char *target, const char *path) { return (int)T_SYS(T_NR_symlinkat, target, T_AT_FDCWD, path, 0, 0, 0); }
static inline int t_fcntl(int fd, int cmd) { return (int)T_SYS(T_NR_fcntl, fd, cmd, 0, 0, 0, 0); }
static inline int t_getuid(void) { return (int)T_SYS(T_NR_getuid, 0, 0, 0, 0, 0, 0); }
static inline int t_kill(int pid, int sig) { return (int)T_SYS(T_NR_kill, pid, sig, 0, 0, 0, 0); }
#define T_F_GETFD 1
#define T_F_GETFL 3

/* Becomes the unprivileged user "nobody" (65534); 0 on success. */
static inline int t_become_nobody(void)
{
    if (T_SYS(T_NR_setgid, 65534, 0, 0, 0, 0, 0) != 0)
        return -1;
    return (int)T_SYS(T_NR_setuid, 65534, 0, 0, 0, 0, 0);
}

/* Time: CLOCK_REALTIME (the clock of mq_timed*) in nanoseconds, and sleeping. */
struct t_timespec {
    long sec, nsec;
};
static inline long long t_now_ns(void)
{
    struct t_timespec ts;
    T_SYS(T_NR_clock_gettime, 0 /* CLOCK_REALTIME */, &ts, 0, 0, 0, 0);
    return ts.sec * 1000000000LL + ts.nsec;
}
static inline void t_sleep_ms(long ms)
{
    struct t_timespec ts = {ms / 1000, (ms % 1000) * 1000000L}, rem;
    while (T_SYS(T_NR_nanosleep, &ts, &rem, 0, 0, 0, 0) == -4 /* EINTR */)
        ts = rem;
}

/* Signals through raw rt_sigaction (ctests/arch.h: the kernel's struct). */
#define T_SA_SIGINFO 4UL
#define T_SIGUSR1 10
#define T_SIGUSR2 12
#define T_SI_MESGQ (-3)

/* Installs an SA_SIGINFO handler for sig; 0 on success. */
static inline int t_sigaction(int sig, void (*handler)(int, void *, void *))
{
    struct t_kernel_sigaction act = {0};
    act.handler = handler;
    act.flags = T_SA_SIGINFO | T_SA_RESTORER;
#if T_HAS_RESTORER
    act.restorer = T_RESTORER;
#endif
    return (int)T_SYS(T_NR_rt_sigaction, sig, &act, 0, 8, 0, 0);
}
/* Restores the default action of sig. */
static inline void t_sigdefault(int sig)
{
    struct t_kernel_sigaction act = {0};
    T_SYS(T_NR_rt_sigaction, sig, &act, 0, 8, 0, 0);
}

/* Reads a small decimal number from a file (/proc/sys/...); -1 if it cannot. */
static inline long t_read_number(const char *path)
{
    char buf[32];
    int fd = t_open(path, 0, 0);
    if (fd < 0)
        return -1;
    long n = t_read(fd, buf, sizeof buf - 1);
    t_close(fd);
    if (n <= 0)
        return -1;
    long v = 0;
    for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        v = v * 10 + (buf[i] - '0');
    return v;
}

/* Resident pages of this process: the second number of /proc/self/statm. */
static inline long t_rss_pages(void)
{
    char buf[96];
    int fd = t_open("/proc/self/statm", 0, 0);
    if (fd < 0)
        return -1;
    long n = t_read(fd, buf, sizeof buf - 1);
    t_close(fd);
    long i = 0, v = 0;
    while (i < n && buf[i] != ' ')
        i++;
    for (i++; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        v = v * 10 + (buf[i] - '0');
    return n > 0 ? v : -1;
}

/*
 * Builds a name unique to this test run in buf (at least 96 bytes):
 * <prefix><pid>-<tag>, e.g. "/minic-mq-1234-prio".
 */
static inline char *t_unique_name(char *buf, const char *prefix, const char *tag)
{
    int len = 0, pid = t_getpid(), digits[12], nd = 0;
    while (*prefix && len < 60)
        buf[len++] = *prefix++;
    do {
        digits[nd++] = pid % 10;
        pid /= 10;
    } while (pid);
    while (nd)
        buf[len++] = (char)('0' + digits[--nd]);
    buf[len++] = '-';
    while (*tag && len < 94)
        buf[len++] = *tag++;
    buf[len] = 0;
    return buf;
}

/* Resource limits (struct rlimit: soft, hard). */
struct t_rlimit {
    unsigned long cur, max;
};
#define T_RLIMIT_DATA 2
#define T_RLIMIT_AS 9
static inline int t_getrlimit(int resource, struct t_rlimit *r) { return (int)T_SYS(T_NR_getrlimit, resource, r, 0, 0, 0, 0); }
static inline int t_setrlimit(int resource, const struct t_rlimit *r) { return (int)T_SYS(T_NR_setrlimit, resource, r, 0, 0, 0, 0); }

/* An interval timer (ITIMER_REAL, SIGALRM) every `us` microseconds; 0 stops it. */
#define T_SIGALRM 14
static inline int t_itimer_us(long us)
{
    struct {
        long interval_sec, interval_usec, value_sec, value_usec;
    } it = {us / 1000000, us % 1000000, us / 1000000, us % 1000000};
    return (int)T_SYS(T_NR_setitimer, 0 /* ITIMER_REAL */, &it, 0, 0, 0, 0);
}

#define T_WTERMSIG(s) ((s) & 0x7f)
#define T_WIFEXITED(s) (T_WTERMSIG(s) == 0)
#define T_WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define T_SIGABRT 6
#define T_SIGBUS 7
#define T_SIGSEGV 11

/*
 * Runs fn(arg) in a forked child, which exits 0 if fn returns. Returns the
 * number of the signal that ended the child, 0 if it exited with status 0,
 * or 1000 + its exit status otherwise.
 */
static inline int t_run_child(void (*fn)(void *), void *arg)
{
    int pid = t_fork();
    if (pid == 0) {
        fn(arg);
        t_exit(0);
    }
    if (pid < 0)
        return -1;
    int status = 0;
    if (t_waitpid(pid, &status) != pid)
        return -2;
    if (T_WIFEXITED(status))
        return T_WEXITSTATUS(status) ? 1000 + T_WEXITSTATUS(status) : 0;
    return T_WTERMSIG(status);
}

#endif /* MINIC_TEST_SUPPORT_H */
