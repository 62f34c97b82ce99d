//! Large blocks: each in its own mapping, the header at the payload's
//! start minus 16 (the pad before it is the mapping's first bytes). Freed
//! mappings wait in a small cache, so a program that frees and allocates
//! buffers does not pay a fresh mapping and its page faults every time; a
//! cached mapping of another size is used as it is, resident pages and all,
//! for a request of at least a sixteenth of it (a buffer that grows again,
//! such as a string builder's, then finds its pages already there); when
//! the mapping is twice what the block needs or more, the pages past that
//! go back to the kernel if the block still holds it a sixteenth of a
//! second later (see [`RoomyBlock`]). The cache is
//! bounded (64 mappings, four times the live large bytes within 16 to
//! 128 MiB: see `cache_limit`) and ages: a mapping not reused within about
//! a quarter of a second is unmapped at the next large allocation or free,
//! so resident memory comes back to live memory. `realloc` moves a block into a cached
//! mapping with room when there is one (its pages are resident), else
//! resizes it with `mremap`: the kernel moves page table entries instead of
//! copying bytes.

use crate::malloc::header::{Block, Misuse, HEADER, IN_USE, OWN_MAPPING};
use crate::malloc::os::{self, ticks, AGE};
use crate::malloc::registry;
use crate::port;
use crate::sync::Mutex;
use core::ffi::c_void;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicUsize, Ordering};

const PAGE: usize = port::PAGE_SIZE;
const CACHE_ENTRIES: usize = 64;
/// Bytes before a large block's header: the mapping's length.
pub const LEAD: usize = 16;
/// The cache holds at most four times the bytes of the live large blocks,
/// within these bounds: a program with little in large blocks keeps little
/// idle, one that replaces large buffers all the time finds them resident
/// (bench/realloc and bench/large measure both sides).
/// A freestanding program, which may run over a kernel without virtual
/// memory (where a mapping costs all its pages), keeps at most 1 MiB.
const CACHE_BYTES_MIN: usize = if cfg!(feature = "freestanding") {
    512 << 10
} else {
    16 << 20
};
const CACHE_BYTES: usize = if cfg!(feature = "freestanding") {
    1 << 20
} else {
    128 << 20
};
/// A cached mapping serves a request of at least this fraction of it (a
/// freestanding program's only of half: see above).
const REUSE_FRACTION: usize = if cfg!(feature = "freestanding") {
    2
} else {
    16
};

/// How long a cached mapping waits for reuse, in `os::ticks`: about a
/// quarter of a second. A program that replaces its buffers all the time
/// reuses them sooner (bench/large, bench/realloc: no slower than with a
/// second); one whose buffer grows, allocating a larger one and freeing the
/// last each time (mawk appending to a string), leaves a trail of mappings
/// too small for its next request, resident until they age out.
const LARGE_AGE: u64 = AGE / 4;

/// The cache's bound now.
fn cache_limit() -> usize {
    (4 * LIVE_BYTES.load(Ordering::Relaxed)).clamp(CACHE_BYTES_MIN, CACHE_BYTES)
}

/// A freed mapping waiting in the cache.
#[derive(Clone, Copy, Default)]
struct CachedMapping {
    start: usize,
    len: usize,
    /// When it was freed (`os::ticks`).
    freed_at: u64,
}

/// A live block in a cached mapping it took that is at least twice the
/// length it needs: if it is still there after [`ROOM_AGE`], the pages
/// past what it needs go back to the kernel (a small block would otherwise
/// keep a large one's resident pages for as long as it lives).
#[derive(Clone, Copy, Default)]
struct RoomyBlock {
    /// The mapping's start, and the length of it the block needs.
    start: usize,
    needed: usize,
    len: usize,
    /// When it took the mapping (`os::ticks`).
    since: u64,
}

/// Whether roomy blocks are watched: a freestanding library's cache serves
/// only requests of half a mapping or more, and stays small.
const WATCH_ROOMY: bool = !cfg!(feature = "freestanding");

/// Roomy blocks watched at most (the others keep their room resident).
const ROOMY_ENTRIES: usize = if WATCH_ROOMY { 256 } else { 0 };

/// How long a roomy block keeps its room, in `os::ticks`: about a
/// sixteenth of a second. A block that is replaced or grows within that
/// time finds the pages resident (bench/large, bench/realloc: as fast as
/// with no release); `git log -p` keeps many small blocks in large
/// mappings for longer (on glibc's history its peak RSS is 210 MiB with the
/// release, 235 MiB without).
const ROOM_AGE: u64 = LARGE_AGE / 4;

