/*
 * Test support: the one layer through which the ctests reach the system
 * beyond minic's API (processes, files, signals, clocks, limits). Test
 * code, not API: it lets the same test sources run linked with the host C
 * library, freestanding on Linux, or over another kernel's port.
 *
 * On Linux it makes raw system calls (ctests/arch.h: the instruction and
 * the call numbers of each architecture). Built for the arena port
 * (-DMINIC_TEST_PORT_ARENA, ports/arena/), it reaches that kernel through
 * the port's own minic_sys_* functions, and everything that kernel lacks
 * fails with ENOSYS. A test says what it needs beyond minic and the port
 * with NEEDS(T_NEEDS_...) (harness.h): where the platform lacks it, the
 * test is counted as skipped, not run. What each need covers:
 */
#ifndef MINIC_TEST_SUPPORT_H
#define MINIC_TEST_SUPPORT_H

#include <stddef.h>

#include "arch.h"

#define T_NEEDS_PROCESSES 0x01 /* a second process: fork, wait4, kill, other users */
#define T_NEEDS_SIGNALS 0x02   /* signal handlers and interval timers */
#define T_NEEDS_MMU 0x04       /* faults on unmapped or protected pages, SIGBUS past a file's end */
#define T_NEEDS_FILES 0x08     /* files beyond /dev/shm: /tmp, /dev/null, /proc, symlinks */
#define T_NEEDS_LIMITS 0x10    /* resource limits, the program break, address-space layout */
#define T_NEEDS_CLOCK 0x20     /* the real-time clock and sleeping */
#define T_NEEDS_THREADS 0x40   /* threads sharing the address space (raw clone) */
#define T_NEEDS_ALL 0x7f

#ifdef MINIC_TEST_PORT_ARENA
#include "arena.h"
/* The arena port: one process, one thread, no MMU, only /dev/shm. */
#define T_PLATFORM_HAS 0
#elif defined(__x86_64__)
#define T_PLATFORM_HAS T_NEEDS_ALL
#else
/* Raw clone threads (t_thread_start) are written for x86_64 only. */
#define T_PLATFORM_HAS (T_NEEDS_ALL & ~T_NEEDS_THREADS)
#endif

#ifndef MINIC_TEST_PORT_ARENA
#define T_SYS(n, a, b, c, d, e, f) \
    t_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#else
/* The calls the arena kernel has, through its port; ENOSYS for the rest. */
long minic_sys_write(int, const void *, size_t);
long minic_sys_exit_group(int);
long minic_sys_openat(int, const char *, int, unsigned);
long minic_sys_close(int);
long minic_sys_unlinkat(int, const char *, int);
long minic_sys_ftruncate(int, long);
long minic_sys_fcntl(int, int, long);
long minic_sys_getpid(void);
long minic_sys_mmap(void *, size_t, int, int, int, long);
long minic_sys_munmap(void *, size_t);
static inline long t_port_call(long n, long a, long b, long c, long d)
{
    switch (n) {
    case T_NR_write: return minic_sys_write((int)a, (const void *)b, (size_t)c);
    case T_NR_close: return minic_sys_close((int)a);
    case T_NR_mmap: return minic_sys_mmap((void *)a, (size_t)b, (int)c, (int)d, -1, 0);
    case T_NR_munmap: return minic_sys_munmap((void *)a, (size_t)b);
    case T_NR_getpid: return minic_sys_getpid();
    case T_NR_fcntl: return minic_sys_fcntl((int)a, (int)b, c);
    case T_NR_ftruncate: return minic_sys_ftruncate((int)a, b);
    case T_NR_exit_group: return minic_sys_exit_group((int)a);
    case T_NR_openat: return minic_sys_openat((int)a, (const char *)b, (int)c, (unsigned)d);
    case T_NR_unlinkat: return minic_sys_unlinkat((int)a, (const char *)b, (int)c);
    default: return -38; /* ENOSYS */
    }
}
#define T_SYS(n, a, b, c, d, e, f) \
    ((void)(e), (void)(f), t_port_call((n), (long)(a), (long)(b), (long)(c), (long)(d)))
