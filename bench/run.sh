#!/bin/sh
# make bench: runs every workload under minic and the allocators it is
# compared with, several times, interleaved (run 1 of every workload under
# every allocator, then run 2, ...; the allocator order rotates each run, so
# slow drift of a noisy machine does not favour one), and reports medians.
#
#   bench/run.sh [runs] [scale]          (defaults: 7 runs, scale 1)
#   bench/run.sh --smoke                 every workload once, tiny, under minic,
#                                        and the diagnostic modes (DIAGNOSTICS)
#
# Each run of a workload is made twice: on the machine as it is, then under
# load, with a competing busy process (build/bench/busy) on every core, as
# on a machine shared with other work (BENCH_CONTENTION=0 skips the runs
# under load).
#
# Environment: BENCH_BIN (the workloads, default build/bench), MINIC_SO
# (default build/libminic.so), MINIC_NOCHECKS_SO (minic built without its
# misuse checks, make MINIC_CHECKS=0: the minic-nochecks column, next to
# minic's, when set), BENCH_EXTRA ("name=/path/lib.so ..." more preloaded
# allocators), BENCH_OUT (where results.md and results.svg go, default bench).
set -u
BIN=${BENCH_BIN:-build/bench}
MINIC_SO=${MINIC_SO:-build/libminic.so}
OUT=${BENCH_OUT:-bench}
HERE=$(dirname "$0")

# name|program arguments ($S is the scale). The 2-thread runs of mixed,
# sizes and server do the same total work as their 1-thread runs: the ratio
# is the scaling figure.
WORKLOADS='mixed|mixed $S 1
mixed-2t|mixed $S 2
prodcons|prodcons $S
realloc|realloc $S
larson|larson $S
tiny|tiny $S
frag|frag $S $PAUSE
large|large $S
xfree|xfree $S 1
xfree-2w|xfree $S 2
lifetimes-2t|lifetimes $S 2
server|server $S 1
server-2t|server $S 2
sizes|mixed $S 1 wide
sizes-2t|mixed $S 2 wide
leak|leak $S
bignum|bignum $S'

# Not compared by make bench, run by the smoke test: the workloads' modes
# that leave the blocks untouched (the allocator's own work alone), or
# only write them (what the writes to new blocks cost).
DIAGNOSTICS='mixed-untouched|mixed $S 1 untouched
mixed-written|mixed $S 1 written
server-untouched|server $S 2 untouched'

# The result line a workload prints, or nothing.
run_one() { # <preload or empty> <workload name>
    cmd=$(printf '%s\n%s\n' "$WORKLOADS" "$DIAGNOSTICS" | awk -F'|' -v w="$2" '$1 == w { print $2 }')
    # shellcheck disable=SC2086 # the command line is split on purpose
    set -- "$1" $(eval "echo $cmd")
    pre=$1
    shift
    prog=$1
    shift
    if [ -n "$pre" ]; then
        LD_PRELOAD=$pre timeout 300 "$BIN/$prog" "$@"
    else
        timeout 300 "$BIN/$prog" "$@"
    fi
}

# A busy process on every core while the runs under load are made.
LOAD_PIDS=
start_load() {
    i=0
    while [ "$i" -lt "$(nproc)" ]; do
        "$BIN/busy" 3600 &
        LOAD_PIDS="$LOAD_PIDS $!"
        i=$((i + 1))
    done
}
stop_load() {
    [ -n "$LOAD_PIDS" ] || return 0
    # shellcheck disable=SC2086 # one word per process id
    kill $LOAD_PIDS 2>/dev/null
    # shellcheck disable=SC2086
    wait $LOAD_PIDS 2>/dev/null
    LOAD_PIDS=
}
trap stop_load EXIT
trap 'stop_load; exit 130' INT TERM

minic_has_malloc() {
    nm -D --defined-only "$MINIC_SO" 2>/dev/null | awk '$3 == "malloc" { f = 1 } END { exit !f }'
}

if [ "${1:-}" = "--smoke" ]; then
    # make check: proves each workload runs and finds its blocks intact.
    S=0.01
    PAUSE=0
    passed=0
    failed=0
    for w in $(printf '%s\n%s\n' "$WORKLOADS" "$DIAGNOSTICS" | cut -d'|' -f1); do
        if line=$(run_one "$MINIC_SO" "$w" 2>&1) && [ -n "$line" ] &&
            printf '%s\n' "$line" | grep -q '^time='; then
            passed=$((passed + 1))
        else
            echo "FAIL bench workload $w: $line"
            failed=$((failed + 1))
        fi
    done
    # The runs under load: the busy processes start and stop.
    start_load
    if line=$(run_one "$MINIC_SO" prodcons 2>&1) && printf '%s\n' "$line" | grep -q '^time='; then
        passed=$((passed + 1))
    else
        echo "FAIL bench workload prodcons under load: $line"
        failed=$((failed + 1))
    fi
    stop_load
    if minic_has_malloc; then what="minic's malloc"; else what="the host's malloc: libminic.so has none"; fi
    echo "  (workloads ran under $what)"
    echo "bench smoke: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

