//! minic's default allocator: thread heaps over slabs of size-classed slots.
//!
//! - Small blocks (slots up to 16 KiB, header included) come from 128 KiB
//!   slabs of one size class. Each thread has its own heap (a bin of slabs
//!   per class); malloc takes a slot from the first slab of the class's bin,
//!   free puts it back: O(1), no lock, no atomic instruction.
//! - A block freed by another thread than its heap's owner is pushed on the
//!   heap's lock-free `remote` stack (one compare-and-swap); the owner takes
//!   the whole stack when it runs out of slots.
//! - A slab whose slots are all free goes back to the shared pool, which
//!   returns its pages to the kernel beyond a small reserve (`slab.rs`).
//! - Large blocks have their own mapping (`large.rs`).
//! - Heaps of threads that exited are adopted by new threads, with what is
//!   in them (`thread.rs`); the freestanding library has one heap behind a
//!   lock.
//!
//! Every block carries the family's 16-byte header (`crate::malloc::header`):
//! a slot is `[pad][header][payload]`, the pad non-empty only for aligned
//! requests.

mod class;
mod large;
mod slab;
mod thread;

use super::header::{set_in_use, Block, HEADER, IN_USE, OWN_MAPPING};
use super::Policy;
use crate::errno::Errno;
use class::{class_of, ix, CLASSES, MAX_SLOT, MIN_SLOT, TABLE};
use core::ptr::null_mut;
use core::sync::atomic::{compiler_fence, AtomicPtr, AtomicU32, Ordering};
pub use slab::SLAB;
use slab::{slab_of, Slab, SLAB_HEADER};

/// The largest capacity served from slabs.
const MAX_SMALL: usize = MAX_SLOT - HEADER;

/// A free slot, linked through the word after its first 16 bytes.
pub struct Free {
    next: *mut Free,
}

/// The slabs of one class with free slots (the first is allocated from).
#[repr(C)]
#[derive(Clone, Copy)]
struct Bin {
    head: *mut Slab,
    tail: *mut Slab,
}

/// The head of a heap's stack of slots freed by other threads.
#[repr(C, align(64))]
pub struct Remote(AtomicPtr<Free>);

impl core::ops::Deref for Remote {
    type Target = AtomicPtr<Free>;
    fn deref(&self) -> &AtomicPtr<Free> {
        &self.0
    }
}

/// A thread's heap. Everything but `remote` and `owner` is touched by its
/// owner thread only. Cache-line aligned: two threads' heaps never share a
/// line.
#[repr(C, align(64))]
pub struct Heap {
    bins: [Bin; TABLE],
    /// Slots freed by other threads, for the owner to take; alone in its
    /// cache line, which other threads write.
    remote: Remote,
    /// The owner's thread id (for adoption once it exits).
    owner: AtomicU32,
    /// The next heap of the process (never changes once set).
    next: *mut Heap,
    /// Bytes of the slots taken from this heap and not yet back (mallinfo2).
    in_use: usize,
    /// Per class, the slots this thread freed last, most recent first: the
    /// next malloc of the class takes one while it is still in the cache.
    /// They still count as used in their slabs.
    recent: [*mut Free; TABLE],
    recent_count: [u32; TABLE],
    /// Set while the owner works on the heap: a signal handler that
    /// interrupted it finds the heap busy and leaves it alone.
    busy: bool,
}

/// The owner's claim on its heap for one operation (see `Heap::busy`).
struct Busy(*mut Heap);

impl Busy {
    /// None when this thread is already inside the heap (a signal handler
    /// interrupted it).
    ///
    /// # Safety
    /// `h` is the calling thread's heap.
    #[inline(always)]
    unsafe fn enter(h: *mut Heap) -> Option<Busy> {
        // SAFETY: owner-only field; a handler runs on the owner's thread.
        unsafe {
            if (*h).busy {
                return None;
            }
            (*h).busy = true;
        }
        compiler_fence(Ordering::SeqCst);
        Some(Busy(h))
    }
}

