//! Chunks and the pool of empty slabs.
//!
//! Slabs are carved from chunks: `CHUNK`-aligned mappings of `CHUNK` bytes.
//! A chunk's first slab-sized piece holds no slots; it holds the records
//! (`Slab`) of the chunk's slabs between two guard pages, so that no
//! linear overflow or underflow from a block reaches allocator metadata:
//!
//! ```text
//! chunk + 0             guard page (no access)
//! chunk + PAGE          record 0: the chunk's own (`ChunkRecord`), then
//!                       record i for slab i, 1 <= i < SLABS_PER_CHUNK
//! records' end          guard pages to the first slab (no access)
//! chunk + i * SLAB      slab i: slots only
//! ```
//!
//! The chunk map says which chunk-sized pieces of the address space are
//! chunks, so that `free` reads a record only for addresses in one. It is a
//! two-level bit table mapped on first use (a root of leaf pointers, each
//! leaf one page): nothing is reserved up front. Free's quick path asks a
//! direct-mapped table of chunks first, with one load and one compare.
//!
//! The pool holds the slabs no heap uses. A slab given back stays resident
//! ("warm") for about a second, up to a small reserve, for the next heap
//! that needs one; then its pages go back to the kernel and it is "cold".
//! `trim` gives every warm slab's pages back and unmaps the chunks none of
//! whose slabs is in use, so mapped memory follows live memory.

use super::slab::{Slab, SlabList};
use crate::malloc::os;
use crate::malloc::registry::level;
use crate::port::PAGE_SIZE;
use crate::sync::{Guard, Mutex};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// Hosted programs have an address space to spare: 128 KiB slabs in 4 MiB
/// chunks. A freestanding program may run on a kernel that commits every
/// page it maps: 16 KiB slabs in 256 KiB chunks, so the first `malloc`
/// takes a quarter of a MiB of the kernel's memory and mapped memory
/// follows live memory closely.
#[cfg(not(feature = "freestanding"))]
const SLAB_SHIFT: u32 = 17;
#[cfg(not(feature = "freestanding"))]
const CHUNK_SHIFT: u32 = 22;
#[cfg(feature = "freestanding")]
const SLAB_SHIFT: u32 = 14;
#[cfg(feature = "freestanding")]
const CHUNK_SHIFT: u32 = 18;

/// Bytes of a slab; a power of two, its alignment too.
pub const SLAB: usize = 1 << SLAB_SHIFT;
/// Bytes of a chunk; a power of two, its alignment too.
pub const CHUNK: usize = 1 << CHUNK_SHIFT;
/// Slab-sized pieces of a chunk; the first holds the records.
pub const SLABS_PER_CHUNK: usize = CHUNK / SLAB;
/// The end of the records, rounded to whole pages, from the chunk's start.
const RECORDS_END: usize =
    (PAGE_SIZE + SLABS_PER_CHUNK * core::mem::size_of::<Slab>()).next_multiple_of(PAGE_SIZE);

const _: () = assert!(RECORDS_END + PAGE_SIZE <= SLAB);
const _: () = assert!(core::mem::size_of::<ChunkRecord>() <= core::mem::size_of::<Slab>());

/// Empty slabs kept resident for reuse, at most: a program that frees and
/// allocates again pays no system call and no page fault for them. A
/// freestanding program keeps less: over a kernel without virtual memory,
/// only an unmapped chunk gives its memory back.
const RESERVE: usize = if cfg!(feature = "freestanding") {
    1 << 20
} else {
    4 << 20
} / SLAB;
/// Slabs whose pages go back per pool operation at most (the rest at the
/// next).
const BATCH: usize = 16;

