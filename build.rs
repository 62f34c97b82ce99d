//! Chooses the allocator mode and compiles the small C shim.
//!
//! The allocator mode is a `cfg` (not a cargo feature) so that features stay
//! additive: `MINIC_MALLOC=linear cargo build` selects `cfg(minic_malloc = "linear")`.
//! The Makefile sets it from `make MALLOC=<mode>`.

use std::env;

const MODES: &[&str] = &["default", "linear", "mmap", "guard"];

fn main() {
    println!("cargo:rerun-if-env-changed=MINIC_MALLOC");
    println!("cargo:rerun-if-changed=src/c");

    let mode = env::var("MINIC_MALLOC").unwrap_or_else(|_| "default".into());
    if !MODES.contains(&mode.as_str()) {
        panic!("MINIC_MALLOC={mode}: expected one of {MODES:?}");
    }
    let values: Vec<String> = MODES.iter().map(|m| format!("\"{m}\"")).collect();
    println!(
        "cargo::rustc-check-cfg=cfg(minic_malloc, values({}))",
        values.join(", ")
    );
    println!("cargo:rustc-cfg=minic_malloc=\"{mode}\"");

    // The C shim holds what stable Rust cannot define: C-variadic entry points
    // (mq_open, mremap). It is only part of the C libraries.
    if env::var_os("CARGO_FEATURE_CAPI").is_some() {
        let mut build = cc::Build::new();
        build
            .file("src/c/minic_variadic.c")
            .flag("-ffreestanding")
            .flag("-fno-builtin")
            .flag("-fno-stack-protector")
            .flag("-fvisibility=hidden")
            .warnings(true)
            .extra_warnings(true);
        build.compile("minic_shim");
    }
}
