//! x86 (32-bit, i686).

/// A 32-bit address space.
pub const ADDRESS_BITS: u32 = 32;

/// The time-stamp counter.
#[inline]
pub fn cycles() -> u64 {
    // SAFETY: rdtsc has no preconditions on the i686 processors Rust targets.
    unsafe { core::arch::x86::_rdtsc() }
}

/// [`cycles`]: about 2^31 a second at the clock rates of today's machines.
#[inline]
pub fn ticks() -> u64 {
    cycles()
}

/// The thread pointer: the i386 TLS ABI puts the thread control block's
/// address in its own first word, `%gs:0` (glibc and musl alike).
#[cfg(not(feature = "freestanding"))]
#[inline]
pub fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: every thread of a hosted process has a TCB whose first word
    // points to itself.
    unsafe {
        core::arch::asm!("mov {}, dword ptr gs:0", out(reg) tp, options(nostack, readonly, preserves_flags))
    };
    tp
}

/// Linux's i386 system call numbers, under the names the `sc` crate gives
/// other architectures. The port's `mmap` and `fstat` are `mmap2` (the
/// offset in pages, converted by [`syscall`]) and `fstat64` (`struct
/// stat64`, see `abi::stat`).
#[cfg(all(target_os = "linux", not(feature = "port-extern")))]
#[allow(missing_docs)]
pub mod nr {
    pub const MMAP: usize = 192;
    pub const MUNMAP: usize = 91;
    pub const MREMAP: usize = 163;
    pub const MPROTECT: usize = 125;
    pub const MSYNC: usize = 144;
    pub const MLOCK: usize = 150;
    pub const MUNLOCK: usize = 151;
    pub const MLOCKALL: usize = 152;
    pub const MUNLOCKALL: usize = 153;
    pub const MADVISE: usize = 219;
    pub const MINCORE: usize = 218;
    pub const MEMFD_CREATE: usize = 356;
    pub const BRK: usize = 45;
    pub const OPENAT: usize = 295;
    pub const UNLINKAT: usize = 301;
    pub const CLOSE: usize = 6;
    pub const FTRUNCATE: usize = 93;
    pub const FSTAT: usize = 197;
    pub const FCNTL: usize = 55;
    pub const WRITE: usize = 4;
    pub const EXIT_GROUP: usize = 252;
    pub const GETPID: usize = 20;
    pub const GETTID: usize = 224;
    pub const TGKILL: usize = 270;
    pub const RT_SIGPROCMASK: usize = 175;
    pub const RT_SIGACTION: usize = 174;
    pub const FUTEX: usize = 240;
    pub const PRLIMIT64: usize = 340;
    pub const GETRANDOM: usize = 355;
    pub const MQ_OPEN: usize = 277;
    pub const MQ_UNLINK: usize = 278;
    pub const MQ_TIMEDSEND: usize = 279;
    pub const MQ_TIMEDRECEIVE: usize = 280;
    pub const MQ_NOTIFY: usize = 281;
    pub const MQ_GETSETATTR: usize = 282;
    pub const SOCKET: usize = 359;
    pub const RECVFROM: usize = 371;
    pub const CLOCK_GETTIME: usize = 265;
}

/// One Linux system call through `int 0x80`: number in `eax`, arguments in
/// `ebx, ecx, edx, esi, edi, ebp`, the result in `eax`.
///
/// # Safety
/// As the system call's own contract.
#[cfg(all(target_os = "linux", not(feature = "port-extern")))]
#[inline]
pub unsafe fn syscall(nr: usize, args: &[usize]) -> usize {
    let mut regs = [0usize; 7];
    regs[0] = nr;
    regs[1..=args.len()].copy_from_slice(args);
    if nr == nr::MMAP {
        // mmap2 takes the offset in 4096-byte units.
        regs[6] /= 4096;
    }
    let ret: usize;
    // SAFETY: ebx, esi, edi and ebp (which LLVM may reserve) are saved and
    // restored around the call; the kernel preserves every other register
    // but eax. Memory effects are the caller's contract.
    unsafe {
        core::arch::asm!(
            "push ebp",
            "push ebx",
            "push esi",
            "push edi",
            "mov ebx, [eax + 4]",
            "mov ecx, [eax + 8]",
            "mov edx, [eax + 12]",
            "mov esi, [eax + 16]",
            "mov edi, [eax + 20]",
            "mov ebp, [eax + 24]",
            "mov eax, [eax]",
            "int 0x80",
            "pop edi",
            "pop esi",
            "pop ebx",
            "pop ebp",
            inout("eax") regs.as_ptr() => ret,
            out("ecx") _,
            out("edx") _,
        );
    }
    ret
}
