//! POSIX shared memory objects: `shm_open` and `shm_unlink` of `<sys/mman.h>`.
//!
//! An object is a file in `/dev/shm`. Names are checked before any path is
//! built, so that no name can reach outside that directory: a name like
//! `"/../../tmp/x"` is refused, never resolved. The same rules name message
//! queues (`crate::mqueue`); see [`ObjectName`].
//!
//! [`SharedMemory`] is the owned form (closed on drop, mapped as a
//! [`Mapping`]); [`open`] and [`unlink`] are the functions of the C
//! interface.

// The ABI's constants: the Linux x86-64 values.
use crate::abi;

use crate::errno::Errno;
use crate::mman::{MapFlags, Mapping, Protection};
use crate::port;
use crate::posix::{self, ObjectName, OpenCore, OpenFlags, NAME_MAX};
use core::ffi::{c_int, CStr};

/// The C ABI (exported symbols); public so the header check can compare types.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

/// The directory that holds shared memory objects on Linux.
const SHM_DIR: &[u8] = b"/dev/shm/";

/// Room for `/dev/shm/`, the longest name and its NUL.
const PATH_CAP: usize = SHM_DIR.len() + NAME_MAX + 1;

/// Builds `/dev/shm/<name>` in `buf` for a checked name.
fn object_path<'a>(name: &CStr, buf: &'a mut [u8; PATH_CAP]) -> Result<&'a CStr, Errno> {
    let name = posix::object_name(name)?.to_bytes_with_nul();
    let len = SHM_DIR.len() + name.len();
    let path = buf.get_mut(..len).ok_or(Errno::ENAMETOOLONG)?;
    // Element-wise copies: copy_from_slice's length check could panic, and a
    // reachable panic pulls core::fmt into every freestanding program.
    for (dst, src) in path.iter_mut().zip(SHM_DIR.iter().chain(name)) {
        *dst = *src;
    }
    CStr::from_bytes_with_nul(path).map_err(|_| Errno::EINVAL)
}

/// Opens (or with `O_CREAT` creates) a shared memory object, as `shm_open`:
/// returns its file descriptor.
///
/// `O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK` are added to `oflag`: the object is
/// never reached through a symbolic link planted in `/dev/shm`, does not leak
/// into executed programs, and opening never waits (on a FIFO placed there).
/// Name errors are described at [`unlink`]; every other error is the
/// kernel's (`EEXIST`, `ENOENT`, `EACCES`, ...).
///
/// ```
/// use minic::shm;
/// let name = &std::ffi::CString::new(format!("/minic-doc-shm-fn-open-{}", std::process::id())).unwrap();
/// let _ = shm::unlink(name); // from an interrupted run
/// let fd = shm::open(name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600).unwrap();
/// shm::unlink(name).unwrap();
/// assert_eq!(shm::open(c"/../etc/passwd", minic::OpenFlags::RDONLY, 0), Err(minic::Errno::EINVAL));
/// # drop(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
/// ```
pub fn open<N: ObjectName + ?Sized>(
    name: &N,
    flags: OpenFlags,
    mode: abi::mode_t,
) -> Result<c_int, Errno> {
    name.with_object_name(|name| {
        let mut buf = [0u8; PATH_CAP];
        let path = object_path(name, &mut buf)?;
        let flags = flags | OpenFlags::NOFOLLOW | OpenFlags::CLOEXEC | OpenFlags::NONBLOCK;
        // SAFETY: path is a NUL-terminated string in our buffer.
        unsafe { port::openat(abi::AT_FDCWD, path.as_ptr(), flags.bits(), mode) }
            .map(|fd| fd as c_int)
    })
}

