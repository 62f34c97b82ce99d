//! The owned message-queue type and what it takes: open options, deadlines,
//! attributes, notifications. Every operation goes through the plain
//! functions of `mod.rs`, so names and attributes are checked in one place.

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use super::{MqAttr, Mqd, SigEvent, Sigval};
use crate::errno::Errno;
use crate::port;
use crate::posix::{self, ObjectName, OpenCore, OpenFlags};
use core::ffi::{c_int, c_long, c_uint, c_void};
use core::time::Duration;

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// A point in `CLOCK_REALTIME` time (seconds and nanoseconds since the Unix
/// epoch): the absolute deadline the kernel's timed send and receive take.
///
/// Because the clock is the wall clock, setting the system time moves the
/// deadline's distance too. All arithmetic saturates, so no deadline is
/// out of range: the latest one means "never" in practice.
///
/// ```
/// use core::time::Duration;
/// use minic::mqueue::Deadline;
/// let now = Deadline::now()?;
/// let soon = Deadline::after(Duration::from_millis(10))?;
/// assert!(soon > now);
/// assert_eq!(Deadline::from_unix(Duration::new(5, 6)).to_timespec().tv_nsec, 6);
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Deadline {
    secs: i64,
    /// Always below one second.
    nanos: u32,
}

impl Deadline {
    /// The latest representable deadline.
    ///
    /// ```
    /// use minic::mqueue::Deadline;
    /// assert!(Deadline::MAX > Deadline::now()?);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub const MAX: Deadline = Deadline {
        secs: i64::MAX,
        nanos: NANOS_PER_SEC - 1,
    };

    /// The current `CLOCK_REALTIME` time; an error only if the port has no clock.
    ///
    /// ```
    /// let now = minic::mqueue::Deadline::now()?;
    /// assert!(now.to_timespec().tv_sec > 1_600_000_000);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn now() -> Result<Self, Errno> {
        let mut ts = abi::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let tp = &mut ts as *mut abi::timespec as *mut c_void;
        // SAFETY: tp is a whole, writable struct timespec.
        unsafe { port::clock_gettime(abi::CLOCK_REALTIME, tp) }?;
        let nanos = u32::try_from(ts.tv_nsec)
            .ok()
            .filter(|&n| n < NANOS_PER_SEC)
            .ok_or(Errno::EINVAL)?;
        // time_t is 32 bits on x86.
        #[allow(clippy::useless_conversion)]
        let secs = i64::from(ts.tv_sec);
        Ok(Deadline { secs, nanos })
    }

    /// `timeout` from now (saturating at [`Deadline::MAX`]).
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::mqueue::Deadline;
    /// assert_eq!(Deadline::after(Duration::MAX)?, Deadline::MAX);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn after(timeout: Duration) -> Result<Self, Errno> {
        Ok(Self::now()?.saturating_add(timeout))
    }

    /// The deadline `since_epoch` after the Unix epoch (saturating at
    /// [`Deadline::MAX`]).
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::mqueue::Deadline;
    /// let d = Deadline::from_unix(Duration::from_secs(1));
    /// assert_eq!(d.to_timespec().tv_sec, 1);
    /// ```
    pub const fn from_unix(since_epoch: Duration) -> Self {
        Deadline { secs: 0, nanos: 0 }.saturating_add(since_epoch)
    }

    /// The deadline `d` later, or [`Deadline::MAX`] if that is out of range.
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::mqueue::Deadline;
    /// let d = Deadline::from_unix(Duration::new(1, 600_000_000));
    /// let later = d.saturating_add(Duration::from_millis(500));
    /// assert_eq!((later.to_timespec().tv_sec, later.to_timespec().tv_nsec), (2, 100_000_000));
    /// ```
    pub const fn saturating_add(self, d: Duration) -> Self {
        let add = if d.as_secs() > i64::MAX as u64 {
            i64::MAX
        } else {
            d.as_secs() as i64
        };
        let mut nanos = self.nanos + d.subsec_nanos();
        let mut carry = 0;
        if nanos >= NANOS_PER_SEC {
            nanos -= NANOS_PER_SEC;
            carry = 1;
        }
        match self.secs.checked_add(add) {
            Some(s) => match s.checked_add(carry) {
                Some(secs) => Deadline { secs, nanos },
                None => Self::MAX,
            },
            None => Self::MAX,
        }
    }

    /// The deadline at `time` of the system clock (`CLOCK_REALTIME`, which
    /// is what [`SystemTime`](std::time::SystemTime) reads); with the `std`
    /// feature. A time before the Unix epoch is the epoch: a deadline past.
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// use std::time::{Duration, SystemTime};
    /// use minic::mqueue::Deadline;
    /// let at = SystemTime::UNIX_EPOCH + Duration::new(7, 8);
    /// let ts = Deadline::from_system_time(at).to_timespec();
    /// assert_eq!((ts.tv_sec, ts.tv_nsec), (7, 8));
    /// # }
    /// ```
    #[cfg(feature = "std")]
    pub fn from_system_time(time: std::time::SystemTime) -> Self {
        // The kernel refuses a negative deadline (EINVAL): the epoch is as
        // far past as it needs to be.
        let since = time.duration_since(std::time::SystemTime::UNIX_EPOCH);
        Self::from_unix(since.unwrap_or(Duration::ZERO))
    }

    /// The `struct timespec` the kernel takes.
    ///
    /// ```
    /// use core::time::Duration;
    /// let ts = minic::mqueue::Deadline::from_unix(Duration::new(3, 4)).to_timespec();
    /// assert_eq!((ts.tv_sec, ts.tv_nsec), (3, 4));
    /// ```
    pub const fn to_timespec(self) -> abi::timespec {
        abi::timespec {
            tv_sec: crate::abi::time_t_saturating(self.secs),
            tv_nsec: self.nanos as c_long,
        }
    }
}

