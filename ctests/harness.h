/*
 * The ctests harness: counts assertions (CHECK*) and tests (RUN), skips a
 * test whose NEEDS the platform lacks (support.h), and ends
 * with the two lines mk/check.sh adds up:
 *
 *     <area>: N assertions passed, N failed
 *     <area>: N passed, N failed, N skipped      (tests)
 *
 * A test fails if one of its assertions fails, and also if it made none
 * (a test that cannot fail is a defect); t_skip_because(reason) ends a test as
 * skipped, for a precondition this run lacks (root, say).
 * It uses no C library (output goes through a raw write to fd 1), so the same
 * test runs linked with the host C library or freestanding.
 *
 * A test program includes this header once, calls RUN(test_fn) for each test
 * and returns t_report("area").
 */
#ifndef MINIC_TEST_HARNESS_H
#define MINIC_TEST_HARNESS_H

#include "support.h"
#include <errno.h>

/* Assertions, and tests. */
static int t_passed, t_failed;
static int t_tests_passed, t_tests_failed, t_tests_skipped;
static int t_skipped_now;
static const char *t_test = "";

static size_t t_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void t_puts(const char *s) { t_write(1, s, t_strlen(s)); }

static void t_putnum(long long v)
{
    char buf[24];
    int i = sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--i] = '-';
    t_write(1, buf + i, sizeof buf - i);
}

static void t_fail_at(const char *file, int line, const char *what)
{
    t_failed++;
    t_puts("FAIL ");
    t_puts(t_test);
    t_puts(" (");
    t_puts(file);
    t_puts(":");
    t_putnum(line);
    t_puts("): ");
    t_puts(what);
    t_puts("\n");
}

static void t_fail_values(long long got, long long want)
{
    t_puts("    got ");
    t_putnum(got);
    t_puts(", expected ");
    t_putnum(want);
    t_puts("\n");
}

