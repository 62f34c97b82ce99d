//! Slabs: `SLAB`-aligned pieces of a chunk, each holding the slots of one
//! size class for one heap. A slot is all payload; what the allocator knows
//! of it is in the slab's record, out of reach of the slots (`chunk.rs`):
//!
//! - `taken`: one bit per slot, set while the slot is allocated. Only the
//!   owning heap's thread changes it.
//! - `freed_remotely`: one bit per slot, set by another thread that freed
//!   the slot (one atomic OR, which also tells two racing frees apart); the
//!   owner later clears both bits ([`Slab::collect_remote`]).
//!
//! A slot's index comes from its offset in the slab by a multiplication
//! (`class::DIVISORS`), and a pointer is a block only if it is exactly a
//! slot's start, its `taken` bit set and its `freed_remotely` bit clear.
//! Nothing is ever written into a free slot, so a use-after-free write
//! changes no allocator state and a recycled block holds no allocator
//! address.

use super::chunk::{slab_start, Place, SLAB};
use super::class::{self, exact_quotient, DIVISORS};
use super::Heap;
use crate::malloc::header::{report, Misuse};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// Words of each bitmap: enough for the smallest slots (16 bytes).
pub const WORDS: usize = SLAB / 16 / 64;

/// The bits of 64 slots: a word of each bitmap.
pub struct SlotWord<'a> {
    /// Allocated slots. Written by the owner only (relaxed atomics: other
    /// threads read it to spot a double free early).
    pub taken: &'a AtomicU64,
    /// Slots freed by another thread, not yet collected by the owner.
    pub freed_remotely: &'a AtomicU64,
}

/// One bitmap of a slab, on cache lines of its own.
#[repr(C, align(64))]
pub struct Bitmap(pub [AtomicU64; WORDS]);

/// What the owner changes on every malloc and free, on a cache line of its
/// own: another thread's free reads the slab's geometry and writes the
/// remote bits and the pending flag, none of it on this line, so the two
/// threads do not pass lines back and forth.
#[repr(C, align(64))]
pub struct OwnerState {
    /// The slot malloc looks at first: the one the owner freed last (its
    /// lines are likely still in the cache), else the first of a word with
    /// a free slot. Malloc takes it if free, else the next free slot after
    /// it in its word (cyclically).
    pub cursor: u32,
    /// Every word below this one is full.
    pub low: u32,
    /// No slot at or past this word was ever taken since the slab took its
    /// class: the search for a free slot fills the holes frees left below
    /// before it goes past (and touches pages not yet used).
    pub frontier: u32,
    /// Slots taken and not freed by the owner (another thread's free counts
    /// once collected), less one, and less [`OwnerState::FULL`] while the
    /// slab is set aside as full: negative exactly when a free must see to
    /// the slab (it became empty, or was full), so free tells that by the
    /// sign of the count it has just decremented.
    state: i32,
}

impl OwnerState {
    /// Subtracted from the state of a slab set aside from its heap's bin
    /// because no slot was free (a free puts it back); larger than any
    /// slab's slot count.
    const FULL: i32 = 1 << 30;

    /// The state of a slab with no slot taken.
    pub const EMPTY: i32 = -1;

    /// Slots taken.
    #[inline(always)]
    pub fn used(&self) -> u32 {
        let full = if self.is_full() { Self::FULL } else { 0 };
        (self.state + 1 + full) as u32
    }

    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.state < Self::EMPTY
    }

    pub fn set_full(&mut self, full: bool) {
        if full != self.is_full() {
            self.state += if full { -Self::FULL } else { Self::FULL };
        }
    }

    /// No slot is taken, or the slab is set aside as full: a free calls
    /// for upkeep.
    #[inline(always)]
    pub fn needs_upkeep(&self) -> bool {
        self.state < 0
    }
}

const _: () = assert!((SLAB / 16) < OwnerState::FULL as usize);

/// What other threads write when they free into the slab, on a line of its
/// own.
#[repr(C, align(64))]
pub struct Announce {
    /// On its owner's pending stack (another thread freed a slot here).
    pub pending: AtomicBool,
    /// The next slab on the owner's pending stack.
    pub next_pending: *mut Slab,
}