/// Removes a shared memory object's name, as `shm_unlink`.
///
/// Leading slashes are ignored; an empty name, `.`, `..` or a name with
/// another slash is `EINVAL`, a name longer than `NAME_MAX` is
/// `ENAMETOOLONG`. An object the caller may not remove (another user's, in
/// the sticky `/dev/shm`) is `EACCES`, POSIX's error, where the kernel says
/// `EPERM`. Other errors are the kernel's (`ENOENT`, ...).
///
/// ```
/// use minic::{shm, Errno};
/// let name = &std::ffi::CString::new(format!("/minic-doc-shm-fn-unlink-{}", std::process::id())).unwrap();
/// let fd = shm::open(name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600)?;
/// shm::unlink(name)?;
/// assert_eq!(shm::unlink(name), Err(Errno::ENOENT));
/// assert_eq!(shm::unlink(c"/a/../b"), Err(Errno::EINVAL));
/// # drop(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
/// # Ok::<(), Errno>(())
/// ```
pub fn unlink<N: ObjectName + ?Sized>(name: &N) -> Result<(), Errno> {
    name.with_object_name(|name| {
        let mut buf = [0u8; PATH_CAP];
        let path = object_path(name, &mut buf)?;
        // SAFETY: path is a NUL-terminated string in our buffer.
        match unsafe { port::unlinkat(abi::AT_FDCWD, path.as_ptr(), 0) } {
            Ok(_) => Ok(()),
            Err(Errno::EPERM) => Err(Errno::EACCES),
            Err(e) => Err(e),
        }
    })
}

/// How to open a [`SharedMemory`] object: access, creation, permissions.
///
/// Nothing is set at first; the mode is `0o600` unless [`mode`](Self::mode)
/// says otherwise.
///
/// ```
/// use minic::shm::SharedMemory;
/// # let name = std::ffi::CString::new(format!("/minic-doc-shm-options-{}", std::process::id())).unwrap();
/// let shm = SharedMemory::options().read(true).write(true).exclusive(true).mode(0o640).open(&name)?;
/// SharedMemory::unlink(&name)?;
/// // The same name again: it no longer exists.
/// let again = SharedMemory::options().read(true).open(&name);
/// assert_eq!(again.err(), Some(minic::Errno::ENOENT));
/// # drop(shm);
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    core: OpenCore,
    truncate: bool,
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
    /// let options = minic::shm::OpenOptions::new();
    /// // Neither read nor write access: refused before the kernel is asked.
    /// assert_eq!(options.open(c"/minic-doc-unused").err(), Some(minic::Errno::EINVAL));
    /// ```
    pub const fn new() -> Self {
        OpenOptions {
            core: OpenCore::NEW,
            truncate: false,
        }
    }

    /// Read access (`O_RDONLY`, or `O_RDWR` with [`write`](Self::write)).
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.core.read = read;
        self
    }

    /// Write access (`O_RDWR` with [`read`](Self::read)). POSIX defines only
    /// read-only and read-write objects; write-only is what Linux makes of it,
    /// and cannot be mapped.
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.read(true).write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.core.write = write;
        self
    }

    /// Create the object if it does not exist (`O_CREAT`), with [`mode`](Self::mode).
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.read(true).write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.core.create = create;
        self
    }

    /// Create a new object and fail with `EEXIST` if the name exists
    /// (`O_CREAT | O_EXCL`); implies [`create`](Self::create).
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.read(true).write(true).exclusive(true);
    /// ```
    pub fn exclusive(&mut self, exclusive: bool) -> &mut Self {
        self.core.exclusive = exclusive;
        self
    }

    /// Cut an existing object to length 0 (`O_TRUNC`; needs write access).
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.read(true).write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.truncate = truncate;
        self
    }

    /// The permission bits of a created object (less the process's umask).
    ///
    /// ```
    /// let mut options = minic::shm::OpenOptions::new();
    /// options.mode(0o644);
    /// ```
    pub fn mode(&mut self, mode: abi::mode_t) -> &mut Self {
        self.core.mode = mode;
        self
    }

    /// Opens the object `name`, as [`open`]: name errors, then the kernel's
    /// (`ENOENT`, `EEXIST`, `EACCES`, ...). Neither read nor write access is
    /// `EINVAL`.
    ///
    /// ```
    /// use minic::shm::OpenOptions;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-options-open-{}", std::process::id())).unwrap();
    /// let shm = OpenOptions::new().read(true).write(true).exclusive(true).open(&name)?;
    /// minic::shm::SharedMemory::unlink(&name)?;
    /// assert_eq!(OpenOptions::new().read(true).open(c"/a/b").err(), Some(minic::Errno::EINVAL));
    /// # drop(shm);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn open<N: ObjectName + ?Sized>(&self, name: &N) -> Result<SharedMemory, Errno> {
        let mut flags = self.core.flags()?;
        if self.truncate {
            flags |= OpenFlags::TRUNC;
        }
        open(name, flags, self.core.mode).map(|fd| SharedMemory { fd })
    }
}