/// Address bits the chunk map covers: the target's user space
/// (`port::arch`), at most 48 (every 64-bit Linux user space unless a
/// program asks the kernel for more).
const ADDRESS_BITS: u32 = if crate::port::arch::ADDRESS_BITS < 48 {
    crate::port::arch::ADDRESS_BITS
} else {
    48
};
/// Chunks a leaf covers: a page of bits; a freestanding program's chunks
/// are smaller, and its leaves four pages, so that its root is 64 KiB at
/// most (32 KiB on x86_64's 47 bits).
const LEAF_SHIFT: u32 = (LEAF_BYTES * 8).trailing_zeros();
const LEAF_BYTES: usize = if cfg!(feature = "freestanding") {
    4 * PAGE_SIZE
} else {
    PAGE_SIZE
};
const ROOT_LEN: usize = 1 << (ADDRESS_BITS - CHUNK_SHIFT).saturating_sub(LEAF_SHIFT);

type Leaf = AtomicPtr<AtomicU64>;

/// The root of the chunk map. A hosted library keeps it in its zero-filled
/// data (16 KiB at most, 8 KiB on x86_64; untouched pages cost nothing):
/// one load less on every free. A freestanding one maps it on first use: a
/// kernel that commits what a program's image holds would pay for all of
/// it.
#[cfg(not(feature = "freestanding"))]
mod root {
    use super::{Leaf, ROOT_LEN};
    static ROOT: [Leaf; ROOT_LEN] = [const { Leaf::new(core::ptr::null_mut()) }; ROOT_LEN];

    #[inline(always)]
    pub fn get() -> *const Leaf {
        ROOT.as_ptr()
    }

    pub fn get_or_map() -> Option<*const Leaf> {
        Some(ROOT.as_ptr())
    }
}

#[cfg(feature = "freestanding")]
mod root {
    use super::{Leaf, ROOT_LEN};
    use core::sync::atomic::{AtomicPtr, Ordering};

    static ROOT: AtomicPtr<Leaf> = AtomicPtr::new(core::ptr::null_mut());

    #[inline(always)]
    pub fn get() -> *const Leaf {
        ROOT.load(Ordering::Acquire)
    }

    pub fn get_or_map() -> Option<*const Leaf> {
        let len = ROOT_LEN * core::mem::size_of::<Leaf>();
        crate::malloc::registry::level(&ROOT, len, true)
            .ok()
            .map(|r| r as *const Leaf)
    }
}

/// The chunk's own record, in place of record 0.
#[repr(C)]
struct ChunkRecord {
    /// Never written: zero. Free's quick path reads record 0 as a slab's
    /// for an address in the records' piece, and finds the divisor zero,
    /// which makes no offset a slot's start (the address is reported).
    _no_slots: [u64; 4],
    /// The pool's list of chunks.
    next: *mut ChunkRecord,
    prev: *mut ChunkRecord,
    /// Slabs of the chunk that heaps hold.
    out: usize,
}

const _: () =
    assert!(core::mem::offset_of!(Slab, divisor) + 8 <= core::mem::offset_of!(ChunkRecord, next));

/// The address of a chunk's record.
#[inline(always)]
fn chunk_record(chunk: usize) -> *mut ChunkRecord {
    (chunk + PAGE_SIZE) as *mut ChunkRecord
}

/// The record of the slab holding `addr`, an address in a chunk (record 0,
/// the chunk's own, for an address in the records' piece).
#[inline(always)]
pub fn record_of(addr: usize) -> *mut Slab {
    let chunk = addr & !(CHUNK - 1);
    let index = (addr - chunk) >> SLAB_SHIFT;
    (chunk + PAGE_SIZE + index * core::mem::size_of::<Slab>()) as *mut Slab
}

/// The start of the slab whose record is `s`.
#[inline]
pub fn slab_start(s: *const Slab) -> usize {
    let chunk = s as usize & !(CHUNK - 1);
    let index = (s as usize - chunk - PAGE_SIZE) / core::mem::size_of::<Slab>();
    chunk + index * SLAB
}

