//! The C ABI of `<sys/mman.h>` (exported by the C libraries only).

use super::{MapFlags, Protection};
use crate::posix::c::{c_str, int_result, map_result};
use core::ffi::{c_char, c_int, c_uint, c_void};

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mmap.html>
#[unsafe(no_mangle)]
// off_t is 32 bits on x86, 64 elsewhere.
#[allow(clippy::useless_conversion)]
pub unsafe extern "C" fn mmap(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    off: crate::abi::off_t,
) -> *mut c_void {
    let (prot, flags) = (
        Protection::from_bits_retain(prot),
        MapFlags::from_bits_retain(flags),
    );
    // SAFETY: the C caller takes on mmap's contract.
    map_result(unsafe { super::map(addr, len, prot, flags, fd, i64::from(off)) })
}

/// `mmap` under the name glibc's headers use with `_FILE_OFFSET_BITS=64`
/// (off_t is already 64 bits on LP64 targets; on x86 this one takes 64).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mmap64(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    off: crate::abi::off64_t,
) -> *mut c_void {
    let (prot, flags) = (
        Protection::from_bits_retain(prot),
        MapFlags::from_bits_retain(flags),
    );
    // SAFETY: the C caller takes on mmap's contract.
    map_result(unsafe { super::map(addr, len, prot, flags, fd, off) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/munmap.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn munmap(addr: *mut c_void, len: usize) -> c_int {
    // SAFETY: the C caller owns the range.
    int_result(unsafe { super::unmap(addr, len) }.map(|()| 0))
}

/// The C entry point of `mremap(2)`; the variadic `mremap` in `src/c/minic_variadic.c`
/// reads the optional new address and calls this.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __minic_mremap(
    old: *mut c_void,
    old_len: usize,
    new_len: usize,
    flags: c_int,
    new_addr: *mut c_void,
) -> *mut c_void {
    // SAFETY: the C caller owns the ranges.
    map_result(unsafe { super::remap(old, old_len, new_len, flags, new_addr) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mprotect.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mprotect(addr: *mut c_void, len: usize, prot: c_int) -> c_int {
    let prot = Protection::from_bits_retain(prot);
    // SAFETY: forwarded contract.
    int_result(unsafe { super::protect(addr, len, prot) }.map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/msync.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn msync(addr: *mut c_void, len: usize, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    int_result(unsafe { super::sync(addr, len, flags) }.map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mlock.html>
#[unsafe(no_mangle)]
pub extern "C" fn mlock(addr: *const c_void, len: usize) -> c_int {
    int_result(super::lock(addr, len).map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/munlock.html>
#[unsafe(no_mangle)]
pub extern "C" fn munlock(addr: *const c_void, len: usize) -> c_int {
    int_result(super::unlock(addr, len).map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mlockall.html>
#[unsafe(no_mangle)]
pub extern "C" fn mlockall(flags: c_int) -> c_int {
    int_result(super::lock_all(flags).map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/munlockall.html>
#[unsafe(no_mangle)]
pub extern "C" fn munlockall() -> c_int {
    int_result(super::unlock_all().map(|()| 0))
}

/// madvise(2): <https://man7.org/linux/man-pages/man2/madvise.2.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int {
    // SAFETY: destructive advice is the C caller's choice.
    int_result(unsafe { super::advise(addr, len, advice) }.map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/posix_madvise.html>
///
/// Returns the error number and leaves `errno` alone, as POSIX specifies.
#[unsafe(no_mangle)]
pub extern "C" fn posix_madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int {
    match super::posix_advise(addr, len, advice) {
        Ok(()) => 0,
        Err(e) => e.0,
    }
}

/// mincore(2): <https://man7.org/linux/man-pages/man2/mincore.2.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mincore(addr: *mut c_void, len: usize, vec: *mut u8) -> c_int {
    // SAFETY: the C caller provides one byte per page at vec; the kernel
    // reports EFAULT for an unwritable vector.
    int_result(unsafe { super::residency_raw(addr, len, vec) }.map(|()| 0))
}

/// memfd_create(2): <https://man7.org/linux/man-pages/man2/memfd_create.2.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memfd_create(name: *const c_char, flags: c_uint) -> c_int {
    // SAFETY: the C caller passes a NUL-terminated string or null.
    let r = unsafe { c_str(name) }.and_then(|name| super::memfd_create(name, flags));
    int_result(r.map(|fd| fd as usize))
}
