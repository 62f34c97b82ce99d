//! Memory mappings: the functions of `<sys/mman.h>`.
//!
//! [`Mapping`] is the safe, owning form: an anonymous or file-backed mapping
//! that is unmapped when dropped, with protect, advise, lock, sync and remap.
//! The functions are the Rust forms of the C calls (`Result<_, Errno>`); the C
//! ABI wrappers turn them into `-1`/`MAP_FAILED` plus `errno`. Checks the
//! kernel does not make, or makes differently from POSIX, are made here,
//! before the call.
//!
//! ```
//! use minic::mman::{Advice, Mapping};
//! let mut m = Mapping::anonymous(4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
//! m.as_mut_slice().unwrap().copy_from_slice(&[7; 4096]);
//! m.advise(Advice::Random)?;
//! # Ok::<(), minic::Errno>(())
//! ```

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use crate::errno::Errno;
use crate::flags::flag_set;
use crate::port;
use core::ffi::{c_int, c_void, CStr};

/// The C ABI (exported symbols); public so the header check can compare types.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

/// Largest length a mapping may have: anything at or above `PTRDIFF_MAX`
/// would make pointer differences inside it overflow.
const MAX_LEN: usize = isize::MAX as usize;

flag_set! {
    /// Memory protection (`PROT_*` of `<sys/mman.h>`): what a mapping's pages
    /// allow. `NONE` (the value 0) allows nothing.
    ///
    /// ```
    /// use minic::mman::{Mapping, Protection};
    /// let m = Mapping::anonymous(4096, Protection::READ | Protection::WRITE)?;
    /// assert!(m.protection().contains(Protection::WRITE));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub struct Protection: c_int, "minic::mman::Protection", READ {
        /// No access (`PROT_NONE`).
        const NONE = abi::PROT_NONE;
        /// Pages may be read (`PROT_READ`).
        const READ = abi::PROT_READ;
        /// Pages may be written (`PROT_WRITE`).
        const WRITE = abi::PROT_WRITE;
        /// Pages may be executed (`PROT_EXEC`).
        const EXEC = abi::PROT_EXEC;
    }
}

flag_set! {
    /// Mapping flags (`MAP_*` of `<sys/mman.h>`, Linux's): one of `SHARED`,
    /// `SHARED_VALIDATE` or `PRIVATE`, and any of the others.
    ///
    /// ```
    /// use minic::mman::MapFlags;
    /// let flags = MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::NORESERVE;
    /// assert_eq!(format!("{flags:?}"), "MapFlags(PRIVATE | ANONYMOUS | NORESERVE)");
    /// ```
    pub struct MapFlags: c_int, "minic::mman::MapFlags", PRIVATE {
        /// Writes reach the file and other mappings of it (`MAP_SHARED`).
        const SHARED = abi::MAP_SHARED;
        /// Writes stay private, copied on write (`MAP_PRIVATE`).
        const PRIVATE = abi::MAP_PRIVATE;
        /// `SHARED`, and unknown flags are `EOPNOTSUPP` instead of ignored (`MAP_SHARED_VALIDATE`).
        const SHARED_VALIDATE = abi::MAP_SHARED_VALIDATE;
        /// Memory not backed by a file, zero-filled (`MAP_ANONYMOUS`).
        const ANONYMOUS = abi::MAP_ANONYMOUS;
        /// Exactly at the address given, replacing what is there (`MAP_FIXED`).
        const FIXED = abi::MAP_FIXED;
        /// Exactly at the address given, `EEXIST` if it is in use (`MAP_FIXED_NOREPLACE`).
        const FIXED_NOREPLACE = abi::MAP_FIXED_NOREPLACE;
        /// Reserve no swap space; touching pages may then fail with `SIGSEGV` (`MAP_NORESERVE`).
        const NORESERVE = abi::MAP_NORESERVE;
        /// Fault all pages in now (`MAP_POPULATE`).
        const POPULATE = abi::MAP_POPULATE;
        /// Lock the pages in memory, as `mlock` (`MAP_LOCKED`).
        const LOCKED = abi::MAP_LOCKED;
        /// Back the mapping with huge pages from the kernel's pool (`MAP_HUGETLB`).
        const HUGETLB = abi::MAP_HUGETLB;
        /// With `HUGETLB`: 2 MiB pages (`MAP_HUGE_2MB`).
        const HUGE_2MB = abi::MAP_HUGE_2MB;
        /// With `HUGETLB`: 1 GiB pages (`MAP_HUGE_1GB`).
        const HUGE_1GB = abi::MAP_HUGE_1GB;
        /// A stack: grows down (`MAP_GROWSDOWN`).
        const GROWSDOWN = abi::MAP_GROWSDOWN;
        /// A thread stack (`MAP_STACK`; no effect on Linux today but the hint).
        const STACK = abi::MAP_STACK;
    }
}