/// With the `std` feature: a [`SystemTime`](std::time::SystemTime) is a
/// deadline, so `send_deadline` and `receive_deadline` take one directly.
///
/// ```
/// # #[cfg(feature = "std")] {
/// use std::time::{Duration, SystemTime};
/// use minic::{mqueue::MessageQueue, Errno};
/// # let name = format!("/minic-doc-mq-systemtime-{}", std::process::id());
/// let q = MessageQueue::create_new(&name, 1, 8)?;
/// MessageQueue::unlink(&name)?;
/// let mut buf = [0u8; 8];
/// let soon = SystemTime::now() + Duration::from_millis(10);
/// assert_eq!(q.receive_deadline(&mut buf, soon), Err(Errno::ETIMEDOUT));
/// # }
/// # Ok::<(), minic::Errno>(())
/// ```
#[cfg(feature = "std")]
impl From<std::time::SystemTime> for Deadline {
    fn from(time: std::time::SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

/// How to open a [`MessageQueue`]: access, creation, permissions, size,
/// blocking.
///
/// Nothing is set at first; the mode is `0o600` unless [`mode`](Self::mode)
/// says otherwise, and a created queue has the system's default size
/// unless [`capacity`](Self::capacity) gives one.
///
/// ```
/// use minic::mqueue::MessageQueue;
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-options-{}", std::process::id())).unwrap();
/// let q = MessageQueue::options()
///     .read(true)
///     .write(true)
///     .exclusive(true)
///     .capacity(8, 128)
///     .nonblocking(true)
///     .open(&name)?;
/// MessageQueue::unlink(&name)?;
/// let attr = q.attributes()?;
/// assert_eq!((attr.max_messages, attr.message_size, attr.nonblocking), (8, 128, true));
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    core: OpenCore,
    capacity: Option<(usize, usize)>,
    nonblocking: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenOptions {
    /// Options with nothing set and mode `0o600`.
    ///
    /// ```
    /// let options = minic::mqueue::OpenOptions::new();
    /// // Neither read nor write access: refused before the kernel is asked.
    /// assert_eq!(options.open(c"/minic-doc-unused").err(), Some(minic::Errno::EINVAL));
    /// ```
    pub const fn new() -> Self {
        OpenOptions {
            core: OpenCore::NEW,
            capacity: None,
            nonblocking: false,
        }
    }

    /// Open for receiving (`O_RDONLY`, or `O_RDWR` with [`write`](Self::write)).
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.core.read = read;
        self
    }

    /// Open for sending (`O_WRONLY`, or `O_RDWR` with [`read`](Self::read)).
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.core.write = write;
        self
    }

    /// Create the queue if it does not exist (`O_CREAT`), with
    /// [`mode`](Self::mode) and [`capacity`](Self::capacity).
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.read(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.core.create = create;
        self
    }

    /// Create a new queue and fail with `EEXIST` if the name exists
    /// (`O_CREAT | O_EXCL`); implies [`create`](Self::create).
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.read(true).write(true).exclusive(true);
    /// ```
    pub fn exclusive(&mut self, exclusive: bool) -> &mut Self {
        self.core.exclusive = exclusive;
        self
    }

