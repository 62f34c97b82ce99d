//! The linear mode: blocks are carved one after another from the top
//! of a region; `free` gives back only the most recent block (the top moves
//! back to its start, so the next allocation reuses that space), and older
//! blocks are not recycled. The region is the program break (`brk`); when
//! the break cannot grow (the kernel refuses, or it would come within the
//! stack's reach) minic continues in mapped regions used the same way, and
//! gives blocks too large for a region a mapping of their own.
//!
//! The break is used only by the C libraries (feature `capi`), where minic
//! is the program's allocator. As a Rust library beside a host C library,
//! the break belongs to that library's malloc, whose cached idea of the
//! break would cut minic's memory off: there minic uses mapped regions only.
//!
//! One futex lock guards the state, break updates included. Fork handlers
//! (hosted) take it around `fork`, so a child never inherits it held.

use super::header::{Block, HEADER, IN_USE, OWN_MAPPING};
use super::{mmap, registry, Policy};
use crate::errno::Errno;
use crate::port::{self, PAGE_SIZE};
use crate::sync::Mutex;
use core::ffi::c_void;

/// Whether the program break is minic's to use (see the module text).
const USE_BRK: bool = cfg!(feature = "capi");
/// The break grows in steps of this many bytes, so that small allocations
/// do not each cost a system call.
const BRK_STEP: usize = 128 * 1024;
/// Free space above the top beyond which freeing gives the break back.
const BRK_TRIM: usize = 1024 * 1024;
/// Room left between the break and the lowest address the stack may reach
/// (Linux keeps a 1 MiB guard gap below a growing stack).
const STACK_GAP: usize = 1024 * 1024;
/// Stack reserve assumed when the limit is unlimited or unknown.
const STACK_RESERVE_MAX: u64 = 1 << 32;
/// Size of a mapped region, when the break cannot grow (a quarter of it in
/// a freestanding library, whose kernel may commit every page it maps).
const REGION: usize = if cfg!(feature = "freestanding") {
    256 << 10
} else {
    1 << 20
};
/// Blocks needing more than this get their own mapping instead of a region.
const OWN_MAPPING_FROM: usize = REGION / 4;

/// The `linear` mode.
pub(crate) struct Linear;

struct State {
    ready: bool,
    /// The current region: blocks are carved at `top`, up to `end`.
    region_start: usize,
    top: usize,
    end: usize,
    /// Payload bytes at or above this address of the current region have
    /// never been handed out: fresh from the kernel, hence zero.
    high: usize,
    /// The current region is the program break (`end` is the break).
    on_brk: bool,
    /// The break never grows beyond this (the stack's lowest reach).
    brk_ceiling: usize,
}

impl State {
    const EMPTY: State = State {
        ready: false,
        region_start: 0,
        top: 0,
        end: 0,
        high: 0,
        on_brk: false,
        brk_ceiling: 0,
    };
}

static STATE: Mutex<State> = Mutex::new(State::EMPTY);

/// What asking for more break gave.
enum Growth {
    Grown,
    /// Someone else moved the break: the region starts again above it.
    Moved,
    Failed,
}

fn brk(addr: usize) -> usize {
    // SAFETY: brk only moves the break (which minic owns in the C library);
    // the raw call reports the resulting break and never fails as such.
    unsafe { port::brk(addr as *mut c_void) }.unwrap_or(0)
}

/// The lowest address the main stack may grow down to, less a guard gap.
fn stack_floor() -> usize {
    let here = 0u8;
    let here = &here as *const u8 as usize;
    let mut limit = [0u64; 2];
    // SAFETY: prlimit64 with no new limit writes our two-word buffer only.
    let reserve = match unsafe {
        port::prlimit64(
            0,
            crate::abi::RLIMIT_STACK as core::ffi::c_int,
            core::ptr::null(),
            limit.as_mut_ptr() as *mut c_void,
        )
    } {
        Ok(_) => limit[0].min(STACK_RESERVE_MAX),
        Err(_) => STACK_RESERVE_MAX,
    };
    here.saturating_sub(reserve as usize)
        .saturating_sub(STACK_GAP)
}

