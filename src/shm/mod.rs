//! POSIX shared memory objects: `shm_open` and `shm_unlink` of `<sys/mman.h>`.
//!
//! An object is a file in `/dev/shm`. Names are checked before any path is
//! built, so that no name can reach outside that directory: a name like
//! `"/../../tmp/x"` is refused, never resolved. The same rules name message
//! queues (`crate::mqueue`).

use crate::errno::Errno;
use crate::port;
use core::ffi::{c_int, CStr};

/// The C ABI (exported symbols); public so the header check can compare types.
#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;

/// The directory that holds shared memory objects on Linux.
const SHM_DIR: &[u8] = b"/dev/shm/";

/// The longest name POSIX allows for one path component.
const NAME_MAX: usize = libc::NAME_MAX as usize;

/// Room for `/dev/shm/`, the longest name and its NUL.
const PATH_CAP: usize = SHM_DIR.len() + NAME_MAX + 1;

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

/// Builds `/dev/shm/<name>` in `buf` for a checked name.
fn object_path<'a>(name: &CStr, buf: &'a mut [u8; PATH_CAP]) -> Result<&'a CStr, Errno> {
    let name = object_name(name)?.to_bytes_with_nul();
    let len = SHM_DIR.len() + name.len();
    let path = buf.get_mut(..len).ok_or(Errno::ENAMETOOLONG)?;
    let (dir, file) = path.split_at_mut(SHM_DIR.len());
    dir.copy_from_slice(SHM_DIR);
    file.copy_from_slice(name);
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
/// let name = c"/minic-doc-shm-open";
/// let _ = shm::unlink(name); // from an interrupted run
/// let fd = shm::open(name, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o600).unwrap();
/// shm::unlink(name).unwrap();
/// assert_eq!(shm::open(c"/../etc/passwd", libc::O_RDONLY, 0), Err(minic::Errno::EINVAL));
/// # unsafe { libc::close(fd) };
/// ```
pub fn open(name: &CStr, oflag: c_int, mode: libc::mode_t) -> Result<c_int, Errno> {
    let mut buf = [0u8; PATH_CAP];
    let path = object_path(name, &mut buf)?;
    let flags = oflag | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK;
    // SAFETY: path is a NUL-terminated string in our buffer.
    unsafe { port::openat(libc::AT_FDCWD, path.as_ptr(), flags, mode) }.map(|fd| fd as c_int)
}

/// Removes a shared memory object's name, as `shm_unlink`.
///
/// Leading slashes are ignored; an empty name, `.`, `..` or a name with
/// another slash is `EINVAL`, a name longer than `NAME_MAX` is
/// `ENAMETOOLONG`. Other errors are the kernel's (`ENOENT`, `EACCES`, ...).
pub fn unlink(name: &CStr) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_CAP];
    let path = object_path(name, &mut buf)?;
    // SAFETY: path is a NUL-terminated string in our buffer.
    unsafe { port::unlinkat(libc::AT_FDCWD, path.as_ptr(), 0) }.map(drop)
}

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
        }
    }

    #[test]
    fn name_max_is_the_limit() {
        let mut long = vec![b'/'];
        long.extend(vec![b'x'; NAME_MAX]);
        assert_eq!(name_of(&long).map(|n| n.len()), Ok(NAME_MAX));
        long.push(b'x');
        assert_eq!(name_of(&long), Err(Errno::ENAMETOOLONG));
    }

    #[test]
    fn path_is_under_dev_shm() {
        let mut buf = [0u8; PATH_CAP];
        let long = CString::new(vec![b'y'; NAME_MAX]).unwrap();
        let path = object_path(&long, &mut buf).unwrap();
        assert_eq!(path.to_bytes().len(), SHM_DIR.len() + NAME_MAX);
        assert!(path.to_bytes().starts_with(b"/dev/shm/yyy"));
    }
}
