#!/bin/sh
# Checks one build directory's libraries: only the C API is global, the
# freestanding archive needs nothing from outside, the shared object has its
# SONAME and version script, and the freestanding mem* functions do not call
# themselves. Prints "library: N passed, N failed".
#
#   SO_ALIASES="alias=function ..." mk/check-library.sh <build dir>
#
# SO_ALIASES: the other names the shared object gives functions (the
# Makefile's list).
set -u
out=$1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL library ($out): $*"; }

# Every global a library defines must be a function or object that minic's
# headers declare: no Rust-mangled names, no rust_* or compiler-builtins.
declared=$(cat include/*.h include/*/*.h | tr -c 'A-Za-z0-9_' '\n' | sort -u)
check_exports() { # <archive>
    leaked=$(nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u |
        while read -r s; do echo "$declared" | grep -qx "$s" || echo "$s"; done)
    if [ -z "$leaked" ]; then ok; else bad "$1 exports undeclared symbols: $(echo $leaked | head -c 300)"; fi
    if objdump -h "$1" | grep -q -e '\.llvmbc' -e '\.llvmcmd'; then bad "$1 keeps LLVM bitcode sections"; else ok; fi
}

check_exports "$out/libminic.a"
check_exports "$out/freestanding/libminic.a"

# The hosted archive may need from the host only the documented symbols
# (pthread_detach and pthread_attr_getdetachstate: weak, for SIGEV_THREAD;
# pthread_key_create and pthread_setspecific: weak, the default allocator's
# hook at thread exit),
# and the linker's own _GLOBAL_OFFSET_TABLE_ (through which a weak reference
# is tested).
allowed_host='__errno_location memcpy memmove memset memcmp bcmp pthread_create pthread_atfork
pthread_detach pthread_attr_getdetachstate pthread_key_create pthread_setspecific
_GLOBAL_OFFSET_TABLE_'
extra=$(nm -u "$out/libminic.a" | awk '{ print $2 }' | sort -u |
    while read -r s; do echo "$allowed_host" | tr ' ' '\n' | grep -qx "$s" || echo "$s"; done)
if [ -z "$extra" ]; then ok; else bad "hosted archive needs undocumented host symbols: $extra"; fi

# The freestanding archive needs nothing at all.
undef=$(nm -u "$out/freestanding/libminic.a" | awk '{ print $2 }')
if [ -z "$undef" ]; then ok; else bad "freestanding archive has undefined symbols: $undef"; fi

# The port-extern archive reaches the kernel only through the port: it needs
# exactly minic_sys_* functions, each documented in PORTING.md, and holds no
# syscall instruction of its own.
pe=$out/port-extern/libminic.a
if [ -f "$pe" ]; then
    check_exports "$pe"
    others=$(nm -u "$pe" | awk '{ print $2 }' | grep -v '^minic_sys_')
    if [ -z "$others" ]; then ok; else bad "port-extern archive needs more than the port: $others"; fi
    for s in $(nm -u "$pe" | awk '{ print $2 }' | grep '^minic_sys_'); do
        if grep -q "$s(" PORTING.md; then ok; else bad "$s is not documented in PORTING.md"; fi
    done
    if objdump -d "$pe" | grep -q -w -e syscall -e sysenter; then
        bad "port-extern archive issues system calls itself"
    else
        ok
    fi
fi

# The shared object: SONAME, and exactly the archive's exports less
# recallocarray, and the aliases, each at its function's address.
if readelf -d "$out/libminic.so" | grep -q 'SONAME.*libminic\.so\.0'; then ok; else bad "no SONAME"; fi
so_symbols=$(nm -D --defined-only "$out/libminic.so" | awk 'NF == 3 { print $3, $1 }')
so_exports=$(echo "$so_symbols" | cut -d' ' -f1 | sort -u)
aliases=${SO_ALIASES:-}
# shellcheck disable=SC2086 # the aliases are words
want=$({ grep -v -x recallocarray "$out/exports.txt"; printf '%s\n' $aliases | cut -d= -f1; } |
    grep . | sort -u)
if [ "$so_exports" = "$want" ]; then ok; else bad "libminic.so exports differ from the archive's and the aliases"; fi
address() { echo "$so_symbols" | awk -v s="$1" '$1 == s { print $2 }'; }
for a in $aliases; do
    if [ -n "$(address "${a%%=*}")" ] && [ "$(address "${a%%=*}")" = "$(address "${a#*=}")" ]; then
        ok
    else
        bad "libminic.so: ${a%%=*} is not ${a#*=}"
    fi
done

# memcpy & co. must not have been compiled into calls to themselves.
for f in memcpy memmove memset memcmp bcmp; do
    body=$(objdump -d --no-show-raw-insn "$out/freestanding/libminic.a" |
        awk -v f="$f" '$0 ~ "^[0-9a-f]+ <" f ">:" { on = 1; next } on && /^$/ { exit } on { print }')
    if [ -z "$body" ]; then
        # No label of its own: an alias of another checked function, if defined.
        if nm --defined-only "$out/freestanding/libminic.a" | grep -q " T $f\$"; then ok; else bad "no $f"; fi
        continue
    fi
    if echo "$body" | grep -q -E "(call|jmp) .*<(memcpy|memmove|memset|$f)>"; then
        bad "$f calls a mem* function (recursion)"
    else
        ok
    fi
done

# Neither may the allocation functions: a zero fill after an allocation can
# be turned into a call to calloc, a copy loop into memcpy. None of them
# calls an allocation function by its C name (so none can call itself).
alloc_fns='malloc|calloc|realloc|reallocf|reallocarray|recallocarray|free|free_sized|free_aligned_sized|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size'
for a in "$out/libminic.a" "$out/freestanding/libminic.a"; do
    # In the relocatable object a call's target is its relocation's symbol.
    calls=$(objdump -dr --no-show-raw-insn "$a" |
        awk -v fns="^($alloc_fns)\$" '/^[0-9a-f]+ <.*>:$/ { f = $2; gsub(/[<>:]/, "", f); next }
            f ~ fns && /R_X86_64_(PLT32|PC32|GOTPCREL[A-Z]*)/ { t = $NF; sub(/^\.text\./, "", t); sub(/[-+].*/, "", t); if (t ~ fns) print f " -> " t }')
    if [ -z "$calls" ]; then ok; else bad "$a: allocation functions call allocation functions: $calls"; fi
done

# Each header compiles on its own: standing alone (freestanding, only the
# compiler's headers), beside the host's headers, and as C++.
cc=${CC:-cc}
inc=$($cc -print-file-name=include)
for h in $(cd include && find . -name '*.h' ! -path './minic/*' | sed 's|^\./||' | sort); do
    for how in "-x c -std=c11 -nostdinc -isystem $inc -ffreestanding" "-x c -std=c11" "-x c++"; do
        # shellcheck disable=SC2086
        if printf '#include <%s>\n' "$h" | $cc $how -Wall -Wextra -Werror -Iinclude -fsyntax-only - 2>/dev/null
        then ok; else bad "<$h> does not compile with: $how"; fi
    done
done

# Proof that the hosted test programs run minic's functions, not the host's:
# linked against the archive and the host's shared C library, every minic
# export must be defined in the program itself.
for t in "$out"/ctests/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    defined=$(nm --defined-only "$t" | awk '$2 ~ /^[TW]$/ { print $3 }' | sort -u)
    missing=$(echo "$defined" | comm -13 - "$out/exports.txt")
    if [ -z "$missing" ]; then ok; else bad "$t takes from the host: $missing"; fi
done

echo "library: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
