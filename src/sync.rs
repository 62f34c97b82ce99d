//! A mutex built on the futex system call, for minic's own shared state.
//!
//! minic cannot use pthread (the freestanding library has none, and the
//! allocator runs underneath pthread itself). The lock word has three states,
//! so that an unlock issues a wake-up only when some thread may be asleep:
//! 0 free, 1 held, 2 held with possible waiters.

use crate::port;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

const FUTEX_WAIT_PRIVATE: core::ffi::c_int = 128;
const FUTEX_WAKE_PRIVATE: core::ffi::c_int = 128 | 1;
/// Rounds of spinning before sleeping: a holder usually leaves within them.
const SPINS: u32 = 100;

/// A mutual-exclusion lock around a `T`.
pub struct Mutex<T> {
    state: AtomicU32,
    data: UnsafeCell<T>,
}

// SAFETY: access to `data` is serialised by the lock word.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Mutex {
            state: AtomicU32::new(0),
            data: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock and takes it.
    #[inline]
    pub fn lock(&self) -> Guard<'_, T> {
        if self
            .state
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        Guard { mutex: self }
    }

    #[cold]
    fn lock_contended(&self) {
        for _ in 0..SPINS {
            if self.state.load(Ordering::Relaxed) == 0
                && self
                    .state
                    .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            core::hint::spin_loop();
        }
        // From here on the lock is taken in state 2, since other sleepers may
        // still be waiting behind this thread.
        while self.state.swap(2, Ordering::Acquire) != 0 {
            // SAFETY: the futex word is a live atomic of this mutex; the
            // kernel only compares it with 2 and sleeps. EAGAIN and EINTR
            // simply mean: try again.
            let _ = unsafe {
                port::futex(
                    self.state.as_ptr(),
                    FUTEX_WAIT_PRIVATE,
                    2,
                    core::ptr::null(),
                    core::ptr::null(),
                    0,
                )
            };
        }
    }

    fn unlock(&self) {
        if self.state.swap(0, Ordering::Release) == 2 {
            // SAFETY: waking sleepers on our own futex word touches no memory.
            let _ = unsafe {
                port::futex(
                    self.state.as_ptr(),
                    FUTEX_WAKE_PRIVATE,
                    1,
                    core::ptr::null(),
                    core::ptr::null(),
                    0,
                )
            };
        }
    }

    /// Takes the lock and keeps it beyond any guard: before `fork`, so that
    /// the child inherits the protected data in a consistent state.
    pub fn acquire_forever(&self) {
        core::mem::forget(self.lock());
    }

    /// Releases a lock taken by [`Mutex::acquire_forever`].
    ///
    /// # Safety
    /// The calling thread holds the lock through `acquire_forever` (in the
    /// child of a fork, the thread that forked held it in the parent).
    pub unsafe fn release(&self) {
        // In a fork child there is no waiter: the other threads are gone.
        self.state.store(0, Ordering::Release);
    }

    /// Releases a lock taken by [`Mutex::acquire_forever`] in the parent
    /// after fork, waking a waiter if there is one.
    ///
    /// # Safety
    /// As for [`Mutex::release`].
    pub unsafe fn release_and_wake(&self) {
        self.unlock();
    }
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
}
