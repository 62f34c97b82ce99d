#!/bin/sh
# The allocator mode as a cargo feature: one feature builds, two are a
# compile error that names both, and so is a feature beside a different
# MINIC_MALLOC.
#
#   mk/check-mode-features.sh
set -u
passed=0
failed=0
target=target/mode-features
check() {
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
refused() {
    out=$(env "$@" 2>&1)
    rc=$?
    [ "$rc" -ne 0 ] || return 1
    printf '%s\n' "$out" | grep -q "minic: choose one allocator mode, not several: $expect"
}

check "one mode feature builds" cargo check --quiet --lib --target-dir "$target" --features malloc-guard
expect="feature malloc-mmap, feature malloc-guard"
check "two mode features are refused" refused cargo check --quiet --lib --target-dir "$target" \
    --features malloc-mmap,malloc-guard
expect="feature malloc-linear, MINIC_MALLOC=mmap"
check "a feature and another MINIC_MALLOC are refused" refused MINIC_MALLOC=mmap cargo check --quiet \
    --lib --target-dir "$target" --features malloc-linear
check "a feature and the same MINIC_MALLOC build" env MINIC_MALLOC=linear cargo check --quiet --lib \
    --target-dir "$target" --features malloc-linear

echo "mode features: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
