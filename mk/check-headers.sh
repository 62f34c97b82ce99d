#!/bin/sh
# The header check (checks/headers/): bindgen reads every header in include/
# freestanding and `cargo check` compiles one assertion per C item against
# minic's Rust functions and the libc crate's types and constants. Then the
# same check is fed copies of the headers with one planted mistake each and
# must fail, naming that item and nothing else. Prints "headers: N passed, N failed".
#
# Every run is clippy's (-D warnings), which checks all that `cargo check`
# does: the checker is built one way only, and the first run is its lint.
set -u
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL headers: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check [include dir]: runs the check; diagnostics in $tmp/err, cargo's JSON in $tmp/out.
check() {
    if [ $# -gt 0 ]; then
        MINIC_HEADER_CHECK_INCLUDE=$1 cargo_clippy
    else
        cargo_clippy
    fi
}
cargo_clippy() {
    cargo clippy --quiet --manifest-path checks/headers/Cargo.toml --target-dir target/header-check \
        --message-format=json-render-diagnostics -- -D warnings >"$tmp/out" 2>"$tmp/err"
}

if check; then
    out_dir=$(grep '"reason":"build-script-executed"' "$tmp/out" | grep 'minic-header-check' |
        sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)
    echo "headers in include/ match the Rust side: $(cat "$out_dir/summary.txt" 2>/dev/null)"
    ok
else
    cat "$tmp/err"
    bad "include/ does not match the Rust side, or clippy warns (above)"
fi

# planted <name> <expected text> <file> <sed expression | text to add>: a copy of
# include/ with one mistake must fail with exactly one error, mentioning <expected>.
planted() {
    name=$1 expect=$2 file=$3 edit=$4
    rm -rf "$tmp/include"
    cp -R include "$tmp/include"
    if [ -f "$tmp/include/$file" ]; then
        sed -e "$edit" "include/$file" >"$tmp/include/$file"
        if cmp -s "include/$file" "$tmp/include/$file"; then
            bad "planted $name: the edit changed nothing in $file (update the test)"
            return
        fi
    else
        printf '%s\n' "$edit" >"$tmp/include/$file"
    fi
    if check "$tmp/include"; then
        bad "planted $name: the check passed"
        return
    fi
    errors=$(grep -c '^error' "$tmp/err" | tr -d ' ')
    errors=$((errors - $(grep -c '^error: could not compile' "$tmp/err")))
    if [ "$errors" -eq 1 ] && grep -q -F -e "$expect" "$tmp/err"; then
        echo "planted $name: caught: $(grep -F -m 1 -e "$expect" "$tmp/err" | sed 's/^ *//' | cut -c 1-150)"
        ok
    else
        cat "$tmp/err"
        bad "planted $name: expected one error mentioning '$expect', got $errors"
    fi
}

planted "wrong constant" "constant MAP_SHARED = 4 differs from libc::MAP_SHARED" \
    sys/mman.h 's/^#define MAP_SHARED 0x01$/#define MAP_SHARED 0x04/'
planted "wrong parameter type" "minic::mman::c::mprotect" \
    sys/mman.h 's/^int mprotect(void \*addr, size_t length, int prot);$/int mprotect(void *addr, size_t length, long prot);/'
planted "wrong struct field" "struct timespec: field tv_nsec: size differs from libc::timespec" \
    planted_timespec.h '#include <minic/types.h>
struct timespec { long tv_sec; int tv_nsec; };'
planted "function minic lacks" "minic defines no C function minic_planted_missing" \
    planted_missing.h '#include <minic/types.h>
int minic_planted_missing(int x);'

echo "headers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