/// True if `addr` lies in a chunk: the record of its slab is minic's
/// memory, readable.
#[inline(always)]
pub fn in_chunk(addr: usize) -> bool {
    let chunk = addr >> CHUNK_SHIFT;
    let root = root::get();
    if root.is_null() || chunk >> LEAF_SHIFT >= ROOT_LEN {
        return false;
    }
    // SAFETY: the root has ROOT_LEN entries and lives forever.
    let leaf = unsafe { &*root.add(chunk >> LEAF_SHIFT) }.load(Ordering::Acquire);
    if leaf.is_null() {
        return false;
    }
    let bit = chunk & ((1 << LEAF_SHIFT) - 1);
    // SAFETY: a leaf has 2^LEAF_SHIFT bits and lives forever.
    let word = unsafe { &*leaf.add(bit / 64) }.load(Ordering::Acquire);
    word >> (bit % 64) & 1 != 0
}

/// True if `addr` lies in a chunk the quick table holds (see [`quick`]);
/// false for every other address, a chunk's included (which [`in_chunk`]
/// then tells).
#[inline(always)]
pub fn in_quick_chunk(addr: usize) -> bool {
    quick::contains(addr >> CHUNK_SHIFT)
}

/// A direct-mapped table of chunks that free's quick path reads with one
/// load and one compare, where the full map takes two dependent loads and
/// three tests: entry `i % LEN` holds chunk index `i` plus one (0: empty).
/// Chunks the kernel maps one after another have consecutive indices, so
/// `LEN` of them (16 GiB of address space hosted, 256 MiB freestanding)
/// never collide; a chunk whose entry another holds is in the full map
/// only, and reached by free's general path. It sits in zero-filled data
/// (16 KiB hosted, 4 KiB freestanding) and reserves nothing.
pub(super) mod quick {
    use core::sync::atomic::{AtomicU32, Ordering};

    const LEN: usize = if cfg!(feature = "freestanding") {
        1 << 10
    } else {
        1 << 12
    };

    // Every chunk index plus one fits an entry.
    const _: () = assert!(super::ADDRESS_BITS - super::CHUNK_SHIFT < 32);

    static TABLE: [AtomicU32; LEN] = [const { AtomicU32::new(0) }; LEN];

    #[inline(always)]
    pub fn contains(chunk: usize) -> bool {
        // A reader that sees an entry before it is set answers no: the
        // general path asks the full map.
        TABLE[chunk % LEN].load(Ordering::Acquire) as usize == chunk.wrapping_add(1)
    }

    /// Enters chunk index `chunk` (if its entry is free) or takes it out.
    /// Called under the pool's lock, after the full map's bit is set and
    /// before it is cleared.
    pub fn mark(chunk: usize, present: bool) {
        let entry = &TABLE[chunk % LEN];
        let tag = (chunk + 1) as u32;
        // A collision leaves the entry to the chunk that holds it.
        let _ = if present {
            entry.compare_exchange(0, tag, Ordering::Release, Ordering::Relaxed)
        } else {
            entry.compare_exchange(tag, 0, Ordering::Release, Ordering::Relaxed)
        };
    }
}

/// Sets or clears the map bit of `chunk`; false when the map cannot cover
/// it (an address beyond its bits, or no memory for a leaf). The quick
/// table follows.
fn mark(chunk: usize, present: bool) -> bool {
    let index = chunk >> CHUNK_SHIFT;
    if !present {
        quick::mark(index, false);
    }
    if index >> LEAF_SHIFT >= ROOT_LEN {
        return false;
    }
    let Some(root) = root::get_or_map() else {
        return false;
    };
    // SAFETY: the root has ROOT_LEN entries and lives forever.
    let slot = unsafe { &*root.add(index >> LEAF_SHIFT) };
    let Ok(leaf) = level(slot, LEAF_BYTES, true) else {
        return false;
    };
    let bit = index & ((1 << LEAF_SHIFT) - 1);
    // SAFETY: a leaf has 2^LEAF_SHIFT bits and lives forever.
    let word = unsafe { &*leaf.add(bit / 64) };
    if present {
        word.fetch_or(1 << (bit % 64), Ordering::Release);
        quick::mark(index, true);
    } else {
        word.fetch_and(!(1 << (bit % 64)), Ordering::Release);
    }
    true
}

