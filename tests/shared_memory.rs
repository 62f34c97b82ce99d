//! `minic::shm::SharedMemory` through its public API, against the kernel.

mod common;

use common::{too_long_name, unique_name, Unlink, BAD_NAMES};
use minic::mman::{unmap, Protection};
use minic::shm::{OpenOptions, SharedMemory};
use minic::Errno;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

const RW: Protection = Protection::READ.union(Protection::WRITE);

fn guard(name: &std::ffi::CStr) -> Unlink {
    let _ = SharedMemory::unlink(name); // left by a killed run of this process id
    Unlink {
        name: name.to_owned(),
        unlink: SharedMemory::unlink,
    }
}

/// The file behind an object, to check its size and mode with std.
fn dev_shm_path(name: &std::ffi::CStr) -> String {
    format!("/dev/shm{}", name.to_str().unwrap())
}

#[test]
fn two_descriptors_share_the_memory() {
    let name = unique_name("share");
    let _cleanup = guard(&name);
    let a = SharedMemory::create_new(&name).unwrap();
    let b = SharedMemory::open(&name).unwrap();
    a.set_len(3 * 4096).unwrap();
    assert_eq!(
        std::fs::metadata(dev_shm_path(&name)).unwrap().len(),
        3 * 4096
    );
    // SAFETY: the object is this test's alone and keeps its size; the two
    // views are used one after the other.
    let (mut ma, mb) = unsafe {
        (
            a.map(0, 3 * 4096, RW).unwrap(),
            b.map(4096, 2 * 4096, Protection::READ).unwrap(),
        )
    };
    assert!(mb.as_slice().is_some());
    for (i, byte) in ma.as_mut_slice().unwrap().iter_mut().enumerate() {
        *byte = (i % 251) as u8;
    }
    for (i, &byte) in mb.as_slice().unwrap().iter().enumerate() {
        assert_eq!(byte, ((i + 4096) % 251) as u8);
    }
    // The memory outlives the name, the descriptors and the mappings that
    // wrote it, as long as one descriptor or mapping is left.
    SharedMemory::unlink(&name).unwrap();
    drop((a, ma));
    // SAFETY: as above.
    let mb2 = unsafe { b.map(0, 4096, Protection::READ) }.unwrap();
    assert_eq!(mb2.as_slice().unwrap()[7], 7);
    drop(b);
    assert_eq!(mb.as_slice().unwrap()[4095], ((4095 + 4096) % 251) as u8);
}

/// The same through `map_raw`: the caller's pointer, unmapped by hand.
#[test]
fn raw_mappings_share_the_memory() {
    let name = unique_name("share-raw");
    let _cleanup = guard(&name);
    let shm = SharedMemory::create_new(&name).unwrap();
    SharedMemory::unlink(&name).unwrap();
    shm.set_len(2 * 4096).unwrap();
    let pa = shm.map_raw(0, 2 * 4096, RW).unwrap();
    let pb = shm.map_raw(4096, 4096, Protection::READ).unwrap();
    // SAFETY: both mappings are live for their lengths; pb is pa's second page.
    unsafe {
        pa.add(4096 + 9).write(99);
        assert_eq!(pb.add(9).read(), 99);
        unmap(pa.cast(), 2 * 4096).unwrap();
        unmap(pb.cast(), 4096).unwrap();
    }
}

#[test]
fn options_create_exclusive_truncate_mode() {
    let name = unique_name("options");
    let _cleanup = guard(&name);
    assert_eq!(SharedMemory::open(&name).err(), Some(Errno::ENOENT));
    let mut o = OpenOptions::new();
    assert_eq!(o.open(&name).err(), Some(Errno::EINVAL)); // no access asked
    let created = o
        .read(true)
        .write(true)
        .create(true)
        .mode(0o400)
        .open(&name)
        .unwrap();
    let meta = std::fs::metadata(dev_shm_path(&name)).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o400);
    created.set_len(8192).unwrap();
    // create without exclusive opens the existing object (the mode is only
    // checked for new opens: root passes it anyway, so only the size is asserted).
    let reopened = OpenOptions::new()
        .read(true)
        .create(true)
        .open(&name)
        .unwrap();
    assert_eq!(
        OpenOptions::new()
            .read(true)
            .exclusive(true)
            .open(&name)
            .err(),
        Some(Errno::EEXIST)
    );
    assert_eq!(std::fs::metadata(dev_shm_path(&name)).unwrap().len(), 8192);
    drop((created, reopened));
    SharedMemory::unlink(&name).unwrap();

    let created = SharedMemory::options()
        .read(true)
        .write(true)
        .exclusive(true)
        .open(&name)
        .unwrap();
    let meta = std::fs::metadata(dev_shm_path(&name)).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600); // the default
    created.set_len(4096).unwrap();
    let truncated = OpenOptions::new()
        .read(true)
        .write(true)
        .truncate(true)
        .open(&name)
        .unwrap();
    assert_eq!(std::fs::metadata(dev_shm_path(&name)).unwrap().len(), 0);
    drop(truncated);
}

#[test]
fn read_only_descriptor_limits() {
    let name = unique_name("read-only");
    let _cleanup = guard(&name);
    let rw = SharedMemory::create_new(&name).unwrap();
    rw.set_len(4096).unwrap();
    let ro = SharedMemory::options().read(true).open(&name).unwrap();
    assert_eq!(ro.map_raw(0, 4096, RW).err(), Some(Errno::EACCES));
    // SAFETY: nothing is mapped: the kernel refuses.
    assert_eq!(unsafe { ro.map(0, 4096, RW) }.err(), Some(Errno::EACCES));
    assert_eq!(ro.set_len(0), Err(Errno::EINVAL));
    let p = ro.map_raw(0, 4096, Protection::READ).unwrap();
    // SAFETY: p maps one live page.
    unsafe { unmap(p.cast(), 4096) }.unwrap();
    // SAFETY: the object is this test's alone and keeps its size.
    let mut m = unsafe { ro.map(0, 4096, Protection::READ) }.unwrap();
    assert!(m.as_mut_slice().is_none());
    assert_eq!(m.as_slice().unwrap(), &[0; 4096][..]);
}