/// A slab's record. Its first line changes only when the slab changes
/// hands, class or list.
#[repr(C, align(64))]
pub struct Slab {
    /// The slab's first slot.
    pub base: usize,
    /// Slot size, and the number of slots.
    pub size: u32,
    pub count: u32,
    /// The slot size's entry of `class::DIVISORS`: an offset's slot, and
    /// whether the offset is that slot's start.
    pub divisor: u64,
    /// The owning heap; [`IN_POOL`] while the slab is in the pool.
    pub heap: AtomicPtr<Heap>,
    /// The size class (read through [`Slab::class`]).
    class: u8,
    /// Where the pool has it (written under the pool's lock).
    pub place: Place,
    /// How many times the slab went back to the pool: another thread's
    /// free reads it before the owner and again before announcing the
    /// slab, so that a free racing the slab's retirement is seen as the
    /// double free it is (see `upkeep::retire`).
    pub retired: AtomicU32,
    /// The heap's bin, or one of the pool's lists.
    pub next: *mut Slab,
    pub prev: *mut Slab,
    /// When the slab went back to the pool (`os::ticks`).
    pub freed_at: u64,
    pub own: OwnerState,
    pub announce: Announce,
    pub taken: Bitmap,
    pub freed_remotely: Bitmap,
}

/// [`Slab::heap`] of a slab in the pool: an address no heap has. (Not null:
/// a thread with no heap yet has a null heap pointer, and would take the
/// slab for its own.)
pub const IN_POOL: *mut Heap = core::ptr::NonNull::<Heap>::dangling().as_ptr();

/// What freeing a slot found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Freed {
    /// The slot was live, and is free now.
    Done,
    /// The slot is not allocated: freed already.
    AlreadyFree,
}

impl Slab {
    /// The size class.
    #[inline(always)]
    pub fn class(&self) -> usize {
        let class = self.class as usize;
        // SAFETY: `set_class`, the only writer, stores classes only;
        // telling the compiler spares the hot paths a mask.
        unsafe { core::hint::assert_unchecked(class < class::CLASSES) };
        class
    }

    /// Words of each bitmap that hold slots.
    #[inline]
    fn word_count(&self) -> usize {
        (self.count as usize).div_ceil(64).min(WORDS)
    }

