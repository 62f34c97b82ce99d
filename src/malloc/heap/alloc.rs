//! malloc: the quick path, and the way to a new slot when the first slab of
//! a class has none.

use super::class::{self, table_index};
use super::slab::{Slab, Words};
use super::{chunk, large, thread, upkeep, Busy, Heap, MAX_SMALL};
use crate::errno::Errno;
use crate::malloc::header::{Block, IN_USE};
use core::ptr::NonNull;
use core::sync::atomic::{compiler_fence, Ordering};

/// A block of `size` bytes by the quick path: the slot at the cursor of
/// the class's current slab, with no lock and no atomic instruction, and no
/// write to the slot (a store to a line not yet in the cache costs more
/// than the rest of the path: its slack is left as it is). None
/// sends the request down the general path (a thread's first block, a
/// signal handler inside the allocator, a large or zero-size block).
#[inline(always)]
pub fn alloc_fast(size: usize) -> Option<NonNull<u8>> {
    // (`malloc(0)` takes the general path too: its block is no slot.)
    if size.wrapping_sub(1) >= MAX_SMALL {
        return None;
    }
    // A thread's first block takes the general path, which makes its heap.
    let (h, _guard) = thread::heap_if_any()?;
    let class = class::class_of(size);
    // SAFETY: `h` is this thread's heap (or the locked shared one), entered
    // below; the slot taken is ours.
    unsafe {
        if (*h).busy {
            return None;
        }
        (*h).busy = true;
        compiler_fence(Ordering::SeqCst);
        let c = table_index(class);
        let s = (*h).current[c];
        if !s.is_null() {
            if let Some(slot) = (*s).take_at_cursor() {
                compiler_fence(Ordering::SeqCst);
                (*h).busy = false;
                return Some(NonNull::new_unchecked(slot as *mut u8));
            }
        }
        alloc_slow(h, class)
    }
}

/// [`alloc_fast`] when the current slab's cursor word has no free slot.
///
/// # Safety
/// `h` is the calling thread's heap, entered; this leaves it.
#[cold]
#[inline(never)]
unsafe fn alloc_slow(h: *mut Heap, class: usize) -> Option<NonNull<u8>> {
    // SAFETY: the caller's contract.
    unsafe {
        let slot = take_slot(h, class);
        compiler_fence(Ordering::SeqCst);
        (*h).busy = false;
        Some(NonNull::new_unchecked(slot? as *mut u8))
    }
}

/// The general path of a small block: `capacity` bytes (a multiple of 16)
/// in a slot of `class`, made for the calling thread's heap.
pub fn alloc_slot(capacity: usize, class: usize) -> Result<Block, Errno> {
    let (h, _guard) = thread::heap().ok_or(Errno::ENOMEM)?;
    // SAFETY: our heap, entered (a signal handler that interrupted this
    // thread's allocator gets ENOMEM, never a half-updated bin); the slot
    // taken is ours.
    unsafe {
        let busy = Busy::enter(h).ok_or(Errno::ENOMEM)?;
        let slot = take_slot(h, class).ok_or(Errno::ENOMEM)?;
        drop(busy);
        let size = class::size_of(class);
        // What lies past the capacity in the slot is zero, like the slack
        // the shared layer clears below it.
        core::ptr::write_bytes((slot + capacity) as *mut u8, 0, size - capacity);
        Ok(Block {
            payload: slot,
            capacity: size,
            pad: 0,
            state: IN_USE,
        })
    }
}

/// A free slot of `class`: from the first slab of its bin, after moving
/// past full words, collecting other threads' frees, setting full slabs
/// aside, or taking a slab from the pool. A request never takes a slot of
/// another class: every request of a size gets the same usable size.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
#[cold]
#[inline(never)]
pub unsafe fn take_slot(h: *mut Heap, class: usize) -> Option<usize> {
    // SAFETY: owner-only state of our heap.
    unsafe {
        // The current slab first: its words used before, then the slots
        // other threads freed in it, then its words never used. Taking
        // those last keeps a slab whose blocks another thread frees from
        // growing to its end (every page resident) before they are reused.
        let current = (*h).current[table_index(class)];
        if !current.is_null() && !(*current).own.is_full() {
            if let Some(slot) = take_in(current, Words::Used) {
                return Some(slot);
            }
            if (*current).announce.pending.load(Ordering::Relaxed) && !(*current).collect_remote() {
                upkeep::double_free_in(current);
            }
            if let Some(slot) = take_in(current, Words::Any) {
                return Some(slot);
            }
        }
        let mut collected = false;
        loop {
            let s = (*h).bins[table_index(class)].head;
            (*h).current[table_index(class)] = s;
            if !s.is_null() {
                if let Some(slot) = take_in(s, Words::Any) {
                    return Some(slot);
                }
            }
            // Slots other threads gave back come before new slabs.
            if !collected {
                collected = true;
                if upkeep::collect_pending(h) {
                    continue;
                }
            }
            if s.is_null() {
                break;
            }
            // Its last frees by other threads may not be announced yet.
            if !(*s).collect_remote() {
                upkeep::double_free_in(s);
            }
            if (*s).advance_cursor(Words::Any) {
                continue;
            }
            upkeep::set_full(h, s);
            fullest_first(h, class);
        }
        // Out of address space or memory, cached large mappings go back
        // before the request fails.
        let s = chunk::take().or_else(|| large::trim().then(chunk::take)?)?;
        Slab::init(s, class, h);
        (*h).bins[table_index(class)].push_front(s);
        (*h).current[table_index(class)] = s;
        take_in(s, Words::Any)
    }
}

/// Puts first in the bin of `class` the fullest of its first slabs that
/// has a free slot, when its first slab has none left. Filling the
/// fullest slabs first lets the emptiest drain and go back to the pool:
/// taking from whichever slab came first left, under random frees, many
/// slabs a fifth full.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
unsafe fn fullest_first(h: *mut Heap, class: usize) {
    // SAFETY: owner-only state of our heap.
    unsafe {
        let bin = &mut (*h).bins[table_index(class)];
        let head = bin.head;
        let mut best: *mut Slab = core::ptr::null_mut();
        let mut s = head;
        for _ in 0..8 {
            if s.is_null() {
                break;
            }
            if (*s).own.used() < (*s).count
                && (best.is_null() || (*s).own.used() > (*best).own.used())
            {
                best = s;
            }
            s = (*s).next;
        }
        if !best.is_null() && best != head {
            bin.unlink(best);
            bin.push_front(best);
        }
    }
}

/// A free slot of slab `s` in `words`, searched from its cursor on.
///
/// # Safety
/// `s` is a slab of the calling thread's heap, entered.
unsafe fn take_in(s: *mut Slab, words: Words) -> Option<usize> {
    // SAFETY: the caller's contract.
    unsafe {
        if !(*s).advance_cursor(words) {
            return None;
        }
        match (*s).take_at_cursor() {
            Some(slot) => Some(slot),
            // A free slot whose remote bit is set: freed twice.
            None => upkeep::double_free_in(s),
        }
    }
}
