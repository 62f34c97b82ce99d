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
//! let mut m = Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
//! m.as_mut_slice().unwrap().copy_from_slice(&[7; 4096]);
//! m.advise(Advice::Random)?;
//! # Ok::<(), minic::Errno>(())
//! ```

use crate::errno::Errno;
use crate::port;
use core::ffi::{c_int, c_void, CStr};

/// The C ABI (exported symbols); public so the header check can compare types.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

/// Largest length a mapping may have: anything at or above `PTRDIFF_MAX`
/// would make pointer differences inside it overflow.
const MAX_LEN: usize = isize::MAX as usize;

/// Maps memory, as `mmap(2)`: returns the address of the new mapping.
///
/// Refuses, before the kernel sees them, an offset that is not a multiple of
/// the page size (`EINVAL`), a zero length (`EINVAL`) and a length of
/// `PTRDIFF_MAX` or more (`ENOMEM`). A kernel `EPERM` for a plain anonymous
/// mapping (a sealed or policy-limited address space) is reported as `ENOMEM`,
/// the error POSIX gives for "no memory to map".
///
/// # Safety
/// With `MAP_FIXED` the call replaces whatever was mapped at `addr`; the
/// caller must own that range.
///
/// ```
/// use minic::mman::{map, unmap};
/// let p = unsafe {
///     map(core::ptr::null_mut(), 4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE,
///         minic::abi::MAP_PRIVATE | minic::abi::MAP_ANONYMOUS, -1, 0)
/// }.unwrap();
/// unsafe { unmap(p, 4096) }.unwrap();
/// ```
pub unsafe fn map(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
) -> Result<*mut c_void, Errno> {
    if offset as u64 % port::PAGE_SIZE as u64 != 0 || len == 0 {
        return Err(Errno::EINVAL);
    }
    if len >= MAX_LEN {
        return Err(Errno::ENOMEM);
    }
    // The kernel's offset is a `long` (32 bits on x86).
    let offset = core::ffi::c_long::try_from(offset).map_err(|_| Errno::EOVERFLOW)?;
    // SAFETY: arguments forwarded; the MAP_FIXED contract is the caller's.
    match unsafe { port::mmap(addr, len, prot, flags, fd, offset) } {
        Ok(a) => Ok(a as *mut c_void),
        Err(Errno::EPERM)
            if addr.is_null()
                && flags & crate::abi::MAP_ANONYMOUS != 0
                && flags & crate::abi::MAP_FIXED == 0 =>
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
///     map(core::ptr::null_mut(), 4096, minic::abi::PROT_READ, minic::abi::MAP_PRIVATE | minic::abi::MAP_ANONYMOUS, -1, 0)
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
///     map(core::ptr::null_mut(), 4096, minic::abi::PROT_READ, minic::abi::MAP_PRIVATE | minic::abi::MAP_ANONYMOUS, -1, 0)
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
///     map(core::ptr::null_mut(), 4096, minic::abi::PROT_READ, minic::abi::MAP_PRIVATE | minic::abi::MAP_ANONYMOUS, -1, 0)
/// }?;
/// unsafe { protect(p, 4096, minic::abi::PROT_NONE) }?;
/// unsafe { unmap(p, 4096) }?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn protect(addr: *mut c_void, len: usize, prot: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::mprotect(addr, len, prot) }.map(drop)
}

/// Writes a shared file mapping back to its file, as `msync(2)`.
///
/// # Safety
/// `MS_INVALIDATE` may replace the range's contents with the file's.
///
/// ```
/// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
/// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
/// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
/// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
/// let m = Mapping::anonymous(4096, minic::abi::PROT_READ)?;
/// posix_advise(m.as_ptr() as *mut _, m.len(), minic::abi::POSIX_MADV_DONTNEED)?; // keeps the data
/// assert_eq!(posix_advise(m.as_ptr() as *mut _, m.len(), 99), Err(minic::Errno::EINVAL));
/// # Ok::<(), minic::Errno>(())
/// ```
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn posix_advise(addr: *mut c_void, len: usize, advice: c_int) -> Result<(), Errno> {
    match advice {
        crate::abi::POSIX_MADV_DONTNEED => Ok(()),
        crate::abi::POSIX_MADV_NORMAL
        | crate::abi::POSIX_MADV_RANDOM
        | crate::abi::POSIX_MADV_SEQUENTIAL
        | crate::abi::POSIX_MADV_WILLNEED => {
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
/// let mut m = minic::mman::Mapping::anonymous(2 * 4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
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
    unsafe { port::mincore(addr, len, vec.as_mut_ptr()) }.map(drop)
}

/// Creates an anonymous memory-backed file, as `memfd_create(2)`.
///
/// ```
/// let fd = minic::mman::memfd_create(c"scratch", minic::abi::MFD_CLOEXEC)?;
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
/// let m = Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
    /// assert_eq!(minic::mman::Advice::WillNeed.raw(), minic::abi::MADV_WILLNEED);
    /// ```
    pub const fn raw(self) -> c_int {
        match self {
            Advice::Normal => crate::abi::MADV_NORMAL,
            Advice::Random => crate::abi::MADV_RANDOM,
            Advice::Sequential => crate::abi::MADV_SEQUENTIAL,
            Advice::WillNeed => crate::abi::MADV_WILLNEED,
            Advice::DontDump => crate::abi::MADV_DONTDUMP,
            Advice::DoDump => crate::abi::MADV_DODUMP,
            Advice::HugePage => crate::abi::MADV_HUGEPAGE,
            Advice::NoHugePage => crate::abi::MADV_NOHUGEPAGE,
            Advice::Cold => crate::abi::MADV_COLD,
            Advice::PageOut => crate::abi::MADV_PAGEOUT,
        }
    }
}

/// A memory mapping that this value owns: unmapped when dropped.
///
/// Created anonymous ([`Mapping::anonymous`], [`Mapping::anonymous_shared`])
/// or from a file descriptor ([`Mapping::file`]). The protection given at
/// creation (and changed by [`Mapping::protect`]) decides which views are
/// offered: [`Mapping::as_slice`] needs `PROT_READ`, [`Mapping::as_mut_slice`]
/// `PROT_READ | PROT_WRITE`; both return `None` otherwise rather than fault.
/// No method panics: every failure is an [`Errno`].
///
/// ```
/// use minic::mman::Mapping;
/// let mut m = Mapping::anonymous(8192, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
/// m.as_mut_slice().unwrap()[..5].copy_from_slice(b"hello");
/// m.remap(65536, true)?; // grows, may move; the contents are kept
/// assert_eq!(&m.as_slice().unwrap()[..5], b"hello");
/// m.protect(minic::abi::PROT_READ)?;
/// assert!(m.as_mut_slice().is_none());
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Debug)]
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
    prot: c_int,
}

