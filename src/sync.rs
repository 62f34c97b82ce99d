//! A futex mutex for minic's shared state (no pthread: the freestanding
//! library has none, and the allocator runs underneath pthread itself).
//!
//! The lock word is 0 (free), 1 (held) or 2 (held, sleepers possible), so an
//! unlock makes a system call only when someone may be asleep.

use crate::port;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

const FUTEX_WAIT_PRIVATE: core::ffi::c_int = 128;
const FUTEX_WAKE_PRIVATE: core::ffi::c_int = 129;

/// A mutual-exclusion lock around a `T`.
pub struct Mutex<T> {
    word: AtomicU32,
    data: UnsafeCell<T>,
}

// SAFETY: `data` is only reached through a guard, which holds the lock.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex around `value`.
    pub const fn new(value: T) -> Self {
        Mutex {
            word: AtomicU32::new(0),
            data: UnsafeCell::new(value),
        }
    }

    /// Takes the lock, sleeping while another thread holds it.
    #[inline]
    pub fn lock(&self) -> Guard<'_, T> {
        if self
            .word
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.wait();
        }
        Guard { mutex: self }
    }

    #[cold]
    fn wait(&self) {
        // Holders keep the lock for a few hundred cycles: spin first.
        for _ in 0..64 {
            core::hint::spin_loop();
            if self
                .word
                .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
        while self.word.swap(2, Ordering::Acquire) != 0 {
            // SAFETY: the kernel reads our own futex word; EAGAIN/EINTR mean retry.
            let _ = unsafe {
                port::futex(
                    self.word.as_ptr(),
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
        if self.word.swap(0, Ordering::Release) == 2 {
            // SAFETY: waking waiters on our own futex word touches no memory.
            let _ = unsafe {
                port::futex(
                    self.word.as_ptr(),
                    FUTEX_WAKE_PRIVATE,
                    1,
                    core::ptr::null(),
                    core::ptr::null(),
                    0,
                )
            };
        }
    }

    /// Takes the lock without a guard (before `fork`).
    // Only the hosted library forks with threads.
    #[cfg_attr(any(not(feature = "capi"), feature = "freestanding"), allow(dead_code))]
    pub fn acquire_forever(&self) {
        core::mem::forget(self.lock());
    }

    /// Releases a lock taken by [`Mutex::acquire_forever`] in a fork child,
    /// where no other thread exists to wake.
    ///
    /// # Safety
    /// The lock was taken by `acquire_forever` in this thread (or in the
    /// parent's thread that forked).
    // Only the hosted library forks with threads.
    #[cfg_attr(any(not(feature = "capi"), feature = "freestanding"), allow(dead_code))]
    pub unsafe fn release(&self) {
        self.word.store(0, Ordering::Release);
    }

    /// Releases a lock taken by [`Mutex::acquire_forever`], waking a waiter.
    ///
    /// # Safety
    /// As for [`Mutex::release`].
    // Only the hosted library forks with threads.
    #[cfg_attr(any(not(feature = "capi"), feature = "freestanding"), allow(dead_code))]
    pub unsafe fn release_and_wake(&self) {
        self.unlock();
    }
}

/// The lock of a [`Mutex`], held until dropped.
pub struct Guard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock and is borrowed mutably.
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
    fn serialises_threads() {
        let m = Arc::new(Mutex::new(0u64));
        let workers: std::vec::Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        *m.lock() += 1;
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(*m.lock(), 40_000);
    }
}
