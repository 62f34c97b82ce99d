//! Large blocks: each in its own mapping, the header at the payload's
//! start minus 16 (the pad before it is the mapping's first bytes). Freed
//! mappings wait in a small cache, so a program that frees and allocates
//! buffers does not pay a fresh mapping and its page faults every time; a
//! cached mapping of another size is resized with `mremap`, which keeps its
//! resident pages. The cache is bounded (16 mappings, 32 MiB), so resident
//! memory stays close to live memory. `realloc` resizes with `mremap`: the
//! kernel moves page table entries instead of copying bytes.

use crate::malloc::header::{Block, HEADER, IN_USE, OWN_MAPPING};
use crate::port;
use crate::sync::Mutex;
use core::ffi::c_void;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicUsize, Ordering};

const PAGE: usize = port::PAGE_SIZE;
const CACHE_ENTRIES: usize = 16;
const CACHE_BYTES: usize = 32 << 20;

struct Cache {
    /// (start, length) of free mappings, oldest first.
    e: [(usize, usize); CACHE_ENTRIES],
    n: usize,
    bytes: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    e: [(0, 0); CACHE_ENTRIES],
    n: 0,
    bytes: 0,
});

/// Live large blocks and their mapped bytes (for mallinfo2).
pub static LIVE_COUNT: AtomicUsize = AtomicUsize::new(0);
/// See [`LIVE_COUNT`].
pub static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The mapping length that holds `n` payload bytes aligned to `align`, or
/// None on overflow.
fn length_for(n: usize, align: usize) -> Option<usize> {
    let extra = if align > HEADER { align } else { HEADER };
    n.checked_add(extra)?
        .checked_add(PAGE - 1)
        .map(|l| l & !(PAGE - 1))
}

/// A large block of at least `n` bytes aligned to `align` (a power of two,
/// at least 16); the flag says whether its memory is fresh from the kernel
/// (zero). None: no memory.
pub fn alloc(n: usize, align: usize) -> Option<(Block, bool)> {
    let len = length_for(n, align)?;
    if len > isize::MAX as usize {
        return None;
    }
    let (start, fresh) = match reuse(len) {
        Some(s) => (s, false),
        None => (map(len)?, true),
    };
    LIVE_COUNT.fetch_add(1, Ordering::Relaxed);
    LIVE_BYTES.fetch_add(len, Ordering::Relaxed);
    Some((place(start, len, align), fresh))
}

/// Writes the header of the block that fills mapping [start, start + len).
fn place(start: usize, len: usize, align: usize) -> Block {
    let payload = (start + HEADER + align.max(HEADER) - 1) & !(align.max(HEADER) - 1);
    let b = Block {
        payload,
        capacity: start + len - payload,
        pad: payload - HEADER - start,
        state: IN_USE | OWN_MAPPING,
    };
    // SAFETY: the header lies inside the mapping, which is ours.
    unsafe { b.write() };
    b
}

