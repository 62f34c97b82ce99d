# make TARGET=<triple>: minic for another architecture, under build/<triple>/
# (cargo's work under target/<triple>/); TARGET=host, or none, is this
# machine, under build/. Included by the Makefile.
#
# Linux targets build everything `make` builds on the host; bare-metal
# targets (no Linux there) build only build/<triple>/freestanding/libminic.a,
# with the extern port: its only undefined symbols are minic_sys_*.
# mk/setup.sh installs the Rust targets and the cross compilers (Debian's
# gcc-<arch>-linux-gnu, whose binutils also package the archives).

# <triple>: the prefix of its C compiler and binutils.
CROSS_PREFIX_aarch64-unknown-linux-gnu := aarch64-linux-gnu-
CROSS_PREFIX_riscv64gc-unknown-linux-gnu := riscv64-linux-gnu-
CROSS_PREFIX_i686-unknown-linux-gnu := i686-linux-gnu-
CROSS_PREFIX_x86_64-unknown-none :=
CROSS_PREFIX_aarch64-unknown-none := aarch64-linux-gnu-
CROSS_PREFIX_riscv64gc-unknown-none-elf := riscv64-linux-gnu-
CROSS_TARGETS := $(patsubst CROSS_PREFIX_%,%,$(filter CROSS_PREFIX_%,$(.VARIABLES)))

HOSTED_ARCHIVE_FLAGS :=
FREESTANDING_ENV :=
CROSS_CTEST_CFLAGS :=
CROSS_FREESTANDING_LIBS :=
# The extern-port archive the ctests link with ctests/port_linux.c: a
# bare-metal target's freestanding library is one.
PORT_EXTERN_ARCHIVE = $(OUT)/$(if $(BARE_METAL),freestanding,port-extern)/libminic.a
ifeq ($(filter-out host,$(TARGET)),)
BUILD := build
TARGET_DIR := target
TARGET_SUBDIR :=
CARGO_TARGET :=
BARE_METAL :=
FREESTANDING_PORT :=
else
ifeq ($(origin CROSS_PREFIX_$(TARGET)),undefined)
$(error TARGET=$(TARGET): expected one of $(sort $(CROSS_TARGETS)))
endif
BUILD := build/$(TARGET)
TARGET_DIR := target/$(TARGET)
# cargo puts a --target build's output under <target dir>/<triple>/.
TARGET_SUBDIR := $(TARGET)/
CARGO_TARGET := --target $(TARGET)
CROSS_COMPILE := $(CROSS_PREFIX_$(TARGET))
export CROSS_COMPILE
CC := $(CROSS_COMPILE)gcc
# The cc crate's compiler for the C shim.
export CC_$(subst -,_,$(TARGET)) := $(CC)
# riscv64: binutils cannot make a shared object's .eh_frame_hdr from the
# partially linked archive's unwind tables; nothing unwinds (panics abort).
ifneq ($(filter riscv64%,$(TARGET)),)
HOSTED_ARCHIVE_FLAGS := --no-unwind-tables
endif
# riscv64 bare metal: Rust's target uses the lp64d ABI (hardware floating
# point) and the medany code model; the C shim must match.
export CFLAGS_riscv64gc_unknown_none_elf := -march=rv64gc -mabi=lp64d -mcmodel=medany
# x86: the freestanding library is position-dependent code, which needs no
# _GLOBAL_OFFSET_TABLE_ (i686 code is PIC by default, for the shared object).
ifeq ($(TARGET),i686-unknown-linux-gnu)
FREESTANDING_ENV := CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_RUSTFLAGS=-Crelocation-model=static \
	CFLAGS_i686_unknown_linux_gnu=-fno-pic
endif
# x86: a freestanding program's 64-bit divisions call libgcc's helpers.
ifeq ($(TARGET),i686-unknown-linux-gnu)
CROSS_FREESTANDING_LIBS := -lgcc
endif
# Tests run under qemu-user skip what it does not emulate (ctests/harness.h).
ifneq ($(filter aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu,$(TARGET)),)
CROSS_CTEST_CFLAGS := -DT_QEMU_USER
endif
cross_comma := ,
BARE_METAL := $(filter %-none %-none-elf,$(TARGET))
FREESTANDING_PORT := $(if $(BARE_METAL),$(cross_comma)port-extern)
# aarch64: atomics inline (LL/SC, or LSE where the target features allow),
# not through the outline helpers of compiler-builtins or libgcc, whose
# start-up constructor calls getauxval: a freestanding archive has neither.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS := -Ctarget-feature=-outline-atomics
export CFLAGS_aarch64_unknown_linux_gnu := -mno-outline-atomics
export CFLAGS_aarch64_unknown_none := -mno-outline-atomics
export CARGO_TARGET_AARCH64_UNKNOWN_NONE_RUSTFLAGS := -Ctarget-feature=-outline-atomics
endif
