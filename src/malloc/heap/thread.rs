//! Which heap a thread uses.
//!
//! Hosted: each thread its own, found through a thread-local pointer (an
//! initial-exec variable defined in assembly), with no lock. A thread's first allocation
//! adopts the heap of a thread that has exited (its owner's thread id no
//! longer exists) before creating a new one, so programs that start many
//! short threads reuse heaps and the blocks in them. `fork` is made safe by
//! pthread_atfork handlers that hold every allocator lock across it.
//!
//! The same in a Rust program (`minic::Minic` as its global allocator).
//!
//! Freestanding (no thread-local storage, and no threads in a bare
//! program): one shared heap behind a lock.

use super::Heap;

#[cfg(not(feature = "freestanding"))]
mod imp {
    use super::super::{large, slab};
    use super::Heap;
    use crate::port;
    use crate::sync::Mutex;
    use core::ptr::null_mut;
    use core::sync::atomic::{AtomicBool, Ordering};

    // The thread's heap pointer: an 8-byte initial-exec thread-local
    // variable, defined here because stable Rust has no #[thread_local].
    // Initial-exec means one load from the thread pointer plus an offset the
    // dynamic linker fixes at load time (in a preloaded libminic.so too), and
    // no call to __tls_get_addr, which may allocate.
    core::arch::global_asm!(
        ".pushsection .tbss,\"awT\",@nobits",
        ".p2align 3",
        ".globl __minic_heap_tls",
        ".hidden __minic_heap_tls",
        "__minic_heap_tls:",
        ".zero 8",
        ".popsection",
    );

    #[inline(always)]
    fn tls_heap() -> *mut Heap {
        let h: *mut Heap;
        // SAFETY: reads this thread's own variable (see above).
        unsafe {
            core::arch::asm!(
                "mov {h}, qword ptr [rip + __minic_heap_tls@GOTTPOFF]",
                "mov {h}, qword ptr fs:[{h}]",
                h = out(reg) h,
                options(nostack, readonly, preserves_flags),
            );
        }
        h
    }

    fn set_tls_heap(h: *mut Heap) {
        // SAFETY: writes this thread's own variable.
        unsafe {
            core::arch::asm!(
                "mov {t}, qword ptr [rip + __minic_heap_tls@GOTTPOFF]",
                "mov qword ptr fs:[{t}], {h}",
                t = out(reg) _,
                h = in(reg) h,
                options(nostack, preserves_flags),
            );
        }
    }

    extern "C" {
        fn pthread_atfork(
            prepare: Option<unsafe extern "C" fn()>,
            parent: Option<unsafe extern "C" fn()>,
            child: Option<unsafe extern "C" fn()>,
        ) -> core::ffi::c_int;
    }

    /// Nothing to hold: the heap is the thread's own.
    pub type Guard = ();

    struct Heaps {
        first: *mut Heap,
        /// Unused room for new heaps.
        next: usize,
        end: usize,
    }

    // SAFETY: heaps are shared memory reached under the mutex only (their
    // owner-only fields are never touched by the list's users).
    unsafe impl Send for Heaps {}

    static HEAPS: Mutex<Heaps> = Mutex::new(Heaps {
        first: null_mut(),
        next: 0,
        end: 0,
    });
    static ATFORK: AtomicBool = AtomicBool::new(false);

    #[inline]
    pub fn heap() -> Option<(*mut Heap, Guard)> {
        let h = tls_heap();
        if !h.is_null() {
            return Some((h, ()));
        }
        first_heap().map(|h| (h, ()))
    }

    /// The thread's heap if it has one yet.
    #[inline(always)]
    pub fn heap_if_any() -> Option<(*mut Heap, Guard)> {
        let h = tls_heap();
        (!h.is_null()).then_some((h, ()))
    }

