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
//! number with its usual message, and a [`core::error::Error`]. No function
//! panics on bad input. Flags are typed sets ([`mman::Protection`],
//! [`mman::MapFlags`], [`OpenFlags`]) and advice an enum
//! ([`mman::Advice`]): no `libc` needed. The raw constants and structures
//! minic exchanges with the kernel (`PROT_*`, `O_*`, `timespec`, ...) are in
//! [`abi`]: Linux's values for the target architecture.
//!
//! * [`mman`]: [`mman::Mapping`], an owned anonymous or file-backed mapping
//!   (unmapped on drop; protect, advise, lock, sync, remap), built directly
//!   or through [`mman::MappingOptions`], and one function for each
//!   `<sys/mman.h>` call.
//!
//! ```
//! use minic::mman::{Mapping, Protection};
//! let mut m = Mapping::anonymous(4096, Protection::READ | Protection::WRITE)?;
//! m.as_mut_slice().unwrap()[..2].copy_from_slice(b"hi");
//! assert_eq!(Mapping::anonymous(0, Protection::READ).unwrap_err(), minic::Errno::EINVAL);
//! # Ok::<(), minic::Errno>(())
//! ```
//!
//! * [`shm`]: [`shm::SharedMemory`], a POSIX shared memory object (open
//!   options with validated names, `set_len`, mapped as a [`mman::Mapping`],
//!   closed on drop), and `shm_open`/`shm_unlink`.
//! * [`mqueue`]: [`mqueue::MessageQueue`], a POSIX message queue (open
//!   options and attributes, send and receive with priorities, timeouts as
//!   a `Duration`, a [`mqueue::Deadline`] or a `SystemTime`, non-blocking
//!   mode, notification, message iterators, closed on drop), and the `mq_*`
//!   functions.
//! * Names of shared memory objects and queues are `&CStr` or `&str`
//!   ([`ObjectName`]).
//! * [`malloc`]: the allocator's functions on sizes and alignments, its
//!   figures ([`malloc::stats`]) and [`malloc::trim`], and [`Minic`], the
//!   same allocator as a Rust global allocator:
//!
//! ```
//! #[global_allocator]
//! static ALLOCATOR: minic::Minic = minic::Minic;
//!
//! fn main() {
//!     let words: Vec<String> = (0..100).map(|i| i.to_string()).collect();
//!     assert_eq!(words.concat().len(), 190);
//!     assert!(minic::malloc::stats().in_use > 0);
//! }
//! ```
//!
//! ## Coming from memmap2, nix or posixmq
//!
//! | you wrote | with minic |
//! |---|---|
//! | `memmap2::MmapOptions::new().len(n).map_anon()` | `Mapping::options().len(n).map_anonymous()` |
//! | `MmapOptions::new().offset(o).populate().map(&file)` | `Mapping::options().offset(o).populate(true).map(&file)` (feature `std`; or `map_fd(raw_fd)`) |
//! | `MmapOptions::huge(Some(21))` | `MappingOptions::huge(Some(21))`; `no_reserve(true)` for `MAP_NORESERVE` |
//! | `&mmap[..]`, `&mut mmap[..]`, `make_read_only()` | `as_slice()`, `as_mut_slice()` (`None` when the protection forbids), `protect(Protection::READ)` |
//! | `nix::sys::mman::ProtFlags::PROT_READ`, `MapFlags::MAP_SHARED` | `Protection::READ`, `MapFlags::SHARED`: the same operations (`|`, `contains`, `bits`, `from_bits_retain`) |
//! | `nix::errno::Errno` with `?` into `io::Error` | [`Errno`], `?` into `Box<dyn Error>`; into `io::Error` with the `std` feature |
//! | `OwnedFd`, `AsFd` of nix or rustix | `SharedMemory` and `MessageQueue` implement `AsFd`, `AsRawFd`, `FromRawFd`, `IntoRawFd`, `From<OwnedFd>`, `Into<OwnedFd>` (feature `std`) |
//! | `posixmq::OpenOptions::readwrite().capacity(8).max_msg_len(64).create_new().open("/q")` | `MessageQueue::options().read(true).write(true).capacity(8, 64).exclusive(true).open("/q")` |
//! | `mq.send(prio, msg)`, `mq.recv(&mut buf)` | `q.send(msg, prio)`, `q.receive(&mut buf)` returning `(len, prio)` |
//! | `mq.send_timeout`, `recv_deadline(SystemTime)` | `send_timeout(.., Duration)`, `receive_deadline(.., SystemTime or Deadline)` |
//! | `for (prio, msg) in mq.iter()` | `for m in q.iter()` (`m?.data`, `m?.priority`), or `q.drain()` for what is queued now (feature `std`) |
//!
//! ## Features
//!
//! | feature | effect |
//! |---|---|
//! | `std` | the standard library's traits and types: `From<Errno> for io::Error`, the `AsFd` family, `SystemTime` deadlines, message iterators, `CString` and `String` names, `MappingOptions::map(&file)` |
//! | `malloc-default`, `malloc-linear`, `malloc-mmap`, `malloc-guard` | the allocator mode (below); one at most |
//! | `capi` | export the C ABI (`#[no_mangle]`) and a panic handler that prints one line and aborts; only for the C libraries |
//! | `freestanding` | define errno storage, `mem*` and `close`/`ftruncate`/`write`/`_exit` instead of borrowing the host's |
//! | `port-extern` | kernel calls go to `extern "C" minic_sys_*` functions that an operating system provides, instead of Linux system calls |
//!
//! No feature is on by default, and without `std` the crate is `no_std`.
//!
//! ## Allocator modes
//!
//! The malloc family's strategy is chosen when minic is compiled: by a
//! feature in the dependent's `Cargo.toml`
//! (`minic = { version = "0.1", features = ["malloc-guard"] }`), or else by
//! the `MINIC_MALLOC` environment variable (`MINIC_MALLOC=mmap cargo build`;
//! `make MALLOC=<mode>` sets it), or else `default`. Two mode features, or a
//! feature and a different `MINIC_MALLOC`, are a compile error that names
//! both:
//!
//! | mode | strategy |
//! |---|---|
//! | `default` | the general-purpose allocator: per-thread heaps over size-classed slabs (O(1) malloc and free, cheap cross-thread frees), large blocks in their own mappings (`realloc` by `mremap`), free memory returned to the kernel within about a second |
//! | `linear` | blocks carved one after another from the program break (mapped regions when it cannot grow, and always in this crate without `capi`, where the break is the host `malloc`'s); `free` gives back only the most recent block |
//! | `mmap` | every block its own mapping, unmapped by `free` |
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

// Allocator modes exclude each other: the build script names what was chosen.
#[cfg(minic_malloc_conflict)]
compile_error!(concat!(
    "minic: choose one allocator mode, not several: ",
    env!("MINIC_MALLOC_CONFLICT")
));

#[cfg(any(test, feature = "std"))]
extern crate std;

// Diagnostics are reached from the C API and the allocator's checks.
#[cfg_attr(not(feature = "capi"), allow(dead_code))]
mod diag;
pub mod errno;
mod flags;
mod global_alloc;
pub mod malloc;
pub mod mman;
pub mod mqueue;
mod port;
pub use port::abi;
mod posix;
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
pub use posix::{ObjectName, OpenFlags};

/// The README's Rust sample, compiled by `cargo test` exactly as a user
/// copies it (with the dependency line it shows).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeSample;