impl Drop for Busy {
    #[inline(always)]
    fn drop(&mut self) {
        compiler_fence(Ordering::SeqCst);
        // SAFETY: the heap entered in `enter`.
        unsafe { (*self.0).busy = false };
    }
}

/// Freed slots a heap keeps per class before it gives them back to their
/// slabs, all at once.
const RECENT: u32 = 64;

/// The policy of the default mode, for the family's shared layer.
pub struct Heaps;

impl Policy for Heaps {
    #[inline(always)]
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        // Worst-case room for the pad that aligning the payload needs.
        let extra = align - HEADER;
        if capacity <= MAX_SMALL - extra.min(MAX_SMALL) {
            let slot = (capacity + HEADER + extra).max(MIN_SLOT);
            let (h, _guard) = thread::heap().ok_or(Errno::ENOMEM)?;
            // SAFETY: our heap. A signal handler that interrupted this
            // thread's allocator gets NULL (ENOMEM), never a corrupt list.
            let _busy = unsafe { Busy::enter(h) }.ok_or(Errno::ENOMEM)?;
            // SAFETY: `h` is this thread's heap (or the locked shared one).
            let b =
                unsafe { alloc_small(h, class_of(slot), capacity, align) }.ok_or(Errno::ENOMEM)?;
            return Ok((b, false));
        }
        large::alloc(capacity, align).ok_or(Errno::ENOMEM)
    }

    #[inline(always)]
    unsafe fn free(block: Block) {
        // SAFETY: the caller's contract.
        unsafe { free_block(&block) }
    }

    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        if capacity <= block.capacity {
            return Some(block);
        }
        if block.state & OWN_MAPPING == 0 {
            // Growth within the slot: the header records the new capacity.
            // SAFETY: a live small block's slab header.
            let room = unsafe { (*slab_of(block.start())).size } - HEADER - block.pad;
            if capacity > room {
                return None;
            }
            let grown = Block { capacity, ..block };
            // SAFETY: the block's own header.
            unsafe { grown.write() };
            return Some(grown);
        }
        if block.state & OWN_MAPPING != 0 && align == HEADER && block.pad == large::LEAD {
            // SAFETY: a live large block of 16-byte alignment.
            return unsafe { large::resize(&block, capacity) };
        }
        None
    }
}

/// # Safety
/// `h` is the calling thread's heap.
#[inline(always)]
unsafe fn alloc_small(h: *mut Heap, class: usize, capacity: usize, align: usize) -> Option<Block> {
    // SAFETY: the owner alone touches the bins and their slabs' free lists.
    unsafe {
        if align == HEADER {
            let f = (*h).recent[ix(class)];
            if !f.is_null() {
                (*h).recent[ix(class)] = (*f).next;
                (*h).recent_count[ix(class)] -= 1;
                (*h).in_use += class::size_of(class);
                return Some(hand_out(
                    f as usize,
                    capacity,
                    class::size_of(class) - HEADER,
                ));
            }
        }
        let mut s = (*h).bins[ix(class)].head;
        let slot = loop {
            if !s.is_null() {
                let f = (*s).free;
                if !f.is_null() {
                    (*s).free = (*f).next;
                    (*s).used += 1;
                    (*h).in_use += (*s).size;
                    if align == HEADER {
                        return Some(hand_out(
                            f as usize,
                            capacity,
                            class::size_of(class) - HEADER,
                        ));
                    }
                    break f as usize - HEADER;
                }
                // Slots other threads gave back come before fresh ones.
                if !(*h).remote.load(Ordering::Relaxed).is_null() {
                    drain_remote(h);
                    s = (*h).bins[ix(class)].head;
                    continue;
                }
                if (*s).bump < (*s).end {
                    let slot = (*s).bump;
                    (*s).bump += (*s).size;
                    (*s).used += 1;
                    (*h).in_use += (*s).size;
                    break slot;
                }
            }
            s = refill(h, class)?;
        };
        // The class leaves room for the capacity past the aligned payload;
        // the block gets the whole rest of the slot, its slack cleared (see
        // hand_out).
        let payload = (slot + HEADER + align - 1) & !(align - 1);
        let full = slot + (*s).size - payload;
        if capacity < full {
            core::ptr::write_bytes((payload + capacity) as *mut u8, 0, full - capacity);
        }
        let b = Block {
            payload,
            capacity: full,
            pad: payload - HEADER - slot,
            state: IN_USE,
        };
        b.write();
        Some(b)
    }
}

