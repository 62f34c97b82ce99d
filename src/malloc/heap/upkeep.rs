//! What keeps a heap's memory following its use: collecting the slots
//! other threads freed, setting full slabs aside and taking them back,
//! retiring empty slabs to the pool, and tidying a whole heap at a trim or
//! when its thread exits.

use super::class::{table_index, CLASSES};
use super::slab::{Freed, Slab, IN_POOL};
use super::{chunk, large, thread, Busy, Heap};
use crate::malloc::header::report;
use crate::malloc::header::Misuse;
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

/// Reports a double free found in slab `s` (a slot freed by another thread
/// that was already free) and aborts.
#[cold]
pub fn double_free_in(s: *const Slab) -> ! {
    // SAFETY: the record of a slab a heap holds.
    report("free", Misuse::DoubleFree, unsafe { (*s).base })
}

/// Takes the slabs other threads freed slots in off `h`'s pending stack and
/// makes those slots free; true if there were any.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
pub unsafe fn collect_pending(h: *mut Heap) -> bool {
    // SAFETY: the caller's contract.
    unsafe { collect_pending_then(h, slot_freed) }
}

/// [`collect_pending`], with `settle` called on each slab collected.
///
/// # Safety
/// As for [`collect_pending`].
unsafe fn collect_pending_then(h: *mut Heap, settle: unsafe fn(*mut Heap, *mut Slab)) -> bool {
    // SAFETY: owner-only state of our heap; the stack and the flags are
    // shared atomically; a slab on our stack is ours (it cannot be retired
    // while a slot freed into it is uncollected).
    unsafe {
        // A load first: most calls find the stack empty, and a swap would
        // take its line from the threads that push.
        if (*h).pending.0.load(Ordering::Relaxed).is_null() {
            return false;
        }
        let mut s = (*h).pending.0.swap(null_mut(), Ordering::Acquire);
        let any = !s.is_null();
        while !s.is_null() {
            let next = (*s).announce.next_pending;
            // Cleared first: a free after this announces the slab again.
            (*s).announce.pending.store(false, Ordering::SeqCst);
            if !(*s).collect_remote() {
                double_free_in(s);
            }
            settle(h, s);
            s = next;
        }
        any
    }
}

/// After a slot of `s` was freed: a full slab rejoins its bin, an empty one
/// is retired (unless it is its bin's only slab: a program that frees its
/// last block of a size and allocates another would otherwise cycle a slab
/// through the pool each time).
///
/// # Safety
/// `h` is the calling thread's heap, entered, and owns `s`.
#[cold]
#[inline(never)]
pub unsafe fn slot_freed(h: *mut Heap, s: *mut Slab) {
    // SAFETY: the caller's contract.
    unsafe { rejoin_or_retire(h, s, true) }
}

/// [`slot_freed`] in a heap whose thread exited: it allocates no more, so
/// it keeps no empty slab, not even its bin's only one.
///
/// # Safety
/// As for [`slot_freed`], `h` held (`thread::hold_orphan`) and entered.
unsafe fn orphan_slot_freed(h: *mut Heap, s: *mut Slab) {
    // SAFETY: the caller's contract.
    unsafe { rejoin_or_retire(h, s, false) }
}

/// A full slab that has a free slot again rejoins its bin; an empty one is
/// retired, unless `keep_last` and it is its bin's only slab.
///
/// # Safety
/// As for [`slot_freed`].
unsafe fn rejoin_or_retire(h: *mut Heap, s: *mut Slab, keep_last: bool) {
    // SAFETY: owner-only state.
    unsafe {
        let bin = &mut (*h).bins[table_index((*s).class())];
        if (*s).own.is_full() {
            if (*s).own.used() == (*s).count {
                return;
            }
            (*s).own.set_full(false);
            (*h).full.unlink(s);
            bin.push_back(s);
        }
        if (*s).own.used() == 0 && (!keep_last || bin.head != s || bin.tail != s) {
            retire(h, s);
        }
    }
}

/// Frees slot `index` (at `addr`) of slab `s` of heap `h`, whose thread
/// exited, as its owner would, so that its slabs go back to the pool as
/// they empty instead of waiting for a new thread to adopt the heap; also
/// collects what other threads freed into it meanwhile. False, doing
/// nothing, if the heap is entered already (a signal handler interrupted
/// this thread inside it).
///
/// # Safety
/// `h` is held (`thread::hold_orphan`) and owns `s`; `index` is below
/// `s`'s slot count.
#[cold]
pub(super) unsafe fn free_in_orphan(
    h: *mut Heap,
    s: *mut Slab,
    index: usize,
    addr: usize,
    function: &str,
) -> bool {
    // SAFETY: the caller's contract: held, the heap's owner-only state is
    // ours while entered.
    unsafe {
        let Some(busy) = Busy::enter(h) else {
            return false;
        };
        if (*s).free_local(index) != Freed::Done {
            drop(busy);
            report(function, Misuse::DoubleFree, addr);
        }
        orphan_slot_freed(h, s);
        collect_pending_then(h, orphan_slot_freed);
        drop(busy);
    }
    true
}

/// [`slot_freed`], then leaves the heap; true (for `free_fast`: done).
///
/// # Safety
/// As for [`slot_freed`]; `busy` is the claim on `h`.
#[cold]
#[inline(never)]
pub(super) unsafe fn slot_freed_then_leave(h: *mut Heap, s: *mut Slab, busy: Busy) -> bool {
    // SAFETY: the caller's contract.
    unsafe { slot_freed(h, s) };
    drop(busy);
    true
}

