//! minic's default allocator: thread heaps over slabs of size-classed slots.
//!
//! Read in the order a request takes:
//!
//! 1. `class.rs`: a request's size class (16-byte steps, then eight per
//!    power of two), the same for every request of that size.
//! 2. `alloc.rs`: malloc. The thread's heap has, per class, a bin of slabs
//!    with free slots; the quick path takes the slot at the cursor of the
//!    class's current slab (a bit search in its record). The way to a new
//!    slot when that slab is full: other threads' frees, the next slab, a
//!    slab from the pool.
//! 3. `free.rs`: free. The chunk map says whether a pointer is in a slab at
//!    all; the slab's record says whether it is exactly a live slot. The
//!    owner's thread clears the slot's bit; another thread sets its
//!    `freed_remotely` bit (one atomic OR) and, once per batch, puts the
//!    slab on its owner's pending stack.
//! 4. `upkeep.rs`: what keeps memory following use: collecting other
//!    threads' frees, giving empty slabs back, tidying a heap at a trim or
//!    a thread's exit, freeing into a heap whose thread exited as its owner
//!    would.
//! 5. `slab.rs` (a slab's record and bitmaps) and `chunk.rs` (chunks, the
//!    chunk map, the pool of empty slabs and the return of their memory).
//! 6. `large.rs`: blocks above the largest slot, each in its own mapping
//!    with the family's 16-byte header; `zero.rs`: `malloc(0)`'s blocks,
//!    addresses in a mapping with no access; `thread.rs`: which heap a
//!    thread uses, and holding for a moment one whose thread exited.
//!
//! Words for memory going back, from the block up: a block is *freed*; a
//! slab with no block left is *retired* to the pool; the pool *releases* a
//! slab's pages to the kernel; `trim` *unmaps* chunks no heap uses.
//!
//! What an attacker's write cannot do here: slots carry no header and no
//! link, and every record lies between guard pages, so neither a write
//! after free nor a linear overflow changes allocator state; a pointer is
//! freed only if it is exactly the start of a slot whose bit says it is
//! allocated (interior, foreign and double frees are reported).

mod alloc;
mod chunk;
mod class;
mod free;
mod large;
mod slab;
mod thread;
mod upkeep;
mod zero;

use super::header::{clear_slack, Block, Misuse, OWN_MAPPING};
use super::registry::registered_block;
use super::Policy;
use crate::errno::Errno;
use class::TABLE;
use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{compiler_fence, AtomicBool, AtomicPtr, AtomicU32, Ordering};
use slab::{Slab, SlabList};

pub use chunk::SLAB;
pub use upkeep::{trim, usage};

/// The largest block served from slabs.
const MAX_SMALL: usize = class::MAX_SLOT;

/// The head of a heap's stack of slabs other threads freed slots in.
#[repr(C, align(64))]
pub struct Pending(AtomicPtr<Slab>);

/// A thread's heap. Everything but `pending` and `owner` is touched by its
/// owner thread only. Cache-line aligned: two threads' heaps never share a
/// line.
#[repr(C, align(64))]
pub struct Heap {
    /// Set while the owner works on the heap: a signal handler that
    /// interrupted it finds the heap busy and leaves it alone. First, on
    /// the line of the smallest classes' `current` slabs.
    busy: bool,
    /// Per class, the slab malloc takes from: the one this thread freed a
    /// slot in last (that slot, warm in the cache, comes back first), else
    /// the first of the bin. Null when there is none yet.
    current: [*mut Slab; TABLE],
    /// Per class, the slabs with free slots.
    bins: [SlabList; TABLE],
    /// Slabs with no free slot, of every class.
    full: SlabList,
    /// Slabs of this heap in which other threads freed slots; alone in its
    /// cache line, which other threads write.
    pending: Pending,
    /// The owner's thread id, 0 once it exited (for adoption by another),
    /// or `thread::HELD` while another thread frees into it or tidies it.
    owner: AtomicU32,
    /// The owner's exit is hooked: `owner` becomes 0 then, and no one
    /// needs to ask the kernel whether the owner still lives.
    exit_hooked: AtomicBool,
    /// The thread id of the owner that last exited: that thread's later
    /// exit handlers free into the heap as any other thread would, and do
    /// not adopt it again (`thread::adopt_orphan`); a heap the thread
    /// takes in them is marked as one whose exit hook may not run.
    left_by: AtomicU32,
    /// The next heap of the process (never changes once set).
    next: *mut Heap,
}

impl Heap {
    /// A heap with no slab (zeroed memory is one too).
    #[cfg_attr(not(feature = "freestanding"), allow(dead_code))]
    pub const fn new() -> Heap {
        Heap {
            busy: false,
            current: [null_mut(); TABLE],
            bins: [SlabList::EMPTY; TABLE],
            full: SlabList::EMPTY,
            pending: Pending(AtomicPtr::new(null_mut())),
            owner: AtomicU32::new(0),
            exit_hooked: AtomicBool::new(false),
            left_by: AtomicU32::new(0),
            next: null_mut(),
        }
    }
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
pub struct ThreadHeaps;

impl Policy for ThreadHeaps {
    #[inline(always)]
    fn alloc_fast(size: usize) -> Option<NonNull<u8>> {
        alloc::alloc_fast(size)
    }

    #[inline(always)]
    fn fast_capacity(size: usize) -> usize {
        class::size_of(class::class_of(size))
    }

    #[inline(always)]
    unsafe fn free_fast(address: usize) -> bool {
        // SAFETY: the caller's contract.
        unsafe { free::free_fast(address) }
    }

    #[inline(always)]
    unsafe fn resize_fast(ptr: NonNull<u8>, size: usize) -> Option<NonNull<u8>> {
        let slot = free::live_slot(ptr.as_ptr() as usize).ok()??;
        if size > slot.capacity {
            return None;
        }
        // SAFETY: a live slot of at least `size` bytes, the caller's.
        unsafe { clear_slack(slot, size, size.max(1).next_multiple_of(16)) };
        Some(ptr)
    }

    #[inline]
    unsafe fn find(address: usize) -> Result<Block, Misuse> {
        match free::live_slot(address)? {
            Some(block) => Ok(block),
            None => match zero::find(address) {
                Some(found) => found,
                // SAFETY: the caller's contract.
                None => unsafe { registered_block(address) },
            },
        }
    }

    fn alloc_zero_size() -> Option<Block> {
        zero::alloc()
    }

    #[inline]
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        match class::aligned_class(capacity, align) {
            Some(class) => alloc::alloc_slot(capacity, class).map(|b| (b, false)),
            // Out of address space or memory, what the allocator keeps
            // for reuse goes back before the request fails.
            None => large::alloc(capacity, align)
                .or_else(|| {
                    (chunk::trim() | large::trim()).then(|| large::alloc(capacity, align))?
                })
                .ok_or(Errno::ENOMEM),
        }
    }

    #[inline]
    unsafe fn free(block: Block) {
        // SAFETY: the caller's contract.
        unsafe {
            if block.state & OWN_MAPPING != 0 {
                large::free(&block)
            } else if zero::is_zero_size(&block) {
                zero::free(block.payload)
            } else {
                free::free_slot_general(block.payload)
            }
        }
    }

    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        if capacity <= block.capacity {
            return Some(block);
        }
        if block.state & OWN_MAPPING != 0 && align == 16 && block.pad == large::LEAD {
            // SAFETY: a live large block of 16-byte alignment.
            return unsafe { large::resize(&block, capacity) };
        }
        None
    }
}

#[cfg(test)]
mod tests;