    /// The permission bits of a created queue (less the process's umask).
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.mode(0o660);
    /// ```
    pub fn mode(&mut self, mode: abi::mode_t) -> &mut Self {
        self.core.mode = mode;
        self
    }

    /// The size of a created queue: at most `max_messages` messages of at
    /// most `message_size` bytes each (`mq_maxmsg`, `mq_msgsize`). Zero is
    /// `EINVAL` when opening; values above the system's limits
    /// (`/proc/sys/fs/mqueue/msg_max`, often 10, and `msgsize_max`) are the
    /// kernel's `EINVAL`. Ignored when an existing queue is opened.
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.read(true).write(true).create(true).capacity(10, 8192);
    /// ```
    pub fn capacity(&mut self, max_messages: usize, message_size: usize) -> &mut Self {
        self.capacity = Some((max_messages, message_size));
        self
    }

    /// Open the descriptor non-blocking (`O_NONBLOCK`): a send to a full
    /// queue or a receive from an empty one fails with `EAGAIN` at once.
    /// [`MessageQueue::set_nonblocking`] changes it later.
    ///
    /// ```
    /// let mut options = minic::mqueue::OpenOptions::new();
    /// options.read(true).nonblocking(true);
    /// ```
    pub fn nonblocking(&mut self, nonblocking: bool) -> &mut Self {
        self.nonblocking = nonblocking;
        self
    }

    /// Opens (or creates) the queue `name`, as [`open`](super::open):
    /// neither read nor write access is `EINVAL`; name and attribute errors
    /// as described there; then the kernel's (`ENOENT`, `EEXIST`, `EACCES`,
    /// `EMFILE`...).
    ///
    /// ```
    /// use minic::{mqueue::OpenOptions, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-options-open-{}", std::process::id())).unwrap();
    /// let q = OpenOptions::new().write(true).exclusive(true).capacity(2, 16).open(&name)?;
    /// minic::mqueue::MessageQueue::unlink(&name)?;
    /// let mut o = OpenOptions::new();
    /// o.read(true).create(true);
    /// assert_eq!(o.open(c"/a/b").err(), Some(Errno::EINVAL));
    /// assert_eq!(o.capacity(0, 16).open(&name).err(), Some(Errno::EINVAL));
    /// # drop(q);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn open<N: ObjectName + ?Sized>(&self, name: &N) -> Result<MessageQueue, Errno> {
        let mut flags = self.core.flags()?;
        if self.nonblocking {
            flags |= OpenFlags::NONBLOCK;
        }
        let attr = match self.capacity {
            Some((max, size)) => {
                let max = c_long::try_from(max).map_err(|_| Errno::EINVAL)?;
                let size = c_long::try_from(size).map_err(|_| Errno::EINVAL)?;
                Some(MqAttr::new(max, size))
            }
            None => None,
        };
        super::open(name, flags, self.core.mode, attr.as_ref()).map(|mqd| MessageQueue { mqd })
    }
}

/// A queue's attributes, as [`MessageQueue::attributes`] reads them.
///
/// ```
/// use minic::mqueue::MessageQueue;
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-attributes-type-{}", std::process::id())).unwrap();
/// let q = MessageQueue::create_new(&name, 2, 16)?;
/// MessageQueue::unlink(&name)?;
/// let mut buf = vec![0u8; q.attributes()?.message_size];
/// q.send(b"sized", 0)?;
/// assert_eq!(q.receive(&mut buf)?, (5, 0));
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attributes {
    /// The most messages the queue holds (`mq_maxmsg`).
    pub max_messages: usize,
    /// The largest message, in bytes (`mq_msgsize`); a receive buffer must
    /// be at least this long.
    pub message_size: usize,
    /// The messages queued now (`mq_curmsgs`).
    pub messages: usize,
    /// Whether this descriptor is non-blocking (`O_NONBLOCK` in `mq_flags`).
    pub nonblocking: bool,
}

impl From<MqAttr> for Attributes {
    /// ```
    /// use minic::mqueue::{Attributes, MqAttr};
    /// let a = Attributes::from(MqAttr::new(4, 64));
    /// assert_eq!((a.max_messages, a.message_size, a.nonblocking), (4, 64, false));
    /// ```
    fn from(a: MqAttr) -> Self {
        // The kernel never reports negative sizes; 0 stands in if one did.
        let count = |v: c_long| usize::try_from(v).unwrap_or(0);
        Attributes {
            max_messages: count(a.mq_maxmsg),
            message_size: count(a.mq_msgsize),
            messages: count(a.mq_curmsgs),
            nonblocking: a.mq_flags & OpenFlags::NONBLOCK.bits() as c_long != 0,
        }
    }
}

