//! What the POSIX object areas ([`shm`](crate::shm), [`mqueue`](crate::mqueue))
//! share: object names and their rules, open flags and access modes, the
//! core of their `OpenOptions`, descriptor duplication and, for the C
//! interface, the bounded C-string reader and the return conventions
//! (`c.rs`).
//!
//! ```
//! use minic::{ObjectName, OpenFlags};
//! let flags = OpenFlags::RDWR | OpenFlags::CREAT;
//! assert!(flags.contains(OpenFlags::CREAT));
//! // A name as a C string or as a Rust string: the same rules.
//! fn takes<N: ObjectName + ?Sized>(_: &N) {}
//! takes(c"/queue");
//! takes("/queue");
//! ```

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use crate::errno::Errno;
use crate::flags::flag_set;
use crate::port;
use core::ffi::{c_int, CStr};

/// The C ABI's conventions; public (hidden) for the other areas' C entry points.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

/// The longest name POSIX allows for one path component.
pub(crate) const NAME_MAX: usize = abi::NAME_MAX as usize;

flag_set! {
    /// Flags for opening a shared memory object or a message queue (`O_*`
    /// of `<fcntl.h>`): an access mode (`RDONLY`, `WRONLY` or `RDWR`) and
    /// any of the others.
    ///
    /// ```
    /// use minic::OpenFlags;
    /// let flags = OpenFlags::RDWR | OpenFlags::CREAT | OpenFlags::EXCL;
    /// assert_eq!(format!("{flags:?}"), "OpenFlags(RDWR | CREAT | EXCL)");
    /// ```
    pub struct OpenFlags: c_int, "minic::OpenFlags", CREAT {
        /// Open for reading only (`O_RDONLY`, the value 0: the absence of the other modes).
        const RDONLY = abi::O_RDONLY;
        /// Open for writing only (`O_WRONLY`).
        const WRONLY = abi::O_WRONLY;
        /// Open for reading and writing (`O_RDWR`).
        const RDWR = abi::O_RDWR;
        /// Create the object if it does not exist (`O_CREAT`).
        const CREAT = abi::O_CREAT;
        /// With `CREAT`: fail with `EEXIST` if it exists (`O_EXCL`).
        const EXCL = abi::O_EXCL;
        /// Cut a shared memory object to length 0 (`O_TRUNC`).
        const TRUNC = abi::O_TRUNC;
        /// Never wait: a queue's full send or empty receive is `EAGAIN` (`O_NONBLOCK`).
        const NONBLOCK = abi::O_NONBLOCK;
        /// Close the descriptor on exec (`O_CLOEXEC`).
        const CLOEXEC = abi::O_CLOEXEC;
        /// Refuse a symbolic link (`O_NOFOLLOW`).
        const NOFOLLOW = abi::O_NOFOLLOW;
    }
}

