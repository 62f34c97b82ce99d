//! The values minic exchanges with a kernel and with C programs: flag and
//! error numbers, and the layout of the structures passed across.
//!
//! They are minic's own, defined once here and used by every other module,
//! so that a build needs no C library's definitions (a bare-metal target has
//! none). They are Linux's values for the target architecture: a port for
//! another kernel receives exactly these (PORTING.md, "Architectures and ABI
//! values"), and the C headers in `include/` carry the same numbers. Where
//! Linux differs between architectures, the value follows the target:
//!
//! | item | x86_64, x86, riscv64 | aarch64 |
//! |---|---|---|
//! | `O_DIRECTORY` | `0o200000` | `0o40000` |
//! | `O_NOFOLLOW` | `0o400000` | `0o100000` |
//!
//! `struct stat` has three layouts ([`stat`]); `long`, `time_t` and the
//! structures built of them are 32 bits wide on x86 (`i686`), 64 elsewhere.
//! On Linux targets the test suite checks every value against the `libc`
//! crate's.

#![allow(non_camel_case_types)]

pub use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};

/// File permission bits (`mode_t`).
pub type mode_t = c_uint;
/// File offsets and lengths (`off_t`): `long`, 32 bits on x86 as in
/// minic's `<minic/types.h>` and glibc without `_FILE_OFFSET_BITS=64`.
pub type off_t = c_long;
/// The 64-bit file offset of `mmap64` (`off64_t`).
pub type off64_t = i64;
/// Seconds since the epoch: `long` (32 bits on x86, as the kernel's
/// `__kernel_old_time_t` that `clock_gettime` and `mq_timed*` use there).
pub type time_t = c_long;

/// `secs` as a [`time_t`]: where that is 32 bits (x86), seconds past 2038
/// saturate.
#[allow(clippy::unnecessary_cast)]
pub const fn time_t_saturating(secs: i64) -> time_t {
    if secs > time_t::MAX as i64 {
        time_t::MAX
    } else if secs < time_t::MIN as i64 {
        time_t::MIN
    } else {
        secs as time_t
    }
}

/// A point in time or a duration, as `clock_gettime(2)` and `mq_timedsend(3)`
/// take it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct timespec {
    /// Whole seconds.
    pub tv_sec: time_t,
    /// Nanoseconds, `0..1_000_000_000`.
    pub tv_nsec: c_long,
}

/// What `mallinfo2(3)` reports (every field a `size_t`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct mallinfo2 {
    /// Bytes mapped for small blocks.
    pub arena: usize,
    /// Free chunks.
    pub ordblks: usize,
    /// Free fastbin blocks.
    pub smblks: usize,
    /// Large blocks in their own mappings.
    pub hblks: usize,
    /// Bytes in large blocks' mappings.
    pub hblkhd: usize,
    /// Unused (0).
    pub usmblks: usize,
    /// Bytes in free fastbin blocks.
    pub fsmblks: usize,
    /// Bytes in use.
    pub uordblks: usize,
    /// Free bytes.
    pub fordblks: usize,
    /// Bytes that `malloc_trim` could give back.
    pub keepcost: usize,
}

/// What `mallinfo(3)` reports: [`mallinfo2`]'s fields as `int`s.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct mallinfo {
    pub arena: c_int,
    pub ordblks: c_int,
    pub smblks: c_int,
    pub hblks: c_int,
    pub hblkhd: c_int,
    pub usmblks: c_int,
    pub fsmblks: c_int,
    pub uordblks: c_int,
    pub fordblks: c_int,
    pub keepcost: c_int,
}

/// The kernel's `struct stat` as `fstat(2)` fills it: Linux's x86_64 layout.
#[cfg(target_arch = "x86_64")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    __pad0: i32,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: i64,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: i64,
    pub st_mtime: i64,
    pub st_mtime_nsec: i64,
    pub st_ctime: i64,
    pub st_ctime_nsec: i64,
    __unused: [i64; 3],
}

/// The kernel's `struct stat` as `fstat(2)` fills it: Linux's generic layout
/// (`asm-generic/stat.h`), which aarch64 and riscv64 use.
#[cfg(any(target_arch = "aarch64", target_arch = "riscv64"))]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    __pad1: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    __pad2: i32,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: u64,
    pub st_mtime: i64,
    pub st_mtime_nsec: u64,
    pub st_ctime: i64,
    pub st_ctime_nsec: u64,
    __unused: [u32; 2],
}

