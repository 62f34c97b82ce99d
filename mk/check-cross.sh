#!/bin/sh
# make check's cross checks: minic built for the other architectures
# (make TARGET=<triple>) and its C tests run there.
#
#   aarch64, riscv64   every area in the default mode, hosted and freestanding,
#                      under qemu-user; the malloc tests in every mode
#   i686               the same, natively (the kernel runs 32-bit programs)
#   every Linux target the header check (checks/headers) for that target
#   bare metal         the freestanding archive with the extern port: only
#                      minic_sys_* undefined, no system call instruction;
#                      x86_64-unknown-none's linked with ctests/port_linux.c
#                      into static programs that run the freestanding ctests
#
# Every freestanding archive: nothing undefined (or only minic_sys_*), no
# .tdata/.tbss, no .init_array, no getauxval. A target whose Rust target or
# cross compiler is missing (mk/setup.sh installs them) is one skipped check,
# named in one line. Targets are checked in parallel (one job per target).
# Prints "cross: N passed, N failed, N skipped".
#
#   MODES="default linear mmap guard" mk/check-cross.sh [triple...]
set -u
MODES=${MODES:-default linear mmap guard}
targets=${*:-aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu i686-unknown-linux-gnu
x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# prefix <triple>: its binutils' prefix (as mk/cross.mk).
prefix() {
    case $1 in
    aarch64-*) echo aarch64-linux-gnu- ;;
    riscv64*) echo riscv64-linux-gnu- ;;
    i686-*) echo i686-linux-gnu- ;;
    *) echo "" ;;
    esac
}

# runner <triple>: how a program of that architecture runs here.
runner() {
    case $1 in
    aarch64-unknown-linux-gnu) echo "qemu-aarch64-static -L /usr/aarch64-linux-gnu" ;;
    riscv64gc-unknown-linux-gnu) echo "qemu-riscv64-static -L /usr/riscv64-linux-gnu" ;;
    *) echo "" ;;
    esac
}

# missing <triple>: what this machine lacks to check it (empty if nothing).
missing() {
    m=
    rustup target list --installed 2>/dev/null | grep -qx "$1" || m="$m Rust target $1;"
    command -v "$(prefix "$1")gcc" >/dev/null || m="$m $(prefix "$1")gcc;"
    r=$(runner "$1")
    if [ -n "$r" ]; then
        command -v "${r%% *}" >/dev/null || m="$m ${r%% *};"
    fi
    echo "$m"
}