#endif

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
static inline int t_dup(int fd) { return (int)T_SYS(T_NR_dup, fd, 0, 0, 0, 0, 0); }
/* dup2 as dup3 (the generic table has no dup2), which refuses fd == to. */
static inline int t_dup2(int fd, int to)
{
    return fd == to ? fd : (int)T_SYS(T_NR_dup3, fd, to, 0, 0, 0, 0);
}
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
/* 0 where there is no clock (a deadline from it is then long past). */
static inline long long t_now_ns(void)
{
    struct t_timespec ts = {0, 0};
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

/* A message-queue limit of the kernel: "msg_max", "msgsize_max",
 * "msg_default" or "msgsize_default"; -1 if unknown. */
static inline long t_mq_limit(const char *which)
{
#ifdef MINIC_TEST_PORT_ARENA
    static const struct {
        const char *name;
        long value;
    } limits[] = {{"msg_max", ARENA_MQ_MSG_MAX}, {"msgsize_max", ARENA_MQ_MSGSIZE_MAX},
                  {"msg_default", ARENA_MQ_MSG_DEFAULT}, {"msgsize_default", ARENA_MQ_MSGSIZE_DEFAULT}};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        const char *a = limits[i].name, *b = which;
        while (*a && *a == *b)
            a++, b++;
        if (*a == *b)
            return limits[i].value;
    }
    return -1;
#else
    char path[64] = "/proc/sys/fs/mqueue/";
    size_t n = 20;
    while (*which && n < sizeof path - 1)
        path[n++] = *which++;
    path[n] = 0;
    return t_read_number(path);
#endif
}

/* Puts the n pointers of p in a random order, the same for the same seed. */
static inline void t_shuffle(void **p, int n, unsigned seed)
{
    for (int i = n - 1; i > 0; i--) {
        seed = seed * 1103515245 + 12345;
        int j = (int)((seed >> 8) % (unsigned)(i + 1));
        void *x = p[i];
        p[i] = p[j];
        p[j] = x;
    }
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

/*
 * Threads without TLS: raw clone(2) sharing the address space, with no
 * thread pointer set (as on a young kernel). t_thread_start runs fn(arg) on
 * a fresh stack; t_thread_join waits for it to end (the kernel clears the
 * tid word at exit: CLONE_CHILD_CLEARTID). Only minic's freestanding
 * libraries may be used from such threads: a host C library needs TLS.
 */
struct t_thread {
    volatile int tid; /* non-zero while the thread runs */
    void *stack;
};
enum { T_THREAD_STACK = 256 * 1024 };
#if defined(__x86_64__) && !defined(MINIC_TEST_PORT_ARENA)
long t_clone_raw(unsigned long flags, void *stack_top, volatile int *ptid, volatile int *ctid,
                 void (*fn)(void *), void *arg);
__asm__(".text\n"
        ".type t_clone_raw, @function\n"
        "t_clone_raw:\n"
        "    sub $16, %rsi\n"
        "    mov %r8, 0(%rsi)\n"  /* fn and arg, on the new stack */
        "    mov %r9, 8(%rsi)\n"
        "    mov %rcx, %r10\n"    /* the child's tid word */
        "    xor %r8d, %r8d\n"    /* no TLS */
        "    mov $56, %eax\n"     /* clone */
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    xor %ebp, %ebp\n"    /* the new thread */
        "    pop %rax\n"
        "    pop %rdi\n"
        "    call *%rax\n"
        "    xor %edi, %edi\n"
        "    mov $60, %eax\n"     /* exit: this thread only */
        "    syscall\n"
        "    hlt\n"
        "1:  ret\n"
        ".size t_clone_raw, . - t_clone_raw\n");
#else
/* Elsewhere T_PLATFORM_HAS lacks T_NEEDS_THREADS: no thread starts. */
static inline long t_clone_raw(unsigned long flags, void *stack_top, volatile int *ptid,
                               volatile int *ctid, void (*fn)(void *), void *arg)
{
    (void)flags, (void)stack_top, (void)ptid, (void)ctid, (void)fn, (void)arg;
    return -38; /* ENOSYS */
}
#endif

static inline int t_thread_start(struct t_thread *t, void (*fn)(void *), void *arg)
{
    long stack = t_mmap(0, T_THREAD_STACK, 3 /* PROT_READ|WRITE */, 0x22 /* PRIVATE|ANONYMOUS */);
    if (stack < 0 && stack > -4096)
        return (int)stack;
    t->stack = (void *)stack;
    /* VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|PARENT_SETTID|CHILD_CLEARTID */
    unsigned long flags = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x100000 | 0x200000;
    long r = t_clone_raw(flags, (char *)stack + T_THREAD_STACK, &t->tid, &t->tid, fn, arg);
    if (r < 0) {
        t_munmap(t->stack, T_THREAD_STACK);
        return (int)r;
    }
    return 0;
}

static inline void t_thread_join(struct t_thread *t)
{
    struct t_timespec ms = {0, 1000000};
    for (int v; (v = t->tid) != 0;)
        T_SYS(T_NR_futex, &t->tid, 0 /* FUTEX_WAIT */, v, &ms, 0, 0);
    t_munmap(t->stack, T_THREAD_STACK);
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
