#!/bin/sh
# Runs public test suites against minic, each beside the host's C library,
# and reports where the two differ:
#
# - the Open POSIX Test Suite (LTP's testcases/open_posix_testsuite): the
#   conformance tests of mlock, mlockall, mmap, munlock, munlockall, munmap,
#   shm_open, shm_unlink and every mq_* function, and the message queues'
#   functional and stress tests, linked once with <build>/libminic.a
#   (minic's functions) and once without (the host's);
# - LTP's system call tests of the same areas (testcases/kernel/syscalls:
#   madvise, memfd_create, mincore, mlock, mlock2, mlockall, mmap, mprotect,
#   mq_*, mremap, msync, munlock, munlockall, munmap), built the same two
#   ways in the LTP tree itself, when it has its library built (make
#   autotools && ./configure && make -C lib);
# - hardened_malloc's test programs (its test/*.c): built against the host's
#   headers, run with LD_PRELOAD=<build>/libminic.so and without, each
#   against the exit status its test script (test/test_smc.py) expects;
# - glibc's malloc tests (malloc/tst-*.c of a glibc checkout), built with
#   mk/glibc-test-shim/ in place of glibc's internal test support and run
#   with LD_PRELOAD=<build>/libminic.so and without.
#
#   mk/public-suites.sh [--build <dir>] [--ltp <ltp checkout>]
#       [--hardened-malloc <checkout>] [--glibc <checkout>]
#
# --build names the directory of the libraries to test (build/ by default;
# build/guard/ for the guard mode, and so on).
#
# No suite is part of this repository (make check does not fetch them):
# clone https://github.com/linux-test-project/ltp,
# https://github.com/GrapheneOS/hardened_malloc and a glibc source tree
# first. Exits non-zero when a test passes on the host and not on minic
# (an LTP program: when minic's results differ and hold a TFAIL), except
# where minic chose otherwise within the standards (said as it runs).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
ltp=
hm=
glibc=
build=$root/build
usage() {
    echo "usage: $0 [--build DIR] [--ltp DIR] [--hardened-malloc DIR] [--glibc DIR]" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --ltp) ltp=$2; shift 2 ;;
    --hardened-malloc) hm=$2; shift 2 ;;
    --glibc) glibc=$2; shift 2 ;;
    *) usage ;;
    esac
done
[ -n "$ltp$hm$glibc" ] || usage
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# The Open POSIX Test Suite's result codes.
result_name() {
    case $1 in
    0) echo PASS ;; 1) echo FAIL ;; 2) echo UNRESOLVED ;; 4) echo UNSUPPORTED ;;
    5) echo UNTESTED ;; build) echo BUILD-ERROR ;; *) echo "EXIT-$1" ;;
    esac
}