/// Where a slab is, for the pool.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Place {
    /// Never used since its chunk was mapped: read from a record's zeroed
    /// memory, never written.
    #[allow(dead_code)]
    Fresh = 0,
    /// A heap holds it.
    Out,
    /// In the pool, its pages resident.
    Warm,
    /// In the pool, its pages given back.
    Cold,
}

struct Pool {
    /// Warm slabs, the most recently given first, and how many.
    warm: SlabList,
    warm_count: usize,
    /// Cold slabs.
    cold: SlabList,
    /// Every chunk.
    chunks: *mut ChunkRecord,
    chunk_count: usize,
    /// The fresh slabs of the newest chunk: `[next, end)`.
    next: usize,
    end: usize,
    /// Slabs heaps hold.
    out: usize,
}

// SAFETY: the raw pointers are memory the pool owns; the mutex serialises
// every access.
unsafe impl Send for Pool {}

static POOL: Mutex<Pool> = Mutex::new(Pool::EMPTY);

/// The pool, or None in a signal handler that interrupted this thread
/// while it held the pool: the handler's request fails instead of waiting
/// forever.
fn pool() -> Option<Guard<'static, Pool>> {
    POOL.lock_unless_reentered().ok()
}

/// An empty slab for a heap (its record is the caller's to set up), or
/// None when the kernel has no memory.
pub fn take() -> Option<*mut Slab> {
    let mut expired = [null_mut(); BATCH];
    let mut p = pool()?;
    let n = p.pop_expired(os::ticks(), &mut expired);
    let fullest = if cfg!(feature = "freestanding") {
        p.take_from_fullest_chunk()
    } else {
        None
    };
    let s = if let Some(s) = fullest {
        s
    } else if let Some(s) = p.warm.pop_front() {
        p.warm_count -= 1;
        s
    } else if let Some(s) = p.cold.pop_front() {
        s
    } else {
        if p.next == p.end {
            let Some(c) = p.new_chunk() else {
                drop(p);
                release(expired.get(..n).unwrap_or(&[]));
                return None;
            };
            p.next = c + SLAB;
            p.end = c + CHUNK;
        }
        let s = record_of(p.next);
        p.next += SLAB;
        s
    };
    // SAFETY: the slab is the pool's until handed out here.
    unsafe { p.pin(s) };
    p.out += 1;
    drop(p);
    release(expired.get(..n).unwrap_or(&[]));
    Some(s)
}

/// Takes back an empty slab; false (the caller keeps it) in a signal
/// handler that interrupted this thread inside the pool.
///
/// # Safety
/// `s` is a slab a heap held, in no list, none of its slots in use or
/// reachable by any thread, its owner already [`IN_POOL`](super::slab::IN_POOL)
/// (`upkeep::retire` sets it first, as part of its handshake with other
/// threads' frees).
pub unsafe fn give(s: *mut Slab) -> bool {
    let now = os::ticks();
    let mut expired = [null_mut(); BATCH];
    let Some(mut p) = pool() else {
        return false;
    };
    // SAFETY: the slab is the pool's now.
    unsafe {
        (*s).freed_at = now;
        (*s).place = Place::Warm;
        (*chunk_record(s as usize & !(CHUNK - 1))).out -= 1;
        p.warm.push_front(s);
    }
    p.out -= 1;
    p.warm_count += 1;
    if cfg!(feature = "freestanding") {
        // The chunk goes as soon as no heap uses it (see RESERVE).
        p.unmap_if_idle(s as usize & !(CHUNK - 1));
    }
    let n = p.pop_expired(now, &mut expired);
    drop(p);
    release(expired.get(..n).unwrap_or(&[]));
    true
}

impl Pool {
    const EMPTY: Pool = Pool {
        warm: SlabList::EMPTY,
        warm_count: 0,
        cold: SlabList::EMPTY,
        chunks: null_mut(),
        chunk_count: 0,
        next: 0,
        end: 0,
        out: 0,
    };