    /// Word `i` (modulo `WORDS`) of both bitmaps.
    #[inline(always)]
    pub fn word(&self, i: usize) -> SlotWord<'_> {
        // (Callers on hot paths know `i < WORDS`, which spares the modulo.)
        SlotWord {
            taken: &self.taken.0[i % WORDS],
            freed_remotely: &self.freed_remotely.0[i % WORDS],
        }
    }

    /// Sets the record of a slab just taken from the pool up for `class`,
    /// owned by `heap`: no slot taken; the bits past the last slot are set,
    /// so they are never handed out.
    ///
    /// # Safety
    /// `s` is a slab's record that no other thread uses.
    pub unsafe fn init(s: *mut Slab, class: usize, heap: *mut Heap) {
        // SAFETY: the caller's contract.
        unsafe {
            (*s).base = slab_start(s);
            (*s).announce.pending.store(false, Ordering::Relaxed);
            (*s).announce.next_pending = null_mut();
            if !(*s).set_class(class) {
                // Set in the pool: a free that raced the slab's return.
                report("free", Misuse::DoubleFree, (*s).base);
            }
            (*s).heap.store(heap, Ordering::Release);
        }
    }

    /// Sets the geometry of `class` and marks every slot free; false if a
    /// remote bit was set (a slab in the pool holds no live slot: a free
    /// into it was of a slot already free).
    pub fn set_class(&mut self, class: usize) -> bool {
        // Callers pass classes; the bound makes sure of what `class()`
        // promises the compiler.
        let class = class.min(class::CLASSES - 1);
        let size = class::size_of(class);
        let count = SLAB / size;
        self.own.cursor = 0;
        self.own.low = 0;
        // The cursor starts in the first word.
        self.own.frontier = 1;
        self.own.state = OwnerState::EMPTY;
        self.size = size as u32;
        self.count = count as u32;
        self.divisor = DIVISORS[class::table_index(class)];
        self.class = class as u8;
        let mut stale = 0;
        for i in 0..WORDS {
            let w = self.word(i);
            let first = i * 64;
            let taken = if first >= count {
                u64::MAX
            } else if count - first < 64 {
                u64::MAX << (count - first)
            } else {
                0
            };
            w.taken.store(taken, Ordering::Relaxed);
            stale |= w.freed_remotely.swap(0, Ordering::Relaxed);
        }
        stale == 0
    }

    /// The index of the slot starting at `addr`, an address in this slab;
    /// None if `addr` is not a slot's start.
    #[inline(always)]
    pub fn slot_index(&self, addr: usize) -> Option<usize> {
        // Below SLAB: `addr` is in this slab, whose start is `base`.
        let offset = addr.wrapping_sub(self.base);
        let (index, exact) = exact_quotient(offset, self.divisor);
        if cfg!(minic_no_checks) {
            // Only to measure what the checks cost: `addr` is trusted.
            return Some(index);
        }
        if !exact {
            return None;
        }
        (index < self.count as usize).then_some(index)
    }

    /// Takes the slot at the cursor if it is free, else the next free slot
    /// after it in the cursor's word (cyclically): its address, or None
    /// when that word is full (the caller moves the cursor on).
    ///
    /// # Safety
    /// Called by the owner.
    #[inline(always)]
    pub unsafe fn take_at_cursor(&mut self) -> Option<usize> {
        let cursor = self.own.cursor as usize;
        let i = cursor / 64;
        // SAFETY: the cursor is always a slot's index, below `count`,
        // which the bitmaps' words cover.
        unsafe { core::hint::assert_unchecked(i < WORDS) };
        let w = self.word(i);
        let taken = w.taken.load(Ordering::Relaxed);
        // A slot whose remote bit is set is not free: it is taken and
        // waits to be collected, or (not taken) it was freed twice, which
        // collecting reports.
        let free = if cfg!(minic_no_checks) {
            !taken
        } else {
            !(taken | w.freed_remotely.load(Ordering::Relaxed))
        };
        if free == 0 {
            return None;
        }
        // The cursor's slot if free, else the next free one after it in
        // the word (cyclically).
        let from = cursor % 64;
        let bit = (free.rotate_right(from as u32).trailing_zeros() as usize + from) % 64;
        w.taken.store(taken | 1 << bit, Ordering::Relaxed);
        self.own.state += 1;
        Some(self.base + (i * 64 + bit) * self.size as usize)
    }

    /// Frees slot `index` on the owner's thread.
    ///
    /// # Safety
    /// Called by the owner; `index` is below `count`.
    #[inline(always)]
    pub unsafe fn free_local(&mut self, index: usize) -> Freed {
        let i = index / 64;
        // SAFETY: the caller's contract (`index` below `count`, which the
        // bitmaps' words cover).
        unsafe { core::hint::assert_unchecked(i < WORDS) };
        let bit = 1u64 << (index % 64);
        let w = self.word(i);
        let taken = w.taken.load(Ordering::Relaxed);
        // Live: taken, and not waiting for its remote free to be collected.
        let live = taken & !w.freed_remotely.load(Ordering::Relaxed);
        if !cfg!(minic_no_checks) && live & bit == 0 {
            return Freed::AlreadyFree;
        }
        w.taken.store(taken & !bit, Ordering::Relaxed);
        // Rarely lower (a branch, not a store on every free).
        if (i as u32) < self.own.low {
            self.own.low = i as u32;
        }
        self.own.cursor = index as u32;
        // Last: the caller tests the count next.
        self.own.state -= 1;
        Freed::Done
    }

    /// Frees slot `index` from another thread than the owner's: one atomic
    /// OR marks it, and tells which of two racing frees came second.
    ///
    /// # Safety
    /// `index` is below `count`.
    #[inline]
    pub unsafe fn free_remote(&self, index: usize) -> Freed {
        let w = self.word(index / 64);
        let bit = 1u64 << (index % 64);
        if w.freed_remotely.fetch_or(bit, Ordering::SeqCst) & bit != 0 {
            return Freed::AlreadyFree;
        }
        Freed::Done
    }

    /// Makes the slots other threads freed free for the owner; false if one
    /// of them was not allocated (a double free).
    ///
    /// # Safety
    /// Called by the owner. (A slab still on the pending stack stays there:
    /// frees announced with it and set after this are collected when the
    /// owner takes it off.)
    pub unsafe fn collect_remote(&mut self) -> bool {
        let words = self.word_count();
        let mut ok = true;
        for i in 0..words {
            let w = self.word(i);
            if w.freed_remotely.load(Ordering::Relaxed) == 0 {
                continue;
            }
            let freed = w.freed_remotely.swap(0, Ordering::SeqCst);
            let taken = w.taken.load(Ordering::Relaxed);
            ok &= freed & !taken == 0;
            w.taken.store(taken & !freed, Ordering::Relaxed);
            self.own.state -= (freed & taken).count_ones() as i32;
            self.own.low = self.own.low.min(i as u32);
        }
        ok
    }

    /// Whether slot `index`'s remote bit is set (a sequentially consistent
    /// load: see [`Slab::has_remote_frees`]).
    pub fn freed_remotely_at(&self, index: usize) -> bool {
        self.word(index / 64).freed_remotely.load(Ordering::SeqCst) >> (index % 64) & 1 != 0
    }

    /// Whether a slot's remote bit is set (sequentially consistent loads:
    /// one side of `upkeep::retire`'s handshake with remote frees).
    pub fn has_remote_frees(&self) -> bool {
        (0..self.word_count()).any(|i| self.word(i).freed_remotely.load(Ordering::SeqCst) != 0)
    }

    /// Moves the cursor to the first slot of a word with a free slot: the
    /// next such word after the cursor's below the frontier (its lines and
    /// pages are likely warm), else the lowest, else, if `Words::Any`, the
    /// frontier's (a word never used); false when no such word has a free
    /// slot.
    ///
    /// # Safety
    /// Called by the owner.
    pub unsafe fn advance_cursor(&mut self, words_allowed: Words) -> bool {
        let words = self.word_count();
        let frontier = (self.own.frontier as usize).min(words);
        let here = (self.own.cursor as usize / 64).min(frontier);
        let low = (self.own.low as usize).min(here);
        let taken = &self.taken.0;
        let has_free = |i: usize| !taken[i % WORDS].load(Ordering::Relaxed) != 0;
        let found = (here..frontier).find(|&i| has_free(i));
        let own = &mut self.own;
        let found = found.or_else(|| {
            let below = (low..here).find(|&i| has_free(i));
            own.low = below.unwrap_or(here) as u32;
            below
        });
        let found = found.or_else(|| {
            if words_allowed == Words::Used {
                return None;
            }
            let fresh = (frontier..words).find(|&i| has_free(i));
            if let Some(i) = fresh {
                own.frontier = i as u32 + 1;
            }
            fresh
        });
        match found {
            Some(i) => {
                own.cursor = (i * 64) as u32;
                true
            }
            None => false,
        }
    }
}

