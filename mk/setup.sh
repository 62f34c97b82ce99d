#!/usr/bin/env bash
# Installs what building and testing minic needs and a fresh machine may lack.
# Debian packages through apt-get (as root); Rust components through rustup.
# When nothing is missing it does nothing and prints nothing (make check and
# make demo run it first).
set -euo pipefail

need=()
command -v cc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v objcopy >/dev/null || need+=(binutils)
command -v timeout >/dev/null || need+=(coreutils)
# The header check (checks/headers) runs bindgen, which loads libclang at run time.
if ! compgen -G '/usr/lib/llvm-*/lib/libclang.so' >/dev/null &&
    ! compgen -G '/usr/lib/*/libclang.so' >/dev/null; then
    need+=(libclang-dev)
fi
# apt-get update runs once, and only when something is to be installed.
updated=
apt_update_once() {
    [ -n "$updated" ] || apt-get update -qq
    updated=1
}
if ((${#need[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: please install: ${need[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${need[*]}"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

if ! command -v cargo >/dev/null; then
    echo "setup: minic needs a stable Rust toolchain (cargo, rustc) on PATH" >&2
    exit 1
fi
# cargo clippy and cargo fmt: the clippy and rustfmt components.
for component in clippy:clippy rustfmt:fmt; do
    if ! cargo "${component#*:}" --version >/dev/null 2>&1; then
        echo "setup: adding the Rust component ${component%:*}"
        rustup component add "${component%:*}"
    fi
done

# The cross checks (mk/check-cross.sh): Rust's targets, the cross compilers
# with their C libraries, and qemu-user for aarch64 and riscv64 (i686 runs
# natively). Best effort: what cannot be installed here is reported, and make
# check counts that target as skipped.
cross_need=()
for pair in aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu riscv64-linux-gnu-gcc:gcc-riscv64-linux-gnu \
    i686-linux-gnu-gcc:gcc-i686-linux-gnu qemu-aarch64-static:qemu-user-static \
    qemu-riscv64-static:qemu-user-static; do
    command -v "${pair%%:*}" >/dev/null || cross_need+=("${pair#*:}")
done
for pair in aarch64-linux-gnu:libc6-dev-arm64-cross riscv64-linux-gnu:libc6-dev-riscv64-cross \
    i686-linux-gnu:libc6-dev-i386-cross; do
    [ -e "/usr/${pair%%:*}/lib/crt1.o" ] || cross_need+=("${pair#*:}")
done
if ((${#cross_need[@]})); then
    mapfile -t cross_need < <(printf '%s\n' "${cross_need[@]}" | sort -u)
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: the cross checks need (as root): apt-get install ${cross_need[*]}" >&2
    elif ! { apt_update_once &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${cross_need[@]}"; }; then
        echo "setup: could not install ${cross_need[*]}: those cross checks will be skipped" >&2
    fi
fi
installed=$(rustup target list --installed 2>/dev/null || true)
for target in aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu i686-unknown-linux-gnu \
    x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf; do
    printf '%s\n' "$installed" | grep -qx "$target" ||
        rustup target add "$target" >/dev/null 2>&1 ||
        echo "setup: could not install the Rust target $target: its cross check will be skipped" >&2
done
