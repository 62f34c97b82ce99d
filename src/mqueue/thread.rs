//! `SIGEV_THREAD` notification: what the kernel offers, and what minic adds.
//!
//! The kernel knows no threads here. For `SIGEV_THREAD` it takes a netlink
//! socket (in `sigev_signo`) and a 32-byte cookie (at `sigev_value`), and
//! when a message arrives on the empty queue it sends the cookie on that
//! socket, its last byte set to `NOTIFY_WOKENUP`; when the registration is
//! removed instead (`mq_notify(q, NULL)`, closing the descriptor) it sends
//! `NOTIFY_REMOVED`. minic creates one detached helper thread per
//! registration that waits on the socket and calls the user's function.
//!
//! The helper makes the registration itself and reports the result: if the
//! kernel refuses it (`EBUSY`, `EBADF`), the helper simply ends, where a
//! caller-side registration would leave a thread blocked on a socket nobody
//! writes to, and cancelling it would need more of the host's thread library.

use super::{Mqd, NotifyFunction, SigEvent, Sigval};
use crate::errno::Errno;
use crate::port;
use crate::sync::{futex_wait, futex_wake};
use core::ffi::{c_int, c_void};
use core::ptr;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

/// The size of the kernel's notification cookie.
const NOTIFY_COOKIE_LEN: usize = 32;
/// The cookie's last byte when a message arrived (the other value,
/// `NOTIFY_REMOVED`, means the registration is gone).
const NOTIFY_WOKENUP: u8 = 1;

extern "C" {
    /// `src/c/minic_thread.c`: starts `start(arg)` in a detached thread with
    /// `attr` (a `pthread_attr_t *` or null) through the host's weak
    /// `pthread_create`; returns 0 or an error number (`ENOSYS` when the
    /// program has no thread library).
    fn __minic_thread_spawn(
        start: extern "C" fn(*mut c_void) -> *mut c_void,
        arg: *mut c_void,
        attr: *const c_void,
    ) -> c_int;
}

/// What the caller hands to its helper, on the caller's stack until `done`.
struct Registration {
    mqd: Mqd,
    sock: c_int,
    function: NotifyFunction,
    value: Sigval,
    /// 0 while the helper registers, then 1; a futex word.
    done: AtomicU32,
    /// The registration's result: 0 or an error number.
    error: AtomicI32,
}

/// Registers `ev` (a `SIGEV_THREAD` event) on `mqd`.
///
/// # Safety
/// As for `mqueue::notify`.
pub(super) unsafe fn register(mqd: Mqd, ev: &SigEvent) -> Result<(), Errno> {
    let function = ev.sigev_notify_function.ok_or(Errno::EINVAL)?;
    // SAFETY: creating a socket touches no memory.
    let sock = unsafe {
        port::socket(
            crate::abi::AF_NETLINK,
            crate::abi::SOCK_RAW | crate::abi::SOCK_CLOEXEC,
            crate::abi::NETLINK_ROUTE,
        )
    }? as c_int;
    let reg = Registration {
        mqd,
        sock,
        function,
        value: ev.sigev_value,
        done: AtomicU32::new(0),
        error: AtomicI32::new(0),
    };
    let arg = &reg as *const Registration as *mut c_void;
    // SAFETY: reg outlives the helper's use of it (we wait for `done`
    // below); the attributes are the caller's contract.
    if let Err(e) = unsafe { spawn_with_signals_blocked(arg, ev.sigev_notify_attributes) } {
        // SAFETY: the socket is ours and no thread uses it.
        let _ = unsafe { port::close(sock) };
        return Err(e);
    }
    while reg.done.load(Ordering::Acquire) == 0 {
        futex_wait(&reg.done, 0, None);
    }
    match reg.error.load(Ordering::Relaxed) {
        0 => Ok(()),
        e => Err(Errno(e)),
    }
}

