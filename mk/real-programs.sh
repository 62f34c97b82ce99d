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

    # A program that calls the allocator by the other names glibc has for
    # it: preloaded, minic answers to them too, so no block crosses from one
    # heap to the other's free (which aborts under either).
    cat > "$work/aliases.c" <<'C'
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);
void *__libc_memalign(size_t, size_t);
void *__libc_valloc(size_t);
void *__libc_pvalloc(size_t);
int main(void) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *a = __libc_malloc(100);
    memset(a, 1, 100);
    free(a);
    char *b = __libc_calloc(10, 10);
    int zero = 1;
    for (int i = 0; i < 100; i++)
        zero &= b[i] == 0;
    b = __libc_realloc(b, 5000);
    free(b);
    __libc_free(malloc(64));
    __libc_free(calloc(3, 3));
    char *d = __libc_memalign(256, 100);
    int aligned = (uintptr_t)d % 256 == 0;
    free(d);
    char *e = __libc_valloc(10);
    aligned &= (uintptr_t)e % page == 0;
    free(e);
    char *f = __libc_pvalloc(10);
    aligned &= (uintptr_t)f % page == 0;
    free(f);
    /* Programs linked before glibc 2.26 call cfree; new ones cannot. */
    void (*old_free)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "cfree");
    if (old_free)
        old_free(malloc(32));
    printf("%d %d\n", zero, aligned);
    return 0;
}
C
    check glibc-names sh -c "gcc -O2 -Wall -o '$work/aliases' '$work/aliases.c' -ldl && '$work/aliases'"
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

if have node; then
    check node node -e '
        const a = [];
        for (let i = 0; i < 200000; i++) a.push({ k: "x" + i, v: [i, i * 2] });
        const m = new Map(a.map(o => [o.k, o]));
        for (let i = 0; i < 200000; i += 3) m.delete("x" + i);
        console.log(m.size, JSON.stringify(a).length)'
fi

if have jq; then
    check jq jq -n '[range(200000) | {a: ., b: (. * 3 | tostring)}] | map(select(.a % 7 != 0)) | length'
fi

if have tclsh; then
    check tclsh sh -c "echo 'set d [dict create]
        for {set i 0} {\$i < 200000} {incr i} {dict set d k\$i [string repeat x [expr {\$i % 50}]]}
        puts [dict size \$d]' | tclsh"
fi

# Compression on two threads: blocks allocated by one thread, freed by another.
if have xz; then
    check xz sh -c "seq 1 400000 | xz -T2 -3 --block-size=256KiB | xz -T2 -d | sha256sum"
fi

# The JVM: many threads, and native allocations beside its own heap.
if have java; then
    cat > "$work/Tables.java" <<'JAVA'
import java.util.*;
import java.util.concurrent.*;
public class Tables {
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> parts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            final int id = t;
            parts.add(pool.submit(() -> {
                Map<String, int[]> m = new HashMap<>();
                for (int i = 0; i < 100000; i++) m.put("k" + id + "-" + i, new int[i % 9]);
                return m.size();
            }));
        }
        int n = 0;
        for (Future<Integer> f : parts) n += f.get();
        pool.shutdown();
        System.out.println(n);
    }
}
JAVA
    check java java "$work/Tables.java"
fi

echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
