//! x86_64.

/// Linux's user space with 4-level paging; the kernel hands out higher
/// addresses only to a program that asks for them.
pub const ADDRESS_BITS: u32 = 47;

/// The time-stamp counter (constant rate on today's processors).
#[inline]
pub fn cycles() -> u64 {
    // SAFETY: rdtsc has no preconditions in user mode or a kernel.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// [`cycles`]: about 2^31 a second at the clock rates of today's machines.
#[inline]
pub fn ticks() -> u64 {
    cycles()
}

/// The thread pointer: the x86_64 TLS ABI puts the thread control block's
/// address in its own first word, `%fs:0` (glibc and musl alike).
#[cfg(not(feature = "freestanding"))]
#[inline]
pub fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: every thread of a hosted process has a TCB whose first word
    // points to itself.
    unsafe {
        core::arch::asm!("mov {}, qword ptr fs:0", out(reg) tp, options(nostack, readonly, preserves_flags))
    };
    tp
}

/// This thread's heap slot (null until set).
#[cfg(not(feature = "freestanding"))]
#[inline(always)]
pub fn tls_heap() -> *mut core::ffi::c_void {
    let h: *mut core::ffi::c_void;
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

/// Sets this thread's heap slot.
#[cfg(not(feature = "freestanding"))]
#[inline]
pub fn set_tls_heap(h: *mut core::ffi::c_void) {
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
