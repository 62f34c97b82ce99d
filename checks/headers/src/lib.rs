//! The header check: `cargo check` of this crate compiles one assertion per
//! C item of minic's headers against its Rust counterpart (see build.rs).
//! Nothing here is meant to run.

#![no_std]
#![allow(
    dead_code,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    improper_ctypes,
    clippy::all
)]

/// The size of a field, from a function that projects a pointer to it.
pub const fn field_size<T, F>(_project: fn(*const T) -> *const F) -> usize {
    core::mem::size_of::<F>()
}

/// Whether two integer types are one C type: same size and signedness.
pub const fn same_integer<A, B>(a_unsigned: bool, b_unsigned: bool) -> bool {
    core::mem::size_of::<A>() == core::mem::size_of::<B>() && a_unsigned == b_unsigned
}

include!(concat!(env!("OUT_DIR"), "/checks.rs"));