fn map(len: usize) -> Option<usize> {
    // SAFETY: a new private anonymous mapping.
    unsafe {
        port::mmap(
            null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
        .ok()
    }
}

/// A cached mapping resized to `len`, if the cache has one.
fn reuse(len: usize) -> Option<usize> {
    let (start, have) = {
        let mut c = CACHE.lock();
        if c.n == 0 {
            return None;
        }
        // The smallest mapping that is large enough, else the largest.
        let mut best = 0;
        for i in 1..c.n {
            let (b, x) = (c.e[best].1, c.e[i].1);
            let better = if b >= len { x >= len && x < b } else { x > b };
            if better {
                best = i;
            }
        }
        let e = c.e[best];
        let n = c.n;
        c.e.copy_within(best + 1..n, best);
        c.n -= 1;
        c.bytes -= e.1;
        e
    };
    if have == len {
        return Some(start);
    }
    // SAFETY: the mapping was a freed block of ours; resizing keeps or
    // moves its pages and unmaps nothing else.
    match unsafe {
        port::mremap(
            start as *mut c_void,
            have,
            len,
            libc::MREMAP_MAYMOVE,
            null_mut(),
        )
    } {
        Ok(a) => Some(a),
        Err(_) => {
            // SAFETY: as above.
            let _ = unsafe { port::munmap(start as *mut c_void, have) };
            None
        }
    }
}

/// Frees a large block.
///
/// # Safety
/// `b` is a live large block, no longer used.
pub unsafe fn free(b: &Block) {
    let start = b.start();
    let len = b.pad + HEADER + b.capacity;
    LIVE_COUNT.fetch_sub(1, Ordering::Relaxed);
    LIVE_BYTES.fetch_sub(len, Ordering::Relaxed);
    let mut evicted = [(0usize, 0usize); CACHE_ENTRIES];
    let mut ne = 0;
    let mut keep = len <= CACHE_BYTES / 2;
    // A second free of the block is caught while the mapping is cached (it
    // faults once the mapping is gone).
    // SAFETY: the header of the block being freed, still mapped.
    unsafe { Block { state: 0, ..*b }.write() };
    {
        let mut c = CACHE.lock();
        while keep && (c.n == CACHE_ENTRIES || c.bytes + len > CACHE_BYTES) {
            if c.n == 0 {
                keep = false;
                break;
            }
            evicted[ne] = c.e[0];
            ne += 1;
            c.bytes -= c.e[0].1;
            let n = c.n;
            c.e.copy_within(1..n, 0);
            c.n -= 1;
        }
        if keep {
            let n = c.n;
            c.e[n] = (start, len);
            c.n += 1;
            c.bytes += len;
        }
    }
    for &(s, l) in &evicted[..ne] {
        // SAFETY: evicted mappings are free blocks of ours.
        let _ = unsafe { port::munmap(s as *mut c_void, l) };
    }
    if !keep {
        // SAFETY: the block's own mapping, no longer used.
        let _ = unsafe { port::munmap(start as *mut c_void, len) };
    }
}

/// Resizes a large block to hold `n` bytes (n above the small limit) with
/// `mremap`; None when the kernel has no room (the block is unchanged).
///
/// # Safety
/// `b` is a live large block without alignment pad.
pub unsafe fn resize(b: &Block, n: usize) -> Option<Block> {
    let start = b.start();
    let old = HEADER + b.capacity;
    let mut len = length_for(n, HEADER)?;
    if len > old {
        // Growing by realloc tends to go on: leave an eighth of room.
        len = len.max((old + old / 8 + PAGE - 1) & !(PAGE - 1));
    }
    if len > isize::MAX as usize {
        return None;
    }
    // SAFETY: the block's own mapping.
    let a = unsafe {
        port::mremap(
            start as *mut c_void,
            old,
            len,
            libc::MREMAP_MAYMOVE,
            null_mut(),
        )
    }
    .ok()?;
    LIVE_BYTES.fetch_add(len.wrapping_sub(old), Ordering::Relaxed);
    Some(place(a, len, HEADER))
}

/// Unmaps every cached mapping; true if there was one.
pub fn trim() -> bool {
    let (e, n) = {
        let mut c = CACHE.lock();
        let r = (c.e, c.n);
        c.n = 0;
        c.bytes = 0;
        r
    };
    for &(s, l) in &e[..n] {
        // SAFETY: cached mappings are free blocks of ours.
        let _ = unsafe { port::munmap(s as *mut c_void, l) };
    }
    n > 0
}

/// Bytes held in the cache.
pub fn cached() -> usize {
    CACHE.lock().bytes
}

/// Locks the cache across `fork`.
#[cfg(all(feature = "capi", not(feature = "freestanding")))]
pub fn fork_lock() {
    CACHE.acquire_forever();
}

/// Unlocks the cache after `fork`.
///
/// # Safety
/// [`fork_lock`] was called by the thread that forked.
#[cfg(all(feature = "capi", not(feature = "freestanding")))]
pub unsafe fn fork_unlock(child: bool) {
    // SAFETY: the caller's contract.
    unsafe {
        if child {
            CACHE.release()
        } else {
            CACHE.release_and_wake()
        }
    }
}
