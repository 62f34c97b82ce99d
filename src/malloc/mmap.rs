//! The `mmap` mode: every block is a mapping of its own, and `free`
//! unmaps it entirely, so a freed block faults when touched. The break never
//! moves. Blocks share no state, so this mode needs no lock: each system call
//! is atomic on its own.
//!
//! The linear mode uses the same functions for blocks too large for its
//! mapped regions.

use super::header::{Block, Misuse, ALIGN, HEADER, IN_USE, OWN_MAPPING};
use super::{registry, Policy};
use crate::errno::Errno;
use crate::port::{self, PAGE_SIZE};
use core::ffi::c_int;
use core::ptr::null_mut;

/// The `mmap` mode.
#[cfg_attr(not(minic_malloc = "mmap"), allow(dead_code))]
pub(crate) struct Mmap;

impl Policy for Mmap {
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        // Fresh anonymous pages are zero.
        map_block(capacity, align).map(|b| (b, true))
    }

    unsafe fn free(block: Block) {
        // SAFETY: forwarded contract.
        unsafe { unmap_block(block) }
    }

    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        // SAFETY: forwarded contract.
        unsafe { resize_block(block, capacity, align) }
    }
}

/// Maps `len` bytes (a multiple of the page size) for a linear region.
#[cfg_attr(
    not(any(minic_malloc = "linear", minic_malloc = "default")),
    allow(dead_code)
)]
pub(super) fn map_region(len: usize) -> Result<usize, Errno> {
    super::os::map_private(len, false)
}

/// Maps a new block of its own: whole pages, the header in the first page
/// the block keeps (pages before an aligned payload's header are unmapped
/// again), the capacity running to the end of the last page.
pub(super) fn map_block(capacity: usize, align: usize) -> Result<Block, Errno> {
    // A page-aligned mapping of `max(align, 16) + capacity` bytes always has
    // room for the header and an aligned payload of `capacity` bytes.
    let len = align
        .max(HEADER)
        .checked_add(capacity)
        .and_then(super::os::page_round)
        .ok_or(Errno::ENOMEM)?;
    let map = super::os::map_private(len, false)?;
    let payload = (map + HEADER).next_multiple_of(align);
    let start = (payload - HEADER) & !(PAGE_SIZE - 1);
    let end = (payload + capacity).next_multiple_of(PAGE_SIZE);
    // SAFETY: the pages outside [start, end) are ours and unused.
    unsafe {
        if start > map {
            let _ = port::munmap(map as *mut _, start - map);
        }
        if end < map + len {
            let _ = port::munmap(end as *mut _, map + len - end);
        }
    }
    let block = Block {
        payload,
        capacity: end - payload,
        pad: payload - HEADER - start,
        state: IN_USE | OWN_MAPPING,
    };
    if let Err(e) = registry::set_live(block.header(), block.payload) {
        // SAFETY: our own new mapping, not handed out.
        let _ = unsafe { port::munmap(start as *mut _, end - start) };
        return Err(e);
    }
    // SAFETY: the header lies in the block's first page.
    unsafe { block.write() };
    Ok(block)
}

/// Unmaps a block made by [`map_block`].
///
/// # Safety
/// A live `OWN_MAPPING` block nothing uses any more.
pub(super) unsafe fn unmap_block(block: Block) {
    // Of two threads freeing the block at once, one is told.
    if !registry::claim(block.header()) {
        super::report("free", Misuse::DoubleFree, block.payload);
    }
    // SAFETY: the block's pages are its own mapping, and nothing uses its
    // contents any more.
    unsafe { super::os::unmap(block.start(), block.end() - block.start()) };
}

/// Resizes a block made by [`map_block`]: unmaps tail pages when shrinking,
/// and grows with `mremap`, in place if it can, else moved (page offsets are
/// kept, so a payload stays aligned as long as its alignment is at most a
/// page; stricter ones must grow in place). A move goes to an address range
/// reserved and registered first: the registry cannot fail after the move.
///
/// # Safety
/// A live `OWN_MAPPING` block; after a move only the new payload is valid.
pub(super) unsafe fn resize_block(block: Block, capacity: usize, align: usize) -> Option<Block> {
    let start = block.start();
    let old_len = block.end() - start;
    let new_len = (block.pad + HEADER)
        .checked_add(capacity)
        .and_then(super::os::page_round)?;
    let new_start = if new_len == old_len {
        return Some(block);
    } else if new_len < old_len {
        // SAFETY: the tail pages lie beyond the new capacity: unused.
        let _ = unsafe { port::munmap((start + new_len) as *mut _, old_len - new_len) };
        start
    } else {
        // SAFETY: the block's own mapping; on failure it is untouched.
        match unsafe { port::mremap(start as *mut _, old_len, new_len, 0, null_mut()) } {
            Ok(same) => same,
            Err(_) if align <= PAGE_SIZE => {
                // SAFETY: forwarded contract.
                unsafe { move_block(block, start, old_len, new_len) }?
            }
            Err(_) => return None,
        }
    };
    let resized = Block {
        payload: new_start + block.pad + HEADER,
        capacity: new_len - block.pad - HEADER,
        ..block
    };
    debug_assert!(resized.payload % ALIGN == 0);
    // SAFETY: the header lies in the (possibly moved) block's first page; its
    // check word depends on its address, so it is rewritten.
    unsafe { resized.write() };
    Some(resized)
}

/// Moves a block's pages to a new range of `new_len` bytes; its registry
/// page follows it. None (the block untouched) if it cannot.
///
/// # Safety
/// As for [`resize_block`].
unsafe fn move_block(block: Block, start: usize, old_len: usize, new_len: usize) -> Option<usize> {
    const FLAGS: c_int =
        crate::abi::MAP_PRIVATE | crate::abi::MAP_ANONYMOUS | crate::abi::MAP_NORESERVE;
    // SAFETY: a new private mapping replaces nothing.
    let target =
        unsafe { port::mmap(null_mut(), new_len, crate::abi::PROT_NONE, FLAGS, -1, 0) }.ok()?;
    let new_header = target + block.pad;
    if registry::set_live(new_header, new_header + 1).is_err() {
        // SAFETY: the reservation is ours and unused.
        let _ = unsafe { port::munmap(target as *mut _, new_len) };
        return None;
    }
    // The old page is given up before the kernel may hand it to someone else.
    registry::set_freed(block.header(), block.payload);
    let flags = crate::abi::MREMAP_MAYMOVE | crate::abi::MREMAP_FIXED;
    // SAFETY: the block's mapping replaces our reservation; on failure both
    // stay as they are.
    match unsafe { port::mremap(start as *mut _, old_len, new_len, flags, target as *mut _) } {
        Ok(moved) => Some(moved),
        Err(_) => {
            let _ = registry::set_live(block.header(), block.payload);
            registry::set_freed(new_header, new_header + 1);
            // SAFETY: the reservation is ours and unused.
            let _ = unsafe { port::munmap(target as *mut _, new_len) };
            None
        }
    }
}
