//! minic's default allocator: thread heaps over slabs of size-classed slots.
//!
//! - Small blocks (slots up to 16 KiB, header included) come from 128 KiB
//!   slabs of one size class. Each thread has its own heap: per class, a
//!   list (bin) of the slabs with free slots, and a short list of the slots
//!   it freed last. malloc takes the most recently freed slot of its class,
//!   else the first free slot of the bin's first slab; free puts the slot
//!   on that short list, or back on its slab's free list once the list is
//!   full. Both are O(1), with no lock and no atomic instruction
//!   (`alloc_fast`, `free_fast`: about 35 instructions each).
//! - A class with no free slot takes a hole of a larger class before a new
//!   slab (`borrow`).
//! - A block freed by another thread than its heap's owner is pushed on the
//!   heap's lock-free `remote` stack (one compare-and-swap); the owner takes
//!   the whole stack when a slab runs out of slots.
//! - A slab whose slots are all free goes back to the shared pool, which
//!   returns its pages to the kernel beyond a small reserve (`slab.rs`).
//! - Large blocks have their own mapping and the family's 16-byte header
//!   (`large.rs`).
//! - A thread's exit gives what its heap keeps for reuse back; new threads
//!   adopt the heaps of threads that exited, with what is in them
//!   (`thread.rs`). The freestanding library has one heap behind a lock.
//!
//! A block in a slot has an 8-byte header (`slot.rs`) checked against its
//! slab's check word: the chunk map says whether an address lies in slabs
//! at all before anything there is read.

mod class;
mod large;
mod slab;
mod slot;
mod thread;

