//! The allocator's figures and `trim`, the same in every mode: what
//! `mallinfo`, `mallinfo2`, `malloc_stats` and `malloc_trim` report, and
//! what [`stats`] gives a Rust program.
//!
//! The default allocator keeps its own counts (`heap::usage`). The other
//! modes are wrapped in [`Counted`], which counts live blocks as the shared
//! layer allocates, resizes and frees them: those modes have no quick path,
//! so every block passes through it.

#[cfg(not(minic_malloc = "default"))]
pub(crate) use counted::Counted;
#[cfg(not(minic_malloc = "default"))]
pub use counted::{stats, trim};

/// The allocator's figures, as [`stats`] reads them. Under concurrency they
/// are approximate: each is read on its own.
///
/// ```
/// let s = minic::malloc::stats();
/// assert!(s.held >= s.in_use);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes the allocator holds from the kernel, in use or not: slabs,
    /// large mappings and cached mappings in the default mode; the mappings
    /// or carved space of live blocks in the others.
    pub held: usize,
    /// Bytes in live blocks (whole slots, whole mappings).
    pub in_use: usize,
    /// Live blocks that have a mapping of their own.
    pub large_blocks: usize,
    /// Bytes of those mappings.
    pub large_bytes: usize,
    /// Empty slabs the default mode keeps for reuse (0 in the other modes).
    pub free_slabs: usize,
    /// Bytes [`trim`] would give back now.
    pub trimmable: usize,
}

impl Stats {
    /// Bytes held for blocks that share memory (slabs, carved regions): what
    /// `mallinfo`'s `arena` reports.
    ///
    /// ```
    /// let s = minic::malloc::stats();
    /// assert!(s.shared_arena() <= s.held);
    /// ```
    pub fn shared_arena(&self) -> usize {
        self.held.saturating_sub(self.large_bytes + self.trimmable)
    }

    /// Bytes held but in no live block (`mallinfo`'s `fordblks`).
    ///
    /// ```
    /// let s = minic::malloc::stats();
    /// assert!(s.free_in_arena() <= s.shared_arena());
    /// ```
    pub fn free_in_arena(&self) -> usize {
        let small_in_use = self.in_use.saturating_sub(self.large_bytes);
        self.shared_arena().saturating_sub(small_in_use)
    }
}

/// The allocator's current figures.
///
/// ```
/// let p = minic::malloc::allocate(1 << 20, 16).unwrap();
/// let s = minic::malloc::stats();
/// assert!(s.in_use >= 1 << 20 && s.large_blocks >= 1);
/// unsafe { minic::malloc::deallocate(p) };
/// ```
#[cfg(minic_malloc = "default")]
pub fn stats() -> Stats {
    let u = super::heap::usage();
    Stats {
        held: u.slab_mapped + u.large_bytes + u.large_cached,
        in_use: u.small_in_use + u.large_bytes,
        large_blocks: u.large_count,
        large_bytes: u.large_bytes,
        free_slabs: (u.slab_mapped - u.slab_held) / super::heap::SLAB,
        trimmable: u.large_cached,
    }
}

/// Gives memory the allocator keeps for reuse back to the kernel now (the
/// default mode's empty slabs and cached large mappings); whether any went.
/// The other modes keep none: `false`.
///
/// ```
/// let p = minic::malloc::allocate(1 << 20, 16).unwrap();
/// unsafe { minic::malloc::deallocate(p) };
/// minic::malloc::trim();
/// assert_eq!(minic::malloc::stats().trimmable, 0);
/// ```
#[cfg(minic_malloc = "default")]
pub fn trim() -> bool {
    super::heap::trim()
}

/// The counts of the modes other than the default one.
#[cfg(not(minic_malloc = "default"))]
mod counted {
    use super::super::header::{Block, Misuse, HEADER, OWN_MAPPING};
    use super::super::Policy;
    use super::Stats;
    use crate::errno::Errno;
    use crate::port::PAGE_SIZE;
    use core::ptr::NonNull;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// Live blocks' bytes, blocks with their own mapping and the bytes held for
    /// live blocks, in the modes [`Counted`] wraps.
    static IN_USE: AtomicUsize = AtomicUsize::new(0);
    static LARGE_BLOCKS: AtomicUsize = AtomicUsize::new(0);
    static LARGE_BYTES: AtomicUsize = AtomicUsize::new(0);
    static HELD: AtomicUsize = AtomicUsize::new(0);

