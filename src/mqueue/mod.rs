//! POSIX message queues: the functions of `<mqueue.h>`.
//!
//! Linux implements message queues in the kernel; minic checks names (the
//! rules of [`crate::shm`]) and attributes before the call, turns
//! `mq_unlink`'s `EPERM` into POSIX's `EACCES`, and implements `SIGEV_THREAD`
//! notification itself (a helper thread, see `thread.rs`), which the kernel
//! only supports through a netlink socket. Everything else (priorities,
//! blocking, timeouts, limits) is the kernel's, with its errors.
//!
//! [`MessageQueue`] is the owned form (closed on drop, timeouts as
//! [`Duration`](core::time::Duration) or [`Deadline`]); the functions below
//! work on raw descriptors ([`Mqd`]) with the C interface's arguments.

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use crate::errno::Errno;
use crate::port;
use crate::posix::{self, ObjectName, OpenFlags};
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};
use core::ptr;

/// The C ABI (exported symbols); public so the header check can compare types.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

mod queue;
#[cfg(not(feature = "freestanding"))]
mod thread;

pub use queue::{Attributes, Deadline, MessageQueue, Notification, OpenOptions};
#[cfg(feature = "std")]
pub use queue::{Message, Messages};

/// A message queue descriptor (`mqd_t`): a file descriptor on Linux.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-mqd-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(2, 8)))?;
/// # mqueue::unlink(&name)?;
/// let same: minic::mqueue::Mqd = q;
/// mqueue::close(same)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub type Mqd = c_int;

/// The number of message priorities: valid priorities are `0..MQ_PRIO_MAX`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-prio-max-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(2, 8)))?;
/// # mqueue::unlink(&name)?;
/// mqueue::send(q, b"top", mqueue::MQ_PRIO_MAX - 1)?;
/// assert_eq!(mqueue::send(q, b"over", mqueue::MQ_PRIO_MAX), Err(minic::Errno::EINVAL));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub const MQ_PRIO_MAX: c_uint = 32768;

/// A queue's attributes (`struct mq_attr`, the Linux layout).
///
/// ```
/// let attr = minic::mqueue::MqAttr::new(10, 1024);
/// assert_eq!((attr.mq_maxmsg, attr.mq_msgsize, attr.mq_flags), (10, 1024, 0));
/// ```
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MqAttr {
    /// `O_NONBLOCK` or 0.
    pub mq_flags: c_long,
    /// The most messages the queue holds.
    pub mq_maxmsg: c_long,
    /// The largest message, in bytes.
    pub mq_msgsize: c_long,
    /// The number of messages now queued (ignored when setting).
    pub mq_curmsgs: c_long,
    reserved: [c_long; 4],
}

impl MqAttr {
    /// Attributes for creating a queue of `maxmsg` messages of at most `msgsize` bytes.
    ///
    /// ```
    /// let attr = minic::mqueue::MqAttr::new(4, 64);
    /// assert_eq!(attr.mq_curmsgs, 0);
    /// ```
    pub const fn new(maxmsg: c_long, msgsize: c_long) -> Self {
        MqAttr {
            mq_flags: 0,
            mq_maxmsg: maxmsg,
            mq_msgsize: msgsize,
            mq_curmsgs: 0,
            reserved: [0; 4],
        }
    }

    /// Attributes for [`set_attr`]: only the flags (`O_NONBLOCK` or 0) count.
    ///
    /// ```
    /// let nonblocking = minic::mqueue::MqAttr::with_flags(minic::OpenFlags::NONBLOCK.bits() as core::ffi::c_long);
    /// assert_eq!(nonblocking.mq_flags, minic::OpenFlags::NONBLOCK.bits() as core::ffi::c_long);
    /// ```
    pub const fn with_flags(flags: c_long) -> Self {
        let mut a = MqAttr::new(0, 0);
        a.mq_flags = flags;
        a
    }
}

/// The value a notification carries (`union sigval`).
///
/// ```
/// let v = minic::mqueue::Sigval { sival_int: 7 };
/// // SAFETY: the field written is the one read.
/// assert_eq!(unsafe { v.sival_int }, 7);
/// ```
#[repr(C)]
#[derive(Copy, Clone)]
pub union Sigval {
    /// An integer value.
    pub sival_int: c_int,
    /// A pointer value.
    pub sival_ptr: *mut c_void,
}

