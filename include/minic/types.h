/*
 * minic: the base types and declaration macros shared by minic's headers
 * when they stand alone (freestanding: -nostdinc -ffreestanding, only the
 * compiler's own <stddef.h> and <stdint.h>). Internal to minic's headers.
 */
#ifndef MINIC_TYPES_H
#define MINIC_TYPES_H

#include <stddef.h>

#ifdef __cplusplus
#define MINIC_BEGIN_DECLS extern "C" {
#define MINIC_END_DECLS }
#else
#define MINIC_BEGIN_DECLS
#define MINIC_END_DECLS
#endif

/* What glibc's headers mark its functions with in C++ (__THROW): minic's
 * declarations of functions a host header may also declare must match it. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define MINIC_NOTHROW noexcept(true)
#elif defined(__cplusplus)
#define MINIC_NOTHROW throw()
#else
#define MINIC_NOTHROW
#endif

/* The Linux ABI of x86_64, aarch64 and riscv64 (LP64) and of x86 (ILP32:
 * ssize_t is int there, long and off_t 32 bits). */
#if !defined(__x86_64__) && !defined(__aarch64__) && !(defined(__riscv) && __riscv_xlen == 64) && \
    !defined(__i386__) && !defined(MINIC_PORT_TYPES)
#error "minic's standalone headers describe the Linux ABI of x86_64, aarch64, riscv64 and x86; a port defines MINIC_PORT_TYPES and its own"
#endif

#ifndef MINIC_SSIZE_T
#define MINIC_SSIZE_T
#ifdef __i386__
typedef int ssize_t;
#else
typedef long ssize_t;
#endif
#endif
#ifndef MINIC_OFF_T
#define MINIC_OFF_T
typedef long off_t;
#endif
#ifndef MINIC_MODE_T
#define MINIC_MODE_T
typedef unsigned int mode_t;
#endif
#ifndef MINIC_PID_T
#define MINIC_PID_T
typedef int pid_t;
#endif

#endif /* MINIC_TYPES_H */
