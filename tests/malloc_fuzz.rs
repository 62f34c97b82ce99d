//! A differential test of the malloc family: random sequences of
//! allocations (plain, zeroed, aligned), resizes (`reallocate`, the
//! `recallocarray` rule), frees and failing requests, run against a model
//! that knows what every live block must hold.
//!
//! After each step it checks the block it touched (contents, alignment,
//! usable size, no overlap with any other live block), and one other live
//! block at random; at the end of a sequence every block. A sequence is
//! reproducible from its seed: a failure names it, and
//! `MINIC_FUZZ_SEED=<n> cargo test --test malloc_fuzz` replays it alone.
//! Sequences run for `MINIC_FUZZ_SECONDS` (default 2; `make fuzz` runs
//! longer, in every allocator mode). A seed that finds a bug becomes a test
//! of its own (`#[test] fn seed_<n>() { run(<n>) }`) beside the fix, so that
//! it runs every time.
//!
//! (The C functions are thin wrappers over these, tested by ctests; a test
//! binary cannot link the C library's `malloc` in place of its own.)

use minic::malloc::{
    allocate, allocate_zeroed, deallocate, reallocate, reallocate_zeroed_array, usable_size,
};
use minic::Errno;
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

/// Steps per sequence.
const STEPS: usize = 3000;
/// Live blocks at most (a slot table the sequence picks from).
const SLOTS: usize = 64;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Mostly small sizes, some page-sized, a few large ones.
    fn size(&mut self) -> usize {
        match self.below(100) {
            0..=59 => self.below(129) as usize,
            60..=89 => self.below(5000) as usize,
            90..=97 => self.below(70_000) as usize,
            _ => self.below(1 << 21) as usize,
        }
    }
    fn align(&mut self) -> usize {
        match self.below(10) {
            0..=5 => 16,
            6 => 1 << self.below(4),
            7 => 32 << self.below(4),
            8 => 4096,
            _ => 1 << (13 + self.below(8)),
        }
    }
}

/// What the model knows of a live block.
struct Block {
    ptr: NonNull<u8>,
    size: usize,
    align: usize,
    seed: u8,
    /// Bytes at and beyond this offset are zero as far as the block reaches
    /// (what `recallocarray` relies on): never written by the program, and
    /// past the slack of a block from `allocate` or `reallocate`.
    clean_from: usize,
}

fn byte(seed: u8, i: usize) -> u8 {
    seed.wrapping_add((i as u8).wrapping_mul(31)) | 1
}

impl Block {
    fn paint(&mut self, seed: u8) {
        self.seed = seed;
        // SAFETY: the block holds at least `size` bytes.
        let bytes = unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.size) };
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = byte(seed, i);
        }
        self.clean_from = self.clean_from.max(self.size);
    }

    /// The first `n` bytes hold the painted pattern.
    fn holds(&self, n: usize) -> bool {
        // SAFETY: the block holds at least `size >= n` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), n) };
        bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b == byte(self.seed, i))
    }
}

struct Run {
    rng: Rng,
    slots: Vec<Option<Block>>,
    /// Live ranges by start address: [start, start + usable).
    ranges: BTreeMap<usize, usize>,
    step: usize,
    seed: u64,
}