impl State {
    fn init(&mut self) {
        self.ready = true;
        if USE_BRK {
            let current = brk(0);
            if current != 0 {
                self.on_brk = true;
                self.end = current;
                self.region_start = current.next_multiple_of(HEADER);
                self.top = self.region_start;
                self.high = self.region_start;
                self.brk_ceiling = stack_floor();
            }
        }
    }

    /// Where a block of `capacity` bytes at `align` would go: (header, end).
    fn place(&self, capacity: usize, align: usize) -> Option<(usize, usize)> {
        let payload = self
            .top
            .checked_add(HEADER)?
            .checked_next_multiple_of(align)?;
        Some((payload - HEADER, payload.checked_add(capacity)?))
    }

    /// Carves a block at the top of the current region if it fits.
    fn carve(&mut self, capacity: usize, align: usize) -> Option<(Block, bool)> {
        let (header, end) = self.place(capacity, align)?;
        if self.top == 0 || end > self.end {
            return None;
        }
        let block = Block {
            payload: header + HEADER,
            capacity,
            pad: header - self.top,
            state: IN_USE,
        };
        let zeroed = block.payload >= self.high;
        self.top = end;
        self.high = self.high.max(end);
        // SAFETY: the block lies in the current region, which is ours.
        unsafe { block.write() };
        Some((block, zeroed))
    }

    /// Moves the break up to at least `needed_end`.
    fn grow_brk(&mut self, needed_end: usize) -> Growth {
        if !self.on_brk || needed_end > self.brk_ceiling {
            return Growth::Failed;
        }
        let actual = brk(0);
        if actual != self.end {
            if actual > self.end {
                self.end = actual;
                self.region_start = actual.next_multiple_of(HEADER);
                self.top = self.region_start;
                self.high = self.region_start;
                return Growth::Moved;
            }
            return Growth::Failed;
        }
        let want = needed_end
            .checked_next_multiple_of(BRK_STEP)
            .unwrap_or(needed_end)
            .min(self.brk_ceiling);
        let mut got = brk(want);
        if got < needed_end {
            // A whole step may not fit below a neighbouring mapping; the
            // pages the block needs still might.
            let exact = needed_end.next_multiple_of(PAGE_SIZE);
            if exact < want {
                got = brk(exact);
            }
        }
        if got < needed_end {
            return Growth::Failed;
        }
        if registry::set_live(self.end, got).is_err() {
            brk(self.end);
            return Growth::Failed;
        }
        self.end = got;
        Growth::Grown
    }

    /// Gives back break pages far above the top.
    fn trim_brk(&mut self) {
        if !self.on_brk || self.end - self.top <= BRK_TRIM {
            return;
        }
        // Never move a break someone else has moved since.
        if brk(0) != self.end {
            return;
        }
        let want = self.top.next_multiple_of(BRK_STEP);
        // Marked before the pages go: the kernel may hand them out again.
        registry::set_freed(want, self.end);
        if brk(want) == want {
            self.end = want;
            self.high = self.high.min(want);
        } else {
            let _ = registry::set_live(want, self.end);
        }
    }

    /// Whether `block` is the most recent block of the current region.
    fn is_top(&self, block: &Block) -> bool {
        block.end() == self.top && block.start() >= self.region_start
    }

    /// Starts a new mapped region as the current one.
    fn map_region(&mut self) -> Result<(), Errno> {
        let start = mmap::map_region(REGION)?;
        if let Err(e) = registry::set_live(start, start + REGION) {
            // SAFETY: the region was just mapped and is not used.
            let _ = unsafe { port::munmap(start as *mut c_void, REGION) };
            return Err(e);
        }
        self.region_start = start;
        self.top = start;
        self.high = start;
        self.end = start + REGION;
        self.on_brk = false;
        Ok(())
    }
}

