#!/usr/bin/env bash
# make check: every test, in steps, ending with one total line
#
#     tests: N passed, N failed, N skipped
#
# (the line CI reads), after a line with the C assertions, counted apart.
#
# Steps. A step is one command (step <name> <command...>); its name is
# printed as it starts ("== name") and again as it ends, with its result and
# its time ("-- name: ok, ... in N s"). Steps are grouped in lanes: a lane's
# steps run one after another, in the order written (a later step may use
# what an earlier one built); lanes run side by side, CHECK_JOBS at a time
# (default: the number of processors), so two lanes must not write the same
# files or cargo target directory. With more than one lane at a time, a
# step's output is shown when it ends, indented under its name; CHECK_JOBS=1
# shows it as it comes.
#
# Step-output protocol: what a step prints that check.sh counts.
#   <label>: N passed, N failed, N skipped   N tests; the label (optional)
#                                            holds no colon; ", N skipped"
#                                            may be left out
#   <label>: N assertions passed, N failed   N assertions (ctests' CHECKs)
#   test result: ok. N passed; N failed; N ignored; ...
#                                            cargo test (ignored: skipped)
#   skip: <reason>                           one skipped test, and why
# Only lines that start in the first column, and not with "[", count: a step
# that adds up parts of its own prints the parts indented (or as "[part] ..."),
# and its sum once.
# A step that counts nothing is one test: passed if it exits with 0, else
# failed. A step that prints only skip: lines and exits with 0 counts only
# those skips. A step that exits non-zero without counting a failure counts
# one more failed test, and so does a step whose counts add up to nothing
# (0 passed, 0 failed, 0 skipped): it tested nothing.
#
# A test, in the total: a Rust test or doctest, a C test function, a program
# run (misuse, real programs, benchmark workloads, Rust examples), one check
# of a library, a header or the program size, or a step that counts nothing
# itself (fmt, clippy, doc, package).
#
# Adding a step: a `step` line in the lane whose files it uses (after the
# step that builds what it needs), or a new lane_<name> function added to
# `lanes` below when it builds into directories of its own. A step that
# cannot run here (a missing emulator, say) prints "skip: <reason>" and
# exits with 0; one that runs some of its tests counts the rest as skipped.
set -u
MODES=${MODES:-default}
JOBS=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
started=$SECONDS

# Prints its input as one block, not interleaved with another lane's.
show() {
    flock "$work/output" cat
}

