//! aarch64.

/// Linux's user space with 48-bit virtual addresses (4 KiB pages; a kernel
/// with 52-bit addresses hands them out only to a program that asks).
pub const ADDRESS_BITS: u32 = 48;

/// The virtual counter (`cntvct_el0`), readable at EL0 under Linux and at
/// EL1 in a kernel.
#[inline]
pub fn cycles() -> u64 {
    let c: u64;
    // SAFETY: reads a system register; no memory effects.
    unsafe {
        core::arch::asm!("mrs {}, cntvct_el0", out(reg) c, options(nomem, nostack, preserves_flags))
    };
    c
}

/// [`cycles`] scaled by the counter's frequency (`cntfrq_el0`) to about
/// 2^31 a second.
#[inline]
pub fn ticks() -> u64 {
    let freq: u64;
    // SAFETY: reads a system register; no memory effects.
    unsafe {
        core::arch::asm!("mrs {}, cntfrq_el0", out(reg) freq, options(nomem, nostack, preserves_flags))
    };
    let bits = 63 - (freq | 1).leading_zeros();
    cycles() << 31u32.saturating_sub(bits)
}

/// The thread pointer (`tpidr_el0`): the thread control block's address,
/// distinct for every thread of a hosted process.
#[cfg(not(feature = "freestanding"))]
#[inline]
pub fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: reads a system register; no memory effects.
    unsafe {
        core::arch::asm!("mrs {}, tpidr_el0", out(reg) tp, options(nomem, nostack, preserves_flags))
    };
    tp
}

/// The slot's address: the thread pointer plus the offset the GOT holds.
#[cfg(not(feature = "freestanding"))]
#[inline(always)]
pub(super) fn heap_slot() -> *mut *mut core::ffi::c_void {
    let p: *mut *mut core::ffi::c_void;
    // SAFETY: computes this thread's own variable's address.
    unsafe {
        core::arch::asm!(
            "mrs {p}, tpidr_el0",
            "adrp {t}, :gottprel:__minic_heap_tls",
            "ldr {t}, [{t}, #:gottprel_lo12:__minic_heap_tls]",
            "add {p}, {p}, {t}",
            p = out(reg) p,
            t = out(reg) _,
            options(nostack, readonly, preserves_flags),
        );
    }
    p
}
