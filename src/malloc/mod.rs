//! The malloc family: the logic every allocator mode shares.
//!
//! A mode (`cfg(minic_malloc = ...)`, chosen by `make MALLOC=<mode>`) is a
//! `Policy`: it hands out blocks with a `header::Block` header, frees
//! them and resizes them in place when it can. Everything else — size
//! arithmetic with overflow checks, zeroing, the `realloc` family's rules,
//! alignment, misuse reports — is written once, here, over that interface.
//!
//! | mode | memory | free |
//! |---|---|---|
//! | `linear` | the program break, used linearly; mapped regions when it cannot grow | only the most recent block is reused |
//! | `mmap` | one mapping per block | unmaps the block |
//! | `guard` | one mapping per block, ending at an inaccessible page | seals the block, quarantined |
//! | `default` | thread heaps over slabs of size-classed slots, large blocks mapped (`heap/`) | back to the slot's slab; empty slabs and old large mappings back to the kernel |
//!
//! The functions below are the Rust-facing API, used by the C ABI (`c.rs`)
//! and usable by a Rust `GlobalAlloc`: sizes and alignments in, `Errno` out.
//! Every failure is `ENOMEM`, or `EINVAL` for an alignment that is not a
//! power of two.

use crate::errno::Errno;
use core::ptr::NonNull;

#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;
#[cfg(minic_malloc = "guard")]
mod guard;
pub(crate) mod header;
#[cfg(minic_malloc = "default")]
// trim and the statistics serve the C ABI only.
#[cfg_attr(not(feature = "capi"), allow(dead_code))]
pub(crate) mod heap;
#[cfg(minic_malloc = "linear")]
mod linear;
#[cfg(not(any(minic_malloc = "guard", minic_malloc = "default")))]
mod mmap;
pub(crate) mod os;
pub(crate) mod registry;
mod stats;

pub use stats::{stats, trim, Stats};

pub(crate) use header::report;
use header::{clear_slack, Block, Misuse, ALIGN, HEADER, MAX_PAD};
use registry::registered_block;

/// What an allocator mode provides.
pub(crate) trait Policy {
    /// A new block with at least `capacity` payload bytes (a non-zero
    /// multiple of 16) at alignment `align` (a power of two, at least 16, at
    /// most `MAX_PAD`), its header written; and whether its payload is known
    /// to be zero-filled. The page holding the header must be `Live` in the
    /// [`registry`] (a mode registers the memory it carves blocks from, or
    /// each block's first page): `free` reads no header elsewhere.
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno>;

    /// Releases a live block.
    ///
    /// # Safety
    /// `block` was just read from a live block's header, and nothing uses
    /// its memory any more.
    unsafe fn free(block: Block);

    /// Gives a live block at least `capacity` payload bytes (a non-zero
    /// multiple of 16) without copying it: in place, or by moving its pages
    /// (contents kept, payload still aligned to `align`). On growth, the
    /// bytes past the old capacity are indeterminate. `None` when it cannot;
    /// the block is then unchanged.
    ///
    /// # Safety
    /// As for [`Policy::free`]; on success the old payload address is dead
    /// if the block moved.
    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block>;

    /// A block for `malloc(0)` with no bytes at all (capacity 0), where
    /// the mode has such blocks; by default None: a zero-size request gets
    /// the smallest ordinary block.
    fn alloc_zero_size() -> Option<Block> {
        None
    }

    /// Learns the size the caller asked for, after `alloc` or `resize` gave
    /// `block` (the guard mode puts a canary past it); by default nothing.
    ///
    /// # Safety
    /// `block` is live and holds at least `size` bytes.
    unsafe fn set_size(block: Block, size: usize) {
        let _ = (block, size);
    }

    /// The bytes the caller may use: by default the whole capacity.
    ///
    /// # Safety
    /// `block` is live.
    unsafe fn usable(block: Block) -> usize {
        block.capacity
    }

    /// The live block whose payload is `address`, or what is wrong with
    /// it; nothing outside the mode's own memory is read. By default the
    /// [`registry`] says whether a header may lie before `address`, and the
    /// header's check word decides.
    ///
    /// # Safety
    /// If `address` is a live block, nobody else frees or resizes it
    /// meanwhile.
    #[inline]
    unsafe fn find(address: usize) -> Result<Block, Misuse> {
        // SAFETY: the caller's contract.
        unsafe { registered_block(address) }
    }

