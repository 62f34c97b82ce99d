# minic: the C libraries, their tests, demos and benchmarks.
#
#   make                 hosted (build/libminic.a, build/libminic.so) and
#                        freestanding (build/freestanding/libminic.a) libraries
#   make MALLOC=<mode>   the same with another allocator mode, under build/<mode>/
#   make MINIC_CHECKS=0  the default allocator without its misuse checks, under
#                        build/nochecks/: only to measure them (make bench does)
#   make TARGET=<triple> the same for another architecture, under build/<triple>/
#                        (mk/cross.mk lists the targets; bare-metal ones build
#                        only the freestanding library, with the extern port)
#   make PORT=extern     also the freestanding library whose kernel calls are
#                        extern "C" minic_sys_* functions (build/port-extern/)
#   make PORT=arena      also the freestanding library with the reference port
#                        ports/arena/ inside (build/arena/libminic.a): a kernel
#                        with no MMU over a static arena of ARENA_BYTES (16 MiB)
#   make demo            build, then run the C programs in examples/
#   make check           every test (cargo, clippy, fmt, ctests in every mode),
#                        CHECK_JOBS (default: the processors) steps at a time
#   make bench           allocator benchmarks against glibc, jemalloc, mimalloc,
#                        tcmalloc (RUNS=7), each run also under load
#                        (CONTENTION=0: not): bench/results.md, bench/results.svg
#   make fuzz            the allocator's differential test, FUZZ_SECONDS (60) per mode
#   make public-suites LTP=<dir> HARDENED_MALLOC=<dir> GLIBC=<dir>   the Open
#                        POSIX Test Suite, LTP's system call tests,
#                        hardened_malloc's tests and glibc's malloc tests,
#                        minic (any MALLOC=) beside the host
#   make install PREFIX=/usr/local    headers, libraries, crt0.o and the
#                        pkg-config files minic, minic-static, minic-freestanding
#   make uninstall PREFIX=/usr/local  removes exactly what install put there
#   V=1                  shows each command as it runs

MALLOC ?= default
PORT ?= linux
ARENA_BYTES ?= 16777216
# The allocator modes make check builds and tests.
MODES := default linear mmap guard
# The kernel interfaces a freestanding library can be built on (src/port/).
PORTS := linux extern arena
# The Rust targets a library can be built for; empty or host: this machine.
TARGETS := host aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu i686-unknown-linux-gnu \
	x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf

# A wrong choice stops make before anything is built or created.
# check_choice(<variable>, <valid values>): exactly one of the values.
check_choice = $(if $(and $(filter 1,$(words $($(1)))),$(filter $(2),$($(1)))),,\
	$(error $(1)=$($(1)) is not valid; choose one of: $(2)))
$(call check_choice,MALLOC,$(MODES))
$(call check_choice,PORT,$(PORTS))
$(if $(TARGET),$(call check_choice,TARGET,$(TARGETS)))

# V=1 echoes every command; otherwise commands are silent and each library
# is named in one short line as it is built.
ifneq ($(V),1)
.SILENT:
say = echo "  $(1)"
endif

CARGO ?= cargo
CC ?= cc
PREFIX ?= /usr/local

# MINIC_CHECKS=0: the allocator without its misuse checks, only to measure
# their cost (make bench's minic-nochecks column), built apart: build/nochecks/
# for the default mode, build/<mode>-nochecks/ for another.
MINIC_CHECKS ?= 1
$(call check_choice,MINIC_CHECKS,0 1)
CONFIG := $(MALLOC)$(if $(filter 0,$(MINIC_CHECKS)),-nochecks)
TARGET ?=
include mk/cross.mk
ifeq ($(CONFIG),default)
OUT := $(BUILD)
else
OUT := $(BUILD)/$(patsubst default-%,%,$(CONFIG))
endif
NOCHECKS_OUT := $(BUILD)/$(patsubst default-%,%,$(MALLOC)-nochecks)

