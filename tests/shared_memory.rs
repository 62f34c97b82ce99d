//! `minic::shm::SharedMemory` through its public API, against the kernel.

mod common;

use common::{too_long_name, unique_name, Unlink, BAD_NAMES};
use minic::mman::unmap;
use minic::shm::{OpenOptions, SharedMemory};
use minic::Errno;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

const RW: i32 = libc::PROT_READ | libc::PROT_WRITE;

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
    let pa = a.map_raw(0, 3 * 4096, RW).unwrap();
    let pb = b.map_raw(4096, 2 * 4096, libc::PROT_READ).unwrap();
    // SAFETY: both mappings are live for their lengths; pb starts at pa's second page.
    unsafe {
        for i in 0..3 * 4096 {
            pa.add(i).write((i % 251) as u8);
        }
        for i in 0..2 * 4096 {
            assert_eq!(pb.add(i).read(), ((i + 4096) % 251) as u8);
        }
        unmap(pa.cast(), 3 * 4096).unwrap();
        unmap(pb.cast(), 2 * 4096).unwrap();
    }
    // The memory outlives the name and the descriptors that wrote it.
    SharedMemory::unlink(&name).unwrap();
    drop(a);
    let pb = b.map_raw(0, 4096, libc::PROT_READ).unwrap();
    // SAFETY: pb maps one live page.
    unsafe {
        assert_eq!(pb.add(7).read(), 7);
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
    assert_eq!(ro.set_len(0), Err(Errno::EINVAL));
    let p = ro.map_raw(0, 4096, libc::PROT_READ).unwrap();
    // SAFETY: p maps one live page.
    unsafe { unmap(p.cast(), 4096) }.unwrap();
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
    if let Ok(name) = std::env::var(CHILD) {
        let name = std::ffi::CString::new(name).unwrap();
        let shm = SharedMemory::open(&name).unwrap();
        let p = shm.map_raw(0, 4096, RW).unwrap();
        // SAFETY: one live page; the parent waits for this process to end.
        unsafe {
            assert_eq!(std::slice::from_raw_parts(p, 6), b"parent");
            p.add(100).copy_from(b"child".as_ptr(), 5);
            unmap(p.cast(), 4096).unwrap();
        }
        return;
    }
    let name = unique_name("processes");
    let _cleanup = guard(&name);
    let shm = SharedMemory::create_new(&name).unwrap();
    shm.set_len(4096).unwrap();
    let p = shm.map_raw(0, 4096, RW).unwrap();
    // SAFETY: one live page, not yet shared with anyone.
    unsafe { p.copy_from(b"parent".as_ptr(), 6) };
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
    // SAFETY: the child has ended; the page is live.
    unsafe {
        assert_eq!(std::slice::from_raw_parts(p.add(100), 5), b"child");
        unmap(p.cast(), 4096).unwrap();
    }
}
