//! The C ABI of `shm_open` and `shm_unlink` (exported by the C libraries only).

use crate::errno::c::int_result;
use crate::errno::Errno;
use core::ffi::{c_char, c_int, CStr};

/// The longest C name read: a path's limit (`PATH_MAX`), which any valid
/// name (at most `NAME_MAX` bytes after its slashes) is far below.
const SCAN_MAX: usize = 4096;

/// Borrows a C name: a null pointer is `EFAULT`, as the kernel reports for
/// one, and a string without a NUL within `PATH_MAX` bytes `ENAMETOOLONG`.
///
/// The scan is bounded (and so never `strlen`, which the hosted library
/// must not take from the host).
///
/// # Safety
/// A non-null `name` points to a NUL-terminated string.
pub(crate) unsafe fn c_name<'a>(name: *const c_char) -> Result<&'a CStr, Errno> {
    if name.is_null() {
        return Err(Errno::EFAULT);
    }
    let mut len = 0;
    // SAFETY: bytes up to and including the NUL are readable.
    while unsafe { *name.add(len) } != 0 {
        len += 1;
        if len == SCAN_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
    }
    // SAFETY: len + 1 readable bytes ending with the only NUL among them.
    let bytes = unsafe { core::slice::from_raw_parts(name as *const u8, len + 1) };
    // SAFETY: as just established.
    Ok(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/shm_open.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shm_open(
    name: *const c_char,
    oflag: c_int,
    mode: crate::abi::mode_t,
) -> c_int {
    // SAFETY: the C caller passes a string or null.
    let r = unsafe { c_name(name) }.and_then(|n| super::open(n, oflag, mode));
    int_result(r.map(|fd| fd as usize))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/shm_unlink.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shm_unlink(name: *const c_char) -> c_int {
    // SAFETY: the C caller passes a string or null.
    let r = unsafe { c_name(name) }.and_then(super::unlink);
    int_result(r.map(|()| 0))
}
