//! What every allocator mode asks of the kernel, written once: fresh private
//! mappings (aligned or not), giving mappings or their pages back, guard
//! pages, and a cheap clock for ageing freed memory.

use crate::errno::Errno;
use crate::port;
use core::ffi::c_void;

/// `len` bytes of fresh, zeroed, private read-write memory, mapped anew.
/// With `noreserve`, the mapping is not counted against the system's commit
/// limit: for bookkeeping tables whose pages become resident only as they
/// are touched.
pub(crate) fn map_private(len: usize, noreserve: bool) -> Result<usize, Errno> {
    const PROT: core::ffi::c_int = crate::abi::PROT_READ | crate::abi::PROT_WRITE;
    let flags = crate::abi::MAP_PRIVATE
        | crate::abi::MAP_ANONYMOUS
        | if noreserve {
            crate::abi::MAP_NORESERVE
        } else {
            0
        };
    // SAFETY: a new private mapping replaces nothing.
    unsafe { port::mmap(core::ptr::null_mut(), len, PROT, flags, -1, 0) }
}

/// `len` bytes of address space no access may touch (a read or write
/// there faults), reserving no memory.
#[cfg(minic_malloc = "default")]
pub(crate) fn map_inaccessible(len: usize) -> Result<usize, Errno> {
    let flags = crate::abi::MAP_PRIVATE | crate::abi::MAP_ANONYMOUS | crate::abi::MAP_NORESERVE;
    // SAFETY: a new private mapping replaces nothing.
    unsafe {
        port::mmap(
            core::ptr::null_mut(),
            len,
            crate::abi::PROT_NONE,
            flags,
            -1,
            0,
        )
    }
}

/// A fresh mapping of `len` bytes aligned to `align` (a power of two, a
/// multiple of the page size): `len + align` bytes are mapped and the excess
/// on both sides unmapped again.
#[cfg(minic_malloc = "default")]
pub(crate) fn map_aligned(len: usize, align: usize) -> Option<usize> {
    let over = len.checked_add(align)?;
    let a = map_private(over, false).ok()?;
    let start = (a + align - 1) & !(align - 1);
    // SAFETY: our new mapping; only its excess is unmapped.
    unsafe {
        if start > a {
            unmap(a, start - a);
        }
        let tail = a + over - (start + len);
        if tail > 0 {
            unmap(start + len, tail);
        }
    }
    Some(start)
}

/// `n` rounded up to whole pages; None when that overflows.
#[cfg(any(minic_malloc = "mmap", minic_malloc = "guard", minic_malloc = "linear"))]
#[inline]
pub(crate) fn page_round(n: usize) -> Option<usize> {
    n.checked_next_multiple_of(port::PAGE_SIZE)
}

/// Unmaps `[start, start + len)`. At the kernel's mapping limit, where
/// splitting a mapping is refused (ENOMEM), the pages are at least given
/// back and the address range stays mapped.
///
/// # Safety
/// The caller owns the range and nothing uses its contents any more.
pub(crate) unsafe fn unmap(start: usize, len: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        if port::munmap(start as *mut c_void, len).is_err() {
            release_pages(start, len);
        }
    }
}

/// Gives the pages of `[start, start + len)` back to the kernel; the range
/// stays mapped and reads as zero afterwards.
///
/// # Safety
/// The caller owns the range and nothing uses its contents any more.
pub(crate) unsafe fn release_pages(start: usize, len: usize) {
    // SAFETY: the caller's contract.
    let _ = unsafe { port::madvise(start as *mut c_void, len, crate::abi::MADV_DONTNEED) };
}

/// Makes `[start, start + len)` inaccessible: a linear overflow or
/// underflow that reaches it faults. A kernel without memory protection
/// may refuse; the range then stays as it was (the caller loses only the
/// guard, never memory).
///
/// # Safety
/// The caller owns the range and keeps nothing in it.
#[cfg(minic_malloc = "default")]
pub(crate) unsafe fn guard_pages(start: usize, len: usize) {
    // SAFETY: the caller's contract.
    let _ = unsafe { port::mprotect(start as *mut c_void, len, crate::abi::PROT_NONE) };
}

/// How long freed memory waits for reuse before it goes back to the
/// kernel, in [`ticks`]: about a second.
#[cfg(minic_malloc = "default")]
pub(crate) const AGE: u64 = 1 << 31;

/// A cheap clock for ageing freed memory (no system call where the
/// architecture has a readable counter): [`port::arch::ticks`], about 2^31
/// a second.
#[cfg(minic_malloc = "default")]
pub(crate) fn ticks() -> u64 {
    crate::port::arch::ticks()
}