comma := ,
# cargo_staticlib(<configuration>, <features>, <profile>): cargo's staticlib
# for one configuration, each in its own target directory. The freestanding
# libraries use the release-small profile: a first userland counts bytes.
cargo_staticlib = MINIC_MALLOC=$(MALLOC) MINIC_CHECKS=$(MINIC_CHECKS) $(CARGO) rustc --quiet \
	--profile $(3) --lib --crate-type staticlib --features $(2) --target-dir $(TARGET_DIR)/$(1) \
	$(CARGO_TARGET)

# Mode-specific tests read the allocator mode from MINIC_MALLOC_MODE_<mode>.
CTEST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -fno-builtin -Iinclude \
	-DMINIC_MALLOC_MODE_$(MALLOC) $(CROSS_CTEST_CFLAGS)
# The freestanding ctests see only minic's headers and the compiler's own.
FREESTANDING_CFLAGS := -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-ffreestanding -fno-stack-protector -fno-pie -no-pie -static -nostdlib
# Every ctests/<area>.c; those that need no threads also run freestanding.
CTESTS := mman malloc malloc_threads malloc_fuzz shm mqueue mqueue_threads
FREESTANDING_CTESTS := mman malloc malloc_fuzz shm mqueue
# Threads with no TLS (raw clone): the freestanding libraries only, whose
# allocator serves such threads.
RAW_THREAD_CTESTS := malloc_raw_threads
# Over the arena port (one process, one thread, no MMU): the freestanding
# areas, and the footprint figures its page count checks.
ARENA_CTESTS := $(FREESTANDING_CTESTS) footprint
CTEST_DEPS := ctests/harness.h ctests/support.h ctests/arch.h $(wildcard include/*.h include/*/*.h)
# ctests/misuse/*.c: one bug each, expected to abort with a diagnostic
# (mk/run-misuse.sh); they need no threads, so they run freestanding too.
MISUSE := $(patsubst ctests/misuse/%.c,%,$(wildcard ctests/misuse/*.c))
MISUSE_CFLAGS := -Wno-free-nonheap-object -Wno-use-after-free -Wno-array-bounds \
	-Wno-stringop-overflow -Wno-mismatched-dealloc

.PHONY: all hosted freestanding port-extern arena setup demo check ctests cross-ctests fuzz public-suites bench bench-smoke install uninstall clean FORCE
all: $(if $(BARE_METAL),freestanding,hosted freestanding $(if $(filter extern,$(PORT)),port-extern) $(if $(filter arena,$(PORT)),arena))

hosted: $(OUT)/libminic.a $(OUT)/libminic.so
# (A bare-metal target's programs start as its kernel says: no crt0.o.)
freestanding: $(OUT)/freestanding/libminic.a $(if $(BARE_METAL),,$(OUT)/freestanding/crt0.o)

# The start file of a program with no C library: _start calls main and exits
# with its result (the freestanding ctests use the same source).
$(OUT)/freestanding/crt0.o: ctests/crt0.S
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

$(OUT)/libminic.a: FORCE
	@mkdir -p $(OUT)
	$(call say,library $@)
	$(call cargo_staticlib,$(CONFIG)-hosted,capi,release)
	mk/package-archive.sh $(TARGET_DIR)/$(CONFIG)-hosted/$(TARGET_SUBDIR)release/libminic.a $@ \
		$(OUT)/exports.txt $(HOSTED_ARCHIVE_FLAGS)

# The shared object exports the same API, less recallocarray: preloaded, minic's
# three-argument form would replace libbsd's four-argument one. It also answers
# to the other names glibc's allocator has (SO_ALIASES, alias=function): a
# program or library that calls __libc_malloc & co. directly, or cfree (linked
# before glibc 2.26), gets minic's functions, so no block of glibc's heap ever
# reaches minic's free, nor one of minic's glibc's.
SO_ALIASES := __libc_malloc=malloc __libc_calloc=calloc __libc_realloc=realloc \
	__libc_free=free __libc_memalign=memalign __libc_valloc=valloc \
	__libc_pvalloc=pvalloc cfree=free
$(OUT)/libminic.so: $(OUT)/libminic.a Makefile
	{ echo '{ global:'; { grep -v -x -e recallocarray $(OUT)/exports.txt; \
	  printf '%s\n' $(SO_ALIASES) | cut -d= -f1; } | sed 's/.*/  &;/'; \
	  echo '  local: *;'; echo '};'; } > $(OUT)/libminic.map
	$(CC) -shared -o $@ -Wl,-soname,libminic.so.0 -Wl,--version-script=$(OUT)/libminic.map \
		$(addprefix -Wl$(comma)--defsym=,$(SO_ALIASES)) \
		-Wl,--whole-archive $< -Wl,--no-whole-archive -Wl,--gc-sections \
		-Wl,-Bsymbolic-functions -Wl,-z,now -Wl,-z,relro -Wl,-z,noexecstack
	ln -sf libminic.so $(OUT)/libminic.so.0

$(OUT)/freestanding/libminic.a: FORCE
	@mkdir -p $(OUT)/freestanding
	$(call say,library $@)
	$(FREESTANDING_ENV) $(call cargo_staticlib,$(CONFIG)-freestanding,capi$(comma)freestanding$(FREESTANDING_PORT),release-small)
	mk/package-archive.sh $(TARGET_DIR)/$(CONFIG)-freestanding/$(TARGET_SUBDIR)release-small/libminic.a $@ \
		$(OUT)/freestanding/exports.txt --no-unwind-tables

port-extern: $(OUT)/port-extern/libminic.a

# It shares the freestanding library's target directory and profile (their
# dependencies are built once) and is built after it: cargo leaves each one's
# staticlib at the same path, read right after the build.
$(OUT)/port-extern/libminic.a: FORCE | $(OUT)/freestanding/libminic.a
	@mkdir -p $(OUT)/port-extern
	$(call say,library $@)
	$(FREESTANDING_ENV) $(call cargo_staticlib,$(CONFIG)-freestanding,capi$(comma)freestanding$(comma)port-extern,release-small)
	mk/package-archive.sh $(TARGET_DIR)/$(CONFIG)-freestanding/$(TARGET_SUBDIR)release-small/libminic.a $@ \
		$(OUT)/port-extern/exports.txt --no-unwind-tables

# The arena port (ports/arena/) compiled into the extern-port archive: a
# freestanding program links it exactly as it links freestanding/libminic.a.
ARENA_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -fno-builtin -ffunction-sections \
	-fdata-sections -nostdinc -isystem $(shell $(CC) -print-file-name=include) -ffreestanding \
	-fno-stack-protector -fno-asynchronous-unwind-tables
arena: $(OUT)/arena/libminic.a

$(OUT)/arena/libminic.a: $(OUT)/port-extern/libminic.a ports/arena/arena.c ports/arena/arena.h FORCE
	@mkdir -p $(OUT)/arena
	$(CC) $(ARENA_CFLAGS) -DARENA_BYTES=$(ARENA_BYTES) -c -o $(OUT)/arena/arena.o ports/arena/arena.c
	cp $(OUT)/port-extern/libminic.a $@.tmp
	ar rcs $@.tmp $(OUT)/arena/arena.o
	mv $@.tmp $@

# --- tests -------------------------------------------------------------------
$(OUT)/ctests/%: ctests/%.c $(CTEST_DEPS) $(OUT)/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) -o $@ $< $(OUT)/libminic.a -lpthread