/// The kernel's `struct stat64` as `fstat64(2)` fills it on x86 (32-bit):
/// the port's `fstat` is that call there, so that sizes past 2 GiB fit.
/// 64-bit fields are 4-byte aligned, as in the i386 C ABI.
#[cfg(target_arch = "x86")]
#[repr(C, packed(4))]
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct stat {
    pub st_dev: u64,
    __pad0: u32,
    __st_ino: u32,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    __pad3: u32,
    pub st_size: i64,
    pub st_blksize: u32,
    pub st_blocks: u64,
    pub st_atime: u32,
    pub st_atime_nsec: u32,
    pub st_mtime: u32,
    pub st_mtime_nsec: u32,
    pub st_ctime: u32,
    pub st_ctime_nsec: u32,
    pub st_ino: u64,
}

#[cfg(target_arch = "x86")]
const _: () = assert!(core::mem::size_of::<stat>() == 96);
#[cfg(target_arch = "x86")]
const _: () = assert!(core::mem::offset_of!(stat, st_size) == 44);

// Error numbers (asm-generic/errno-base.h and errno.h: the same on every
// architecture minic builds for).
macro_rules! constants {
    ($ty:ty: $($name:ident = $value:expr,)*) => {
        $(
            #[allow(missing_docs)]
            pub const $name: $ty = $value;
        )*
    };
}

constants! { c_int:
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11,
    ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19,
    ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ETXTBSY = 26,
    EFBIG = 27, ENOSPC = 28, EROFS = 30, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
    ELOOP = 40, EOVERFLOW = 75, EMSGSIZE = 90, ENOTSUP = 95, ETIMEDOUT = 110,
}

// Memory mappings (asm-generic/mman-common.h, mman.h).
constants! { c_int:
    PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4,
    MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
    MAP_NORESERVE = 0x4000, MAP_SHARED_VALIDATE = 0x03, MAP_GROWSDOWN = 0x0100,
    MAP_LOCKED = 0x2000, MAP_POPULATE = 0x8000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000,
    MAP_FIXED_NOREPLACE = 0x100000,
    MAP_HUGE_SHIFT = 26, MAP_HUGE_MASK = 0x3f,
    MAP_HUGE_2MB = 21 << 26, MAP_HUGE_1GB = 30 << 26,
    MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2,
    MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4,
    MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
    MADV_DONTNEED = 4, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16,
    MADV_DODUMP = 17, MADV_COLD = 20, MADV_PAGEOUT = 21,
    POSIX_MADV_NORMAL = 0, POSIX_MADV_RANDOM = 1, POSIX_MADV_SEQUENTIAL = 2,
    POSIX_MADV_WILLNEED = 3, POSIX_MADV_DONTNEED = 4,
}
/// `mmap`'s failure value, `(void *)-1`.
pub const MAP_FAILED: *mut c_void = !0 as *mut c_void;
/// `memfd_create` flag.
pub const MFD_CLOEXEC: c_uint = 1;

// Open flags and file control (asm-generic/fcntl.h; aarch64 below).
constants! { c_int:
    O_ACCMODE = 0o3, O_RDONLY = 0, O_WRONLY = 0o1, O_RDWR = 0o2, O_CREAT = 0o100,
    O_EXCL = 0o200, O_TRUNC = 0o1000, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000,
    AT_FDCWD = -100, F_GETFD = 1, F_DUPFD_CLOEXEC = 1030,
}
#[cfg(not(target_arch = "aarch64"))]
constants! { c_int: O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, }
#[cfg(target_arch = "aarch64")]
constants! { c_int: O_DIRECTORY = 0o40000, O_NOFOLLOW = 0o100000, }
/// The longest file name component (`NAME_MAX`).
pub const NAME_MAX: c_int = 255;

// Signals and notification (asm-generic/signal.h, siginfo.h).
constants! { c_int:
    SIGABRT = 6, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12,
    SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2,
    SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2,
}

// Futexes, clocks, limits, sockets.
constants! { c_int:
    FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE_FLAG = 128,
    CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1,
    RLIMIT_STACK = 3,
    AF_NETLINK = 16, NETLINK_ROUTE = 0, SOCK_RAW = 3, SOCK_CLOEXEC = O_CLOEXEC,
    MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000,
}

/// Each value against the `libc` crate's, on the Linux target the tests run on.
#[cfg(all(test, target_os = "linux"))]
mod tests {
    use core::mem::{offset_of, size_of};

    macro_rules! same {
        ($($name:ident),* $(,)?) => {
            $(assert_eq!(super::$name as i128, libc::$name as i128, stringify!($name));)*
        };
    }

