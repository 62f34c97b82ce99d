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
if ((${#need[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: please install: ${need[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${need[*]}"
    apt-get update -qq
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
