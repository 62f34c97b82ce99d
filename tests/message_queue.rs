//! `minic::mqueue::MessageQueue` through its public API, against the kernel.

mod common;

use common::{too_long_name, unique_name, BAD_NAMES};
use core::time::Duration;
use minic::mqueue::{Deadline, MessageQueue, Notification, OpenOptions, Sigval, MQ_PRIO_MAX};
use minic::Errno;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// A new queue whose name is already removed: nothing to clean up later.
fn anonymous_queue(tag: &str, max_messages: usize, message_size: usize) -> MessageQueue {
    let name = unique_name(tag);
    let _ = MessageQueue::unlink(&name); // left by a killed run of this process id
    let q = MessageQueue::create_new(&name, max_messages, message_size).unwrap();
    MessageQueue::unlink(&name).unwrap();
    q
}

/// Two producers and two consumers share one queue through `&MessageQueue`;
/// the queue (10 messages) fills up, so both sides block in turn. Each
/// message arrives once, and one producer's messages (one priority) in order.
#[test]
fn producers_and_consumers_in_threads() {
    const PER_PRODUCER: u32 = 500;
    let q = anonymous_queue("threads", 10, 16);
    let received = AtomicUsize::new(0);
    let seen: Vec<Vec<u32>> = std::thread::scope(|s| {
        for producer in 0..2u32 {
            let q = &q;
            s.spawn(move || {
                for i in 0..PER_PRODUCER {
                    let mut msg = [0u8; 8];
                    msg[..4].copy_from_slice(&producer.to_le_bytes());
                    msg[4..].copy_from_slice(&i.to_le_bytes());
                    q.send_timeout(&msg, producer + 1, Duration::from_secs(20))
                        .unwrap();
                }
            });
        }
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (q, received) = (&q, &received);
                s.spawn(move || {
                    let mut got = Vec::new();
                    while received.fetch_add(1, Ordering::SeqCst) < 2 * PER_PRODUCER as usize {
                        let mut buf = [0u8; 16];
                        let (len, prio) = q
                            .receive_timeout(&mut buf, Duration::from_secs(20))
                            .unwrap();
                        assert_eq!(len, 8);
                        let producer = u32::from_le_bytes(buf[..4].try_into().unwrap());
                        assert_eq!(prio, producer + 1);
                        got.push(
                            producer * 1_000_000
                                + u32::from_le_bytes(buf[4..8].try_into().unwrap()),
                        );
                    }
                    got
                })
            })
            .collect();
        consumers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for one in &seen {
        // Within one consumer, each producer's sequence only grows.
        for producer in 0..2 {
            let own: Vec<_> = one.iter().filter(|v| *v / 1_000_000 == producer).collect();
            assert!(
                own.windows(2).all(|w| w[0] < w[1]),
                "producer {producer} out of order"
            );
        }
    }
    let mut all: Vec<u32> = seen.concat();
    all.sort_unstable();
    let want: Vec<u32> = (0..2)
        .flat_map(|p| (0..PER_PRODUCER).map(move |i| p * 1_000_000 + i))
        .collect();
    assert_eq!(all, want);
    assert_eq!(q.attributes().unwrap().messages, 0);
}

/// A writer and a reader with their own descriptors (write-only, read-only).
#[test]
fn separate_descriptors_across_threads() {
    let name = unique_name("descriptors");
    let _ = MessageQueue::unlink(&name);
    let reader = OpenOptions::new()
        .read(true)
        .exclusive(true)
        .capacity(4, 32)
        .open(&name)
        .unwrap();
    let writer = OpenOptions::new().write(true).open(&name);
    MessageQueue::unlink(&name).unwrap();
    let writer = writer.unwrap();
    assert_eq!(reader.send(b"x", 0), Err(Errno::EBADF));
    assert_eq!(writer.receive(&mut [0u8; 32]), Err(Errno::EBADF));
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..50u8 {
                writer.send(&[i; 32], 0).unwrap();
            }
        });
        let mut buf = [0u8; 32];
        for i in 0..50u8 {
            assert_eq!(
                reader.receive_timeout(&mut buf, Duration::from_secs(20)),
                Ok((32, 0))
            );
            assert_eq!(buf, [i; 32]);
        }
    });
}