/// A `SIGEV_THREAD` notification function.
///
/// ```
/// use minic::mqueue::{NotifyFunction, Sigval};
/// extern "C" fn arrived(_: Sigval) {}
/// let f: NotifyFunction = arrived;
/// # let _ = f;
/// ```
pub type NotifyFunction = unsafe extern "C" fn(Sigval);

/// How a notification is delivered (`struct sigevent`, the Linux layout).
///
/// ```
/// use minic::mqueue::{SigEvent, Sigval};
/// let ev = SigEvent::signal(minic::abi::SIGUSR1, Sigval { sival_int: 1 });
/// assert_eq!((ev.sigev_notify, ev.sigev_signo), (minic::abi::SIGEV_SIGNAL, minic::abi::SIGUSR1));
/// ```
#[repr(C)]
#[derive(Copy, Clone)]
pub struct SigEvent {
    /// The value passed to the signal handler or the thread function.
    pub sigev_value: Sigval,
    /// The signal sent with `SIGEV_SIGNAL`.
    pub sigev_signo: c_int,
    /// `SIGEV_NONE`, `SIGEV_SIGNAL` or `SIGEV_THREAD`.
    pub sigev_notify: c_int,
    /// The function called with `SIGEV_THREAD`.
    pub sigev_notify_function: Option<NotifyFunction>,
    /// The `pthread_attr_t *` of the `SIGEV_THREAD` thread, or null.
    pub sigev_notify_attributes: *mut c_void,
    reserved: [u32; SIGEV_RESERVED],
}

/// The kernel's `struct sigevent` is 64 bytes on every architecture: the
/// words after the fields above (8 on 64-bit targets, 11 on 32-bit ones).
const SIGEV_RESERVED: usize = (64 - 2 * size_of::<c_int>() - 3 * size_of::<usize>()) / 4;
const _: () = assert!(size_of::<SigEvent>() == 64);

impl SigEvent {
    fn with(notify: c_int, signo: c_int, value: Sigval) -> Self {
        SigEvent {
            sigev_value: value,
            sigev_signo: signo,
            sigev_notify: notify,
            sigev_notify_function: None,
            sigev_notify_attributes: ptr::null_mut(),
            reserved: [0; SIGEV_RESERVED],
        }
    }

    /// `SIGEV_NONE`: register, but deliver nothing.
    ///
    /// ```
    /// assert_eq!(minic::mqueue::SigEvent::none().sigev_notify, minic::abi::SIGEV_NONE);
    /// ```
    pub fn none() -> Self {
        Self::with(abi::SIGEV_NONE, 0, Sigval { sival_int: 0 })
    }

    /// `SIGEV_SIGNAL`: send `signo` with `value` (as `si_value`, `si_code` `SI_MESGQ`).
    ///
    /// ```
    /// use minic::mqueue::{SigEvent, Sigval};
    /// let ev = SigEvent::signal(minic::abi::SIGUSR2, Sigval { sival_int: 3 });
    /// assert_eq!(ev.sigev_signo, minic::abi::SIGUSR2);
    /// ```
    pub fn signal(signo: c_int, value: Sigval) -> Self {
        Self::with(abi::SIGEV_SIGNAL, signo, value)
    }

    /// `SIGEV_THREAD`: call `function(value)` in a new thread; `attributes`
    /// is a `pthread_attr_t *` or null.
    ///
    /// ```
    /// use minic::mqueue::{SigEvent, Sigval};
    /// extern "C" fn arrived(_: Sigval) {}
    /// let ev = SigEvent::thread(arrived, Sigval { sival_int: 0 }, core::ptr::null_mut());
    /// assert!(ev.sigev_notify_function.is_some());
    /// ```
    pub fn thread(function: NotifyFunction, value: Sigval, attributes: *mut c_void) -> Self {
        let mut ev = Self::with(abi::SIGEV_THREAD, 0, value);
        ev.sigev_notify_function = Some(function);
        ev.sigev_notify_attributes = attributes;
        ev
    }
}