/// Maps memory, as `mmap(2)`: returns the address of the new mapping.
///
/// Refuses, before the kernel sees them, an offset that is not a multiple of
/// the page size (`EINVAL`), a zero length (`EINVAL`) and a length of
/// `PTRDIFF_MAX` or more (`ENOMEM`); as Linux does, a file mapping's closed
/// or invalid descriptor is `EBADF` before either length error. A kernel
/// `EPERM` for a plain anonymous mapping (a sealed or policy-limited address
/// space) is reported as `ENOMEM`, the error POSIX gives for "no memory to
/// map".
///
/// # Safety
/// With `MAP_FIXED` the call replaces whatever was mapped at `addr`; the
/// caller must own that range.
///
/// ```
/// use minic::mman::{map, unmap};
/// let p = unsafe {
///     map(core::ptr::null_mut(), 4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE,
///         minic::mman::MapFlags::PRIVATE | minic::mman::MapFlags::ANONYMOUS, -1, 0)
/// }.unwrap();
/// unsafe { unmap(p, 4096) }.unwrap();
/// ```
pub unsafe fn map(
    addr: *mut c_void,
    len: usize,
    prot: Protection,
    flags: MapFlags,
    fd: c_int,
    offset: i64,
) -> Result<*mut c_void, Errno> {
    if offset as u64 % port::PAGE_SIZE as u64 != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 || len >= MAX_LEN {
        // Linux looks at a file mapping's descriptor before its length.
        let bad_descriptor = !flags.contains(MapFlags::ANONYMOUS) && {
            // SAFETY: F_GETFD only reads the descriptor's flags.
            let status = unsafe { port::fcntl(fd, abi::F_GETFD, 0) };
            status == Err(Errno::EBADF)
        };
        if bad_descriptor {
            return Err(Errno::EBADF);
        }
        return Err(if len == 0 {
            Errno::EINVAL
        } else {
            Errno::ENOMEM
        });
    }
    // The kernel's offset is a `long` (32 bits on x86).
    let offset = core::ffi::c_long::try_from(offset).map_err(|_| Errno::EOVERFLOW)?;
    // SAFETY: arguments forwarded; the MAP_FIXED contract is the caller's.
    match unsafe { port::mmap(addr, len, prot.bits(), flags.bits(), fd, offset) } {
        Ok(a) => Ok(a as *mut c_void),
        Err(Errno::EPERM)
            if addr.is_null()
                && flags.contains(MapFlags::ANONYMOUS)
                && !flags.contains(MapFlags::FIXED) =>
        {
            Err(Errno::ENOMEM)
        }
        Err(e) => Err(e),
    }
}

/// Removes mappings, as `munmap(2)`. A zero length is `EINVAL`.
///
/// # Safety
/// Nothing may use the range afterwards; the caller must own it.
///
/// ```
/// use minic::mman::{map, unmap};
/// let p = unsafe {
///     map(core::ptr::null_mut(), 4096, minic::mman::Protection::READ, minic::mman::MapFlags::PRIVATE | minic::mman::MapFlags::ANONYMOUS, -1, 0)
/// }?;
/// unsafe { unmap(p, 4096) }?;
/// assert_eq!(unsafe { unmap(p, 0) }, Err(minic::Errno::EINVAL));
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn unmap(addr: *mut c_void, len: usize) -> Result<(), Errno> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: the caller owns the range.
    unsafe { port::munmap(addr, len) }.map(drop)
}

/// Resizes or moves a mapping, as `mremap(2)`. `new_addr` is used only with
/// `MREMAP_FIXED`. A zero new length is `EINVAL`, one of `PTRDIFF_MAX` or
/// more is `ENOMEM`.
///
/// # Safety
/// The old range must be owned by the caller; with `MREMAP_MAYMOVE` its
/// address may change, so no pointer into it may be kept.
///
/// ```
/// use minic::mman::{map, remap, unmap};
/// let p = unsafe {
///     map(core::ptr::null_mut(), 4096, minic::mman::Protection::READ, minic::mman::MapFlags::PRIVATE | minic::mman::MapFlags::ANONYMOUS, -1, 0)
/// }?;
/// let q = unsafe { remap(p, 4096, 8192, minic::abi::MREMAP_MAYMOVE, core::ptr::null_mut()) }?;
/// unsafe { unmap(q, 8192) }?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn remap(
    old: *mut c_void,
    old_len: usize,
    new_len: usize,
    flags: c_int,
    new_addr: *mut c_void,
) -> Result<*mut c_void, Errno> {
    if new_len == 0 {
        return Err(Errno::EINVAL);
    }
    if new_len >= MAX_LEN {
        return Err(Errno::ENOMEM);
    }
    // SAFETY: the caller owns the old range (and new_addr's with MREMAP_FIXED).
    unsafe { port::mremap(old, old_len, new_len, flags, new_addr) }.map(|a| a as *mut c_void)
}

/// Changes access protection, as `mprotect(2)`.
///
/// # Safety
/// Removing access from memory that safe code still uses faults there.
///
/// ```
/// use minic::mman::{map, protect, unmap};
/// let p = unsafe {
///     map(core::ptr::null_mut(), 4096, minic::mman::Protection::READ, minic::mman::MapFlags::PRIVATE | minic::mman::MapFlags::ANONYMOUS, -1, 0)
/// }?;
/// unsafe { protect(p, 4096, minic::mman::Protection::NONE) }?;
/// unsafe { unmap(p, 4096) }?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn protect(addr: *mut c_void, len: usize, prot: Protection) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::mprotect(addr, len, prot.bits()) }.map(drop)
}

/// Writes a shared file mapping back to its file, as `msync(2)`.
///
/// # Safety
/// `MS_INVALIDATE` may replace the range's contents with the file's.
///
/// ```
/// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// unsafe { minic::mman::sync(m.as_ptr() as *mut _, m.len(), minic::abi::MS_SYNC) }?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn sync(addr: *mut c_void, len: usize, flags: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::msync(addr, len, flags) }.map(drop)
}

/// Locks pages in memory, as `mlock(2)`.
///
/// ```
/// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// // RLIMIT_MEMLOCK may forbid it; a bad range is always refused.
/// let _ = minic::mman::lock(m.as_ptr().cast(), m.len());
/// assert!(minic::mman::lock(1 as *const _, 4096).is_err());
/// # Ok::<(), minic::Errno>(())
/// ```
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn lock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: mlock neither reads nor writes the range; bad ranges give ENOMEM.
    unsafe { port::mlock(addr, len) }.map(drop)
}

