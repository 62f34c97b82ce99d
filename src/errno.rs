//! Error numbers: the Rust `Errno` type and, for the C API, the `errno` variable.
//!
//! The hosted C library shares the host's `errno` through `__errno_location`,
//! so a C program reads minic's errors with the ordinary `errno` (two errno
//! variables would hide every error from the program). The freestanding
//! library defines `__errno_location` itself: one process-wide variable, since
//! a freestanding program has no thread-local storage to offer.
//!
//! ```
//! use minic::errno::Errno;
//! assert_eq!(Errno::EEXIST, minic::Errno(17));
//! ```

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use core::ffi::c_int;
use core::fmt;

/// An error number as the kernel and POSIX define it (`EINVAL`, `ENOMEM`, ...):
/// the error type of every fallible function of this crate.
///
/// The number is the Linux value (the same as the `libc` crate's constant of
/// that name). `Errno` is a [`core::error::Error`], so `?` turns it into a
/// `Box<dyn Error>`; with the `std` feature, into a `std::io::Error` too. `Display` gives the usual message text and the symbolic name,
/// `Debug` the name alone; a number minic has no name for shows as a number.
/// The associated constants name the errors minic's functions report.
///
/// ```
/// use minic::Errno;
/// assert_eq!(Errno::EINVAL.code(), 22);
/// assert_eq!(Errno::ENOMEM.to_string(), "Cannot allocate memory (ENOMEM)");
/// assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
/// assert_eq!(Errno(4000).to_string(), "Unknown error 4000");
///
/// // A failing call:
/// let err = minic::mman::Mapping::anonymous(0, minic::mman::Protection::READ).unwrap_err();
/// assert_eq!(err, Errno::EINVAL);
/// assert_eq!(err.code(), 22);
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Errno(pub c_int);

macro_rules! errno_table {
    ($($name:ident = $msg:literal,)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $msg, ".")]
                pub const $name: Errno = Errno(abi::$name);
            )*

            /// The symbolic name (`"EINVAL"`), if minic knows this number.
            ///
            /// ```
            /// assert_eq!(minic::Errno::ENOENT.name(), Some("ENOENT"));
            /// assert_eq!(minic::Errno(4000).name(), None);
            /// ```
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(abi::$name => Some(stringify!($name)),)*
                    _ => None,
                }
            }

            /// The usual message text (`"Invalid argument"`); `"Unknown error"`
            /// for a number minic has no name for.
            ///
            /// ```
            /// assert_eq!(minic::Errno::EACCES.message(), "Permission denied");
            /// assert_eq!(minic::Errno(4000).message(), "Unknown error");
            /// ```
            pub fn message(self) -> &'static str {
                match self.0 {
                    $(abi::$name => $msg,)*
                    _ => "Unknown error",
                }
            }
        }
    };
}

errno_table! {
    EPERM = "Operation not permitted",
    ENOENT = "No such file or directory",
    EINTR = "Interrupted system call",
    EIO = "Input/output error",
    EBADF = "Bad file descriptor",
    EAGAIN = "Resource temporarily unavailable",
    ENOMEM = "Cannot allocate memory",
    EACCES = "Permission denied",
    EFAULT = "Bad address",
    EBUSY = "Device or resource busy",
    EEXIST = "File exists",
    ENODEV = "No such device",
    ENOTDIR = "Not a directory",
    EISDIR = "Is a directory",
    EINVAL = "Invalid argument",
    ENFILE = "Too many open files in system",
    EMFILE = "Too many open files",
    ETXTBSY = "Text file busy",
    EFBIG = "File too large",
    ENOSPC = "No space left on device",
    EROFS = "Read-only file system",
    ERANGE = "Numerical result out of range",
    ENAMETOOLONG = "File name too long",
    ENOSYS = "Function not implemented",
    ELOOP = "Too many levels of symbolic links",
    EOVERFLOW = "Value too large for defined data type",
    EMSGSIZE = "Message too long",
    ENOTSUP = "Operation not supported",
    ETIMEDOUT = "Connection timed out",
}

impl Errno {
    /// The raw number, as C's `errno` holds it.
    ///
    /// ```
    /// assert_eq!(minic::Errno::ENOMEM.code(), 12);
    /// ```
    pub const fn code(self) -> c_int {
        self.0
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{} ({})", self.message(), n),
            None => write!(f, "Unknown error {}", self.0),
        }
    }
}

/// An `Errno` is an error like any other: `?` converts it into a
/// `Box<dyn Error>`.
///
/// ```
/// fn run() -> Result<(), Box<dyn std::error::Error>> {
///     minic::mman::Mapping::anonymous(0, minic::mman::Protection::READ)?;
///     Ok(())
/// }
/// assert_eq!(run().unwrap_err().to_string(), "Invalid argument (EINVAL)");
/// ```
impl core::error::Error for Errno {}

/// With the `std` feature: the [`std::io::Error`] of the same OS error
/// number, so that `?` works in functions returning `io::Result`.
///
/// ```
/// # #[cfg(feature = "std")] {
/// fn map_page() -> std::io::Result<minic::mman::Mapping> {
///     Ok(minic::mman::Mapping::anonymous(4096, minic::mman::Protection::READ)?)
/// }
/// assert!(map_page().is_ok());
/// let e = std::io::Error::from(minic::Errno::ENOENT);
/// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
/// assert_eq!(e.raw_os_error(), Some(2));
/// # }
/// ```
#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.0)
    }
}

/// The C `errno` variable, for the C API; public (hidden) for the header check.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c {
    use super::Errno;
    use core::ffi::c_int;

    #[cfg(not(feature = "freestanding"))]
    extern "C" {
        // The host C library's errno (glibc, musl): the one the program reads.
        fn __errno_location() -> *mut c_int;
    }

    #[cfg(feature = "freestanding")]
    static ERRNO: core::sync::atomic::AtomicI32 = core::sync::atomic::AtomicI32::new(0);

    /// <https://pubs.opengroup.org/onlinepubs/9799919799/functions/errno.html>
    #[cfg(feature = "freestanding")]
    #[unsafe(no_mangle)]
    pub extern "C" fn __errno_location() -> *mut c_int {
        ERRNO.as_ptr()
    }

    /// Sets `errno`.
    #[inline]
    pub fn set(e: Errno) {
        // SAFETY: __errno_location returns the calling thread's errno, valid for writes.
        unsafe { *__errno_location() = e.0 }
    }
}
