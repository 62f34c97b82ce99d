//! free: from a pointer to its slot, on the owner's thread or another's.

use super::chunk::{self, CHUNK, SLAB};
use super::class::table_index;
use super::slab::{Freed, Slab, IN_POOL};
use super::{thread, upkeep, Busy, Heap};
use crate::malloc::header::report;
use crate::malloc::header::{Block, Misuse, IN_USE};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The record of the slab holding `addr`, if `addr` lies in a slab (not in
/// a chunk's records, not outside every chunk).
#[inline(always)]
fn slab_record(addr: usize) -> Option<*mut Slab> {
    let in_chunk = chunk::in_quick_chunk(addr) || chunk::in_chunk(addr);
    (in_chunk && addr & (CHUNK - 1) >= SLAB).then(|| chunk::record_of(addr))
}

/// [`slab_record`] for free's quick path: None also for a slab in a chunk
/// the quick table does not hold (`chunk::in_quick_chunk`), which the
/// general path frees; for an address in a chunk's records, the chunk's
/// own record, which no slot check passes.
#[inline(always)]
fn quick_slab_record(addr: usize) -> Option<*mut Slab> {
    chunk::in_quick_chunk(addr).then(|| chunk::record_of(addr))
}

/// The slab and index of the live slot starting at `addr`; None if `addr`
/// is outside every slab, misuse if inside one but not a slot.
#[inline(always)]
fn slot_at(addr: usize) -> Result<Option<(*mut Slab, usize)>, Misuse> {
    match slab_record(addr) {
        None => Ok(None),
        // SAFETY: the chunk map vouches for the record.
        Some(s) => unsafe { slot_in(s, addr) }.map(Some),
    }
}

/// The index of the slot starting at `addr` in slab `s`.
///
/// # Safety
/// `s` is the record of the slab holding `addr` (`slab_record`).
#[inline(always)]
unsafe fn slot_in(s: *mut Slab, addr: usize) -> Result<(*mut Slab, usize), Misuse> {
    // SAFETY: the caller's contract. (A slab in the pool keeps its last
    // geometry, or none: its bits say no slot is taken.)
    let index = unsafe { (*s).slot_index(addr) }.ok_or(Misuse::Invalid)?;
    Ok((s, index))
}

/// The live small block at `addr`: Ok(None) if `addr` is in no slab (a
/// large block, or not minic's), misuse if it is in one but not the start
/// of a live slot.
#[inline]
pub fn live_slot(addr: usize) -> Result<Option<Block>, Misuse> {
    let Some((s, index)) = slot_at(addr)? else {
        return Ok(None);
    };
    // SAFETY: as above.
    let slab = unsafe { &*s };
    let word = slab.word(index / 64);
    let bit = 1u64 << (index % 64);
    if word.taken.load(Ordering::Relaxed) & bit == 0
        || word.freed_remotely.load(Ordering::Relaxed) & bit != 0
    {
        return Err(Misuse::DoubleFree);
    }
    Ok(Some(Block {
        payload: addr,
        capacity: slab.size as usize,
        pad: 0,
        state: IN_USE,
    }))
}

/// Frees `addr` if it lies in a slab (reporting misuse there); false if it
/// does not, for the general path.
///
/// # Safety
/// The caller's `free` contract.
#[inline(always)]
pub unsafe fn free_fast(addr: usize) -> bool {
    let Some(s) = quick_slab_record(addr) else {
        return false;
    };
    // SAFETY: the caller's contract; the quick table vouches for the record.
    unsafe { free_in(s, addr, "free") }
}

/// [`free_fast`]'s work out of line, for the general path (a pointer the
/// policy's `find` found in a slab).
///
/// # Safety
/// The caller's `free` contract.
#[inline(never)]
pub unsafe fn free_slot_general(addr: usize) {
    match slab_record(addr) {
        Some(s) => {
            // SAFETY: the caller's contract; the chunk map vouches for the record.
            unsafe { free_in(s, addr, "free") };
        }
        None => report("free", Misuse::Invalid, addr),
    }
}

/// Frees the small block at `addr` in slab `s`; misuse is reported for
/// `function` and aborts. True (for `free_fast`: done).
///
/// # Safety
/// The caller's `free` contract; `s` is the record of the slab holding
/// `addr` (`slab_record`).
#[inline(always)]
unsafe fn free_in(s: *mut Slab, addr: usize, function: &str) -> bool {
    // SAFETY: the caller's contract.
    let index = match unsafe { slot_in(s, addr) } {
        Ok((_, index)) => index,
        Err(misuse) => return misused(function, misuse, addr),
    };
    // SAFETY: a slab a heap holds; its owner-only state is changed only on
    // the owner's thread with the heap entered.
    unsafe {
        let owner = (*s).heap.load(Ordering::Relaxed);
        if let Some((h, _guard)) = thread::heap_if(owner) {
            if let Some(busy) = Busy::enter(h) {
                return free_owned(h, s, index, addr, function, busy);
            }
        }
        free_remote(s, index, addr, function)
    }
}

/// Frees slot `index` of slab `s` on its owner's thread, then leaves the
/// heap. True (for `free_fast`: done).
///
/// # Safety
/// `h` is the calling thread's heap, entered (`busy`), and owns `s`;
/// `index` is below its slot count.
#[inline(always)]
unsafe fn free_owned(
    h: *mut Heap,
    s: *mut Slab,
    index: usize,
    addr: usize,
    function: &str,
    busy: Busy,
) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        if (*s).free_local(index) != Freed::Done {
            // Nothing was changed.
            drop(busy);
            return misused(function, Misuse::DoubleFree, addr);
        }
        if (*s).own.needs_upkeep() {
            // Last, so that the quick path keeps no stack frame.
            return upkeep::slot_freed_then_leave(h, s, busy);
        }
        (*h).current[table_index((*s).class())] = s;
        drop(busy);
        true
    }
}