/// What happens when a message arrives on an empty queue, for
/// [`MessageQueue::notify`]. A registration fires once.
///
/// ```
/// use minic::mqueue::{Notification, Sigval};
/// extern "C" fn arrived(_: Sigval) {}
/// let by_thread = Notification::Thread { function: arrived, value: Sigval { sival_int: 1 } };
/// let by_signal = Notification::Signal { signal: minic::abi::SIGUSR1, value: Sigval { sival_int: 2 } };
/// # let _ = (by_thread, by_signal);
/// ```
#[derive(Copy, Clone)]
pub enum Notification {
    /// Register, but deliver nothing (`SIGEV_NONE`): only keeps other
    /// processes from registering.
    Silent,
    /// Send `signal` to the process (`SIGEV_SIGNAL`); a handler installed
    /// with `SA_SIGINFO` finds `value` in `si_value` and `SI_MESGQ` in
    /// `si_code`. With the signal's default action, that may end the process.
    Signal {
        /// The signal number (`minic::abi::SIGUSR1`, ...).
        signal: c_int,
        /// The value delivered with it.
        value: Sigval,
    },
    /// Call `function(value)` in a new thread (`SIGEV_THREAD`), started with
    /// the host's default thread attributes. `ENOSYS` in the freestanding
    /// library and in a program without `pthread_create`.
    Thread {
        /// The function; a safe function is sound to call from any thread
        /// at any time, which is what this needs.
        function: extern "C" fn(Sigval),
        /// The value it is called with.
        value: Sigval,
    },
}

/// A POSIX message queue descriptor, closed when dropped.
///
/// Sending and receiving take `&self`, so one queue can be shared between
/// threads (`Arc`, scoped threads); the kernel serialises the operations.
/// A signal handled while a call waits ends it with `EINTR`; it is not
/// retried, so that a deadline stays the caller's to extend or not.
///
/// ```
/// use minic::mqueue::MessageQueue;
/// # let name = std::ffi::CString::new(format!("/minic-doc-mq-type-{}", std::process::id())).unwrap();
/// let q = MessageQueue::create_new(&name, 4, 64)?;
/// MessageQueue::unlink(&name)?; // the descriptor still works
/// q.send(b"low", 1)?;
/// q.send(b"high", 9)?;
/// let mut buf = [0u8; 64];
/// let (len, prio) = q.receive(&mut buf)?;
/// assert_eq!((&buf[..len], prio), (&b"high"[..], 9));
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Debug)]
pub struct MessageQueue {
    mqd: Mqd,
}

