//! Blocks of `malloc(0)`: distinct 16-byte aligned addresses in a mapping
//! nothing may read or write, so that a program that uses a zero-size
//! block as if it had room faults at that access, instead of reading or
//! changing the bytes of a slot.
//!
//! The mapping (`SLOTS` addresses, 16 bytes apart) is reserved on the first
//! `malloc(0)` and costs no memory; which addresses are live is one bit
//! each in a static table, taken and given back with one atomic operation,
//! so that a second free of one is seen. Addresses are handed out round
//! the table, so that one freed comes back last. When every address is
//! live, a zero-size request gets an ordinary slot instead (the caller's
//! fallback).
//!
//! A freestanding library makes none: the kernel under it may have no page
//! protection, and its footprint stays as it is. Its `malloc(0)` is an
//! ordinary 16-byte slot.

use crate::malloc::header::{report, Block, Misuse, ALIGN, IN_USE};
use crate::malloc::os;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Live zero-size blocks at most: 256 KiB of address space, a 2 KiB table.
const SLOTS: usize = 16 * 1024;
const BYTES: usize = SLOTS * ALIGN;
const WORDS: usize = SLOTS / 64;

/// The start of the mapping; 0 until the first zero-size block.
static REGION: AtomicUsize = AtomicUsize::new(0);
/// Bit `i` set: address `REGION + 16 * i` is a live block.
static LIVE: [AtomicU64; WORDS] = [const { AtomicU64::new(0) }; WORDS];
/// Where the search for a free address starts: past the last one handed
/// out. Addresses go round the whole table, so that one freed comes back
/// only after all the others: a second `free` of it meanwhile is caught,
/// not taken for the free of a new block.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A new zero-size block; None when none can be had (every address live,
/// or no mapping), for the caller to make an ordinary block instead.
pub fn alloc() -> Option<Block> {
    if cfg!(feature = "freestanding") {
        return None;
    }
    let region = region()?;
    let start = NEXT.load(Ordering::Relaxed) % SLOTS;
    // The start's word from its bit on, every other word, then the start's
    // word whole.
    for k in 0..=WORDS {
        let i = (start / 64 + k) % WORDS;
        let from = if k == 0 { start % 64 } else { 0 };
        let mut seen = LIVE[i].load(Ordering::Relaxed);
        loop {
            let free = !seen & u64::MAX << from;
            if free == 0 {
                break;
            }
            let bit = free.trailing_zeros() as usize;
            let before = LIVE[i].fetch_or(1 << bit, Ordering::Acquire);
            if before & 1 << bit == 0 {
                NEXT.store(i * 64 + bit + 1, Ordering::Relaxed);
                return Some(block(region + (i * 64 + bit) * ALIGN));
            }
            seen = before;
        }
    }
    None
}

/// The live zero-size block at `addr`, or what is wrong with it; None if
/// `addr` is not in the mapping (another kind of block, or not minic's).
#[inline]
pub fn find(addr: usize) -> Option<Result<Block, Misuse>> {
    let region = REGION.load(Ordering::Acquire);
    let offset = addr.wrapping_sub(region);
    if cfg!(feature = "freestanding") || region == 0 || offset >= BYTES {
        return None;
    }
    if offset % ALIGN != 0 {
        return Some(Err(Misuse::Invalid));
    }
    let index = offset / ALIGN;
    if LIVE[index / 64].load(Ordering::Relaxed) & 1 << (index % 64) == 0 {
        return Some(Err(Misuse::DoubleFree));
    }
    Some(Ok(block(addr)))
}

/// Frees the zero-size block at `addr` (found by [`find`]); a second free
/// of it that raced with this one is reported and aborts.
pub fn free(addr: usize) {
    if cfg!(feature = "freestanding") {
        return;
    }
    let index = addr.wrapping_sub(REGION.load(Ordering::Relaxed)) / ALIGN % SLOTS;
    let bit = 1u64 << (index % 64);
    if LIVE[index / 64].fetch_and(!bit, Ordering::Release) & bit == 0 {
        report("free", Misuse::DoubleFree, addr);
    }
}

/// True for a block this module made (a zero-size block has no bytes).
#[inline(always)]
pub fn is_zero_size(block: &Block) -> bool {
    block.capacity == 0
}

fn block(payload: usize) -> Block {
    Block {
        payload,
        capacity: 0,
        pad: 0,
        state: IN_USE,
    }
}

/// The mapping, reserved on first use. Two threads that race map one each;
/// the loser unmaps its own.
fn region() -> Option<usize> {
    let r = REGION.load(Ordering::Acquire);
    if r != 0 {
        return Some(r);
    }
    let mine = os::map_inaccessible(BYTES).ok()?;
    match REGION.compare_exchange(0, mine, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Some(mine),
        Err(theirs) => {
            // SAFETY: our own mapping, never handed out.
            unsafe { os::unmap(mine, BYTES) };
            Some(theirs)
        }
    }
}