/// Unlocks pages, as `munlock(2)`.
///
/// ```
/// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// minic::mman::unlock(m.as_ptr().cast(), m.len())?;
/// # Ok::<(), minic::Errno>(())
/// ```
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn unlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: as for `lock`.
    unsafe { port::munlock(addr, len) }.map(drop)
}

/// Locks the whole address space, as `mlockall(2)`.
///
/// ```
/// // Unknown flags are refused before anything is locked.
/// assert_eq!(minic::mman::lock_all(0x100), Err(minic::Errno::EINVAL));
/// ```
pub fn lock_all(flags: c_int) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { port::mlockall(flags) }.map(drop)
}

/// Unlocks the whole address space, as `munlockall(2)`.
///
/// ```
/// minic::mman::unlock_all()?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn unlock_all() -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { port::munlockall() }.map(drop)
}

/// Gives the kernel advice about a range, as `madvise(2)` (Linux advice values).
///
/// # Safety
/// Some advice is destructive (`MADV_DONTNEED` zero-fills private anonymous
/// pages, `MADV_FREE` may): the caller must not need the contents.
///
/// ```
/// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// unsafe { minic::mman::advise(m.as_ptr() as *mut _, m.len(), minic::abi::MADV_RANDOM) }?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn advise(addr: *mut c_void, len: usize, advice: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::madvise(addr, len, advice) }.map(drop)
}

/// POSIX advice, as `posix_madvise`: only the five `POSIX_MADV_*` values are
/// accepted (`EINVAL` otherwise), and `POSIX_MADV_DONTNEED` does nothing, because
/// Linux's `MADV_DONTNEED` would discard data a portable program still owns.
///
/// ```
/// use minic::mman::{posix_advise, Mapping};
/// let m = Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// posix_advise(m.as_ptr() as *mut _, m.len(), minic::abi::POSIX_MADV_DONTNEED)?; // keeps the data
/// assert_eq!(posix_advise(m.as_ptr() as *mut _, m.len(), 99), Err(minic::Errno::EINVAL));
/// # Ok::<(), minic::Errno>(())
/// ```
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn posix_advise(addr: *mut c_void, len: usize, advice: c_int) -> Result<(), Errno> {
    match advice {
        abi::POSIX_MADV_DONTNEED => Ok(()),
        abi::POSIX_MADV_NORMAL
        | abi::POSIX_MADV_RANDOM
        | abi::POSIX_MADV_SEQUENTIAL
        | abi::POSIX_MADV_WILLNEED => {
            // SAFETY: these four hints never change the contents of memory.
            unsafe { port::madvise(addr, len, advice) }.map(drop)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Reports which pages are resident, as `mincore(2)`: `vec` needs one byte
/// per page of the range.
///
/// ```
/// let mut m = minic::mman::Mapping::anonymous(2 * 4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
/// m.as_mut_slice().unwrap()[0] = 1; // touches the first page only
/// let mut vec = [0u8; 2];
/// minic::mman::residency(m.as_mut_ptr().cast(), m.len(), &mut vec)?;
/// assert_eq!(vec[0] & 1, 1);
/// # Ok::<(), minic::Errno>(())
/// ```
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn residency(addr: *mut c_void, len: usize, vec: &mut [u8]) -> Result<(), Errno> {
    let pages = len.div_ceil(port::PAGE_SIZE);
    if vec.len() < pages {
        return Err(Errno::EFAULT);
    }
    // SAFETY: vec has room for one byte per page; the range is only inspected.
    unsafe { residency_raw(addr, len, vec.as_mut_ptr()) }
}

/// `mincore(2)` on a raw vector: the form the C interface needs.
///
/// # Safety
/// `vec` is writable for one byte per page of the range (the kernel reports
/// `EFAULT` for an unwritable one).
pub(crate) unsafe fn residency_raw(
    addr: *mut c_void,
    len: usize,
    vec: *mut u8,
) -> Result<(), Errno> {
    // SAFETY: the caller's contract; the range itself is only inspected.
    unsafe { port::mincore(addr, len, vec) }.map(drop)
}

/// Creates an anonymous memory-backed file, as `memfd_create(2)`.
///
/// ```
/// let fd = minic::mman::memfd_create(c"scratch", 1 /* MFD_CLOEXEC */)?;
/// assert!(fd >= 0);
/// # drop(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn memfd_create(name: &CStr, flags: u32) -> Result<c_int, Errno> {
    // SAFETY: name is a valid NUL-terminated string.
    unsafe { port::memfd_create(name.as_ptr(), flags) }.map(|fd| fd as c_int)
}

/// Advice for [`Mapping::advise`]: the `madvise(2)` values that never change
/// the contents of memory, so that giving them is safe. Destructive advice
/// (`MADV_DONTNEED`, `MADV_FREE`, `MADV_REMOVE`, ...) goes through the
/// unsafe [`Mapping::advise_raw`].
///
/// ```
/// use minic::mman::{Advice, Mapping};
/// let m = Mapping::anonymous(4096, minic::mman::Protection::READ)?;
/// m.advise(Advice::Sequential)?;
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Advice {
    /// No special treatment (`MADV_NORMAL`).
    Normal,
    /// Pages will be accessed in random order: read ahead less (`MADV_RANDOM`).
    Random,
    /// Pages will be accessed in order: read ahead more (`MADV_SEQUENTIAL`).
    Sequential,
    /// Pages will be needed soon: start reading them in (`MADV_WILLNEED`).
    WillNeed,
    /// Leave the range out of core dumps (`MADV_DONTDUMP`).
    DontDump,
    /// Include the range in core dumps again (`MADV_DODUMP`).
    DoDump,
    /// Back the range with huge pages where possible (`MADV_HUGEPAGE`).
    HugePage,
    /// Do not use huge pages for the range (`MADV_NOHUGEPAGE`).
    NoHugePage,
    /// The range is a good candidate for reclaim; contents are kept (`MADV_COLD`).
    Cold,
    /// Reclaim the range now; contents are kept, in swap or the file (`MADV_PAGEOUT`).
    PageOut,
}

impl Advice {
    /// The Linux `MADV_*` value.
    ///
    /// ```
    /// assert_eq!(minic::mman::Advice::WillNeed.raw(), 3); // MADV_WILLNEED
    /// ```
    pub const fn raw(self) -> c_int {
        match self {
            Advice::Normal => abi::MADV_NORMAL,
            Advice::Random => abi::MADV_RANDOM,
            Advice::Sequential => abi::MADV_SEQUENTIAL,
            Advice::WillNeed => abi::MADV_WILLNEED,
            Advice::DontDump => abi::MADV_DONTDUMP,
            Advice::DoDump => abi::MADV_DODUMP,
            Advice::HugePage => abi::MADV_HUGEPAGE,
            Advice::NoHugePage => abi::MADV_NOHUGEPAGE,
            Advice::Cold => abi::MADV_COLD,
            Advice::PageOut => abi::MADV_PAGEOUT,
        }
    }
}

/// A memory mapping that this value owns: unmapped when dropped.
///
/// Created anonymous ([`Mapping::anonymous`], [`Mapping::anonymous_shared`])
/// or from a file descriptor ([`Mapping::file`]), or with every choice
/// through [`Mapping::options`]. The protection given at creation (and
/// changed by [`Mapping::protect`]) decides which views are offered:
/// [`Mapping::as_slice`] needs `READ`, [`Mapping::as_mut_slice`]
/// `READ | WRITE`; both return `None` otherwise rather than fault.
/// No method panics: every failure is an [`Errno`].
///
/// ```
/// use minic::mman::{Mapping, Protection};
/// let mut m = Mapping::anonymous(8192, Protection::READ | Protection::WRITE)?;
/// m.as_mut_slice().unwrap()[..5].copy_from_slice(b"hello");
/// m.remap(65536, true)?; // grows, may move; the contents are kept
/// assert_eq!(&m.as_slice().unwrap()[..5], b"hello");
/// m.protect(Protection::READ)?;
/// assert!(m.as_mut_slice().is_none());
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Debug)]
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
    prot: Protection,
}

