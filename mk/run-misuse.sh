#!/bin/sh
# Runs the misuse programs (ctests/misuse/*.c, one bug each): each must end
# by SIGABRT with the diagnostic line its source names in "expect:". A
# program whose source has a "modes:" line runs only in the allocator modes
# it names (the label's first word is the mode).
#
#   mk/run-misuse.sh <label> <binary>...
set -u
label=$1
shift
passed=0
failed=0
for t in "$@"; do
    name=$(basename "$t")
    want=$(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "ctests/misuse/$name.c" | head -n 1)
    modes=$(sed -n 's|^/\* modes: \(.*\) \*/$|\1|p' "ctests/misuse/$name.c" | head -n 1)
    if [ -n "$modes" ] && ! echo " $modes " | grep -q " ${label%% *} "; then
        continue
    fi
    # (The shell's own "Aborted" notice is not part of the program's stderr.)
    err=$(timeout 60 "$t" 2>&1 >/dev/null) 2>/dev/null
    rc=$?
    if [ "$rc" -ne 134 ]; then
        failed=$((failed + 1))
        echo "FAIL $t: exit status $rc, expected SIGABRT (134)"
        printf '%s\n' "$err" | head -n 3 | sed 's/^/    /'
    elif ! printf '%s\n' "$err" | grep -E -x -q -- "$want"; then
        failed=$((failed + 1))
        echo "FAIL $t: no line matching '$want' on stderr:"
        printf '%s\n' "$err" | head -n 3 | sed 's/^/    /'
    else
        passed=$((passed + 1))
    fi
done
echo "misuse ($label): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
