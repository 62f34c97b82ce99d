//! Memory mappings: the functions of `<sys/mman.h>`.
//!
//! These are the Rust-facing forms (`Result<_, Errno>`); the C ABI wrappers in
//! `c.rs` turn them into `-1`/`MAP_FAILED` plus `errno`. Checks the kernel does
//! not make, or makes differently from POSIX, are made here, before the call.

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
///     map(core::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE,
///         libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
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
    // SAFETY: arguments forwarded; the MAP_FIXED contract is the caller's.
    match unsafe { port::mmap(addr, len, prot, flags, fd, offset) } {
        Ok(a) => Ok(a as *mut c_void),
        Err(Errno::EPERM)
            if addr.is_null()
                && flags & libc::MAP_ANONYMOUS != 0
                && flags & libc::MAP_FIXED == 0 =>
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
pub unsafe fn protect(addr: *mut c_void, len: usize, prot: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::mprotect(addr, len, prot) }.map(drop)
}

/// Writes a shared file mapping back to its file, as `msync(2)`.
///
/// # Safety
/// `MS_INVALIDATE` may replace the range's contents with the file's.
pub unsafe fn sync(addr: *mut c_void, len: usize, flags: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::msync(addr, len, flags) }.map(drop)
}

/// Locks pages in memory, as `mlock(2)`.
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn lock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: mlock neither reads nor writes the range; bad ranges give ENOMEM.
    unsafe { port::mlock(addr, len) }.map(drop)
}

/// Unlocks pages, as `munlock(2)`.
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn unlock(addr: *const c_void, len: usize) -> Result<(), Errno> {
    // SAFETY: as for `lock`.
    unsafe { port::munlock(addr, len) }.map(drop)
}

/// Locks the whole address space, as `mlockall(2)`.
pub fn lock_all(flags: c_int) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { port::mlockall(flags) }.map(drop)
}

/// Unlocks the whole address space, as `munlockall(2)`.
pub fn unlock_all() -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { port::munlockall() }.map(drop)
}

/// Gives the kernel advice about a range, as `madvise(2)` (Linux advice values).
///
/// # Safety
/// Some advice is destructive (`MADV_DONTNEED` zero-fills private anonymous
/// pages, `MADV_FREE` may): the caller must not need the contents.
pub unsafe fn advise(addr: *mut c_void, len: usize, advice: c_int) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::madvise(addr, len, advice) }.map(drop)
}

/// POSIX advice, as `posix_madvise`: only the five `POSIX_MADV_*` values are
/// accepted (`EINVAL` otherwise), and `POSIX_MADV_DONTNEED` does nothing, because
/// Linux's `MADV_DONTNEED` would discard data a portable program still owns.
// The kernel validates the range and never reads or writes it for us: safe.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn posix_advise(addr: *mut c_void, len: usize, advice: c_int) -> Result<(), Errno> {
    match advice {
        libc::POSIX_MADV_DONTNEED => Ok(()),
        libc::POSIX_MADV_NORMAL
        | libc::POSIX_MADV_RANDOM
        | libc::POSIX_MADV_SEQUENTIAL
        | libc::POSIX_MADV_WILLNEED => {
            // SAFETY: these four hints never change the contents of memory.
            unsafe { port::madvise(addr, len, advice) }.map(drop)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Reports which pages are resident, as `mincore(2)`: `vec` needs one byte
/// per page of the range.
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
pub fn memfd_create(name: &CStr, flags: u32) -> Result<c_int, Errno> {
    // SAFETY: name is a valid NUL-terminated string.
    unsafe { port::memfd_create(name.as_ptr(), flags) }.map(|fd| fd as c_int)
}