/// Set in a mapping's length word while its block may be on the roomy
/// list (lengths are multiples of the page size): growing the block into
/// its room, moving or freeing it first takes it off.
const ROOMY: usize = 1;

struct Cache {
    /// The first `count` are free mappings, the oldest first.
    entries: [CachedMapping; CACHE_ENTRIES],
    count: usize,
    /// Their total length.
    bytes: usize,
    /// The first `roomy_count` are roomy blocks, the oldest first.
    roomy: [RoomyBlock; ROOMY_ENTRIES],
    roomy_count: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    entries: [CachedMapping {
        start: 0,
        len: 0,
        freed_at: 0,
    }; CACHE_ENTRIES],
    count: 0,
    bytes: 0,
    roomy: [RoomyBlock {
        start: 0,
        needed: 0,
        len: 0,
        since: 0,
    }; ROOMY_ENTRIES],
    roomy_count: 0,
});

/// Live large blocks and their mapped bytes (for mallinfo2).
pub static LIVE_COUNT: AtomicUsize = AtomicUsize::new(0);
/// See [`LIVE_COUNT`].
pub static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The mapping length that holds `n` payload bytes aligned to `align`, or
/// None on overflow.
fn length_for(n: usize, align: usize) -> Option<usize> {
    // The mapping's length, the header and the alignment pad come first.
    let extra = LEAD + align.max(HEADER);
    let len = n.checked_add(extra)?;
    // Rounded up to one of 4 sizes per power of two (at most a fifth more),
    // so that freed mappings fit later requests of about the same size.
    let step = (len.next_power_of_two() / 8).max(PAGE);
    len.checked_add(step - 1).map(|l| l & !(step - 1))
}

/// A large block of at least `n` bytes aligned to `align` (a power of two,
/// at least 16); the flag says whether its memory is fresh from the kernel
/// (zero). None: no memory.
// Kept out of line: inlined, its frame would weigh on every small malloc.
#[inline(never)]
pub fn alloc(n: usize, align: usize) -> Option<(Block, bool)> {
    let len = length_for(n, align)?;
    if len > isize::MAX as usize {
        return None;
    }
    let _ = age_cache(None);
    let (start, len, roomy, fresh) = match reuse(len) {
        Some((s, l, roomy)) => (s, l, roomy, false),
        None => (
            crate::malloc::os::map_private(len, false).ok()?,
            len,
            false,
            true,
        ),
    };
    let b = place(start, len, roomy, align, n);
    // free reads only headers whose page the registry knows as live.
    if registry::set_live(b.header(), b.payload).is_err() {
        // SAFETY: our new block's mapping, never handed out.
        let _ = unsafe { port::munmap(start as *mut c_void, len) };
        return None;
    }
    LIVE_COUNT.fetch_add(1, Ordering::Relaxed);
    LIVE_BYTES.fetch_add(len, Ordering::Relaxed);
    Some((b, fresh))
}

/// Writes the mapping's length at its start (with [`ROOMY`] if `roomy`)
/// and the header of a block of
/// `capacity` bytes aligned to `align` in mapping [start, start + len). The
/// header records the capacity asked for, not the mapping's: a reused
/// mapping's bytes past it are stale, and the shared layer's zeroing rules
/// (recallocarray) hold only up to the recorded capacity.
fn place(start: usize, len: usize, roomy: bool, align: usize, capacity: usize) -> Block {
    let a = align.max(HEADER);
    let payload = (start + LEAD + HEADER + a - 1) & !(a - 1);
    let b = Block {
        payload,
        capacity,
        pad: payload - HEADER - start,
        state: IN_USE | OWN_MAPPING,
    };
    // SAFETY: the length word and the header lie inside the mapping, ours.
    unsafe {
        (start as *mut usize).write(if roomy { len | ROOMY } else { len });
        b.write();
    }
    b
}

/// The length of a large block's mapping, written at its start.
///
/// # Safety
/// `b` is a live large block.
unsafe fn mapping_len(b: &Block) -> usize {
    // SAFETY: the caller's contract: the mapping starts with its length.
    unsafe { (b.start() as *const usize).read() & !ROOMY }
}

