//! `minic::Minic` as the global allocator of a std program: everything this
//! test binary allocates (the test harness, thread stacks' bookkeeping,
//! channels, collections) comes from minic.

use minic::Minic;
use std::alloc::{GlobalAlloc, Layout};
use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::thread;

#[global_allocator]
static GLOBAL: Minic = Minic;

/// A deterministic pseudo-random sequence (xorshift), one per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

/// The byte at index `i` of a buffer made with `seed`.
fn pattern(seed: u64, i: usize) -> u8 {
    (seed as usize).wrapping_mul(31).wrapping_add(i * 7) as u8
}

fn filled(seed: u64, len: usize) -> Box<[u8]> {
    (0..len).map(|i| pattern(seed, i)).collect()
}

fn check_filled(seed: u64, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        assert_eq!(
            b,
            pattern(seed, i),
            "seed {seed}, byte {i} of {}",
            bytes.len()
        );
    }
}

/// Types whose alignment Rust passes to the allocator in their `Layout`.
macro_rules! aligned {
    ($name:ident, $align:literal) => {
        #[repr(C, align($align))]
        struct $name {
            tag: u64,
            bytes: [u8; 24],
        }
    };
}
aligned!(A64, 64);
aligned!(A4k, 4096);
aligned!(A64k, 65536);

fn is_aligned<T>(p: *const T, align: usize) -> bool {
    p as usize % align == 0
}

/// One thread's share: every collection, with sizes from a few bytes to a
/// few hundred kilobytes, grown, shrunk, checked and dropped; boxes sent to
/// `out` are checked and freed by another thread.
fn workload(seed: u64, out: mpsc::Sender<(u64, Box<[u8]>)>) -> u64 {
    let mut rng = Rng(seed | 1);
    let mut checksum = 0u64;

    // Vectors of many sizes, grown by push (realloc) and shrunk to fit.
    for round in 0..40 {
        let len = 1 + rng.below(if round % 10 == 0 { 100_000 } else { 2000 });
        let mut v: Vec<u64> = Vec::new();
        for i in 0..len as u64 {
            v.push(i ^ seed);
        }
        v.truncate(len / 2 + 1);
        v.shrink_to_fit();
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64 ^ seed));
        checksum = checksum.wrapping_add(v.iter().sum::<u64>());
    }

    // Strings as HashMap keys, with byte vectors as values.
    let mut map: HashMap<String, Vec<u8>> = HashMap::new();
    for i in 0..3000u64 {
        let key = format!("key-{seed}-{i}-{}", "x".repeat(rng.below(40)));
        let len = rng.below(300);
        map.insert(key, filled(seed ^ i, len).into_vec());
        if i % 3 == 0 {
            map.remove(&format!("key-{seed}-{}-", i / 2));
        }
    }
    for (key, value) in &map {
        let i: u64 = key.split('-').nth(2).unwrap().parse().unwrap();
        check_filled(seed ^ i, value);
        checksum = checksum.wrapping_add(value.len() as u64);
    }
    drop(map);

    // An ordered map of boxed slices, some of them sent away to be freed
    // by the receiving thread.
    let mut tree: BTreeMap<u64, Box<[u8]>> = BTreeMap::new();
    for i in 0..2000u64 {
        let len = if i % 97 == 0 {
            rng.below(300_000)
        } else {
            rng.below(1000)
        };
        tree.insert(rng.next(), filled(seed.wrapping_add(i), len));
        if i % 5 == 0 {
            let id = seed.wrapping_add(i);
            out.send((id, filled(id, rng.below(5000)))).unwrap();
        }
    }
    tree.retain(|k, _| k % 2 == 0);
    checksum = checksum.wrapping_add(tree.values().map(|b| b.len() as u64).sum::<u64>());

    // Over-aligned values: boxes and vectors that grow by realloc.
    let boxes: Vec<(Box<A64>, Box<A4k>, Box<A64k>)> = (0..8u64)
        .map(|t| {
            (
                Box::new(A64 {
                    tag: t,
                    bytes: [1; 24],
                }),
                Box::new(A4k {
                    tag: t,
                    bytes: [2; 24],
                }),
                Box::new(A64k {
                    tag: t,
                    bytes: [3; 24],
                }),
            )
        })
        .collect();
    let mut pages: Vec<A4k> = Vec::new();
    for t in 0..40 {
        pages.push(A4k {
            tag: t,
            bytes: [t as u8; 24],
        });
        assert!(is_aligned(pages.as_ptr(), 4096));
    }
    for (t, (a, b, c)) in boxes.iter().enumerate() {
        assert!(is_aligned(&**a, 64) && is_aligned(&**b, 4096) && is_aligned(&**c, 65536));
        assert_eq!((a.tag, b.tag, c.tag), (t as u64, t as u64, t as u64));
        assert_eq!((a.bytes[23], b.bytes[0], c.bytes[5]), (1, 2, 3));
    }
    assert!(pages
        .iter()
        .enumerate()
        .all(|(t, p)| p.tag == t as u64 && p.bytes[23] == t as u8));
    checksum
}

#[test]
fn collections_across_threads() {
    const THREADS: u64 = 4;
    let (tx, rx) = mpsc::channel::<(u64, Box<[u8]>)>();
    // The receiver checks and frees what the workers allocated.
    let receiver = thread::spawn(move || {
        let mut count = 0usize;
        for (id, bytes) in rx {
            check_filled(id, &bytes);
            count += 1;
        }
        count
    });
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let tx = tx.clone();
            thread::spawn(move || workload(0x9e37_79b9 * (t + 1), tx))
        })
        .collect();
    drop(tx);
    let sums: Vec<u64> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(receiver.join().unwrap(), THREADS as usize * 400);
    // The same work on one thread gives the same results.
    let (tx, rx) = mpsc::channel();
    let again = workload(0x9e37_79b9 * 2, tx);
    assert_eq!(again, sums[1]);
    assert_eq!(rx.iter().count(), 400);
}