// SAFETY: a Mapping owns its pages like a Box owns its allocation: shared
// references give only shared (read) access, writes need `&mut`.
unsafe impl Send for Mapping {}
// SAFETY: as above; `&Mapping` methods never write through the pointer.
unsafe impl Sync for Mapping {}

/// How to map memory: length, offset, protection, sharing, and what the
/// kernel does up front (populate, huge pages, no reserve), in the spirit
/// of `memmap2::MmapOptions`.
///
/// Nothing is set at first: protection `READ | WRITE`, private, no length
/// (an anonymous mapping needs one, `EINVAL` otherwise; a file mapping
/// without one covers the file from the offset to its end).
///
/// ```
/// use minic::mman::{Mapping, Protection};
/// let m = Mapping::options().len(1 << 20).populate(true).no_reserve(true).map_anonymous()?;
/// assert_eq!(m.len(), 1 << 20);
/// assert_eq!(m.protection(), Protection::READ | Protection::WRITE);
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Copy, Clone, Debug)]
pub struct MappingOptions {
    len: Option<usize>,
    offset: u64,
    prot: Protection,
    shared: bool,
    extra: MapFlags,
}

impl Default for MappingOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl MappingOptions {
    /// Options with nothing set (see the type's description).
    ///
    /// ```
    /// let options = minic::mman::MappingOptions::new();
    /// assert_eq!(options.map_anonymous().unwrap_err(), minic::Errno::EINVAL); // no length
    /// ```
    pub const fn new() -> Self {
        MappingOptions {
            len: None,
            offset: 0,
            prot: Protection::READ.union(Protection::WRITE),
            shared: false,
            extra: MapFlags::empty(),
        }
    }

