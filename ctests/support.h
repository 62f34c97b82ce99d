/*
 * Test support: raw Linux x86_64 system calls for what the tests need beyond
 * minic's API (fork, wait, files). Test code, not API: it lets the same test
 * sources run linked with the host C library or with no C library at all.
 */
#ifndef MINIC_TEST_SUPPORT_H
#define MINIC_TEST_SUPPORT_H

#include <stddef.h>

static inline long t_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define T_SYS(n, a, b, c, d, e, f) \
    t_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

enum {
    T_NR_read = 0, T_NR_write = 1, T_NR_close = 3, T_NR_mmap = 9, T_NR_munmap = 11, T_NR_brk = 12, T_NR_pread = 17, T_NR_pwrite = 18,
    T_NR_sched_yield = 24, T_NR_nanosleep = 35, T_NR_getpid = 39, T_NR_fork = 57,
    T_NR_exit = 60, T_NR_wait4 = 61, T_NR_kill = 62, T_NR_ftruncate = 77,
    T_NR_getrlimit = 97, T_NR_setrlimit = 160, T_NR_exit_group = 231, T_NR_openat = 257,
    T_NR_unlinkat = 263,
};

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
static inline int t_fork(void) { return (int)T_SYS(T_NR_fork, 0, 0, 0, 0, 0, 0); }
static inline int t_waitpid(int pid, int *status) { return (int)T_SYS(T_NR_wait4, pid, status, 0, 0, 0, 0); }
static inline void t_exit(int code)
{
    for (;;)
        T_SYS(T_NR_exit_group, code, 0, 0, 0, 0, 0);
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