    /// Maps a chunk, guards its records and enters it in the map and list.
    fn new_chunk(&mut self) -> Option<usize> {
        let c = os::map_aligned(CHUNK, CHUNK)?;
        if !mark(c, true) {
            // SAFETY: our new chunk, never handed out.
            unsafe { os::unmap(c, CHUNK) };
            return None;
        }
        // SAFETY: the guard pages hold nothing; the chunk record is ours.
        unsafe {
            os::guard_pages(c, PAGE_SIZE);
            os::guard_pages(c + RECORDS_END, SLAB - RECORDS_END);
            let r = chunk_record(c);
            (*r).next = self.chunks;
            (*r).prev = null_mut();
            if !self.chunks.is_null() {
                (*self.chunks).prev = r;
            }
            self.chunks = r;
        }
        self.chunk_count += 1;
        Some(c)
    }

    /// Takes off the warm list (oldest first) the slabs beyond the reserve
    /// and those that waited longer than their age, at most `BATCH`, for
    /// [`release`]; until it has given their pages back they pin their
    /// chunk as if a heap held them.
    fn pop_expired(&mut self, now: u64, out: &mut [*mut Slab; BATCH]) -> usize {
        let mut n = 0;
        while n < BATCH && !self.warm.tail.is_null() {
            let t = self.warm.tail;
            // SAFETY: slabs on the warm list are the pool's.
            unsafe {
                if self.warm_count <= RESERVE && now.wrapping_sub((*t).freed_at) <= os::AGE {
                    break;
                }
                self.warm.unlink(t);
                self.pin(t);
            }
            self.warm_count -= 1;
            out[n % BATCH] = t;
            n += 1;
        }
        n
    }

    /// Marks a slab taken off the pool's lists as out, pinning its chunk.
    ///
    /// # Safety
    /// `s` is a slab of the pool's, in no list.
    unsafe fn pin(&mut self, s: *mut Slab) {
        // SAFETY: the caller's contract.
        unsafe {
            (*s).place = Place::Out;
            (*chunk_record(s as usize & !(CHUNK - 1))).out += 1;
        }
    }

    /// A slab of the pool's from the chunk whose slabs heaps hold the most
    /// of, taken off its list: a freestanding program's chunks then drain
    /// one by one and go back whole (see RESERVE). A walk over every chunk,
    /// affordable for the few a freestanding program has.
    fn take_from_fullest_chunk(&mut self) -> Option<*mut Slab> {
        let mut best: Option<(usize, usize)> = None;
        let mut r = self.chunks;
        while !r.is_null() {
            // SAFETY: chunk records on the list are the pool's.
            let (next, out) = unsafe { ((*r).next, (*r).out) };
            if out < SLABS_PER_CHUNK - 1 && best.is_none_or(|(_, o)| out > o) {
                best = Some((r as usize & !(CHUNK - 1), out));
            }
            r = next;
        }
        let c = best?.0;
        for i in 1..SLABS_PER_CHUNK {
            let s = record_of(c + i * SLAB);
            // SAFETY: records of the pool's chunks; `place` is the pool's.
            unsafe {
                match (*s).place {
                    Place::Out => continue,
                    Place::Warm => {
                        self.warm.unlink(s);
                        self.warm_count -= 1;
                    }
                    Place::Cold => self.cold.unlink(s),
                    Place::Fresh => {
                        // A fresh slab of the newest chunk is no longer
                        // where the bump starts: it stays fresh below.
                        if self.next == c + i * SLAB {
                            self.next += SLAB;
                        }
                    }
                }
            }
            return Some(s);
        }
        None
    }

    /// Unmaps the chunks none of whose slabs a heap holds; true if any.
    fn unmap_idle_chunks(&mut self) -> bool {
        let mut any = false;
        let mut r = self.chunks;
        while !r.is_null() {
            // SAFETY: chunk records on the list are the pool's.
            let next = unsafe { (*r).next };
            any |= self.unmap_if_idle(r as usize & !(CHUNK - 1));
            r = next;
        }
        any
    }

