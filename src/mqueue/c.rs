//! The C ABI of `<mqueue.h>` (exported by the C libraries only).

use super::{MqAttr, Mqd, SigEvent};
use crate::posix::c::{c_str, int_result, ssize_result};
use crate::posix::OpenFlags;
use core::ffi::{c_char, c_int, c_uint, c_void};

/// The C entry point of `mq_open`; the variadic `mq_open` in
/// `src/c/minic_mqueue.c` reads `mode` and `attr` (with `O_CREAT` only) and calls this.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __minic_mq_open(
    name: *const c_char,
    oflag: c_int,
    mode: c_uint,
    attr: *const MqAttr,
) -> Mqd {
    // SAFETY: the C caller passes a struct mq_attr or null.
    let attr = unsafe { attr.as_ref() };
    // SAFETY: the C caller passes a string or null.
    let r = unsafe { c_str(name) }
        .and_then(|n| super::open(n, OpenFlags::from_bits_retain(oflag), mode, attr));
    int_result(r.map(|q| q as usize))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_close.html>
#[unsafe(no_mangle)]
pub extern "C" fn mq_close(mqd: Mqd) -> c_int {
    int_result(super::close(mqd).map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_unlink.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_unlink(name: *const c_char) -> c_int {
    // SAFETY: the C caller passes a string or null.
    int_result(
        unsafe { c_str(name) }
            .and_then(super::unlink::<core::ffi::CStr>)
            .map(|()| 0),
    )
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_send.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_send(mqd: Mqd, msg: *const c_char, len: usize, prio: c_uint) -> c_int {
    // SAFETY: the C caller provides len readable bytes (the kernel faults cleanly).
    int_result(unsafe { super::send_raw(mqd, msg, len, prio, core::ptr::null()) }.map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_timedsend.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_timedsend(
    mqd: Mqd,
    msg: *const c_char,
    len: usize,
    prio: c_uint,
    abs_timeout: *const crate::abi::timespec,
) -> c_int {
    let t = abs_timeout as *const c_void;
    // SAFETY: as for mq_send; abs_timeout is null or a timespec.
    int_result(unsafe { super::send_raw(mqd, msg, len, prio, t) }.map(|()| 0))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_receive.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_receive(
    mqd: Mqd,
    buf: *mut c_char,
    len: usize,
    prio: *mut c_uint,
) -> isize {
    // SAFETY: the C caller provides len writable bytes and prio (or null).
    ssize_result(unsafe { super::receive_raw(mqd, buf, len, prio, core::ptr::null()) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_timedreceive.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_timedreceive(
    mqd: Mqd,
    buf: *mut c_char,
    len: usize,
    prio: *mut c_uint,
    abs_timeout: *const crate::abi::timespec,
) -> isize {
    let t = abs_timeout as *const c_void;
    // SAFETY: as for mq_receive; abs_timeout is null or a timespec.
    ssize_result(unsafe { super::receive_raw(mqd, buf, len, prio, t) })
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_getattr.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_getattr(mqd: Mqd, attr: *mut MqAttr) -> c_int {
    if attr.is_null() {
        return int_result(Err(crate::Errno::EFAULT));
    }
    int_result(super::attr(mqd).map(|a| {
        // SAFETY: a non-null attr is a writable struct mq_attr by the C contract.
        unsafe { attr.write(a) };
        0
    }))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_setattr.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_setattr(mqd: Mqd, new: *const MqAttr, old: *mut MqAttr) -> c_int {
    // SAFETY: a non-null new is a readable struct mq_attr by the C contract.
    let Some(new) = (unsafe { new.as_ref() }) else {
        return int_result(Err(crate::Errno::EFAULT));
    };
    int_result(super::set_attr(mqd, new).map(|prev| {
        if !old.is_null() {
            // SAFETY: a non-null old is a writable struct mq_attr.
            unsafe { old.write(prev) };
        }
        0
    }))
}

/// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mq_notify.html>
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mq_notify(mqd: Mqd, event: *const SigEvent) -> c_int {
    // SAFETY: event is null or a struct sigevent; its function and attributes
    // are the C caller's responsibility, as mq_notify specifies.
    int_result(unsafe { super::notify(mqd, event.as_ref()) }.map(|()| 0))
}