# counts <log>: "passed failed skipped assertions_passed assertions_failed
# counted skips" for a step's output (counted: 1 if a line counted tests;
# skips: 1 if a skip: line was found).
counts() {
    sed -n -E \
        -e 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored;.*/T \1 \2 \3/p' \
        -e 's/^([^[:space:][][^:]*: )?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/T \2 \3 0\5/p' \
        -e 's/^[^[:space:][][^:]*: ([0-9]+) assertions passed, ([0-9]+) failed$/A \1 \2/p' \
        -e 's/^skip: .*/S/p' "$1" |
        awk '$1 == "T" { p += $2; f += $3; s += $4; t = 1 }
             $1 == "A" { ap += $2; af += $3 }
             $1 == "S" { s++; skips = 1 }
             END { print p + 0, f + 0, s + 0, ap + 0, af + 0, t + 0, skips + 0 }'
}

# step <name> <command...>: runs one step of the current lane.
step() {
    local name=$1
    shift
    local log result
    log=$(mktemp "$work/log.XXXXXX")
    result=$work/result.${log##*/log.}
    local start=$SECONDS rc
    echo "== $name" | show
    if [ "$JOBS" -eq 1 ]; then
        "$@" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
    else
        "$@" >"$log" 2>&1
        rc=$?
    fi
    local secs=$((SECONDS - start)) p f s ap af counted skips status
    read -r p f s ap af counted skips < <(counts "$log")
    local note=
    if [ "$counted" -eq 0 ] && [ "$skips" -eq 0 ]; then
        if [ "$rc" -eq 0 ]; then p=1; else f=1; fi
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=$((f + 1))
    elif [ "$p$f$s" = 000 ]; then
        # Counts of nothing: the step tested nothing, which is a failure.
        f=1
        note="(no test ran)"
    fi
    if [ "$f" -ne 0 ]; then
        status=FAIL
    elif [ "$p" -eq 0 ] && [ "$s" -ne 0 ]; then
        status=skipped
    else
        status=ok
    fi
    echo "$p $f $s $ap $af $status $name" >"$result"
    local what="$p passed, $f failed, $s skipped"
    [ "$ap$af" = 00 ] || what="$what; $ap assertions passed, $af failed"
    {
        echo "-- $name: $status, $what, in $secs s"
        # Side by side, the output follows its step's name, indented.
        [ "$JOBS" -eq 1 ] || grep -v '^[[:space:]]*$' "$log" | sed 's/^/    /'
        [ "$rc" -eq 0 ] || echo "    (exit status $rc)"
        [ -z "$note" ] || echo "    $note"
    } | show
}

# --- lanes -------------------------------------------------------------------
# The crate in the default mode: target/.
lane_rust() {
    step "cargo fmt --check" cargo fmt --check
    step "cargo clippy" cargo clippy --quiet --all-targets -- -D warnings
    # Every feature but the allocator-mode ones, which exclude each other.
    step "cargo clippy, every feature" cargo clippy --quiet --features capi,freestanding,port-extern,std \
        --lib -- -D warnings
    step "cargo test" cargo test --quiet
    step "mode features" mk/check-mode-features.sh
    # The Rust programs in examples/ (the C ones are make demo's); each checks its own results.
    step "rust examples" sh -c 'p=0 f=0; for e in examples/*.rs; do
        e=$(basename "$e" .rs); echo "  [$e]"
        if cargo run --quiet --example "$e"; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL $e"; fi
        done; echo "rust examples: $p passed, $f failed"; [ "$f" -eq 0 ]'
    step "cargo doc" env RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
    # The published package builds on its own (the include list is complete).
    step "cargo package" cargo package --quiet --allow-dirty
}

# The header check: target/header-check.
lane_headers() {
    step "cargo fmt --check (header check)" cargo fmt --check --manifest-path checks/headers/Cargo.toml
    step "header check (bindgen, clippy)" mk/check-headers.sh
}

# lane_mode <mode>: the Rust tests (other than the default mode's, which
# lane_rust runs) in target/<mode>-rust, and the C libraries, their tests
# and real programs in build/<mode>/ (build/ for the default mode).
lane_mode() {
    local mode=$1 lib programs
    if [ "$mode" != default ]; then
        # Code compiled only in this mode is linted here.
        step "cargo clippy, MALLOC=$mode" env MINIC_MALLOC="$mode" cargo clippy --quiet \
            --all-targets --target-dir "target/$mode-rust" -- -D warnings
        # The allocator's differential test, and minic as a Rust program's
        # global allocator.
        step "rust allocator tests, MALLOC=$mode" env MINIC_MALLOC="$mode" cargo test --quiet \
            --target-dir "target/$mode-rust" --test malloc_fuzz --test global_alloc
    fi
    step "ctests, MALLOC=$mode" make --no-print-directory MALLOC="$mode" ctests
    # Real programs on this mode's libminic.so; the slow modes (a system call
    # or more per block) run the programs that finish in seconds there, and
    # guard mode those that keep fewer live blocks than its mapping limit
    # allows (~32 000; perl's 200 000-key hash and python with
    # PYTHONMALLOC=malloc exceed it: ENOMEM). python3-pymalloc is python with
    # its own small-object arenas, larger objects from malloc.
    case $mode in
    default) lib=build/libminic.so ;;
    *) lib=build/$mode/libminic.so ;;
    esac
    case $mode in
    mmap) programs="python3-pymalloc perl gcc git sqlite3" ;;
    guard) programs="python3-pymalloc gcc git sqlite3" ;;
    *) programs= ;;
    esac
    # shellcheck disable=SC2086 # the program list is words
    step "real programs, MALLOC=$mode" mk/real-programs.sh "$lib" "real programs ($mode)" $programs
    if [ "$mode" = default ]; then
        # make install into a temporary prefix; programs built through
        # pkg-config (shared, static, freestanding) run; make uninstall
        # leaves nothing behind.
        step "install" mk/check-install.sh
        # Benchmarks are not tests: each workload runs once, tiny, to prove it works.
        step "bench smoke" make --no-print-directory bench-smoke
        # The default allocator without its checks (bench's minic-nochecks
        # column) still runs every workload; its misuse tests would fail by design.
        step "bench smoke, MINIC_CHECKS=0" make --no-print-directory MINIC_CHECKS=0 bench-smoke
    fi
}

# minic for aarch64, riscv64 (qemu-user) and i686, and the bare-metal
# targets: build/<triple>/, target/<triple>/, target/header-check-cross/.
lane_cross() {
    step "cross checks" env MODES="$MODES" mk/check-cross.sh
}

# The longest lanes first, so that the last to start is a short one.
lanes=(lane_cross lane_rust lane_headers)
for mode in $MODES; do
    lanes+=("lane_mode $mode")
done

echo "make check: ${#lanes[@]} lanes, $JOBS at a time"
running=0
for lane in "${lanes[@]}"; do
    if [ "$JOBS" -eq 1 ]; then
        $lane
        continue
    fi
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    $lane &
    running=$((running + 1))
done
wait

# --- total ---------------------------------------------------------------------
passed=0 failed=0 skipped=0 asserts_passed=0 asserts_failed=0 steps=0 steps_failed=0 steps_skipped=0
failures=
for r in "$work"/result.*; do
    [ -f "$r" ] || continue
    read -r p f s ap af status name <"$r"
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    asserts_passed=$((asserts_passed + ap))
    asserts_failed=$((asserts_failed + af))
    steps=$((steps + 1))
    case $status in
    FAIL)
        steps_failed=$((steps_failed + 1))
        failures="$failures
    $name"
        ;;
    skipped) steps_skipped=$((steps_skipped + 1)) ;;
    esac
done
echo
echo "== $steps steps in $((SECONDS - started)) s: $((steps - steps_failed - steps_skipped)) ok," \
    "$steps_failed failed, $steps_skipped skipped"
[ -z "$failures" ] || echo "failed steps:$failures"
echo "assertions: $asserts_passed passed, $asserts_failed failed (C CHECKs, not counted as tests)"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
