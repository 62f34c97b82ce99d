//! The C ABI of the malloc family (exported by the C libraries only).
//!
//! Each function calls the Rust-facing functions of `mod.rs`, never another
//! exported allocation function by its C name: a compiler that recognises
//! `malloc` followed by a zero fill could make `calloc` call `calloc`.

use super::header::ALIGN;
use super::{
    allocate, allocate_fast, allocate_general, allocate_zeroed, array_size, deallocate,
    deallocate_nullable, deallocate_sized, reallocate, reallocate_fast, reallocate_general,
    reallocate_zeroed_array, usable_size,
};
use crate::errno::c::set;
use crate::errno::Errno;
use crate::port::PAGE_SIZE;
use core::ffi::{c_int, c_void};
use core::ptr::{null_mut, NonNull};

/// The C convention for allocation results: the pointer, or NULL with errno.
fn out(r: Result<NonNull<u8>, Errno>) -> *mut c_void {
    match r {
        Ok(p) => p.as_ptr().cast(),
        Err(e) => {
            set(e);
            null_mut()
        }
    }
}

/// `realloc`: `realloc(p, 0)` frees `p` and returns a new minimal block.
///
/// # Safety
/// `ptr` is NULL or a live block of minic's.
#[inline(always)]
unsafe fn realloc_rules(ptr: *mut c_void, size: usize) -> Result<NonNull<u8>, Errno> {
    match NonNull::new(ptr.cast::<u8>()) {
        None => allocate(size, ALIGN),
        Some(p) if size == 0 => {
            // SAFETY: the caller's contract.
            unsafe { deallocate(p) };
            allocate(0, ALIGN)
        }
        // SAFETY: the caller's contract.
        Some(p) => unsafe { reallocate(p, size, ALIGN) },
    }
}

/// `free`, shared by the free family.
///
/// # Safety
/// `ptr` is NULL or a live block of minic's.
#[inline(always)]
unsafe fn release(ptr: *mut c_void) {
    // SAFETY: the caller's contract.
    unsafe { deallocate_nullable(ptr.cast()) }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/malloc.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    match allocate_fast(size) {
        Some(p) => p.as_ptr().cast(),
        // Out of line and last: the quick path keeps no stack frame.
        None => malloc_general(size),
    }
}

/// `malloc` past the quick path, errno included.
#[inline(never)]
fn malloc_general(size: usize) -> *mut c_void {
    out(allocate_general(size, ALIGN))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/free.html>
///
/// Never changes errno.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    // SAFETY: the C caller passes a live block or NULL.
    unsafe { release(ptr) }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/calloc.html>
#[unsafe(no_mangle)]
pub extern "C" fn calloc(nmemb: usize, size: usize) -> *mut c_void {
    out(array_size(nmemb, size).and_then(|total| allocate_zeroed(total, ALIGN)))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/realloc.html>
///
/// `realloc(p, 0)` frees `p` and returns a new minimal block (NULL with
/// ENOMEM only if even that cannot be had; `p` is freed either way).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    match NonNull::new(ptr.cast::<u8>()) {
        Some(p) if size != 0 => {
            // SAFETY: the C caller passes a live block.
            if let Some(q) = unsafe { reallocate_fast(p, size) } {
                return q.as_ptr().cast();
            }
            // Out of line and last: the quick path keeps no stack frame.
            // SAFETY: as above.
            unsafe { realloc_general(p, size) }
        }
        // SAFETY: the C caller passes a live block or NULL.
        _ => unsafe { realloc_null_or_zero(ptr, size) },
    }
}

/// `realloc` of a block past the quick path, errno included.
///
/// # Safety
/// `p` is a live block of minic's.
#[inline(never)]
unsafe fn realloc_general(p: NonNull<u8>, size: usize) -> *mut c_void {
    // SAFETY: the caller's contract.
    out(unsafe { reallocate_general(p, size, ALIGN) })
}

/// `realloc(NULL, size)` and `realloc(p, 0)`, errno included.
///
/// # Safety
/// `ptr` is NULL or a live block of minic's.
#[inline(never)]
unsafe fn realloc_null_or_zero(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: the caller's contract.
    out(unsafe { realloc_rules(ptr, size) })
}