# check_target <triple>: one target's checks; its own counts on the last line.
check_target() {
    t=$1
    x=$(prefix "$t")
    p=0 f=0 s=0
    ok() { p=$((p + 1)); }
    bad() { f=$((f + 1)); echo "FAIL $t: $*"; }
    # count <file>: shows a step's output and adds the numbers of its
    # "N passed, N failed[, N skipped]" line.
    count() {
        cat "$1"
        c=$(sed -n \
            -e 's/^ctests.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2 0/p' \
            -e 's/^ctests.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
            "$1" | tail -n 1)
        if [ -z "$c" ]; then
            bad "no test count"
            return
        fi
        read -r cp cf cs <<END
$c
END
        p=$((p + cp)) f=$((f + cf)) s=$((s + cs))
    }
    case $t in
    *-none | *-none-elf) bare=1 ;;
    *) bare= ;;
    esac

    if ! make --no-print-directory -s TARGET="$t" cross-ctests >"$logs/$t.build" 2>&1; then
        grep -v -e 'outline-atomics' -e '= note' -e '^ *|*$' "$logs/$t.build" | tail -n 20
        bad "make TARGET=$t cross-ctests failed"
        echo "counts $p $f $s"
        return
    fi
    ok

    # The freestanding archive needs nothing (bare metal: only the port).
    a=build/$t/freestanding/libminic.a
    undef=$(${x}nm -u "$a" | awk 'NF == 2 { print $2 }')
    if [ -n "$bare" ]; then
        others=$(printf '%s\n' "$undef" | grep -v -e '^minic_sys_' -e '^$')
        if [ -z "$others" ]; then ok; else bad "$a needs more than the port: $others"; fi
        for sym in $(printf '%s\n' "$undef" | grep '^minic_sys_'); do
            if grep -q "$sym(" PORTING.md; then ok; else bad "$sym is not in PORTING.md"; fi
        done
        insn=$(${x}objdump -d "$a" | grep -c -w -E 'syscall|sysenter|svc|ecall')
        if [ "$insn" -eq 0 ]; then ok; else bad "$a issues system calls itself ($insn)"; fi
    else
        if [ -z "$undef" ]; then ok; else bad "$a has undefined symbols: $(echo $undef)"; fi
    fi
    sections=$(${x}objdump -h "$a" | awk '{ print $2 }' | grep -E '^\.(tdata|tbss|init_array)')
    if [ -z "$sections" ]; then ok; else bad "$a has $(echo $sections)"; fi
    if ${x}nm "$a" | grep -q getauxval; then bad "$a refers to getauxval"; else ok; fi

    if [ -n "$bare" ]; then
        # Only x86_64's programs run here (over the C port in ctests/).
        if [ "$t" = x86_64-unknown-none ]; then
            mk/run-ctests.sh "$t" build/"$t"/ctests/port-extern/* >"$logs/$t.run" 2>&1
            count "$logs/$t.run"
        fi
        echo "counts $p $f $s"
        return
    fi

    # The headers as this architecture's compiler sees them, against the libc
    # crate's values for it (checks/headers, as mk/check-headers.sh on the host).
    if cargo check --quiet --manifest-path checks/headers/Cargo.toml --target "$t" \
        --target-dir target/header-check-cross >"$logs/$t.headers" 2>&1; then
        ok
    else
        grep -E '^error' "$logs/$t.headers" | head -n 10
        bad "the headers in include/ do not match for $t"
    fi

    run=$(runner "$t")
    out=build/$t
    bins=$(for a in $(make --no-print-directory -s -p TARGET="$t" -n 2>/dev/null |
        sed -n 's/^CTESTS := //p' | head -n 1); do echo "$out/ctests/$a"; done)
    fbins=$(for a in $(make --no-print-directory -s -p TARGET="$t" -n 2>/dev/null |
        sed -n 's/^FREESTANDING_CTESTS := //p' | head -n 1); do echo "$out/ctests/freestanding/$a"; done)
    # shellcheck disable=SC2086 # lists of files
    MINIC_RUN=$run mk/run-ctests.sh "$t default" $bins $fbins >"$logs/$t.run" 2>&1
    count "$logs/$t.run"
    # The malloc tests in every other mode, hosted and freestanding.
    for m in $MODES; do
        [ "$m" = default ] && continue
        bins="$out/$m/ctests/malloc $out/$m/ctests/malloc_threads $out/$m/ctests/freestanding/malloc"
        # shellcheck disable=SC2086 # a list of files
        if ! make --no-print-directory -s TARGET="$t" MALLOC="$m" $bins >"$logs/$t.$m.build" 2>&1; then
            grep -v -e 'outline-atomics' -e '= note' -e '^ *|*$' "$logs/$t.$m.build" | tail -n 20
            bad "make TARGET=$t MALLOC=$m failed"
            continue
        fi
        # shellcheck disable=SC2086
        MINIC_RUN=$run mk/run-ctests.sh "$t $m" $bins >"$logs/$t.$m.run" 2>&1
        count "$logs/$t.$m.run"
    done
    echo "counts $p $f $s"
}

passed=0
failed=0
skipped=0
started=$(date +%s)
for t in $targets; do
    m=$(missing "$t")
    if [ -n "$m" ]; then
        echo "  SKIP cross $t: this machine lacks$m (mk/setup.sh installs them)"
        skipped=$((skipped + 1))
        continue
    fi
    check_target "$t" >"$logs/$t.out" 2>&1 &
done
wait
# Each target's failures and skips, then its counts, indented: only the
# closing line is make check's count.
for t in $targets; do
    [ -f "$logs/$t.out" ] || continue
    c=$(grep '^counts ' "$logs/$t.out" | tail -n 1)
    if [ -z "$c" ]; then
        sed 's/^/  /' "$logs/$t.out" | tail -n 20
        echo "  FAIL cross $t: no result"
        failed=$((failed + 1))
        continue
    fi
    grep -E '^FAIL|^  \[.*\] (FAIL|SKIP| +skipped)|^ctests' "$logs/$t.out" | sed 's/^/  /' | sort -u
    read -r _ cp cf cs <<END
$c
END
    echo "  $t: $cp passed, $cf failed, $cs skipped"
    passed=$((passed + cp)) failed=$((failed + cf)) skipped=$((skipped + cs))
done
echo "  cross checks took $(($(date +%s) - started)) s"
echo "cross: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
