//! Slabs: 128 KiB-aligned pieces of 4 MiB chunks, each holding slots of one
//! size class for one heap, with their bookkeeping in the first 128 bytes (a
//! slot's slab is its address rounded down). Empty slabs go back to a shared
//! pool that keeps them resident for reuse for about a second, at most
//! 24 MiB of them, and gives the pages of the others back to the kernel
//! (`MADV_DONTNEED`) at its next operation: resident memory follows live
//! memory, and a program that frees and allocates again pays neither a
//! system call nor page faults each time.

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
/// Empty slabs kept resident for reuse (the hysteresis): up to 24 MiB, each
/// for about a second ([`AGE`]); a program that frees and allocates again
/// within that time pays no system call and no page fault.
const RESERVE: usize = 192;
/// Slabs given back per pool operation at most (the rest at the next).
const BATCH: usize = 16;
/// How long freed memory waits for reuse before it goes back to the kernel:
/// 2^31 time-stamp counter ticks, about a second at the clock rates of
/// today's x86-64 machines.
pub const AGE: u64 = 1 << 31;

/// A cheap clock for ageing freed memory (no system call).
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: rdtsc has no preconditions on x86-64.
    return unsafe { core::arch::x86_64::_rdtsc() };
    #[cfg(not(target_arch = "x86_64"))]
    return 0;
}
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
    /// The heap's bin list, or the pool's warm list.
    pub prev: *mut Slab,
    /// When the slab went back to the pool ([`ticks`]).
    pub freed_at: u64,
}

const _: () = assert!(core::mem::size_of::<Slab>() <= SLAB_HEADER);

/// The slab a slot lies in.
#[inline]
pub fn slab_of(addr: usize) -> *mut Slab {
    (addr & !(SLAB - 1)) as *mut Slab
}

struct Pool {
    /// Empty slabs whose pages are resident, most recent first, and how many.
    warm: *mut Slab,
    warm_tail: *mut Slab,
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
    warm_tail: null_mut(),
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
    let mut old = [null_mut(); BATCH];
    let mut p = POOL.lock();
    let n = p.pop_expired(ticks(), &mut old);
    let s = if !p.warm.is_null() {
        let s = p.warm;
        // SAFETY: slabs on the pool's lists are the pool's.
        unsafe {
            p.warm = (*s).next;
            if p.warm.is_null() {
                p.warm_tail = null_mut();
            } else {
                (*p.warm).prev = null_mut();
            }
        }
        p.warm_count -= 1;
        s
    } else if p.cold_count > 0 {
        p.cold_count -= 1;
        // SAFETY: entries below cold_count were written by push_cold.
        unsafe { *p.cold.add(p.cold_count) as *mut Slab }
    } else {
        if p.next == p.end {
            // Every page of a chunk may hold slot headers: all are live in
            // the registry that free consults.
            let Some(c) = map_aligned(CHUNK).filter(|&c| {
                crate::malloc::registry::set_live(c, c + CHUNK).is_ok() || {
                    // SAFETY: our new chunk, never handed out.
                    let _ = unsafe { port::munmap(c as *mut c_void, CHUNK) };
                    false
                }
            }) else {
                drop(p);
                go_cold(old.get(..n).unwrap_or(&[]));
                return None;
            };
            p.next = c;
            p.end = c + CHUNK;
            p.mapped += CHUNK;
        }
        let s = p.next as *mut Slab;
        p.next += SLAB;
        s
    };
    p.out += 1;
    drop(p);
    go_cold(old.get(..n).unwrap_or(&[]));
    Some(s)
}

/// Takes back an empty slab.
///
/// # Safety
/// No slot of `s` is in use or reachable by any thread.
pub unsafe fn give(s: *mut Slab) {
    let now = ticks();
    let mut old = [null_mut(); BATCH];
    let mut p = POOL.lock();
    p.out -= 1;
    // SAFETY: the slab is the pool's now; the warm list is doubly linked.
    unsafe {
        (*s).freed_at = now;
        (*s).prev = null_mut();
        (*s).next = p.warm;
        if p.warm.is_null() {
            p.warm_tail = s;
        } else {
            (*p.warm).prev = s;
        }
    }
    p.warm = s;
    p.warm_count += 1;
    let n = p.pop_expired(now, &mut old);
    drop(p);
    go_cold(old.get(..n).unwrap_or(&[]));
}

impl Pool {
    /// Takes off the warm list (oldest first) the slabs beyond the reserve
    /// and those that waited longer than their age, at most `out.len()`.
    #[inline(never)]
    fn pop_expired(&mut self, now: u64, out: &mut [*mut Slab; BATCH]) -> usize {
        let mut n = 0;
        while n < BATCH && !self.warm_tail.is_null() {
            let t = self.warm_tail;
            // SAFETY: slabs on the warm list are the pool's.
            unsafe {
                if self.warm_count <= RESERVE && now.wrapping_sub((*t).freed_at) <= AGE {
                    break;
                }
                self.warm_tail = (*t).prev;
                if self.warm_tail.is_null() {
                    self.warm = null_mut();
                } else {
                    (*self.warm_tail).next = null_mut();
                }
            }
            self.warm_count -= 1;
            out[n & (BATCH - 1)] = t;
            n += 1;
        }
        n
    }
}

/// Gives the pages of empty slabs back (outside the lock) and records them
/// as cold.
#[inline(never)]
fn go_cold(slabs: &[*mut Slab]) {
    for &s in slabs {
        // SAFETY: the slab's memory is ours and holds nothing live.
        unsafe {
            let _ = port::madvise(s as *mut c_void, SLAB, libc::MADV_DONTNEED);
        }
    }
    if !slabs.is_empty() {
        let mut p = POOL.lock();
        for &s in slabs {
            push_cold(&mut p, s);
        }
    }
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
        p.warm_tail = null_mut();
        core::mem::replace(&mut p.warm, null_mut())
    };
    let any = !list.is_null();
    while !list.is_null() {
        let s = list;
        // SAFETY: the slabs of the detached list are ours alone.
        list = unsafe { (*s).next };
        go_cold(&[s]);
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
    unsafe { POOL.release_after_fork(child) }
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