if [ -n "$ltp" ]; then
    suite=$ltp/testcases/open_posix_testsuite
    [ -d "$suite/conformance/interfaces" ] || { echo "no Open POSIX Test Suite in $ltp" >&2; exit 2; }
    # Newer suites define main in one shared file (tests define test_main).
    common=
    [ -f "$suite/lib/common.c" ] && common=$suite/lib/common.c
    mq_max=$(cat /proc/sys/fs/mqueue/msg_max 2>/dev/null || echo '?')
    echo "Open POSIX Test Suite ($suite); /proc/sys/fs/mqueue/msg_max is $mq_max"
    [ "$mq_max" = 10 ] && echo "  (the default: many mq tests cannot create their queues, with either library)"
    total_minic=0
    total_host=0
    tests=0
    for area in mlock mlockall mmap munlock munlockall munmap shm_open shm_unlink \
        mq_close mq_getattr mq_notify mq_open mq_receive mq_send mq_setattr \
        mq_timedreceive mq_timedsend mq_unlink ../../functional/mqueues ../../stress/mqueues; do
        for src in "$suite/conformance/interfaces/$area"/*.c; do
            [ -f "$src" ] || continue
            name=${area#../../}/$(basename "$src" .c)
            tests=$((tests + 1))
            for lib in minic host; do
                exe=$work/$lib
                if [ $lib = minic ]; then
                    extra="-I$root/include $build/libminic.a"
                else
                    extra=
                fi
                # shellcheck disable=SC2086
                if gcc -w -O1 -I"$suite/include" -o "$exe" "$src" $common $extra -lpthread -lrt \
                    2>/dev/null; then
                    # The stress tests take a thread count.
                    (cd "$work" && timeout 60 "$exe" 10 >/dev/null 2>&1)
                    eval "rc_$lib=\$?"
                else
                    eval "rc_$lib=build"
                fi
            done
            # shellcheck disable=SC2154
            [ "$rc_minic" = 0 ] && total_minic=$((total_minic + 1))
            [ "$rc_host" = 0 ] && total_host=$((total_host + 1))
            if [ "$rc_minic" != "$rc_host" ]; then
                echo "  $name: minic $(result_name "$rc_minic"), host $(result_name "$rc_host")"
                [ "$rc_host" = 0 ] && status=1
            fi
        done
    done
    echo "  passed: minic $total_minic of $tests, host $total_host of $tests"

    if [ -f "$ltp/lib/libltp.a" ]; then
        echo "LTP system call tests ($ltp/testcases/kernel/syscalls)"
        same=0
        count=0
        for lib in host minic; do
            mkdir -p "$work/syscalls-$lib"
            for area in madvise memfd_create mincore mlock mlock2 mlockall mmap mprotect \
                mq_notify mq_open mq_timedreceive mq_timedsend mq_unlink mremap msync \
                munlock munlockall munmap; do
                dir=$ltp/testcases/kernel/syscalls/$area
                make -s -C "$dir" clean >/dev/null 2>&1
                if [ $lib = minic ]; then
                    make -s -C "$dir" LDLIBS="-lltp $build/libminic.a -lpthread -lrt" >/dev/null 2>&1
                else
                    make -s -C "$dir" >/dev/null 2>&1
                fi
                for exe in "$dir"/*; do
                    case $exe in *.c | *.h | *.o | *.sh | */Makefile*) continue ;; esac
                    [ -f "$exe" ] && [ -x "$exe" ] && cp "$exe" "$work/syscalls-$lib/$area-$(basename "$exe")"
                done
                make -s -C "$dir" clean >/dev/null 2>&1
            done
        done
        for exe in "$work/syscalls-host"/*; do
            name=$(basename "$exe")
            count=$((count + 1))
            # LTP's result lines, addresses and process ids left out: the
            # same on both?
            for lib in host minic; do
                (cd "$work" && TMPDIR=$work LTPROOT=$ltp timeout 120 "$work/syscalls-$lib/$name" 2>&1) |
                    grep -E 'TPASS|TFAIL|TBROK|TCONF' | sed -E 's/0x[0-9a-f]+//g; s/[0-9]{4,}//g' >"$work/$lib.out"
            done
            if cmp -s "$work/host.out" "$work/minic.out"; then
                same=$((same + 1))
            else
                echo "  $name differs:"
                diff "$work/host.out" "$work/minic.out" | sed 's/^/    /' | head -8
                grep -q TFAIL "$work/minic.out" && status=1
            fi
        done
        echo "  the same results on minic and the host: $same of $count programs"
    else
        echo "LTP system call tests skipped: build LTP's library first (make autotools && ./configure && make -C lib)"
    fi
fi

if [ -n "$hm" ]; then
    tests=$hm/test
    [ -f "$tests/test_smc.py" ] || { echo "no hardened_malloc tests in $hm" >&2; exit 2; }
    command -v python3 >/dev/null || { echo "hardened_malloc's expectations need python3" >&2; exit 2; }
    echo "hardened_malloc's test programs ($tests)"
    # Each test's expected exit status, from its test script: "name status".
    python3 - "$tests/test_smc.py" >"$work/expected" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for body in re.split(r"\n    def ", text):
    name = re.search(r'run_test\(\s*"(\w+)"', body)
    status = re.search(r"assertEqual\(returncode, (-?\d+)\)", body)
    if name and status:
        print(name.group(1), status.group(1))
EOF
    as_expected_minic=0
    as_expected_host=0
    count=0
    while read -r name want; do
        src=$tests/$name.c
        [ -f "$src" ] || continue
        gcc -std=gnu2x -O3 -w -D_GNU_SOURCE -DSLAB_CANARY=true -DCONFIG_EXTENDED_SIZE_CLASSES=true \
            -o "$work/$name" "$src" -lpthread 2>/dev/null || continue
        count=$((count + 1))
        # A shell reports death by signal N as 128 + N; the script's -N.
        minic=$(LD_PRELOAD=$build/libminic.so "$work/$name" >/dev/null 2>&1; echo $?)
        host=$("$work/$name" >/dev/null 2>&1; echo $?)
        [ "$want" -lt 0 ] && want=$((128 - want))
        [ "$minic" = "$want" ] && as_expected_minic=$((as_expected_minic + 1))
        [ "$host" = "$want" ] && as_expected_host=$((as_expected_host + 1))
        [ "$minic" = "$want" ] || echo "  $name: expected $want, minic $minic, host $host"
    done <"$work/expected"
    echo "  as expected: minic $as_expected_minic of $count, host $as_expected_host of $count"
fi

if [ -n "$glibc" ]; then
    [ -f "$glibc/malloc/tst-malloc.c" ] || { echo "no malloc tests in $glibc" >&2; exit 2; }
    echo "glibc's malloc tests ($glibc/malloc)"
    shim=$root/mk/glibc-test-shim
    mkdir -p "$work/glibc/malloc"
    cp "$glibc"/malloc/tst-*.c "$glibc"/malloc/tst-*.h "$work/glibc/malloc/"
    # The older tests include "../test-skeleton.c".
    cp "$shim/test-skeleton.c" "$work/glibc/"
    gcc -c -O1 -w -o "$work/glibc/shim.o" "$shim/shim.c"
    same=0
    count=0
    # glibc's own implementation details (tcache, MALLOC_CHECK_, mtrace,
    # hooks, static linking) are left out: these test the interface.
    for name in tst-malloc tst-calloc tst-realloc tst-reallocarray tst-posix_memalign \
        tst-memalign tst-valloc tst-pvalloc tst-aligned-alloc tst-aligned-alloc-random \
        tst-aligned-alloc-random-thread tst-aligned-alloc-random-thread-cross \
        tst-malloc-too-large tst-mallinfo2 tst-free-errno tst-malloc-thread-exit \
        tst-malloc-thread-fail tst-malloc-fork-deadlock tst-mallocfork tst-mallocfork2 \
        tst-mallocfork3 tst-trim1 tst-malloc-random tst-malloc-stats-cancellation \
        tst-free-sized tst-free-aligned-sized; do
        src=$work/glibc/malloc/$name.c
        [ -f "$src" ] || continue
        exe=$work/glibc/$name
        case $name in
        # C23's sized frees: the host may not have them; minic's archive does.
        tst-free*sized) extra="-I$root/include $build/libminic.a" ;;
        *) extra= ;;
        esac
        # shellcheck disable=SC2086
        gcc -std=gnu11 -O1 -w -D_GNU_SOURCE -I"$shim" -I"$work/glibc/malloc" -include "$shim/shim.h" \
            -o "$exe" "$src" "$work/glibc/shim.o" $extra -lpthread 2>/dev/null || {
            echo "  $name: does not build"
            continue
        }
        count=$((count + 1))
        minic=$(cd "$work" && LD_PRELOAD=$build/libminic.so timeout 300 "$exe" >"$work/out" 2>&1; echo $?)
        if [ -n "$extra" ]; then
            host=-
        else
            host=$(cd "$work" && timeout 300 "$exe" >/dev/null 2>&1; echo $?)
        fi
        # Where minic chose otherwise than glibc, within the standards.
        case $name in
        tst-malloc | tst-malloc-random | tst-realloc)
            chosen="realloc(p, 0) frees p and returns a new minimal block; glibc returns NULL" ;;
        tst-malloc-stats-cancellation)
            chosen="malloc_stats prints minic's figures, not glibc's lines" ;;
        *) chosen= ;;
        esac
        if [ "$minic" = "$host" ] || { [ "$host" = - ] && [ "$minic" = 0 ]; }; then
            same=$((same + 1))
        elif [ -n "$chosen" ]; then
            echo "  $name: minic $minic, host $host: as chosen ($chosen)"
        else
            echo "  $name: minic $minic, host $host: $(grep -v '^$' "$work/out" | head -n 1)"
            [ "$host" = 0 ] && status=1
        fi
    done
    echo "  the same result on minic and the host (or a pass where the host has no such function): $same of $count"
fi
exit $status