#[test]
fn bad_arguments_are_refused() {
    let name = unique_name("bad-arguments");
    let _cleanup = guard(&name);
    let shm = SharedMemory::create_new(&name).unwrap();
    shm.set_len(4096).unwrap();
    assert_eq!(shm.set_len(u64::MAX), Err(Errno::EFBIG));
    assert_eq!(shm.set_len(1 << 63), Err(Errno::EFBIG));
    assert_eq!(shm.map_raw(0, 0, RW).err(), Some(Errno::EINVAL));
    assert_eq!(shm.map_raw(100, 4096, RW).err(), Some(Errno::EINVAL));
    assert_eq!(shm.map_raw(1 << 63, 4096, RW).err(), Some(Errno::EINVAL));
    assert_eq!(shm.map_raw(0, usize::MAX, RW).err(), Some(Errno::ENOMEM));
    // SAFETY: nothing is mapped: every request is refused.
    unsafe {
        assert_eq!(shm.map(0, 0, RW).err(), Some(Errno::EINVAL));
        assert_eq!(shm.map(100, 4096, RW).err(), Some(Errno::EINVAL));
        assert_eq!(shm.map(1 << 63, 4096, RW).err(), Some(Errno::EINVAL));
        assert_eq!(shm.map(0, usize::MAX, RW).err(), Some(Errno::ENOMEM));
    }
}

#[test]
fn bad_names_are_refused() {
    for name in BAD_NAMES {
        assert_eq!(
            SharedMemory::open(name).err(),
            Some(Errno::EINVAL),
            "{name:?}"
        );
        assert_eq!(
            SharedMemory::create_new(name).err(),
            Some(Errno::EINVAL),
            "{name:?}"
        );
        assert_eq!(SharedMemory::unlink(name), Err(Errno::EINVAL), "{name:?}");
    }
    let long = too_long_name();
    assert_eq!(
        SharedMemory::create_new(&long).err(),
        Some(Errno::ENAMETOOLONG)
    );
    assert_eq!(SharedMemory::unlink(&long), Err(Errno::ENAMETOOLONG));
}

#[test]
fn raw_descriptor_round_trip() {
    let name = unique_name("raw");
    let _cleanup = guard(&name);
    let fd = SharedMemory::create_new(&name).unwrap().into_raw_fd();
    // SAFETY: fd is open and owned by nothing else.
    let shm = unsafe { SharedMemory::from_raw_fd(fd) };
    assert_eq!(shm.as_raw_fd(), fd);
    shm.set_len(4096).unwrap();
    shm.close().unwrap();
}

/// Another process (this test binary again, running only this test) opens
/// the object by name, reads what this one wrote and answers.
#[test]
fn shared_between_processes() {
    const CHILD: &str = "MINIC_TEST_SHM_CHILD";
    // SAFETY (both processes' mappings): parent and child take turns, the
    // parent waiting for the child to end; nobody shrinks the object.
    if let Ok(name) = std::env::var(CHILD) {
        let name = std::ffi::CString::new(name).unwrap();
        let shm = SharedMemory::open(&name).unwrap();
        // SAFETY: see above.
        let mut m = unsafe { shm.map(0, 4096, RW) }.unwrap();
        let bytes = m.as_mut_slice().unwrap();
        assert_eq!(&bytes[..6], b"parent");
        bytes[100..105].copy_from_slice(b"child");
        return;
    }
    let name = unique_name("processes");
    let _cleanup = guard(&name);
    let shm = SharedMemory::create_new(&name).unwrap();
    shm.set_len(4096).unwrap();
    // SAFETY: see above.
    let mut m = unsafe { shm.map(0, 4096, RW) }.unwrap();
    m.as_mut_slice().unwrap()[..6].copy_from_slice(b"parent");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "shared_between_processes",
            "--quiet",
            "--test-threads=1",
        ])
        .env(CHILD, name.to_str().unwrap())
        // The child's harness reports a test result of its own: not one of ours.
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "child: {status}");
    assert_eq!(&m.as_slice().unwrap()[100..105], b"child");
}

#[test]
fn length_and_clones() {
    let name = unique_name("len-clone");
    let _cleanup = guard(&name);
    let shm = SharedMemory::create_new(&name).unwrap();
    assert_eq!(shm.len(), Ok(0));
    shm.set_len(100_000).unwrap();
    let clone = shm.try_clone().unwrap();
    assert_ne!(clone.as_raw_fd(), shm.as_raw_fd());
    assert_eq!(clone.len(), Ok(100_000));
    // SAFETY: F_GETFD reads a descriptor's flags, nothing else.
    let flags = unsafe { libc::fcntl(clone.as_raw_fd(), libc::F_GETFD) };
    assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    clone.set_len(5).unwrap();
    drop(clone);
    assert_eq!(shm.len(), Ok(5));
    // SAFETY: -1 is no descriptor: every call fails, and so does the close.
    let none = unsafe { SharedMemory::from_raw_fd(-1) };
    assert_eq!(none.len(), Err(Errno::EBADF));
    assert_eq!(none.try_clone().err(), Some(Errno::EBADF));
}