/// reallocf(3), from FreeBSD: like `realloc`, but frees the block when it fails.
/// <https://man.freebsd.org/cgi/man.cgi?query=reallocf&sektion=3>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reallocf(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: the C caller passes a live block or NULL.
    let r = unsafe { realloc_rules(ptr, size) };
    if r.is_err() && size != 0 {
        // SAFETY: a failed resize to a non-zero size left the block live
        // (size 0 freed it already); freeing keeps errno.
        unsafe { release(ptr) };
    }
    out(r)
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/reallocarray.html>
///
/// A zero total size behaves like `realloc(p, 0)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reallocarray(ptr: *mut c_void, nmemb: usize, size: usize) -> *mut c_void {
    match array_size(nmemb, size) {
        // SAFETY: the C caller passes a live block or NULL.
        Ok(total) => out(unsafe { realloc_rules(ptr, total) }),
        Err(e) => out(Err(e)),
    }
}

/// The three-argument `recallocarray(ptr, nmemb, size)`: `reallocarray`
/// that zeroes the bytes the block gains beyond its recorded capacity.
/// OpenBSD's and libbsd's function of the same name takes four arguments
/// (`ptr, oldnmemb, nmemb, size`); for that reason `libminic.so` does not
/// export this one. <https://man.openbsd.org/recallocarray.3>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recallocarray(ptr: *mut c_void, nmemb: usize, size: usize) -> *mut c_void {
    // SAFETY: the C caller passes a live block or NULL.
    out(unsafe { reallocate_zeroed_array(NonNull::new(ptr.cast::<u8>()), nmemb, size) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/posix_memalign.html>
///
/// Returns the error number and never writes `*memptr` on error. Out of
/// memory, errno is ENOMEM too, as glibc's and musl's leave it (programs
/// read it after any failed allocation); a bad alignment leaves errno alone.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_memalign(
    memptr: *mut *mut c_void,
    alignment: usize,
    size: usize,
) -> c_int {
    if !alignment.is_power_of_two() || alignment % core::mem::size_of::<*mut c_void>() != 0 {
        return Errno::EINVAL.0;
    }
    match allocate(size, alignment) {
        Ok(p) => {
            // SAFETY: the C caller passes a writable pointer.
            unsafe { memptr.write(p.as_ptr().cast()) };
            0
        }
        Err(e) => {
            set(e);
            e.0
        }
    }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/aligned_alloc.html>
///
/// Any size (C17); alignments 1, 2, 4 and 8 are rounded up to 16; 0 or a
/// non-power of two is EINVAL.
#[unsafe(no_mangle)]
pub extern "C" fn aligned_alloc(alignment: usize, size: usize) -> *mut c_void {
    out(allocate(size, alignment))
}

/// memalign(3): <https://man7.org/linux/man-pages/man3/memalign.3.html>
///
/// As glibc: an alignment that is not a power of two is rounded up to one
/// (0 gives the default alignment); EINVAL only when there is none.
#[unsafe(no_mangle)]
pub extern "C" fn memalign(alignment: usize, size: usize) -> *mut c_void {
    match alignment.max(1).checked_next_power_of_two() {
        Some(align) => out(allocate(size, align)),
        None => out(Err(Errno::EINVAL)),
    }
}

/// valloc(3): page-aligned; <https://man7.org/linux/man-pages/man3/valloc.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn valloc(size: usize) -> *mut c_void {
    out(allocate(size, PAGE_SIZE))
}

/// pvalloc(3): page-aligned, the size rounded up to whole pages (at least one);
/// <https://man7.org/linux/man-pages/man3/pvalloc.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn pvalloc(size: usize) -> *mut c_void {
    match size.max(1).checked_next_multiple_of(PAGE_SIZE) {
        Some(pages) => out(allocate(pages, PAGE_SIZE)),
        None => out(Err(Errno::ENOMEM)),
    }
}

/// malloc_usable_size(3): the bytes usable in a block, 0 for NULL;
/// <https://man7.org/linux/man-pages/man3/malloc_usable_size.3.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc_usable_size(ptr: *mut c_void) -> usize {
    match NonNull::new(ptr.cast::<u8>()) {
        // SAFETY: the C caller passes a live block.
        Some(p) => unsafe { usable_size(p) },
        None => 0,
    }
}

