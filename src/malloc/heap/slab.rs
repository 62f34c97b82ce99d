//! Slabs: 128 KiB-aligned pieces of 4 MiB chunks, each holding slots of one
//! size class for one heap, with their bookkeeping in the first 136 bytes (a
//! slot's slab is its address rounded down; the chunk map says which
//! addresses lie in chunks). Empty slabs go back to a shared
//! pool that keeps them resident for reuse for about a second, at most
//! 24 MiB of them, and gives the pages of the others back to the kernel
//! (`MADV_DONTNEED`) at its next operation: resident memory follows live
//! memory, and a program that frees and allocates again pays neither a
//! system call nor page faults each time.

use super::slot::SLOT_HEADER;
use super::{Free, Heap};
use crate::port;
use crate::sync::Mutex;
use core::ffi::c_void;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// Bytes of a slab; a power of two, its alignment too.
pub const SLAB: usize = 128 * 1024;
/// Where the first slot starts: after the slab's bookkeeping, 8 bytes
/// before a 16-byte boundary (a slot's payload follows its 8-byte header).
pub const FIRST_SLOT: usize = 136;
/// Bytes mapped at once from the kernel, at their own alignment: a slot's
/// chunk is its address rounded down, found in the chunk map.
const CHUNK: usize = 4 << 20;
const CHUNK_SHIFT: u32 = CHUNK.trailing_zeros();
/// Chunks the map covers: the target's user space (`port::arch`).
const MAP_CHUNKS: usize = 1 << (crate::port::arch::ADDRESS_BITS - CHUNK_SHIFT);
/// Empty slabs kept resident for reuse (the hysteresis): up to 24 MiB, each
/// for about a second ([`AGE`]); a program that frees and allocates again
/// within that time pays no system call and no page fault.
const RESERVE: usize = 192;
/// Slabs given back per pool operation at most (the rest at the next).
const BATCH: usize = 16;
/// How long freed memory waits for reuse before it goes back to the kernel:
/// 2^31 ticks, about a second (`port::arch::ticks`).
pub const AGE: u64 = 1 << 31;

/// A cheap clock for ageing freed memory (no system call).
pub fn ticks() -> u64 {
    crate::port::arch::ticks()
}

/// A slab's bookkeeping, at its start. The first fields are those malloc
/// and free touch.
#[repr(C)]
pub struct Slab {
    /// Free slots (their payload addresses, linked, the last freed first);
    /// owner only.
    pub free: *mut Free,
    /// The check bits of its blocks' headers (`slot::check_bits`), drawn
    /// anew each time the slab is put to use.
    pub check: u64,
    /// The owning heap; null while the slab is in the pool.
    pub heap: *mut Heap,
    /// Slots out (allocated, or freed by another thread and not yet
    /// drained), and the [`FULL`] flag: one signed test after free's
    /// decrement (`<= 0`) tells both "now empty" and "rejoins its bin".
    pub used: u32,
    /// The size class.
    pub class: u16,
    /// Slot size.
    pub size: usize,
    /// The next never-used slot's start, and the end of the slots.
    pub bump: usize,
    pub end: usize,
    /// The heap's bin list, or the pool's warm list.
    pub next: *mut Slab,
    /// The heap's bin list, or the pool's warm list.
    pub prev: *mut Slab,
    /// When the slab went back to the pool ([`ticks`]).
    pub freed_at: u64,
    /// Times the slab was put to use (mixed into its check word).
    pub generation: u64,
}

/// In `Slab::used`: out of its heap's bin because no slot was left; a free
/// puts it back.
pub const FULL: u32 = 1 << 31;

const _: () = assert!(core::mem::size_of::<Slab>() <= FIRST_SLOT);
const _: () = assert!((FIRST_SLOT + SLOT_HEADER) % 16 == 0);

/// A doubly linked list of slabs through their `next` and `prev` fields: a
/// heap's bin of one class, or the pool's warm list.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SlabList {
    pub head: *mut Slab,
    pub tail: *mut Slab,
}

impl SlabList {
    pub const EMPTY: SlabList = SlabList {
        head: null_mut(),
        tail: null_mut(),
    };

    /// # Safety
    /// `s` is a slab in no list, whose list fields are the caller's to set.
    pub unsafe fn push_front(&mut self, s: *mut Slab) {
        // SAFETY: the caller's contract; the slabs of the list are ours.
        unsafe {
            (*s).prev = null_mut();
            (*s).next = self.head;
            if self.head.is_null() {
                self.tail = s;
            } else {
                (*self.head).prev = s;
            }
        }
        self.head = s;
    }

