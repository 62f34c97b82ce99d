//! Everything specific to one processor architecture, in one place: the
//! thread pointer, the hosted library's thread-local heap slot, a cheap
//! clock, an entropy source and the width of user address space.
//!
//! Each supported architecture has its own file (`x86_64.rs`, `aarch64.rs`,
//! `riscv64.rs`, `x86.rs`); any other falls back to the `portable` module below, which needs
//! nothing but the port's own calls:
//!
//! | item | x86_64 | aarch64 | riscv64 | x86 | portable fallback |
//! |---|---|---|---|---|---|
//! | [`thread_pointer`] | `%fs:0` | `tpidr_el0` | `tp` | `%gs:0` | `gettid` |
//! | thread-local heap slot | initial-exec `.tbss`, in `asm!` | the same | the same | C `__thread` (initial-exec) | C `__thread` |
//! | [`cycles`] | `rdtsc` | `cntvct_el0` | `rdtime` | `rdtsc` | `CLOCK_MONOTONIC` nanoseconds |
//! | [`ADDRESS_BITS`] | 47 | 48 | 47 | 32 | the pointer width |
//!
//! [`ticks`] is the allocator's clock for ageing freed memory, about 2^31 a
//! second (within a factor of two): [`cycles`] scaled by the counter's known
//! rate, or on riscv64 (whose rate user mode cannot read) and in the
//! fallback the monotonic clock. [`entropy`] mixes the
//! cycle counter with the port's two clocks, a per-call counter and the
//! address of a stack variable, so that it differs between runs and between
//! processes on every architecture even without a cycle counter or address
//! randomisation; it is the fallback when `getrandom` fails.

// The clock and the heap slot serve the default allocator only.
#[cfg(target_arch = "aarch64")]
#[cfg_attr(not(minic_malloc = "default"), allow(dead_code))]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub use aarch64::*;
#[cfg(target_arch = "riscv64")]
#[cfg_attr(not(minic_malloc = "default"), allow(dead_code))]
mod riscv64;
#[cfg(target_arch = "riscv64")]
pub use riscv64::*;
#[cfg(target_arch = "x86")]
#[cfg_attr(not(minic_malloc = "default"), allow(dead_code))]
mod x86;
#[cfg(target_arch = "x86")]
pub use x86::*;
#[cfg(target_arch = "x86_64")]
#[cfg_attr(not(minic_malloc = "default"), allow(dead_code))]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use x86_64::*;

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "x86"
)))]
pub use portable::*;
// The architectures without a thread-local slot in asm! use the C one.
#[cfg(all(
    not(feature = "freestanding"),
    not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))
))]
pub use c_tls::{set_tls_heap, tls_heap};

// The thread's heap slot on the architectures whose `tls_heap` reads it in
// asm!: an 8-byte initial-exec thread-local variable, defined here because
// stable Rust has no #[thread_local]. Initial-exec means one load from the
// thread pointer plus an offset the dynamic linker fixes at load time (in a
// preloaded libminic.so too), and no call to __tls_get_addr, which may
// allocate. (`%nobits`: `@` starts a comment in aarch64 assembly.)
#[cfg(all(
    not(feature = "freestanding"),
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )
))]
core::arch::global_asm!(
    ".pushsection .tbss,\"awT\",%nobits",
    ".p2align 3",
    ".globl __minic_heap_tls",
    ".hidden __minic_heap_tls",
    "__minic_heap_tls:",
    ".zero 8",
    ".popsection",
);

/// This thread's heap slot (null until set), where the architecture's
/// `heap_slot` gives the slot's address (aarch64, riscv64).
#[cfg(all(
    not(feature = "freestanding"),
    any(target_arch = "aarch64", target_arch = "riscv64")
))]
#[inline(always)]
pub fn tls_heap() -> *mut core::ffi::c_void {
    // SAFETY: this thread's own variable.
    unsafe { *heap_slot() }
}

/// Sets this thread's heap slot (aarch64, riscv64).
#[cfg(all(
    not(feature = "freestanding"),
    any(target_arch = "aarch64", target_arch = "riscv64")
))]
#[inline]
pub fn set_tls_heap(h: *mut core::ffi::c_void) {
    // SAFETY: this thread's own variable.
    unsafe { *heap_slot() = h }
}

use core::sync::atomic::{AtomicU64, Ordering};

