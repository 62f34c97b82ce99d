//! [`Minic`]: the malloc family as a Rust global allocator.

use crate::malloc;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{null_mut, NonNull};

/// minic's allocator as a Rust [`GlobalAlloc`]: the blocks the C library's
/// `malloc` hands out, with the same headers, modes and checks.
///
/// Install it in a `std` (or `no_std` + `alloc`) program:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: minic::Minic = minic::Minic;
///
/// fn main() {
///     let handles: Vec<_> = (0..4u64)
///         .map(|t| std::thread::spawn(move || (0..1000).map(|i| i * t).collect::<Vec<u64>>()))
///         .collect();
///     let sums: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap().iter().sum()).collect();
///     assert_eq!(sums, [0, 499_500, 999_000, 1_498_500]);
/// }
/// ```
///
/// What it guarantees:
///
/// - Every [`Layout`] alignment is honoured: up to 16 bytes for free, any
///   larger power of two (a page, 64 KiB, a megabyte...) with a pad before
///   the block's header, up to 32 GiB (the largest power of two a header's pad
///   can record); beyond that the allocation fails.
/// - [`realloc`](GlobalAlloc::realloc) keeps the contents and the
///   alignment, and keeps the block where it is when it can (a shrink, or
///   growth into room the block already has or its mode can add in place).
///   [`alloc_zeroed`](GlobalAlloc::alloc_zeroed) does not clear memory fresh
///   from the kernel a second time.
/// - A failure (no memory, a size above `isize::MAX / 2`, an alignment too
///   large) returns null, so that Rust's `handle_alloc_error` decides what
///   happens; nothing here panics or aborts. The one exception is misuse
///   the allocator detects: freeing a pointer it never returned, or twice,
///   is reported on stderr and aborts, as in C.
/// - Thread-safe in every mode. Zero-size layouts, which Rust never asks a
///   `GlobalAlloc` for, still get a unique block.
///
/// # Modes
///
/// The strategy is the crate's allocator mode, chosen when minic is built
/// (a `malloc-<mode>` feature, or `MINIC_MALLOC=<mode>` in cargo's
/// environment; see the crate page). The `default` mode is the
/// general-purpose allocator (per-thread heaps, memory returned to the
/// kernel). The `linear` mode reuses only the most
/// recently freed block: a long-running program that frees in any other
/// order keeps growing; `mmap` gives every block its own mapping, returned
/// on free, at the cost of system calls.
///
/// Beside a host C library (this crate without the `capi` feature) minic
/// never moves the program break, which belongs to the host's `malloc`: the
/// linear mode carves its blocks from mapped regions instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct Minic;

// SAFETY: every block comes from `malloc`, which returns blocks that are
// distinct, live until deallocated, at least `size` bytes long and aligned to
// the requested power of two; `reallocate` keeps contents and alignment and
// leaves the block untouched when it fails.
unsafe impl GlobalAlloc for Minic {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        malloc::allocate(layout.size(), layout.align()).map_or(null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        malloc::allocate_zeroed(layout.size(), layout.align()).map_or(null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        if let Some(ptr) = NonNull::new(ptr) {
            // SAFETY: the caller's contract: `ptr` is a live block of ours.
            unsafe { malloc::deallocate(ptr) };
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(ptr) = NonNull::new(ptr) else {
            return malloc::allocate(new_size, layout.align()).map_or(null_mut(), NonNull::as_ptr);
        };
        // SAFETY: the caller's contract: `ptr` is a live block of ours,
        // allocated with `layout`, hence aligned to `layout.align()`.
        unsafe { malloc::reallocate(ptr, new_size, layout.align()) }
            .map_or(null_mut(), NonNull::as_ptr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_null() {
        let huge = Layout::from_size_align(isize::MAX as usize / 2 + 1, 16).unwrap();
        let unalignable = Layout::from_size_align(16, 1 << 36).unwrap();
        // SAFETY: the layouts have non-zero sizes; nothing is returned to free.
        unsafe {
            assert!(Minic.alloc(huge).is_null());
            assert!(Minic.alloc_zeroed(huge).is_null());
            assert!(Minic.alloc(unalignable).is_null());
        }
    }
}