impl MessageQueue {
    /// Options for opening or creating a queue (see [`OpenOptions`]).
    ///
    /// ```
    /// let options = minic::mqueue::MessageQueue::options();
    /// ```
    pub const fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Opens an existing queue for sending and receiving.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-open-{}", std::process::id())).unwrap();
    /// assert_eq!(MessageQueue::open(&name).err(), Some(minic::Errno::ENOENT));
    /// let created = MessageQueue::create_new(&name, 2, 8)?;
    /// let opened = MessageQueue::open(&name)?;
    /// MessageQueue::unlink(&name)?;
    /// created.send(b"hi", 0)?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(opened.receive(&mut buf)?, (2, 0));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn open<N: ObjectName + ?Sized>(name: &N) -> Result<Self, Errno> {
        Self::options().read(true).write(true).open(name)
    }

    /// Creates a new queue for sending and receiving, mode `0o600`, holding
    /// `max_messages` messages of up to `message_size` bytes; `EEXIST` if
    /// the name exists. See [`OpenOptions::capacity`] for the limits.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-create-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 10, 256)?;
    /// assert_eq!(MessageQueue::create_new(&name, 10, 256).err(), Some(minic::Errno::EEXIST));
    /// MessageQueue::unlink(&name)?;
    /// # drop(q);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn create_new<N: ObjectName + ?Sized>(
        name: &N,
        max_messages: usize,
        message_size: usize,
    ) -> Result<Self, Errno> {
        Self::options()
            .read(true)
            .write(true)
            .exclusive(true)
            .capacity(max_messages, message_size)
            .open(name)
    }

    /// Removes a queue's name, as [`unlink`](super::unlink); open
    /// descriptors keep the queue alive.
    ///
    /// ```
    /// use minic::{mqueue::MessageQueue, Errno};
    /// assert_eq!(MessageQueue::unlink(c"/.."), Err(Errno::EINVAL));
    /// assert_eq!(MessageQueue::unlink(c"/minic-doc-never-created"), Err(Errno::ENOENT));
    /// ```
    pub fn unlink<N: ObjectName + ?Sized>(name: &N) -> Result<(), Errno> {
        super::unlink(name)
    }

    /// Sends a message with a priority (`0..MQ_PRIO_MAX`, higher first),
    /// waiting while the queue is full unless the descriptor is non-blocking
    /// (`EAGAIN`). Errors as for [`send`](super::send): `EMSGSIZE` for a
    /// message longer than the queue's message size, `EINVAL` for a priority
    /// of [`MQ_PRIO_MAX`](super::MQ_PRIO_MAX) or more, `EBADF` if not opened
    /// for writing.
    ///
    /// ```
    /// use minic::{mqueue::MessageQueue, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-send-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 2, 4)?;
    /// MessageQueue::unlink(&name)?;
    /// q.send(b"ping", 3)?;
    /// assert_eq!(q.send(b"too long", 0), Err(Errno::EMSGSIZE));
    /// assert_eq!(q.send(b"x", minic::mqueue::MQ_PRIO_MAX), Err(Errno::EINVAL));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn send(&self, msg: &[u8], priority: c_uint) -> Result<(), Errno> {
        super::send(self.mqd, msg, priority)
    }

    /// Sends, waiting at most `timeout` for room: `ETIMEDOUT` then. The
    /// timeout becomes a `CLOCK_REALTIME` deadline when the call starts.
    /// Other errors as for [`send`](Self::send).
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::{mqueue::MessageQueue, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-send-timeout-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.send_timeout(b"fits", 0, Duration::from_millis(10))?;
    /// assert_eq!(q.send_timeout(b"full", 0, Duration::from_millis(10)), Err(Errno::ETIMEDOUT));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn send_timeout(
        &self,
        msg: &[u8],
        priority: c_uint,
        timeout: Duration,
    ) -> Result<(), Errno> {
        self.send_deadline(msg, priority, Deadline::after(timeout)?)
    }

    /// Sends, waiting at most until `deadline` (a [`Deadline`], or with the
    /// `std` feature a `SystemTime`): `ETIMEDOUT` then. Other errors as for
    /// [`send`](Self::send).
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::{mqueue::{Deadline, MessageQueue}, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-send-deadline-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// let deadline = Deadline::after(Duration::from_millis(20))?;
    /// q.send_deadline(b"one", 0, deadline)?;
    /// assert_eq!(q.send_deadline(b"two", 0, deadline), Err(Errno::ETIMEDOUT));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn send_deadline(
        &self,
        msg: &[u8],
        priority: c_uint,
        deadline: impl Into<Deadline>,
    ) -> Result<(), Errno> {
        let deadline = deadline.into().to_timespec();
        super::timed_send(self.mqd, msg, priority, Some(&deadline))
    }

    /// Receives the oldest message of the highest priority into `buf`,
    /// returning its length and priority; waits while the queue is empty
    /// unless the descriptor is non-blocking (`EAGAIN`). A buffer shorter
    /// than the queue's message size is `EMSGSIZE` (whatever the message's
    /// length), a descriptor not opened for reading `EBADF`.
    ///
    /// ```
    /// use minic::{mqueue::MessageQueue, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-receive-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 4, 16)?;
    /// MessageQueue::unlink(&name)?;
    /// q.send(b"a", 0)?;
    /// q.send(b"b", 0)?;
    /// let mut buf = [0u8; 16];
    /// assert_eq!(q.receive(&mut buf)?, (1, 0));
    /// assert_eq!(buf[0], b'a'); // first in, first out within a priority
    /// assert_eq!(q.receive(&mut [0u8; 15]), Err(Errno::EMSGSIZE));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn receive(&self, buf: &mut [u8]) -> Result<(usize, c_uint), Errno> {
        super::receive(self.mqd, buf)
    }

    /// Receives, waiting at most `timeout` for a message: `ETIMEDOUT` then.
    /// The timeout becomes a `CLOCK_REALTIME` deadline when the call starts.
    /// Other errors as for [`receive`](Self::receive).
    ///
    /// ```
    /// use core::time::Duration;
    /// use minic::{mqueue::MessageQueue, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-receive-timeout-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(q.receive_timeout(&mut buf, Duration::from_millis(10)), Err(Errno::ETIMEDOUT));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn receive_timeout(
        &self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<(usize, c_uint), Errno> {
        self.receive_deadline(buf, Deadline::after(timeout)?)
    }

    /// Receives, waiting at most until `deadline` (a [`Deadline`], or with
    /// the `std` feature a `SystemTime`): `ETIMEDOUT` then. Other errors as
    /// for [`receive`](Self::receive).
    ///
    /// ```
    /// use minic::{mqueue::{Deadline, MessageQueue}, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-receive-deadline-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// let mut buf = [0u8; 8];
    /// // A deadline in the past: no wait at all.
    /// assert_eq!(q.receive_deadline(&mut buf, Deadline::from_unix(Default::default())), Err(Errno::ETIMEDOUT));
    /// q.send(b"now", 0)?;
    /// assert_eq!(q.receive_deadline(&mut buf, Deadline::MAX)?, (3, 0));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn receive_deadline(
        &self,
        buf: &mut [u8],
        deadline: impl Into<Deadline>,
    ) -> Result<(usize, c_uint), Errno> {
        let deadline = deadline.into().to_timespec();
        super::timed_receive(self.mqd, buf, Some(&deadline))
    }

    /// The queue's attributes and this descriptor's blocking mode, as `mq_getattr`.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-attributes-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 3, 32)?;
    /// MessageQueue::unlink(&name)?;
    /// q.send(b"x", 0)?;
    /// let a = q.attributes()?;
    /// assert_eq!((a.max_messages, a.message_size, a.messages, a.nonblocking), (3, 32, 1, false));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn attributes(&self) -> Result<Attributes, Errno> {
        super::attr(self.mqd).map(Attributes::from)
    }

    /// Makes this descriptor non-blocking or blocking again, as `mq_setattr`
    /// (other descriptors of the queue keep their mode).
    ///
    /// ```
    /// use minic::{mqueue::MessageQueue, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-nonblocking-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.set_nonblocking(true)?;
    /// assert_eq!(q.receive(&mut [0u8; 8]), Err(Errno::EAGAIN));
    /// q.set_nonblocking(false)?;
    /// assert!(!q.attributes()?.nonblocking);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), Errno> {
        let flags = if nonblocking {
            OpenFlags::NONBLOCK
        } else {
            OpenFlags::empty()
        };
        super::set_attr(self.mqd, &MqAttr::with_flags(flags.bits() as c_long)).map(drop)
    }

    /// Registers this process to be told when a message arrives on the
    /// empty queue, as `mq_notify`. One process at a time may be registered
    /// (`EBUSY` otherwise, even for this one); the registration ends when it
    /// fires, with [`clear_notification`](Self::clear_notification), or when
    /// this descriptor is closed.
    ///
    /// ```
    /// use minic::{mqueue::{MessageQueue, Notification}, Errno};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-notify-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.notify(Notification::Silent)?;
    /// assert_eq!(q.notify(Notification::Silent), Err(Errno::EBUSY));
    /// q.clear_notification()?;
    /// q.notify(Notification::Silent)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    ///
    /// A thread notification:
    ///
    /// ```
    /// use minic::mqueue::{MessageQueue, Notification, Sigval};
    /// use std::sync::atomic::{AtomicI32, Ordering};
    /// static SEEN: AtomicI32 = AtomicI32::new(0);
    /// extern "C" fn arrived(v: Sigval) {
    ///     // SAFETY: registered with an integer value.
    ///     SEEN.store(unsafe { v.sival_int }, Ordering::SeqCst);
    /// }
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-notify-thread-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.notify(Notification::Thread { function: arrived, value: Sigval { sival_int: 5 } })?;
    /// q.send(b"x", 0)?;
    /// for _ in 0..3000 {
    ///     if SEEN.load(Ordering::SeqCst) == 5 {
    ///         break;
    ///     }
    ///     std::thread::sleep(std::time::Duration::from_millis(1));
    /// }
    /// assert_eq!(SEEN.load(Ordering::SeqCst), 5);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn notify(&self, notification: Notification) -> Result<(), Errno> {
        let event = match notification {
            Notification::Silent => SigEvent::none(),
            Notification::Signal { signal, value } => SigEvent::signal(signal, value),
            Notification::Thread { function, value } => {
                SigEvent::thread(function, value, core::ptr::null_mut())
            }
        };
        // SAFETY: a thread notification's function is a safe function, sound
        // to call from any thread at any time with any value; the thread
        // attributes are null.
        unsafe { super::notify(self.mqd, Some(&event)) }
    }

    /// Removes this process's registration, as `mq_notify(q, NULL)`
    /// (`EBADF` only for a bad descriptor; no registration is no error).
    ///
    /// ```
    /// use minic::mqueue::{MessageQueue, Notification};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-clear-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.clear_notification()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn clear_notification(&self) -> Result<(), Errno> {
        // SAFETY: no event: the call only unregisters.
        unsafe { super::notify(self.mqd, None) }
    }

    /// A second descriptor of the same open queue (sharing its flags and
    /// notification), closed on exec like the first; `EMFILE` when the
    /// process has no descriptor left.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-clone-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 4, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// let other = q.try_clone()?;
    /// other.send(b"hi", 1)?;
    /// drop(other);
    /// let mut buf = [0; 8];
    /// assert_eq!(q.receive(&mut buf)?, (2, 1));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn try_clone(&self) -> Result<MessageQueue, Errno> {
        Ok(MessageQueue {
            mqd: posix::duplicate(self.mqd)?,
        })
    }

    /// The descriptor (still owned by `self`), for the functions of
    /// [`mqueue`](super) that take an [`Mqd`].
    ///
    /// ```
    /// use minic::mqueue::{self, MessageQueue};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-raw-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// assert_eq!(mqueue::attr(q.as_raw())?.mq_maxmsg, 1);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_raw(&self) -> Mqd {
        self.mqd
    }

    /// Gives up ownership: returns the descriptor, which is no longer closed
    /// on drop.
    ///
    /// ```
    /// use minic::mqueue::{self, MessageQueue};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-into-raw-{}", std::process::id())).unwrap();
    /// let mqd = MessageQueue::create_new(&name, 1, 8)?.into_raw();
    /// MessageQueue::unlink(&name)?;
    /// mqueue::close(mqd)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn into_raw(self) -> Mqd {
        let mqd = self.mqd;
        core::mem::forget(self);
        mqd
    }

    /// Takes ownership of an open queue descriptor.
    ///
    /// # Safety
    /// `mqd` is an open message-queue descriptor that nothing else closes:
    /// it is closed when the result is dropped.
    ///
    /// ```
    /// use minic::mqueue::{self, MessageQueue, MqAttr};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-from-raw-{}", std::process::id())).unwrap();
    /// let flags = minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL;
    /// let mqd = mqueue::open(&name, flags, 0o600, Some(&MqAttr::new(1, 8)))?;
    /// MessageQueue::unlink(&name)?;
    /// // SAFETY: mqd was just opened and is owned by nothing else.
    /// let q = unsafe { MessageQueue::from_raw(mqd) };
    /// q.send(b"mine", 0)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn from_raw(mqd: Mqd) -> Self {
        MessageQueue { mqd }
    }

    /// Closes the descriptor, as [`close`](super::close), and reports the
    /// error that dropping would ignore.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-mq-close-{}", std::process::id())).unwrap();
    /// let q = MessageQueue::create_new(&name, 1, 8)?;
    /// MessageQueue::unlink(&name)?;
    /// q.close()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn close(self) -> Result<(), Errno> {
        super::close(self.into_raw())
    }
}