    /// Unmaps chunk `c` if none of its slabs is held by a heap (or pinned);
    /// true if it went.
    fn unmap_if_idle(&mut self, c: usize) -> bool {
        let r = chunk_record(c);
        // SAFETY: `c` is one of the pool's chunks; when idle, its slabs are
        // on the pool's lists (taken off here) or fresh.
        unsafe {
            if (*r).out != 0 {
                return false;
            }
            for i in 1..SLABS_PER_CHUNK {
                let s = record_of(c + i * SLAB);
                match (*s).place {
                    Place::Warm => {
                        self.warm.unlink(s);
                        self.warm_count -= 1;
                    }
                    Place::Cold => self.cold.unlink(s),
                    Place::Fresh | Place::Out => {}
                }
            }
            let next = (*r).next;
            if (*r).prev.is_null() {
                self.chunks = next;
            } else {
                (*(*r).prev).next = next;
            }
            if !next.is_null() {
                (*next).prev = (*r).prev;
            }
            if self.next > c && self.next <= c + CHUNK {
                self.next = 0;
                self.end = 0;
            }
            mark(c, false);
            os::unmap(c, CHUNK);
        }
        self.chunk_count -= 1;
        true
    }
}

/// Gives the pages of slabs taken off the warm list back, outside the
/// pool's lock, then puts them on the cold list.
fn release(slabs: &[*mut Slab]) {
    if slabs.is_empty() {
        return;
    }
    for &s in slabs {
        // SAFETY: the slabs are the pool's, pinned (their chunk stays
        // mapped) and hold nothing live.
        unsafe { os::release_pages(slab_start(s), SLAB) };
    }
    // The pool cannot be held by this thread here (release runs after its
    // guard is dropped), so this waits at most for another thread.
    let mut p = POOL.lock();
    for &s in slabs {
        // SAFETY: pinned slabs of the pool's, in no list.
        unsafe {
            (*s).place = Place::Cold;
            (*chunk_record(s as usize & !(CHUNK - 1))).out -= 1;
            p.cold.push_front(s);
        }
    }
}

/// Gives the pages of every warm slab back and unmaps the chunks no heap
/// uses; true if memory went back.
pub fn trim() -> bool {
    let mut any = false;
    loop {
        let mut batch = [null_mut(); BATCH];
        let mut n = 0;
        {
            let Some(mut p) = pool() else {
                return any;
            };
            while n < BATCH {
                let Some(s) = p.warm.pop_front() else { break };
                p.warm_count -= 1;
                // SAFETY: a slab of the pool's, now in no list.
                unsafe { p.pin(s) };
                batch[n] = s;
                n += 1;
            }
            if n == 0 {
                return p.unmap_idle_chunks() || any;
            }
        }
        any = true;
        release(batch.get(..n).unwrap_or(&[]));
    }
}

/// Bytes mapped for slabs, and bytes of the slabs heaps hold.
pub fn usage() -> (usize, usize) {
    pool().map_or((0, 0), |p| (p.chunk_count * CHUNK, p.out * SLAB))
}

/// Calls `f` with the record of every slab a heap holds (read without
/// stopping their owners: for statistics only).
pub fn for_each_held(mut f: impl FnMut(*const Slab)) {
    let Some(p) = pool() else { return };
    let mut r = p.chunks;
    while !r.is_null() {
        let c = r as usize & !(CHUNK - 1);
        for i in 1..SLABS_PER_CHUNK {
            let s = record_of(c + i * SLAB);
            // SAFETY: records of mapped chunks are readable; `place` is
            // written under the pool's lock, which we hold.
            if unsafe { (*s).place } == Place::Out {
                f(s);
            }
        }
        // SAFETY: chunk records on the list are the pool's.
        r = unsafe { (*r).next };
    }
}

/// In a fork child: a pool another thread was changing at the fork starts
/// afresh (its slabs and chunks are lost to the child, never handed out
/// twice).
#[cfg(not(feature = "freestanding"))]
pub fn recover_in_fork_child() {
    POOL.recover_in_fork_child(|p| *p = Pool::EMPTY);
}