fn attr_ptr(attr: Option<&MqAttr>) -> *const c_void {
    attr.map_or(ptr::null(), |a| a as *const MqAttr as *const c_void)
}

fn timeout_ptr(abs_timeout: Option<&abi::timespec>) -> *const c_void {
    abs_timeout.map_or(ptr::null(), |t| t as *const abi::timespec as *const c_void)
}

/// Opens (or with `O_CREAT` creates) a message queue, as `mq_open`.
///
/// `mode` and `attr` are used only with `O_CREAT`; `attr` `None` gives the
/// system's default size. Leading slashes of `name` are ignored; an empty
/// name, `.`, `..` or one with another slash is `EINVAL`, a name longer than
/// `NAME_MAX` is `ENAMETOOLONG`. The access mode `O_WRONLY | O_RDWR` is
/// `EINVAL` (the kernel alone would create the queue, then refuse it). Attributes with `mq_maxmsg` or `mq_msgsize`
/// of 0 or less are `EINVAL`; values above the system's limits are refused
/// by the kernel (`EINVAL`, or `EMFILE` past `RLIMIT_MSGQUEUE`). The
/// descriptor is always close-on-exec (the kernel's rule).
///
/// ```
/// use minic::mqueue::{self, MqAttr};
/// let name = &std::ffi::CString::new(format!("/minic-doc-mq-fn-open-{}", std::process::id())).unwrap();
/// let attr = MqAttr::new(4, 64);
/// let _ = mqueue::unlink(name); // from an interrupted run
/// let q = mqueue::open(name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&attr)).unwrap();
/// mqueue::unlink(name).unwrap();
/// mqueue::send(q, b"low", 1).unwrap();
/// mqueue::send(q, b"high", 7).unwrap();
/// let mut buf = [0u8; 64];
/// assert_eq!(mqueue::receive(q, &mut buf), Ok((4, 7)));
/// assert_eq!(&buf[..4], b"high");
/// mqueue::close(q).unwrap();
/// ```
pub fn open<N: ObjectName + ?Sized>(
    name: &N,
    flags: OpenFlags,
    mode: abi::mode_t,
    attr: Option<&MqAttr>,
) -> Result<Mqd, Errno> {
    name.with_object_name(|name| {
        // The kernel would create the queue before refusing this access mode.
        if flags.access_mode() == OpenFlags::WRONLY | OpenFlags::RDWR {
            return Err(Errno::EINVAL);
        }
        let attr = if flags.contains(OpenFlags::CREAT) {
            attr
        } else {
            None
        };
        if let Some(a) = attr {
            if a.mq_maxmsg <= 0 || a.mq_msgsize <= 0 {
                return Err(Errno::EINVAL);
            }
        }
        let (name, attr) = (name.as_ptr(), attr_ptr(attr));
        // SAFETY: name is NUL-terminated; attr, if any, is a whole struct mq_attr.
        unsafe { port::mq_open(name, flags.bits(), mode, attr) }.map(|q| q as Mqd)
    })
}

/// Closes a queue descriptor, as `mq_close`; ends this process's
/// notification registration made through it.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-close-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(2, 8)))?;
/// # mqueue::unlink(&name)?;
/// mqueue::close(q)?;
/// assert_eq!(mqueue::close(q), Err(minic::Errno::EBADF));
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn close(mqd: Mqd) -> Result<(), Errno> {
    posix::close(mqd)
}

/// Removes a queue's name, as `mq_unlink`; the queue lives on until its last
/// descriptor is closed. Name errors as for [`open`]; a kernel `EPERM` (the
/// sticky queue directory, another user's queue) is reported as `EACCES`, the
/// error POSIX gives for "permission denied".
///
/// ```
/// use minic::{mqueue, Errno};
/// assert_eq!(mqueue::unlink(c"/minic-doc-never-created"), Err(Errno::ENOENT));
/// assert_eq!(mqueue::unlink(c"/../x"), Err(Errno::EINVAL));
/// ```
pub fn unlink<N: ObjectName + ?Sized>(name: &N) -> Result<(), Errno> {
    name.with_object_name(|name| {
        // SAFETY: name is NUL-terminated.
        match unsafe { port::mq_unlink(name.as_ptr()) } {
            Ok(_) => Ok(()),
            Err(Errno::EPERM) => Err(Errno::EACCES),
            Err(e) => Err(e),
        }
    })
}

