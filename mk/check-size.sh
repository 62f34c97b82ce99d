#!/bin/sh
# Checks the freestanding bring-up program: it runs, it is small (at most
# 24 KiB stripped), and no panic machinery (core::fmt) was linked into it —
# proof that minic's reachable paths cannot panic.
#
#   mk/check-size.sh <bringup binary>
set -u
prog=$1
limit=24576
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL size: $*"; }

if out=$("$prog") && echo "$out" | grep -q 'work with no libc'; then ok; else bad "$prog did not run: $out"; fi

stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip -o "$stripped" "$prog"
bytes=$(wc -c < "$stripped")
loaded=$(size "$stripped" | awk 'NR == 2 { print $1 + $2 }')
echo "freestanding bring-up program: $bytes bytes stripped ($loaded bytes of code and data)"
if [ "$bytes" -le "$limit" ]; then ok; else bad "$bytes bytes stripped, more than $limit"; fi

panics=$(nm "$prog" | grep -E 'panic|core..fmt|rust_begin_unwind' | head -n 3)
if [ -z "$panics" ]; then ok; else bad "panic paths are linked in: $panics"; fi

echo "size: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