    /// The length in bytes (the kernel maps whole pages).
    ///
    /// ```
    /// let m = minic::mman::MappingOptions::new().len(100).map_anonymous()?;
    /// assert_eq!(m.len(), 100);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn len(&mut self, len: usize) -> &mut Self {
        self.len = Some(len);
        self
    }

    /// Where a file mapping starts in the file: a multiple of the page size
    /// (`EINVAL` otherwise). Ignored by anonymous mappings.
    ///
    /// ```
    /// let mut options = minic::mman::MappingOptions::new();
    /// options.offset(4096);
    /// ```
    pub fn offset(&mut self, offset: u64) -> &mut Self {
        self.offset = offset;
        self
    }

    /// The protection (`READ | WRITE` unless set).
    ///
    /// ```
    /// use minic::mman::{MappingOptions, Protection};
    /// let mut m = MappingOptions::new().len(4096).protection(Protection::READ).map_anonymous()?;
    /// assert!(m.as_mut_slice().is_none());
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn protection(&mut self, prot: Protection) -> &mut Self {
        self.prot = prot;
        self
    }

    /// Shared (`MAP_SHARED`: writes reach the file, and an anonymous mapping
    /// stays shared with children forked afterwards) or private (copy on
    /// write, the default).
    ///
    /// ```
    /// let m = minic::mman::MappingOptions::new().len(4096).shared(true).map_anonymous()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn shared(&mut self, shared: bool) -> &mut Self {
        self.shared = shared;
        self
    }

    /// Fault every page in when mapping (`MAP_POPULATE`), so that the first
    /// touches take no page faults.
    ///
    /// ```
    /// let m = minic::mman::MappingOptions::new().len(1 << 16).populate(true).map_anonymous()?;
    /// let mut resident = [0u8; 16];
    /// minic::mman::residency(m.as_ptr() as *mut _, m.len(), &mut resident)?;
    /// assert!(resident.iter().all(|&r| r & 1 == 1));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn populate(&mut self, populate: bool) -> &mut Self {
        self.set(MapFlags::POPULATE, populate)
    }

    /// Reserve no swap space for the mapping (`MAP_NORESERVE`): for large,
    /// sparsely touched mappings; a touch the system cannot back then
    /// raises `SIGSEGV` instead of the mapping failing up front.
    ///
    /// ```
    /// let m = minic::mman::MappingOptions::new().len(1 << 30).no_reserve(true).map_anonymous()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn no_reserve(&mut self, no_reserve: bool) -> &mut Self {
        self.set(MapFlags::NORESERVE, no_reserve)
    }

    /// Back the mapping with huge pages from the kernel's pool
    /// (`MAP_HUGETLB`): `None` for ordinary pages, `Some(0)` for the
    /// system's default huge page size, `Some(21)` for 2 MiB pages, `Some(30)`
    /// for 1 GiB pages (the size's log2, as `memmap2`'s `huge`). Where the
    /// kernel has no such pages reserved (`/proc/sys/vm/nr_hugepages` is 0,
    /// often), mapping fails with `ENOMEM`; a length that is not a multiple
    /// of the huge page size is `EINVAL`. [`Advice::HugePage`] asks for
    /// transparent huge pages instead, which need no reserve.
    ///
    /// ```
    /// use minic::{mman::MappingOptions, Errno};
    /// match MappingOptions::new().len(2 << 20).huge(Some(21)).map_anonymous() {
    ///     Ok(m) => assert_eq!(m.len(), 2 << 20),
    ///     Err(e) => assert!(e == Errno::ENOMEM || e == Errno::EINVAL), // no huge pages reserved
    /// }
    /// ```
    pub fn huge(&mut self, page_bits: Option<u8>) -> &mut Self {
        self.extra = self.extra.difference(Self::HUGE_MASK);
        if let Some(bits) = page_bits {
            let size = (c_int::from(bits) & abi::MAP_HUGE_MASK) << abi::MAP_HUGE_SHIFT;
            self.extra |= MapFlags::HUGETLB | MapFlags::from_bits_retain(size);
        }
        self
    }

    /// The bits [`huge`](Self::huge) sets.
    const HUGE_MASK: MapFlags = MapFlags::HUGETLB.union(MapFlags::from_bits_retain(
        abi::MAP_HUGE_MASK << abi::MAP_HUGE_SHIFT,
    ));

    fn set(&mut self, flag: MapFlags, on: bool) -> &mut Self {
        self.extra = if on {
            self.extra.union(flag)
        } else {
            self.extra.difference(flag)
        };
        self
    }

    fn flags(&self) -> MapFlags {
        let sharing = if self.shared {
            MapFlags::SHARED
        } else {
            MapFlags::PRIVATE
        };
        sharing | self.extra
    }

    /// Maps zeroed memory not backed by a file. Errors: no length or a zero
    /// one `EINVAL`, one the address space cannot hold `ENOMEM`, and the
    /// kernel's for huge pages.
    ///
    /// ```
    /// let m = minic::mman::MappingOptions::new().len(4096).map_anonymous()?;
    /// assert!(m.as_slice().unwrap().iter().all(|&b| b == 0));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn map_anonymous(&self) -> Result<Mapping, Errno> {
        let len = self.len.ok_or(Errno::EINVAL)?;
        let flags = self.flags() | MapFlags::ANONYMOUS;
        // SAFETY: no MAP_FIXED: the kernel picks an unused range.
        let ptr = unsafe { map(core::ptr::null_mut(), len, self.prot, flags, -1, 0) }?;
        Ok(Mapping {
            ptr: ptr as *mut u8,
            len,
            prot: self.prot,
        })
    }

    /// Maps the open file `fd` from the offset: the length given, or the
    /// rest of the file (`EINVAL` if that is nothing). The descriptor may be
    /// closed afterwards. A bad descriptor is `EBADF`, a protection the
    /// descriptor does not allow `EACCES`, an unaligned or too large offset
    /// `EINVAL`.
    ///
    /// # Safety
    /// The contract of [`Mapping::file`].
    ///
    /// ```
    /// use minic::mman::{Mapping, Protection};
    /// use std::os::fd::{AsRawFd, FromRawFd};
    /// let fd = minic::mman::memfd_create(c"doc-options", 0)?;
    /// // SAFETY: the new descriptor is owned by nothing else.
    /// let file = unsafe { std::fs::File::from_raw_fd(fd) };
    /// file.set_len(3 * 4096).unwrap();
    /// // SAFETY: the memfd is private to this example and keeps its size.
    /// let m = unsafe { Mapping::options().offset(4096).shared(true).map_fd(file.as_raw_fd()) }?;
    /// assert_eq!(m.len(), 2 * 4096); // the rest of the file
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn map_fd(&self, fd: c_int) -> Result<Mapping, Errno> {
        let offset = i64::try_from(self.offset).map_err(|_| Errno::EINVAL)?;
        let len = match self.len {
            Some(len) => len,
            None => {
                let rest = file_len(fd)?
                    .checked_sub(self.offset)
                    .ok_or(Errno::EINVAL)?;
                usize::try_from(rest).map_err(|_| Errno::ENOMEM)?
            }
        };
        // SAFETY: no MAP_FIXED; the file's contract is the caller's.
        let ptr = unsafe {
            map(
                core::ptr::null_mut(),
                len,
                self.prot,
                self.flags(),
                fd,
                offset,
            )
        }?;
        Ok(Mapping {
            ptr: ptr as *mut u8,
            len,
            prot: self.prot,
        })
    }

    /// [`map_fd`](Self::map_fd) for anything that lends a descriptor (a
    /// `File`, a [`SharedMemory`](crate::shm::SharedMemory), ...); with the
    /// `std` feature.
    ///
    /// # Safety
    /// The contract of [`Mapping::file`].
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// use minic::mman::Mapping;
    /// let mut file = tempfile();
    /// // SAFETY: the file is this example's alone and keeps its size.
    /// let m = unsafe { Mapping::options().map(&file) }.unwrap();
    /// assert_eq!(m.as_slice().unwrap(), b"contents");
    /// # fn tempfile() -> std::fs::File {
    /// #     use std::{io::Write, os::fd::FromRawFd};
    /// #     let fd = minic::mman::memfd_create(c"doc-map", 0).unwrap();
    /// #     let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
    /// #     f.write_all(b"contents").unwrap();
    /// #     f
    /// # }
    /// # }
    /// ```
    #[cfg(feature = "std")]
    pub unsafe fn map<F: std::os::fd::AsFd>(&self, file: F) -> Result<Mapping, Errno> {
        use std::os::fd::AsRawFd;
        // SAFETY: the caller's contract; the descriptor is open while borrowed.
        unsafe { self.map_fd(file.as_fd().as_raw_fd()) }
    }
}