#[test]
fn raw_layouts() {
    for align in [1, 8, 16, 64, 4096, 65536, 1 << 21] {
        for size in [0, 1, 15, 16, 17, 4095, 4097, 100_000, 300_000] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: each block is used within its size and freed once with
            // its layout (a zero size is not GlobalAlloc's contract, but
            // minic gives it a unique block all the same).
            unsafe {
                let zeroed = GLOBAL.alloc_zeroed(layout);
                assert!(!zeroed.is_null() && is_aligned(zeroed, align), "{layout:?}");
                let bytes = std::slice::from_raw_parts_mut(zeroed, size);
                assert!(bytes.iter().all(|&b| b == 0), "{layout:?}");
                bytes.fill(0xa5);
                GLOBAL.dealloc(zeroed, layout);

                let p = GLOBAL.alloc(layout);
                assert!(!p.is_null() && is_aligned(p, align), "{layout:?}");
                for i in 0..size {
                    p.add(i).write(pattern(size as u64, i));
                }
                // Grow, then shrink: contents and alignment kept.
                let grown = GLOBAL.realloc(p, layout, size * 3 + 1000);
                assert!(!grown.is_null() && is_aligned(grown, align), "{layout:?}");
                check_filled(size as u64, std::slice::from_raw_parts(grown, size));
                let bigger = Layout::from_size_align(size * 3 + 1000, align).unwrap();
                let shrunk = GLOBAL.realloc(grown, bigger, size / 2 + 1);
                assert!(!shrunk.is_null() && is_aligned(shrunk, align), "{layout:?}");
                check_filled(size as u64, std::slice::from_raw_parts(shrunk, size / 2));
                let smaller = Layout::from_size_align(size / 2 + 1, align).unwrap();
                GLOBAL.dealloc(shrunk, smaller);
            }
        }
    }
}

#[test]
fn failures_return_null_and_keep_the_block() {
    let too_big = Layout::from_size_align(isize::MAX as usize / 2 + 1, 16).unwrap();
    let too_aligned = Layout::from_size_align(64, 1 << 40).unwrap();
    let small = Layout::from_size_align(100, 64).unwrap();
    // SAFETY: every block is used within its size and freed once.
    unsafe {
        assert!(GLOBAL.alloc(too_big).is_null());
        assert!(GLOBAL.alloc_zeroed(too_big).is_null());
        assert!(GLOBAL.alloc(too_aligned).is_null());
        let p = GLOBAL.alloc(small);
        p.write_bytes(0x5a, 100);
        assert!(GLOBAL.realloc(p, small, too_big.size()).is_null());
        assert!(std::slice::from_raw_parts(p, 100)
            .iter()
            .all(|&b| b == 0x5a));
        GLOBAL.dealloc(p, small);
    }
    // Through std: a failed reservation is an error, not an abort.
    let mut v: Vec<u8> = Vec::new();
    assert!(v.try_reserve(isize::MAX as usize / 2 + 1).is_err());
    assert!(v.try_reserve(1000).is_ok());
}

/// Beside glibc, minic leaves the program break to glibc's malloc: none of
/// its blocks lies between where the break started (the kernel's
/// `start_brk`, field 47 of /proc/self/stat) and where it is now.
#[test]
fn the_break_is_not_used() {
    let blocks: Vec<Box<[u8]>> = (0..64)
        .map(|i| vec![i as u8; (i + 1) << 12].into())
        .collect();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The command name (field 2) is in parentheses and may hold spaces:
    // the fields after it start with field 3.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let start: usize = fields[47 - 3].parse().unwrap();
    // SAFETY: brk(2) with address 0 moves nothing (the break cannot go
    // there) and returns the current break.
    let end = unsafe { libc::syscall(libc::SYS_brk, 0usize) } as usize;
    assert!(start != 0 && start <= end, "break {start:#x}..{end:#x}");
    let heap = start..end;
    for b in &blocks {
        let at = b.as_ptr() as usize;
        assert!(!heap.contains(&at), "{at:#x} in the heap {heap:x?}");
    }
}

/// A child forked while other threads allocate can allocate: the
/// allocator's fork handlers keep its lock from being inherited held.
#[test]
fn fork_while_threads_allocate() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    let stop = Arc::new(AtomicBool::new(false));
    let churners: Vec<_> = (0..3)
        .map(|t| {
            let stop = stop.clone();
            thread::spawn(move || {
                let mut rng = Rng(t + 1);
                while !stop.load(Ordering::Relaxed) {
                    let v: Vec<Box<[u8]>> = (0..64).map(|_| filled(t, rng.below(5000))).collect();
                    assert!(v
                        .iter()
                        .all(|b| b.iter().enumerate().all(|(i, &x)| x == pattern(t, i))));
                }
            })
        })
        .collect();
    for round in 0..20 {
        // SAFETY: the child only allocates, checks and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let words: Vec<String> = (0..1000).map(|i| format!("{round}-{i}")).collect();
            let ok = words
                .iter()
                .enumerate()
                .all(|(i, w)| *w == format!("{round}-{i}"));
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut status = 0;
        loop {
            // SAFETY: waits for our own child; status is a local.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if done == pid {
                break;
            }
            if Instant::now() > deadline {
                // SAFETY: our own child, stuck.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("child {round} hung: the allocator's lock was inherited held");
            }
            thread::sleep(Duration::from_millis(1));
        }
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "child {round}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for c in churners {
        c.join().unwrap();
    }
}