impl OpenFlags {
    /// The access mode bits (`O_ACCMODE`): `RDONLY`, `WRONLY`, `RDWR`, or the
    /// invalid `WRONLY | RDWR`.
    ///
    /// ```
    /// use minic::OpenFlags;
    /// assert_eq!((OpenFlags::RDWR | OpenFlags::CREAT).access_mode(), OpenFlags::RDWR);
    /// ```
    pub const fn access_mode(self) -> OpenFlags {
        OpenFlags(self.0 & abi::O_ACCMODE)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A name of a shared memory object or message queue: a C string (`&CStr`,
/// `c"/name"`) or a Rust string (`&str`; with the `std` feature also
/// `CString` and `String`).
///
/// Leading slashes are ignored; an empty name, `.`, `..`, a name with
/// another slash or (for a Rust string) a NUL byte is `EINVAL`; a name
/// longer than `NAME_MAX` (255) bytes is `ENAMETOOLONG`. A Rust string is
/// copied into a stack buffer with its NUL: no allocation.
///
/// ```
/// use minic::{mqueue::MessageQueue, Errno};
/// assert_eq!(MessageQueue::unlink("/a/b"), Err(Errno::EINVAL));
/// assert_eq!(MessageQueue::unlink(c"/a/b"), Err(Errno::EINVAL));
/// assert_eq!(MessageQueue::unlink("/nul\0inside"), Err(Errno::EINVAL));
/// assert_eq!(MessageQueue::unlink(&"n".repeat(256)), Err(Errno::ENAMETOOLONG));
/// ```
pub trait ObjectName: sealed::Sealed {
    /// Calls `f` with the checked name, leading slashes removed, as a C
    /// string; name errors come first.
    ///
    /// ```
    /// use minic::ObjectName;
    /// let len = "//queue".with_object_name(|n| Ok(n.to_bytes().len()));
    /// assert_eq!(len, Ok(5));
    /// assert_eq!(c"/..".with_object_name(|_| Ok(())), Err(minic::Errno::EINVAL));
    /// ```
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno>;
}

impl sealed::Sealed for CStr {}
impl ObjectName for CStr {
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno> {
        f(object_name(self)?)
    }
}

impl sealed::Sealed for str {}
impl ObjectName for str {
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno> {
        let stem = self.trim_start_matches('/').as_bytes();
        if stem.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut buf = [0u8; NAME_MAX + 1];
        // Element-wise: copy_from_slice's length check could panic, and a
        // reachable panic pulls core::fmt into every freestanding program.
        for (dst, src) in buf.iter_mut().zip(stem) {
            *dst = *src;
        }
        let with_nul = buf.get(..=stem.len()).ok_or(Errno::ENAMETOOLONG)?;
        // A NUL inside the name: not the string the caller meant.
        let name = CStr::from_bytes_with_nul(with_nul).map_err(|_| Errno::EINVAL)?;
        name.with_object_name(f)
    }
}

#[cfg(feature = "std")]
impl sealed::Sealed for std::ffi::CString {}
#[cfg(feature = "std")]
impl ObjectName for std::ffi::CString {
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno> {
        self.as_c_str().with_object_name(f)
    }
}

#[cfg(feature = "std")]
impl sealed::Sealed for std::string::String {}
#[cfg(feature = "std")]
impl ObjectName for std::string::String {
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno> {
        self.as_str().with_object_name(f)
    }
}

impl<N: ObjectName + ?Sized> sealed::Sealed for &N {}
impl<N: ObjectName + ?Sized> ObjectName for &N {
    fn with_object_name<R>(&self, f: impl FnOnce(&CStr) -> Result<R, Errno>) -> Result<R, Errno> {
        (**self).with_object_name(f)
    }
}

/// Checks a shared memory object or message queue name and returns it
/// without its leading slashes, still NUL-terminated.
///
/// An empty name, `.`, `..` and a name with a slash after the leading ones
/// are `EINVAL` (they would name a directory, or one outside the
/// namespace); a name longer than `NAME_MAX` bytes is `ENAMETOOLONG`.
pub(crate) fn object_name(name: &CStr) -> Result<&CStr, Errno> {
    let bytes = name.to_bytes_with_nul();
    let skip = bytes.iter().take_while(|&&b| b == b'/').count();
    let rest = bytes.get(skip..).unwrap_or(&[0]);
    let stem = rest.split_last().map_or(&[][..], |(_, s)| s);
    if stem.is_empty() || stem == b"." || stem == b".." || stem.contains(&b'/') {
        return Err(Errno::EINVAL);
    }
    if stem.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    CStr::from_bytes_with_nul(rest).map_err(|_| Errno::EINVAL)
}

/// What both areas' `OpenOptions` hold: the access mode, creation and the
/// permission bits of a created object; each area adds its own flags.
#[derive(Copy, Clone, Debug)]
pub(crate) struct OpenCore {
    pub(crate) read: bool,
    pub(crate) write: bool,
    pub(crate) create: bool,
    /// Create a new object, never open an existing one (`O_CREAT | O_EXCL`).
    pub(crate) exclusive: bool,
    /// The permission bits of a created object.
    pub(crate) mode: abi::mode_t,
}

impl OpenCore {
    /// No access, no creation, mode `0o600`: what options start from.
    pub(crate) const NEW: OpenCore = OpenCore {
        read: false,
        write: false,
        create: false,
        exclusive: false,
        mode: 0o600,
    };

    /// The open flags; neither read nor write access is `EINVAL`.
    pub(crate) fn flags(&self) -> Result<OpenFlags, Errno> {
        let mut flags = match (self.read, self.write) {
            (true, false) => OpenFlags::RDONLY,
            (false, true) => OpenFlags::WRONLY,
            (true, true) => OpenFlags::RDWR,
            (false, false) => return Err(Errno::EINVAL),
        };
        if self.create || self.exclusive {
            flags |= OpenFlags::CREAT;
        }
        if self.exclusive {
            flags |= OpenFlags::EXCL;
        }
        Ok(flags)
    }
}

/// A new descriptor of what `fd` is open on, closed on exec: the
/// `try_clone` of shared memory objects and message queues.
pub(crate) fn duplicate(fd: c_int) -> Result<c_int, Errno> {
    // SAFETY: no memory is passed.
    unsafe { port::fcntl(fd, abi::F_DUPFD_CLOEXEC, 0) }.map(|d| d as c_int)
}

/// Closes a descriptor this crate owns; the error is what `close` reports.
pub(crate) fn close(fd: c_int) -> Result<(), Errno> {
    // SAFETY: closing a descriptor touches no memory.
    unsafe { port::close(fd) }.map(drop)
}

/// The standard library's descriptor traits for a type that owns one
/// descriptor in a field: `AsFd`, `AsRawFd`, `FromRawFd`, `IntoRawFd`,
/// `From<OwnedFd>` and `From<Type> for OwnedFd`, so that it can be handed to
/// crates that take descriptors (memmap2, nix, rustix, async reactors).
#[cfg(feature = "std")]
macro_rules! owned_fd_traits {
    ($type:ident, $field:ident) => {
        impl std::os::fd::AsRawFd for $type {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.$field
            }
        }

        impl std::os::fd::AsFd for $type {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                // SAFETY: the descriptor is open for as long as `self` lives.
                unsafe { std::os::fd::BorrowedFd::borrow_raw(self.$field) }
            }
        }

        impl std::os::fd::FromRawFd for $type {
            unsafe fn from_raw_fd(fd: std::os::fd::RawFd) -> Self {
                $type { $field: fd }
            }
        }

        impl std::os::fd::IntoRawFd for $type {
            fn into_raw_fd(self) -> std::os::fd::RawFd {
                let fd = self.$field;
                core::mem::forget(self);
                fd
            }
        }

        impl From<std::os::fd::OwnedFd> for $type {
            fn from(fd: std::os::fd::OwnedFd) -> Self {
                $type {
                    $field: std::os::fd::IntoRawFd::into_raw_fd(fd),
                }
            }
        }

        impl From<$type> for std::os::fd::OwnedFd {
            fn from(owner: $type) -> Self {
                let fd = std::os::fd::IntoRawFd::into_raw_fd(owner);
                // SAFETY: the descriptor is open and its ownership moves here.
                unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) }
            }
        }
    };
}

