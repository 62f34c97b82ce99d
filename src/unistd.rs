//! The few `<unistd.h>` calls the freestanding library provides, without
//! which a program using shared memory cannot run. The hosted library
//! never exports these: they would replace the host C library's own.

use crate::port;
use crate::posix::c::int_result;
use core::ffi::{c_int, c_void};

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/close.html>
#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    // SAFETY: closing a descriptor touches no memory.
    int_result(unsafe { port::close(fd) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/ftruncate.html>
#[unsafe(no_mangle)]
pub extern "C" fn ftruncate(fd: c_int, len: crate::abi::off_t) -> c_int {
    // SAFETY: no memory is passed.
    int_result(unsafe { port::ftruncate(fd, len) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/write.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, buf: *const c_void, len: usize) -> isize {
    // SAFETY: the C caller provides len readable bytes at buf.
    match unsafe { port::write(fd, buf, len) } {
        Ok(n) => n as isize,
        Err(e) => {
            crate::errno::c::set(e);
            -1
        }
    }
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/_exit.html>
#[unsafe(no_mangle)]
pub extern "C" fn _exit(status: c_int) -> ! {
    crate::diag::exit(status)
}
