//! A mutex built on the futex system call, for minic's own shared state.
//!
//! minic cannot use pthread (the freestanding library has none, and the
//! allocator runs underneath pthread itself). The lock word holds the
//! owner's identity (its thread pointer where the platform gives every
//! thread one, else the kernel's thread id through the port), so that a thread asking again for
//! a lock it holds — a signal handler that interrupted it inside the
//! allocator — is told ([`Mutex::lock_unless_reentered`]) instead of
//! sleeping forever. A second word says whether anyone may be asleep, so
//! that an unlock issues a wake-up only then.

use crate::port;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// Rounds of spinning before sleeping: a holder usually leaves within them.
const SPINS: u32 = 100;

/// Sleeps while `word` holds `expected`, until a [`futex_wake`] or, with a
/// `timeout`, until that long has passed. It may also return at once or
/// early (the word changed, a signal): callers look at the word again.
pub fn futex_wait(word: &AtomicU32, expected: u32, timeout: Option<&crate::abi::timespec>) {
    let timeout = timeout.map_or(core::ptr::null(), |t| {
        (t as *const crate::abi::timespec).cast()
    });
    // SAFETY: the word is a live atomic; the kernel only compares it with
    // `expected` and sleeps, reading the timeout, if any, from the
    // caller's borrow. Every error means: look again.
    let _ = unsafe {
        port::futex(
            word.as_ptr(),
            crate::abi::FUTEX_WAIT | crate::abi::FUTEX_PRIVATE_FLAG,
            expected,
            timeout,
            core::ptr::null(),
            0,
        )
    };
}

/// Wakes up to `count` threads asleep in [`futex_wait`] on `word`. The
/// word may be gone by now (a waiter that saw the store before this call
/// may have returned and freed it): the kernel only uses the address.
pub fn futex_wake(word: *const u32, count: u32) {
    // SAFETY: FUTEX_WAKE reads and writes no memory at `word`.
    let _ = unsafe {
        port::futex(
            word,
            crate::abi::FUTEX_WAKE | crate::abi::FUTEX_PRIVATE_FLAG,
            count,
            core::ptr::null(),
            core::ptr::null(),
            0,
        )
    };
}

/// A non-zero number that tells the calling thread from every other live
/// thread of the process: its thread pointer (`port::arch`), one register
/// or memory read, no system call.
#[cfg(not(feature = "freestanding"))]
#[inline]
fn thread_id() -> usize {
    port::arch::thread_pointer()
}

/// Freestanding: the kernel's thread id, through the port (a system call).
/// A freestanding program may run threads that share the address space
/// with no thread pointer at all (raw `clone`, a young kernel's threads),
/// so nothing read from memory tells them apart. A port with no thread ids
/// (`-ENOSYS`) has one thread: every caller is that thread.
#[cfg(feature = "freestanding")]
#[inline]
fn thread_id() -> usize {
    // SAFETY: gettid reads nothing of ours.
    match unsafe { port::gettid() } {
        Ok(0) | Err(_) => 1,
        Ok(tid) => tid,
    }
}

/// The calling thread holds the lock already (a signal handler interrupted
/// it while it held it): waiting would never end.
#[derive(Debug, PartialEq, Eq)]
pub struct Reentered;

/// A mutual-exclusion lock around a `T`.
pub struct Mutex<T> {
    /// 0 when free, else the owner's [`thread_id`].
    owner: AtomicUsize,
    /// 1 when a thread may be asleep waiting (the futex word).
    contended: AtomicU32,
    data: UnsafeCell<T>,
}

// SAFETY: access to `data` is serialised by the lock word.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Mutex {
            owner: AtomicUsize::new(0),
            contended: AtomicU32::new(0),
            data: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock and takes it; `Reentered` if this thread holds it.
    #[inline]
    pub fn lock_unless_reentered(&self) -> Result<Guard<'_, T>, Reentered> {
        let me = thread_id();
        if self
            .owner
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended(me)?;
        }
        Ok(Guard { mutex: self })
    }

    /// Waits for the lock and takes it. Asking again for a lock this thread
    /// holds is a fatal error (reported, then abort), never a silent hang.
    #[inline]
    pub fn lock(&self) -> Guard<'_, T> {
        match self.lock_unless_reentered() {
            Ok(guard) => guard,
            Err(Reentered) => reentered(),
        }
    }

    #[cold]
    fn lock_contended(&self, me: usize) -> Result<(), Reentered> {
        if self.owner.load(Ordering::Relaxed) == me {
            return Err(Reentered);
        }
        for _ in 0..SPINS {
            if self.owner.load(Ordering::Relaxed) == 0
                && self
                    .owner
                    .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return Ok(());
            }
            core::hint::spin_loop();
        }
        loop {
            // Announced before each try, and left set by the winner, so that
            // every unlock after a sleeper arrived wakes one.
            self.contended.swap(1, Ordering::SeqCst);
            if self
                .owner
                .compare_exchange(0, me, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
            {
                return Ok(());
            }
            futex_wait(&self.contended, 1, None);
        }
    }

    fn unlock(&self) {
        self.owner.swap(0, Ordering::SeqCst);
        if self.contended.load(Ordering::SeqCst) != 0
            && self.contended.swap(0, Ordering::SeqCst) != 0
        {
            futex_wake(self.contended.as_ptr(), 1);
        }
    }

    /// In the child of a `fork`: a lock that another thread (gone in the
    /// child) held at the fork is freed, and `restart` puts the data it
    /// guards, which that thread may have left half updated, back in a
    /// consistent state. A lock the forking thread holds itself (a signal
    /// handler forked while it was inside) stays: the interrupted code
    /// releases it when the handler returns. No lock is taken before the
    /// fork, so a fork never waits for the allocator, and the allocator
    /// never waits for a lock another library holds across its own
    /// allocations (stdio's, around `getline`).
    #[cfg(not(feature = "freestanding"))]
    pub fn recover_in_fork_child(&self, restart: impl FnOnce(&mut T)) {
        let owner = self.owner.load(Ordering::Relaxed);
        if owner == 0 || owner == thread_id() {
            return;
        }
        self.contended.store(0, Ordering::Relaxed);
        self.owner.store(0, Ordering::Release);
        restart(&mut self.lock());
    }
}

#[cold]
fn reentered() -> ! {
    crate::diag::Line::new()
        .text("minic: a lock taken again by the thread holding it (a signal handler?)")
        .emit();
    crate::diag::abort()
}

/// Holds the lock of a [`Mutex`] until dropped.
pub struct Guard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the only reference.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::Mutex;
    use std::sync::Arc;

    #[test]
    fn counts_under_contention() {
        let m = Arc::new(Mutex::new(0u64));
        let threads: std::vec::Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        *m.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 80_000);
    }

    #[test]
    fn reentry_is_told() {
        let m = Mutex::new(1);
        let held = m.lock();
        assert!(m.lock_unless_reentered().is_err());
        drop(held);
        assert_eq!(*m.lock_unless_reentered().unwrap(), 1);
        // Another thread waits instead.
        let held = m.lock();
        std::thread::scope(|s| {
            let t = s.spawn(|| *m.lock_unless_reentered().unwrap() + 1);
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(held);
            assert_eq!(t.join().unwrap(), 2);
        });
    }
}
