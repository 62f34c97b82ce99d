//! The C ABI of the malloc family (interim, see `mod.rs`).

use super::header::ALIGN;
use super::{allocate, allocate_zeroed, array_size, deallocate, reallocate, usable_size};
use crate::errno::c::set;
use crate::errno::Errno;
use crate::port::PAGE_SIZE;
use core::ffi::{c_int, c_void};
use core::ptr::{null_mut, NonNull};

fn out(r: Result<NonNull<u8>, Errno>) -> *mut c_void {
    match r {
        Ok(p) => p.as_ptr().cast(),
        Err(e) => {
            set(e);
            null_mut()
        }
    }
}

/// # Safety
/// `ptr` is NULL or a live block.
unsafe fn resize(ptr: *mut c_void, size: usize) -> Result<NonNull<u8>, Errno> {
    match NonNull::new(ptr.cast::<u8>()) {
        None => allocate(size, ALIGN),
        Some(p) if size == 0 => {
            // SAFETY: the caller's contract.
            unsafe { deallocate(p) };
            allocate(0, ALIGN)
        }
        // SAFETY: the caller's contract.
        Some(p) => unsafe { reallocate(p, size) },
    }
}

/// # Safety
/// `ptr` is NULL or a live block.
unsafe fn release(ptr: *mut c_void) {
    if let Some(p) = NonNull::new(ptr.cast::<u8>()) {
        // SAFETY: the caller's contract.
        unsafe { deallocate(p) }
    }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/malloc.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    out(allocate(size, ALIGN))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/free.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    // SAFETY: the C caller passes a live block or NULL.
    unsafe { release(ptr) }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/calloc.html>
#[unsafe(no_mangle)]
pub extern "C" fn calloc(nmemb: usize, size: usize) -> *mut c_void {
    out(array_size(nmemb, size).and_then(|t| allocate_zeroed(t, ALIGN)))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/realloc.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: the C caller passes a live block or NULL.
    out(unsafe { resize(ptr, size) })
}

/// reallocf(3): <https://man.freebsd.org/cgi/man.cgi?query=reallocf&sektion=3>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reallocf(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: the C caller passes a live block or NULL.
    let r = unsafe { resize(ptr, size) };
    if r.is_err() && size != 0 {
        // SAFETY: a failed resize left the block live.
        unsafe { release(ptr) };
    }
    out(r)
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/reallocarray.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reallocarray(ptr: *mut c_void, nmemb: usize, size: usize) -> *mut c_void {
    match array_size(nmemb, size) {
        // SAFETY: the C caller passes a live block or NULL.
        Ok(t) => out(unsafe { resize(ptr, t) }),
        Err(e) => out(Err(e)),
    }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/posix_memalign.html>
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
        Err(e) => e.0,
    }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/aligned_alloc.html>
#[unsafe(no_mangle)]
pub extern "C" fn aligned_alloc(alignment: usize, size: usize) -> *mut c_void {
    out(allocate(size, alignment))
}

/// memalign(3): <https://man7.org/linux/man-pages/man3/memalign.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn memalign(alignment: usize, size: usize) -> *mut c_void {
    match alignment.max(1).checked_next_power_of_two() {
        Some(a) => out(allocate(size, a)),
        None => out(Err(Errno::EINVAL)),
    }
}

/// valloc(3): <https://man7.org/linux/man-pages/man3/valloc.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn valloc(size: usize) -> *mut c_void {
    out(allocate(size, PAGE_SIZE))
}

/// pvalloc(3): <https://man7.org/linux/man-pages/man3/pvalloc.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn pvalloc(size: usize) -> *mut c_void {
    match size.max(1).checked_next_multiple_of(PAGE_SIZE) {
        Some(n) => out(allocate(n, PAGE_SIZE)),
        None => out(Err(Errno::ENOMEM)),
    }
}

/// malloc_usable_size(3): <https://man7.org/linux/man-pages/man3/malloc_usable_size.3.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc_usable_size(ptr: *mut c_void) -> usize {
    match NonNull::new(ptr.cast::<u8>()) {
        // SAFETY: the C caller passes a live block.
        Some(p) => unsafe { usable_size(p) },
        None => 0,
    }
}

/// C23 free_sized: <https://open-std.org/JTC1/SC22/WG14/www/docs/n2699.htm>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free_sized(ptr: *mut c_void, _size: usize) {
    // SAFETY: the C caller passes a live block or NULL.
    unsafe { release(ptr) }
}

/// C23 free_aligned_sized: <https://open-std.org/JTC1/SC22/WG14/www/docs/n2699.htm>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free_aligned_sized(ptr: *mut c_void, _alignment: usize, _size: usize) {
    // SAFETY: the C caller passes a live block or NULL.
    unsafe { release(ptr) }
}