/// A value that differs between runs, processes and calls: the fallback
/// when the kernel gives no random bytes.
pub fn entropy() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let calls = CALLS.fetch_add(1, Ordering::Relaxed);
    let local = 0u8;
    let stack = &local as *const u8 as u64;
    let (real, mono) = (
        clock_ns(crate::abi::CLOCK_REALTIME),
        clock_ns(crate::abi::CLOCK_MONOTONIC),
    );
    cycles() ^ real.rotate_left(17) ^ mono.rotate_left(41) ^ stack.rotate_left(29) ^ calls
}

/// The port's clock in nanoseconds, 0 when it has none.
pub fn clock_ns(clock: core::ffi::c_int) -> u64 {
    let mut ts = crate::abi::timespec::default();
    // SAFETY: the call writes one timespec into `ts`.
    match unsafe { super::clock_gettime(clock, (&mut ts as *mut crate::abi::timespec).cast()) } {
        Ok(_) => (ts.tv_sec as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(ts.tv_nsec as u64),
        Err(_) => 0,
    }
}

/// The portable fallback: what needs no architecture-specific instruction.
#[allow(dead_code)]
mod portable {
    /// The width of user address space: every address fits in it.
    pub const ADDRESS_BITS: u32 = usize::BITS - 1;

    /// The monotonic clock in nanoseconds.
    #[inline]
    pub fn cycles() -> u64 {
        super::clock_ns(crate::abi::CLOCK_MONOTONIC)
    }

    /// [`cycles`] in units of about 2^-31 s.
    #[inline]
    pub fn ticks() -> u64 {
        cycles() << 1
    }

    /// The kernel's thread id.
    #[inline]
    pub fn thread_pointer() -> usize {
        // SAFETY: gettid reads nothing of ours.
        unsafe { crate::port::gettid() }.unwrap_or(1)
    }
}

/// The thread-local heap slot defined in C (`src/c/minic_tls.c`), whose
/// compiler knows the target's initial-exec TLS sequence.
#[cfg(not(feature = "freestanding"))]
#[allow(dead_code)]
mod c_tls {
    use core::ffi::c_void;
    extern "C" {
        fn __minic_tls_heap() -> *mut c_void;
        fn __minic_set_tls_heap(h: *mut c_void);
    }

    /// This thread's heap slot (null until set).
    #[inline]
    pub fn tls_heap() -> *mut c_void {
        // SAFETY: reads this thread's own variable.
        unsafe { __minic_tls_heap() }
    }

    /// Sets this thread's heap slot.
    #[inline]
    pub fn set_tls_heap(h: *mut c_void) {
        // SAFETY: writes this thread's own variable.
        unsafe { __minic_set_tls_heap(h) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_differs_between_calls() {
        let (a, b) = (entropy(), entropy());
        assert_ne!(a, b);
    }

    #[test]
    fn entropy_without_a_cycle_counter_still_varies() {
        // The parts that do not come from the counter: the clocks and the
        // call counter differ from one call to the next.
        let a = clock_ns(crate::abi::CLOCK_REALTIME);
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert_ne!(a, clock_ns(crate::abi::CLOCK_REALTIME));
        assert_ne!(portable::cycles(), 0);
    }

    #[test]
    fn ticks_run_at_about_two_to_the_31_a_second() {
        let (t0, c0) = (ticks(), clock_ns(crate::abi::CLOCK_MONOTONIC));
        std::thread::sleep(std::time::Duration::from_millis(50));
        let (t1, c1) = (ticks(), clock_ns(crate::abi::CLOCK_MONOTONIC));
        let per_second = (t1 - t0) as f64 / ((c1 - c0) as f64 / 1e9);
        let expected = (1u64 << 31) as f64;
        // Within a factor of four: the counter's rate is the machine's.
        assert!(
            per_second > expected / 4.0 && per_second < expected * 4.0,
            "{per_second}"
        );
    }

    #[test]
    fn thread_pointer_differs_between_threads() {
        let mine = thread_pointer();
        let theirs = std::thread::spawn(thread_pointer).join().unwrap();
        assert_ne!(mine, 0);
        assert_ne!(mine, theirs);
    }

    #[test]
    fn tls_heap_slot_is_per_thread() {
        let mut local = 0u8;
        let p = (&mut local as *mut u8).cast();
        set_tls_heap(p);
        assert_eq!(tls_heap(), p);
        let other = std::thread::spawn(|| tls_heap() as usize).join().unwrap();
        assert_eq!(other, 0);
        set_tls_heap(core::ptr::null_mut());
    }

    #[test]
    fn every_address_fits_in_address_bits() {
        let local = 0u8;
        let stack = &local as *const u8 as u64;
        assert!(ADDRESS_BITS >= 32 && stack < 1u64 << ADDRESS_BITS);
    }
}
