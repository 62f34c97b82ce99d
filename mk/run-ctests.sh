#!/bin/sh
# Runs ctest programs and adds up their closing lines (ctests/harness.h):
# "<area>: N assertions passed, N failed" and "<area>: N passed, N failed,
# N skipped" (tests). A program that exits non-zero without counting a
# failed test, or prints no count, adds a failed test of its own.
#
#   mk/run-ctests.sh <label> <test binary>...
#
# MINIC_RUN, if set, is the command that runs a binary of another
# architecture (qemu-user, mk/check-cross.sh).
set -u
label=$1
shift
passed=0
failed=0
skipped=0
asserts_passed=0
asserts_failed=0
for t in "$@"; do
    # shellcheck disable=SC2086 # MINIC_RUN is a command and its arguments
    log=$(timeout 300 ${MINIC_RUN:-} "$t" 2>&1)
    rc=$?
    printf '%s\n' "$log" | sed "s|^|  [$t] |"
    asserts=$(printf '%s\n' "$log" |
        sed -n 's/.*: \([0-9][0-9]*\) assertions passed, \([0-9][0-9]*\) failed$/\1 \2/p' | tail -n 1)
    counts=$(printf '%s\n' "$log" |
        sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p' |
        tail -n 1)
    if [ -n "$asserts" ]; then
        asserts_passed=$((asserts_passed + ${asserts% *}))
        asserts_failed=$((asserts_failed + ${asserts#* }))
    fi
    if [ -z "$counts" ]; then
        echo "FAIL $t printed no result (exit status $rc)"
        failed=$((failed + 1))
        continue
    fi
    read -r p f s <<EOF
$counts
EOF
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $t exited with status $rc"
        failed=$((failed + 1))
    fi
done
echo "ctests ($label): $asserts_passed assertions passed, $asserts_failed failed"
echo "ctests ($label): $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
