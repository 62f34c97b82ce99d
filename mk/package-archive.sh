#!/bin/sh
# Turns cargo's staticlib into minic's C archive, in which only the C API is global.
#
#   mk/package-archive.sh <cargo staticlib> <output archive> <exports file> [--no-unwind-tables]
#
# A Rust staticlib carries all of core and compiler-builtins with global
# symbols. This partially links minic's own objects (the Rust crate and the C
# shim) with just the compiler-builtins members they need, drops unreachable
# sections, and then keeps global only the C API: the symbols minic's objects
# define, less the internal __minic_* ones. The export list is written to
# <exports file> (one name a line) for the shared object's version script.
set -eu
# Cross builds (make TARGET=...) use the target's binutils.
x=${CROSS_COMPILE:-}

in=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
exports=$3
# The freestanding libraries drop unwind tables: nothing unwinds (panics
# abort), and they are a third of a small program's read-only data.
strip_unwind=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/x"
(cd "$tmp/x" && ${x}ar x "$in")
# binutils' LLVM plugin aborts on Rust's embedded bitcode: remove it.
# (Older binutils cannot rewrite some compiler-builtins objects, e.g. riscv64
# ULEB128 relocations; those carry no bitcode and are left as they are.)
for o in "$tmp"/x/*.o; do
    ${x}objcopy --remove-section=.llvmbc --remove-section=.llvmcmd "$o" 2>/dev/null ||
        ! ${x}objdump -h "$o" 2>/dev/null | grep -q -e '\.llvmbc' -e '\.llvmcmd' ||
        { echo "package-archive: cannot remove the bitcode of $o" >&2; exit 1; }
done

# minic's own objects: the Rust crate (minic-*.o) and the C shim, whose
# sources are all named minic_*.c. Everything else is compiler support code,
# linked only as far as minic needs it.
own=$(ls "$tmp"/x/*.o | grep -E '/minic-[^/]*\.o$|/[^/]*-minic_[^/]*\.o$' || true)
[ -n "$own" ] || { echo "package-archive: no minic objects in $1" >&2; exit 1; }
# shellcheck disable=SC2086
${x}ar rcs "$tmp/support.a" $(ls "$tmp"/x/*.o | grep -v -E '/minic-[^/]*\.o$|/[^/]*-minic_[^/]*\.o$')

# shellcheck disable=SC2086
${x}nm -g --defined-only $own | awk 'NF == 3 { print $3 }' |
    grep -v -e '^__minic_' -e '^_ZN' -e '^_R' -e '^rust_' | sort -u > "$tmp/exports"
[ -s "$tmp/exports" ] || { echo "package-archive: no exported symbols" >&2; exit 1; }

# shellcheck disable=SC2086
${x}ld -r --gc-sections $(sed 's/^/-u /' "$tmp/exports") -o "$tmp/minic.o" $own "$tmp/support.a"
${x}objcopy --keep-global-symbols="$tmp/exports" "$tmp/minic.o"
if [ "$strip_unwind" = "--no-unwind-tables" ]; then
    ${x}objcopy --remove-section=.eh_frame --remove-section=.rela.eh_frame "$tmp/minic.o"
fi

# Deterministic archive, replaced only when it changed, so that what links
# against it is not rebuilt for nothing.
${x}ar rcsD "$tmp/out.a" "$tmp/minic.o"
cmp -s "$tmp/out.a" "$out" 2>/dev/null || cp "$tmp/out.a" "$out"
cmp -s "$tmp/exports" "$exports" 2>/dev/null || cp "$tmp/exports" "$exports"