$(OUT)/ctests/freestanding/%: ctests/%.c ctests/crt0.S $(CTEST_DEPS) $(OUT)/freestanding/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(FREESTANDING_CFLAGS) -o $@ ctests/crt0.S $< \
		$(OUT)/freestanding/libminic.a $(CROSS_FREESTANDING_LIBS)

# The same freestanding tests through the port layer: ctests/port_linux.c is
# an operating system's port (minic_sys_* in C) that happens to run on Linux.
$(OUT)/ctests/port-extern/%: ctests/%.c ctests/crt0.S ctests/port_linux.c $(CTEST_DEPS) \
		$(PORT_EXTERN_ARCHIVE)
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(FREESTANDING_CFLAGS) -DMINIC_TEST_PORT_LINUX -o $@ ctests/crt0.S \
		ctests/port_linux.c $< $(PORT_EXTERN_ARCHIVE)

# The ctests over the arena port: what they need beyond it is skipped (NEEDS).
ARENA_TEST_CFLAGS := $(CTEST_CFLAGS) $(FREESTANDING_CFLAGS) -DMINIC_TEST_PORT_ARENA -Iports/arena
$(OUT)/ctests/arena/%: ctests/%.c ctests/crt0.S $(CTEST_DEPS) ports/arena/arena.h $(OUT)/arena/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(ARENA_TEST_CFLAGS) -o $@ ctests/crt0.S $< $(OUT)/arena/libminic.a

