//! # minic
//!
//! A small C-compatible libc core: the malloc family, `<sys/mman.h>`,
//! `shm_open` and POSIX message queues, written in `no_std` Rust over raw
//! system calls. The same code serves three kinds of users:
//!
//! * **C programs** link `libminic.a` (or preload `libminic.so`), built by
//!   `make` with the `capi` feature, and get minic's functions under their C
//!   names with the headers in `include/`.
//! * **Hobby operating systems** link the freestanding archive (`freestanding`
//!   feature): no C library needed at all, and every kernel call goes through
//!   one module, replaceable with the `port-extern` feature.
//! * **Rust programs** use this crate's typed API (`mman`, ...) with
//!   `Result<_, Errno>` errors. Depending on the crate exports no C symbol.
//!
//! ## Features
//! | feature | effect |
//! |---|---|
//! | `capi` | export the C ABI (`#[no_mangle]`) and a panic handler that prints one line and aborts |
//! | `freestanding` | define errno storage, `mem*` and `close`/`ftruncate`/`write`/`_exit` instead of borrowing the host's |
//! | `port-extern` | kernel calls go to `extern "C" minic_sys_*` functions (see PORTING.md) instead of Linux syscalls |
//!
//! The allocator mode is a `cfg` chosen at build time by the `MINIC_MALLOC`
//! environment variable (`make MALLOC=<mode>`), not a feature, so features
//! stay additive.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

// Diagnostics are reached from the C API and the allocator's checks.
#[cfg_attr(not(feature = "capi"), allow(dead_code))]
mod diag;
pub mod errno;
pub mod malloc;
pub mod mman;
mod port;
#[cfg(all(feature = "freestanding", feature = "capi"))]
mod string;
// Not every allocator mode or flavour uses every lock operation.
#[allow(dead_code)]
mod sync;
#[cfg(all(feature = "freestanding", feature = "capi"))]
mod unistd;

pub use errno::Errno;
