//! Which pages hold the headers of minic's blocks: asked before a header is
//! read, so that `free`, `realloc` and `malloc_usable_size` never touch
//! memory minic does not own (a pointer into the stack, a static object,
//! another allocator's heap, or a block whose mapping `free` unmapped).
//!
//! Two bits per 4 KiB page, in a two-level table indexed by page number (a
//! root of 32 768 leaf pointers, each leaf covering 4 GiB of address space in
//! 256 KiB, both mapped on first use, their untouched pages costing no
//! memory). A page is
//!
//! - `Live`: a block header may lie in it (the first page of a block with a
//!   mapping of its own, or any page of a region the linear mode carves
//!   blocks from): the header there is readable, and its check word decides;
//! - `Freed`: it held a block's header, and that block was freed (its memory
//!   may be unmapped): a pointer whose header would lie there is a double
//!   free, or a pointer into freed memory;
//! - `Unknown`: minic never had a block there.
//!
//! Every operation is a few loads and one atomic read-modify-write: O(1),
//! lock-free, hence safe across `fork` and in signal handlers. Freeing a block
//! of its own mapping first *claims* its page (`Live` to `Freed`, atomically),
//! so of two threads freeing the same block one is told it is a double free.
//! A page that a new block reuses is `Live` again: a double free after the
//! address was handed out again cannot be told from a valid free.

use super::header::{Block, Misuse, HEADER};
use crate::errno::Errno;
use crate::port::{self, PAGE_SIZE};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

const PAGE_SHIFT: u32 = PAGE_SIZE.trailing_zeros();
/// Addresses the table covers: the target's user space (`port::arch`).
const ADDRESS_BITS: u32 = port::arch::ADDRESS_BITS;
/// Pages per leaf (2 bits each): 4 GiB of address space in 256 KiB. A
/// freestanding program, which may run over a kernel that commits every
/// page it maps, has a third level instead: 4 KiB leaves (64 MiB each)
/// under 4 KiB middle tables (32 GiB each) under a 32 KiB root.
const LEAF_PAGES_SHIFT: u32 = if cfg!(feature = "freestanding") {
    14
} else {
    20
};
/// Index bits of the middle level (none in a hosted library; fewer where
/// the address space is narrower, as on 32-bit targets).
const MIDDLE_BITS: u32 = if !cfg!(feature = "freestanding") {
    0
} else if ADDRESS_BITS - PAGE_SHIFT - LEAF_PAGES_SHIFT < 9 {
    ADDRESS_BITS - PAGE_SHIFT - LEAF_PAGES_SHIFT
} else {
    9
};
const LEAF_WORDS: usize = (1 << LEAF_PAGES_SHIFT) / PAGES_PER_WORD;
const ROOT_LEN: usize = 1 << (ADDRESS_BITS - PAGE_SHIFT - LEAF_PAGES_SHIFT - MIDDLE_BITS);
const PAGES_PER_WORD: usize = 32;

const LIVE: u64 = 1;
const FREED: u64 = 2;
const STATE: u64 = 3;

/// What the table says of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Unknown,
    Live,
    Freed,
}

type Leaf = AtomicU64;
/// An entry of the root or of a middle table: a pointer to the next level
/// (a middle table or a leaf; `AtomicPtr`s of any type share one layout).
type Entry = AtomicPtr<u8>;
static ROOT: AtomicPtr<Entry> = AtomicPtr::new(null_mut());

/// The entry `index` of a table of entries, as a pointer to `T`.
///
/// # Safety
/// The table has more than `index` entries and lives forever.
unsafe fn entry<T>(table: *mut Entry, index: usize) -> &'static AtomicPtr<T> {
    // SAFETY: the caller's contract; AtomicPtr<T> has the layout of
    // AtomicPtr<u8>.
    unsafe { &*(table.add(index) as *const AtomicPtr<T>) }
}