use super::header::{mix, secret, Block, Misuse, IN_USE, OWN_MAPPING};
use super::{registered_block, report, Policy};
use crate::errno::Errno;
use class::{class_of, ix, CLASSES, MAX_SLOT, TABLE};
use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{compiler_fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
pub use slab::SLAB;
use slab::{slab_of, Slab, SlabList, FIRST_SLOT, FULL};
use slot::SLOT_HEADER;

/// The largest capacity served from slabs.
const MAX_SMALL: usize = MAX_SLOT - SLOT_HEADER;

/// Bytes of fresh slots a slab threads onto its free list at a time: enough
/// to keep malloc on its quick path, few enough to touch no page early.
const CARVE: usize = 4096;

/// A free slot, linked through its payload's first word.
pub struct Free {
    next: *mut Free,
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
    /// Per class, the slabs with free slots (the first is allocated from).
    bins: [SlabList; TABLE],
    /// Set while the owner works on the heap: a signal handler that
    /// interrupted it finds the heap busy and leaves it alone.
    busy: bool,
    /// Slots freed by other threads, for the owner to take; alone in its
    /// cache line, which other threads write.
    remote: Remote,
    /// The owner's thread id, 0 once it exited (for adoption by another).
    owner: AtomicU32,
    /// The owner's exit is hooked: `owner` becomes 0 then, and no one
    /// needs to ask the kernel whether the owner still lives.
    exit_hooked: AtomicBool,
    /// The next heap of the process (never changes once set).
    next: *mut Heap,
    /// Per class, the slots this thread freed last, the most recent first,
    /// and how many ([`recent_limit`]): malloc takes one while it is still
    /// in the cache, whichever slab it is in. They count as used in their
    /// slabs; their headers are valid, marked free.
    recent: [*mut Free; TABLE],
    recent_count: [u32; TABLE],
    /// Per class, a slab of a larger class whose holes it borrows ([`borrow`]).
    lender: [*mut Slab; TABLE],
}

/// Freed slots a heap keeps per class for reuse: 32 KiB of them, 2 to 64
/// (a table: free would otherwise divide).
#[inline(always)]
fn recent_limit(class: usize) -> u32 {
    const LIMITS: [u32; TABLE] = {
        let mut t = [0; TABLE];
        let mut c = 0;
        while c < TABLE {
            let n = 32768 / class::SIZES[c];
            t[c] = if n < 2 {
                2
            } else if n > 64 {
                64
            } else {
                n as u32
            };
            c += 1;
        }
        t
    };
    LIMITS[ix(class)]
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

/// The policy of the default mode, for the family's shared layer.
pub struct Heaps;

impl Policy for Heaps {
    #[inline(always)]
    fn alloc_fast(size: usize) -> Option<NonNull<u8>> {
        if size > MAX_SMALL {
            return None;
        }
        // A thread's first block takes the general path, which makes its heap.
        let (h, _guard) = thread::heap_if_any()?;
        let class = class_of(size + SLOT_HEADER);
        // SAFETY: `h` is this thread's heap (or the locked shared one),
        // entered below; the slot taken is ours.
        unsafe {
            if (*h).busy {
                return None;
            }
            (*h).busy = true;
            compiler_fence(Ordering::SeqCst);
            let f = (*h).recent[ix(class)];
            if !f.is_null() {
                (*h).recent[ix(class)] = (*f).next;
                (*h).recent_count[ix(class)] -= 1;
                compiler_fence(Ordering::SeqCst);
                (*h).busy = false;
                let header = (f as usize - SLOT_HEADER) as *mut u64;
                return Some(hand_out(f, slot::check_of(header.read()), size));
            }
            let s = (*h).bins[ix(class)].head;
            if s.is_null() || (*s).free.is_null() {
                return alloc_refilled(h, class, size);
            }
            let f = (*s).free;
            (*s).free = (*f).next;
            (*s).used += 1;
            compiler_fence(Ordering::SeqCst);
            (*h).busy = false;
            Some(hand_out(f, (*s).check, size))
        }
    }

    #[inline(always)]
    unsafe fn free_fast(ptr: NonNull<u8>) -> bool {
        let payload = ptr.as_ptr() as usize;
        let Some((s, header, word)) = quick_slot(payload) else {
            return false;
        };
        // SAFETY: a live block of slab `s` (the caller's contract).
        unsafe { release(s, payload as *mut Free, header, word) };
        true
    }

    #[inline(always)]
    unsafe fn resize_fast(ptr: NonNull<u8>, size: usize) -> Option<NonNull<u8>> {
        let payload = ptr.as_ptr() as usize;
        let (s, header, word) = quick_slot(payload)?;
        // SAFETY: a live block of slab `s` (the caller's), its slot ours.
        unsafe {
            if size > (*s).size - SLOT_HEADER {
                return None;
            }
            let old = slot::capacity_of(word);
            if size > old {
                // Growth within the slot: the header records the new
                // capacity, and the bytes past `size` in its last 8 are
                // cleared (they are stale).
                let capacity = (size + 7) & !7;
                (header as *mut u64).write(slot::live((*s).check, capacity, 0));
                let keep = size + 8 - capacity;
                if keep < 8 {
                    let last = (payload + capacity - 8) as *mut u64;
                    last.write(last.read() & ((1u64 << (keep * 8)) - 1));
                }
            }
            Some(ptr)
        }
    }

    #[inline]
    unsafe fn find(address: usize) -> Result<Block, Misuse> {
        if let Some((_, _, word)) = quick_slot(address) {
            return Ok(Block {
                payload: address,
                capacity: slot::capacity_of(word),
                pad: 0,
                state: IN_USE,
            });
        }
        if address % 16 == 0 && slab::in_slab_chunk(address.wrapping_sub(SLOT_HEADER)) {
            // SAFETY: the header lies in our slabs; any block there that
            // failed the quick test is checked in full.
            return unsafe { slot_block(address) };
        }
        // SAFETY: the caller's contract.
        unsafe { registered_block(address) }
    }

    #[inline]
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        // Worst-case room for the pad that aligning the payload needs (a
        // slot's own payload is 16-aligned).
        let extra = align - 16;
        if capacity <= MAX_SMALL - extra.min(MAX_SMALL) {
            let (h, _guard) = thread::heap().ok_or(Errno::ENOMEM)?;
            // SAFETY: our heap, entered (a signal handler that interrupted
            // this thread's allocator gets ENOMEM, never a corrupt list);
            // the slot taken is ours.
            unsafe {
                let _busy = Busy::enter(h).ok_or(Errno::ENOMEM)?;
                let class = class_of(capacity + SLOT_HEADER + extra);
                let (f, s) = take_slot(h, class).ok_or(Errno::ENOMEM)?;
                let payload = (f as usize + align - 1) & !(align - 1);
                let pad = payload - f as usize;
                ((payload - SLOT_HEADER) as *mut u64).write(slot::live((*s).check, capacity, pad));
                let b = Block {
                    payload,
                    capacity,
                    pad,
                    state: IN_USE,
                };
                return Ok((b, false));
            }
        }
        large::alloc(capacity, align).ok_or(Errno::ENOMEM)
    }

    #[inline]
    unsafe fn free(block: Block) {
        if block.state & OWN_MAPPING != 0 {
            // SAFETY: the caller's contract.
            return unsafe { large::free(&block) };
        }
        let header = block.payload - SLOT_HEADER;
        // The slot's own payload, where its free-list link goes.
        let f = (header - block.pad + SLOT_HEADER) as *mut Free;
        let s = slab_of(header);
        // SAFETY: a live block of a slot, found by `find`. A free slot has
        // a valid header at its start (malloc may take its check bits from
        // there): an aligned block's is written, marked free.
        unsafe {
            if block.pad != 0 {
                let natural = f as usize - SLOT_HEADER;
                (natural as *mut u64).write(slot::freed(slot::live((*s).check, 0, 0)));
            }
            release(s, f, header, (header as *const u64).read())
        }
    }

    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        if capacity <= block.capacity {
            return Some(block);
        }
        if block.state & OWN_MAPPING == 0 {
            // Growth within the slot: the header records the new capacity.
            let header = block.payload - SLOT_HEADER;
            let s = slab_of(header);
            // SAFETY: a live block's slab and header.
            unsafe {
                if capacity > (*s).size - SLOT_HEADER - block.pad {
                    return None;
                }
                (header as *mut u64).write(slot::live((*s).check, capacity, block.pad));
            }
            return Some(Block { capacity, ..block });
        }
        if align == 16 && block.pad == large::LEAD {
            // SAFETY: a live large block of 16-byte alignment.
            return unsafe { large::resize(&block, capacity) };
        }
        None
    }
}

