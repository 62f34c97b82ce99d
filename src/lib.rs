//! # minic
//!
//! A small C-compatible libc core: the malloc family, `<sys/mman.h>`,
//! `shm_open` and POSIX message queues, written in `no_std` Rust over raw
//! system calls. One code base serves three kinds of users.
//!
//! ## Flavours
//!
//! | flavour | built by | for |
//! |---|---|---|
//! | this crate (rlib) | `cargo`, as a dependency | Rust programs, `std` or `no_std`: the typed API below; it exports no C symbol and no panic handler |
//! | hosted C library | `make`: `build/libminic.a`, `build/libminic.so` (`capi` feature) | C programs on Linux beside the system C library: minic's functions under their C names, the host's `errno` |
//! | freestanding C library | `make`: `build/freestanding/libminic.a` (`capi` + `freestanding`) | programs with no C library at all (hobby operating systems): no undefined symbol; its own `errno`, `mem*` and the few `unistd` calls |
//!
//! The C headers in `include/` serve both C flavours; `make check` proves
//! with bindgen that they match the Rust definitions.
//!
//! ## The Rust API
//!
//! Every function returns `Result<T, Errno>`; [`Errno`] is the kernel's error
//! number with its usual message. No function panics on bad input.
//!
//! * [`mman`]: [`mman::Mapping`], an owned anonymous or file-backed mapping
//!   (unmapped on drop; protect, advise, lock, sync, remap), and one function
//!   for each `<sys/mman.h>` call.
//!
//! ```
//! use minic::mman::Mapping;
//! let mut m = Mapping::anonymous(4096, minic::abi::PROT_READ | minic::abi::PROT_WRITE)?;
//! m.as_mut_slice().unwrap()[..2].copy_from_slice(b"hi");
//! assert_eq!(Mapping::anonymous(0, minic::abi::PROT_READ).unwrap_err(), minic::Errno::EINVAL);
//! # Ok::<(), minic::Errno>(())
//! ```
//!
//! * [`shm`]: [`shm::SharedMemory`], a POSIX shared memory object (open
//!   options with validated names, `set_len`, mapped as a [`mman::Mapping`],
//!   closed on drop), and `shm_open`/`shm_unlink`.
//! * [`mqueue`]: [`mqueue::MessageQueue`], a POSIX message queue (open
//!   options and attributes, send and receive with priorities, timeouts as
//!   a `Duration` or a [`mqueue::Deadline`], non-blocking mode,
//!   notification, closed on drop), and the `mq_*` functions.
//! * [`malloc`]: the allocator's functions on sizes and alignments, and
//!   [`Minic`], the same allocator as a Rust global allocator:
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: minic::Minic = minic::Minic;
//!
//! fn main() {
//!     let words: Vec<String> = (0..100).map(|i| i.to_string()).collect();
//!     assert_eq!(words.concat().len(), 190);
//! }
//! ```
//!
//! Constants (`PROT_*`, `MAP_*`, `MADV_*`, `O_*`, ...) and the structures
//! passed to the kernel are minic's own, in [`abi`]: Linux's values for the
//! target architecture (the same as the `libc` crate's on Linux).
//!
//! ## Features
//!
//! | feature | effect |
//! |---|---|
//! | `capi` | export the C ABI (`#[no_mangle]`) and a panic handler that prints one line and aborts; only for the C libraries |
//! | `freestanding` | define errno storage, `mem*` and `close`/`ftruncate`/`write`/`_exit` instead of borrowing the host's |
//! | `port-extern` | kernel calls go to `extern "C" minic_sys_*` functions that an operating system provides, instead of Linux system calls |
//!
//! No feature is on by default; features are additive.
//!
//! ## Allocator modes
//!
//! The malloc family's strategy is chosen at build time by the `MINIC_MALLOC`
//! environment variable (`make MALLOC=<mode>` sets it; for a Rust program,
//! `MINIC_MALLOC=mmap cargo build`; the default is `default`), read by the
//! build script and turned into a `cfg`, not a feature, because modes
//! exclude each other and features must stay additive:
//!
//! | mode | strategy |
//! |---|---|
//! | `default` | the general-purpose allocator: per-thread heaps over size-classed slabs (O(1) malloc and free, cheap cross-thread frees), large blocks in their own mappings (`realloc` by `mremap`), free memory returned to the kernel within about a second |
//! | `linear` | the seed's mode: blocks carved one after another from the program break (mapped regions when it cannot grow, and always in this crate without `capi`, where the break is the host `malloc`'s); `free` gives back only the most recent block |
//! | `mmap` | the seed's other mode: every block its own mapping, unmapped by `free` |
//! | `guard` | the mmap mode with an inaccessible page after every block, a canary in the tail padding and a quarantine of freed blocks (like Electric Fence): overflows and uses after free fault |
//!
//! The mode applies to the C libraries and to [`Minic`] alike. Under the
//! linear mode a long-running program that frees in any order keeps
//! growing: it suits short programs. In every mode, misuse (double free,
//! a pointer minic never returned, a damaged header) is reported on stderr
//! and aborts.
//!
//! ## Porting
//!
//! Every kernel call goes through one private module (the port layer); an
//! operating system that is not Linux provides the `minic_sys_*` functions
//! and builds with `port-extern`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

// Diagnostics are reached from the C API and the allocator's checks.
#[cfg_attr(not(feature = "capi"), allow(dead_code))]
mod diag;
pub mod errno;
mod global_alloc;
pub mod malloc;
pub mod mman;
pub mod mqueue;
mod port;
pub use port::abi;
pub mod shm;
// Public (hidden) only so that the header check can name their C functions.
#[cfg(all(feature = "freestanding", feature = "capi"))]
#[doc(hidden)]
pub mod string;
// Not every allocator mode or flavour uses every lock operation.
#[allow(dead_code)]
mod sync;
#[cfg(all(feature = "freestanding", feature = "capi"))]
#[doc(hidden)]
pub mod unistd;

pub use errno::Errno;
pub use global_alloc::Minic;
