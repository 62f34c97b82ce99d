/* The few pieces of glibc's internal test support (support/, libc-diag.h,
 * array_length.h, libc-pointer-arith.h) that its malloc tests use, written
 * anew so that those tests build outside glibc's tree against any malloc
 * (mk/public-suites.sh). Only what the tests need: a failed check prints
 * where and counts a failure; the x* wrappers exit with status 1 when the
 * call fails. */
#ifndef MINIC_GLIBC_TEST_SHIM_H
#define MINIC_GLIBC_TEST_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* libc-diag.h */
#define DIAG_PUSH_NEEDS_COMMENT _Pragma("GCC diagnostic push")
#define DIAG_POP_NEEDS_COMMENT _Pragma("GCC diagnostic pop")
#define DIAG_IGNORE_NEEDS_COMMENT(version, option)
#define DIAG_IGNORE_Os_NEEDS_COMMENT(version, option)
#define DIAG_PUSH_NEEDS_COMMENT_CLANG
#define DIAG_POP_NEEDS_COMMENT_CLANG
#define DIAG_IGNORE_NEEDS_COMMENT_CLANG(version, option)
#define DIAG_IGNORE_NEEDS_COMMENT_GCC(version, option)
#ifndef __attribute_optimization_barrier__
#define __attribute_optimization_barrier__ __attribute__((noinline, noclone, noipa))
#endif

/* array_length.h, libc-pointer-arith.h */
#define array_length(a) (sizeof(a) / sizeof((a)[0]))
#define array_end(a) (&(a)[array_length(a)])
#define PTR_ALIGN_DOWN(p, a) ((__typeof__(p))((uintptr_t)(p) & ~((uintptr_t)(a)-1)))
#define PTR_ALIGN_UP(p, a) ((__typeof__(p))(((uintptr_t)(p) + (a)-1) & ~((uintptr_t)(a)-1)))
#define PTR_IS_ALIGNED(p, a) (((uintptr_t)(p) & ((uintptr_t)(a)-1)) == 0)
#define ALIGN_UP(v, a) (((v) + (a)-1) & ~((a)-1))
#define ALIGN_DOWN(v, a) ((v) & ~((a)-1))

/* support/check.h */
void support_record_failure(void);
#define TEST_VERIFY(e) \
    do { if (!(e)) { printf("%s:%d: not true: %s\n", __FILE__, __LINE__, #e); support_record_failure(); } } while (0)
#define TEST_VERIFY_EXIT(e) \
    do { if (!(e)) { printf("%s:%d: not true: %s\n", __FILE__, __LINE__, #e); exit(1); } } while (0)
#define TEST_COMPARE(a, b) \
    do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
        printf("%s:%d: %s (%lld) != %s (%lld)\n", __FILE__, __LINE__, #a, a_, #b, b_); \
        support_record_failure(); } } while (0)
#define TEST_COMPARE_BLOB(a, an, b, bn) \
    do { if ((an) != (bn) || memcmp(a, b, an) != 0) { \
        printf("%s:%d: blobs differ\n", __FILE__, __LINE__); support_record_failure(); } } while (0)
#define FAIL_EXIT(status, ...) \
    do { printf("%s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); puts(""); exit(status); } while (0)
#define FAIL_EXIT1(...) FAIL_EXIT(1, __VA_ARGS__)
#define FAIL_RET(...) \
    do { printf("%s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); puts(""); return 1; } while (0)
#define FAIL(...) \
    do { printf("%s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); puts(""); support_record_failure(); } while (0)
#define FAIL_UNSUPPORTED(...) do { printf("unsupported: "); printf(__VA_ARGS__); puts(""); exit(77); } while (0)

/* support/support.h */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *format, ...);
void write_message(const char *message);
void *support_shared_allocate(size_t n);
void support_shared_free(void *p);
#define support_need_proc(why) ((void)(why))

/* support/xthread.h, xunistd.h, xsignal.h, temp_file.h */
pthread_t xpthread_create(pthread_attr_t *attr, void *(*fn)(void *), void *arg);
void *xpthread_join(pthread_t thread);
void xpthread_detach(pthread_t thread);
void xpthread_cancel(pthread_t thread);
void xpthread_kill(pthread_t thread, int sig);
void xpthread_barrier_init(pthread_barrier_t *b, pthread_barrierattr_t *attr, unsigned count);
int xpthread_barrier_wait(pthread_barrier_t *b);
void xpthread_barrier_destroy(pthread_barrier_t *b);
void xpthread_barrierattr_init(pthread_barrierattr_t *attr);
void xpthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared);
void xpthread_barrierattr_destroy(pthread_barrierattr_t *attr);
void xpthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
void xpthread_mutex_destroy(pthread_mutex_t *m);
void xpthread_mutex_lock(pthread_mutex_t *m);
void xpthread_mutex_unlock(pthread_mutex_t *m);
void xpthread_attr_init(pthread_attr_t *attr);
void xpthread_attr_destroy(pthread_attr_t *attr);
void xpthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
void xpthread_attr_setdetachstate(pthread_attr_t *attr, int state);
void xpthread_attr_setguardsize(pthread_attr_t *attr, size_t size);
void xpthread_sigmask(int how, const sigset_t *set, sigset_t *old);
pid_t xfork(void);
pid_t xwaitpid(pid_t pid, int *status, int flags);
void xpipe(int fds[2]);
void xclose(int fd);
void xwrite(int fd, const void *buf, size_t n);
void xsigaction(int sig, const struct sigaction *act, struct sigaction *old);
void xraise(int sig);
sighandler_t xsignal(int sig, sighandler_t handler);
int create_temp_file(const char *base, char **name);
#define add_temp_file(name) ((void)(name))

/* support/test-driver.h */
#define DEFAULT_TIMEOUT 20

#endif