    /// # Safety
    /// `s` is in this list.
    pub unsafe fn unlink(&mut self, s: *mut Slab) {
        // SAFETY: the caller's contract; the slabs of the list are ours.
        unsafe {
            if (*s).prev.is_null() {
                self.head = (*s).next;
            } else {
                (*(*s).prev).next = (*s).next;
            }
            if (*s).next.is_null() {
                self.tail = (*s).prev;
            } else {
                (*(*s).next).prev = (*s).prev;
            }
        }
    }
}

/// The slab an address inside it lies in.
#[inline(always)]
pub fn slab_of(addr: usize) -> *mut Slab {
    (addr & !(SLAB - 1)) as *mut Slab
}

/// One bit per 4 MiB of address space: set for the chunks slabs are carved
/// from (never unmapped). Mapped with the first chunk.
static CHUNK_MAP: AtomicPtr<AtomicU64> = AtomicPtr::new(null_mut());
/// The chunks the map covers: 0 until it is mapped, then [`MAP_CHUNKS`]
/// (one comparison tells both).
static MAP_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// True if `addr` lies in a chunk of slabs: its slab's header and every
/// slot header in it are minic's memory, readable.
#[inline(always)]
pub fn in_slab_chunk(addr: usize) -> bool {
    let chunk = addr >> CHUNK_SHIFT;
    if chunk >= MAP_LIMIT.load(Ordering::Acquire) {
        return false;
    }
    let map = CHUNK_MAP.load(Ordering::Relaxed);
    // SAFETY: a non-zero limit was published after the map, which has
    // MAP_CHUNKS bits and lives forever.
    let word = unsafe { &*map.add(chunk / 64) }.load(Ordering::Relaxed);
    word >> (chunk % 64) & 1 != 0
}

/// A stack of addresses in a reserved mapping of its own, mapped at the
/// first push: a link inside a slab would make one of its pages resident.
struct AddressStack {
    base: *mut usize,
    len: usize,
}

impl AddressStack {
    /// 2^24 entries (128 MiB reserved): 2 TiB of slabs, 64 TiB of chunks.
    const CAPACITY: usize = 1 << 24;

    const fn new() -> Self {
        AddressStack {
            base: null_mut(),
            len: 0,
        }
    }

    /// False when the stack is full or cannot be mapped.
    fn push(&mut self, a: usize) -> bool {
        if self.base.is_null() {
            match crate::malloc::map_private(Self::CAPACITY * 8, true) {
                Ok(m) => self.base = m as *mut usize,
                Err(_) => return false,
            }
        }
        if self.len == Self::CAPACITY {
            return false;
        }
        // SAFETY: within the reserved mapping.
        unsafe { *self.base.add(self.len) = a };
        self.len += 1;
        true
    }

    fn pop(&mut self) -> Option<usize> {
        self.len = self.len.checked_sub(1)?;
        // SAFETY: entries below the old length were pushed.
        Some(unsafe { *self.base.add(self.len) })
    }

    fn get(&self, i: usize) -> usize {
        debug_assert!(i < self.len);
        // SAFETY: entries below len were pushed.
        unsafe { *self.base.add(i) }
    }
}

struct Pool {
    /// Empty slabs whose pages are resident, most recent first, and how many.
    warm: SlabList,
    warm_count: usize,
    /// Empty slabs whose pages were given back.
    cold: AddressStack,
    /// Every chunk mapped (for the statistics).
    chunks: AddressStack,
    /// The unused rest of the last chunk.
    next: usize,
    end: usize,
    /// Slabs handed out.
    out: usize,
}

// SAFETY: the raw pointers are memory the pool owns; the mutex serialises
// every access.
unsafe impl Send for Pool {}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    warm: SlabList::EMPTY,
    warm_count: 0,
    cold: AddressStack::new(),
    chunks: AddressStack::new(),
    next: 0,
    end: 0,
    out: 0,
});