RUNS=${1:-7}
S=${2:-1}
PAUSE=1000

# The packages of the allocators minic is compared with, installed when missing.
lib_of_package() { # <package> <library file name>
    if ! dpkg -s "$1" >/dev/null 2>&1; then
        echo "installing $1" >&2
        { apt-get install -y "$1" || { apt-get update && apt-get install -y "$1"; }; } >/dev/null 2>&1 ||
            echo "could not install $1: its column is left out" >&2
    fi
    dpkg -L "$1" 2>/dev/null | grep "/$2\$" | head -n 1
}

MINIC_LABEL=
if minic_has_malloc; then
    MINIC_NOTE="\`$MINIC_SO\` exports malloc: the minic column is minic's allocator."
else
    MINIC_LABEL="minic (= glibc: no malloc yet)"
    MINIC_NOTE="**\`$MINIC_SO\` exports no malloc: the minic column is glibc's allocator run a second time** (minic's allocator has not landed yet)."
fi

# name=preload pairs; glibc's is the program's own allocator (no preload).
ALLOCS="minic=$MINIC_SO ${MINIC_NOCHECKS_SO:+minic-nochecks=$MINIC_NOCHECKS_SO} glibc="
for spec in jemalloc:libjemalloc2:libjemalloc.so.2 mimalloc:libmimalloc2.0:libmimalloc.so.2.0 \
    tcmalloc:libtcmalloc-minimal4:libtcmalloc_minimal.so.4; do
    so=$(lib_of_package "$(echo "$spec" | cut -d: -f2)" "$(echo "$spec" | cut -d: -f3)")
    [ -n "$so" ] && ALLOCS="$ALLOCS ${spec%%:*}=$so"
done
ALLOCS="$ALLOCS ${BENCH_EXTRA:-}"
names=$(for a in $ALLOCS; do printf '%s ' "${a%%=*}"; done)
nalloc=$(echo "$names" | wc -w)

CONTENTION=${BENCH_CONTENTION:-1}
modes=quiet
[ "$CONTENTION" = 1 ] && modes="quiet loaded"
raw=$OUT/results.tsv
: >"$raw"
wl_names=$(printf '%s\n' "$WORKLOADS" | cut -d'|' -f1)
echo "bench: $RUNS runs of $(echo "$wl_names" | wc -l) workloads ($modes) under: $names(scale $S)"
r=1
while [ "$r" -le "$RUNS" ]; do
    for w in $wl_names; do
        # Rotate the allocator order by the run number.
        i=0
        order=$(for a in $ALLOCS; do echo "$(((i - r + nalloc * RUNS) % nalloc)) $a"; i=$((i + 1)); done |
            sort -n | cut -d' ' -f2)
        for mode in $modes; do
            [ "$mode" = loaded ] && start_load
            for a in $order; do
                name=${a%%=*}
                line=$(run_one "${a#*=}" "$w" 2>/dev/null | grep '^time=' | tail -n 1)
                if [ -z "$line" ]; then
                    echo "  $w under $name ($mode): FAILED (run $r)" >&2
                    continue
                fi
                printf '%s\t%s\t%s\t%s\t%s\n' "$w" "$name" "$r" "$line" "$mode" >>"$raw"
            done
            stop_load
        done
    done
    echo "  run $r of $RUNS done"
    r=$((r + 1))
done

MACHINE="$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(ldd --version 2>/dev/null | head -n 1 | sed 's/.*) //;s/^/glibc /')"
awk -f "$HERE/report.awk" -v workloads="$(echo $wl_names)" -v allocs="$names" \
    -v runs="$RUNS" -v scale="$S" -v machine="$MACHINE" -v cores="$(nproc)" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
    -v note="$MINIC_NOTE" -v minic_label="$MINIC_LABEL" -v svg="$OUT/results.svg" "$raw" >"$OUT/results.md"
cat "$OUT/results.md"
echo
echo "written: $OUT/results.md, $OUT/results.svg, $OUT/results.tsv (every run)"