$(OUT)/misuse/arena/%: ctests/misuse/%.c ctests/crt0.S $(CTEST_DEPS) $(OUT)/arena/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(ARENA_TEST_CFLAGS) $(MISUSE_CFLAGS) -o $@ ctests/crt0.S $< $(OUT)/arena/libminic.a

$(OUT)/misuse/%: ctests/misuse/%.c ctests/support.h $(CTEST_DEPS) $(OUT)/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(MISUSE_CFLAGS) -o $@ $< $(OUT)/libminic.a -lpthread

$(OUT)/misuse/freestanding/%: ctests/misuse/%.c ctests/crt0.S $(CTEST_DEPS) \
		$(OUT)/freestanding/libminic.a
	@mkdir -p $(dir $@)
	$(CC) $(CTEST_CFLAGS) $(MISUSE_CFLAGS) $(FREESTANDING_CFLAGS) -o $@ ctests/crt0.S $< \
		$(OUT)/freestanding/libminic.a

# A hobby-OS style program with its own _start and no C library: every area,
# and the size figure of the README (mk/check-size.sh).
BRINGUP := $(OUT)/examples/freestanding/bringup
$(BRINGUP): examples/freestanding/bringup.c $(CTEST_DEPS) $(OUT)/freestanding/libminic.a
	@mkdir -p $(dir $@)
	$(CC) -Os -Wall -Wextra -Werror -fno-builtin -fno-asynchronous-unwind-tables -Iinclude \
		$(FREESTANDING_CFLAGS) -Wl,--gc-sections -Wl,-z,noseparate-code \
		-o $@ $< $(OUT)/freestanding/libminic.a

# bringup.c over the arena port, linked as over the Linux port.
ARENA_BRINGUP := $(OUT)/examples/arena/bringup
$(ARENA_BRINGUP): examples/freestanding/bringup.c $(CTEST_DEPS) $(OUT)/arena/libminic.a
	@mkdir -p $(dir $@)
	$(CC) -Os -Wall -Wextra -Werror -fno-builtin -fno-asynchronous-unwind-tables -Iinclude \
		$(FREESTANDING_CFLAGS) -Wl,--gc-sections -o $@ $< $(OUT)/arena/libminic.a

CTEST_BINS := $(CTESTS:%=$(OUT)/ctests/%) $(FREESTANDING_CTESTS:%=$(OUT)/ctests/freestanding/%) \
	$(FREESTANDING_CTESTS:%=$(OUT)/ctests/port-extern/%) \
	$(RAW_THREAD_CTESTS:%=$(OUT)/ctests/freestanding/%) $(RAW_THREAD_CTESTS:%=$(OUT)/ctests/port-extern/%)
MISUSE_BINS := $(MISUSE:%=$(OUT)/misuse/%)
FREESTANDING_MISUSE_BINS := $(MISUSE:%=$(OUT)/misuse/freestanding/%)
ARENA_BINS := $(ARENA_CTESTS:%=$(OUT)/ctests/arena/%)
ARENA_MISUSE_BINS := $(MISUSE:%=$(OUT)/misuse/arena/%)

