//! The C ABI of `shm_open` and `shm_unlink` (exported by the C libraries only).

use crate::posix::c::{c_str, int_result};
use crate::posix::OpenFlags;
use core::ffi::{c_char, c_int};

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/shm_open.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shm_open(
    name: *const c_char,
    oflag: c_int,
    mode: crate::abi::mode_t,
) -> c_int {
    let flags = OpenFlags::from_bits_retain(oflag);
    // SAFETY: the C caller passes a string or null.
    let r = unsafe { c_str(name) }.and_then(|n| super::open(n, flags, mode));
    int_result(r.map(|fd| fd as usize))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/shm_unlink.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shm_unlink(name: *const c_char) -> c_int {
    // SAFETY: the C caller passes a string or null.
    let r = unsafe { c_str(name) }.and_then(super::unlink::<core::ffi::CStr>);
    int_result(r.map(|()| 0))
}