/// Takes the block of the mapping at `start` off the roomy list if it may
/// be on it, before it grows into its room, moves or goes (its room is
/// then never released under it, nor after it, in a range that may be
/// someone else's). False, doing nothing, in a signal handler that
/// interrupted this thread inside the cache.
///
/// # Safety
/// `start` is the mapping of a live large block, the caller's.
unsafe fn unwatch(start: usize) -> bool {
    let word = start as *mut usize;
    // SAFETY: the caller's contract: the mapping's first word, which only
    // the block's owner reads or writes.
    let len = unsafe { word.read() };
    if !WATCH_ROOMY || len & ROOMY == 0 {
        return true;
    }
    let Ok(mut c) = CACHE.lock_unless_reentered() else {
        return false;
    };
    c.unwatch_roomy(start);
    // SAFETY: as above.
    unsafe { word.write(len & !ROOMY) };
    true
}

/// The smallest cached mapping of `len` to `REUSE_FRACTION * len` bytes and its length, if the
/// cache has one: used as it is, with the pages that are still resident
/// (what makes reuse worth it; resizing would fault them in again). The
/// flag says whether the block placed in it is watched as roomy (the
/// mapping is at least twice `len`).
fn reuse(len: usize) -> Option<(usize, usize, bool)> {
    // A signal handler that interrupted this thread in the cache maps anew.
    let mut c = CACHE.lock_unless_reentered().ok()?;
    let mut best: Option<(usize, usize)> = None;
    for (i, m) in c.live().iter().enumerate() {
        if m.len >= len && m.len <= REUSE_FRACTION * len && best.is_none_or(|(_, l)| m.len < l) {
            best = Some((i, m.len));
        }
    }
    let m = c.remove(best?.0);
    let roomy = WATCH_ROOMY && m.len / 2 >= len && c.watch_roomy(m.start, len, m.len);
    Some((m.start, m.len, roomy))
}

/// Takes item `i` (below `count`) out of the first `count` of `items`,
/// moving the later ones down to keep their order.
fn take_out<T: Copy + Default>(items: &mut [T], count: usize, i: usize) -> T {
    let item = items.get(i).copied().unwrap_or_default();
    let end = count.min(items.len());
    if let Some(tail) = items.get_mut(i..end) {
        let by = tail.len().min(1);
        tail.rotate_left(by);
    }
    item
}

impl Cache {
    /// The cached mappings, oldest first.
    fn live(&self) -> &[CachedMapping] {
        self.entries.get(..self.count).unwrap_or(&[])
    }

    /// Takes entry `i` (below `count`) out, keeping the order of the others.
    fn remove(&mut self, i: usize) -> CachedMapping {
        let m = take_out(&mut self.entries[..], self.count, i);
        self.count -= 1;
        self.bytes -= m.len;
        m
    }

    fn oldest_is_older_than(&self, now: u64, age: u64) -> bool {
        self.live()
            .first()
            .is_some_and(|m| now.wrapping_sub(m.freed_at) > age)
    }

    /// Watches a block placed in mapping `[start, start + len)` that needs
    /// its first `needed` bytes; false if the list is full.
    fn watch_roomy(&mut self, start: usize, needed: usize, len: usize) -> bool {
        let Some(slot) = self.roomy.get_mut(self.roomy_count) else {
            return false;
        };
        *slot = RoomyBlock {
            start,
            needed,
            len,
            since: ticks(),
        };
        self.roomy_count += 1;
        true
    }

    /// The roomy blocks watched, the oldest first.
    fn watched(&mut self) -> &mut [RoomyBlock] {
        self.roomy.get_mut(..self.roomy_count).unwrap_or(&mut [])
    }

    /// Takes the roomy block of the mapping at `start` off the list.
    fn unwatch_roomy(&mut self, start: usize) {
        let watched = self.watched();
        let Some(i) = watched.iter().position(|r| r.start == start) else {
            return;
        };
        take_out(watched, usize::MAX, i);
        self.roomy_count -= 1;
    }

    /// Gives back the room of the roomy blocks, the oldest first, while
    /// `due` says so, and stops watching them.
    fn release_room(&mut self, due: impl Fn(&RoomyBlock) -> bool) {
        let watched = self.watched();
        let old = watched.iter().take_while(|r| due(r)).count();
        for r in watched.iter().take(old) {
            // SAFETY: the pages past what a live block needs in its own
            // mapping, which nothing uses: growing into them, moving or
            // freeing the block first takes it off this list, under the
            // lock held here.
            unsafe { os::release_pages(r.start + r.needed, r.len.wrapping_sub(r.needed)) };
        }
        watched.rotate_left(old.min(watched.len()));
        self.roomy_count -= old;
    }