# Builds and runs this mode's ctests and library checks; prints one total line.
ctests: all port-extern arena $(CTEST_BINS) $(BRINGUP) $(MISUSE_BINS) $(FREESTANDING_MISUSE_BINS) \
		$(ARENA_BRINGUP) $(ARENA_BINS) $(ARENA_MISUSE_BINS)
	SO_ALIASES="$(SO_ALIASES)" mk/check-library.sh $(OUT)
	mk/check-size.sh $(BRINGUP)
	mk/run-ctests.sh $(MALLOC) $(CTEST_BINS)
	mk/run-misuse.sh $(MALLOC) $(MISUSE_BINS)
	mk/run-misuse.sh "$(MALLOC) freestanding" $(FREESTANDING_MISUSE_BINS)
	rc=0; mk/check-porting.sh $(MALLOC) $(OUT)/port-extern/libminic.a || rc=1; \
	mk/check-arena.sh $(MALLOC) $(ARENA_BRINGUP) $(OUT)/arena/arena.o || rc=1; \
	mk/run-ctests.sh "$(MALLOC) arena" $(ARENA_BINS) || rc=1; \
	mk/run-misuse.sh "$(MALLOC) arena" $(ARENA_MISUSE_BINS) || rc=1; exit $$rc

# Another architecture's ctests, built for mk/check-cross.sh (which runs them
# under qemu-user or natively): every area hosted, the single-threaded ones
# freestanding.
# x86_64-unknown-none: the freestanding ctests over ctests/port_linux.c.
cross-ctests: all $(if $(BARE_METAL),$(if $(filter x86_64-%,$(TARGET)),$(FREESTANDING_CTESTS:%=$(OUT)/ctests/port-extern/%)),\
	$(CTESTS:%=$(OUT)/ctests/%) $(FREESTANDING_CTESTS:%=$(OUT)/ctests/freestanding/%))

# Installs what a fresh machine lacks (compilers, binutils, Rust components);
# when nothing is missing it does nothing.
setup:
	mk/setup.sh

check: setup
	MODES="$(MODES)" mk/check.sh

# Random sequences against a model (tests/malloc_fuzz.rs), longer than make
# check's few seconds; a failure prints the seed that replays it. It runs in
# processes of 5 s each: the linear mode never takes back older blocks, so
# one long process would grow by gigabytes.
FUZZ_SECONDS ?= 60
fuzz:
	@for m in $(MODES); do \
		echo "== fuzz, MALLOC=$$m, $(FUZZ_SECONDS) s"; \
		end=$$(( $$(date +%s) + $(FUZZ_SECONDS) )); \
		while [ $$(date +%s) -lt $$end ]; do \
			MINIC_MALLOC=$$m MINIC_FUZZ_SECONDS=5 $(CARGO) test --quiet \
				--target-dir target/$$m-rust --test malloc_fuzz -- --nocapture || exit 1; \
		done; \
	done

# Public test suites from their own checkouts (not fetched; see
# mk/public-suites.sh): make public-suites LTP=<ltp> HARDENED_MALLOC=<dir> GLIBC=<dir>
public-suites: hosted
	mk/public-suites.sh --build $(OUT) $(if $(LTP),--ltp $(LTP)) \
		$(if $(HARDENED_MALLOC),--hardened-malloc $(HARDENED_MALLOC)) $(if $(GLIBC),--glibc $(GLIBC))