    #[test]
    fn constants_match_libc() {
        same!(
            EPERM,
            ENOENT,
            ESRCH,
            EINTR,
            EIO,
            EBADF,
            EAGAIN,
            ENOMEM,
            EACCES,
            EFAULT,
            EBUSY,
            EEXIST,
            ENODEV,
            ENOTDIR,
            EISDIR,
            EINVAL,
            ENFILE,
            EMFILE,
            ETXTBSY,
            EFBIG,
            ENOSPC,
            EROFS,
            ERANGE,
            ENAMETOOLONG,
            ENOSYS,
            ELOOP,
            EOVERFLOW,
            EMSGSIZE,
            ENOTSUP,
            ETIMEDOUT,
        );
        same!(
            PROT_NONE,
            PROT_READ,
            PROT_WRITE,
            PROT_EXEC,
            MAP_SHARED,
            MAP_PRIVATE,
            MAP_FIXED,
            MAP_ANONYMOUS,
            MAP_NORESERVE,
            MAP_SHARED_VALIDATE,
            MAP_GROWSDOWN,
            MAP_LOCKED,
            MAP_POPULATE,
            MAP_STACK,
            MAP_HUGETLB,
            MAP_FIXED_NOREPLACE,
            MAP_HUGE_SHIFT,
            MAP_HUGE_MASK,
            MAP_HUGE_2MB,
            MAP_HUGE_1GB,
            MREMAP_MAYMOVE,
            MREMAP_FIXED,
            MS_ASYNC,
            MS_INVALIDATE,
            MS_SYNC,
            MADV_NORMAL,
            MADV_RANDOM,
            MADV_SEQUENTIAL,
            MADV_WILLNEED,
            MADV_DONTNEED,
            MADV_HUGEPAGE,
            MADV_NOHUGEPAGE,
            MADV_DONTDUMP,
            MADV_DODUMP,
            MADV_COLD,
            MADV_PAGEOUT,
            POSIX_MADV_NORMAL,
            POSIX_MADV_RANDOM,
            POSIX_MADV_SEQUENTIAL,
            POSIX_MADV_WILLNEED,
            POSIX_MADV_DONTNEED,
            MFD_CLOEXEC,
        );
        same!(
            O_ACCMODE,
            O_RDONLY,
            O_WRONLY,
            O_RDWR,
            O_CREAT,
            O_EXCL,
            O_TRUNC,
            O_NONBLOCK,
            O_CLOEXEC,
            O_DIRECTORY,
            O_NOFOLLOW,
            AT_FDCWD,
            F_GETFD,
            F_DUPFD_CLOEXEC,
            NAME_MAX,
        );
        same!(
            SIGABRT,
            SIGKILL,
            SIGUSR1,
            SIGUSR2,
            SIG_BLOCK,
            SIG_UNBLOCK,
            SIG_SETMASK,
            SIGEV_SIGNAL,
            SIGEV_NONE,
            SIGEV_THREAD,
            FUTEX_WAIT,
            FUTEX_WAKE,
            FUTEX_PRIVATE_FLAG,
            CLOCK_REALTIME,
            CLOCK_MONOTONIC,
            RLIMIT_STACK,
            AF_NETLINK,
            NETLINK_ROUTE,
            SOCK_RAW,
            SOCK_CLOEXEC,
            MSG_WAITALL,
            MSG_NOSIGNAL,
        );
        assert_eq!(super::MAP_FAILED, libc::MAP_FAILED);
    }

    #[test]
    fn layouts_match_libc() {
        assert_eq!(size_of::<super::timespec>(), size_of::<libc::timespec>());
        assert_eq!(
            offset_of!(super::timespec, tv_nsec),
            offset_of!(libc::timespec, tv_nsec)
        );
        assert_eq!(size_of::<super::mallinfo>(), size_of::<libc::mallinfo>());
        assert_eq!(
            offset_of!(super::mallinfo, keepcost),
            offset_of!(libc::mallinfo, keepcost)
        );
        assert_eq!(size_of::<super::mallinfo2>(), size_of::<libc::mallinfo2>());
        assert_eq!(
            offset_of!(super::mallinfo2, keepcost),
            offset_of!(libc::mallinfo2, keepcost)
        );
        #[cfg(not(target_arch = "x86"))]
        {
            assert_eq!(size_of::<super::stat>(), size_of::<libc::stat>());
            assert_eq!(
                offset_of!(super::stat, st_size),
                offset_of!(libc::stat, st_size)
            );
            assert_eq!(
                offset_of!(super::stat, st_mode),
                offset_of!(libc::stat, st_mode)
            );
        }
        #[cfg(target_arch = "x86")]
        {
            assert_eq!(size_of::<super::stat>(), size_of::<libc::stat64>());
            assert_eq!(
                offset_of!(super::stat, st_size),
                offset_of!(libc::stat64, st_size)
            );
        }
        assert_eq!(size_of::<super::mode_t>(), size_of::<libc::mode_t>());
        assert_eq!(size_of::<super::off_t>(), size_of::<libc::off_t>());
        assert_eq!(size_of::<super::off64_t>(), size_of::<libc::off64_t>());
        assert_eq!(size_of::<super::time_t>(), size_of::<libc::time_t>());
    }
}