    /// A block of `size` bytes at 16-byte alignment by the mode's quickest
    /// path (its slack past `size` as it is: see `allocate_zeroed`); None
    /// sends the request down the general path.
    #[inline(always)]
    fn alloc_fast(size: usize) -> Option<NonNull<u8>> {
        let _ = size;
        None
    }

    /// The capacity of a block [`Policy::alloc_fast`] returns for `size`.
    #[inline(always)]
    fn fast_capacity(size: usize) -> usize {
        size
    }

    /// Resizes the block at `ptr` to `size` bytes in place by the mode's
    /// quickest path if it can tell at once that `ptr` is a live block of
    /// 16-byte alignment with room for them (the slack past `size` cleared
    /// as `alloc_block` does); None sends it down the general path.
    ///
    /// # Safety
    /// As for [`reallocate`].
    #[inline(always)]
    unsafe fn resize_fast(ptr: NonNull<u8>, size: usize) -> Option<NonNull<u8>> {
        let _ = (ptr, size);
        None
    }

    /// Frees the block at `address` by the mode's quickest path if it can
    /// tell at once that it is a live block it may free so; false sends it
    /// down the general path (which also reports misuse). Any address may
    /// come, 0 (the C `free(NULL)`) included: it is never the mode's.
    ///
    /// # Safety
    /// As for [`deallocate`].
    #[inline(always)]
    unsafe fn free_fast(address: usize) -> bool {
        let _ = address;
        false
    }
}

#[cfg(minic_malloc = "default")]
type Active = heap::ThreadHeaps;
#[cfg(minic_malloc = "linear")]
type Active = stats::Counted<linear::Linear>;
#[cfg(minic_malloc = "mmap")]
type Active = stats::Counted<mmap::Mmap>;
#[cfg(minic_malloc = "guard")]
type Active = stats::Counted<guard::GuardPages>;

/// The largest size any block may have: pointer differences inside an object
/// must fit in `ptrdiff_t`.
const MAX_SIZE: usize = isize::MAX as usize / 2;

/// The capacity a request of `size` bytes needs: at least one 16-byte unit
/// (so that `malloc(0)` is a unique block), overflow-checked.
#[inline]
fn capacity_for(size: usize) -> Result<usize, Errno> {
    if size > MAX_SIZE {
        return Err(Errno::ENOMEM);
    }
    Ok(size.max(1).next_multiple_of(ALIGN))
}

/// `nmemb * size`, or `ENOMEM` when it overflows.
///
/// ```
/// use minic::{malloc::array_size, Errno};
/// assert_eq!(array_size(4, 100), Ok(400));
/// assert_eq!(array_size(usize::MAX, 2), Err(Errno::ENOMEM));
/// ```
#[inline]
pub fn array_size(nmemb: usize, size: usize) -> Result<usize, Errno> {
    nmemb.checked_mul(size).ok_or(Errno::ENOMEM)
}

/// The alignment a block for `align` gets: at least 16; `EINVAL` unless a
/// power of two, `ENOMEM` when larger than a header can record.
#[inline]
fn block_align(align: usize) -> Result<usize, Errno> {
    if !align.is_power_of_two() {
        return Err(Errno::EINVAL);
    }
    if align > MAX_PAD {
        return Err(Errno::ENOMEM);
    }
    Ok(align.max(ALIGN))
}

/// Allocates and clears the bytes between `size` and the next 16-byte
/// boundary, so that the slack of a fresh block is zero: `recallocarray`,
/// which sees only the capacity, then zeroes exactly what was never asked for.
fn alloc_block(size: usize, align: usize) -> Result<(Block, bool), Errno> {
    if size == 0 && align == ALIGN {
        if let Some(block) = Active::alloc_zero_size() {
            return Ok((block, true));
        }
    }
    let capacity = capacity_for(size)?;
    let (block, zeroed) = Active::alloc(capacity, align).map_err(|_| Errno::ENOMEM)?;
    if !zeroed {
        // SAFETY: the last 16 bytes of the requested capacity are in the new
        // block, which nobody has seen yet.
        unsafe { clear_fresh_slack(block, capacity) };
    }
    // SAFETY: a new block of at least `size` bytes.
    unsafe { Active::set_size(block, size) };
    Ok((block, zeroed))
}

