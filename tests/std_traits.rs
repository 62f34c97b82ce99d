//! What the `std` feature adds: descriptors handed to and taken from the
//! standard library, `io::Error` conversion, Rust string names, `SystemTime`
//! deadlines and message iterators.
mod common;

use common::unique_name;
use minic::mman::{Mapping, Protection};
use minic::mqueue::MessageQueue;
use minic::shm::SharedMemory;
use minic::Errno;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::time::{Duration, SystemTime};

#[test]
fn shared_memory_moves_through_owned_fd() {
    let name = format!("/minic-test-std-shm-{}", std::process::id());
    let shm = SharedMemory::create_new(&name).unwrap();
    SharedMemory::unlink(name.as_str()).unwrap();
    shm.set_len(4096).unwrap();
    let raw = AsRawFd::as_raw_fd(&shm);
    assert_eq!(shm.as_fd().as_raw_fd(), raw);
    let owned: OwnedFd = shm.into();
    assert_eq!(owned.as_raw_fd(), raw);
    // The standard library's File sees the same object.
    let file = std::fs::File::from(owned.try_clone().unwrap());
    assert_eq!(file.metadata().unwrap().len(), 4096);
    let back = SharedMemory::from(owned);
    assert_eq!(back.len(), Ok(4096));
    let raw = IntoRawFd::into_raw_fd(back);
    // SAFETY: the descriptor was just given up by its owner.
    let again = unsafe { <SharedMemory as FromRawFd>::from_raw_fd(raw) };
    // SAFETY: the object is this test's alone and keeps its size.
    let m = unsafe { Mapping::options().map(&again) }.unwrap();
    assert_eq!(m.len(), 4096);
    assert_eq!(m.protection(), Protection::READ | Protection::WRITE);
}

#[test]
fn a_closed_descriptor_is_gone_after_drop() {
    let name = unique_name("std-drop");
    let q = MessageQueue::create_new(&name, 1, 8).unwrap();
    MessageQueue::unlink(&name).unwrap();
    let owned = OwnedFd::from(q);
    let raw = owned.as_raw_fd();
    drop(owned);
    assert_eq!(minic::mqueue::attr(raw), Err(Errno::EBADF));
}

#[test]
fn errno_becomes_io_error() {
    fn open_missing() -> std::io::Result<SharedMemory> {
        Ok(SharedMemory::open("/minic-test-never-created")?)
    }
    let e = open_missing().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(e.raw_os_error(), Some(Errno::ENOENT.code()));
    let boxed: Box<dyn std::error::Error> = Box::new(Errno::EACCES);
    assert_eq!(boxed.to_string(), "Permission denied (EACCES)");
}

#[test]
fn system_time_deadlines() {
    let name = unique_name("std-deadline");
    let q = MessageQueue::create_new(&name, 1, 8).unwrap();
    MessageQueue::unlink(&name).unwrap();
    let mut buf = [0u8; 8];
    let start = std::time::Instant::now();
    let soon = SystemTime::now() + Duration::from_millis(50);
    assert_eq!(q.receive_deadline(&mut buf, soon), Err(Errno::ETIMEDOUT));
    assert!(start.elapsed() >= Duration::from_millis(40));
    // A time before the epoch is a deadline long past.
    let before_epoch = SystemTime::UNIX_EPOCH - Duration::from_millis(1500);
    q.send_deadline(b"ok", 0, before_epoch).unwrap();
    assert_eq!(
        q.send_deadline(b"full", 0, before_epoch),
        Err(Errno::ETIMEDOUT)
    );
    assert_eq!(q.receive_deadline(&mut buf, before_epoch), Ok((2, 0)));
}

#[test]
fn iterators_receive_in_priority_order() {
    let name = unique_name("std-iter");
    let q = MessageQueue::create_new(&name, 4, 16).unwrap();
    MessageQueue::unlink(&name).unwrap();
    for (msg, prio) in [(&b"low"[..], 1), (b"high", 9), (b"mid", 5)] {
        q.send(msg, prio).unwrap();
    }
    let got: Vec<(Vec<u8>, u32)> = q
        .drain()
        .map(|m| m.map(|m| (m.data, m.priority)).unwrap())
        .collect();
    assert_eq!(
        got,
        [
            (b"high".to_vec(), 9),
            (b"mid".to_vec(), 5),
            (b"low".to_vec(), 1)
        ]
    );
    // A non-blocking descriptor: iter ends with EAGAIN, once.
    q.set_nonblocking(true).unwrap();
    let mut it = q.iter();
    assert_eq!(it.next().map(|r| r.err()), Some(Some(Errno::EAGAIN)));
    assert!(it.next().is_none());
}

#[test]
fn names_as_rust_strings() {
    let name = format!("/minic-test-std-names-{}", std::process::id());
    let q = MessageQueue::create_new(name.as_str(), 1, 8).unwrap();
    assert_eq!(
        MessageQueue::create_new(&name, 1, 8).err(),
        Some(Errno::EEXIST)
    );
    MessageQueue::unlink(&name).unwrap();
    drop(q);
    assert_eq!(SharedMemory::open("/a/b").err(), Some(Errno::EINVAL));
    assert_eq!(
        SharedMemory::open(&"x".repeat(256)).err(),
        Some(Errno::ENAMETOOLONG)
    );
}