/// Which words of a slab [`Slab::advance_cursor`] may move to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Words {
    /// Only words used before (their pages are resident already).
    Used,
    /// Any word, the frontier's (never used) last.
    Any,
}

/// A doubly linked list of slabs through their `next` and `prev` fields: a
/// heap's bin of one class, or one of the pool's lists.
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
    /// As for [`SlabList::push_front`].
    pub unsafe fn push_back(&mut self, s: *mut Slab) {
        // SAFETY: the caller's contract; the slabs of the list are ours.
        unsafe {
            (*s).next = null_mut();
            (*s).prev = self.tail;
            if self.tail.is_null() {
                self.head = s;
            } else {
                (*self.tail).next = s;
            }
        }
        self.tail = s;
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

    /// Takes the first slab off the list.
    pub fn pop_front(&mut self) -> Option<*mut Slab> {
        let s = self.head;
        if s.is_null() {
            return None;
        }
        // SAFETY: `s` is in this list.
        unsafe { self.unlink(s) };
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;

    /// A record of `class` outside any chunk (its slots are never touched).
    fn record(class: usize) -> Box<Slab> {
        // SAFETY: every field of a record is valid when zero.
        let mut s: Box<Slab> = unsafe { Box::new(core::mem::zeroed()) };
        s.base = 1 << 40;
        assert!(s.set_class(class));
        s
    }

    #[test]
    fn a_remote_bit_set_in_the_pool_is_found_when_the_slab_is_set_up_again() {
        let mut s = record(3);
        // A free that raced the slab's return to the pool.
        s.word(0).freed_remotely.fetch_or(1 << 5, Ordering::SeqCst);
        assert!(s.has_remote_frees());
        assert!(s.freed_remotely_at(5) && !s.freed_remotely_at(4));
        assert!(!s.set_class(3));
        // Found once, then cleared.
        assert!(!s.has_remote_frees());
        assert!(s.set_class(7));
    }

    /// What malloc does: the cursor's word, else the next word with a free
    /// slot.
    fn take(s: &mut Slab) -> Option<usize> {
        // SAFETY: the test's thread owns the record.
        unsafe {
            match s.take_at_cursor() {
                Some(a) => Some(a),
                None => s.advance_cursor(Words::Any).then(|| s.take_at_cursor())?,
            }
        }
    }

    fn index(s: &Slab, addr: usize) -> usize {
        s.slot_index(addr).unwrap()
    }

    #[test]
    fn free_slots_below_the_cursor_word_are_found() {
        let mut s = record(class::class_of(1024));
        let count = s.count as usize;
        assert!(count > 64);
        for i in 0..count {
            assert_eq!(take(&mut s).map(|a| index(&s, a)), Some(i));
        }
        assert_eq!(take(&mut s), None);
        // SAFETY: the owner frees slots it took.
        unsafe {
            assert_eq!(s.free_local(3), Freed::Done);
            assert_eq!(s.free_local(count - 1), Freed::Done);
        }
        // The slot freed last first, then the hole in the first word.
        assert_eq!(take(&mut s).map(|a| index(&s, a)), Some(count - 1));
        assert_eq!(take(&mut s).map(|a| index(&s, a)), Some(3));
        assert_eq!(take(&mut s), None);
        assert_eq!(s.own.used(), s.count);
    }

    #[test]
    fn words_never_used_are_left_when_asked() {
        let mut s = record(class::class_of(16));
        for _ in 0..64 {
            take(&mut s).unwrap();
        }
        // SAFETY: the test's thread owns the record.
        unsafe {
            assert!(!s.advance_cursor(Words::Used));
            // Another thread frees a slot: collected, it is in a word used
            // before.
            assert_eq!(s.free_remote(7), Freed::Done);
            assert!(s.collect_remote());
            assert!(s.advance_cursor(Words::Used));
            assert_eq!(s.take_at_cursor().map(|a| index(&s, a)), Some(7));
            assert!(!s.advance_cursor(Words::Used));
            assert!(s.advance_cursor(Words::Any));
            assert_eq!(s.take_at_cursor().map(|a| index(&s, a)), Some(64));
        }
    }

    #[test]
    fn holes_are_filled_before_words_never_used() {
        let mut s = record(class::class_of(16));
        let taken: std::vec::Vec<usize> = (0..192).map(|_| take(&mut s).unwrap()).collect();
        // SAFETY: the owner frees slots it took.
        unsafe {
            assert_eq!(s.free_local(5), Freed::Done);
            assert_eq!(s.free_local(130), Freed::Done);
        }
        assert_eq!(take(&mut s), Some(taken[130]));
        // The cursor's word is full: the hole in the first word comes
        // before the fourth word, never used.
        assert_eq!(take(&mut s), Some(taken[5]));
        assert_eq!(take(&mut s).map(|a| index(&s, a)), Some(192));
    }

    #[test]
    fn the_slot_freed_last_is_taken_first() {
        let mut s = record(class::class_of(16));
        let taken: std::vec::Vec<usize> = (0..64).map(|_| take(&mut s).unwrap()).collect();
        // SAFETY: the owner frees slots it took.
        unsafe {
            assert_eq!(s.free_local(index(&s, taken[10])), Freed::Done);
            assert_eq!(s.free_local(index(&s, taken[40])), Freed::Done);
            assert_eq!(s.free_local(40), Freed::AlreadyFree);
        }
        assert_eq!(take(&mut s), Some(taken[40]));
        assert_eq!(take(&mut s), Some(taken[10]));
    }
}