/// A free slot's unaligned block for `capacity` bytes. A free slot keeps a
/// valid header of its own recording the slot's whole capacity (`full`):
/// malloc only marks it in use, no header is written anew. The bytes from
/// `capacity` to the slot's end are cleared instead: the shared layer clears
/// up to `capacity`, and recallocarray relies on all the slack past what was
/// asked for being zero (a gap of 0 bytes for slots up to 256 bytes, at
/// most an eighth of the slot above).
///
/// # Safety
/// `f` is the payload of a free slot of ours, taken off its list; `full` is
/// its slot's size less the header.
#[inline(always)]
unsafe fn hand_out(f: usize, capacity: usize, full: usize) -> Block {
    // SAFETY: the slot's header is valid and ours, and so is its payload.
    unsafe {
        set_in_use(f, true);
        if capacity < full {
            core::ptr::write_bytes((f + capacity) as *mut u8, 0, full - capacity);
        }
    }
    Block {
        payload: f,
        capacity: full,
        pad: 0,
        state: IN_USE,
    }
}

/// The first slab of `class` with a free slot, after taking the slots other
/// threads freed, retiring exhausted slabs, or adding a slab from the pool.
///
/// # Safety
/// `h` is the calling thread's heap.
#[cold]
#[inline(never)]
unsafe fn refill(h: *mut Heap, class: usize) -> Option<*mut Slab> {
    // SAFETY: owner-only state of our heap.
    unsafe {
        drain_remote(h);
        loop {
            let s = (*h).bins[ix(class)].head;
            if s.is_null() {
                break;
            }
            if !(*s).free.is_null() || (*s).bump < (*s).end {
                return Some(s);
            }
            unlink(h, s);
            (*s).full = true;
        }
        let s = slab::take()?;
        let size = class::size_of(class);
        let first = s as usize + SLAB_HEADER;
        (*s).free = null_mut();
        (*s).bump = first;
        (*s).end = first + (SLAB - SLAB_HEADER) / size * size;
        (*s).used = 0;
        (*s).class = class as u16;
        (*s).full = false;
        (*s).size = size;
        (*s).heap = h;
        push_front(h, s);
        Some(s)
    }
}

/// Takes the slots other threads freed into this heap.
///
/// # Safety
/// `h` is the calling thread's heap.
#[cold]
#[inline(never)]
unsafe fn drain_remote(h: *mut Heap) {
    // SAFETY: `remote` is atomic; the slots on it are ours to release.
    unsafe {
        if (*h).remote.load(Ordering::Relaxed).is_null() {
            return;
        }
        let mut f = (*h).remote.swap(null_mut(), Ordering::Acquire);
        while !f.is_null() {
            let next = (*f).next;
            let s = slab_of(f as usize);
            (*h).in_use -= (*s).size;
            release_slot(h, s, f);
            f = next;
        }
    }
}

