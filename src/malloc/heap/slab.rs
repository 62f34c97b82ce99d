//! Slabs: 128 KiB-aligned pieces of 4 MiB chunks, each holding slots of one
//! size class for one heap, with their bookkeeping in the first 128 bytes (a
//! slot's slab is its address rounded down). Empty slabs go back to a shared
//! pool that keeps a few resident for reuse and gives the pages of the rest
//! back to the kernel (`MADV_DONTNEED`), so resident memory follows live
//! memory as soon as blocks are freed, without a system call on every
//! free-then-allocate cycle.

use super::{Free, Heap};
use crate::port;
use crate::sync::Mutex;
use core::ffi::c_void;
use core::ptr::null_mut;

/// Bytes of a slab; a power of two, its alignment too.
pub const SLAB: usize = 128 * 1024;
/// Bytes of bookkeeping at a slab's start; slots begin after it.
pub const SLAB_HEADER: usize = 128;
/// Bytes mapped at once from the kernel.
const CHUNK: usize = 4 << 20;
/// Empty slabs kept resident for reuse (the hysteresis): 4 MiB.
const RESERVE: usize = 32;
/// Capacity of the side list of cold slabs: 2^24 slabs, 1 TiB.
const COLD_SLOTS: usize = 1 << 24;

/// A slab's bookkeeping, at its start.
#[repr(C)]
pub struct Slab {
    /// Freed slots (their first payload address, linked); owner only.
    pub free: *mut Free,
    /// The next never-used slot.
    pub bump: usize,
    /// The end of the slots.
    pub end: usize,
    /// Slots out: allocated, or freed by another thread and not yet drained.
    pub used: u32,
    /// The size class.
    pub class: u16,
    /// Out of its heap's bin because no slot was left; a free puts it back.
    pub full: bool,
    /// Slot size.
    pub size: usize,
    /// The owning heap.
    pub heap: *mut Heap,
    /// The heap's bin list, or the pool's warm list.
    pub next: *mut Slab,
    /// The heap's bin list.
    pub prev: *mut Slab,
}

const _: () = assert!(core::mem::size_of::<Slab>() <= SLAB_HEADER);

/// The slab a slot lies in.
#[inline]
pub fn slab_of(addr: usize) -> *mut Slab {
    (addr & !(SLAB - 1)) as *mut Slab
}

struct Pool {
    /// Empty slabs whose pages are resident, linked, and how many.
    warm: *mut Slab,
    warm_count: usize,
    /// Empty slabs whose pages were given back, in a side array: a link
    /// inside the slab would make one of its pages resident again.
    cold: *mut usize,
    cold_count: usize,
    /// The unused rest of the last chunk.
    next: usize,
    end: usize,
    /// Bytes mapped for slabs, and slabs handed out.
    mapped: usize,
    out: usize,
}

// SAFETY: the raw pointers are memory the pool owns; the mutex serialises
// every access.
unsafe impl Send for Pool {}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    warm: null_mut(),
    warm_count: 0,
    cold: null_mut(),
    cold_count: 0,
    next: 0,
    end: 0,
    mapped: 0,
    out: 0,
});

/// An empty slab (its header is stale or zero: the caller initialises it),
/// or None when the kernel has no memory.
pub fn take() -> Option<*mut Slab> {
    let mut p = POOL.lock();
    if !p.warm.is_null() {
        let s = p.warm;
        // SAFETY: slabs on the pool's lists are the pool's.
        p.warm = unsafe { (*s).next };
        p.warm_count -= 1;
        p.out += 1;
        return Some(s);
    }
    if p.cold_count > 0 {
        p.cold_count -= 1;
        p.out += 1;
        // SAFETY: entries below cold_count were written by push_cold.
        return Some(unsafe { *p.cold.add(p.cold_count) } as *mut Slab);
    }
    if p.next == p.end {
        let c = map_aligned(CHUNK)?;
        p.next = c;
        p.end = c + CHUNK;
        p.mapped += CHUNK;
    }
    let s = p.next as *mut Slab;
    p.next += SLAB;
    p.out += 1;
    Some(s)
}

/// Takes back an empty slab.
///
/// # Safety
/// No slot of `s` is in use or reachable by any thread.
pub unsafe fn give(s: *mut Slab) {
    let mut p = POOL.lock();
    p.out -= 1;
    if p.warm_count < RESERVE {
        // SAFETY: the slab is the pool's now.
        unsafe { (*s).next = p.warm };
        p.warm = s;
        p.warm_count += 1;
        return;
    }
    drop(p);
    // The system call runs outside the lock.
    // SAFETY: the slab's memory is ours and holds nothing live.
    unsafe {
        let _ = port::madvise(s as *mut c_void, SLAB, libc::MADV_DONTNEED);
    }
    push_cold(&mut POOL.lock(), s);
}

fn push_cold(p: &mut Pool, s: *mut Slab) {
    if p.cold.is_null() {
        // SAFETY: a new private anonymous mapping, never unmapped; its pages
        // become resident only as far as the list grows.
        match unsafe {
            port::mmap(
                null_mut(),
                COLD_SLOTS * 8,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        } {
            Ok(a) => p.cold = a as *mut usize,
            // The slab's address space is lost, not memory: its pages went back.
            Err(_) => return,
        }
    }
    if p.cold_count < COLD_SLOTS {
        // SAFETY: within the array mapped above.
        unsafe { *p.cold.add(p.cold_count) = s as usize };
        p.cold_count += 1;
    }
}

/// Gives the pages of every warm slab back; true if there were any.
pub fn trim() -> bool {
    let mut list = {
        let mut p = POOL.lock();
        p.warm_count = 0;
        core::mem::replace(&mut p.warm, null_mut())
    };
    let any = !list.is_null();
    while !list.is_null() {
        let s = list;
        // SAFETY: the slabs of the detached list are ours alone.
        unsafe {
            list = (*s).next;
            let _ = port::madvise(s as *mut c_void, SLAB, libc::MADV_DONTNEED);
        }
        push_cold(&mut POOL.lock(), s);
    }
    any
}

/// Bytes mapped for slabs, and bytes of the slabs heaps hold.
pub fn usage() -> (usize, usize) {
    let p = POOL.lock();
    (p.mapped, p.out * SLAB)
}

/// Locks the pool across `fork`.
#[cfg(not(feature = "freestanding"))]
pub fn fork_lock() {
    POOL.acquire_forever();
}

/// Unlocks the pool after `fork`.
///
/// # Safety
/// [`fork_lock`] was called by the thread that forked.
#[cfg(not(feature = "freestanding"))]
pub unsafe fn fork_unlock(child: bool) {
    // SAFETY: the caller's contract.
    unsafe {
        if child {
            POOL.release()
        } else {
            POOL.release_and_wake()
        }
    }
}

/// A fresh mapping of `len` bytes (a multiple of SLAB) aligned to SLAB.
pub fn map_aligned(len: usize) -> Option<usize> {
    let over = len + SLAB;
    // SAFETY: a new private anonymous mapping; only its excess is unmapped.
    unsafe {
        let a = port::mmap(
            null_mut(),
            over,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
        .ok()?;
        let start = (a + SLAB - 1) & !(SLAB - 1);
        if start > a {
            let _ = port::munmap(a as *mut c_void, start - a);
        }
        let tail = a + over - (start + len);
        if tail > 0 {
            let _ = port::munmap((start + len) as *mut c_void, tail);
        }
        Some(start)
    }
}