// SAFETY: a Mapping owns its pages like a Box owns its allocation: shared
// references give only shared (read) access, writes need `&mut`.
unsafe impl Send for Mapping {}
// SAFETY: as above; `&Mapping` methods never write through the pointer.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len` bytes of zeroed private memory with protection `prot`
    /// (`PROT_*` bits).
    ///
    /// A zero `len` is `EINVAL`; one the address space cannot hold `ENOMEM`.
    ///
    /// ```
    /// use minic::mman::Mapping;
    /// let m = Mapping::anonymous(4096, minic::abi::PROT_READ)?;
    /// assert!(m.as_slice().unwrap().iter().all(|&b| b == 0));
    /// assert_eq!(Mapping::anonymous(0, minic::abi::PROT_READ).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn anonymous(len: usize, prot: c_int) -> Result<Mapping, Errno> {
        Self::anonymous_with(len, prot, crate::abi::MAP_PRIVATE)
    }

    /// Maps `len` bytes of zeroed memory that stays shared with the child
    /// processes this process forks afterwards (`MAP_SHARED | MAP_ANONYMOUS`).
    ///
    /// ```
    /// use minic::mman::Mapping;
    /// let m = Mapping::anonymous_shared(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
    /// assert_eq!(m.len(), 4096);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn anonymous_shared(len: usize, prot: c_int) -> Result<Mapping, Errno> {
        Self::anonymous_with(len, prot, crate::abi::MAP_SHARED)
    }

    fn anonymous_with(len: usize, prot: c_int, sharing: c_int) -> Result<Mapping, Errno> {
        // SAFETY: no MAP_FIXED: the kernel picks an unused range.
        let ptr = unsafe {
            map(
                core::ptr::null_mut(),
                len,
                prot,
                sharing | crate::abi::MAP_ANONYMOUS,
                -1,
                0,
            )
        }?;
        Ok(Mapping {
            ptr: ptr as *mut u8,
            len,
            prot,
        })
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
    /// use minic::mman::Mapping;
    /// use std::os::fd::{AsRawFd, FromRawFd};
    /// let fd = minic::mman::memfd_create(c"doc", 0)?;
    /// // SAFETY: the new descriptor is owned by nothing else.
    /// let file = unsafe { std::fs::File::from_raw_fd(fd) };
    /// file.set_len(8192).unwrap();
    /// // SAFETY: the memfd is private to this example and keeps its size.
    /// let mut m = unsafe {
    ///     Mapping::file(file.as_raw_fd(), 4096, 4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE, true)
    /// }?;
    /// m.as_mut_slice().unwrap()[0] = 42;
    /// m.sync(true)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn file(
        fd: c_int,
        offset: u64,
        len: usize,
        prot: c_int,
        shared: bool,
    ) -> Result<Mapping, Errno> {
        let offset = i64::try_from(offset).map_err(|_| Errno::EINVAL)?;
        let sharing = if shared {
            crate::abi::MAP_SHARED
        } else {
            crate::abi::MAP_PRIVATE
        };
        // SAFETY: no MAP_FIXED; the file's contract is the caller's.
        let ptr = unsafe { map(core::ptr::null_mut(), len, prot, sharing, fd, offset) }?;
        Ok(Mapping {
            ptr: ptr as *mut u8,
            len,
            prot,
        })
    }

    /// The first byte of the mapping.
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_NONE)?;
    /// assert_eq!(m.as_ptr() as usize % 4096, 0);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr
    }

    /// The first byte of the mapping, for writing (where the protection allows).
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
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
    /// let m = minic::mman::Mapping::anonymous(100, minic::abi::PROT_READ)?;
    /// assert_eq!(m.len(), 100);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: a mapping has at least one byte.
    ///
    /// ```
    /// assert!(!minic::mman::Mapping::anonymous(1, minic::abi::PROT_READ)?.is_empty());
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The current protection (`PROT_*` bits).
    ///
    /// ```
    /// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
    /// assert_eq!(m.protection(), minic::abi::PROT_READ);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn protection(&self) -> c_int {
        self.prot
    }

    /// The bytes, if the mapping is readable (`PROT_READ`).
    ///
    /// ```
    /// use minic::mman::Mapping;
    /// assert!(Mapping::anonymous(4096, minic::abi::PROT_READ)?.as_slice().is_some());
    /// assert!(Mapping::anonymous(4096, minic::abi::PROT_NONE)?.as_slice().is_none());
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_slice(&self) -> Option<&[u8]> {
        if self.prot & crate::abi::PROT_READ == 0 {
            return None;
        }
        // SAFETY: the range is mapped and readable for as long as self lives,
        // and writes need &mut self.
        Some(unsafe { core::slice::from_raw_parts(self.ptr, self.len) })
    }

    /// The bytes for writing, if the mapping is readable and writable.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
    /// m.as_mut_slice().unwrap().fill(1);
    /// assert_eq!(m.as_slice().unwrap()[4095], 1);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        let rw = crate::abi::PROT_READ | crate::abi::PROT_WRITE;
        if self.prot & rw != rw {
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
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_NONE)?;
    /// m.protect(minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
    /// assert!(m.as_mut_slice().is_some());
    /// assert_eq!(m.protect(-1).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn protect(&mut self, prot: c_int) -> Result<(), Errno> {
        // SAFETY: the range is this mapping's, and no reference into it is alive.
        unsafe { protect(self.ptr as *mut c_void, self.len, prot) }?;
        self.prot = prot;
        Ok(())
    }

    /// Gives the kernel advice that keeps the contents, as `madvise(2)`.
    ///
    /// ```
    /// use minic::mman::{Advice, Mapping};
    /// let m = Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
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
    /// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
    /// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
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
    /// let m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ)?;
    /// m.sync(false)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn sync(&self, wait: bool) -> Result<(), Errno> {
        let flags = if wait {
            crate::abi::MS_SYNC
        } else {
            crate::abi::MS_ASYNC
        };
        // SAFETY: neither flag changes the mapping's contents (MS_INVALIDATE could).
        unsafe { sync(self.ptr as *mut c_void, self.len, flags) }
    }

    /// Grows or shrinks the mapping to `new_len` bytes, as `mremap(2)`. With
    /// `may_move` the kernel may move it to find room (the contents move
    /// along); without, growing fails with `ENOMEM` when the pages after it
    /// are in use. On failure the mapping is unchanged.
    ///
    /// ```
    /// let mut m = minic::mman::Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
    /// m.as_mut_slice().unwrap()[0] = 9;
    /// m.remap(1 << 20, true)?;
    /// assert_eq!((m.len(), m.as_slice().unwrap()[0]), (1 << 20, 9));
    /// m.remap(4096, false)?; // shrinking never moves
    /// assert_eq!(m.remap(0, true).unwrap_err(), minic::Errno::EINVAL);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn remap(&mut self, new_len: usize, may_move: bool) -> Result<(), Errno> {
        let flags = if may_move {
            crate::abi::MREMAP_MAYMOVE
        } else {
            0
        };
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
        let rw = crate::abi::PROT_READ | crate::abi::PROT_WRITE;
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
        assert_eq!(m.protect(0x7fff_0000).unwrap_err(), Errno::EINVAL);
        assert_eq!(m.protection(), rw);
        // SAFETY: an unknown advice value is refused by the kernel.
        assert_eq!(unsafe { m.advise_raw(12345) }.unwrap_err(), Errno::EINVAL);
    }

    #[test]
    fn views_follow_protection() {
        let mut m = Mapping::anonymous(4096, crate::abi::PROT_WRITE).unwrap();
        assert!(m.as_slice().is_none());
        assert!(m.as_mut_slice().is_none());
        m.protect(crate::abi::PROT_READ).unwrap();
        assert!(m.as_slice().is_some());
        assert!(m.as_mut_slice().is_none());
    }

    #[test]
    fn file_mappings_share_or_copy() {
        let rw = crate::abi::PROT_READ | crate::abi::PROT_WRITE;
        let fd = memfd_create(c"minic-test", crate::abi::MFD_CLOEXEC).unwrap();
        // SAFETY: a descriptor this test owns; no memory is passed.
        unsafe { port::ftruncate(fd, 2 * 4096) }.unwrap();
        // SAFETY: the memfd is this test's alone and keeps its size.
        let (mut shared, mut private, view) = unsafe {
            (
                Mapping::file(fd, 4096, 4096, rw, true).unwrap(),
                Mapping::file(fd, 4096, 4096, rw, false).unwrap(),
                Mapping::file(fd, 4096, 4096, crate::abi::PROT_READ, true).unwrap(),
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
    fn shrink_in_place_keeps_address() {
        let mut m =
            Mapping::anonymous(8 * 4096, crate::abi::PROT_READ | crate::abi::PROT_WRITE).unwrap();
        let p = m.as_ptr();
        m.remap(4096, false).unwrap();
        assert_eq!((m.as_ptr(), m.len()), (p, 4096));
    }
}
