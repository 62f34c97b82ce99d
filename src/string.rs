//! `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp` for the freestanding
//! library, where no C library provides the functions compiled Rust calls.
//!
//! The bodies must not be loops the optimiser recognises as a copy or a fill:
//! it would turn them back into calls to `memcpy`/`memset`, that is, into
//! infinite recursion. On x86_64 they are string instructions in inline
//! assembly; elsewhere byte loops over volatile accesses, which the optimiser
//! never rewrites. `make check` disassembles the archive to prove no function
//! here calls itself.

use core::ffi::{c_int, c_void};

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/memcpy.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the C contract: both ranges valid for n bytes and disjoint.
    unsafe { copy_forward(dst as *mut u8, src as *const u8, n) };
    dst
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/memmove.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    let (d, s) = (dst as *mut u8, src as *const u8);
    // A forward copy is safe unless the destination starts inside the source.
    if (d as usize).wrapping_sub(s as usize) >= n {
        // SAFETY: both ranges valid for n bytes; forward order never reads a written byte.
        unsafe { copy_forward(d, s, n) };
    } else {
        // SAFETY: as above, backward order for an overlapping higher destination.
        unsafe { copy_backward(d, s, n) };
    }
    dst
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/memset.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut c_void, c: c_int, n: usize) -> *mut c_void {
    // SAFETY: the C contract: dst valid for n bytes.
    unsafe { fill(dst as *mut u8, c as u8, n) };
    dst
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/memcmp.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    let (a, b) = (a as *const u8, b as *const u8);
    for i in 0..n {
        // SAFETY: both ranges valid for n bytes.
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return x as c_int - y as c_int;
        }
    }
    0
}

/// `bcmp`: equal or not, which LLVM emits for `==` on byte slices.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: same contract as memcmp.
    unsafe { memcmp(a, b, n) }
}

#[cfg(target_arch = "x86_64")]
unsafe fn copy_forward(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: rep movsb copies n bytes upwards; the direction flag is clear
    // by the ABI. The caller guarantees the ranges.
    unsafe {
        core::arch::asm!("rep movsb", inout("rcx") n => _, inout("rdi") d => _,
            inout("rsi") s => _, options(nostack, preserves_flags));
    }
}

#[cfg(target_arch = "x86_64")]
unsafe fn copy_backward(d: *mut u8, s: *const u8, n: usize) {
    if n == 0 {
        return;
    }
    // SAFETY: with the direction flag set, rep movsb copies downwards from
    // the last byte; it is cleared again as the ABI requires.
    unsafe {
        core::arch::asm!("std", "rep movsb", "cld", inout("rcx") n => _,
            inout("rdi") d.add(n - 1) => _, inout("rsi") s.add(n - 1) => _, options(nostack));
    }
}

#[cfg(target_arch = "x86_64")]
unsafe fn fill(d: *mut u8, c: u8, n: usize) {
    // SAFETY: rep stosb stores n bytes upwards; the caller guarantees the range.
    unsafe {
        core::arch::asm!("rep stosb", inout("rcx") n => _, inout("rdi") d => _,
            in("al") c, options(nostack, preserves_flags));
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn copy_forward(d: *mut u8, s: *const u8, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees the ranges; volatile keeps this a loop.
        unsafe { d.add(i).write_volatile(s.add(i).read_volatile()) };
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn copy_backward(d: *mut u8, s: *const u8, n: usize) {
    for i in (0..n).rev() {
        // SAFETY: as in copy_forward.
        unsafe { d.add(i).write_volatile(s.add(i).read_volatile()) };
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn fill(d: *mut u8, c: u8, n: usize) {
    for i in 0..n {
        // SAFETY: as in copy_forward.
        unsafe { d.add(i).write_volatile(c) };
    }
}