/// The slab, header address and header word of a live block at `payload`
/// at the start of its slot (no pad), told by the quick test: the chunk map
/// says the header is in our slabs, and it carries its slab's check word
/// and the in-use state. None for any other pointer (an aligned block,
/// misuse, a large block), which the general paths tell apart.
#[inline(always)]
fn quick_slot(payload: usize) -> Option<(*mut Slab, usize, u64)> {
    let header = payload.wrapping_sub(SLOT_HEADER);
    if payload % 16 != 0 || !slab::in_slab_chunk(header) {
        return None;
    }
    let s = slab_of(header);
    // SAFETY: the chunk map says the header and the slab's bookkeeping are
    // our readable memory.
    let (word, check) = unsafe { ((header as *const u64).read(), (*s).check) };
    slot::is_live_unpadded(word, check).then_some((s, header, word))
}

/// The block in a slot whose payload is `payload`, checked in full: the
/// header against its slab's check word, and the block's place against the
/// slab's slots.
///
/// # Safety
/// `payload - SLOT_HEADER` lies in a chunk of slabs.
#[cold]
unsafe fn slot_block(payload: usize) -> Result<Block, Misuse> {
    let header = payload - SLOT_HEADER;
    let s = slab_of(header);
    // SAFETY: the caller's contract: the slab's memory is ours.
    let (word, check, size, end) = unsafe {
        (
            (header as *const u64).read(),
            (*s).check,
            (*s).size,
            (*s).end,
        )
    };
    let (capacity, pad) = slot::decode(word, check)?;
    let start = header.wrapping_sub(pad);
    let first = s as usize + FIRST_SLOT;
    if start < first
        || start >= end
        || (start - first).checked_rem(size) != Some(0)
        || pad + SLOT_HEADER + capacity > size
    {
        return Err(Misuse::Invalid);
    }
    Ok(Block {
        payload,
        capacity,
        pad,
        state: IN_USE,
    })
}

/// A slot's block of `size` bytes (at most MAX_SMALL): its header written,
/// the slack past `size` (within the capacity's last 8 bytes) cleared
/// before the caller writes (see `alloc_block`).
///
/// # Safety
/// `f` is the payload of a free slot just taken, of a slab whose check bits
/// are `check`.
#[inline(always)]
unsafe fn hand_out(f: *mut Free, check: u64, size: usize) -> NonNull<u8> {
    let payload = f as usize;
    let capacity = ((size + 7) & !7).max(8);
    // SAFETY: the slot's header and payload are ours.
    unsafe {
        ((payload - SLOT_HEADER) as *mut u64).write(slot::live(check, capacity, 0));
        ((payload + capacity - 8) as *mut u64).write(0);
        NonNull::new_unchecked(f.cast())
    }
}