impl Policy for Linear {
    fn alloc(capacity: usize, align: usize) -> Result<(Block, bool), Errno> {
        register_fork_handlers();
        // A signal handler that interrupted this thread inside the allocator
        // gets no memory rather than a deadlock.
        let Ok(mut state) = STATE.lock_unless_reentered() else {
            return Err(Errno::ENOMEM);
        };
        if !state.ready {
            state.init();
        }
        // A foreign break move restarts the region: try again once more.
        for _ in 0..3 {
            if let Some(found) = state.carve(capacity, align) {
                return Ok(found);
            }
            let Some((_, needed_end)) = state.place(capacity, align) else {
                break;
            };
            if state.top == 0 {
                break;
            }
            if let Growth::Failed = state.grow_brk(needed_end) {
                break;
            }
        }
        if align.max(HEADER) + capacity > OWN_MAPPING_FROM {
            drop(state);
            return mmap::map_block(capacity, align).map(|b| (b, true));
        }
        state.map_region()?;
        state.carve(capacity, align).ok_or(Errno::ENOMEM)
    }

    unsafe fn free(block: Block) {
        if block.state & OWN_MAPPING != 0 {
            // SAFETY: forwarded contract.
            return unsafe { mmap::unmap_block(block) };
        }
        // SAFETY: the header of a live block, just read: marking it free
        // atomically catches a second free, also one racing this one.
        if !unsafe { block.mark_freed() } {
            super::report("free", super::header::Misuse::DoubleFree, block.payload);
        }
        // Re-entered from a signal handler, the block is freed but its space
        // not taken back (as for any block below the top).
        let Ok(mut state) = STATE.lock_unless_reentered() else {
            return;
        };
        if state.is_top(&block) {
            state.top = block.start();
            state.trim_brk();
        }
    }

    unsafe fn resize(block: Block, capacity: usize, align: usize) -> Option<Block> {
        if block.state & OWN_MAPPING != 0 {
            // SAFETY: forwarded contract.
            return unsafe { mmap::resize_block(block, capacity, align) };
        }
        let Ok(mut state) = STATE.lock_unless_reentered() else {
            return (capacity <= block.capacity).then_some(block);
        };
        if !state.is_top(&block) {
            return (capacity <= block.capacity).then_some(block);
        }
        let new_end = block.payload.checked_add(capacity)?;
        if new_end > state.end {
            if let Growth::Grown = state.grow_brk(new_end) {
            } else {
                return None;
            }
        }
        let resized = Block { capacity, ..block };
        state.top = new_end;
        state.high = state.high.max(new_end);
        // SAFETY: the block's header, in our region.
        unsafe { resized.write() };
        if capacity < block.capacity {
            state.trim_brk();
        }
        Some(resized)
    }
}

/// Registers the fork handlers once, before the first allocation takes the
/// lock (pthread_atfork may itself allocate; that allocation proceeds
/// without registering again).
#[cfg(not(feature = "freestanding"))]
fn register_fork_handlers() {
    use core::sync::atomic::{AtomicBool, Ordering};
    static REGISTERED: AtomicBool = AtomicBool::new(false);
    extern "C" {
        fn pthread_atfork(
            prepare: Option<extern "C" fn()>,
            parent: Option<extern "C" fn()>,
            child: Option<extern "C" fn()>,
        ) -> core::ffi::c_int;
    }
    /// In the child of a fork (nothing is locked before it: see
    /// `Mutex::recover_in_fork_child`): a region another thread was carving
    /// at the fork is left; the next block starts a new one.
    extern "C" fn child() {
        STATE.recover_in_fork_child(|state| *state = State::EMPTY);
    }
    if !REGISTERED.load(Ordering::Relaxed) && !REGISTERED.swap(true, Ordering::Relaxed) {
        // SAFETY: the handlers are plain functions that live forever.
        unsafe { pthread_atfork(None, None, Some(child)) };
    }
}

/// A freestanding program has no threads, hence nothing to guard at fork.
#[cfg(feature = "freestanding")]
fn register_fork_handlers() {}

// Trimming the break to a multiple of the step gives back whole pages only.
const _: () = assert!(BRK_STEP % PAGE_SIZE == 0);