/// `mq_timedsend` on raw parts, shared by the Rust and C interfaces.
///
/// # Safety
/// `msg` is readable for `len` bytes; `abs_timeout` is null or a `timespec`.
pub(crate) unsafe fn send_raw(
    mqd: Mqd,
    msg: *const c_char,
    len: usize,
    prio: c_uint,
    abs_timeout: *const c_void,
) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::mq_timedsend(mqd, msg, len, prio, abs_timeout) }.map(drop)
}

/// `mq_timedreceive` on raw parts: returns the message's length.
///
/// # Safety
/// `buf` is writable for `len` bytes; `prio` is null or writable;
/// `abs_timeout` is null or a `timespec`.
pub(crate) unsafe fn receive_raw(
    mqd: Mqd,
    buf: *mut c_char,
    len: usize,
    prio: *mut c_uint,
    abs_timeout: *const c_void,
) -> Result<usize, Errno> {
    // SAFETY: forwarded contract.
    unsafe { port::mq_timedreceive(mqd, buf, len, prio, abs_timeout) }
}

/// Sends a message, as `mq_send`: waits while the queue is full unless the
/// descriptor is non-blocking (`EAGAIN`). A message longer than the queue's
/// `mq_msgsize` is `EMSGSIZE`, a priority of `MQ_PRIO_MAX` or more `EINVAL`,
/// a descriptor not open for writing `EBADF`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-send-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(1, 4)))?;
/// # mqueue::unlink(&name)?;
/// mqueue::send(q, b"four", 0)?;
/// assert_eq!(mqueue::send(q, b"fives", 0), Err(minic::Errno::EMSGSIZE));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn send(mqd: Mqd, msg: &[u8], prio: c_uint) -> Result<(), Errno> {
    timed_send(mqd, msg, prio, None)
}

/// Sends a message, waiting at most until `abs_timeout` (`CLOCK_REALTIME`),
/// as `mq_timedsend`: `ETIMEDOUT` then, `EINVAL` for a `tv_nsec` outside
/// `0..1_000_000_000`. Other errors as for [`send`].
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-timed-send-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(1, 8)))?;
/// # mqueue::unlink(&name)?;
/// let past = minic::abi::timespec { tv_sec: 1, tv_nsec: 0 };
/// mqueue::timed_send(q, b"room", 0, Some(&past))?; // no wait needed
/// assert_eq!(mqueue::timed_send(q, b"full", 0, Some(&past)), Err(minic::Errno::ETIMEDOUT));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn timed_send(
    mqd: Mqd,
    msg: &[u8],
    prio: c_uint,
    abs_timeout: Option<&abi::timespec>,
) -> Result<(), Errno> {
    let (p, n) = (msg.as_ptr() as *const c_char, msg.len());
    // SAFETY: the slice is readable; the timeout is a whole timespec.
    unsafe { send_raw(mqd, p, n, prio, timeout_ptr(abs_timeout)) }
}

/// Receives the oldest message of the highest priority, as `mq_receive`:
/// returns its length and priority. Waits while the queue is empty unless
/// the descriptor is non-blocking (`EAGAIN`). A buffer shorter than the
/// queue's `mq_msgsize` is `EMSGSIZE`, a descriptor not open for reading `EBADF`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-receive-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(2, 8)))?;
/// # mqueue::unlink(&name)?;
/// mqueue::send(q, b"hello", 2)?;
/// let mut buf = [0u8; 8];
/// assert_eq!(mqueue::receive(q, &mut buf), Ok((5, 2)));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn receive(mqd: Mqd, buf: &mut [u8]) -> Result<(usize, c_uint), Errno> {
    timed_receive(mqd, buf, None)
}

