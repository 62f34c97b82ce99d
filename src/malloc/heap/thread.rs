//! Which heap a thread uses.
//!
//! Hosted: each thread its own, found through a thread-local pointer (an
//! initial-exec variable, `port::arch`), with no lock. When a thread
//! exits (a thread-specific key's destructor, through the host's thread
//! library), its heap gives what it keeps for reuse back and is left for
//! adoption: a thread's first allocation adopts such a heap, or one whose
//! owner's thread id no longer exists (a thread that ended without the
//! hook), before creating a new one, so programs that start many short
//! threads reuse heaps and the blocks in them. A thread with no heap yet
//! that frees a block of such a heap adopts that heap at once, while
//! another is left for the next new thread ([`adopt_orphan`]): a thread
//! that takes over an exited thread's blocks then frees them as their
//! owner and reuses their slots. Until a thread adopts it, a thread that
//! frees into such a heap, or trims, holds it for the moment and works on
//! it as its owner would; a new thread that finds such heaps only held
//! waits for one to be let go. `fork` is made safe by pthread_atfork
//! handlers that hold every allocator lock across it.
//!
//! The same in a Rust program (`minic::Minic` as its global allocator).
//!
//! Freestanding (no thread-local storage, and no threads in a bare
//! program): one shared heap behind a lock.

use super::Heap;

#[cfg(not(feature = "freestanding"))]
mod imp {
    use super::super::{chunk, large};
    use super::Heap;
    use crate::port;
    use crate::sync::{futex_wait, Mutex};
    use core::ptr::null_mut;
    use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    // The thread's heap pointer: a thread-local slot (port::arch).
    #[inline(always)]
    fn tls_heap() -> *mut Heap {
        port::arch::tls_heap().cast()
    }

    fn set_tls_heap(h: *mut Heap) {
        port::arch::set_tls_heap(h.cast())
    }

    extern "C" {
        /// In `src/c/minic_thread.c`: calls `destructor(value)` when the
        /// calling thread exits (0), or cannot (an error number).
        fn __minic_at_thread_exit(
            destructor: unsafe extern "C" fn(*mut core::ffi::c_void),
            value: *mut core::ffi::c_void,
        ) -> core::ffi::c_int;
        fn pthread_atfork(
            prepare: Option<unsafe extern "C" fn()>,
            parent: Option<unsafe extern "C" fn()>,
            child: Option<unsafe extern "C" fn()>,
        ) -> core::ffi::c_int;
    }

    /// Nothing to hold: the heap is the thread's own.
    pub type HeapClaim = ();

    /// `Heap::owner` of a heap whose thread exited while another thread
    /// works on it for a moment (frees into it, or tidies it): no new
    /// thread adopts it meanwhile.
    const HELD: u32 = u32::MAX;

    /// `Heap::owner` of a heap no thread adopts or holds: in the child of
    /// a fork, one that another thread was changing at the fork. (Not
    /// [`HELD`], which a new thread would wait for.)
    const KEPT: u32 = u32::MAX - 1;

    /// A hold on a heap whose thread exited ([`hold_orphan`]), let go when
    /// dropped.
    pub struct OrphanHold(*mut Heap);

    /// Holds heap `h` if its thread exited and no other thread holds or
    /// adopted it: the caller may then work on it as its owner would.
    pub fn hold_orphan(h: *mut Heap) -> Option<OrphanHold> {
        // SAFETY: heaps live forever.
        let owner = unsafe { &(*h).owner };
        // A load first: every remote free asks, and a failed
        // compare-and-swap would still take the line from its readers.
        if owner.load(Ordering::Relaxed) != 0 {
            return None;
        }
        // Acquire: what the last holder, or the exiting owner, wrote.
        owner
            .compare_exchange(0, HELD, Ordering::Acquire, Ordering::Relaxed)
            .ok()?;
        Some(OrphanHold(h))
    }

    impl Drop for OrphanHold {
        fn drop(&mut self) {
            // SAFETY: heaps live forever; the hold is ours to let go.
            unsafe { (*self.0).owner.store(0, Ordering::Release) };
        }
    }

    /// Calls `f` on each heap whose thread exited, held; true if any call
    /// returned true. Skipped in a signal handler that interrupted this
    /// thread while it held the list of heaps.
    pub fn for_each_orphan(mut f: impl FnMut(*mut Heap) -> bool) -> bool {
        // New heaps go in front and links never change: the list from its
        // first heap needs no lock.
        let Ok(first) = HEAPS.lock_unless_reentered().map(|hs| hs.first) else {
            return false;
        };
        let mut any = false;
        let mut h = first;
        while !h.is_null() {
            if let Some(_hold) = hold_orphan(h) {
                any |= f(h);
            }
            // SAFETY: heaps on the list live forever.
            h = unsafe { (*h).next };
        }
        any
    }

