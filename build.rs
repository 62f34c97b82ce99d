//! Chooses the allocator mode and compiles the small C shim.
//!
//! The allocator mode becomes `cfg(minic_malloc = "<mode>")`, chosen by one
//! of the features `malloc-default`, `malloc-linear`, `malloc-mmap`,
//! `malloc-guard` (in a dependent's Cargo.toml), or else by the environment
//! variable `MINIC_MALLOC` (`MINIC_MALLOC=linear cargo build`; the Makefile
//! sets it from `make MALLOC=<mode>`), or else `default`. Two mode features,
//! or a feature and a different `MINIC_MALLOC`, are a compile error naming
//! both (lib.rs turns `cfg(minic_malloc_conflict)` into it). `MINIC_CHECKS=0` builds the
//! allocator without its misuse checks, `cfg(minic_no_checks)`: only to
//! measure what they cost (`make bench`), never to ship.

use std::env;

const MODES: &[&str] = &["default", "linear", "mmap", "guard"];

fn main() {
    println!("cargo:rerun-if-env-changed=MINIC_MALLOC");
    println!("cargo:rerun-if-changed=src/c");

    let features: Vec<&str> = MODES
        .iter()
        .copied()
        .filter(|m| env::var_os(format!("CARGO_FEATURE_MALLOC_{}", m.to_uppercase())).is_some())
        .collect();
    let from_env = env::var("MINIC_MALLOC").ok();
    if let Some(mode) = &from_env {
        if !MODES.contains(&mode.as_str()) {
            panic!("MINIC_MALLOC={mode}: expected one of {MODES:?}");
        }
    }
    let mut chosen: Vec<String> = features
        .iter()
        .map(|m| format!("feature malloc-{m}"))
        .collect();
    if let Some(mode) = from_env
        .as_deref()
        .filter(|m| !features.is_empty() && !features.contains(m))
    {
        chosen.push(format!("MINIC_MALLOC={mode}"));
    }
    println!("cargo::rustc-check-cfg=cfg(minic_malloc_conflict)");
    if chosen.len() > 1 {
        println!("cargo:rustc-cfg=minic_malloc_conflict");
        println!(
            "cargo:rustc-env=MINIC_MALLOC_CONFLICT={}",
            chosen.join(", ")
        );
    }
    let mode = features
        .first()
        .map(|m| m.to_string())
        .or(from_env)
        .unwrap_or_else(|| "default".into());
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
