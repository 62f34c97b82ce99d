#!/bin/sh
# make install into a temporary prefix, then build and run programs the way a
# user does, through pkg-config: shared (minic: the run path finds
# libminic.so.0), static (minic-static) and freestanding (minic-freestanding:
# crt0.o, no C library); then make uninstall must leave no file behind.
#
#   mk/check-install.sh
set -u
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
passed=0
failed=0
CC=${CC:-cc}

# check <what> <command...>: one assertion.
check() {
    what=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what"
        sed 's/^/  /' "$work/out"
    fi
}

check "make install" make --no-print-directory install PREFIX="$prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
for pc in minic minic-static minic-freestanding; do
    check "pkg-config finds $pc" pkg-config --exists "$pc"
done

# A hosted program: reallocf is minic's alone (glibc has none), so the link
# proves minic was found; shm_open's name check is minic's too.
cat >"$work/hosted.c" <<'C'
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <errno.h>
#include <string.h>
int main(void)
{
    char *p = reallocf(NULL, 64);
    if (!p)
        return 1;
    memset(p, 1, 64);
    free(p);
    if (shm_open("/../escape", O_RDONLY, 0) != -1 || errno != EINVAL)
        return 2;
    return 0;
}
C
# shellcheck disable=SC2046 # pkg-config's output is words
check "cc with pkg-config minic" sh -c "$CC -o '$work/shared' '$work/hosted.c' \
    \$(pkg-config --cflags --libs minic)"
check "the shared program runs (run path)" "$work/shared"
check "it uses the installed libminic.so.0" sh -c "ldd '$work/shared' | grep -q '$prefix/lib/libminic.so.0'"
check "cc with pkg-config minic-static" sh -c "$CC -o '$work/static' '$work/hosted.c' \
    \$(pkg-config --cflags --libs minic-static)"
check "the static program runs" "$work/static"
check "it needs no libminic.so" sh -c "! ldd '$work/static' | grep -q libminic"

# A program with no C library at all.
cat >"$work/bare.c" <<'C'
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
int main(void)
{
    char *p = malloc(100);
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!p || m == MAP_FAILED)
        return 1;
    free(p);
    munmap(m, 4096);
    return write(1, "bare\n", 5) == 5 ? 0 : 2;
}
C
check "cc with pkg-config minic-freestanding" sh -c "$CC -o '$work/bare' '$work/bare.c' \
    \$(pkg-config --cflags --libs minic-freestanding)"
check "the freestanding program runs" sh -c "[ \"\$('$work/bare')\" = bare ]"
check "it is static with no interpreter" sh -c "! readelf -l '$work/bare' | grep -q INTERP"

check "make uninstall" make --no-print-directory uninstall PREFIX="$prefix"
check "uninstall leaves no file" sh -c "[ -z \"\$(find '$prefix' ! -type d)\" ]"
check "uninstall leaves no directory of its own" sh -c \
    "[ -z \"\$(find '$prefix' -mindepth 1 -type d ! -name lib ! -name include)\" ]"

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