/// A POSIX shared memory object: an open descriptor of `/dev/shm/<name>`,
/// closed when dropped.
///
/// Size it with [`set_len`](Self::set_len) and map it with
/// [`map`](Self::map) (a [`Mapping`], unmapped on drop) or
/// [`map_raw`](Self::map_raw) (a pointer); other processes open it by
/// name. The name stays until [`SharedMemory::unlink`]; the memory until
/// the last descriptor and mapping are gone.
///
/// ```
/// use minic::shm::SharedMemory;
/// # let name = std::ffi::CString::new(format!("/minic-doc-shm-type-{}", std::process::id())).unwrap();
/// let shm = SharedMemory::create_new(&name)?;
/// SharedMemory::unlink(&name)?; // the descriptor still works
/// shm.set_len(4096)?;
/// // SAFETY: the object has no name any more and its descriptor is ours:
/// // nobody else can write or shrink it.
/// let mut m = unsafe { shm.map(0, 4096, minic::mman::Protection::READ | minic::mman::Protection::WRITE) }?;
/// m.as_mut_slice().unwrap().fill(7);
/// assert_eq!(m.as_slice().unwrap()[4095], 7);
/// # Ok::<(), minic::Errno>(())
/// ```
#[derive(Debug)]
pub struct SharedMemory {
    fd: c_int,
}

