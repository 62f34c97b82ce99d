//! Chooses the allocator mode and compiles the small C shim.
//!
//! The allocator mode is a `cfg` (not a cargo feature) so that features stay
//! additive: `MINIC_MALLOC=linear cargo build` selects `cfg(minic_malloc = "linear")`.
//! The Makefile sets it from `make MALLOC=<mode>`. `MINIC_CHECKS=0` builds the
//! allocator without its misuse checks, `cfg(minic_no_checks)`: only to
//! measure what they cost (`make bench`), never to ship.

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

    println!("cargo:rerun-if-env-changed=MINIC_CHECKS");
    println!("cargo::rustc-check-cfg=cfg(minic_no_checks)");
    match env::var("MINIC_CHECKS").as_deref() {
        Err(_) | Ok("1") => {}
        Ok("0") => println!("cargo:rustc-cfg=minic_no_checks"),
        Ok(other) => panic!("MINIC_CHECKS={other}: expected 0 or 1"),
    }

    // The C shim holds what stable Rust cannot do: C-variadic entry points
    // (mq_open, mremap), only part of the C libraries, and weak references to
    // the host's thread library (SIGEV_THREAD), in every build but the
    // freestanding one, which has no threads.
    let capi = env::var_os("CARGO_FEATURE_CAPI").is_some();
    let freestanding = env::var_os("CARGO_FEATURE_FREESTANDING").is_some();
    let mut files = Vec::new();
    if capi {
        files.extend(["src/c/minic_variadic.c", "src/c/minic_mqueue.c"]);
    }
    if !freestanding {
        files.push("src/c/minic_thread.c");
        // The thread-local heap slot where src/port/arch has none in asm!.
        let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
        if !["x86_64", "aarch64", "riscv64"].contains(&arch.as_str()) {
            files.push("src/c/minic_tls.c");
        }
    }
    if !files.is_empty() {
        let mut build = cc::Build::new();
        build
            .files(&files)
            .flag("-ffreestanding")
            .flag("-fno-builtin")
            .flag("-fno-stack-protector")
            .flag("-fvisibility=hidden")
            .warnings(true)
            .extra_warnings(true);
        build.compile("minic_shim");
    }
}