/// Zeroes the slack of a new block: its whole last 16-byte unit, which holds
/// nothing yet (one store; see [`clear_slack`]).
///
/// # Safety
/// `block` is new, with `capacity <= block.capacity`.
#[inline]
unsafe fn clear_fresh_slack(block: Block, capacity: usize) {
    let last = block.payload + capacity - ALIGN;
    // SAFETY: the unit lies inside the new block's payload, 16-aligned.
    unsafe { (last as *mut u128).write(0) };
}

/// Allocates `size` bytes at alignment `align` (any power of two; smaller
/// than 16 is rounded up). `malloc(0)` is a unique, freeable block.
///
/// ```
/// let p = minic::malloc::allocate(100, 64).unwrap();
/// assert_eq!(p.as_ptr() as usize % 64, 0);
/// assert!(unsafe { minic::malloc::usable_size(p) } >= 100);
/// unsafe { minic::malloc::deallocate(p) };
/// ```
#[inline(always)]
pub fn allocate(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    if align.is_power_of_two() && align <= ALIGN {
        if let Some(p) = Active::alloc_fast(size) {
            return Ok(p);
        }
    }
    allocate_general(size, align)
}

/// A block of `size` bytes at 16-byte alignment by the mode's quick path
/// only (None: use [`allocate`]).
#[cfg(feature = "capi")]
#[inline(always)]
pub(crate) fn allocate_fast(size: usize) -> Option<NonNull<u8>> {
    Active::alloc_fast(size)
}

/// [`allocate`] past the mode's quick path.
#[inline(never)]
pub(crate) fn allocate_general(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    let (block, _) = alloc_block(size, block_align(align)?)?;
    Ok(payload_ptr(block))
}

/// Like [`allocate`], with the first `size` bytes zero. Memory fresh from
/// the kernel is not cleared again.
///
/// ```
/// let p = minic::malloc::allocate_zeroed(4096, 16).unwrap();
/// let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), 4096) };
/// assert!(bytes.iter().all(|&b| b == 0));
/// unsafe { minic::malloc::deallocate(p) };
/// ```
#[inline(always)]
pub fn allocate_zeroed(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    if align.is_power_of_two() && align <= ALIGN {
        if let Some(p) = Active::alloc_fast(size) {
            // The whole capacity, slack included: `recallocarray` relies on
            // it. SAFETY: the new block has that many bytes.
            unsafe { core::ptr::write_bytes(p.as_ptr(), 0, Active::fast_capacity(size)) };
            return Ok(p);
        }
    }
    allocate_zeroed_general(size, align)
}

/// [`allocate_zeroed`] past the mode's quick path.
#[inline(never)]
fn allocate_zeroed_general(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    let (block, zeroed) = alloc_block(size, block_align(align)?)?;
    if !zeroed {
        // SAFETY: the new block has at least `size` bytes.
        unsafe { core::ptr::write_bytes(block.payload as *mut u8, 0, size) };
    }
    Ok(payload_ptr(block))
}

/// The block of `ptr`; misuse (a pointer minic did not return, a damaged
/// header, a double free) is reported on stderr and aborts.
///
/// # Safety
/// If `ptr` is a live block, nobody else frees or resizes it meanwhile
/// (any other pointer is told apart).
#[inline]
unsafe fn live_block(ptr: NonNull<u8>, function: &str) -> Block {
    let address = ptr.as_ptr() as usize;
    // SAFETY: the caller's contract.
    match unsafe { Active::find(address) } {
        Ok(block) => block,
        Err(misuse) => report(function, misuse, address),
    }
}

fn payload_ptr(block: Block) -> NonNull<u8> {
    // A payload address lies past its header: never zero.
    NonNull::new(block.payload as *mut u8).unwrap_or(NonNull::dangling())
}

/// Frees a block. Never changes `errno` (no allocator path sets it).
///
/// # Safety
/// `ptr` is a live block from this allocator; nothing uses it afterwards.
///
/// ```
/// let p = minic::malloc::allocate(32, 16).unwrap();
/// unsafe { minic::malloc::deallocate(p) };
/// ```
#[inline(always)]
pub unsafe fn deallocate(ptr: NonNull<u8>) {
    // SAFETY: the caller's contract.
    unsafe { deallocate_nullable(ptr.as_ptr()) }
}

/// [`deallocate`] for a pointer that may be null (the C `free`): a null
/// pointer takes the quick path's test for "not a quick block", so a
/// non-null one pays no test of its own.
///
/// # Safety
/// `ptr` is null, or as for [`deallocate`].
#[inline(always)]
pub(crate) unsafe fn deallocate_nullable(ptr: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe {
        if !Active::free_fast(ptr as usize) {
            if let Some(p) = NonNull::new(ptr) {
                deallocate_general(p);
            }
        }
    }
}