/// `slot`'s table of `len` bytes, mapped on first use when `create`;
/// racing creators agree on one (the losers unmap theirs). The chunk map of
/// the default allocator is built the same way.
pub(crate) fn level<T>(slot: &AtomicPtr<T>, len: usize, create: bool) -> Result<*mut T, Errno> {
    let current = slot.load(Ordering::Acquire);
    if !current.is_null() || !create {
        return Ok(current);
    }
    let fresh = super::os::map_private(len, true)? as *mut T;
    match slot.compare_exchange(null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Ok(fresh),
        Err(winner) => {
            // SAFETY: our own mapping, never published.
            let _ = unsafe { port::munmap(fresh.cast(), len) };
            Ok(winner)
        }
    }
}

/// The word holding page `page`'s bits and their shift, if its leaf exists
/// (or was created).
fn word(page: usize, create: bool) -> Result<Option<(&'static AtomicU64, u32)>, Errno> {
    let leaf_index = page >> LEAF_PAGES_SHIFT;
    if leaf_index >> MIDDLE_BITS >= ROOT_LEN {
        return if create { Err(Errno::ENOMEM) } else { Ok(None) };
    }
    let root = level(&ROOT, ROOT_LEN * 8, create)?;
    if root.is_null() {
        return Ok(None);
    }
    // SAFETY: the root has ROOT_LEN entries and lives forever.
    let mut slot: &AtomicPtr<Leaf> = unsafe { entry(root, leaf_index >> MIDDLE_BITS) };
    if cfg!(feature = "freestanding") {
        // SAFETY: as above.
        let up: &AtomicPtr<Entry> = unsafe { entry(root, leaf_index >> MIDDLE_BITS) };
        let middle = level(up, (1 << MIDDLE_BITS) * 8, create)?;
        if middle.is_null() {
            return Ok(None);
        }
        // SAFETY: a middle table has 2^MIDDLE_BITS entries and lives forever.
        slot = unsafe { entry(middle, leaf_index & ((1 << MIDDLE_BITS) - 1)) };
    }
    let leaf = level(slot, LEAF_WORDS * 8, create)?;
    if leaf.is_null() {
        return Ok(None);
    }
    let within = page & ((1 << LEAF_PAGES_SHIFT) - 1);
    // SAFETY: the leaf has LEAF_WORDS words and lives forever.
    let w = unsafe { &*leaf.add(within / PAGES_PER_WORD) };
    Ok(Some((w, (within % PAGES_PER_WORD) as u32 * 2)))
}

/// The state of the page holding `address`.
#[inline]
pub fn lookup(address: usize) -> Page {
    match word(address >> PAGE_SHIFT, false) {
        Ok(Some((w, shift))) => match (w.load(Ordering::Acquire) >> shift) & STATE {
            LIVE => Page::Live,
            FREED => Page::Freed,
            _ => Page::Unknown,
        },
        _ => Page::Unknown,
    }
}

/// Sets the pages overlapping `[start, end)` to `state`.
fn set(start: usize, end: usize, state: u64, create: bool) -> Result<(), Errno> {
    let mut page = start >> PAGE_SHIFT;
    let last = (end.max(start + 1) - 1) >> PAGE_SHIFT;
    while page <= last {
        let in_word = (PAGES_PER_WORD - page % PAGES_PER_WORD).min(last - page + 1);
        if let Some((w, shift)) = word(page, create)? {
            let ones = if in_word == PAGES_PER_WORD {
                u64::MAX
            } else {
                ((1u64 << (2 * in_word)) - 1) << shift
            };
            let pattern = ones & (0x5555_5555_5555_5555 * state);
            let _ = w.fetch_update(Ordering::AcqRel, Ordering::Relaxed, |old| {
                Some(old & !ones | pattern)
            });
        }
        page += in_word;
    }
    Ok(())
}

/// Marks the pages overlapping `[start, end)` as holding live headers;
/// `ENOMEM` when the table cannot grow to cover them.
pub fn set_live(start: usize, end: usize) -> Result<(), Errno> {
    set(start, end, LIVE, true)
}