    /// The allocator's current figures.
    ///
    /// ```
    /// let p = minic::malloc::allocate(1 << 20, 16).unwrap();
    /// let s = minic::malloc::stats();
    /// assert!(s.in_use >= 1 << 20 && s.held >= s.in_use);
    /// unsafe { minic::malloc::deallocate(p) };
    /// ```
    pub fn stats() -> Stats {
        Stats {
            held: HELD.load(Ordering::Relaxed),
            in_use: IN_USE.load(Ordering::Relaxed),
            large_blocks: LARGE_BLOCKS.load(Ordering::Relaxed),
            large_bytes: LARGE_BYTES.load(Ordering::Relaxed),
            free_slabs: 0,
            trimmable: 0,
        }
    }

    /// Gives memory the allocator keeps for reuse back to the kernel now;
    /// whether any went. This mode keeps none (freed blocks are unmapped, or
    /// sealed in the guard mode's quarantine on purpose, or the linear mode's
    /// break shrinks as its top is freed): always `false`.
    ///
    /// ```
    /// assert!(!minic::malloc::trim());
    /// ```
    pub fn trim() -> bool {
        false
    }

    /// A mode's policy with its live blocks counted for [`stats`].
    pub(crate) struct Counted<P>(core::marker::PhantomData<P>);

    /// The bytes of memory that hold `block`: its whole pages when it has a
    /// mapping of its own, else its header, pad and payload.
    fn footprint(block: &Block) -> usize {
        let start = block.payload - HEADER - block.pad;
        let end = block.payload + block.capacity;
        if block.state & OWN_MAPPING != 0 {
            let first = start - start % PAGE_SIZE;
            end.next_multiple_of(PAGE_SIZE) - first
        } else {
            end - start
        }
    }

    /// Adds a block to the counts, or takes it out of them.
    fn count(block: &Block, live: bool) {
        let change = |counter: &AtomicUsize, n: usize| {
            if live {
                counter.fetch_add(n, Ordering::Relaxed);
            } else {
                counter.fetch_sub(n, Ordering::Relaxed);
            }
        };
        change(&IN_USE, block.capacity);
        let bytes = footprint(block);
        change(&HELD, bytes);
        if block.state & OWN_MAPPING != 0 {
            change(&LARGE_BLOCKS, 1);
            change(&LARGE_BYTES, bytes);
        }
    }

    impl<P: Policy> Policy for Counted<P> {
        fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
            let r = P::alloc(capacity, align);
            if let Ok((block, _)) = &r {
                count(block, true);
            }
            r
        }

        fn alloc_zero_size() -> Option<Block> {
            let block = P::alloc_zero_size()?;
            count(&block, true);
            Some(block)
        }

        unsafe fn free(block: Block) {
            count(&block, false);
            // SAFETY: the caller's contract.
            unsafe { P::free(block) }
        }

        unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
            // SAFETY: the caller's contract.
            let resized = unsafe { P::resize(block, capacity, align) };
            if let Some(new) = &resized {
                count(&block, false);
                count(new, true);
            }
            resized
        }

        unsafe fn set_size(block: Block, size: usize) {
            // SAFETY: the caller's contract.
            unsafe { P::set_size(block, size) }
        }

        unsafe fn usable(block: Block) -> usize {
            // SAFETY: the caller's contract.
            unsafe { P::usable(block) }
        }

        #[inline]
        unsafe fn find(address: usize) -> Result<Block, Misuse> {
            // SAFETY: the caller's contract.
            unsafe { P::find(address) }
        }

        #[inline(always)]
        fn alloc_fast(size: usize) -> Option<NonNull<u8>> {
            // A quick path would bypass the counts: the wrapped modes have none.
            let _ = size;
            None
        }
    }
}
