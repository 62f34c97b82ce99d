#!/bin/sh
# Keeps PORTING.md's "Minimal sets" exact: links each program of
# ctests/porting/ (one feature each) with the extern-port archive, as a port
# author would (--gc-sections), and compares the minic_sys_* functions left
# undefined (nm -u) with the line PORTING.md gives for that feature.
#
#   mk/check-porting.sh <mode> <port-extern libminic.a>
set -u
mode=$1
lib=$2
cc=${CC:-cc}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for src in ctests/porting/*.c; do
    feature=$(basename "$src" .c)
    key=$feature
    [ "$feature" = malloc ] && key="malloc, MALLOC=$mode"
    if ! "$cc" -nostdinc -isystem "$("$cc" -print-file-name=include)" -ffreestanding -fno-builtin \
        -fno-stack-protector -fno-pie -no-pie -static -nostdlib -Iinclude -Wl,--gc-sections \
        -Wl,--unresolved-symbols=ignore-all -o "$tmp/$feature" ctests/crt0.S "$src" "$lib"; then
        failed=$((failed + 1))
        echo "FAIL porting: $src does not link"
        continue
    fi
    measured=$(nm -u "$tmp/$feature" | sed -n 's/.*U minic_sys_//p' | sort | tr '\n' ' ' | sed 's/ $//')
    documented=$(sed -n "s/^$key: //p" PORTING.md | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$measured" = "$documented" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL porting: $key: PORTING.md says \"$documented\", the link needs \"$measured\""
    fi
done
echo "porting ($mode): $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