/// Starts the helper with every signal blocked, so that no signal meant for
/// the program lands in it, except 32 to 34, which the host C library
/// (glibc, musl) reserves for itself: its cancellation and set*id
/// broadcasts would otherwise wait for the helper forever.
///
/// # Safety
/// `arg` is a `Registration` that stays valid until its `done` is set;
/// `attr` is null or a valid `pthread_attr_t`.
unsafe fn spawn_with_signals_blocked(arg: *mut c_void, attr: *const c_void) -> Result<(), Errno> {
    const HOST_RESERVED: u64 = 0b111 << 31; // signals 32, 33, 34
    let block_all: u64 = !HOST_RESERVED;
    let mut old: u64 = 0;
    let set = |how, new: *const u64, old: *mut u64| {
        // SAFETY: both point to 8-byte signal sets (the kernel's size).
        unsafe { port::rt_sigprocmask(how, new as *const c_void, old as *mut c_void, 8) }
    };
    set(crate::abi::SIG_BLOCK, &block_all, &mut old)?;
    // SAFETY: the thread inherits the blocked mask; arg and attr per contract.
    let spawned = unsafe { __minic_thread_spawn(helper, arg, attr) };
    let _ = set(crate::abi::SIG_SETMASK, &old, ptr::null_mut());
    match spawned {
        0 => Ok(()),
        e => Err(Errno(e)),
    }
}

/// The helper thread: registers, reports, then waits for the cookie.
extern "C" fn helper(arg: *mut c_void) -> *mut c_void {
    let reg = arg as *const Registration;
    // SAFETY: the registering caller keeps *reg alive until done is set.
    let (mqd, sock, function, value) =
        unsafe { ((*reg).mqd, (*reg).sock, (*reg).function, (*reg).value) };
    let cookie = [0u8; NOTIFY_COOKIE_LEN];
    let kernel_event = SigEvent::with(
        crate::abi::SIGEV_THREAD,
        sock,
        Sigval {
            sival_ptr: cookie.as_ptr() as *mut c_void,
        },
    );
    // SAFETY: a whole struct sigevent; the kernel copies the cookie now.
    let registered =
        unsafe { port::mq_notify(mqd, &kernel_event as *const SigEvent as *const c_void) };
    if registered.is_err() {
        // Closed before the caller hears of the failure, so that no
        // descriptor of ours is left open when mq_notify returns.
        // SAFETY: the socket is this thread's alone.
        let _ = unsafe { port::close(sock) };
    }
    // SAFETY: *reg is alive until done is set; after the store below the
    // caller may return, so only the word's address is used (a futex wake
    // on a stale address at worst wakes a waiter early, which futex users
    // tolerate).
    let done = unsafe {
        (*reg)
            .error
            .store(registered.err().map_or(0, |e| e.0), Ordering::Relaxed);
        (*reg).done.as_ptr()
    };
    // SAFETY: as above; the store is the hand-over.
    unsafe { AtomicU32::from_ptr(done) }.store(1, Ordering::Release);
    futex_wake(done, 1);
    if registered.is_err() {
        return ptr::null_mut();
    }

    let mut buf = [0u8; NOTIFY_COOKIE_LEN];
    let received = loop {
        // SAFETY: buf is writable for its length; no address is asked for.
        let r = unsafe {
            port::recvfrom(
                sock,
                buf.as_mut_ptr() as *mut c_void,
                buf.len(),
                crate::abi::MSG_NOSIGNAL | crate::abi::MSG_WAITALL,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if r != Err(Errno::EINTR) {
            break r;
        }
    };
    // SAFETY: the socket is this thread's alone.
    let _ = unsafe { port::close(sock) };
    if received == Ok(NOTIFY_COOKIE_LEN) && buf[NOTIFY_COOKIE_LEN - 1] == NOTIFY_WOKENUP {
        // SAFETY: the registering caller promised this call is sound.
        unsafe { function(value) };
    }
    ptr::null_mut()
}