#[test]
fn priorities_highest_first_then_fifo() {
    let q = anonymous_queue("priorities", 10, 8);
    for (i, prio) in [3, 0, MQ_PRIO_MAX - 1, 3, 7, 0].into_iter().enumerate() {
        q.send(&[i as u8], prio).unwrap();
    }
    let mut order = Vec::new();
    let mut buf = [0u8; 8];
    while let Ok((1, prio)) = q.receive_timeout(&mut buf, Duration::ZERO) {
        order.push((buf[0], prio));
    }
    assert_eq!(
        order,
        [(2, MQ_PRIO_MAX - 1), (4, 7), (0, 3), (3, 3), (1, 0), (5, 0)]
    );
    assert_eq!(q.send(b"x", MQ_PRIO_MAX), Err(Errno::EINVAL));
}

/// Relative and absolute timeouts end with ETIMEDOUT, not before the time.
#[test]
fn timeouts() {
    let q = anonymous_queue("timeouts", 1, 8);
    let mut buf = [0u8; 8];
    let wait = Duration::from_millis(80);

    let start = Instant::now();
    assert_eq!(q.receive_timeout(&mut buf, wait), Err(Errno::ETIMEDOUT));
    let waited = start.elapsed();
    // The deadline is CLOCK_REALTIME, Instant is CLOCK_MONOTONIC: allow a
    // little for the two clocks' rates; a loaded machine only waits longer.
    assert!(waited >= wait - Duration::from_millis(5), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");

    q.send(b"full", 0).unwrap();
    let start = Instant::now();
    assert_eq!(q.send_timeout(b"more", 0, wait), Err(Errno::ETIMEDOUT));
    assert!(start.elapsed() >= wait - Duration::from_millis(5));

    // A deadline already past fails at once, whatever the queue holds.
    let past = Deadline::from_unix(Duration::from_secs(1));
    assert_eq!(q.send_deadline(b"more", 0, past), Err(Errno::ETIMEDOUT));
    // The deadline is only looked at when the call would wait.
    assert_eq!(q.receive_deadline(&mut buf, past), Ok((4, 0)));
    assert_eq!(q.receive_deadline(&mut buf, past), Err(Errno::ETIMEDOUT));

    // The longest timeouts saturate instead of failing.
    q.send_timeout(b"max", 0, Duration::MAX).unwrap();
    assert_eq!(q.receive_timeout(&mut buf, Duration::MAX), Ok((3, 0)));
    q.send_deadline(b"max", 0, Deadline::MAX).unwrap();
    assert_eq!(q.receive_deadline(&mut buf, Deadline::MAX), Ok((3, 0)));
}

/// A timed receive returns as soon as a message arrives, long before its deadline.
#[test]
fn timed_receive_wakes_on_arrival() {
    let q = anonymous_queue("wakes", 1, 8);
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            q.send(b"late", 5).unwrap();
        });
        let mut buf = [0u8; 8];
        assert_eq!(
            q.receive_timeout(&mut buf, Duration::from_secs(30)),
            Ok((4, 5))
        );
    });
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn nonblocking_mode_gives_eagain() {
    let name = unique_name("nonblocking");
    let _ = MessageQueue::unlink(&name);
    let q = MessageQueue::options()
        .read(true)
        .write(true)
        .exclusive(true)
        .capacity(1, 8)
        .nonblocking(true)
        .open(&name)
        .unwrap();
    let blocking = MessageQueue::open(&name);
    MessageQueue::unlink(&name).unwrap();
    let blocking = blocking.unwrap();
    assert!(q.attributes().unwrap().nonblocking);
    // The mode belongs to the descriptor, not the queue.
    assert!(!blocking.attributes().unwrap().nonblocking);

    let mut buf = [0u8; 8];
    assert_eq!(q.receive(&mut buf), Err(Errno::EAGAIN));
    // Even a timed call does not wait on a non-blocking descriptor.
    let start = Instant::now();
    assert_eq!(
        q.receive_timeout(&mut buf, Duration::from_secs(30)),
        Err(Errno::EAGAIN)
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    q.send(b"one", 0).unwrap();
    assert_eq!(q.send(b"two", 0), Err(Errno::EAGAIN));
    assert_eq!(
        blocking.send_timeout(b"two", 0, Duration::from_millis(10)),
        Err(Errno::ETIMEDOUT)
    );

    q.set_nonblocking(false).unwrap();
    assert!(!q.attributes().unwrap().nonblocking);
    assert_eq!(
        q.send_timeout(b"two", 0, Duration::from_millis(10)),
        Err(Errno::ETIMEDOUT)
    );
    blocking.set_nonblocking(true).unwrap();
    assert_eq!(blocking.send(b"two", 0), Err(Errno::EAGAIN));
    assert_eq!(blocking.receive(&mut buf), Ok((3, 0)));
    assert_eq!(blocking.receive(&mut buf), Err(Errno::EAGAIN));
}

#[test]
fn message_size_limits() {
    let q = anonymous_queue("msgsize", 4, 16);
    assert_eq!(q.send(&[1; 17], 0), Err(Errno::EMSGSIZE));
    q.send(&[2; 16], 0).unwrap();
    q.send(&[], 0).unwrap();
    // A buffer shorter than the queue's message size, even if the message fits.
    assert_eq!(q.receive(&mut [0u8; 15]), Err(Errno::EMSGSIZE));
    assert_eq!(q.receive(&mut []), Err(Errno::EMSGSIZE));
    let mut buf = [0u8; 64];
    assert_eq!(q.receive(&mut buf), Ok((16, 0)));
    assert_eq!(&buf[..16], &[2; 16]);
    assert_eq!(q.receive(&mut buf), Ok((0, 0)));
}

#[test]
fn attributes_and_bad_capacities() {
    let q = anonymous_queue("attributes", 10, 100);
    q.send(b"a", 0).unwrap();
    q.send(b"b", 0).unwrap();
    let a = q.attributes().unwrap();
    assert_eq!(
        (a.max_messages, a.message_size, a.messages, a.nonblocking),
        (10, 100, 2, false)
    );

    let name = unique_name("bad-capacity");
    let mut o = OpenOptions::new();
    o.read(true).write(true).exclusive(true);
    for (max, size) in [
        (0, 8),
        (8, 0),
        (usize::MAX, 8),
        (8, usize::MAX),
        (1 << 20, 8),
    ] {
        assert_eq!(
            o.capacity(max, size).open(&name).err(),
            Some(Errno::EINVAL),
            "{max} {size}"
        );
    }
    assert_eq!(MessageQueue::unlink(&name), Err(Errno::ENOENT));
    assert_eq!(
        OpenOptions::new().create(true).open(&name).err(),
        Some(Errno::EINVAL)
    );
}

#[test]
fn bad_names_are_refused() {
    for name in BAD_NAMES {
        assert_eq!(
            MessageQueue::open(name).err(),
            Some(Errno::EINVAL),
            "{name:?}"
        );
        assert_eq!(
            MessageQueue::create_new(name, 1, 8).err(),
            Some(Errno::EINVAL),
            "{name:?}"
        );
        let mut o = OpenOptions::new();
        assert_eq!(
            o.write(true).create(true).open(name).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(MessageQueue::unlink(name), Err(Errno::EINVAL), "{name:?}");
    }
    let long = too_long_name();
    assert_eq!(
        MessageQueue::create_new(&long, 1, 8).err(),
        Some(Errno::ENAMETOOLONG)
    );
    assert_eq!(MessageQueue::unlink(&long), Err(Errno::ENAMETOOLONG));
}

#[test]
fn open_existing_create_exclusive_and_unlink() {
    let name = unique_name("lifecycle");
    let _ = MessageQueue::unlink(&name);
    assert_eq!(MessageQueue::open(&name).err(), Some(Errno::ENOENT));
    let first = MessageQueue::options()
        .read(true)
        .write(true)
        .create(true)
        .capacity(2, 8)
        .open(&name)
        .unwrap();
    // create without exclusive opens the existing queue; its size stays.
    let second = MessageQueue::options()
        .read(true)
        .write(true)
        .create(true)
        .capacity(5, 50)
        .open(&name)
        .unwrap();
    assert_eq!(
        MessageQueue::create_new(&name, 2, 8).err(),
        Some(Errno::EEXIST)
    );
    MessageQueue::unlink(&name).unwrap();
    assert_eq!(MessageQueue::unlink(&name), Err(Errno::ENOENT));
    assert_eq!(second.attributes().unwrap().max_messages, 2);
    first.send(b"still", 0).unwrap();
    assert_eq!(second.receive(&mut [0u8; 8]), Ok((5, 0)));
    first.close().unwrap();
    second.close().unwrap();
}

#[test]
fn notifications() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn arrived(v: Sigval) {
        // SAFETY: registered below with an integer value.
        let n = unsafe { v.sival_int };
        CALLS.fetch_add(n as usize, Ordering::SeqCst);
    }
    let q = anonymous_queue("notify", 2, 8);
    q.notify(Notification::Silent).unwrap();
    assert_eq!(q.notify(Notification::Silent), Err(Errno::EBUSY));
    q.clear_notification().unwrap();
    q.clear_notification().unwrap();
    // An invalid signal number is the kernel's EINVAL.
    let bad = Notification::Signal {
        signal: 65,
        value: Sigval { sival_int: 0 },
    };
    assert_eq!(q.notify(bad), Err(Errno::EINVAL));
    let usr1 = Notification::Signal {
        signal: libc::SIGUSR1,
        value: Sigval { sival_int: 0 },
    };
    q.notify(usr1).unwrap();
    q.clear_notification().unwrap();

    let thread = Notification::Thread {
        function: arrived,
        value: Sigval { sival_int: 3 },
    };
    q.notify(thread).unwrap();
    assert_eq!(q.notify(thread), Err(Errno::EBUSY));
    q.send(b"x", 0).unwrap();
    let start = Instant::now();
    while CALLS.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);
    // Fired, so gone: registering again works, and a message to a queue
    // that is not empty tells nobody.
    q.notify(thread).unwrap();
    q.send(b"y", 0).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);
    q.clear_notification().unwrap();
}

