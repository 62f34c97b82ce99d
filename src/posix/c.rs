//! The C interface's conventions, for every area's entry points: reading a
//! C string with a bound, and returning a `Result` the C way.

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use crate::errno::c::set;
use crate::errno::Errno;
use core::ffi::{c_char, c_int, c_void, CStr};

/// The longest C string read: a path's limit (`PATH_MAX`), which any valid
/// name (at most `NAME_MAX` bytes after its slashes) is far below.
const SCAN_MAX: usize = 4096;

/// Borrows a C string: a null pointer is `EFAULT`, as the kernel reports for
/// one, and a string without a NUL within `PATH_MAX` bytes `ENAMETOOLONG`.
///
/// The scan is bounded (and so never `strlen`, which the hosted library
/// must not take from the host).
///
/// # Safety
/// A non-null `s` points to a NUL-terminated string.
pub(crate) unsafe fn c_str<'a>(s: *const c_char) -> Result<&'a CStr, Errno> {
    if s.is_null() {
        return Err(Errno::EFAULT);
    }
    let mut len = 0;
    // SAFETY: bytes up to and including the NUL are readable.
    while unsafe { *s.add(len) } != 0 {
        len += 1;
        if len == SCAN_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
    }
    // SAFETY: len + 1 readable bytes ending with the only NUL among them.
    let bytes = unsafe { core::slice::from_raw_parts(s.cast::<u8>(), len + 1) };
    // SAFETY: as just established.
    Ok(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
}

/// The C convention for calls returning `int`: the value, or -1 with `errno`.
#[inline]
pub fn int_result(r: Result<usize, Errno>) -> c_int {
    match r {
        Ok(v) => v as c_int,
        Err(e) => {
            set(e);
            -1
        }
    }
}

/// The C convention for calls returning `ssize_t`: the count, or -1 with `errno`.
#[inline]
pub fn ssize_result(r: Result<usize, Errno>) -> isize {
    match r {
        Ok(n) => n as isize,
        Err(e) => {
            set(e);
            -1
        }
    }
}

/// The `mmap` convention: the address, or `MAP_FAILED` with `errno`.
#[inline]
pub fn map_result(r: Result<*mut c_void, Errno>) -> *mut c_void {
    r.unwrap_or_else(|e| {
        set(e);
        abi::MAP_FAILED
    })
}