/// # Safety
/// `b` is a live block, no longer used.
#[inline(always)]
unsafe fn free_block(b: &Block) {
    if b.state & OWN_MAPPING != 0 {
        // SAFETY: the caller's contract.
        return unsafe { large::free(b) };
    }
    let slot = b.start();
    let s = slab_of(slot);
    let f = (slot + HEADER) as *mut Free;
    // SAFETY: the slot is ours until it is on a free list. Its header is
    // marked free first, so a second free is caught. A free slot always
    // has a valid unaligned header at its start (malloc then only marks it
    // in use): an aligned block gets one written, and its own header is
    // marked free too (or overwritten by the link: a second free is then
    // caught as an invalid pointer).
    unsafe {
        set_in_use(b.payload, false);
        if b.pad != 0 {
            Block {
                payload: slot + HEADER,
                capacity: (*s).size - HEADER,
                pad: 0,
                state: 0,
            }
            .write();
        }
        let owner = (*s).heap;
        let local = thread::heap_if(owner).and_then(|(h, g)| Some((h, g, Busy::enter(h)?)));
        if let Some((h, _guard, _busy)) = local {
            let class = (*s).class as usize;
            (*h).in_use -= class::size_of(class);
            if (*h).recent_count[ix(class)] == RECENT {
                // The list is full of slots malloc will take soon: this one
                // goes straight to its slab (while it is in the cache; a
                // flush would write into slots long gone cold).
                release_slot(h, s, f);
            } else {
                (*f).next = (*h).recent[ix(class)];
                (*h).recent[ix(class)] = f;
                (*h).recent_count[ix(class)] += 1;
            }
        } else {
            let remote = &(*owner).remote;
            let mut head = remote.load(Ordering::Relaxed);
            loop {
                (*f).next = head;
                match remote.compare_exchange_weak(head, f, Ordering::Release, Ordering::Relaxed) {
                    Ok(_) => break,
                    Err(now) => head = now,
                }
            }
        }
    }
}

/// Gives the slots of a class's recent list back to their slabs.
///
/// # Safety
/// `h` is the calling thread's heap.
unsafe fn flush_recent(h: *mut Heap, class: usize) {
    // SAFETY: owner-only state; the listed slots are free slots of our slabs.
    unsafe {
        let mut f = core::mem::replace(&mut (*h).recent[ix(class)], null_mut());
        (*h).recent_count[ix(class)] = 0;
        while !f.is_null() {
            let next = (*f).next;
            release_slot(h, slab_of(f as usize), f);
            f = next;
        }
    }
}

/// Puts a slot back on its slab's free list; a slab that was full rejoins
/// its bin, a slab left empty goes back to the pool.
///
/// # Safety
/// `h` is the calling thread's heap and owns `s`; `f` is a slot of `s`.
#[inline]
unsafe fn release_slot(h: *mut Heap, s: *mut Slab, f: *mut Free) {
    // SAFETY: owner-only state.
    unsafe {
        (*f).next = (*s).free;
        (*s).free = f;
        (*s).used -= 1;
        if (*s).full {
            (*s).full = false;
            push_front(h, s);
        }
        if (*s).used == 0 {
            let bin = &(*h).bins[ix((*s).class as usize)];
            // The bin's last slab stays: a program that frees its last block
            // of a size and allocates another would otherwise cycle a slab
            // through the pool each time.
            if bin.head != s || bin.tail != s {
                unlink(h, s);
                slab::give(s);
            }
        }
    }
}

/// # Safety
/// `s` is in one of `h`'s bins.
unsafe fn unlink(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only list of our heap.
    unsafe {
        let bin = &mut (*h).bins[ix((*s).class as usize)];
        if (*s).prev.is_null() {
            bin.head = (*s).next;
        } else {
            (*(*s).prev).next = (*s).next;
        }
        if (*s).next.is_null() {
            bin.tail = (*s).prev;
        } else {
            (*(*s).next).prev = (*s).prev;
        }
    }
}

/// # Safety
/// `s` is in no list; `h` is the calling thread's heap.
unsafe fn push_front(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only list of our heap.
    unsafe {
        let bin = &mut (*h).bins[ix((*s).class as usize)];
        (*s).prev = null_mut();
        (*s).next = bin.head;
        if bin.head.is_null() {
            bin.tail = s;
        } else {
            (*bin.head).prev = s;
        }
        bin.head = s;
    }
}