impl SharedMemory {
    /// Options for opening or creating an object (see [`OpenOptions`]).
    ///
    /// ```
    /// let options = minic::shm::SharedMemory::options();
    /// ```
    pub const fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Opens an existing object for reading and writing.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-open-{}", std::process::id())).unwrap();
    /// assert_eq!(SharedMemory::open(&name).err(), Some(minic::Errno::ENOENT));
    /// let created = SharedMemory::create_new(&name)?;
    /// let opened = SharedMemory::open(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// # drop((created, opened));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn open<N: ObjectName + ?Sized>(name: &N) -> Result<Self, Errno> {
        Self::options().read(true).write(true).open(name)
    }

    /// Creates a new object (length 0) for reading and writing, mode
    /// `0o600`; `EEXIST` if the name exists.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-create-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// assert_eq!(SharedMemory::create_new(&name).err(), Some(minic::Errno::EEXIST));
    /// SharedMemory::unlink(&name)?;
    /// # drop(shm);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn create_new<N: ObjectName + ?Sized>(name: &N) -> Result<Self, Errno> {
        Self::options()
            .read(true)
            .write(true)
            .exclusive(true)
            .open(name)
    }

    /// Removes the name, as [`unlink`]; open descriptors and mappings live on.
    ///
    /// ```
    /// use minic::{shm::SharedMemory, Errno};
    /// assert_eq!(SharedMemory::unlink(c"/../tmp/x"), Err(Errno::EINVAL));
    /// assert_eq!(SharedMemory::unlink(c"/minic-doc-never-created"), Err(Errno::ENOENT));
    /// ```
    pub fn unlink<N: ObjectName + ?Sized>(name: &N) -> Result<(), Errno> {
        unlink(name)
    }

    /// Sets the object's length, as `ftruncate`: new bytes read as zero.
    /// A length above `i64::MAX` is `EFBIG`; a read-only descriptor `EINVAL`
    /// (the kernel's).
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-len-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// shm.set_len(1 << 20)?;
    /// assert_eq!(shm.set_len(u64::MAX), Err(minic::Errno::EFBIG));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn set_len(&self, len: u64) -> Result<(), Errno> {
        // The kernel's length is a `long` (32 bits on x86).
        let len = core::ffi::c_long::try_from(len).map_err(|_| Errno::EFBIG)?;
        // SAFETY: no memory is passed.
        unsafe { port::ftruncate(self.fd, len) }.map(drop)
    }

    /// The object's length in bytes (`st_size` of fstat(2)).
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-getlen-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// assert_eq!(shm.len()?, 0);
    /// shm.set_len(12345)?;
    /// assert_eq!(shm.len()?, 12345);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a length that can fail to be read
    pub fn len(&self) -> Result<u64, Errno> {
        crate::mman::file_len(self.fd)
    }

    /// A second descriptor of the same object, closed on exec like the
    /// first (`F_DUPFD_CLOEXEC`); `EMFILE` when the process has no
    /// descriptor left.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-clone-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// let other = shm.try_clone()?;
    /// assert_ne!(other.as_raw_fd(), shm.as_raw_fd());
    /// other.set_len(4096)?;
    /// drop(other);
    /// assert_eq!(shm.len()?, 4096);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn try_clone(&self) -> Result<SharedMemory, Errno> {
        Ok(SharedMemory {
            fd: posix::duplicate(self.fd)?,
        })
    }

    /// Maps `len` bytes of the object from `offset` (`MAP_SHARED`, with
    /// `prot`: `PROT_READ`, `PROT_WRITE`...) as a [`Mapping`], unmapped when
    /// dropped; it may outlive `self` and the name.
    ///
    /// Errors are those of [`mman::map`](crate::mman::map) (`EINVAL` for a
    /// zero length or an offset that is not a multiple of the page size;
    /// `EACCES` for a write mapping of a read-only descriptor, ...); an
    /// offset above `i64::MAX` is `EINVAL`.
    ///
    /// # Safety
    /// The contract of [`Mapping::file`]: the mapping's slices assume nobody
    /// else writes the bytes, but sharing them with others is what shared
    /// memory is for. So, while a slice from the mapping is alive, no other
    /// process, descriptor or mapping may write the range; and the object
    /// must stay at least `offset + len` bytes long while the mapping is
    /// accessed (a shrunk object raises `SIGBUS`). Memory that another
    /// process writes concurrently is accessed through
    /// [`Mapping::as_ptr`] and [`Mapping::as_mut_ptr`] with atomic or
    /// volatile operations instead, or through [`map_raw`](Self::map_raw).
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-map-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// shm.set_len(8192)?;
    /// let rw = minic::mman::Protection::READ | minic::mman::Protection::WRITE;
    /// // SAFETY: the object is this example's alone, keeps its size, and the
    /// // two views are used one after the other.
    /// let (mut a, b) = unsafe { (shm.map(0, 8192, rw)?, shm.map(4096, 4096, minic::mman::Protection::READ)?) };
    /// drop(shm); // the mappings keep the memory
    /// a.as_mut_slice().unwrap()[4096] = 42;
    /// assert_eq!(b.as_slice().unwrap()[0], 42);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn map(&self, offset: u64, len: usize, prot: Protection) -> Result<Mapping, Errno> {
        // SAFETY: the caller's contract is Mapping::file's.
        unsafe { Mapping::file(self.fd, offset, len, prot, true) }
    }

    /// Maps `len` bytes of the object from `offset` (`MAP_SHARED`, with
    /// `prot`) and returns the address: the form for memory that other
    /// processes change at any time, where every access is the caller's
    /// `unsafe` pointer operation anyway.
    ///
    /// The caller owns the mapping and removes it with
    /// [`mman::unmap`](crate::mman::unmap)`(p.cast(), len)`; dropping the
    /// object does not unmap. A mapping past the object's end faults
    /// (`SIGBUS`) when touched. Errors are those of [`map`](Self::map).
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-map-raw-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// shm.set_len(8192)?;
    /// let rw = minic::mman::Protection::READ | minic::mman::Protection::WRITE;
    /// let a = shm.map_raw(0, 8192, rw)?;
    /// let b = shm.map_raw(4096, 4096, minic::mman::Protection::READ)?;
    /// // SAFETY: both mappings are live and page-aligned; a's second page is
    /// // b's page, accessed atomically as another process would.
    /// unsafe {
    ///     AtomicU32::from_ptr(a.add(4096).cast()).store(42, Ordering::Release);
    ///     assert_eq!(AtomicU32::from_ptr(b.cast()).load(Ordering::Acquire), 42);
    ///     minic::mman::unmap(a.cast(), 8192)?;
    ///     minic::mman::unmap(b.cast(), 4096)?;
    /// }
    /// assert_eq!(shm.map_raw(1, 4096, rw).err(), Some(minic::Errno::EINVAL));
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn map_raw(&self, offset: u64, len: usize, prot: Protection) -> Result<*mut u8, Errno> {
        let offset = i64::try_from(offset).map_err(|_| Errno::EINVAL)?;
        let addr = core::ptr::null_mut();
        // SAFETY: without MAP_FIXED the kernel picks a free range; nothing is replaced.
        let p = unsafe { crate::mman::map(addr, len, prot, MapFlags::SHARED, self.fd, offset) }?;
        Ok(p.cast())
    }

    /// The file descriptor (still owned by `self`).
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-fd-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// assert!(shm.as_raw_fd() >= 0);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn as_raw_fd(&self) -> c_int {
        self.fd
    }

    /// Gives up ownership: returns the descriptor, which is no longer closed
    /// on drop.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-into-{}", std::process::id())).unwrap();
    /// let fd = SharedMemory::create_new(&name)?.into_raw_fd();
    /// SharedMemory::unlink(&name)?;
    /// // SAFETY: fd is open and owned by nothing else.
    /// let shm = unsafe { SharedMemory::from_raw_fd(fd) };
    /// # drop(shm);
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn into_raw_fd(self) -> c_int {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Takes ownership of an open descriptor of a shared memory object (or of
    /// any file that can be sized and mapped).
    ///
    /// # Safety
    /// `fd` is open and nothing else closes it: it is closed when the result
    /// is dropped.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-from-{}", std::process::id())).unwrap();
    /// let fd = minic::shm::open(&name, minic::OpenFlags::RDWR | minic::OpenFlags::CREAT | minic::OpenFlags::EXCL, 0o600)?;
    /// SharedMemory::unlink(&name)?;
    /// // SAFETY: fd was just opened and is owned by nothing else.
    /// let shm = unsafe { SharedMemory::from_raw_fd(fd) };
    /// shm.set_len(100)?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub unsafe fn from_raw_fd(fd: c_int) -> Self {
        SharedMemory { fd }
    }

    /// Closes the descriptor and reports the error that dropping would ignore.
    ///
    /// ```
    /// use minic::shm::SharedMemory;
    /// # let name = std::ffi::CString::new(format!("/minic-doc-shm-close-{}", std::process::id())).unwrap();
    /// let shm = SharedMemory::create_new(&name)?;
    /// SharedMemory::unlink(&name)?;
    /// shm.close()?;
    /// # Ok::<(), minic::Errno>(())
    /// ```
    pub fn close(self) -> Result<(), Errno> {
        posix::close(self.into_raw_fd())
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        let _ = posix::close(self.fd);
    }
}

// With the `std` feature: AsFd, AsRawFd, FromRawFd, IntoRawFd, From<OwnedFd>
// and Into<OwnedFd>, so that the object can be handed to other crates.
#[cfg(feature = "std")]
posix::owned_fd_traits!(SharedMemory, fd);

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use std::vec;

    #[test]
    fn path_is_under_dev_shm() {
        let mut buf = [0u8; PATH_CAP];
        let long = CString::new(vec![b'y'; NAME_MAX]).unwrap();
        let path = object_path(&long, &mut buf).unwrap();
        assert_eq!(path.to_bytes().len(), SHM_DIR.len() + NAME_MAX);
        assert!(path.to_bytes().starts_with(b"/dev/shm/yyy"));
    }
}