    /// Empties the cache; its mappings are the caller's to unmap.
    fn take_all(&mut self) -> ([CachedMapping; CACHE_ENTRIES], usize) {
        let all = (self.entries, self.count);
        self.count = 0;
        self.bytes = 0;
        all
    }
}

/// Ages the cache: unmaps the mappings that waited longer than their age
/// and, to make room for `add` (a freed mapping to cache), the oldest
/// others; then caches `add`. Returns false when a signal handler
/// interrupted this thread in the cache: `add` is then not cached (the
/// caller unmaps it).
#[inline(never)]
fn age_cache(add: Option<(usize, usize)>) -> bool {
    let now = ticks();
    let mut evicted = [CachedMapping::default(); CACHE_ENTRIES];
    let mut ne = 0;
    {
        let Ok(mut c) = CACHE.lock_unless_reentered() else {
            return false;
        };
        if WATCH_ROOMY {
            c.release_room(|r| now.wrapping_sub(r.since) > ROOM_AGE);
        }
        let len = add.map_or(0, |a| a.1);
        let limit = cache_limit();
        while c.oldest_is_older_than(now, LARGE_AGE)
            || add.is_some() && c.count > 0 && (c.count == CACHE_ENTRIES || c.bytes + len > limit)
        {
            evicted[ne & (CACHE_ENTRIES - 1)] = c.remove(0);
            ne += 1;
        }
        if let Some((start, len)) = add {
            let count = c.count;
            c.entries[count & (CACHE_ENTRIES - 1)] = CachedMapping {
                start,
                len,
                freed_at: now,
            };
            c.count += 1;
            c.bytes += len;
        }
    }
    unmap(evicted.get(..ne).unwrap_or(&[]));
    true
}

fn unmap(mappings: &[CachedMapping]) {
    for m in mappings {
        // SAFETY: cached mappings are free blocks of ours.
        unsafe { os::unmap(m.start, m.len) };
    }
}

/// Frees a large block.
///
/// # Safety
/// `b` is a live large block, no longer used.
#[inline(never)]
pub unsafe fn free(b: &Block) {
    let start = b.start();
    // SAFETY: a live large block (the caller's contract).
    let len = unsafe { mapping_len(b) };
    LIVE_COUNT.fetch_sub(1, Ordering::Relaxed);
    LIVE_BYTES.fetch_sub(len, Ordering::Relaxed);
    // Of two threads freeing the block at once, one is told; a later free
    // finds the page freed in the registry.
    if !registry::claim(b.header()) {
        crate::malloc::header::report("free", Misuse::DoubleFree, b.payload);
    }
    // SAFETY: the block's mapping, claimed: no longer used. (Still watched
    // as roomy, in a signal handler that interrupted this thread inside
    // the cache, it stays mapped: its room may be released later.)
    unsafe {
        if unwatch(start) {
            retire(start, len);
        }
    }
}

/// Caches a freed block's mapping, or unmaps it: a mapping larger than the
/// cache's bound goes even when the cache is empty (a program that freed
/// its one big buffer and allocates smaller ones would otherwise keep its
/// pages resident under them).
///
/// # Safety
/// `[start, start + len)` is a mapping of ours that nothing uses.
unsafe fn retire(start: usize, len: usize) {
    if len > cache_limit().min(CACHE_BYTES / 2) || !age_cache(Some((start, len))) {
        // SAFETY: the caller's contract.
        let _ = unsafe { port::munmap(start as *mut c_void, len) };
    }
}

