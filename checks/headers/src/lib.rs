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

/// What a pointer type points to.
pub trait Ptr {
    /// The pointee.
    type Target;
}
impl<T> Ptr for *const T {
    type Target = T;
}
impl<T> Ptr for *mut T {
    type Target = T;
}

/// Whether two types have one size and alignment.
pub const fn same_layout<A, B>() -> bool {
    core::mem::size_of::<A>() == core::mem::size_of::<B>()
        && core::mem::align_of::<A>() == core::mem::align_of::<B>()
}

include!(concat!(env!("OUT_DIR"), "/checks.rs"));