/// Receives a message, waiting at most until `abs_timeout`, as
/// `mq_timedreceive`. Errors as for [`receive`] and [`timed_send`].
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-timed-receive-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(1, 8)))?;
/// # mqueue::unlink(&name)?;
/// let past = minic::abi::timespec { tv_sec: 1, tv_nsec: 0 };
/// let mut buf = [0u8; 8];
/// assert_eq!(mqueue::timed_receive(q, &mut buf, Some(&past)), Err(minic::Errno::ETIMEDOUT));
/// let bad = minic::abi::timespec { tv_sec: 1, tv_nsec: 1_000_000_000 };
/// assert_eq!(mqueue::timed_receive(q, &mut buf, Some(&bad)), Err(minic::Errno::EINVAL));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn timed_receive(
    mqd: Mqd,
    buf: &mut [u8],
    abs_timeout: Option<&abi::timespec>,
) -> Result<(usize, c_uint), Errno> {
    let mut prio: c_uint = 0;
    let (p, n) = (buf.as_mut_ptr() as *mut c_char, buf.len());
    // SAFETY: the slice and prio are writable; the timeout is a whole timespec.
    let len = unsafe { receive_raw(mqd, p, n, &mut prio, timeout_ptr(abs_timeout)) }?;
    Ok((len, prio))
}

/// A queue's attributes, as `mq_getattr`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-attr-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(3, 16)))?;
/// # mqueue::unlink(&name)?;
/// let a = mqueue::attr(q)?;
/// assert_eq!((a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs), (3, 16, 0));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn attr(mqd: Mqd) -> Result<MqAttr, Errno> {
    let mut old = MqAttr::default();
    // SAFETY: old is a whole struct mq_attr, written by the kernel.
    unsafe { port::mq_getsetattr(mqd, ptr::null(), &mut old as *mut MqAttr as *mut c_void) }?;
    Ok(old)
}

/// Sets a descriptor's `O_NONBLOCK` flag from `new.mq_flags`, as
/// `mq_setattr`, and returns the previous attributes. The other fields are
/// ignored; flags other than `O_NONBLOCK` are `EINVAL`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-set-attr-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(1, 8)))?;
/// # mqueue::unlink(&name)?;
/// let nonblocking = MqAttr::with_flags(minic::OpenFlags::NONBLOCK.bits() as core::ffi::c_long);
/// assert_eq!(mqueue::set_attr(q, &nonblocking)?.mq_flags, 0);
/// assert_eq!(mqueue::receive(q, &mut [0u8; 8]), Err(minic::Errno::EAGAIN));
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub fn set_attr(mqd: Mqd, new: &MqAttr) -> Result<MqAttr, Errno> {
    let mut old = MqAttr::default();
    let (new, old_p) = (attr_ptr(Some(new)), &mut old as *mut MqAttr as *mut c_void);
    // SAFETY: both are whole structs mq_attr.
    unsafe { port::mq_getsetattr(mqd, new, old_p) }?;
    Ok(old)
}

/// Registers this process for notification when a message arrives on the
/// empty queue, or with `None` removes its registration, as `mq_notify`.
///
/// Only one process may be registered on a queue (`EBUSY` for another
/// registration); a registration is used once. `SIGEV_NONE` and
/// `SIGEV_SIGNAL` are the kernel's. `SIGEV_THREAD` starts a helper thread
/// (the host's `pthread_create`) that calls the function with the value when
/// the message arrives; it is `EINVAL` without a function, and `ENOSYS` in
/// the freestanding library or where no `pthread_create` is linked.
///
/// # Safety
/// With `SIGEV_THREAD`, `sigev_notify_function` must be sound to call from
/// another thread with `sigev_value`, at any later time, and
/// `sigev_notify_attributes` must be null or a valid `pthread_attr_t`.
///
/// ```
/// # use minic::mqueue::{self, MqAttr};
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-fn-notify-{}", std::process::id())).unwrap();
/// # let q = mqueue::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600, Some(&MqAttr::new(1, 8)))?;
/// # mqueue::unlink(&name)?;
/// use minic::mqueue::SigEvent;
/// // SAFETY: SIGEV_NONE calls nothing.
/// unsafe { mqueue::notify(q, Some(&SigEvent::none())) }?;
/// // SAFETY: as above.
/// assert_eq!(unsafe { mqueue::notify(q, Some(&SigEvent::none())) }, Err(minic::Errno::EBUSY));
/// // SAFETY: None only unregisters.
/// unsafe { mqueue::notify(q, None) }?;
/// # mqueue::close(q)?;
/// # Ok::<(), minic::Errno>(())
/// ```
pub unsafe fn notify(mqd: Mqd, event: Option<&SigEvent>) -> Result<(), Errno> {
    match event {
        Some(ev) if ev.sigev_notify == abi::SIGEV_THREAD => {
            // SAFETY: the function and attributes are the caller's contract.
            unsafe { notify_thread(mqd, ev) }
        }
        Some(ev) => {
            // SAFETY: ev is a whole struct sigevent in the kernel's layout.
            unsafe { port::mq_notify(mqd, ev as *const SigEvent as *const c_void) }.map(drop)
        }
        None => {
            // SAFETY: a null event only unregisters.
            unsafe { port::mq_notify(mqd, ptr::null()) }.map(drop)
        }
    }
}

