#!/bin/sh
# Checks the arena port (ports/arena/) as built into build/.../arena/: the
# bring-up program runs over it in its arena, and the port itself reaches
# the host only by its two system calls (write and exit_group), calling
# nothing but minic's memcpy and memset.
#
#   mk/check-arena.sh <mode> <bringup binary> <arena.o>
set -u
mode=$1
prog=$2
obj=$3
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL arena ($mode): $*"; }

if out=$("$prog" 2>&1) && echo "$out" | grep -q 'work with no libc'; then ok; else
    bad "bringup did not run over the arena port: $(echo "$out" | tail -n 3)"
fi

undefined=$(nm -u "$obj" | awk '{ print $2 }' | grep -v -x -e memcpy -e memset)
if [ -z "$undefined" ]; then ok; else bad "the port calls $undefined"; fi

# The system call instructions, and the numbers loaded into eax before them.
calls=$(objdump -d --no-show-raw-insn "$obj" | grep -c -w syscall)
numbers=$(objdump -d --no-show-raw-insn "$obj" | grep -B3 -w syscall |
    sed -n 's/.*mov *\$0x\([0-9a-f]*\),%eax.*/\1/p' | sort -u | tr '\n' ' ')
if [ "$calls" -ge 1 ] && [ "$numbers" = "1 e7 " ]; then ok; else
    bad "system calls $numbers($calls instructions); expected only write (0x1) and exit_group (0xe7)"
fi

echo "arena ($mode): $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
