//! Dropping a `MessageQueue` or `SharedMemory` closes its descriptor.
//!
//! One test alone in its binary: no other test opens descriptors meanwhile,
//! so the kernel's lowest-free-number rule shows which one was closed.

mod common;

use common::unique_name;
use minic::mqueue::{self, MessageQueue};
use minic::shm::SharedMemory;
use minic::Errno;

#[test]
fn drop_closes_the_descriptor() {
    let mq_name = unique_name("drop-mq");
    let shm_name = unique_name("drop-shm");
    let _ = MessageQueue::unlink(&mq_name);
    let _ = SharedMemory::unlink(&shm_name);

    let q = MessageQueue::create_new(&mq_name, 1, 8).unwrap();
    MessageQueue::unlink(&mq_name).unwrap();
    let fd = q.as_raw();
    drop(q);
    assert_eq!(mqueue::attr(fd).err(), Some(Errno::EBADF));

    // The number is free again: the next descriptor gets it.
    let shm = SharedMemory::create_new(&shm_name).unwrap();
    SharedMemory::unlink(&shm_name).unwrap();
    assert_eq!(shm.as_raw_fd(), fd);
    drop(shm);
    let q = MessageQueue::create_new(&mq_name, 1, 8).unwrap();
    MessageQueue::unlink(&mq_name).unwrap();
    assert_eq!(q.as_raw(), fd);

    // Given away, it stays open.
    let raw = q.into_raw();
    assert_eq!(mqueue::attr(raw).map(|a| a.mq_maxmsg), Ok(1));
    mqueue::close(raw).unwrap();
    assert_eq!(mqueue::close(raw), Err(Errno::EBADF));
}
