#!/usr/bin/env python3
"""Checks that the tests can fail: turns off one misuse check of the default
allocator at a time, rebuilds, and runs the allocator's tests (the malloc
ctests, the misuse programs, then `cargo test` for what those let through).
A check whose removal no test notices is listed as SURVIVED; the checks
marked "race" only decide between two threads racing on the same block,
which no test can time, and are listed without failing the run.

    mk/check-mutations.py [NAME ...]     # default: every mutation

Run from the top of the tree; the sources are restored after each mutation
(also on an interrupt). Takes about a minute per mutation."""

import glob
import os
import subprocess
import sys

# (name, file, text, replacement, kind): kind "check" must be caught.
MUTATIONS = [
    ("local-free-of-free-slot", "src/malloc/heap/slab.rs",
     "if !cfg!(minic_no_checks) && live & bit == 0 {",
     "if false && live & bit == 0 {", "check"),
    ("interior-pointer", "src/malloc/heap/slab.rs",
     "        if !exact {\n            return None;",
     "        if false && !exact {\n            return None;", "check"),
    ("remote-free-twice", "src/malloc/heap/slab.rs",
     "if w.freed_remotely.fetch_or(bit, Ordering::SeqCst) & bit != 0 {",
     "if w.freed_remotely.fetch_or(bit, Ordering::SeqCst) & bit != 0 && false {", "check"),
    ("collect-remote-bit-of-free-slot", "src/malloc/heap/slab.rs",
     "ok &= freed & !taken == 0;", "ok &= true;", "check"),
    ("malloc-ignores-remote-bits", "src/malloc/heap/slab.rs",
     "!(taken | w.freed_remotely.load(Ordering::Relaxed))", "!taken", "check"),
    ("local-free-ignores-remote-bit", "src/malloc/heap/slab.rs",
     "let live = taken & !w.freed_remotely.load(Ordering::Relaxed);", "let live = taken;", "check"),
    ("remote-free-into-pool", "src/malloc/heap/free.rs",
     "if owner == IN_POOL || owner.is_null() {", "if owner.is_null() {", "check"),
    ("remote-bit-landing-in-pool", "src/malloc/heap/free.rs",
     "if slab.heap.load(Ordering::SeqCst) == IN_POOL && slab.freed_remotely_at(index) {",
     "if false && slab.freed_remotely_at(index) {", "race"),
    ("retire-handshake", "src/malloc/heap/upkeep.rs",
     "if (*s).announce.pending.load(Ordering::SeqCst) || (*s).has_remote_frees() {",
     "if false {", "race"),
    ("retire-announced-slab", "src/malloc/heap/upkeep.rs",
     "        if (*s).announce.pending.load(Ordering::Acquire) {\n            return false;\n        }",
     "        if false {\n            return false;\n        }", "check"),
    ("stale-remote-bit-at-setup", "src/malloc/heap/slab.rs",
     "        stale == 0\n", "        true\n", "check"),
    ("size-of-freed-block", "src/malloc/heap/free.rs",
     "        || word.freed_remotely.load(Ordering::Relaxed) & bit != 0\n", "        || false\n", "check"),
    ("zero-size-freed", "src/malloc/heap/zero.rs",
     "    if LIVE[index / 64].load(Ordering::Relaxed) & 1 << (index % 64) == 0 {\n"
     "        return Some(Err(Misuse::DoubleFree));",
     "    if false {\n        return Some(Err(Misuse::DoubleFree));", "check"),
    ("zero-size-interior", "src/malloc/heap/zero.rs",
     "    if offset % ALIGN != 0 {\n        return Some(Err(Misuse::Invalid));",
     "    if false {\n        return Some(Err(Misuse::Invalid));", "check"),
    ("zero-size-racing-free", "src/malloc/heap/zero.rs",
     "if LIVE[index / 64].fetch_and(!bit, Ordering::Release) & bit == 0 {",
     "if LIVE[index / 64].fetch_and(!bit, Ordering::Release) & bit == 0 && false {", "race"),
    ("large-racing-free", "src/malloc/heap/large.rs",
     "    if !registry::claim(b.header()) {\n        crate::malloc::header::report(\"free\"",
     "    if !registry::claim(b.header()) && false {\n        crate::malloc::header::report(\"free\"",
     "race"),
    ("adopted-heap-retired-slab", "src/malloc/heap/free.rs",
     "            // of this life holds the slot.\n            if retired_since() {",
     "            // of this life holds the slot.\n            if false {", "race"),
]

CTESTS = ["build/ctests/malloc", "build/ctests/malloc_threads", "build/ctests/malloc_fuzz"]


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def failures(misuse):
    """What the C tests, then `cargo test`, report against the current tree."""
    found = []
    for t in CTESTS:
        r = subprocess.run(["timeout", "600", t], capture_output=True, text=True)
        out = r.stdout + r.stderr
        if r.returncode != 0 or " 0 failed" not in last_line(out):
            fails = [l for l in out.splitlines() if l.startswith("FAIL")][:2]
            found.append(os.path.basename(t) + ": " + ("; ".join(fails) or last_line(out)))
    r = subprocess.run(["sh", "mk/run-misuse.sh", "default"] + misuse, capture_output=True, text=True)
    fails = [l.split(":")[0] for l in r.stdout.splitlines() if l.startswith("FAIL")]
    if fails:
        found.append("misuse: " + "; ".join(fails))
    if not found:
        r = subprocess.run(["cargo", "test", "--release", "--quiet"], capture_output=True, text=True)
        if r.returncode != 0:
            fails = [l for l in (r.stdout + r.stderr).splitlines() if l.endswith("FAILED")][:2]
            found.append("cargo test: " + ("; ".join(fails) or "failed"))
    return found


def main():
    wanted = set(sys.argv[1:])
    unknown = wanted - {m[0] for m in MUTATIONS}
    if unknown:
        sys.exit("no such mutation: " + ", ".join(sorted(unknown)))
    misuse = ["build/misuse/" + os.path.basename(p)[:-2] for p in sorted(glob.glob("ctests/misuse/*.c"))]
    targets = CTESTS + misuse
    missed = 0
    for name, path, text, replacement, kind in MUTATIONS:
        if wanted and name not in wanted:
            continue
        source = open(path).read()
        if source.count(text) != 1:
            print(f"{name}: its text is not in {path} once; update {sys.argv[0]}")
            missed += 1
            continue
        try:
            open(path, "w").write(source.replace(text, replacement))
            build = subprocess.run(["make", "-s"] + targets, capture_output=True, text=True)
            if build.returncode != 0:
                print(f"{name}: the build failed: {last_line(build.stderr)}")
                missed += 1
                continue
            found = failures(misuse)
        finally:
            open(path, "w").write(source)
        verdict = "caught" if found else ("SURVIVED" if kind == "check" else "not caught (race only)")
        print(f"{name}: {verdict}" + (f" by {' | '.join(found)[:300]}" if found else ""), flush=True)
        missed += not found and kind == "check"
    subprocess.run(["make", "-s"] + targets, capture_output=True)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