impl Run {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "seed {} step {}: {what} (replay: MINIC_FUZZ_SEED={} cargo test --test malloc_fuzz)",
            self.seed, self.step, self.seed
        );
    }

    fn check(&self, b: &Block) {
        let p = b.ptr.as_ptr() as usize;
        if p % b.align.max(16) != 0 {
            self.fail("misaligned block");
        }
        // SAFETY: a live block.
        let usable = unsafe { usable_size(b.ptr) };
        if usable < b.size {
            self.fail("usable size below the size asked for");
        }
        if !b.holds(b.size) {
            self.fail("contents changed");
        }
    }

    fn add_range(&mut self, b: &Block) {
        let start = b.ptr.as_ptr() as usize;
        // SAFETY: a live block.
        let end = start + unsafe { usable_size(b.ptr) };
        if let Some((_, &prev_end)) = self.ranges.range(..=start).next_back() {
            if prev_end > start {
                self.fail("block overlaps a live block below it");
            }
        }
        if let Some((&next, _)) = self.ranges.range(start..).next() {
            if next < end {
                self.fail("block overlaps a live block above it");
            }
        }
        self.ranges.insert(start, end);
    }

    fn remove_range(&mut self, b: &Block) {
        self.ranges.remove(&(b.ptr.as_ptr() as usize));
    }

    fn new_block(&mut self, slot: usize) {
        let size = self.rng.size();
        let zeroed = self.rng.below(3) == 0;
        let align = if self.rng.below(3) == 0 {
            self.rng.align()
        } else {
            16
        };
        let got = if zeroed {
            allocate_zeroed(size, align)
        } else {
            allocate(size, align)
        };
        let ptr = got.unwrap_or_else(|e| self.fail(&format!("allocate({size}, {align}): {e:?}")));
        if zeroed {
            // SAFETY: the new block holds `size` bytes.
            let bytes = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), size) };
            if bytes.iter().any(|&b| b != 0) {
                self.fail("allocate_zeroed gave a non-zero byte");
            }
        }
        // Past the size, only a zeroed block is known to be zero (a plain
        // block's slack may hold old bytes).
        let clean_from = if zeroed {
            size
        } else {
            // SAFETY: a live block.
            size.max(unsafe { usable_size(ptr) })
        };
        let mut b = Block {
            ptr,
            size,
            align,
            seed: 0,
            clean_from,
        };
        self.add_range(&b);
        b.paint(self.rng.next() as u8);
        self.check(&b);
        self.slots[slot] = Some(b);
    }

    fn free(&mut self, slot: usize) {
        if let Some(b) = self.slots[slot].take() {
            self.check(&b);
            self.remove_range(&b);
            // SAFETY: a live block, forgotten by the model.
            unsafe { deallocate(b.ptr) };
        }
    }

    fn resize(&mut self, slot: usize) {
        let Some(mut b) = self.slots[slot].take() else {
            return self.new_block(slot);
        };
        self.check(&b);
        let size = self.rng.size();
        // SAFETY: a live block of the model's.
        let got = unsafe { reallocate(b.ptr, size, b.align) };
        let ptr = got.unwrap_or_else(|e| self.fail(&format!("reallocate to {size}: {e:?}")));
        self.remove_range(&b);
        let kept = b.size.min(size);
        b.ptr = ptr;
        b.size = size;
        if !b.holds(kept) {
            self.fail("reallocate lost contents");
        }
        // Its slack may hold old bytes.
        // SAFETY: a live block.
        b.clean_from = b.clean_from.max(unsafe { usable_size(ptr) });
        self.add_range(&b);
        b.paint(self.rng.next() as u8);
        self.check(&b);
        self.slots[slot] = Some(b);
    }

    /// The `recallocarray` rule: contents kept, and what the array gains
    /// beyond anything ever written is zero.
    fn resize_zeroed(&mut self, slot: usize) {
        let Some(mut b) = self.slots[slot].take() else {
            return self.new_block(slot);
        };
        if b.align > 16 {
            self.slots[slot] = Some(b);
            return self.free(slot);
        }
        self.check(&b);
        let size = self.rng.size();
        let (nmemb, each) = if size % 4 == 0 {
            (size / 4, 4)
        } else {
            (size, 1)
        };
        // SAFETY: a live block of the model's.
        let got = unsafe { reallocate_zeroed_array(Some(b.ptr), nmemb, each) };
        let ptr = got.unwrap_or_else(|e| self.fail(&format!("recallocarray to {size}: {e:?}")));
        self.remove_range(&b);
        let kept = b.size.min(size);
        let clean = b.clean_from.max(kept);
        b.ptr = ptr;
        if !b.holds(kept) {
            self.fail("recallocarray lost contents");
        }
        // SAFETY: the block holds `size` bytes.
        let grown = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), size) };
        if size > clean && grown[clean..].iter().any(|&x| x != 0) {
            self.fail("recallocarray gave non-zero bytes beyond the old contents");
        }
        b.size = size;
        // What a shrink gave up was cleared.
        b.clean_from = size;
        self.add_range(&b);
        b.paint(self.rng.next() as u8);
        self.slots[slot] = Some(b);
    }

    /// Requests that must fail and leave the block alone.
    fn fail_cleanly(&mut self, slot: usize) {
        let huge = [usize::MAX, isize::MAX as usize, 1 << 47][self.rng.below(3) as usize];
        if allocate(huge, 16) != Err(Errno::ENOMEM) || allocate_zeroed(huge, 16).is_ok() {
            self.fail("an impossible size did not fail with ENOMEM");
        }
        if allocate(16, 48) != Err(Errno::EINVAL) {
            self.fail("a non-power-of-two alignment did not fail with EINVAL");
        }
        if let Some(b) = &self.slots[slot] {
            // SAFETY: a live block; a failed reallocate leaves it intact.
            if unsafe { reallocate(b.ptr, huge, b.align) } != Err(Errno::ENOMEM) {
                self.fail("reallocate to an impossible size did not fail");
            }
            self.check(b);
        }
    }

    fn step(&mut self) {
        let slot = self.rng.below(SLOTS as u64) as usize;
        match self.rng.below(20) {
            0..=6 => {
                self.free(slot);
                self.new_block(slot);
            }
            7..=10 => self.free(slot),
            11..=15 => self.resize(slot),
            16..=18 => self.resize_zeroed(slot),
            _ => self.fail_cleanly(slot),
        }
        let other = self.rng.below(SLOTS as u64) as usize;
        if let Some(b) = &self.slots[other] {
            self.check(b);
        }
    }
}

fn run(seed: u64) {
    let mut r = Run {
        rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        slots: (0..SLOTS).map(|_| None).collect(),
        ranges: BTreeMap::new(),
        step: 0,
        seed,
    };
    for step in 0..STEPS {
        r.step = step;
        r.step();
    }
    for slot in 0..SLOTS {
        r.free(slot);
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn random_sequences() {
    if let Some(seed) = env_u64("MINIC_FUZZ_SEED") {
        return run(seed);
    }
    let budget = Duration::from_secs(env_u64("MINIC_FUZZ_SECONDS").unwrap_or(2));
    // A new range of seeds every run, the first one printed to replay it.
    let first = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs() * 1000);
    let start = Instant::now();
    let mut seed = first;
    while start.elapsed() < budget {
        run(seed);
        seed += 1;
    }
    println!("malloc fuzz: seeds {first}..{seed}, {} steps each", STEPS);
}

/// Threads run sequences at once: blocks of one must never overlap another's
/// (each thread checks its own; overlaps show as changed contents).
#[test]
fn concurrent_sequences() {
    let seconds = env_u64("MINIC_FUZZ_SECONDS").unwrap_or(2).div_ceil(2);
    let budget = Duration::from_secs(seconds);
    std::thread::scope(|s| {
        for t in 0..3u64 {
            s.spawn(move || {
                let start = Instant::now();
                let mut seed = 1_000_000 * (t + 1);
                while start.elapsed() < budget {
                    run(seed);
                    seed += 1;
                }
            });
        }
    });
}