    struct HeapList {
        first: *mut Heap,
        /// Unused room for new heaps.
        next: usize,
        end: usize,
    }

    // SAFETY: heaps are shared memory reached under the mutex only (their
    // owner-only fields are never touched by the list's users).
    unsafe impl Send for HeapList {}

    static HEAPS: Mutex<HeapList> = Mutex::new(HeapList {
        first: null_mut(),
        next: 0,
        end: 0,
    });
    static ATFORK: AtomicBool = AtomicBool::new(false);
    /// Heaps whose thread exited and that no thread has adopted since
    /// (owner 0, or held for a moment). Only a hint for
    /// [`adopt_orphan`]: counted where an owner becomes 0 or a thread
    /// adopts such a heap, and counted again in a fork's child.
    static ORPHANS: AtomicUsize = AtomicUsize::new(0);

    #[inline]
    pub fn heap() -> Option<(*mut Heap, HeapClaim)> {
        let h = tls_heap();
        if !h.is_null() {
            return Some((h, ()));
        }
        first_heap().map(|h| (h, ()))
    }

    /// The thread's heap if it has one yet.
    #[inline(always)]
    pub fn heap_if_any() -> Option<(*mut Heap, HeapClaim)> {
        let h = tls_heap();
        (!h.is_null()).then_some((h, ()))
    }

    #[inline]
    pub fn heap_if(owner: *mut Heap) -> Option<(*mut Heap, HeapClaim)> {
        let h = tls_heap();
        (h == owner).then_some((h, ()))
    }

    fn tid() -> u32 {
        // SAFETY: gettid has no memory effects.
        unsafe { port::gettid() }.unwrap_or(0) as u32
    }

    /// True when no thread of this process has the id `t` (or it is ours:
    /// the id was reused after its heap's owner exited).
    fn gone(t: u32, me: u32) -> bool {
        if t == me {
            return true;
        }
        // SAFETY: signal 0 only checks that the thread exists.
        unsafe {
            let pid = port::getpid().unwrap_or(0) as core::ffi::c_int;
            port::tgkill(pid, t as core::ffi::c_int, 0) == Err(crate::Errno(crate::abi::ESRCH))
        }
    }

    /// Waits, at most, for an exited thread's heap that another thread
    /// holds for a moment (it frees a block there), before a thread makes
    /// a heap of its own: 200 of at most 50 µs, so 10 ms in all.
    const HELD_WAITS: u32 = 200;
    const HELD_WAIT: crate::abi::timespec = crate::abi::timespec {
        tv_sec: 0,
        tv_nsec: 50_000,
    };

