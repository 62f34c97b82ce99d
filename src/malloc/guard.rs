//! The `guard` mode: the `mmap` mode made into a memory debugger, like
//! Electric Fence. Every block is a mapping of its own whose payload ends
//! exactly at a page boundary, followed by an inaccessible guard page, so an
//! overflow faults at the faulting instruction. The bytes between the size
//! asked for and that boundary (the 1-15 bytes that 16-byte alignment
//! leaves, more for a stricter alignment) hold a canary, checked when the
//! block is freed or resized. A freed block becomes inaccessible (its memory
//! given back, its addresses kept) and stays in a bounded quarantine, so a
//! use after free faults until `QUARANTINE` more blocks have been freed.
//!
//! ```text
//! [ pages | size word | header | payload ... canary ][ guard page ]
//!                                                   ^ page boundary
//! ```
//!
//! `malloc(0)` gets a block of no bytes whose payload is the guard page's
//! first address: any access through it faults too.
//!
//! The exact size lives in a word before the header (masked with the
//! secret): `malloc_usable_size` reports it, so that a program using the
//! whole usable size stays within the canary's bounds. Any resize but one
//! within the same 16 bytes moves the block, to keep its end at the guard.
//!
//! Nothing here takes a lock (the quarantine is a ring of atomic slots), so
//! the mode is safe across `fork` and inside signal handlers.
//!
//! Each live block costs two kernel mappings (its pages and its guard), and
//! the kernel allows a process `vm.max_map_count` (65 530 by default):
//! about 32 000 live blocks. Beyond that an allocation fails with `ENOMEM`
//! (after emptying the quarantine, which holds mappings too).

use super::header::{mix, secret, Block, Misuse, ALIGN, HEADER, IN_USE, OWN_MAPPING};
use super::{registry, report, Policy};
use crate::errno::Errno;
use crate::port::{self, PAGE_SIZE};
use core::ffi::c_int;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The `guard` mode.
pub(crate) struct GuardPages;

/// Freed blocks kept inaccessible before their addresses may be reused.
const QUARANTINE: usize = 4096;
/// Bytes before the payload: the size word, then the header.
const FRONT: usize = 2 * HEADER;
/// Distinguishes the canary's hash from the header's.
const CANARY_SALT: u64 = 0x6361_6e61_7279_0001;
const SIZE_SALT: u64 = 0x7369_7a65_776f_7264;

const PRIVATE: c_int = crate::abi::MAP_PRIVATE | crate::abi::MAP_ANONYMOUS;

/// One quarantined range: its first page number and its length in pages
/// (a block too long for 24 bits of pages is unmapped at once).
static RING: [AtomicU64; QUARANTINE] = [const { AtomicU64::new(0) }; QUARANTINE];
static NEXT: AtomicUsize = AtomicUsize::new(0);
const LEN_BITS: u32 = 24;

use super::os::unmap;

/// Unmaps a quarantine entry.
fn release(entry: u64) {
    if entry != 0 {
        let start = ((entry >> LEN_BITS) as usize) << PAGE_SIZE.trailing_zeros();
        let len = (entry & ((1 << LEN_BITS) - 1)) as usize * PAGE_SIZE;
        // SAFETY: quarantined ranges belong to nobody but the ring.
        unsafe { unmap(start, len) };
    }
}

/// Empties the quarantine (when the kernel refuses a new mapping).
fn flush_quarantine() {
    for slot in &RING {
        release(slot.swap(0, Ordering::AcqRel));
    }
}

/// The canary byte at `address`: never zero, so that a stray terminating
/// NUL is caught.
#[inline]
fn canary(address: usize) -> u8 {
    let word = mix(secret() ^ CANARY_SALT ^ (address & !7) as u64);
    (word >> ((address & 7) * 8)) as u8 | 1
}

fn size_mask(block: &Block) -> usize {
    mix(secret() ^ SIZE_SALT ^ block.payload as u64) as usize
}

/// The size asked for, from the word before the header.
///
/// # Safety
/// `block` is a live block of this mode.
unsafe fn size_of(block: &Block) -> usize {
    // SAFETY: the size word lies in the block's first page.
    let word = unsafe { ((block.payload - FRONT) as *const usize).read() };
    let size = word ^ size_mask(block);
    if size > block.capacity {
        report("free", Misuse::Invalid, block.payload);
    }
    size
}

/// Checks the canary from `size` to the block's end.
///
/// # Safety
/// As for [`size_of`].
unsafe fn check_canary(block: &Block, size: usize, function: &str) {
    for address in block.payload + size..block.end() {
        // SAFETY: the tail lies in the block's payload pages.
        if unsafe { *(address as *const u8) } != canary(address) {
            report(function, Misuse::Overflow, block.payload);
        }
    }
}

