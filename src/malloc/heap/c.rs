//! What glibc programs call to steer and inspect the allocator, from the
//! default allocator's own accounting.

use super::slab::SLAB;
use core::ffi::c_int;

/// glibc's `struct mallinfo2`, filled from minic's figures.
#[repr(C)]
pub struct Mallinfo2 {
    /// Bytes mapped for slabs.
    pub arena: usize,
    /// Free slabs (whole slabs no heap holds).
    pub ordblks: usize,
    /// Unused (no fastbins).
    pub smblks: usize,
    /// Live large blocks (own mappings).
    pub hblks: usize,
    /// Bytes of their mappings.
    pub hblkhd: usize,
    /// Unused.
    pub usmblks: usize,
    /// Unused.
    pub fsmblks: usize,
    /// Bytes in use: small slots and large mappings.
    pub uordblks: usize,
    /// Free bytes in slabs.
    pub fordblks: usize,
    /// Bytes `malloc_trim` could give back now (cached large mappings).
    pub keepcost: usize,
}

/// mallinfo2(3): <https://man7.org/linux/man-pages/man3/mallinfo.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn mallinfo2() -> Mallinfo2 {
    let u = super::usage();
    Mallinfo2 {
        arena: u.slab_mapped,
        ordblks: (u.slab_mapped - u.slab_held) / SLAB,
        smblks: 0,
        hblks: u.large_count,
        hblkhd: u.large_bytes,
        usmblks: 0,
        fsmblks: 0,
        uordblks: u.small_in_use + u.large_bytes,
        fordblks: u.slab_mapped.saturating_sub(u.small_in_use),
        keepcost: u.large_cached,
    }
}

/// malloc_trim(3): gives free memory back to the kernel now; 1 if some went.
/// The padding argument is ignored: minic keeps no top of heap to pad.
/// <https://man7.org/linux/man-pages/man3/malloc_trim.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc_trim(_pad: usize) -> c_int {
    super::trim() as c_int
}

/// malloc_stats(3): prints the allocator's figures on stderr.
/// <https://man7.org/linux/man-pages/man3/malloc_stats.3.html>
#[unsafe(no_mangle)]
pub extern "C" fn malloc_stats() {
    let u = super::usage();
    let line = |name: &str, v: usize| crate::diag::Line::new().text(name).dec(v as u64).emit();
    line("slab bytes mapped    = ", u.slab_mapped);
    line("slab bytes held      = ", u.slab_held);
    line("small bytes in use   = ", u.small_in_use);
    line("large blocks         = ", u.large_count);
    line("large bytes mapped   = ", u.large_bytes);
    line("large bytes cached   = ", u.large_cached);
}