# --- demo --------------------------------------------------------------------
# examples/*.c are C programs linked with -lminic; examples/*.rs are Rust
# programs using the crate (cargo examples).
EXAMPLES := $(patsubst examples/%.c,%,$(wildcard examples/*.c))
RUST_EXAMPLES := $(patsubst examples/%.rs,%,$(wildcard examples/*.rs))

demo: setup
	$(MAKE) --no-print-directory all $(BRINGUP)
	@mkdir -p build/examples
	@fail() { echo "demo: $$1 failed"; exit 1; }; \
	echo "== examples/freestanding/bringup.c (no C library)"; \
	$(BRINGUP) || fail examples/freestanding/bringup.c; \
	for e in $(EXAMPLES); do \
		$(CC) -std=c11 -Wall -Wextra -Werror -Iinclude -o build/examples/$$e examples/$$e.c \
			-Lbuild -Wl,-Bstatic -lminic -Wl,-Bdynamic -lpthread || fail examples/$$e.c; \
		echo "== examples/$$e.c"; build/examples/$$e || fail examples/$$e.c; \
	done; \
	for e in $(RUST_EXAMPLES); do \
		echo "== examples/$$e.rs"; $(CARGO) run --quiet --example $$e || fail examples/$$e.rs; \
	done; \
	echo "demo: $(words x $(EXAMPLES) $(RUST_EXAMPLES)) programs ran and succeeded" \
		"(1 freestanding, $(words $(EXAMPLES)) C, $(words $(RUST_EXAMPLES)) Rust)"

# --- benchmarks (not tests: bench/run.sh, bench/results.md) ---------------
BENCH_WORKLOADS := mixed prodcons realloc larson tiny frag large
BENCH_WORKLOADS += xfree lifetimes server leak bignum
# busy: the competing process of the runs under load.
BENCH_BINS := $(BENCH_WORKLOADS:%=build/bench/%) build/bench/busy
RUNS ?= 7
# 0: no runs under load (a busy process on every core).
CONTENTION ?= 1

build/bench/%: bench/%.c bench/common.h
	@mkdir -p build/bench
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -pthread -o $@ $<

# Every workload under minic, minic without its checks, glibc, jemalloc,
# mimalloc and tcmalloc, RUNS times.
bench: setup hosted $(BENCH_BINS)
	$(MAKE) --no-print-directory MINIC_CHECKS=0 hosted
	MINIC_SO=$(OUT)/libminic.so MINIC_NOCHECKS_SO=$(NOCHECKS_OUT)/libminic.so \
		BENCH_CONTENTION=$(CONTENTION) bench/run.sh $(RUNS)

# For make check: every workload once, tiny, under minic.
bench-smoke: hosted $(BENCH_BINS)
	MINIC_SO=$(OUT)/libminic.so bench/run.sh --smoke

# --- install -----------------------------------------------------------------
# pkg-config files: minic (shared, with a run path to $(PREFIX)/lib),
# minic-static (the archive) and minic-freestanding (no C library: crt0.o,
# the archive, the compiler's own headers). INSTALLED lists every file install
# puts in place, so that uninstall removes exactly those.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
HEADERS := $(patsubst include/%,%,$(shell find include -name '*.h' | sort))
PC_FILES := minic minic-static minic-freestanding
LIB := $(DESTDIR)$(PREFIX)/lib
INSTALLED := $(LIB)/libminic.a $(LIB)/libminic.so.0 $(LIB)/libminic.so \
	$(LIB)/minic-freestanding/libminic.a $(LIB)/minic-freestanding/crt0.o \
	$(PC_FILES:%=$(LIB)/pkgconfig/%.pc) $(HEADERS:%=$(DESTDIR)$(PREFIX)/include/minic/%)

install: all
	install -d $(LIB)/pkgconfig $(LIB)/minic-freestanding
	install -m 644 $(OUT)/libminic.a $(LIB)/libminic.a
	install -m 755 $(OUT)/libminic.so $(LIB)/libminic.so.0
	ln -sf libminic.so.0 $(LIB)/libminic.so
	install -m 644 $(OUT)/freestanding/libminic.a $(LIB)/minic-freestanding/libminic.a
	install -m 644 $(OUT)/freestanding/crt0.o $(LIB)/minic-freestanding/crt0.o
	cd include && for h in $(HEADERS); do \
		install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/minic/$$h || exit 1; done
	for pc in $(PC_FILES); do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
			-e "s|@CC_INCLUDE@|$$($(CC) -print-file-name=include)|" \
			mk/$$pc.pc.in > $(LIB)/pkgconfig/$$pc.pc || exit 1; done

# Removes the installed files, then the directories install made if they are
# left empty (a shared prefix's lib/ or include/ stays).
uninstall:
	rm -f $(INSTALLED)
	-rmdir $(filter-out $(DESTDIR)$(PREFIX)/include/minic/,$(sort $(dir \
		$(HEADERS:%=$(DESTDIR)$(PREFIX)/include/minic/%)))) 2>/dev/null
	-rmdir $(DESTDIR)$(PREFIX)/include/minic 2>/dev/null
	-rmdir $(LIB)/minic-freestanding $(LIB)/pkgconfig 2>/dev/null

clean:
	rm -rf build target

FORCE:
