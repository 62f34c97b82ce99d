//! The port layer: the one module through which minic reaches the kernel.
//!
//! Every kernel call minic makes is declared once, in the table below. On
//! Linux each entry becomes a raw system call instruction (through the `sc`
//! crate; on x86 through [`arch`]); with the `port-extern` feature each becomes a call to an
//! `extern "C"` function `minic_sys_<name>` that the operating system
//! provides (PORTING.md gives their contracts). Both sides follow the Linux
//! convention: a result in `[-4095, -1]` is `-errno`, anything else is success.
//!
//! Nothing outside this module issues a system call. The values passed
//! across are minic's own ([`abi`]), and everything specific to a processor
//! architecture is in [`arch`].

pub mod abi;
pub mod arch;

use crate::errno::Errno;
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

/// The page size of the target. Linux/x86_64 and every port so far use 4 KiB;
/// a port with another size changes this constant.
pub const PAGE_SIZE: usize = 4096;

/// Turns a raw kernel return value into a `Result`.
///
/// Linux reports failure as a value in `[-4095, -1]`; every other value,
/// including large "negative-looking" addresses returned by `mmap`, is success.
#[inline]
pub fn decode(ret: usize) -> Result<usize, Errno> {
    if ret > (-4096isize) as usize {
        Err(Errno(ret.wrapping_neg() as c_int))
    } else {
        Ok(ret)
    }
}

/// Declares each kernel call once and derives both backends from it.
macro_rules! port_calls {
    ($( $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) = $nr:ident; )*) => {
        $(
            $(#[$doc])*
            ///
            /// # Safety
            /// The caller upholds the kernel call's contract: pointers valid for
            /// the access the call makes, mappings it unmaps owned by the caller.
            #[inline]
            // A configuration uses only the calls its features need (brk only
            // for the linear allocator, mq_* only for message queues, ...).
            #[allow(dead_code, clippy::too_many_arguments)]
            pub unsafe fn $name($($arg: $ty),*) -> Result<usize, Errno> {
                // SAFETY: forwarded from this function's own contract.
                decode(unsafe { backend::$name($($arg),*) })
            }
        )*

        #[cfg(all(target_os = "linux", not(target_arch = "x86"), not(feature = "port-extern")))]
        mod backend {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[inline(always)]
                #[allow(dead_code)]
                pub unsafe fn $name($($arg: $ty),*) -> usize {
                    // SAFETY: the syscall instruction itself is sound; the
                    // memory effects are the caller's contract (see above).
                    unsafe { sc::syscall!($nr $(, $arg)*) }
                }
            )*
        }

        #[cfg(all(target_os = "linux", target_arch = "x86", not(feature = "port-extern")))]
        mod backend {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[inline(always)]
                #[allow(dead_code)]
                pub unsafe fn $name($($arg: $ty),*) -> usize {
                    // SAFETY: forwarded from the caller's contract (see above).
                    unsafe { arch::syscall(arch::nr::$nr, &[$($arg as usize),*]) }
                }
            )*
        }

        #[cfg(feature = "port-extern")]
        mod backend {
            #[allow(unused_imports)]
            use super::*;
            extern "C" {
                $(
                    #[link_name = concat!("minic_sys_", stringify!($name))]
                    pub fn $name($($arg: $ty),*) -> usize;
                )*
            }
        }
    };
}

#[cfg(not(any(target_os = "linux", feature = "port-extern")))]
compile_error!("minic reaches a kernel other than Linux only through the port-extern feature");

port_calls! {
    /// mmap(2).
    fn mmap(addr: *mut c_void, len: usize, prot: c_int, flags: c_int, fd: c_int, off: c_long) = MMAP;
    /// munmap(2).
    fn munmap(addr: *mut c_void, len: usize) = MUNMAP;
    /// mremap(2); `new_addr` is only read with MREMAP_FIXED.
    fn mremap(old: *mut c_void, old_len: usize, new_len: usize, flags: c_int, new_addr: *mut c_void) = MREMAP;
    /// mprotect(2).
    fn mprotect(addr: *mut c_void, len: usize, prot: c_int) = MPROTECT;
    /// msync(2).
    fn msync(addr: *mut c_void, len: usize, flags: c_int) = MSYNC;
    /// mlock(2).
    fn mlock(addr: *const c_void, len: usize) = MLOCK;
    /// munlock(2).
    fn munlock(addr: *const c_void, len: usize) = MUNLOCK;
    /// mlockall(2).
    fn mlockall(flags: c_int) = MLOCKALL;
    /// munlockall(2).
    fn munlockall() = MUNLOCKALL;
    /// madvise(2).
    fn madvise(addr: *mut c_void, len: usize, advice: c_int) = MADVISE;
    /// mincore(2).
    fn mincore(addr: *mut c_void, len: usize, vec: *mut u8) = MINCORE;
    /// memfd_create(2).
    fn memfd_create(name: *const c_char, flags: c_uint) = MEMFD_CREATE;
    /// brk(2), raw: returns the new break, or the old one when it cannot move.
    fn brk(addr: *mut c_void) = BRK;
    /// openat(2).
    fn openat(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) = OPENAT;
    /// unlinkat(2).
    fn unlinkat(dirfd: c_int, path: *const c_char, flags: c_int) = UNLINKAT;
    /// close(2).
    fn close(fd: c_int) = CLOSE;
    /// ftruncate(2).
    fn ftruncate(fd: c_int, len: c_long) = FTRUNCATE;
    /// fstat(2), into the kernel's `struct stat`.
    fn fstat(fd: c_int, st: *mut c_void) = FSTAT;
    /// fcntl(2) with an integer argument.
    fn fcntl(fd: c_int, cmd: c_int, arg: c_long) = FCNTL;
    /// write(2).
    fn write(fd: c_int, buf: *const c_void, len: usize) = WRITE;
    /// exit_group(2): ends every thread of the process.
    fn exit_group(status: c_int) = EXIT_GROUP;
    /// getpid(2).
    fn getpid() = GETPID;
    /// gettid(2).
    fn gettid() = GETTID;
    /// tgkill(2).
    fn tgkill(tgid: c_int, tid: c_int, sig: c_int) = TGKILL;
    /// rt_sigprocmask(2) with the kernel's sigset size.
    fn rt_sigprocmask(how: c_int, set: *const c_void, old: *mut c_void, sigsetsize: usize) = RT_SIGPROCMASK;
    /// rt_sigaction(2) with the kernel's `struct sigaction` layout.
    fn rt_sigaction(sig: c_int, act: *const c_void, old: *mut c_void, sigsetsize: usize) = RT_SIGACTION;
    /// futex(2).
    fn futex(uaddr: *const u32, op: c_int, val: u32, timeout: *const c_void, uaddr2: *const u32, val3: u32) = FUTEX;
    /// prlimit64(2): reads (and optionally sets) a resource limit.
    fn prlimit64(pid: c_int, resource: c_int, new: *const c_void, old: *mut c_void) = PRLIMIT64;
    /// getrandom(2).
    fn getrandom(buf: *mut c_void, len: usize, flags: c_uint) = GETRANDOM;
    /// mq_open(2) (the kernel's, without the leading-slash handling).
    fn mq_open(name: *const c_char, oflag: c_int, mode: c_uint, attr: *const c_void) = MQ_OPEN;
    /// mq_unlink(2).
    fn mq_unlink(name: *const c_char) = MQ_UNLINK;
    /// mq_timedsend(2).
    fn mq_timedsend(mqd: c_int, msg: *const c_char, len: usize, prio: c_uint, timeout: *const c_void) = MQ_TIMEDSEND;
    /// mq_timedreceive(2).
    fn mq_timedreceive(mqd: c_int, msg: *mut c_char, len: usize, prio: *mut c_uint, timeout: *const c_void) = MQ_TIMEDRECEIVE;
    /// mq_notify(2).
    fn mq_notify(mqd: c_int, sev: *const c_void) = MQ_NOTIFY;
    /// mq_getsetattr(2).
    fn mq_getsetattr(mqd: c_int, new: *const c_void, old: *mut c_void) = MQ_GETSETATTR;
    /// socket(2): the netlink socket of a SIGEV_THREAD message-queue notification.
    fn socket(domain: c_int, kind: c_int, protocol: c_int) = SOCKET;
    /// recvfrom(2).
    fn recvfrom(fd: c_int, buf: *mut c_void, len: usize, flags: c_int, from: *mut c_void, fromlen: *mut c_uint) = RECVFROM;
    /// clock_gettime(2): the Rust message-queue API turns a relative timeout
    /// into the kernel's absolute `CLOCK_REALTIME` deadline with it.
    fn clock_gettime(clock: c_int, tp: *mut c_void) = CLOCK_GETTIME;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_success_values() {
        assert_eq!(decode(0), Ok(0));
        assert_eq!(decode(42), Ok(42));
        // A high mapping address is not an error.
        assert_eq!(decode(0x7fff_ffff_f000), Ok(0x7fff_ffff_f000));
        assert_eq!(decode((-4096isize) as usize), Ok((-4096isize) as usize));
    }

    #[test]
    fn decode_error_range() {
        assert_eq!(decode(-1isize as usize), Err(Errno(1)));
        assert_eq!(decode(-22isize as usize), Err(Errno::EINVAL));
        assert_eq!(decode(-4095isize as usize), Err(Errno(4095)));
    }

    #[test]
    fn real_call_reports_errno() {
        // SAFETY: munmap of an unaligned address touches nothing; the kernel refuses it.
        let r = unsafe { munmap(1 as *mut c_void, 4096) };
        assert_eq!(r, Err(Errno::EINVAL));
        // SAFETY: closing an fd number that cannot be open.
        assert_eq!(unsafe { close(-1) }, Err(Errno::EBADF));
    }
}