/* CHECK(cond): the condition holds. */
#define CHECK(cond)                                         \
    do {                                                    \
        if (cond)                                           \
            t_passed++;                                     \
        else                                                \
            t_fail_at(__FILE__, __LINE__, #cond);           \
    } while (0)

/* CHECK_EQ(a, b): two integer values are equal (both printed on failure). */
#define CHECK_EQ(a, b)                                      \
    do {                                                    \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
        if (t_a_ == t_b_) {                                 \
            t_passed++;                                     \
        } else {                                            \
            t_fail_at(__FILE__, __LINE__, #a " == " #b);    \
            t_fail_values(t_a_, t_b_);                      \
        }                                                   \
    } while (0)

/* CHECK_ERRNO(call, failure_value, e): call returns failure_value and sets errno to e. */
#define CHECK_ERRNO(call, failure_value, e)                 \
    do {                                                    \
        errno = 0;                                          \
        int t_ok_ = (call) == (failure_value);              \
        int t_errno_ = errno;                               \
        if (!t_ok_) {                                       \
            t_fail_at(__FILE__, __LINE__, #call " fails");  \
        } else if (t_errno_ != (e)) {                       \
            t_fail_at(__FILE__, __LINE__, #call ": errno " #e); \
            t_fail_values(t_errno_, (e));                   \
        } else {                                            \
            t_passed++;                                     \
        }                                                   \
    } while (0)

/* t_skip_because(reason): the current test does not apply to this run; its
 * caller returns right after (or makes only the checks that still apply).
 * Counted as a skip unless an assertion failed. */
__attribute__((unused)) static void t_skip_because(const char *reason)
{
    t_skipped_now = 1;
    t_puts("  skipped ");
    t_puts(t_test);
    t_puts(": ");
    t_puts(reason);
    t_puts("\n");
}

/* The skip of a test whose NEEDS this platform lacks, naming what it lacks. */
__attribute__((unused)) static void t_skip_needs(int needs)
{
    static const char *const what[] = {"processes", "signals", "an MMU", "files", "limits", "a clock",
                                       "threads"};
    t_skipped_now = 1;
    t_puts("  skipped ");
    t_puts(t_test);
    t_puts(": needs ");
    const char *sep = "";
    for (int i = 0; i < 7; i++)
        if (needs & ~T_PLATFORM_HAS & (1 << i)) {
            t_puts(sep);
            t_puts(what[i]);
            sep = ", ";
        }
    t_puts("\n");
}

/* NEEDS(T_NEEDS_...): the rest of the test runs only where the platform
 * has all of these (support.h); elsewhere the test counts as skipped. */
#define NEEDS(needs)                          \
    do {                                      \
        if ((needs) & ~T_PLATFORM_HAS) {      \
            t_skip_needs(needs);              \
            return;                           \
        }                                     \
    } while (0)

/* Counts the test that just ran, given the assertion counts before it. */
static void t_count_test(int passed_before, int failed_before)
{
    if (t_failed != failed_before) {
        t_tests_failed++;
    } else if (t_skipped_now) {
        t_tests_skipped++;
    } else if (t_passed == passed_before) {
        t_tests_failed++;
        t_puts("FAIL ");
        t_puts(t_test);
        t_puts(": no assertion ran\n");
    } else {
        t_tests_passed++;
    }
    t_skipped_now = 0;
}

#define RUN(fn)                                   \
    do {                                          \
        int t_p_ = t_passed, t_f_ = t_failed;     \
        t_test = #fn;                             \
        fn();                                     \
        t_count_test(t_p_, t_f_);                 \
    } while (0)

/*
 * CHECK_MEMORY_BACK(before): after a full free of many blocks, resident
 * memory (t_rss_pages) is within 16 MiB of `before` a second later, by the
 * next malloc-family call, and within 4 MiB after malloc_trim (declared by
 * <malloc.h> where it is used).
 */
#define CHECK_MEMORY_BACK(before)                                        \
    do {                                                                 \
        t_sleep_ms(1200);                                                \
        free(malloc(100));                                               \
        CHECK(t_rss_pages() - (before) < (long)((16 << 20) / 4096));     \
        malloc_trim(0);                                                  \
        CHECK(t_rss_pages() - (before) < (long)((4 << 20) / 4096));      \
    } while (0)

/*
 * SKIP_RUN(fn, reason): fn does not run here (its environment lacks what it
 * tests, e.g. a system call qemu-user does not emulate); counted as skipped.
 */
#define SKIP_RUN(fn, reason)                      \
    do {                                          \
        int t_p_ = t_passed, t_f_ = t_failed;     \
        t_test = #fn;                             \
        (void)fn;                                 \
        t_skip_because(reason);                   \
        t_count_test(t_p_, t_f_);                 \
    } while (0)

/*
 * Under qemu-user (the cross checks build with -DT_QEMU_USER), what it does
 * not emulate: T_QEMU_LACKS(fn, reason) runs a whole test elsewhere,
 * UNLESS_QEMU(reason, checks...) some of its checks (the test then counts
 * as skipped, as after t_skip_because, unless another check failed).
 */
#ifdef T_QEMU_USER
#define T_QEMU_LACKS(fn, reason) SKIP_RUN(fn, "qemu-user " reason)
#define UNLESS_QEMU(reason, ...)              \
    do {                                      \
        t_skip_because("qemu-user " reason);  \
        if (0) {                              \
            __VA_ARGS__;                      \
        }                                     \
    } while (0)
#else
#define T_QEMU_LACKS(fn, reason) RUN(fn)
#define UNLESS_QEMU(reason, ...) \
    do {                         \
        __VA_ARGS__;             \
    } while (0)
#endif

static void t_count_line(const char *area, const char *what, int passed, int failed)
{
    t_puts(area);
    t_puts(": ");
    t_putnum(passed);
    t_puts(what);
    t_puts(" passed, ");
    t_putnum(failed);
    t_puts(" failed");
}

/* Prints the two closing lines; the exit status: 0 if every test passed or
 * was skipped and at least one ran. */
static int t_report(const char *area)
{
    t_count_line(area, " assertions", t_passed, t_failed);
    t_puts("\n");
    t_count_line(area, "", t_tests_passed, t_tests_failed);
    t_puts(", ");
    t_putnum(t_tests_skipped);
    t_puts(" skipped\n");
    return t_failed != 0 || t_tests_failed != 0 || t_tests_passed + t_tests_skipped == 0;
}

#endif /* MINIC_TEST_HARNESS_H */