/// [`deallocate`] past the mode's quick path.
///
/// # Safety
/// As for [`deallocate`].
#[inline(never)]
unsafe fn deallocate_general(ptr: NonNull<u8>) {
    // SAFETY: the caller's contract.
    unsafe {
        let block = live_block(ptr, "free");
        Active::free(block);
    }
}

/// Frees a block given the size it was allocated with (C23 `free_sized`):
/// a size larger than the block is misuse.
///
/// # Safety
/// As for [`deallocate`].
///
/// ```
/// let p = minic::malloc::allocate(40, 16).unwrap();
/// unsafe { minic::malloc::deallocate_sized(p, 40) };
/// ```
pub unsafe fn deallocate_sized(ptr: NonNull<u8>, size: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let block = live_block(ptr, "free_sized");
        if size > Active::usable(block) {
            report("free_sized", Misuse::WrongSize, block.payload);
        }
        Active::free(block);
    }
}

/// Bytes usable at `ptr` (at least what was asked for).
///
/// # Safety
/// `ptr` is a live block from this allocator.
///
/// ```
/// let p = minic::malloc::allocate(100, 16).unwrap();
/// assert!(unsafe { minic::malloc::usable_size(p) } >= 100);
/// unsafe { minic::malloc::deallocate(p) };
/// ```
pub unsafe fn usable_size(ptr: NonNull<u8>) -> usize {
    // SAFETY: the caller's contract.
    unsafe { Active::usable(live_block(ptr, "malloc_usable_size")) }
}

/// Resizes a block to `size` bytes, keeping its contents up to the smaller
/// size and its alignment `align`. A size within the block's capacity keeps
/// the block where it is. On failure the block is untouched.
///
/// # Safety
/// `ptr` is a live block from this allocator, allocated with an alignment of
/// at least `align`; on success only the returned pointer may be used.
///
/// ```
/// use minic::malloc::{allocate, deallocate, reallocate};
/// let p = allocate(8, 16).unwrap();
/// unsafe { p.as_ptr().write(42) };
/// let q = unsafe { reallocate(p, 100_000, 16) }.unwrap();
/// assert_eq!(unsafe { q.as_ptr().read() }, 42);
/// unsafe { deallocate(q) };
/// ```
#[inline(always)]
pub unsafe fn reallocate(
    ptr: NonNull<u8>,
    size: usize,
    align: usize,
) -> Result<NonNull<u8>, Errno> {
    if align.is_power_of_two() && align <= ALIGN {
        // SAFETY: the caller's contract.
        if let Some(p) = unsafe { reallocate_fast(ptr, size) } {
            return Ok(p);
        }
    }
    // SAFETY: the caller's contract.
    unsafe { reallocate_general(ptr, size, align) }
}

/// [`reallocate`] at 16-byte alignment by the mode's quick path only: the
/// block itself when `size` fits where it is (None: use
/// [`reallocate_general`]).
///
/// # Safety
/// As for [`reallocate`].
#[inline(always)]
pub(crate) unsafe fn reallocate_fast(ptr: NonNull<u8>, size: usize) -> Option<NonNull<u8>> {
    // SAFETY: the caller's contract.
    unsafe { Active::resize_fast(ptr, size) }
}

/// [`reallocate`] past the mode's quick path.
///
/// # Safety
/// As for [`reallocate`].
#[inline(never)]
pub(crate) unsafe fn reallocate_general(
    ptr: NonNull<u8>,
    size: usize,
    align: usize,
) -> Result<NonNull<u8>, Errno> {
    let align = block_align(align)?;
    let capacity = capacity_for(size)?;
    // SAFETY: the caller's contract.
    let block = unsafe { live_block(ptr, "realloc") };
    // A capacity may be a multiple of 8 only (the default mode's small
    // blocks): what decides is whether `size` fits.
    if size <= block.capacity {
        // Shrinking keeps the block where it is (but in guard mode, whose
        // blocks must end at their guard page); the mode may give the tail
        // back.
        // SAFETY: a live block, resized to no more than it holds; the
        // result (moved or not) holds at least `size` bytes.
        let block = unsafe {
            let fits = capacity.min(block.capacity);
            let block = Active::resize(block, fits, align).unwrap_or(block);
            Active::set_size(block, size);
            block
        };
        return Ok(payload_ptr(block));
    }
    // SAFETY: a live block; on success it now has `capacity` bytes.
    if let Some(grown) = unsafe { Active::resize(block, capacity, align) } {
        // SAFETY: the unit below `capacity` is past the old capacity: no data.
        unsafe {
            clear_slack(grown, size, capacity);
            Active::set_size(grown, size);
        }
        return Ok(payload_ptr(grown));
    }
    let (fresh, _) = alloc_block(size, align)?;
    // SAFETY: the new block holds `capacity > block.capacity` bytes; the two
    // blocks are distinct live blocks, and the old one is not used again.
    unsafe {
        core::ptr::copy_nonoverlapping(
            block.payload as *const u8,
            fresh.payload as *mut u8,
            block.capacity,
        );
        Active::free(block);
    }
    Ok(payload_ptr(fresh))
}