#[cfg(feature = "std")]
pub(crate) use owned_fd_traits;

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use std::vec;

    fn name_of(s: &[u8]) -> Result<std::vec::Vec<u8>, Errno> {
        let c = CString::new(s).unwrap();
        object_name(&c).map(|n| n.to_bytes().to_vec())
    }

    #[test]
    fn strips_leading_slashes() {
        assert_eq!(name_of(b"/a"), Ok(b"a".to_vec()));
        assert_eq!(name_of(b"//a.b"), Ok(b"a.b".to_vec()));
        assert_eq!(name_of(b"abc"), Ok(b"abc".to_vec()));
        assert_eq!(name_of(b"/..."), Ok(b"...".to_vec()));
    }

    #[test]
    fn refuses_names_outside_the_namespace() {
        for bad in [
            &b""[..],
            b"/",
            b"///",
            b".",
            b"/.",
            b"..",
            b"/..",
            b"/a/b",
            b"a/",
            b"/../../tmp/x",
        ] {
            assert_eq!(name_of(bad), Err(Errno::EINVAL), "{bad:?}");
            let s = core::str::from_utf8(bad).unwrap();
            assert_eq!(s.with_object_name(|_| Ok(())), Err(Errno::EINVAL), "{s}");
        }
    }

    #[test]
    fn name_max_is_the_limit() {
        let mut long = vec![b'/'];
        long.extend(vec![b'x'; NAME_MAX]);
        assert_eq!(name_of(&long).map(|n| n.len()), Ok(NAME_MAX));
        let s = std::string::String::from_utf8(long.clone()).unwrap();
        assert_eq!(
            s.as_str().with_object_name(|n| Ok(n.to_bytes().len())),
            Ok(NAME_MAX)
        );
        long.push(b'x');
        assert_eq!(name_of(&long), Err(Errno::ENAMETOOLONG));
        let s = std::string::String::from_utf8(long).unwrap();
        assert_eq!(
            s.as_str().with_object_name(|_| Ok(())),
            Err(Errno::ENAMETOOLONG)
        );
    }

    #[test]
    fn a_rust_name_with_a_nul_is_refused() {
        assert_eq!("/a\0b".with_object_name(|_| Ok(())), Err(Errno::EINVAL));
        assert_eq!("/ab\0".with_object_name(|_| Ok(())), Err(Errno::EINVAL));
    }

    #[test]
    fn access_modes() {
        let mut o = OpenCore::NEW;
        assert_eq!(o.flags(), Err(Errno::EINVAL));
        o.read = true;
        assert_eq!(o.flags(), Ok(OpenFlags::RDONLY));
        o.write = true;
        assert_eq!(o.flags(), Ok(OpenFlags::RDWR));
        o.read = false;
        assert_eq!(o.flags(), Ok(OpenFlags::WRONLY));
        o.exclusive = true;
        let excl = OpenFlags::WRONLY | OpenFlags::CREAT | OpenFlags::EXCL;
        assert_eq!(o.flags(), Ok(excl));
    }

    #[test]
    fn flags_show_their_names() {
        use std::format;
        assert_eq!(format!("{:?}", OpenFlags::RDONLY), "OpenFlags(RDONLY)");
        let odd = OpenFlags::from_bits_retain(abi::O_CREAT | 0x4000_0000);
        assert_eq!(format!("{odd:?}"), "OpenFlags(CREAT | 0x40000000)");
        assert_eq!(OpenFlags::from_bits(0x4000_0000), None);
    }
}
