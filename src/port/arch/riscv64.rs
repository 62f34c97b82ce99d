//! riscv64.

/// Linux's user space with Sv48 paging (Sv39 gives less: still covered);
/// Sv57 addresses go only to a program that asks for them.
pub const ADDRESS_BITS: u32 = 47;

/// The `time` counter (`rdtime`), readable in user mode under Linux and in
/// a kernel whose firmware enables it (OpenSBI does).
#[inline]
pub fn cycles() -> u64 {
    let c: u64;
    // SAFETY: reads a counter; no memory effects.
    unsafe { core::arch::asm!("rdtime {}", out(reg) c, options(nomem, nostack, preserves_flags)) };
    c
}

/// About 2^31 a second, from the port's monotonic clock: the `time`
/// counter's rate (the platform's timebase, 1 MHz to 10 MHz on boards,
/// the host's cycle counter under qemu-user) cannot be read in user mode.
/// The allocator asks only when a slab or a large mapping changes hands.
#[inline]
pub fn ticks() -> u64 {
    super::clock_ns(crate::abi::CLOCK_MONOTONIC) << 1
}

/// The thread pointer (`tp`): the thread control block's address, distinct
/// for every thread of a hosted process.
#[cfg(not(feature = "freestanding"))]
#[inline]
pub fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: reads a register; no memory effects.
    unsafe { core::arch::asm!("mv {}, tp", out(reg) tp, options(nomem, nostack, preserves_flags)) };
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
            "la.tls.ie {p}, __minic_heap_tls",
            "add {p}, {p}, tp",
            p = out(reg) p,
            options(nostack, readonly, preserves_flags),
        );
    }
    p
}