impl Drop for MessageQueue {
    fn drop(&mut self) {
        let _ = super::close(self.mqd);
    }
}

// With the `std` feature: AsFd, AsRawFd, FromRawFd, IntoRawFd, From<OwnedFd>
// and Into<OwnedFd>, so that the queue can be handed to other crates (an
// async reactor polls a queue descriptor like a socket).
#[cfg(feature = "std")]
posix::owned_fd_traits!(MessageQueue, mqd);

/// A received message and its priority, from [`Messages`]; with the `std`
/// feature.
///
/// ```
/// # #[cfg(feature = "std")] {
/// let m = minic::mqueue::Message { data: b"hi".to_vec(), priority: 3 };
/// assert_eq!((m.data.len(), m.priority), (2, 3));
/// # }
/// ```
#[cfg(feature = "std")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    /// The message's bytes.
    pub data: std::vec::Vec<u8>,
    /// Its priority.
    pub priority: c_uint,
}

/// An iterator over the messages of a queue, highest priority first: from
/// [`MessageQueue::iter`] (waits for each message) or
/// [`MessageQueue::drain`] (ends when the queue is empty). An error is
/// yielded once, and ends the iteration.
///
/// ```
/// # #[cfg(feature = "std")] {
/// use minic::mqueue::MessageQueue;
/// # let name = format!("/minic-doc-mq-messages-{}", std::process::id());
/// let q = MessageQueue::create_new(&name, 4, 16)?;
/// MessageQueue::unlink(&name)?;
/// q.send(b"b", 1)?;
/// q.send(b"a", 2)?;
/// let got: Vec<_> = q.drain().map(|m| m.map(|m| m.data)).collect::<Result<_, _>>()?;
/// assert_eq!(got, [b"a".to_vec(), b"b".to_vec()]);
/// # }
/// # Ok::<(), minic::Errno>(())
/// ```
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct Messages<'q> {
    queue: &'q MessageQueue,
    /// Waits for each message (`iter`), or stops at an empty queue (`drain`).
    wait: bool,
    /// Set after an error: nothing more is received.
    done: bool,
}

