//! A producer and a consumer thread over a POSIX message queue, with
//! minic's Rust API: priorities (urgent work overtakes routine work), a
//! queue small enough that the producer blocks while it is full, a timed
//! receive, and a non-blocking check at the end.
//!
//! Run with `cargo run --example mq_producer_consumer`.

use minic::mqueue::MessageQueue;
use minic::Errno;
use std::ffi::CString;
use std::time::Duration;

const JOBS: u32 = 40;
const URGENT: u32 = 10;
const ROUTINE: u32 = 1;
const STOP: &[u8] = b"stop";

fn main() -> Result<(), Errno> {
    let name = CString::new(format!("/minic-example-mq-{}", std::process::id())).unwrap();
    // At most 4 messages of 32 bytes: the producer outruns the consumer and waits.
    let queue = MessageQueue::create_new(&name, 4, 32)?;
    // The name is not needed any more: both threads use this descriptor, and
    // the queue disappears with it, whatever happens below.
    MessageQueue::unlink(&name)?;

    let (done, urgent_seen) = std::thread::scope(|s| {
        let queue = &queue;
        let producer = s.spawn(move || -> Result<(), Errno> {
            for job in 0..JOBS {
                let priority = if job % 10 == 9 { URGENT } else { ROUTINE };
                queue.send(format!("job {job}").as_bytes(), priority)?;
            }
            queue.send(STOP, 0)
        });
        let consumer = s.spawn(move || -> Result<(u32, u32), Errno> {
            let mut buf = [0u8; 32];
            let (mut done, mut urgent) = (0, 0);
            loop {
                // A stuck producer would show as ETIMEDOUT, not as a hang.
                let (len, priority) = queue.receive_timeout(&mut buf, Duration::from_secs(10))?;
                let msg = &buf[..len];
                if msg == STOP {
                    return Ok((done, urgent));
                }
                if priority == URGENT {
                    urgent += 1;
                    println!("consumer: urgent {}", String::from_utf8_lossy(msg));
                }
                done += 1;
                // Slower than the producer: the queue fills up.
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        producer.join().unwrap()?;
        consumer.join().unwrap()
    })?;
    println!("consumer: {done} jobs done, {urgent_seen} of them urgent");
    assert_eq!((done, urgent_seen), (JOBS, JOBS / 10));

    // Nothing left: a non-blocking receive says so at once.
    queue.set_nonblocking(true)?;
    assert_eq!(queue.receive(&mut [0u8; 32]), Err(Errno::EAGAIN));
    println!("queue empty: {}", Errno::EAGAIN);
    Ok(())
}