    /// Makes heap `h`, whose thread exited, the calling thread's, as its
    /// first free of a block there: when this thread has no heap yet,
    /// another such heap is left for the next new thread, and `h` is not
    /// the heap this thread itself left at its exit (its exit handlers
    /// run after). True if `h` is this thread's now.
    ///
    /// A thread that takes over an exited thread's blocks (a server's
    /// connections handed to a new thread) then frees them as their owner
    /// would, without atomic steps, and its mallocs reuse their slots
    /// while they are still in the cache; adopting at its first malloc
    /// instead, it would take whichever exited thread's heap comes first,
    /// and free every block of the one it took over as another thread's.
    /// The last such heap is left for a first malloc: a thread that only
    /// frees would otherwise keep it from the next thread that allocates.
    #[cold]
    pub fn adopt_orphan(h: *mut Heap) -> bool {
        // SAFETY: heaps live forever.
        let (owner, left_by) = unsafe { (&(*h).owner, &(*h).left_by) };
        if !tls_heap().is_null()
            || owner.load(Ordering::Relaxed) != 0
            || ORPHANS.load(Ordering::Relaxed) < 2
        {
            return false;
        }
        let me = tid();
        if left_by.load(Ordering::Relaxed) == me {
            return false;
        }
        // Under the list's lock, as `first_heap` sets a thread's heap: a
        // signal handler that interrupted this thread there adopts nothing.
        let Ok(heaps) = HEAPS.lock_unless_reentered() else {
            return false;
        };
        if !tls_heap().is_null()
            || owner
                .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return false;
        }
        ORPHANS.fetch_sub(1, Ordering::Relaxed);
        set_tls_heap(h);
        drop(heaps);
        // The thread may be running its exit handlers: the hook may never
        // run, so the heap is recovered by asking the kernel whether its
        // owner still lives.
        settle(h, false);
        true
    }

    #[cold]
    fn first_heap() -> Option<*mut Heap> {
        let me = tid();
        let mut waits = 0;
        let (h, left_before) = loop {
            // A signal handler that interrupted the thread here gets no heap.
            let mut hs = HEAPS.lock_unless_reentered().ok()?;
            // A signal handler's free that interrupted this thread before
            // the lock adopted a heap for it.
            let adopted = tls_heap();
            if !adopted.is_null() {
                return Some(adopted);
            }
            // An exited thread's heap that another thread holds.
            let mut held: *mut Heap = null_mut();
            // A heap whose owner exited through the exit hook first; then
            // one whose owner the kernel no longer knows (a thread that
            // ended without the hook), asking only about those.
            let mut found: *mut Heap = null_mut();
            for unhooked in [false, true] {
                let mut h = hs.first;
                while !h.is_null() && found.is_null() {
                    // SAFETY: heaps on the list live forever.
                    let (o, hooked) = unsafe { (&(*h).owner, &(*h).exit_hooked) };
                    // From the owner it had to us: a heap another thread
                    // holds (owner HELD, its thread exited through the
                    // hook) is not taken meanwhile.
                    let from = if unhooked {
                        let owner = o.load(Ordering::Acquire);
                        (!hooked.load(Ordering::Relaxed) && owner != HELD && gone(owner, me))
                            .then_some(owner)
                    } else {
                        Some(0)
                    };
                    let tried = from.map(|from| {
                        o.compare_exchange(from, me, Ordering::Acquire, Ordering::Relaxed)
                    });
                    match tried {
                        Some(Ok(_)) => {
                            if !unhooked {
                                ORPHANS.fetch_sub(1, Ordering::Relaxed);
                            }
                            found = h;
                        }
                        // Held at the moment we tried (it may be let go
                        // already: the wait then returns at once).
                        Some(Err(HELD)) if held.is_null() => held = h,
                        _ => {}
                    }
                    // SAFETY: as above.
                    h = unsafe { (*h).next };
                }
            }
            // Rather than a heap of our own (and slabs of our own beside
            // those the held heap has free), the held heap once let go.
            if found.is_null() && !held.is_null() && waits < HELD_WAITS {
                drop(hs);
                waits += 1;
                // Timed: the holder lets go with a store and wakes no one.
                // SAFETY: heaps on the list live forever.
                futex_wait(unsafe { &(*held).owner }, HELD, Some(&HELD_WAIT));
                continue;
            }
            if found.is_null() {
                let size = core::mem::size_of::<Heap>();
                if hs.next + size > hs.end {
                    // Zeroed memory is an empty heap.
                    const ROOM: usize = 64 * 1024;
                    hs.next = crate::malloc::os::map_private(ROOM, false).ok()?;
                    hs.end = hs.next + ROOM;
                }
                found = hs.next as *mut Heap;
                hs.next += size;
                // SAFETY: fresh zeroed memory of ours, now a heap.
                unsafe {
                    (*found).owner.store(me, Ordering::Relaxed);
                    (*found).next = hs.first;
                }
                hs.first = found;
            }
            // Under the lock (see `adopt_orphan`).
            set_tls_heap(found);
            break (found, left_a_heap(hs.first, me));
        };
        // A thread that left a heap at its exit allocates from its exit
        // handlers: its hook may never run again.
        settle(h, !left_before);
        Some(h)
    }

    /// Whether the thread `me` left one of the heaps from `first` on at its
    /// exit (the list's lock held).
    fn left_a_heap(first: *mut Heap, me: u32) -> bool {
        let mut h = first;
        while !h.is_null() {
            // SAFETY: heaps on the list live forever.
            unsafe {
                if (*h).left_by.load(Ordering::Relaxed) == me {
                    return true;
                }
                h = (*h).next;
            }
        }
        false
    }

    /// Hooks the exit of the calling thread, which has just made `h` its
    /// heap; `hook_runs`: the hook is sure to run at that exit (the thread
    /// is not running its exit handlers already). Registering may
    /// allocate: the heap is set.
    fn settle(h: *mut Heap, hook_runs: bool) {
        // SAFETY: the hook runs `thread_exit(h)` on this thread as it ends.
        let hooked = unsafe { __minic_at_thread_exit(thread_exit, h.cast()) } == 0;
        // SAFETY: heaps live forever.
        unsafe {
            (*h).exit_hooked
                .store(hooked && hook_runs, Ordering::Relaxed)
        };
        if !ATFORK.swap(true, Ordering::Relaxed) {
            // SAFETY: the handlers are sound at any fork.
            unsafe { pthread_atfork(None, None, Some(child)) };
        }
    }

    /// At the exit of the thread that owns heap `h`: what the heap keeps
    /// for reuse goes back (to the slab pool, which returns it to the
    /// kernel), and the heap is left for the next new thread to adopt.
    /// What the thread frees later (other exit handlers) goes to its
    /// heap like any other thread's free.
    unsafe extern "C" fn thread_exit(h: *mut core::ffi::c_void) {
        let h = h as *mut Heap;
        if tls_heap() != h {
            return;
        }
        // SAFETY: our own heap, until the owner is cleared below.
        unsafe { super::super::upkeep::tidy(h) };
        set_tls_heap(null_mut());
        // Counted first: an adoption as soon as the owner is cleared takes
        // the count back down.
        ORPHANS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: heaps live forever; from here on the heap is not ours.
        unsafe {
            let me = (*h).owner.load(Ordering::Relaxed);
            (*h).left_by.store(me, Ordering::Relaxed);
            (*h).owner.store(0, Ordering::Release);
        }
    }

    /// In the child of a fork (nothing is locked before it: see
    /// `Mutex::recover_in_fork_child`).
    unsafe extern "C" fn child() {
        large::recover_in_fork_child();
        chunk::recover_in_fork_child();
        HEAPS.recover_in_fork_child(|_| {});
        // SAFETY: the child has one thread; heaps live forever.
        unsafe {
            // The thread has a new id: keep its heap from looking abandoned.
            let h = tls_heap();
            if !h.is_null() {
                (*h).owner.store(tid(), Ordering::Relaxed);
            }
            // The other threads' heaps have no owner in the child; one that
            // its thread was working on at the fork may be half updated and
            // is left alone: KEPT, which no thread adopts, holds or waits
            // for.
            // (A fork from a signal handler that interrupted this thread
            // holding the list leaves them all as they are.)
            let Ok(heaps) = HEAPS.lock_unless_reentered() else {
                return;
            };
            let mut other = heaps.first;
            let mut orphans = 0;
            while !other.is_null() {
                if other != h {
                    if (*other).busy {
                        (*other).exit_hooked.store(true, Ordering::Relaxed);
                        (*other).owner.store(KEPT, Ordering::Relaxed);
                    } else {
                        (*other).owner.store(0, Ordering::Relaxed);
                        orphans += 1;
                    }
                }
                other = (*other).next;
            }
            ORPHANS.store(orphans, Ordering::Relaxed);
        }
    }
}