#[cfg(feature = "std")]
impl Iterator for Messages<'_> {
    type Item = Result<Message, Errno>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.queue.receive_message(self.wait);
        match r {
            Err(Errno::ETIMEDOUT) if !self.wait => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(m) => Some(Ok(m)),
        }
    }
}

#[cfg(feature = "std")]
impl core::iter::FusedIterator for Messages<'_> {}

#[cfg(feature = "std")]
impl MessageQueue {
    /// The queue's messages as they arrive, each in a `Vec` of the queue's
    /// message size; waits for each one (a non-blocking descriptor ends the
    /// iteration with `EAGAIN` instead). With the `std` feature.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = format!("/minic-doc-mq-iter-{}", std::process::id());
    /// let q = MessageQueue::create_new(&name, 4, 16)?;
    /// MessageQueue::unlink(&name)?;
    /// let sender = q.try_clone()?;
    /// std::thread::spawn(move || {
    ///     for word in ["one", "two", "three"] {
    ///         sender.send(word.as_bytes(), 0).unwrap();
    ///     }
    /// });
    /// let words: Vec<_> = q.iter().take(3).map(|m| m.unwrap().data).collect();
    /// assert_eq!(words, [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn iter(&self) -> Messages<'_> {
        Messages {
            queue: self,
            wait: true,
            done: false,
        }
    }

    /// The messages queued now, highest priority first; ends when the queue
    /// is empty, never waits (the descriptor's mode stays as it is). With
    /// the `std` feature.
    ///
    /// ```
    /// use minic::mqueue::MessageQueue;
    /// # let name = format!("/minic-doc-mq-drain-{}", std::process::id());
    /// let q = MessageQueue::create_new(&name, 4, 16)?;
    /// MessageQueue::unlink(&name)?;
    /// q.send(b"x", 0)?;
    /// q.send(b"y", 0)?;
    /// assert_eq!(q.drain().count(), 2);
    /// assert_eq!(q.drain().count(), 0);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn drain(&self) -> Messages<'_> {
        Messages {
            queue: self,
            wait: false,
            done: false,
        }
    }

    /// One message into a new buffer; `wait` false: a deadline already past,
    /// so an empty queue is `ETIMEDOUT` at once.
    fn receive_message(&self, wait: bool) -> Result<Message, Errno> {
        let size = self.attributes()?.message_size;
        let mut data = std::vec![0u8; size];
        let (len, priority) = if wait {
            self.receive(&mut data)?
        } else {
            self.receive_deadline(&mut data, Deadline::from_unix(Duration::ZERO))?
        };
        data.truncate(len);
        Ok(Message { data, priority })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_arithmetic_saturates() {
        let d = Deadline::from_unix(Duration::new(1, 999_999_999));
        assert_eq!(
            d.saturating_add(Duration::from_nanos(1)),
            Deadline::from_unix(Duration::from_secs(2))
        );
        assert_eq!(Deadline::from_unix(Duration::MAX), Deadline::MAX);
        let near = Deadline {
            secs: i64::MAX,
            nanos: 0,
        };
        assert_eq!(
            near.saturating_add(Duration::from_nanos(999_999_999)),
            Deadline::MAX
        );
        assert_eq!(near.saturating_add(Duration::from_secs(1)), Deadline::MAX);
        assert_eq!(Deadline::MAX.saturating_add(Duration::MAX), Deadline::MAX);
    }

    #[test]
    fn capacity_beyond_c_long_is_refused() {
        let mut o = OpenOptions::new();
        o.read(true).create(true).capacity(usize::MAX, 8);
        assert_eq!(o.open(c"/minic-unit-huge").err(), Some(Errno::EINVAL));
    }
}
