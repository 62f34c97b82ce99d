#!/bin/sh
# make check: every test, with one closing total. Each step's own count is
# added up; a step that has no count (fmt, clippy) counts as one check.
set -u
MODES=${MODES:-default}
passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run <name> <command...>: runs a step, adds its counts, shows its output.
run() {
    name=$1
    shift
    echo "== $name"
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    # cargo test: "test result: ok. 3 passed; 0 failed; 1 ignored; ...";
    # ours: "N passed, N failed[, N skipped]".
    counts=$(sed -n -e 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2 0/p' \
        -e 's/^[a-z][a-z ()_-]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2 0/p' \
        -e 's/^[a-z][a-z ()_-]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$/\1 \2 \3/p' "$log" |
        awk '{ p += $1; f += $2; s += $3 } END { if (NR) print p, f, s }')
    if [ -n "$counts" ]; then
        read -r cp cf cs <<END
$counts
END
        passed=$((passed + cp))
        failed=$((failed + cf))
        skipped=$((skipped + cs))
        if [ "$rc" -ne 0 ] && [ "$cf" -eq 0 ]; then failed=$((failed + 1)); fi
    elif [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    [ "$rc" -eq 0 ] || echo "FAIL: $name (exit status $rc)"
}

run "cargo fmt --check" cargo fmt --check
run "cargo clippy" cargo clippy --quiet --all-targets -- -D warnings
run "cargo clippy --all-features" cargo clippy --quiet --features capi,freestanding,port-extern,std --lib -- -D warnings
run "cargo test" cargo test --quiet
run "mode features" mk/check-mode-features.sh
# The Rust programs in examples/ (the C ones are make demo's); each checks its own results.
run "rust examples" sh -c 'for e in examples/*.rs; do
    cargo run --quiet --example "$(basename "$e" .rs)" || exit 1; done'
run "cargo doc" env RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
# The published package builds on its own (the include list is complete).
run "cargo package" cargo package --quiet --allow-dirty
run "cargo fmt --check (header check)" cargo fmt --check --manifest-path checks/headers/Cargo.toml
run "cargo clippy (header check)" cargo clippy --quiet --manifest-path checks/headers/Cargo.toml \
    --target-dir target/header-check -- -D warnings
run "header check (bindgen)" mk/check-headers.sh
# The allocator's differential test in the other modes (cargo test ran the default).
for mode in $MODES; do
    [ "$mode" = default ] && continue
    run "fuzz, MALLOC=$mode" env MINIC_MALLOC="$mode" cargo test --quiet \
        --target-dir "target/$mode-rust" --test malloc_fuzz
done
for mode in $MODES; do
    # minic as a Rust program's global allocator, in every mode (cargo test
    # above covers the default one).
    if [ "$mode" != default ]; then
        run "rust global allocator, MALLOC=$mode" env MINIC_MALLOC="$mode" cargo test --quiet \
            --test global_alloc --target-dir "target/$mode-rust"
    fi
    # make's own output (compiler lines) is kept out of the counts by the step's parser.
    run "ctests, MALLOC=$mode" make --no-print-directory MALLOC="$mode" ctests
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
    run "real programs, MALLOC=$mode" mk/real-programs.sh "$lib" "real programs ($mode)" $programs
done
# make install into a temporary prefix; programs built through pkg-config
# (shared, static, freestanding) run; make uninstall leaves nothing behind.
run "install" mk/check-install.sh
# minic for aarch64, riscv64 (qemu-user) and i686, and the bare-metal targets.
run "cross checks" env MODES="$MODES" mk/check-cross.sh
# Benchmarks are not tests: each workload runs once, tiny, to prove it works.
run "bench smoke" make --no-print-directory bench-smoke
# The default allocator without its checks (bench's minic-nochecks column)
# still runs every workload; its misuse tests would fail by design.
run "bench smoke, MINIC_CHECKS=0" make --no-print-directory MINIC_CHECKS=0 bench-smoke

echo
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