    #[inline]
    pub fn heap_if(owner: *mut Heap) -> Option<(*mut Heap, Guard)> {
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
            port::tgkill(pid, t as core::ffi::c_int, 0) == Err(crate::Errno(libc::ESRCH))
        }
    }

    #[cold]
    fn first_heap() -> Option<*mut Heap> {
        let me = tid();
        let h = {
            // A signal handler that interrupted the thread here gets no heap.
            let mut hs = HEAPS.lock_unless_reentered().ok()?;
            let mut found = null_mut();
            let mut h = hs.first;
            while !h.is_null() {
                // SAFETY: heaps on the list live forever.
                let o = unsafe { &(*h).owner };
                if gone(o.load(Ordering::Relaxed), me) {
                    o.store(me, Ordering::Relaxed);
                    found = h;
                    break;
                }
                // SAFETY: as above.
                h = unsafe { (*h).next };
            }
            if found.is_null() {
                let size = core::mem::size_of::<Heap>();
                if hs.next + size > hs.end {
                    // Zeroed memory is an empty heap.
                    hs.next = slab::map_aligned(slab::SLAB, crate::port::PAGE_SIZE)?;
                    hs.end = hs.next + slab::SLAB;
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
            found
        };
        set_tls_heap(h);
        if !ATFORK.swap(true, Ordering::Relaxed) {
            // After the heap is set: registering may allocate.
            // SAFETY: the handlers are sound at any fork.
            unsafe { pthread_atfork(Some(prepare), Some(parent), Some(child)) };
        }
        Some(h)
    }

    unsafe extern "C" fn prepare() {
        HEAPS.acquire_forever();
        slab::fork_lock();
        large::fork_lock();
    }

    unsafe extern "C" fn parent() {
        // SAFETY: prepare took these locks in this thread.
        unsafe {
            large::fork_unlock(false);
            slab::fork_unlock(false);
            HEAPS.release_and_wake();
        }
    }

    unsafe extern "C" fn child() {
        // SAFETY: prepare took these locks in the thread that forked, which
        // is the child's only thread.
        unsafe {
            large::fork_unlock(true);
            slab::fork_unlock(true);
            HEAPS.release();
            // The thread has a new id: keep its heap from looking abandoned.
            let h = tls_heap();
            if !h.is_null() {
                (*h).owner.store(tid(), Ordering::Relaxed);
            }
        }
    }
}

#[cfg(feature = "freestanding")]
mod imp {
    use super::super::{Bin, Heap, TABLE};
    use crate::sync::{Guard as MutexGuard, Mutex};
    use core::ptr::null_mut;
    use core::sync::atomic::{AtomicPtr, AtomicU32};

    /// The shared heap's lock, held for the whole operation.
    pub type Guard = MutexGuard<'static, Heap>;

    static SHARED: Mutex<Heap> = Mutex::new(Heap {
        bins: [Bin {
            head: null_mut(),
            tail: null_mut(),
        }; TABLE],
        busy: false,
        remote: super::super::Remote(AtomicPtr::new(null_mut())),
        owner: AtomicU32::new(0),
        next: null_mut(),
        recent: [null_mut(); TABLE],
        recent_count: [0; TABLE],
        lender: [null_mut(); TABLE],
    });

    pub fn heap() -> Option<(*mut Heap, Guard)> {
        // A signal handler that interrupted the allocator gets nothing
        // (NULL from malloc; free defers to the remote stack).
        let mut g = SHARED.lock_unless_reentered().ok()?;
        let h: *mut Heap = &mut *g;
        Some((h, g))
    }

    pub fn heap_if(_owner: *mut Heap) -> Option<(*mut Heap, Guard)> {
        heap()
    }

    pub fn heap_if_any() -> Option<(*mut Heap, Guard)> {
        heap()
    }
}

pub use imp::{heap, heap_if, heap_if_any};

// A heap is handed between threads (adoption, the shared heap's lock).
// SAFETY: its owner-only fields are reached by one thread at a time.
unsafe impl Send for Heap {}