/// `Deadline::now` reads the same clock as `SystemTime` (CLOCK_REALTIME).
#[test]
fn deadline_now_is_the_realtime_clock() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let now = Deadline::now().unwrap();
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    assert!(Deadline::from_unix(before) <= now && now <= Deadline::from_unix(after));
    let later = Deadline::after(Duration::from_secs(3600)).unwrap();
    assert!(later >= Deadline::from_unix(after + Duration::from_secs(3600)));
}

#[test]
fn clones_share_the_open_queue() {
    let q = anonymous_queue("clone", 4, 16);
    let clone = q.try_clone().unwrap();
    assert_ne!(clone.as_raw(), q.as_raw());
    assert_eq!(clone.send(&[0; 17], 3), Err(Errno::EMSGSIZE));
    clone.send(b"clone", 3).unwrap();
    // The clone shares the open queue's flags: non-blocking set through it
    // holds for the first descriptor, and outlives it.
    clone.set_nonblocking(true).unwrap();
    drop(clone);
    let mut buf = [0; 16];
    assert_eq!(q.receive(&mut buf), Ok((5, 3)));
    assert_eq!(q.receive(&mut buf), Err(Errno::EAGAIN));
    // SAFETY: -1 is no descriptor: every call fails, and so does the close.
    let none = unsafe { MessageQueue::from_raw(-1) };
    assert_eq!(none.try_clone().err(), Some(Errno::EBADF));
}