/// Reports misuse and aborts. As far as the compiler can tell it may
/// return (for an empty function name, which no caller passes; the name
/// goes through `black_box` so that the compiler cannot see that), and
/// then with the quick path's "done", so its callers reach it by a jump
/// and the quick path keeps no stack frame.
#[cold]
#[inline(never)]
fn misused(function: &str, misuse: Misuse, addr: usize) -> bool {
    if !core::hint::black_box(function).is_empty() {
        report(function, misuse, addr)
    }
    true
}

/// Frees a slot of another thread's slab (or of our own, from a signal
/// handler that interrupted the allocator): the slab goes on its owner's
/// pending stack first if it is not there, then the slot's remote bit is
/// set. In this order, the owner cannot see the slab empty (and retire it)
/// before this thread is done with it: the slot counts as used until its
/// bit is collected. True (for `free_fast`: done).
///
/// # Safety
/// `s` is a slab a heap holds, `index` one of its slots.
#[cold]
unsafe fn free_remote(s: *mut Slab, index: usize, addr: usize, function: &str) -> bool {
    // SAFETY: the record is minic's; `pending`, `heap`, the owner's
    // pending stack and the remote bits are shared atomically.
    unsafe {
        let slab = &*s;
        // Which life of the slab this free is for, read before the owner
        // (`upkeep::retire` changes them in the other order): should the
        // slab go back to the pool before this free is done, the slot was
        // free already, and a second read tells (`upkeep::retire` says
        // how the two sides see each other).
        let life = slab.retired.load(Ordering::Acquire);
        let owner = slab.heap.load(Ordering::Acquire);
        if owner == IN_POOL || owner.is_null() {
            // A slab in the pool holds no live block (nor does a record
            // never set up, whose zero divisor no slot check passes: the
            // test keeps `owner` safe to read below all the same).
            report(function, Misuse::DoubleFree, addr);
        }
        let retired_since = || slab.retired.load(Ordering::SeqCst) != life;
        // A thread with no heap that takes over an exited thread's blocks
        // takes its heap too (`thread::adopt_orphan`), and frees as owner.
        if thread::adopt_orphan(owner) {
            // Ours now, the heap retires no slab but by our hand: one still
            // of this life holds the slot.
            if retired_since() {
                report(function, Misuse::DoubleFree, addr);
            }
            if let Some(busy) = Busy::enter(owner) {
                return free_owned(owner, s, index, addr, function, busy);
            }
            // A heap with no owner was entered by no one; were it entered,
            // the path of another thread's free below serves any heap.
        }
        if let Some(_hold) = thread::hold_orphan(owner) {
            // Held, the heap retires no slab: one still of this life is
            // the heap's to free into.
            if retired_since() {
                report(function, Misuse::DoubleFree, addr);
            }
            if upkeep::free_in_orphan(owner, s, index, addr, function) {
                return true;
            }
        }
        // Whether the slot is taken is the owner's to check when it
        // collects the bit (reading the owner's word here would pull its
        // line away from it): until then no malloc hands the slot out.
        if !slab.announce.pending.load(Ordering::Relaxed)
            && !slab.announce.pending.swap(true, Ordering::SeqCst)
        {
            // Never a slab that went meanwhile on the stack of a heap
            // that no longer holds it.
            if retired_since() {
                report(function, Misuse::DoubleFree, addr);
            }
            push_pending(&(*owner).pending.0, s);
        }
        if slab.free_remote(index) != Freed::Done {
            report(function, Misuse::DoubleFree, addr);
        }
        // The slab went back to the pool before the bit was set (after
        // the checks above): the slot was free, and the bit, set in the
        // pool, says so. (A bit this thread set while the slab was still
        // the heap's, then collected, is clear; one set in the pool but
        // found here cleared was found by the next `Slab::init`.)
        if slab.heap.load(Ordering::SeqCst) == IN_POOL && slab.freed_remotely_at(index) {
            report(function, Misuse::DoubleFree, addr);
        }
        true
    }
}

/// Pushes slab `s` on a heap's pending stack.
///
/// # Safety
/// `s` is on no pending stack (its `pending` flag was just set by us).
unsafe fn push_pending(stack: &AtomicPtr<Slab>, s: *mut Slab) {
    let mut head = stack.load(Ordering::Relaxed);
    loop {
        // SAFETY: the link is ours to write until the slab is pushed.
        unsafe { (*s).announce.next_pending = head };
        match stack.compare_exchange_weak(head, s, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}
