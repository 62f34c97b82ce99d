#!/bin/sh
# Runs ctest programs and adds up their "N passed, N failed[, N skipped]" lines. A program
# that exits non-zero without counting a failure, or prints no count, adds a
# failure of its own.
#
#   mk/run-ctests.sh <mode> <test binary>...
#
# MINIC_RUN, if set, is the command that runs a binary of another
# architecture (qemu-user, mk/check-cross.sh).
set -u
mode=$1
shift
passed=0
failed=0
skipped=0
for t in "$@"; do
    # shellcheck disable=SC2086 # MINIC_RUN is a command and its arguments
    log=$(timeout 300 ${MINIC_RUN:-} "$t" 2>&1)
    rc=$?
    printf '%s\n' "$log" | sed "s|^|  [$t] |"
    counts=$(printf '%s\n' "$log" |
        sed -n -e 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2 0/p' \
            -e 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p' |
        tail -n 1)
    if [ -z "$counts" ]; then
        echo "FAIL $t printed no result (exit status $rc)"
        failed=$((failed + 1))
        continue
    fi
    p=${counts%% *}
    rest=${counts#* }
    f=${rest% *}
    s=${rest#* }
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $t exited with status $rc"
        failed=$((failed + 1))
    fi
done
echo "ctests ($mode): $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
