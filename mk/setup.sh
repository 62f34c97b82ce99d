#!/usr/bin/env bash
# Installs what building and testing minic needs and a fresh machine may lack.
# Debian packages through apt-get (as root); Rust components through rustup.
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
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

if ! command -v cargo >/dev/null; then
    echo "setup: minic needs a stable Rust toolchain (cargo, rustc) on PATH" >&2
    exit 1
fi
for component in clippy rustfmt; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
        rustup component add "$component"
    fi
done
