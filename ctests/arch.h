/*
 * Test support, per architecture: the raw system call, the Linux system call
 * numbers the tests use, and the kernel's struct sigaction and siginfo_t
 * offsets. Included by support.h; test code, not API.
 */
#ifndef MINIC_TEST_ARCH_H
#define MINIC_TEST_ARCH_H

#if defined(__x86_64__)
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
enum {
    T_NR_read = 0, T_NR_write = 1, T_NR_close = 3, T_NR_mmap = 9, T_NR_munmap = 11, T_NR_brk = 12,
    T_NR_rt_sigaction = 13, T_NR_rt_sigprocmask = 14, T_NR_rt_sigreturn = 15, T_NR_pread = 17,
    T_NR_pwrite = 18, T_NR_sched_yield = 24, T_NR_nanosleep = 35, T_NR_setitimer = 38,
    T_NR_getpid = 39, T_NR_fork = 57, T_NR_exit = 60, T_NR_wait4 = 61, T_NR_kill = 62,
    T_NR_fcntl = 72, T_NR_ftruncate = 77, T_NR_getrlimit = 97, T_NR_getuid = 102,
    T_NR_setuid = 105, T_NR_setgid = 106, T_NR_setrlimit = 160, T_NR_clock_gettime = 228,
    T_NR_exit_group = 231, T_NR_openat = 257, T_NR_unlinkat = 263, T_NR_symlinkat = 266,
    T_NR_dup = 32, T_NR_dup3 = 292, T_NR_futex = 202, T_NR_pipe2 = 293,
};
/* x86_64 needs a restorer that returns from a handler (SA_RESTORER). */
__asm__(".text\n"
        ".type t_sigreturn, @function\n"
        "t_sigreturn:\n"
        "    mov $15, %eax\n" /* rt_sigreturn */
        "    syscall\n"
        ".size t_sigreturn, . - t_sigreturn\n");
void t_sigreturn(void);
#define T_SA_RESTORER 0x04000000UL
#define T_RESTORER t_sigreturn
#define T_HAS_RESTORER 1

#elif defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
static inline long t_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
#else
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
                     : "memory");
    return a0;
#endif
}
/* Linux's generic system call table (asm-generic/unistd.h): no fork (clone
 * with SIGCHLD does it). */
enum {
    T_NR_read = 63, T_NR_write = 64, T_NR_close = 57, T_NR_mmap = 222, T_NR_munmap = 215,
    T_NR_brk = 214, T_NR_rt_sigaction = 134, T_NR_rt_sigprocmask = 135, T_NR_rt_sigreturn = 139,
    T_NR_pread = 67, T_NR_pwrite = 68, T_NR_sched_yield = 124, T_NR_nanosleep = 101,
    T_NR_setitimer = 103, T_NR_getpid = 172, T_NR_clone = 220, T_NR_exit = 93, T_NR_wait4 = 260,
    T_NR_kill = 129, T_NR_fcntl = 25, T_NR_ftruncate = 46, T_NR_getrlimit = 163,
    T_NR_getuid = 174, T_NR_setuid = 146, T_NR_setgid = 144, T_NR_setrlimit = 164,
    T_NR_clock_gettime = 113, T_NR_exit_group = 94, T_NR_openat = 56, T_NR_unlinkat = 35,
    T_NR_symlinkat = 36, T_NR_dup = 23, T_NR_dup3 = 24, T_NR_futex = 98,
    T_NR_pipe2 = 59,
};
#define T_FORK_BY_CLONE 1
/* The kernel returns from a handler through the vDSO's trampoline. */
#define T_SA_RESTORER 0UL
#define T_RESTORER 0
#if defined(__aarch64__)
#define T_HAS_RESTORER 1 /* the field exists; riscv's struct sigaction has none */
#else
#define T_HAS_RESTORER 0
#endif

#elif defined(__i386__)
/* int 0x80 with arguments in ebx, ecx, edx, esi, edi, ebp; ebx and ebp may be
 * the compiler's, so all six are loaded from memory and restored. */
static inline long t_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    long regs[7] = {n, a, b, c, d, e, f};
    long ret;
    __asm__ volatile("push %%ebp\n\tpush %%ebx\n\tpush %%esi\n\tpush %%edi\n\t"
                     "mov 4(%%eax), %%ebx\n\tmov 8(%%eax), %%ecx\n\tmov 12(%%eax), %%edx\n\t"
                     "mov 16(%%eax), %%esi\n\tmov 20(%%eax), %%edi\n\tmov 24(%%eax), %%ebp\n\t"
                     "mov (%%eax), %%eax\n\t"
                     "int $0x80\n\t"
                     "pop %%edi\n\tpop %%esi\n\tpop %%ebx\n\tpop %%ebp"
                     : "=a"(ret)
                     : "a"(regs)
                     : "ecx", "edx", "memory");
    return ret;
}
/* mmap is mmap2 (offset in pages; the tests pass 0), the uid calls their
 * 32-bit forms, getrlimit is ugetrlimit. */
enum {
    T_NR_read = 3, T_NR_write = 4, T_NR_close = 6, T_NR_mmap = 192, T_NR_munmap = 91,
    T_NR_brk = 45, T_NR_rt_sigaction = 174, T_NR_rt_sigprocmask = 175, T_NR_rt_sigreturn = 173,
    T_NR_pread = 180, T_NR_pwrite = 181, T_NR_sched_yield = 158, T_NR_nanosleep = 162,
    T_NR_setitimer = 104, T_NR_getpid = 20, T_NR_fork = 2, T_NR_exit = 1, T_NR_wait4 = 114,
    T_NR_kill = 37, T_NR_fcntl = 55, T_NR_ftruncate = 93, T_NR_getrlimit = 191,
    T_NR_getuid = 199, T_NR_setuid = 213, T_NR_setgid = 214, T_NR_setrlimit = 75,
    T_NR_clock_gettime = 265, T_NR_exit_group = 252, T_NR_openat = 295, T_NR_unlinkat = 301,
    T_NR_symlinkat = 304, T_NR_dup = 41, T_NR_dup3 = 330, T_NR_futex = 240,
    T_NR_pipe2 = 331,
};
#define T_SA_RESTORER 0UL
#define T_RESTORER 0
#define T_HAS_RESTORER 1
#else
#error "ctests/arch.h: no system calls for this architecture"
#endif

/* The kernel's struct sigaction (the mask is its 8-byte sigset). */
struct t_kernel_sigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
#if T_HAS_RESTORER
    void (*restorer)(void);
#endif
    unsigned long long mask;
};

/* The fields of siginfo_t that a message-queue notification fills: after
 * three ints, a union aligned to a pointer (pid, uid, then the value). */
#define T_SI_UNION(info) ((const char *)(info) + (sizeof(void *) == 8 ? 16 : 12))
#define T_SI_CODE(info) (((const int *)(info))[2])
#define T_SI_PID(info) (*(const int *)T_SI_UNION(info))
#define T_SI_VALUE(info) (*(void *const *)(T_SI_UNION(info) + 8))

#endif /* MINIC_TEST_ARCH_H */