#[cfg(not(feature = "freestanding"))]
unsafe fn notify_thread(mqd: Mqd, ev: &SigEvent) -> Result<(), Errno> {
    // SAFETY: forwarded contract.
    unsafe { thread::register(mqd, ev) }
}

/// The freestanding library cannot create threads.
#[cfg(feature = "freestanding")]
unsafe fn notify_thread(_mqd: Mqd, _ev: &SigEvent) -> Result<(), Errno> {
    Err(Errno::ENOSYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn layouts_are_linux() {
        assert_eq!(size_of::<MqAttr>(), 64);
        assert_eq!(size_of::<SigEvent>(), 64);
        assert_eq!(size_of::<Sigval>(), 8);
        assert_eq!(offset_of!(SigEvent, sigev_signo), 8);
        assert_eq!(offset_of!(SigEvent, sigev_notify), 12);
        assert_eq!(offset_of!(SigEvent, sigev_notify_function), 16);
        assert_eq!(offset_of!(SigEvent, sigev_notify_attributes), 24);
        assert_eq!(offset_of!(MqAttr, mq_curmsgs), 24);
    }

    #[cfg(not(feature = "freestanding"))]
    #[test]
    fn thread_notification_calls_the_function() {
        use core::sync::atomic::{AtomicI32, Ordering};
        static SEEN: AtomicI32 = AtomicI32::new(0);
        unsafe extern "C" fn seen(v: Sigval) {
            // SAFETY: registered below with an integer value.
            SEEN.store(unsafe { v.sival_int }, Ordering::SeqCst);
        }
        // Unique per process: several checkouts may run their tests at once.
        let owned = std::ffi::CString::new(std::format!(
            "/minic-unit-notify-thread-{}",
            std::process::id()
        ))
        .unwrap();
        let name = owned.as_c_str();
        let flags = OpenFlags::RDWR | OpenFlags::CREAT | OpenFlags::EXCL;
        let q = open(name, flags, 0o600, Some(&MqAttr::new(2, 8))).unwrap();
        unlink(name).unwrap();
        let ev = SigEvent::thread(seen, Sigval { sival_int: 31 }, ptr::null_mut());
        // SAFETY: `seen` may be called from any thread.
        unsafe { notify(q, Some(&ev)) }.unwrap();
        // SAFETY: as above.
        assert_eq!(unsafe { notify(q, Some(&ev)) }, Err(Errno::EBUSY));
        send(q, b"x", 0).unwrap();
        for _ in 0..300 {
            if SEEN.load(Ordering::SeqCst) == 31 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(SEEN.load(Ordering::SeqCst), 31);
        close(q).unwrap();
    }

    #[test]
    fn bad_attributes_refused_before_the_kernel() {
        let flags = OpenFlags::RDWR | OpenFlags::CREAT;
        for (m, s) in [(0, 8), (-1, 8), (4, 0), (4, -5)] {
            let a = MqAttr::new(m, s);
            assert_eq!(
                open(c"/minic-unit-bad", flags, 0o600, Some(&a)),
                Err(Errno::EINVAL)
            );
        }
        assert_eq!(open(c"/a/b", flags, 0o600, None), Err(Errno::EINVAL));
        assert_eq!(unlink(c"/"), Err(Errno::EINVAL));
    }
}