/// `realloc` for arrays that zeroes what the array gains: like
/// [`reallocate`] with `nmemb * size` bytes (16-byte alignment), with the
/// bytes past the old block's capacity zero, and on shrinking the bytes
/// given up cleared too (they stay inside the block). The old size is the
/// capacity recorded in the header (so three arguments suffice):
/// bytes between a block's requested size and its capacity are zero when
/// minic hands the block out, unless the program wrote there.
///
/// # Safety
/// As for [`reallocate`]; `ptr` may be `None` (a new zeroed array).
///
/// ```
/// use minic::malloc::{deallocate, reallocate_zeroed_array};
/// let p = unsafe { reallocate_zeroed_array(None, 4, 8) }.unwrap();
/// let q = unsafe { reallocate_zeroed_array(Some(p), 64, 8) }.unwrap();
/// let bytes = unsafe { core::slice::from_raw_parts(q.as_ptr(), 512) };
/// assert!(bytes.iter().all(|&b| b == 0));
/// unsafe { deallocate(q) };
/// ```
pub unsafe fn reallocate_zeroed_array(
    ptr: Option<NonNull<u8>>,
    nmemb: usize,
    size: usize,
) -> Result<NonNull<u8>, Errno> {
    let total = array_size(nmemb, size)?;
    let Some(ptr) = ptr else {
        return allocate_zeroed(total, ALIGN);
    };
    // SAFETY: the caller's contract.
    let old_capacity = unsafe { Active::usable(live_block(ptr, "recallocarray")) };
    // SAFETY: the caller's contract.
    let new = unsafe { reallocate(ptr, total, ALIGN) }?;
    // SAFETY: the block has at least `total` bytes and, when it stayed in
    // place, still `new_capacity` (its header says so).
    unsafe {
        let new_capacity = Active::usable(live_block(new, "recallocarray"));
        let (from, to) = if total > old_capacity {
            (old_capacity, total)
        } else {
            (total, old_capacity.min(new_capacity))
        };
        core::ptr::write_bytes(new.as_ptr().add(from), 0, to - from);
    }
    Ok(new)
}

/// The header size, for documentation and tests: every block costs this
/// much beyond its capacity (plus any alignment pad).
///
/// ```
/// assert_eq!(minic::malloc::HEADER_SIZE, 16);
/// ```
pub const HEADER_SIZE: usize = HEADER;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(capacity_for(0), Ok(16));
        assert_eq!(capacity_for(1), Ok(16));
        assert_eq!(capacity_for(16), Ok(16));
        assert_eq!(capacity_for(17), Ok(32));
        assert_eq!(capacity_for(usize::MAX), Err(Errno::ENOMEM));
        assert_eq!(capacity_for(isize::MAX as usize), Err(Errno::ENOMEM));
        assert!(capacity_for(MAX_SIZE).unwrap() >= MAX_SIZE);
    }

    #[test]
    fn alignments() {
        assert_eq!(block_align(1), Ok(16));
        assert_eq!(block_align(8), Ok(16));
        assert_eq!(block_align(4096), Ok(4096));
        assert_eq!(block_align(0), Err(Errno::EINVAL));
        assert_eq!(block_align(24), Err(Errno::EINVAL));
        assert_eq!(block_align(1 << 40), Err(Errno::ENOMEM));
    }

    #[test]
    fn array_sizes() {
        assert_eq!(array_size(3, 5), Ok(15));
        assert_eq!(array_size(usize::MAX, 2), Err(Errno::ENOMEM));
        assert_eq!(array_size(0, usize::MAX), Ok(0));
    }
}
