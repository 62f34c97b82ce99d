#!/bin/sh
# Runs real programs with a minic shared library preloaded and compares each
# result with the same program on the host's allocator. A program that is not
# installed is skipped (and said so).
#
#   mk/real-programs.sh <libminic.so> [<label> [<program>...]]
#
# With programs named, only those run (for the slow modes); a program left
# out is said so.
set -u
lib=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
label=${2:-real programs}
shift
[ $# -gt 0 ] && shift
only=$*
passed=0
failed=0
skipped=0
# The test means nothing unless the library really replaces the allocator.
if ! nm -D --defined-only "$lib" | awk '{ print $3 }' | grep -qx malloc; then
    echo "FAIL $lib does not export malloc"
    echo "$label: 0 passed, 1 failed"
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check <name> <command...>: output and status with minic must equal the host's.
check() {
    name=$1
    shift
    want=$("$@" 2>&1)
    want_rc=$?
    got=$(LD_PRELOAD=$lib "$@" 2>&1)
    got_rc=$?
    if [ "$got_rc" -eq "$want_rc" ] && [ "$got" = "$want" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name under $lib: exit $got_rc (host: $want_rc)"
        printf '%s\n' "$got" | tail -n 5 | sed 's/^/    /'
    fi
}

have() {
    if [ -n "$only" ] && ! echo " $only " | grep -q " $1 "; then
        echo "skipped $1: not in this mode's set"
        return 1
    fi
    command -v "${1%-pymalloc}" >/dev/null 2>&1 || { echo "skipped $1: not installed"; skipped=$((skipped + 1)); return 1; }
}

# python3 on PATH may be a shim script: preload into the real interpreter,
# and make it use malloc for small objects too.
# The workload twice: with PYTHONMALLOC=malloc every object comes from
# malloc; as python3-pymalloc, small objects come from Python's own arenas
# and only larger ones from malloc (what guard mode can hold).
pyscript='
import json, hashlib, random
random.seed(7)
d = {str(i): [random.random() for _ in range(i % 17)] for i in range(60000)}
s = json.dumps(d, sort_keys=True)
back = json.loads(s)
words = sorted(("w%d" % (i * 7919 % 100003)) * (i % 5 + 1) for i in range(100000))
print(len(s), len(back), hashlib.sha256("".join(words).encode()).hexdigest())'
if have python3; then
    py=$(python3 -c 'import sys; print(sys.executable)')
    check python3 env PYTHONMALLOC=malloc "$py" -c "$pyscript"
fi
if have python3-pymalloc; then
    py=$(python3 -c 'import sys; print(sys.executable)')
    check python3-pymalloc "$py" -c "$pyscript"
fi

if have perl; then
    check perl perl -e 'my %h; $h{$_} = "x" x ($_ % 100) for 1..200000;
        my $n = 0; $n += length($h{$_}) for keys %h; delete $h{$_} for 1..100000;
        my @a = sort { $a <=> $b } keys %h; print "$n ", scalar(@a), " $a[0]\n"'
fi

if have gcc; then
    cat > "$work/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char name[24]; };
int main(void) {
    struct node *head = NULL;
    for (int i = 0; i < 1000; i++) {
        struct node *n = malloc(sizeof *n);
        snprintf(n->name, sizeof n->name, "node-%d", i);
        n->next = head;
        head = n;
    }
    size_t total = 0;
    while (head) { struct node *n = head; head = n->next; total += strlen(n->name); free(n); }
    printf("%zu\n", total);
    return 0;
}
C
    check gcc sh -c "gcc -O2 -Wall -o '$work/prog' '$work/prog.c' && '$work/prog'"
fi

if have git; then
    top=$(git rev-parse --show-toplevel 2>/dev/null)
    if [ -n "$top" ]; then
        check git sh -c "cd '$top' && git log --stat --format='%H %s' | wc -l && git ls-files | wc -l && git rev-list --count HEAD"
    fi
fi

if have sqlite3; then
    check sqlite3 sqlite3 ':memory:' "create table t(a integer primary key, b text);
        with recursive c(x) as (select 1 union all select x + 1 from c where x < 50000)
        insert into t select x, hex(randomblob(x % 64)) from c;
        create index tb on t(b); select count(*), sum(length(b)) from t; delete from t where a % 3 = 0;
        vacuum; select count(*) from t;"
fi

echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
