//! Tests of the default allocator's own rules (the C tests cover the
//! family's contract in every mode).

use super::*;
use chunk::SLAB;
use std::vec::Vec;
use upkeep::trim;

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
    let mut live = Vec::new();
    for (i, cap) in (16..=20000).step_by(48).enumerate() {
        let align = 16 << (i % 6);
        let (b, _) = ThreadHeaps::alloc(cap, align).unwrap();
        assert_eq!(b.payload % align, 0);
        assert!(b.capacity >= cap);
        fill(&b, i as u8);
        live.push((b, i as u8));
    }
    for (b, v) in &live {
        assert!(holds(b, *v));
        // SAFETY: a live block.
        assert_eq!(unsafe { ThreadHeaps::find(b.payload) }, Ok(*b));
        // Inside a block, no block is found.
        // SAFETY: addresses inside live blocks.
        assert!(unsafe { ThreadHeaps::find(b.payload + 16) }.is_err());
    }
    for (b, _) in live.drain(..) {
        // SAFETY: live blocks, freed once.
        unsafe { ThreadHeaps::free(b) };
    }
}

#[test]
fn freed_slots_are_reused_and_freeing_twice_is_seen() {
    let take = || crate::malloc::allocate(40, 16).unwrap();
    let first: Vec<_> = (0..1000).map(|_| take()).collect();
    for &p in &first {
        // SAFETY: live blocks, freed once.
        unsafe { assert!(ThreadHeaps::free_fast(p.as_ptr() as usize)) };
        // SAFETY: a slot of a slab this thread holds (each bin keeps one).
        let found = unsafe { ThreadHeaps::find(p.as_ptr() as usize) };
        assert_eq!(found, Err(Misuse::DoubleFree));
    }
    let again: Vec<_> = (0..1000).map(|_| take()).collect();
    let slabs = |v: &[NonNull<u8>]| {
        let mut s: Vec<usize> = v
            .iter()
            .map(|p| p.as_ptr() as usize & !(SLAB - 1))
            .collect();
        s.sort();
        s.dedup();
        s
    };
    // The freed slots serve again: no slab beyond those of the first blocks
    // (and the one a reused heap may have had with holes).
    assert!(
        slabs(&again)
            .iter()
            .filter(|s| !slabs(&first).contains(s))
            .count()
            <= 1
    );
    for p in again {
        // SAFETY: a live block.
        let b = unsafe { ThreadHeaps::find(p.as_ptr() as usize) }.unwrap();
        assert_eq!(b.capacity, 48);
        // SAFETY: as above.
        unsafe { assert!(ThreadHeaps::free_fast(p.as_ptr() as usize)) };
    }
}

#[test]
fn a_write_after_free_changes_no_allocation() {
    let a = crate::malloc::allocate(24, 16).unwrap();
    let b = crate::malloc::allocate(24, 16).unwrap();
    // SAFETY: live blocks, freed once; the writes after free hit memory
    // that stays mapped (the slab is kept), as an attacker's would.
    unsafe {
        crate::malloc::deallocate(b);
        crate::malloc::deallocate(a);
        (a.as_ptr() as *mut usize).write(0x4141_4141_4141_4140);
        (b.as_ptr() as *mut usize).write(0x4141_4141_4141_4140);
    }
    let c = crate::malloc::allocate(24, 16).unwrap();
    let d = crate::malloc::allocate(24, 16).unwrap();
    let mut got = [c, d];
    got.sort();
    let mut want = [a, b];
    want.sort();
    assert_eq!(got, want);
    // SAFETY: live blocks.
    unsafe {
        crate::malloc::deallocate(c);
        crate::malloc::deallocate(d);
    }
}