/// `alloc_fast` when the first slab of the class has no free slot at hand.
///
/// # Safety
/// `h` is the calling thread's heap, entered (it is left on return).
#[cold]
#[inline(never)]
unsafe fn alloc_refilled(h: *mut Heap, class: usize, size: usize) -> Option<NonNull<u8>> {
    // SAFETY: the caller's contract.
    unsafe {
        let taken = take_slot(h, class);
        compiler_fence(Ordering::SeqCst);
        (*h).busy = false;
        let (f, s) = taken?;
        Some(hand_out(f, (*s).check, size))
    }
}

/// A free slot of `class` and its slab, taken off the first slab's list.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
#[inline(always)]
unsafe fn take_slot(h: *mut Heap, class: usize) -> Option<(*mut Free, *mut Slab)> {
    // SAFETY: the owner alone touches its bins and their slabs' lists.
    unsafe {
        let mut s = (*h).bins[ix(class)].head;
        if s.is_null() || (*s).free.is_null() {
            s = refill(h, class)?;
        }
        let f = (*s).free;
        (*s).free = (*f).next;
        (*s).used += 1;
        Some((f, s))
    }
}

/// The first slab of `class` with slots on its `free` list: after moving
/// its own frees there, taking the slots other threads freed, threading
/// fresh slots, retiring exhausted slabs, or adding a slab from the pool.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
#[cold]
#[inline(never)]
unsafe fn refill(h: *mut Heap, class: usize) -> Option<*mut Slab> {
    // SAFETY: owner-only state of our heap.
    unsafe {
        let mut drained = false;
        loop {
            let s = (*h).bins[ix(class)].head;
            if !s.is_null() && !(*s).free.is_null() {
                return Some(s);
            }
            // Slots other threads gave back come before fresh ones.
            if !drained && !(*h).remote.load(Ordering::Relaxed).is_null() {
                drain_remote(h);
                drained = true;
                continue;
            }
            if s.is_null() {
                break;
            }
            if carve(s) {
                return Some(s);
            }
            unlink(h, s);
            (*s).used |= FULL;
        }
        if let Some(s) = borrow(h, class) {
            return Some(s);
        }
        let s = slab::take()?;
        let size = class::size_of(class);
        let first = s as usize + FIRST_SLOT;
        (*s).free = null_mut();
        (*s).used = 0;
        (*s).class = class as u16;
        (*s).size = size;
        (*s).bump = first;
        (*s).end = first + (SLAB - FIRST_SLOT) / size * size;
        (*s).heap = h;
        // A new check word each time: headers left from the slab's
        // earlier use are no blocks.
        (*s).generation = (*s).generation.wrapping_add(1);
        let seed = secret() ^ (s as u64) ^ (*s).generation << 48 ^ class as u64;
        (*s).check = slot::check_bits((mix(seed) >> 32) as u32);
        push_front(h, s);
        carve(s);
        Some(s)
    }
}

/// A slab of a larger class (at most four times the slot size) with holes
/// (free slots, the slab carved to its end): when a class has no free slot
/// left, a block takes a hole of another class rather than a new slab, so
/// that the memory a program freed in one class serves its requests of
/// another (bench/frag, whose holes are refilled with other sizes: peak
/// resident memory 1.23 -> 1.12 times the live bytes, in the same time).
/// The slab found is remembered as the class's `lender` until its holes
/// are gone.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
#[inline(never)]
unsafe fn borrow(h: *mut Heap, class: usize) -> Option<*mut Slab> {
    // SAFETY: owner-only state of our heap; a lender is one of its slabs
    // (retire_slab forgets it).
    unsafe {
        let lender = (*h).lender[ix(class)];
        if !lender.is_null() && !(*lender).free.is_null() {
            return Some(lender);
        }
        (*h).lender[ix(class)] = null_mut();
        let limit = 4 * class::size_of(class);
        let mut c = class + 1;
        while c < CLASSES && class::size_of(c) <= limit {
            let mut s = (*h).bins[ix(c)].head;
            // The first few slabs of a bin only: the slow path stays short.
            // Exhausted ones leave it (as refill does), so the next look
            // finds holes first.
            for _ in 0..8 {
                if s.is_null() {
                    break;
                }
                let next = (*s).next;
                if (*s).free.is_null() && (*s).bump == (*s).end {
                    unlink(h, s);
                    (*s).used |= FULL;
                    s = next;
                    continue;
                }
                if !(*s).free.is_null() && (*s).bump == (*s).end {
                    (*h).lender[ix(class)] = s;
                    return Some(s);
                }
                s = next;
            }
            c += 1;
        }
        None
    }
}