/// Sets a slab with no free slot aside from its bin.
///
/// # Safety
/// `h` is the calling thread's heap, entered; `s` is in its bin.
pub unsafe fn set_full(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only state.
    unsafe {
        let class = table_index((*s).class());
        (*h).bins[class].unlink(s);
        (*s).own.set_full(true);
        (*h).full.push_front(s);
        if (*h).current[class] == s {
            (*h).current[class] = null_mut();
        }
    }
}

/// Gives an empty slab of a bin of `h` back to the pool (kept when the pool
/// cannot be had: a signal handler interrupted this thread inside it);
/// true if it went.
///
/// # Safety
/// `h` is the calling thread's heap, entered; `s` is in one of its bins and
/// none of its slots is in use.
unsafe fn retire(h: *mut Heap, s: *mut Slab) -> bool {
    // SAFETY: owner-only state; the slab is ours until given.
    unsafe {
        // A slab on our pending stack stays until the stack is collected:
        // given away now, it would be collected later as ours while another
        // heap uses it. (Its slots were collected already, or it would not
        // be empty: it is retired then.)
        if (*s).announce.pending.load(Ordering::Acquire) {
            return false;
        }
        // No slot is live (a live slot counts as used until its remote bit
        // is collected): a free racing this retirement is of a slot that
        // is free already. Here the owner goes, `retired` changes, then
        // the announcement and the remote bits are read; another thread's
        // free (`free::free_remote`) reads `retired` and the owner, reads
        // `retired` again once it has announced the slab, and the owner
        // again once it has set its bit. Each pair is ordered against the
        // other, so that free is seen here, or sees the slab going, or its
        // bit lands in the pool and the slab's next `Slab::init` finds it:
        // no bit of this life is left for the next (where it could free a
        // live slot of another heap). Only a free that stalls between its
        // checks and its bit while the slab goes to the pool and out again
        // sets its bit in the next life, like a double free after the slot
        // was handed out again.
        (*s).heap.store(IN_POOL, Ordering::SeqCst);
        (*s).retired.fetch_add(1, Ordering::SeqCst);
        if (*s).announce.pending.load(Ordering::SeqCst) || (*s).has_remote_frees() {
            double_free_in(s);
        }
        let class = table_index((*s).class());
        let bin = &mut (*h).bins[class];
        bin.unlink(s);
        if !chunk::give(s) {
            // Kept: still ours (a free racing this is reported either way).
            (*s).heap.store(h, Ordering::Release);
            bin.push_back(s);
            return false;
        }
        if (*h).current[class] == s {
            (*h).current[class] = null_mut();
        }
    }
    true
}

/// Collects what other threads freed into heap `h`, and retires every
/// empty slab it holds (at a trim, or when its thread exits); true if a
/// slab went. False, doing nothing, when this thread is already inside the
/// heap (a signal handler).
///
/// # Safety
/// `h` is the calling thread's heap (or the locked shared one), or a heap
/// whose thread exited, held (`thread::hold_orphan`).
pub unsafe fn tidy(h: *mut Heap) -> bool {
    let mut any = false;
    // SAFETY: the caller's contract; entered, the heap's state is ours.
    unsafe {
        let Some(_busy) = Busy::enter(h) else {
            return false;
        };
        collect_pending(h);
        // Full slabs may hold frees whose announcement is still on its way.
        let mut s = (*h).full.head;
        while !s.is_null() {
            let next = (*s).next;
            if !(*s).collect_remote() {
                double_free_in(s);
            }
            slot_freed(h, s);
            s = next;
        }
        for class in 0..CLASSES {
            let mut s = (*h).bins[table_index(class)].head;
            while !s.is_null() {
                let next = (*s).next;
                if !(*s).collect_remote() {
                    double_free_in(s);
                }
                if (*s).own.used() == 0 {
                    any |= retire(h, s);
                }
                s = next;
            }
        }
    }
    any
}

/// Gives every free page it can back to the kernel: this thread's empty
/// slabs, the pool's, the chunks no heap uses, the cached large mappings;
/// true if any went.
pub fn trim() -> bool {
    // SAFETY: our own heap.
    let own = thread::heap_if_any().is_some_and(|(h, _guard)| unsafe { tidy(h) });
    // SAFETY: each held for the call.
    let orphans = thread::for_each_orphan(|h| unsafe { tidy(h) });
    let slabs = chunk::trim();
    large::trim() || slabs || own || orphans
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

/// Current figures; under concurrency approximate.
pub fn usage() -> Usage {
    let (slab_mapped, slab_held) = chunk::usage();
    let mut small_in_use = 0usize;
    chunk::for_each_held(|s| {
        // SAFETY: records of held slabs are readable; their owners change
        // `used` meanwhile (a statistic, approximate).
        let (used, size) = unsafe {
            (
                core::ptr::addr_of!((*s).own).read_volatile().used(),
                core::ptr::addr_of!((*s).size).read_volatile(),
            )
        };
        small_in_use = small_in_use.wrapping_add(used as usize * size as usize);
    });
    Usage {
        slab_mapped,
        slab_held,
        small_in_use,
        large_count: large::LIVE_COUNT.load(Ordering::Relaxed),
        large_bytes: large::LIVE_BYTES.load(Ordering::Relaxed),
        large_cached: large::cached(),
    }
}