#[cfg(feature = "freestanding")]
mod imp {
    use super::super::Heap;
    use crate::sync::{Guard as MutexGuard, Mutex};

    /// The shared heap's lock, held for the whole operation.
    pub type HeapClaim = MutexGuard<'static, Heap>;

    static SHARED: Mutex<Heap> = Mutex::new(Heap::new());

    pub fn heap() -> Option<(*mut Heap, HeapClaim)> {
        // A signal handler that interrupted the allocator gets nothing
        // (NULL from malloc; free marks the slot as another thread would).
        let mut g = SHARED.lock_unless_reentered().ok()?;
        let h: *mut Heap = &mut *g;
        Some((h, g))
    }

    pub fn heap_if(_owner: *mut Heap) -> Option<(*mut Heap, HeapClaim)> {
        heap()
    }

    pub fn heap_if_any() -> Option<(*mut Heap, HeapClaim)> {
        heap()
    }

    /// The shared heap has no thread to exit.
    pub struct OrphanHold;

    pub fn hold_orphan(_h: *mut Heap) -> Option<OrphanHold> {
        None
    }

    pub fn adopt_orphan(_h: *mut Heap) -> bool {
        false
    }

    pub fn for_each_orphan(_f: impl FnMut(*mut Heap) -> bool) -> bool {
        false
    }
}

pub use imp::{adopt_orphan, for_each_orphan, heap, heap_if, heap_if_any, hold_orphan};

// A heap is handed between threads (adoption, the shared heap's lock).
// SAFETY: its owner-only fields are reached by one thread at a time.
unsafe impl Send for Heap {}