/// Resizes a large block to hold `n` bytes (more than it has): in place when
/// its mapping has room, else with `mremap`; None when the kernel has no
/// room (the block is unchanged).
///
/// # Safety
/// `b` is a live large block of 16-byte alignment.
pub unsafe fn resize(b: &Block, n: usize) -> Option<Block> {
    let start = b.start();
    // SAFETY: a live large block (the caller's contract).
    let old = unsafe { mapping_len(b) };
    // SAFETY: as above.
    if !unsafe { unwatch(start) } {
        return None;
    }
    if n <= start + old - b.payload {
        // The mapping has room: the header records the new capacity.
        let grown = Block { capacity: n, ..*b };
        // SAFETY: the block's own header.
        unsafe { grown.write() };
        return Some(grown);
    }
    let mut len = length_for(n, HEADER)?;
    if len > old {
        // Growing by realloc tends to go on: leave a quarter of room.
        len = len.max((old + old / 4 + PAGE - 1) & !(PAGE - 1));
    }
    if len > isize::MAX as usize {
        return None;
    }
    // A cached mapping with room, its pages resident, takes the bytes:
    // copying them costs less than the page faults of the part `mremap`
    // would add (bench/realloc: 84,000 page faults -> 12,500, 0.63 ->
    // 0.50 s; bench/large: 344,000 -> 180,000, 0.76 -> 0.51 s).
    // SAFETY: the caller's contract.
    if let Some(moved) = unsafe { move_to_cached(b, start, old, len, n) } {
        return Some(moved);
    }
    // The old header page is marked freed before the move: once the pages
    // have moved, another thread may map that range again and register it,
    // which a later mark would undo.
    registry::set_freed(start + LEAD, start + LEAD + HEADER);
    // SAFETY: the block's own mapping.
    let moved = unsafe {
        port::mremap(
            start as *mut c_void,
            old,
            len,
            crate::abi::MREMAP_MAYMOVE,
            null_mut(),
        )
    };
    let a = match moved {
        Ok(a) if registry::set_live(a + LEAD, a + LEAD + HEADER).is_ok() => a,
        Ok(a) => {
            // The new place cannot be registered: the pages go back where
            // they were (free since the move, unless someone mapped it:
            // then the block stays lost to free, never corrupt).
            // SAFETY: our block's pages, moved back to their old range.
            let _ = unsafe {
                port::mremap(
                    a as *mut c_void,
                    len,
                    old,
                    crate::abi::MREMAP_MAYMOVE | crate::abi::MREMAP_FIXED,
                    start as *mut c_void,
                )
            };
            let _ = registry::set_live(start + LEAD, start + LEAD + HEADER);
            return None;
        }
        Err(_) => {
            let _ = registry::set_live(start + LEAD, start + LEAD + HEADER);
            return None;
        }
    };
    LIVE_BYTES.fetch_add(len.wrapping_sub(old), Ordering::Relaxed);
    Some(place(a, len, false, HEADER, n))
}

/// Moves a live large block of 16-byte alignment (mapping `[start, start +
/// old)`) into a cached mapping of at least `len` bytes, as a block of `n`
/// bytes; None if the cache has none (or the new place cannot be
/// registered: the block then stays).
///
/// # Safety
/// `b` is a live large block of 16-byte alignment, `n > b.capacity`.
unsafe fn move_to_cached(
    b: &Block,
    start: usize,
    old: usize,
    len: usize,
    n: usize,
) -> Option<Block> {
    let (to, to_len, roomy) = reuse(len)?;
    let moved = place(to, to_len, roomy, HEADER, n);
    if registry::set_live(moved.header(), moved.payload).is_err() {
        // SAFETY: the mapping just taken from the cache, unused.
        unsafe {
            if unwatch(to) {
                retire(to, to_len);
            }
        }
        return None;
    }
    // SAFETY: two distinct mappings of ours; the new one holds `n` bytes,
    // more than the block's capacity. The old block is then retired as
    // free does (its registry page claimed).
    unsafe {
        core::ptr::copy_nonoverlapping(
            b.payload as *const u8,
            moved.payload as *mut u8,
            b.capacity,
        );
        if !registry::claim(b.header()) {
            crate::malloc::header::report("realloc", Misuse::DoubleFree, b.payload);
        }
        retire(start, old);
    }
    LIVE_BYTES.fetch_add(to_len.wrapping_sub(old), Ordering::Relaxed);
    Some(moved)
}

/// Unmaps every cached mapping; true if there was one. Nothing in a signal
/// handler that interrupted this thread inside the cache.
pub fn trim() -> bool {
    let (all, count) = {
        let Ok(mut c) = CACHE.lock_unless_reentered() else {
            return false;
        };
        c.release_room(|_| true);
        c.take_all()
    };
    unmap(all.get(..count).unwrap_or(&[]));
    count > 0
}

/// Bytes held in the cache (0 in a signal handler that interrupted this
/// thread inside the cache).
pub fn cached() -> usize {
    CACHE.lock_unless_reentered().map_or(0, |c| c.bytes)
}

/// In a fork child: a cache another thread was changing at the fork
/// starts empty (its mappings are lost to the child, never handed out
/// twice).
#[cfg(not(feature = "freestanding"))]
pub fn recover_in_fork_child() {
    CACHE.recover_in_fork_child(|c| {
        c.take_all();
        c.roomy_count = 0;
    });
}