/// The length of the file `fd` is open on (`st_size` of fstat(2)).
pub(crate) fn file_len(fd: c_int) -> Result<u64, Errno> {
    let mut st = core::mem::MaybeUninit::<abi::stat>::zeroed();
    // SAFETY: the kernel writes one `struct stat` (the x86-64 layout is the
    // kernel's) into `st`.
    unsafe { port::fstat(fd, st.as_mut_ptr().cast()) }?;
    // SAFETY: zeroed, then filled by the kernel.
    let st = unsafe { st.assume_init() };
    Ok(st.st_size as u64)
}

impl Mapping {
    /// Options for a mapping with every choice (see [`MappingOptions`]).
    ///
    /// ```
    /// let m = minic::mman::Mapping::options().len(4096).map_anonymous()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub const fn options() -> MappingOptions {
        MappingOptions::new()
    }

    /// Maps `len` bytes of zeroed private memory with protection `prot`.
    ///
    /// A zero `len` is `EINVAL`; one the address space cannot hold `ENOMEM`.
    ///
    /// ```
    /// use minic::mman::{Mapping, Protection};
    /// let m = Mapping::anonymous(4096, Protection::READ)?;
    /// assert!(m.as_slice().unwrap().iter().all(|&b| b == 0));
    /// assert_eq!(Mapping::anonymous(0, Protection::READ).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn anonymous(len: usize, prot: Protection) -> Result<Mapping, Errno> {
        Self::options().len(len).protection(prot).map_anonymous()
    }

    /// Maps `len` bytes of zeroed memory that stays shared with the child
    /// processes this process forks afterwards (`MAP_SHARED | MAP_ANONYMOUS`).
    ///
    /// ```
    /// use minic::mman::{Mapping, Protection};
    /// let m = Mapping::anonymous_shared(4096, Protection::READ | Protection::WRITE)?;
    /// assert_eq!(m.len(), 4096);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn anonymous_shared(len: usize, prot: Protection) -> Result<Mapping, Errno> {
        Self::options()
            .len(len)
            .protection(prot)
            .shared(true)
            .map_anonymous()
    }

    /// Maps `len` bytes of the open file `fd` from byte `offset` (a multiple
    /// of the page size), shared with the file (`shared`: writes reach it) or
    /// private (copy on write). The descriptor may be closed afterwards.
    ///
    /// An unaligned or too large `offset` or a zero `len` is `EINVAL`; a bad
    /// descriptor `EBADF`; a protection the descriptor does not allow `EACCES`.
    ///
    /// # Safety
    /// The slices this mapping hands out ([`as_slice`](Self::as_slice),
    /// [`as_mut_slice`](Self::as_mut_slice)) assume nobody else changes the
    /// mapped bytes: while such a slice is alive, no other process or
    /// mapping may write the file's range. The file must stay at least as
    /// long as the mapping while it is accessed, also after
    /// [`Mapping::remap`] grows it (access past the end of a file raises
    /// `SIGBUS`). Memory that others write at any time is accessed through
    /// [`as_ptr`](Self::as_ptr) and [`as_mut_ptr`](Self::as_mut_ptr), with
    /// atomic or volatile operations, never through the slices.
    ///
    /// ```
    /// use minic::mman::{Mapping, Protection};
    /// use std::os::fd::{AsRawFd, FromRawFd};
    /// let fd = minic::mman::memfd_create(c"doc", 0)?;
    /// // SAFETY: the new descriptor is owned by nothing else.
    /// let file = unsafe { std::fs::File::from_raw_fd(fd) };
    /// file.set_len(8192).unwrap();
    /// // SAFETY: the memfd is private to this example and keeps its size.
    /// let mut m = unsafe {
    ///     Mapping::file(file.as_raw_fd(), 4096, 4096, Protection::READ | Protection::WRITE, true)
    /// }?;
    /// m.as_mut_slice().unwrap()[0] = 42;
    /// m.sync(true)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn file(
        fd: c_int,
        offset: u64,
        len: usize,
        prot: Protection,
        shared: bool,
    ) -> Result<Mapping, Errno> {
        let mut options = Self::options();
        options
            .len(len)
            .offset(offset)
            .protection(prot)
            .shared(shared);
        // SAFETY: the caller's contract.
        unsafe { options.map_fd(fd) }
    }

    /// The first byte of the mapping.
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::NONE)?;
    /// assert_eq!(m.as_ptr() as usize % 4096, 0);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr
    }

    /// The first byte of the mapping, for writing (where the protection allows).
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
    /// // SAFETY: the mapping is writable and at least one byte long.
    /// unsafe { m.as_mut_ptr().write(7) };
    /// assert_eq!(m.as_slice().unwrap()[0], 7);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr
    }

    /// The length in bytes, as requested (the kernel maps whole pages).
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(100, minic::mman::Protection::READ)?;
    /// assert_eq!(m.len(), 100);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: a mapping has at least one byte.
    ///
    /// ```
    /// assert!(!minic::mman::Mapping::anonymous(1, minic::mman::Protection::READ)?.is_empty());
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The current protection (`PROT_*` bits).
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
    /// assert_eq!(m.protection(), minic::mman::Protection::READ);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn protection(&self) -> Protection {
        self.prot
    }

    /// The bytes, if the mapping is readable (`PROT_READ`).
    ///
    /// ```
    /// use minic::mman::Mapping;
    /// assert!(Mapping::anonymous(4096, minic::mman::Protection::READ)?.as_slice().is_some());
    /// assert!(Mapping::anonymous(4096, minic::mman::Protection::NONE)?.as_slice().is_none());
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_slice(&self) -> Option<&[u8]> {
        if !self.prot.contains(Protection::READ) {
            return None;
        }
        // SAFETY: the range is mapped and readable for as long as self lives,
        // and writes need &mut self.
        Some(unsafe { core::slice::from_raw_parts(self.ptr, self.len) })
    }

    /// The bytes for writing, if the mapping is readable and writable.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
    /// m.as_mut_slice().unwrap().fill(1);
    /// assert_eq!(m.as_slice().unwrap()[4095], 1);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if !self.prot.contains(Protection::READ | Protection::WRITE) {
            return None;
        }
        // SAFETY: mapped, readable and writable; &mut self makes the access exclusive.
        Some(unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) })
    }

    /// Changes the protection of the whole mapping, as `mprotect(2)`. Safe:
    /// `&mut self` proves no slice of it is in use, and the slice accessors
    /// follow the new protection.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::NONE)?;
    /// m.protect(minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
    /// assert!(m.as_mut_slice().is_some());
    /// assert_eq!(m.protect(minic::mman::Protection::from_bits_retain(-1)).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn protect(&mut self, prot: Protection) -> Result<(), Errno> {
        // SAFETY: the range is this mapping's, and no reference into it is alive.
        unsafe { protect(self.ptr as *mut c_void, self.len, prot) }?;
        self.prot = prot;
        Ok(())
    }

    /// Gives the kernel advice that keeps the contents, as `madvise(2)`.
    ///
    /// ```
    /// use minic::mman::{Advice, Mapping};
    /// let m = Mapping::anonymous(4096, minic::mman::Protection::READ)?;
    /// m.advise(Advice::WillNeed)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn advise(&self, advice: Advice) -> Result<(), Errno> {
        // SAFETY: every `Advice` keeps the contents of memory.
        unsafe { advise(self.ptr as *mut c_void, self.len, advice.raw()) }
    }

    /// Gives any Linux advice (`MADV_*`), as `madvise(2)`.
    ///
    /// # Safety
    /// Destructive advice (`MADV_DONTNEED`, `MADV_FREE`, `MADV_REMOVE`, ...)
    /// may replace the contents with zeros or the file's data, and
    /// `MADV_DONTFORK` leaves a forked child without the mapping: the caller
    /// must not rely on what the advice discards.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
    /// m.as_mut_slice().unwrap()[0] = 1;
    /// // SAFETY: the contents are not needed any more.
    /// unsafe { m.advise_raw(minic::abi::MADV_DONTNEED) }?;
    /// assert_eq!(m.as_slice().unwrap()[0], 0); // private anonymous pages come back zeroed
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn advise_raw(&self, advice: c_int) -> Result<(), Errno> {
        // SAFETY: the destructive cases are the caller's contract.
        unsafe { advise(self.ptr as *mut c_void, self.len, advice) }
    }

    /// Locks the pages in memory, as `mlock(2)` (`ENOMEM` or `EPERM` when
    /// `RLIMIT_MEMLOCK` does not allow it).
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
    /// if m.lock().is_ok() {
    ///     m.unlock()?;
    /// }
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn lock(&self) -> Result<(), Errno> {
        lock(self.ptr as *const c_void, self.len)
    }

    /// Unlocks the pages, as `munlock(2)`.
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
    /// m.unlock()?; // unlocking pages that are not locked is not an error
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn unlock(&self) -> Result<(), Errno> {
        unlock(self.ptr as *const c_void, self.len)
    }

    /// Writes a shared file mapping back to its file, as `msync(2)`:
    /// waiting for the writes (`MS_SYNC`) or only scheduling them (`MS_ASYNC`).
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?;
    /// m.sync(false)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn sync(&self, wait: bool) -> Result<(), Errno> {
        let flags = if wait { abi::MS_SYNC } else { abi::MS_ASYNC };
        // SAFETY: neither flag changes the mapping's contents (MS_INVALIDATE could).
        unsafe { sync(self.ptr as *mut c_void, self.len, flags) }
    }

    /// Grows or shrinks the mapping to `new_len` bytes, as `mremap(2)`. With
    /// `may_move` the kernel may move it to find room (the contents move
    /// along); without, growing fails with `ENOMEM` when the pages after it
    /// are in use. On failure the mapping is unchanged.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE)?;
    /// m.as_mut_slice().unwrap()[0] = 9;
    /// m.remap(1 << 20, true)?;
    /// assert_eq!((m.len(), m.as_slice().unwrap()[0]), (1 << 20, 9));
    /// m.remap(4096, false)?; // shrinking never moves
    /// assert_eq!(m.remap(0, true).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn remap(&mut self, new_len: usize, may_move: bool) -> Result<(), Errno> {
        let flags = if may_move { abi::MREMAP_MAYMOVE } else { 0 };
        // SAFETY: the range is this mapping's and &mut self proves no
        // reference into it is alive, so it may move.
        let ptr = unsafe {
            remap(
                self.ptr as *mut c_void,
                self.len,
                new_len,
                flags,
                core::ptr::null_mut(),
            )
        }?;
        self.ptr = ptr as *mut u8;
        self.len = new_len;
        Ok(())
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the range is this mapping's and nothing borrows it any more.
        // Unmapping an owned, valid range cannot fail but for lack of memory
        // to split a VMA; there is nothing better to do then than to leak it.
        let _ = unsafe { unmap(self.ptr as *mut c_void, self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let rw = Protection::READ | Protection::WRITE;
        assert_eq!(Mapping::anonymous(0, rw).unwrap_err(), Errno::EINVAL);
        assert_eq!(
            Mapping::anonymous(usize::MAX, rw).unwrap_err(),
            Errno::ENOMEM
        );
        // SAFETY: the mappings are refused before anything is mapped.
        unsafe {
            assert_eq!(
                Mapping::file(-1, 0, 4096, rw, true).unwrap_err(),
                Errno::EBADF
            );
            assert_eq!(
                Mapping::file(0, 1, 4096, rw, true).unwrap_err(),
                Errno::EINVAL
            );
            assert_eq!(
                Mapping::file(0, u64::MAX, 4096, rw, true).unwrap_err(),
                Errno::EINVAL
            );
        }
        let mut m = Mapping::anonymous(4096, rw).unwrap();
        assert_eq!(m.remap(usize::MAX, true).unwrap_err(), Errno::ENOMEM);
        assert_eq!(m.len(), 4096);
        assert_eq!(
            m.protect(Protection::from_bits_retain(0x7fff_0000))
                .unwrap_err(),
            Errno::EINVAL
        );
        assert_eq!(m.protection(), rw);
        // SAFETY: an unknown advice value is refused by the kernel.
        assert_eq!(unsafe { m.advise_raw(12345) }.unwrap_err(), Errno::EINVAL);
    }

    #[test]
    fn views_follow_protection() {
        let mut m = Mapping::anonymous(4096, Protection::WRITE).unwrap();
        assert!(m.as_slice().is_none());
        assert!(m.as_mut_slice().is_none());
        m.protect(Protection::READ).unwrap();
        assert!(m.as_slice().is_some());
        assert!(m.as_mut_slice().is_none());
    }

    #[test]
    fn file_mappings_share_or_copy() {
        let rw = Protection::READ | Protection::WRITE;
        let fd = memfd_create(c"minic-test", abi::MFD_CLOEXEC).unwrap();
        // SAFETY: a descriptor this test owns; no memory is passed.
        unsafe { port::ftruncate(fd, 2 * 4096) }.unwrap();
        // SAFETY: the memfd is this test's alone and keeps its size.
        let (mut shared, mut private, view) = unsafe {
            (
                Mapping::file(fd, 4096, 4096, rw, true).unwrap(),
                Mapping::file(fd, 4096, 4096, rw, false).unwrap(),
                Mapping::file(fd, 4096, 4096, Protection::READ, true).unwrap(),
            )
        };
        // SAFETY: the mappings keep the file alive.
        unsafe { port::close(fd) }.unwrap();
        shared.as_mut_slice().unwrap()[0] = 1;
        assert_eq!(view.as_slice().unwrap()[0], 1);
        private.as_mut_slice().unwrap()[1] = 2;
        assert_eq!(view.as_slice().unwrap()[1], 0);
        shared.sync(true).unwrap();
    }

    #[test]
    fn options_set_and_clear_flags() {
        let mut o = MappingOptions::new();
        o.populate(true).no_reserve(true).huge(Some(21));
        let huge = MapFlags::HUGETLB | MapFlags::HUGE_2MB;
        assert_eq!(
            o.flags(),
            MapFlags::PRIVATE | MapFlags::POPULATE | MapFlags::NORESERVE | huge
        );
        o.huge(Some(30));
        assert_eq!(
            o.flags() & MapFlags::HUGE_2MB,
            MapFlags::HUGE_1GB & MapFlags::HUGE_2MB
        );
        assert!(o.flags().contains(MapFlags::HUGE_1GB));
        o.huge(None).populate(false).no_reserve(false).shared(true);
        assert_eq!(o.flags(), MapFlags::SHARED);
    }

    #[test]
    fn a_file_mapping_without_length_takes_the_rest_of_the_file() {
        let fd = memfd_create(c"minic-test-rest", abi::MFD_CLOEXEC).unwrap();
        // SAFETY: a descriptor this test owns; no memory is passed.
        unsafe { port::ftruncate(fd, 3 * 4096) }.unwrap();
        // SAFETY: the memfd is this test's alone and keeps its size.
        unsafe {
            let m = MappingOptions::new().offset(4096).map_fd(fd).unwrap();
            assert_eq!(m.len(), 2 * 4096);
            let past = MappingOptions::new().offset(3 * 4096).map_fd(fd);
            assert_eq!(past.unwrap_err(), Errno::EINVAL);
            let beyond = MappingOptions::new().offset(8 * 4096).map_fd(fd);
            assert_eq!(beyond.unwrap_err(), Errno::EINVAL);
            port::close(fd).unwrap();
        }
    }

    #[test]
    fn shrink_in_place_keeps_address() {
        let mut m = Mapping::anonymous(8 * 4096, Protection::READ | Protection::WRITE).unwrap();
        let p = m.as_ptr();
        m.remap(4096, false).unwrap();
        assert_eq!((m.as_ptr(), m.len()), (p, 4096));
    }
}