impl GuardPages {
    /// Maps a block: its pages, the payload ending at a page boundary, and
    /// an inaccessible page after it. A capacity of 0 puts the payload at
    /// the guard page's first address.
    fn map_block(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        let extra = if align > ALIGN { align } else { 0 };
        let data = FRONT
            .checked_add(capacity)
            .and_then(|n| n.checked_add(extra))
            .and_then(super::os::page_round)
            .ok_or(Errno::ENOMEM)?;
        let len = data.checked_add(PAGE_SIZE).ok_or(Errno::ENOMEM)?;
        // SAFETY: a new private mapping replaces nothing.
        let map = super::os::map_private(len, false)?;
        let end = (map + FRONT).next_multiple_of(align) + capacity;
        let end = end.next_multiple_of(PAGE_SIZE);
        let payload = (end - capacity) & !(align - 1);
        let start = (payload - FRONT) & !(PAGE_SIZE - 1);
        // SAFETY: the pages outside [start, end + guard) are ours and unused;
        // the guard page is ours.
        let guarded = unsafe {
            if start > map {
                let _ = port::munmap(map as *mut _, start - map);
            }
            if end + PAGE_SIZE < map + len {
                let _ = port::munmap((end + PAGE_SIZE) as *mut _, map + len - end - PAGE_SIZE);
            }
            port::mprotect(end as *mut _, PAGE_SIZE, crate::abi::PROT_NONE)
        };
        let block = Block {
            payload,
            capacity: end - payload,
            pad: payload - HEADER - start,
            state: IN_USE | OWN_MAPPING,
        };
        let registered = guarded.and_then(|_| registry::set_live(block.header(), payload));
        if let Err(e) = registered {
            // At the mapping limit the guard page cannot be split off.
            // SAFETY: our own new mapping, not handed out.
            unsafe { unmap(start, end + PAGE_SIZE - start) };
            return Err(e);
        }
        // SAFETY: the header and size word lie in the block's first page.
        unsafe {
            block.write();
            // Until set_size says otherwise, the whole capacity is the size.
            ((payload - FRONT) as *mut usize).write(block.capacity ^ size_mask(&block));
        }
        Ok((block, true))
    }

    /// [`GuardPages::map_block`], tried once more after emptying the
    /// quarantine when the kernel refuses.
    fn map_or_flush(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        Self::map_block(capacity, align).or_else(|_| {
            flush_quarantine();
            Self::map_block(capacity, align)
        })
    }
}

impl Policy for GuardPages {
    /// When the kernel refuses (its mapping limit, where even splitting off
    /// the guard page fails, or an address space limit), the quarantine is
    /// emptied and the allocation tried once more.
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        Self::map_or_flush(capacity, align)
    }

    /// A block with no bytes: its payload is the first address of its
    /// guard page, so a read or write through it faults where it happens.
    fn alloc_zero_size() -> Option<Block> {
        Self::map_or_flush(0, ALIGN).ok().map(|(block, _)| block)
    }

    unsafe fn free(block: Block) {
        // Claimed before the canary is read: of two threads freeing the
        // block at once, the second is told at its claim instead of reading
        // a block the first may be sealing. (Its header, read before, may
        // still fault: see DESIGN.md, Hardening.)
        if !registry::claim(block.header()) {
            report("free", Misuse::DoubleFree, block.payload);
        }
        // SAFETY: a live block of this mode, now ours alone.
        unsafe { check_canary(&block, size_of(&block), "free") };
        let start = block.start();
        let len = block.end() + PAGE_SIZE - start;
        // The block's pages are replaced by inaccessible ones: the memory
        // goes back to the kernel, the addresses stay reserved.
        const FLAGS: c_int = PRIVATE | crate::abi::MAP_FIXED | crate::abi::MAP_NORESERVE;
        // SAFETY: the block's own range, which nothing uses any more.
        let sealed =
            unsafe { port::mmap(start as *mut _, len, crate::abi::PROT_NONE, FLAGS, -1, 0) };
        let pages = len / PAGE_SIZE;
        if sealed.is_err() || pages >= 1 << LEN_BITS {
            // SAFETY: as above.
            return unsafe { unmap(start, len) };
        }
        let entry = ((start / PAGE_SIZE) as u64) << LEN_BITS | pages as u64;
        let slot = NEXT.fetch_add(1, Ordering::Relaxed) % QUARANTINE;
        release(RING[slot].swap(entry, Ordering::AcqRel));
    }

    /// Keeps a block whose capacity does not change; any other size moves
    /// (copying here, unlike the other modes: the end must meet the guard).
    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        if capacity == block.capacity {
            return Some(block);
        }
        let (fresh, _) = Self::alloc(capacity, align).ok()?;
        // SAFETY: both blocks are live and distinct; the old one holds at
        // least the bytes copied (its size, or less) and is freed after.
        unsafe {
            let keep = size_of(&block).min(capacity);
            core::ptr::copy_nonoverlapping(
                block.payload as *const u8,
                fresh.payload as *mut u8,
                keep,
            );
            Self::free(block);
        }
        Some(fresh)
    }

    unsafe fn set_size(block: Block, size: usize) {
        // SAFETY: a live block of this mode holding at least `size` bytes.
        unsafe {
            let old = size_of(&block);
            check_canary(&block, old, "realloc");
            ((block.payload - FRONT) as *mut usize).write(size ^ size_mask(&block));
            for address in block.payload + size..block.end() {
                *(address as *mut u8) = canary(address);
            }
        }
    }

    unsafe fn usable(block: Block) -> usize {
        // SAFETY: a live block of this mode.
        unsafe { size_of(&block) }
    }
}