#[test]
fn a_slot_freed_by_another_thread_is_reused_by_its_owner() {
    let blocks: Vec<usize> = (0..500)
        .map(|_| crate::malloc::allocate(100, 16).unwrap().as_ptr() as usize)
        .collect();
    let moved = blocks.clone();
    std::thread::spawn(move || {
        for p in moved {
            // SAFETY: live blocks of the parent thread, freed once here.
            unsafe { crate::malloc::deallocate(NonNull::new(p as *mut u8).unwrap()) };
        }
    })
    .join()
    .unwrap();
    for &p in &blocks {
        // SAFETY: a freed slot of a slab this thread holds.
        assert_eq!(unsafe { ThreadHeaps::find(p) }, Err(Misuse::DoubleFree));
    }
    // A trim collects them: they are free and stay so.
    trim();
    for &p in &blocks {
        // SAFETY: as above (or a slot of a slab the pool has, or of a chunk
        // unmapped: neither is read past the chunk map).
        assert!(unsafe { ThreadHeaps::find(p) }.is_err());
    }
    let again: Vec<usize> = (0..500)
        .map(|_| crate::malloc::allocate(100, 16).unwrap().as_ptr() as usize)
        .collect();
    for p in again {
        // SAFETY: live blocks.
        unsafe { crate::malloc::deallocate(NonNull::new(p as *mut u8).unwrap()) };
    }
}

#[test]
fn large_blocks_resize_and_keep_contents() {
    let (b, zero) = ThreadHeaps::alloc(100_000, 16).unwrap();
    assert!(b.state & OWN_MAPPING != 0);
    if zero {
        assert!(holds(&b, 0));
    }
    fill(&b, 7);
    // SAFETY: a live large block.
    let g = unsafe { ThreadHeaps::resize(b, 3_000_000, 16) }.unwrap();
    assert!(g.capacity >= 3_000_000);
    // SAFETY: the first 100,000 bytes were kept.
    let s = unsafe { core::slice::from_raw_parts(g.payload as *const u8, 100_000) };
    assert!(s.iter().all(|&x| x == 7));
    // SAFETY: a live block.
    unsafe { ThreadHeaps::free(g) };
}

#[test]
fn a_slab_the_quick_table_does_not_hold_is_freed_by_the_general_path() {
    let p = crate::malloc::allocate(24, 16).unwrap();
    let q = crate::malloc::allocate(24, 16).unwrap();
    let (a, b) = (p.as_ptr() as usize, q.as_ptr() as usize);
    assert!(chunk::in_quick_chunk(a) && chunk::in_chunk(a));
    // As if another chunk held its entry (other tests' frees in it
    // meanwhile take the general path too).
    let index = a / chunk::CHUNK;
    chunk::quick::mark(index, false);
    assert!(!chunk::in_quick_chunk(a) && chunk::in_chunk(a));
    // SAFETY: a live block, freed once.
    unsafe { crate::malloc::deallocate(p) };
    // SAFETY: reads only allocator state.
    assert_eq!(unsafe { ThreadHeaps::find(a) }, Err(Misuse::DoubleFree));
    chunk::quick::mark(index, true);
    if b / chunk::CHUNK == index {
        assert!(chunk::in_quick_chunk(b));
    }
    // SAFETY: as above.
    unsafe { crate::malloc::deallocate(q) };
}

#[test]
fn zero_size_blocks_are_distinct_found_and_freed_once() {
    let a = ThreadHeaps::alloc_zero_size().unwrap();
    let b = ThreadHeaps::alloc_zero_size().unwrap();
    assert_ne!(a.payload, b.payload);
    assert_eq!((a.capacity, b.capacity), (0, 0));
    assert_eq!(a.payload % 16, 0);
    // SAFETY: live blocks, and addresses that are not blocks (never read).
    unsafe {
        assert_eq!(ThreadHeaps::find(a.payload), Ok(a));
        assert_eq!(ThreadHeaps::find(a.payload + 8), Err(Misuse::Invalid));
        ThreadHeaps::free(a);
        assert_eq!(ThreadHeaps::find(a.payload), Err(Misuse::DoubleFree));
        ThreadHeaps::free(b);
    }
}
