//! The malloc family (interim: the family's shared layer lands with the
//! malloc branch; this is the same interface, enough to run the default
//! allocator on its own).
//!
//! An allocator mode is a [`Policy`]: it hands out blocks with a
//! [`header::Block`] header, frees them and resizes them without copying
//! when it can. Sizes, overflow checks, zeroing, the realloc rules and
//! misuse reports are written once, here.

use crate::errno::Errno;
use core::ptr::NonNull;

#[cfg(feature = "capi")]
#[doc(hidden)]
pub mod c;
pub(crate) mod header;
pub(crate) mod heap;

use header::{Block, Misuse, ALIGN, MAX_PAD};

/// What an allocator mode provides.
pub(crate) trait Policy {
    /// A block of at least `capacity` bytes (a non-zero multiple of 16) at
    /// alignment `align` (a power of two, 16 to `MAX_PAD`), its header
    /// written, and whether its payload is known to be zero.
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno>;

    /// Releases a live block.
    ///
    /// # Safety
    /// `block` was just read from a live block's header; nothing uses it.
    unsafe fn free(block: Block);

    /// The block with at least `capacity` bytes without copying, contents
    /// kept, or None (the block is unchanged).
    ///
    /// # Safety
    /// As for [`Policy::free`]; on success only the returned block is live.
    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block>;
}

type Active = heap::Heaps;

const MAX_SIZE: usize = isize::MAX as usize / 2;

fn capacity_for(size: usize) -> Result<usize, Errno> {
    if size > MAX_SIZE {
        return Err(Errno::ENOMEM);
    }
    Ok(size.max(1).next_multiple_of(ALIGN))
}

fn block_align(align: usize) -> Result<usize, Errno> {
    if !align.is_power_of_two() {
        return Err(Errno::EINVAL);
    }
    if align > MAX_PAD {
        return Err(Errno::ENOMEM);
    }
    Ok(align.max(ALIGN))
}

/// `nmemb * size`, or `ENOMEM` on overflow.
pub fn array_size(nmemb: usize, size: usize) -> Result<usize, Errno> {
    nmemb.checked_mul(size).ok_or(Errno::ENOMEM)
}

fn payload_ptr(b: Block) -> NonNull<u8> {
    NonNull::new(b.payload as *mut u8).unwrap_or(NonNull::dangling())
}

/// `size` bytes at alignment `align` (a power of two).
pub fn allocate(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    let (b, _) = Active::alloc(capacity_for(size)?, block_align(align)?)?;
    Ok(payload_ptr(b))
}

/// Like [`allocate`], the first `size` bytes zero.
pub fn allocate_zeroed(size: usize, align: usize) -> Result<NonNull<u8>, Errno> {
    let (b, zero) = Active::alloc(capacity_for(size)?, block_align(align)?)?;
    if !zero {
        // SAFETY: the new block holds at least `size` bytes.
        unsafe { core::ptr::write_bytes(b.payload as *mut u8, 0, size) };
    }
    Ok(payload_ptr(b))
}

/// # Safety
/// `ptr` came from this allocator.
#[inline]
unsafe fn live_block(ptr: NonNull<u8>, function: &str) -> Block {
    // SAFETY: the caller's contract.
    match unsafe { Block::read(ptr.as_ptr() as usize) } {
        Ok(b) => b,
        Err(m) => report(function, m),
    }
}

#[cold]
fn report(function: &str, m: Misuse) -> ! {
    crate::diag::Line::new()
        .text("minic: ")
        .text(function)
        .text(match m {
            Misuse::Invalid => "(): invalid pointer",
            Misuse::DoubleFree => "(): double free",
        })
        .emit();
    crate::diag::abort()
}

/// Frees a block.
///
/// # Safety
/// `ptr` is a live block of this allocator, not used afterwards.
pub unsafe fn deallocate(ptr: NonNull<u8>) {
    // SAFETY: the caller's contract.
    unsafe { Active::free(live_block(ptr, "free")) }
}

/// Usable bytes of a block.
///
/// # Safety
/// `ptr` is a live block of this allocator.
pub unsafe fn usable_size(ptr: NonNull<u8>) -> usize {
    // SAFETY: the caller's contract.
    unsafe { live_block(ptr, "malloc_usable_size") }.capacity
}

/// Resizes a block, keeping its contents; a size within its capacity keeps
/// it in place. On failure the block is unchanged.
///
/// # Safety
/// `ptr` is a live block of this allocator.
pub unsafe fn reallocate(ptr: NonNull<u8>, size: usize) -> Result<NonNull<u8>, Errno> {
    let capacity = capacity_for(size)?;
    // SAFETY: the caller's contract.
    let b = unsafe { live_block(ptr, "realloc") };
    // SAFETY: a live block.
    if let Some(r) = unsafe { Active::resize(b, capacity, ALIGN) } {
        return Ok(payload_ptr(r));
    }
    let (fresh, _) = Active::alloc(capacity, ALIGN)?;
    // SAFETY: distinct live blocks; the new one is larger than the old one.
    unsafe {
        core::ptr::copy_nonoverlapping(
            b.payload as *const u8,
            fresh.payload as *mut u8,
            b.capacity.min(fresh.capacity),
        );
        Active::free(b);
    }
    Ok(payload_ptr(fresh))
}

/// Gives free memory back to the kernel now; true if some went.
pub fn trim() -> bool {
    heap::trim()
}