/// Gives every free page it can back to the kernel; true if any went.
pub fn trim() -> bool {
    if let Some((h, _guard, _busy)) =
        // SAFETY: our own heap.
        thread::heap().and_then(|(h, g)| Some((h, g, unsafe { Busy::enter(h) }?)))
    {
        // SAFETY: our own heap, entered.
        unsafe {
            drain_remote(h);
            for class in 0..CLASSES {
                flush_recent(h, class);
            }
        }
    }
    let slabs = slab::trim();
    large::trim() || slabs
}

/// The allocator's figures, in bytes.
pub struct Usage {
    /// Mapped for slabs.
    pub slab_mapped: usize,
    /// In slabs held by heaps.
    pub slab_held: usize,
    /// In small blocks in use (whole slots).
    pub small_in_use: usize,
    /// Live large blocks.
    pub large_count: usize,
    /// Their mappings.
    pub large_bytes: usize,
    /// Freed large mappings kept for reuse.
    pub large_cached: usize,
}

/// Current figures. Every heap's counter is read without stopping its
/// thread, so under concurrency they are approximate.
pub fn usage() -> Usage {
    let (slab_mapped, slab_held) = slab::usage();
    let mut small = 0usize;
    thread::for_each_heap(|h| {
        // SAFETY: a racy read of a counter, for statistics only.
        small = small.wrapping_add(unsafe { core::ptr::addr_of!((*h).in_use).read_volatile() });
    });
    Usage {
        slab_mapped,
        slab_held,
        small_in_use: small,
        large_count: large::LIVE_COUNT.load(Ordering::Relaxed),
        large_bytes: large::LIVE_BYTES.load(Ordering::Relaxed),
        large_cached: large::cached(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(b: &Block, v: u8) {
        // SAFETY: the block's payload is ours.
        unsafe { core::ptr::write_bytes(b.payload as *mut u8, v, b.capacity) };
    }

    fn holds(b: &Block, v: u8) -> bool {
        // SAFETY: as above.
        let s = unsafe { core::slice::from_raw_parts(b.payload as *const u8, b.capacity) };
        s.iter().all(|&x| x == v)
    }

    #[test]
    fn blocks_of_every_class_and_alignment_are_distinct_and_reused() {
        let mut live = std::vec::Vec::new();
        for (i, cap) in (16..=20000).step_by(48).enumerate() {
            let align = 16 << (i % 6);
            let (b, _) = Heaps::alloc(cap, align).unwrap();
            assert_eq!(b.payload % align, 0);
            assert!(b.capacity >= cap);
            fill(&b, i as u8);
            live.push((b, i as u8));
        }
        for (b, v) in &live {
            assert!(holds(b, *v));
            // SAFETY: the header was written by alloc.
            assert_eq!(unsafe { Block::read(b.payload) }, Ok(*b));
        }
        let first = live[0].0.payload;
        for (b, _) in live.drain(..) {
            // SAFETY: live blocks, freed once.
            unsafe { Heaps::free(b) };
        }
        // A freed slot is found again (last in, first out).
        let (b, _) = Heaps::alloc(16, 16).unwrap();
        assert_eq!(b.payload, first);
        // SAFETY: a live block.
        unsafe { Heaps::free(b) };
    }

    #[test]
    fn large_blocks_resize_and_keep_contents() {
        let (b, zero) = Heaps::alloc(100_000, 16).unwrap();
        assert!(b.state & OWN_MAPPING != 0);
        if zero {
            assert!(holds(&b, 0));
        }
        fill(&b, 7);
        // SAFETY: a live large block.
        let g = unsafe { Heaps::resize(b, 3_000_000, 16) }.unwrap();
        assert!(g.capacity >= 3_000_000);
        // SAFETY: the first 100,000 bytes were kept.
        let s = unsafe { core::slice::from_raw_parts(g.payload as *const u8, 100_000) };
        assert!(s.iter().all(|&x| x == 7));
        // SAFETY: a live block.
        unsafe { Heaps::free(g) };
    }
}