/// Threads up to [`CARVE`] bytes of never-used slots onto the empty `free`
/// list of `s`; false if none is left.
///
/// # Safety
/// `s` is a slab of the calling thread's heap, its `free` list empty.
unsafe fn carve(s: *mut Slab) -> bool {
    // SAFETY: owner-only state; the slots past `bump` are unused memory of
    // the slab.
    unsafe {
        let size = (*s).size.max(16);
        let left = ((*s).end - (*s).bump) / size;
        if left == 0 {
            return false;
        }
        let n = left.min((CARVE / size).max(1));
        let first = (*s).bump + SLOT_HEADER;
        let mut f = first;
        for _ in 1..n {
            (*(f as *mut Free)).next = (f + size) as *mut Free;
            f += size;
        }
        (*(f as *mut Free)).next = null_mut();
        (*s).free = first as *mut Free;
        (*s).bump += n * size;
        true
    }
}

/// Frees the slot whose payload is `f` and whose block's header (`word`,
/// live) is at `header`: onto its slab's `local_free` list if the slab is
/// this thread's, else onto its owner's remote stack.
///
/// # Safety
/// A live block of slab `s`, freed once.
#[inline(always)]
unsafe fn release(s: *mut Slab, f: *mut Free, header: usize, word: u64) {
    // SAFETY: a slab's owner field is set while it holds live blocks; its
    // lists are the owner's (our heap, entered) or reached atomically.
    unsafe {
        let owner = (*s).heap;
        let local = thread::heap_if(owner).and_then(|(h, g)| Some((h, g, Busy::enter(h)?)));
        if let Some((h, _guard, _busy)) = local {
            (header as *mut u64).write(slot::freed(word));
            let class = ix((*s).class as usize);
            if (*h).recent_count[class] < recent_limit(class) {
                (*f).next = (*h).recent[class];
                (*h).recent[class] = f;
                (*h).recent_count[class] += 1;
                return;
            }
            return_slot(h, s, f);
        } else {
            // Another thread's slab (or our own, interrupted by this signal
            // handler): of two threads freeing the block at once, one is
            // told it is a double free.
            let a = &*(header as *const AtomicU64);
            if a.compare_exchange(
                word,
                slot::freed(word),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_err()
            {
                report("free", Misuse::DoubleFree, header + SLOT_HEADER);
            }
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

/// A slot came back to a slab that was full (it rejoins its bin) or is now
/// empty (it goes back to the pool, unless it is its bin's only slab: a
/// program that frees its last block of a size and allocates another would
/// otherwise cycle a slab through the pool each time).
///
/// # Safety
/// `h` is the calling thread's heap, entered, and owns `s`.
#[cold]
#[inline(never)]
unsafe fn slot_returned(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only state.
    unsafe {
        if (*s).used & FULL != 0 {
            (*s).used &= !FULL;
            push_front(h, s);
        }
        if (*s).used == 0 {
            let bin = &(*h).bins[ix((*s).class as usize)];
            if bin.head != s || bin.tail != s {
                retire_slab(h, s);
            }
        }
    }
}

/// Gives an empty slab of a bin of `h` back to the pool.
///
/// # Safety
/// `h` is the calling thread's heap, entered; no slot of `s` is in use.
unsafe fn retire_slab(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only state; the slab is ours until given.
    unsafe {
        unlink(h, s);
        for lender in (*h).lender.iter_mut() {
            if *lender == s {
                *lender = null_mut();
            }
        }
        slab::give(s);
    }
}

/// Puts free slot `f` back on the free list of its slab `s`.
///
/// # Safety
/// `h` is the calling thread's heap, entered, and owns `s`; `f` is a slot
/// of `s` no longer in use nor on any list.
#[inline(always)]
unsafe fn return_slot(h: *mut Heap, s: *mut Slab, f: *mut Free) {
    // SAFETY: owner-only state.
    unsafe {
        (*f).next = (*s).free;
        (*s).free = f;
        (*s).used -= 1;
        if (*s).used as i32 <= 0 {
            slot_returned(h, s);
        }
    }
}

/// Puts a list of free slots (linked through `Free::next`) back on their
/// slabs' lists.
///
/// # Safety
/// `h` is the calling thread's heap, entered; the slots are of its slabs,
/// free, and on no other list.
unsafe fn return_slots(h: *mut Heap, mut f: *mut Free) {
    // SAFETY: the caller's contract.
    unsafe {
        while !f.is_null() {
            let next = (*f).next;
            return_slot(h, slab_of(f as usize), f);
            f = next;
        }
    }
}

/// Takes the slots other threads freed into this heap.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
#[cold]
#[inline(never)]
unsafe fn drain_remote(h: *mut Heap) {
    // SAFETY: `remote` is atomic; the slots on it are of our slabs, freed.
    unsafe {
        return_slots(h, (*h).remote.swap(null_mut(), Ordering::Acquire));
    }
}

/// Gives the slots of a class's recent list back to their slabs.
///
/// # Safety
/// `h` is the calling thread's heap, entered.
unsafe fn flush_recent(h: *mut Heap, class: usize) {
    // SAFETY: owner-only state; the listed slots are free slots of our slabs.
    unsafe {
        (*h).recent_count[ix(class)] = 0;
        return_slots(
            h,
            core::mem::replace(&mut (*h).recent[ix(class)], null_mut()),
        );
    }
}

/// Takes `s` out of its class's bin.
///
/// # Safety
/// `s` is in one of `h`'s bins; `h` is the calling thread's heap.
unsafe fn unlink(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only list of our heap.
    unsafe { (*h).bins[ix((*s).class as usize)].unlink(s) }
}

/// Puts `s` first in its class's bin.
///
/// # Safety
/// `s` is in no list; `h` is the calling thread's heap.
unsafe fn push_front(h: *mut Heap, s: *mut Slab) {
    // SAFETY: owner-only list of our heap.
    unsafe { (*h).bins[ix((*s).class as usize)].push_front(s) }
}

/// Gives every free page it can back to the kernel; true if any went.
pub fn trim() -> bool {
    // SAFETY: our own heap.
    let own = thread::heap().is_some_and(|(h, _guard)| unsafe { tidy(h) });
    let slabs = slab::trim();
    large::trim() || slabs || own
}

/// Takes what other threads freed into heap `h`, gives its recently freed
/// slots back to their slabs and its empty slabs to the pool (at a trim,
/// or when its thread exits); true if a slab went. False, doing nothing,
/// when this thread is already inside the heap (a signal handler).
///
/// # Safety
/// `h` is the calling thread's heap (or the locked shared one).
unsafe fn tidy(h: *mut Heap) -> bool {
    let mut any = false;
    // SAFETY: the caller's contract; entered, the heap's state is ours.
    unsafe {
        let Some(_busy) = Busy::enter(h) else {
            return false;
        };
        drain_remote(h);
        for class in 0..CLASSES {
            flush_recent(h, class);
            let mut s = (*h).bins[ix(class)].head;
            while !s.is_null() {
                let next = (*s).next;
                if (*s).used == 0 {
                    retire_slab(h, s);
                    any = true;
                }
                s = next;
            }
        }
    }
    any
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
    let (slab_mapped, slab_held, small_in_use) = slab::usage();
    Usage {
        slab_mapped,
        slab_held,
        small_in_use,
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
    fn blocks_of_every_class_and_alignment_are_distinct_and_found() {
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
            // SAFETY: a live block.
            assert_eq!(unsafe { Heaps::find(b.payload) }, Ok(*b));
            // Inside a block, no block is found.
            // SAFETY: addresses inside live blocks.
            assert!(unsafe { Heaps::find(b.payload + 16) }.is_err());
        }
        for (b, _) in live.drain(..) {
            // SAFETY: live blocks, freed once.
            unsafe { Heaps::free(b) };
            if b.state & OWN_MAPPING == 0 {
                // SAFETY: the block's slab is still ours (each bin keeps one).
                assert_eq!(unsafe { Heaps::find(b.payload) }, Err(Misuse::DoubleFree));
            }
        }
    }

    #[test]
    fn freed_slots_are_reused() {
        let take = || crate::malloc::allocate(40, 16).unwrap();
        let first: std::vec::Vec<_> = (0..1000).map(|_| take()).collect();
        for &p in &first {
            // SAFETY: live blocks, freed once.
            unsafe { assert!(Heaps::free_fast(p)) };
        }
        let again: std::vec::Vec<_> = (0..1000).map(|_| take()).collect();
        let fresh = again.iter().filter(|p| !first.contains(p)).count();
        assert!(fresh * 48 <= CARVE, "{fresh} fresh slots");
        for p in again {
            // SAFETY: a live block.
            let b = unsafe { Heaps::find(p.as_ptr() as usize) }.unwrap();
            assert_eq!(b.capacity, 40);
            // SAFETY: as above.
            unsafe { assert!(Heaps::free_fast(p)) };
        }
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
