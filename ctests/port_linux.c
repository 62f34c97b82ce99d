/*
 * A port of minic written the way an operating system would write one: every
 * minic_sys_* function PORTING.md lists, implemented in C. This one happens
 * to sit on Linux system calls, so the ctests can run through it and prove
 * that the port-extern library reaches the kernel only through these
 * functions. Test code, not API.
 */
#include <stddef.h>
#include <stdint.h>

static long port_syscall(long n, long a, long b, long c, long d, long e, long f)
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

#define S(n, a, b, c, d, e, f) \
    port_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

long minic_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off) { return S(9, addr, len, prot, flags, fd, off); }
long minic_sys_munmap(void *addr, size_t len) { return S(11, addr, len, 0, 0, 0, 0); }
long minic_sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr) { return S(25, old, old_len, new_len, flags, new_addr, 0); }
long minic_sys_mprotect(void *addr, size_t len, int prot) { return S(10, addr, len, prot, 0, 0, 0); }
long minic_sys_msync(void *addr, size_t len, int flags) { return S(26, addr, len, flags, 0, 0, 0); }
long minic_sys_mlock(const void *addr, size_t len) { return S(149, addr, len, 0, 0, 0, 0); }
long minic_sys_munlock(const void *addr, size_t len) { return S(150, addr, len, 0, 0, 0, 0); }
long minic_sys_mlockall(int flags) { return S(151, flags, 0, 0, 0, 0, 0); }
long minic_sys_munlockall(void) { return S(152, 0, 0, 0, 0, 0, 0); }
long minic_sys_madvise(void *addr, size_t len, int advice) { return S(28, addr, len, advice, 0, 0, 0); }
long minic_sys_mincore(void *addr, size_t len, unsigned char *vec) { return S(27, addr, len, vec, 0, 0, 0); }
long minic_sys_memfd_create(const char *name, unsigned flags) { return S(319, name, flags, 0, 0, 0, 0); }
long minic_sys_brk(void *addr) { return S(12, addr, 0, 0, 0, 0, 0); }
long minic_sys_openat(int dirfd, const char *path, int flags, unsigned mode) { return S(257, dirfd, path, flags, mode, 0, 0); }
long minic_sys_unlinkat(int dirfd, const char *path, int flags) { return S(263, dirfd, path, flags, 0, 0, 0); }
long minic_sys_close(int fd) { return S(3, fd, 0, 0, 0, 0, 0); }
long minic_sys_ftruncate(int fd, long len) { return S(77, fd, len, 0, 0, 0, 0); }
long minic_sys_fstat(int fd, void *st) { return S(5, fd, st, 0, 0, 0, 0); }
long minic_sys_fcntl(int fd, int cmd, long arg) { return S(72, fd, cmd, arg, 0, 0, 0); }
long minic_sys_write(int fd, const void *buf, size_t len) { return S(1, fd, buf, len, 0, 0, 0); }
long minic_sys_exit_group(int status) { return S(231, status, 0, 0, 0, 0, 0); }
long minic_sys_getpid(void) { return S(39, 0, 0, 0, 0, 0, 0); }
long minic_sys_gettid(void) { return S(186, 0, 0, 0, 0, 0, 0); }
long minic_sys_tgkill(int tgid, int tid, int sig) { return S(234, tgid, tid, sig, 0, 0, 0); }
long minic_sys_rt_sigprocmask(int how, const void *set, void *old, size_t size) { return S(14, how, set, old, size, 0, 0); }
long minic_sys_rt_sigaction(int sig, const void *act, void *old, size_t size) { return S(13, sig, act, old, size, 0, 0); }
/* How many times minic asked to sleep on a lock (a test reads it: threads
 * that contend must sleep here, not spin or fail). */
long port_linux_futex_waits;
long minic_sys_futex(const uint32_t *uaddr, int op, uint32_t val, const void *timeout, const uint32_t *uaddr2, uint32_t val3)
{
    if ((op & 0x7f) == 0 /* FUTEX_WAIT */)
        __atomic_add_fetch(&port_linux_futex_waits, 1, __ATOMIC_RELAXED);
    return S(202, uaddr, op, val, timeout, uaddr2, val3);
}
long minic_sys_getrandom(void *buf, size_t len, unsigned flags) { return S(318, buf, len, flags, 0, 0, 0); }
long minic_sys_mq_open(const char *name, int oflag, unsigned mode, const void *attr) { return S(240, name, oflag, mode, attr, 0, 0); }
long minic_sys_mq_unlink(const char *name) { return S(241, name, 0, 0, 0, 0, 0); }
long minic_sys_mq_timedsend(int mqd, const char *msg, size_t len, unsigned prio, const void *timeout) { return S(242, mqd, msg, len, prio, timeout, 0); }
long minic_sys_mq_timedreceive(int mqd, char *msg, size_t len, unsigned *prio, const void *timeout) { return S(243, mqd, msg, len, prio, timeout, 0); }
long minic_sys_mq_notify(int mqd, const void *sev) { return S(244, mqd, sev, 0, 0, 0, 0); }
long minic_sys_mq_getsetattr(int mqd, const void *new_attr, void *old_attr) { return S(245, mqd, new_attr, old_attr, 0, 0, 0); }
long minic_sys_socket(int domain, int type, int protocol) { return S(41, domain, type, protocol, 0, 0, 0); }
long minic_sys_recvfrom(int fd, void *buf, size_t len, int flags, void *from, unsigned *fromlen) { return S(45, fd, buf, len, flags, from, fromlen); }
long minic_sys_clock_gettime(int clock, void *tp) { return S(228, clock, tp, 0, 0, 0, 0); }
long minic_sys_prlimit64(int pid, int resource, const void *new_limit, void *old_limit) { return S(302, pid, resource, new_limit, old_limit, 0, 0); }