/// Marks the pages overlapping `[start, end)` as freed (before their memory
/// goes back to the kernel, so that no new owner's mark is overwritten).
#[cfg_attr(minic_malloc = "guard", allow(dead_code))]
pub fn set_freed(start: usize, end: usize) {
    let _ = set(start, end, FREED, false);
}

/// Claims the `Live` page holding `address` for a `free`: true if it was
/// live (it is now freed), false if someone else freed it first or it never
/// was live.
pub fn claim(address: usize) -> bool {
    let Ok(Some((w, shift))) = word(address >> PAGE_SHIFT, false) else {
        return false;
    };
    w.fetch_update(Ordering::AcqRel, Ordering::Acquire, |old| {
        ((old >> shift) & STATE == LIVE).then_some(old & !(STATE << shift) | FREED << shift)
    })
    .is_ok()
}

/// The block whose 16-byte header lies before `address`: the registry says
/// first whether a header may lie there at all, so that nothing outside
/// minic's memory is read. Under `cfg(minic_no_checks)` (`make
/// MINIC_CHECKS=0`, to measure what this costs) `address` is trusted and
/// the header read as it is.
///
/// # Safety
/// As for [`live_block`].
#[inline]
pub(crate) unsafe fn registered_block(address: usize) -> Result<Block, Misuse> {
    if !cfg!(minic_no_checks) {
        match lookup(address.wrapping_sub(HEADER)) {
            Page::Live => {}
            Page::Freed => return Err(Misuse::DoubleFree),
            Page::Unknown => return Err(Misuse::Invalid),
        }
    }
    // SAFETY: the header's page is a live page of minic's.
    unsafe { Block::read(address) }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Addresses in a range no test maps: the table is only bookkeeping.
    const BASE: usize = 0x3f00_0000_0000;

    #[test]
    fn states_and_claims() {
        let p = BASE + 5 * PAGE_SIZE + 100;
        assert_eq!(lookup(p), Page::Unknown);
        set_live(p, p + 1).unwrap();
        assert_eq!(lookup(p), Page::Live);
        assert_eq!(lookup(p + PAGE_SIZE), Page::Unknown);
        assert_eq!(lookup(p - PAGE_SIZE), Page::Unknown);
        assert!(claim(p));
        assert_eq!(lookup(p), Page::Freed);
        assert!(!claim(p));
        set_live(p, p + 1).unwrap();
        assert!(claim(p + 17));
        assert!(!claim(BASE + 900 * PAGE_SIZE));
    }

    #[test]
    fn ranges_across_words_and_leaves() {
        let start = BASE + (1 << 32) - 40 * PAGE_SIZE;
        let end = BASE + (1 << 32) + 70 * PAGE_SIZE;
        set_live(start, end).unwrap();
        assert_eq!(lookup(start - 1), Page::Unknown);
        assert_eq!(lookup(end), Page::Unknown);
        for page in 0..110 {
            assert_eq!(lookup(start + page * PAGE_SIZE), Page::Live, "{page}");
        }
        set_freed(start + 3 * PAGE_SIZE, end - 3 * PAGE_SIZE);
        assert_eq!(lookup(start + 2 * PAGE_SIZE), Page::Live);
        assert_eq!(lookup(start + 3 * PAGE_SIZE), Page::Freed);
        assert_eq!(lookup(end - 3 * PAGE_SIZE - 1), Page::Freed);
        assert_eq!(lookup(end - 3 * PAGE_SIZE), Page::Live);
        assert!(set_live(1 << 47, (1 << 47) + 1).is_err());
        assert_eq!(lookup(usize::MAX - 3), Page::Unknown);
    }

    #[test]
    fn concurrent_claims_have_one_winner() {
        let p = BASE + 77 * PAGE_SIZE;
        for _ in 0..200 {
            set_live(p, p + 1).unwrap();
            let wins: usize = std::thread::scope(|s| {
                let hs: std::vec::Vec<_> = (0..4).map(|_| s.spawn(|| claim(p) as usize)).collect();
                hs.into_iter().map(|h| h.join().unwrap()).sum()
            });
            assert_eq!(wins, 1);
        }
    }
}