/// C23 `free_sized`: `free`, given the size the block was allocated with.
/// <https://open-std.org/JTC1/SC22/WG14/www/docs/n2699.htm>
///
/// A size larger than the block's usable size is reported and aborts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free_sized(ptr: *mut c_void, size: usize) {
    if let Some(p) = NonNull::new(ptr.cast::<u8>()) {
        // SAFETY: the C caller passes a live block.
        unsafe { deallocate_sized(p, size) }
    }
}

/// C23 `free_aligned_sized`: `free` for a block from `aligned_alloc`.
/// <https://open-std.org/JTC1/SC22/WG14/www/docs/n2699.htm>
///
/// A size larger than the block's usable size is reported and aborts; a
/// payload not aligned to `alignment` is an invalid pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free_aligned_sized(ptr: *mut c_void, alignment: usize, size: usize) {
    if let Some(p) = NonNull::new(ptr.cast::<u8>()) {
        if alignment.is_power_of_two() && ptr as usize % alignment != 0 {
            super::report(
                "free_aligned_sized",
                super::header::Misuse::Invalid,
                ptr as usize,
            );
        }
        // SAFETY: the C caller passes a live block.
        unsafe { deallocate_sized(p, size) }
    }
}

/// mallinfo2(3), in every mode, from [`stats`](super::stats): `arena`
/// bytes held for blocks that share memory (slabs, carved regions),
/// `ordblks` free slabs, `hblks`/`hblkhd` blocks with a mapping of their own
/// and its bytes, `uordblks` bytes in live blocks, `fordblks` bytes of the
/// arena in no live block, `keepcost` bytes `malloc_trim` could give back
/// now; the rest 0.
/// <https://man7.org/linux/man-pages/man3/mallinfo.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn mallinfo2() -> crate::abi::mallinfo2 {
    let s = super::stats();
    crate::abi::mallinfo2 {
        arena: s.shared_arena(),
        ordblks: s.free_slabs,
        smblks: 0,
        hblks: s.large_blocks,
        hblkhd: s.large_bytes,
        usmblks: 0,
        fsmblks: 0,
        uordblks: s.in_use,
        fordblks: s.free_in_arena(),
        keepcost: s.trimmable,
    }
}

/// mallinfo(3): [`mallinfo2`]'s figures in `int` fields, each capped at
/// `INT_MAX` (glibc lets them wrap).
/// <https://man7.org/linux/man-pages/man3/mallinfo.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn mallinfo() -> crate::abi::mallinfo {
    let m = mallinfo2();
    let int = |v: usize| c_int::try_from(v).unwrap_or(c_int::MAX);
    crate::abi::mallinfo {
        arena: int(m.arena),
        ordblks: int(m.ordblks),
        smblks: int(m.smblks),
        hblks: int(m.hblks),
        hblkhd: int(m.hblkhd),
        usmblks: int(m.usmblks),
        fsmblks: int(m.fsmblks),
        uordblks: int(m.uordblks),
        fordblks: int(m.fordblks),
        keepcost: int(m.keepcost),
    }
}

/// malloc_trim(3): gives memory kept for reuse back to the kernel now (the
/// default mode's empty slabs and cached large mappings; the other modes
/// keep none); 1 if some went. The padding argument is ignored: there is no
/// heap top to pad.
/// <https://man7.org/linux/man-pages/man3/malloc_trim.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc_trim(pad: usize) -> c_int {
    let _ = pad;
    super::trim() as c_int
}

/// malloc_stats(3): the allocator's figures on stderr, one a line.
/// <https://man7.org/linux/man-pages/man3/malloc_stats.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc_stats() {
    let s = super::stats();
    let line = |name: &str, v: usize| crate::diag::Line::new().text(name).dec(v as u64).emit();
    line("bytes held           = ", s.held);
    line("bytes in use         = ", s.in_use);
    line("own-mapping blocks   = ", s.large_blocks);
    line("own-mapping bytes    = ", s.large_bytes);
    line("free slabs           = ", s.free_slabs);
    line("trimmable bytes      = ", s.trimmable);
}