/// An empty slab (its header is stale or zero: the caller initialises it),
/// or None when the kernel has no memory.
pub fn take() -> Option<*mut Slab> {
    let mut old = [null_mut(); BATCH];
    let mut p = POOL.lock();
    let n = p.pop_expired(ticks(), &mut old);
    let s = if !p.warm.head.is_null() {
        let s = p.warm.head;
        // SAFETY: slabs on the pool's lists are the pool's.
        unsafe { p.warm.unlink(s) };
        p.warm_count -= 1;
        s
    } else if let Some(s) = p.cold.pop() {
        s as *mut Slab
    } else {
        if p.next == p.end {
            let Some(c) = new_chunk(&mut p) else {
                drop(p);
                go_cold(old.get(..n).unwrap_or(&[]));
                return None;
            };
            p.next = c;
            p.end = c + CHUNK;
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

/// Maps a chunk and enters it in the chunk map and list.
fn new_chunk(p: &mut Pool) -> Option<usize> {
    if CHUNK_MAP.load(Ordering::Relaxed).is_null() {
        // Only the pool, under its lock, creates the map.
        let map = crate::malloc::map_private(MAP_CHUNKS / 8, true).ok()?;
        CHUNK_MAP.store(map as *mut AtomicU64, Ordering::Relaxed);
        MAP_LIMIT.store(MAP_CHUNKS, Ordering::Release);
    }
    let c = map_aligned(CHUNK, CHUNK)?;
    if !p.chunks.push(c) {
        // SAFETY: our new chunk, never handed out.
        let _ = unsafe { port::munmap(c as *mut c_void, CHUNK) };
        return None;
    }
    let chunk = c >> CHUNK_SHIFT;
    // SAFETY: the map is created above and lives forever; a chunk lies in
    // the address space it covers.
    unsafe { &*CHUNK_MAP.load(Ordering::Relaxed).add(chunk / 64) }
        .fetch_or(1 << (chunk % 64), Ordering::Release);
    Some(c)
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
    // SAFETY: the slab is the pool's now, in no list. Its check word stays:
    // a block freed again is seen as a double free.
    unsafe {
        (*s).heap = null_mut();
        (*s).freed_at = now;
        p.warm.push_front(s);
    }
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
        while n < BATCH && !self.warm.tail.is_null() {
            let t = self.warm.tail;
            // SAFETY: slabs on the warm list are the pool's.
            unsafe {
                if self.warm_count <= RESERVE && now.wrapping_sub((*t).freed_at) <= AGE {
                    break;
                }
                self.warm.unlink(t);
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
            let _ = port::madvise(s as *mut c_void, SLAB, crate::abi::MADV_DONTNEED);
        }
    }
    if !slabs.is_empty() {
        let mut p = POOL.lock();
        for &s in slabs {
            // When the list cannot grow, the slab's address space is lost,
            // not memory: its pages went back.
            let _ = p.cold.push(s as usize);
        }
    }
}

/// Gives the pages of every warm slab back; true if there were any.
pub fn trim() -> bool {
    let mut list = {
        let mut p = POOL.lock();
        p.warm_count = 0;
        core::mem::replace(&mut p.warm, SlabList::EMPTY).head
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

/// Bytes mapped for slabs, bytes of the slabs heaps hold, and bytes of
/// the slots out of them (read without stopping their owners: approximate
/// under concurrency).
pub fn usage() -> (usize, usize, usize) {
    let p = POOL.lock();
    let mut in_use = 0usize;
    for i in 0..p.chunks.len {
        let c = p.chunks.get(i);
        for s in (c..c + CHUNK).step_by(SLAB) {
            let s = s as *const Slab;
            // SAFETY: chunks stay mapped; racy reads of an owner's fields,
            // for statistics only.
            unsafe {
                if !core::ptr::addr_of!((*s).heap).read_volatile().is_null() {
                    let used = (core::ptr::addr_of!((*s).used).read_volatile() & !FULL) as usize;
                    let size = core::ptr::addr_of!((*s).size).read_volatile();
                    in_use = in_use.wrapping_add(used.wrapping_mul(size));
                }
            }
        }
    }
    (p.chunks.len * CHUNK, p.out * SLAB, in_use)
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

/// A fresh mapping of `len` bytes aligned to `align` (a power of two, a
/// multiple of the page size).
pub fn map_aligned(len: usize, align: usize) -> Option<usize> {
    let over = len + align;
    let a = crate::malloc::map_private(over, false).ok()?;
    // SAFETY: our new mapping; only its excess is unmapped.
    unsafe {
        let start = (a + align - 1) & !(align - 1);
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
