/* See shim.h. */
#define _GNU_SOURCE
#include "shim.h"
#include <sys/mman.h>

static int failures;

void support_record_failure(void) { __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST); }

int support_failures(void) { return __atomic_load_n(&failures, __ATOMIC_SEQ_CST); }

#define CHECKED(call) \
    do { int e_ = (call); if (e_ != 0) { errno = e_; FAIL_EXIT1("%s: %m", #call); } } while (0)

void *xmalloc(size_t n) { void *p = malloc(n); if (p == NULL && n != 0) FAIL_EXIT1("malloc: %m"); return p; }
void *xcalloc(size_t n, size_t size) { void *p = calloc(n, size); if (p == NULL) FAIL_EXIT1("calloc: %m"); return p; }
void *xrealloc(void *o, size_t n) { void *p = realloc(o, n); if (p == NULL && n != 0) FAIL_EXIT1("realloc: %m"); return p; }
char *xstrdup(const char *s) { char *p = strdup(s); if (p == NULL) FAIL_EXIT1("strdup: %m"); return p; }

char *xasprintf(const char *format, ...)
{
    va_list ap;
    char *r;
    va_start(ap, format);
    if (vasprintf(&r, format, ap) < 0)
        FAIL_EXIT1("vasprintf: %m");
    va_end(ap);
    return r;
}

void write_message(const char *message)
{
    ssize_t r = write(STDOUT_FILENO, message, strlen(message));
    (void)r;
}

void *support_shared_allocate(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        FAIL_EXIT1("mmap: %m");
    return p;
}

void support_shared_free(void *p) { (void)p; }

pthread_t xpthread_create(pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    pthread_t t;
    CHECKED(pthread_create(&t, attr, fn, arg));
    return t;
}

void *xpthread_join(pthread_t thread)
{
    void *r;
    CHECKED(pthread_join(thread, &r));
    return r;
}

void xpthread_detach(pthread_t thread) { CHECKED(pthread_detach(thread)); }
void xpthread_cancel(pthread_t thread) { CHECKED(pthread_cancel(thread)); }
void xpthread_kill(pthread_t thread, int sig) { CHECKED(pthread_kill(thread, sig)); }
void xpthread_barrier_init(pthread_barrier_t *b, pthread_barrierattr_t *attr, unsigned count) { CHECKED(pthread_barrier_init(b, attr, count)); }

int xpthread_barrier_wait(pthread_barrier_t *b)
{
    int r = pthread_barrier_wait(b);
    if (r != 0 && r != PTHREAD_BARRIER_SERIAL_THREAD)
        FAIL_EXIT1("pthread_barrier_wait: %d", r);
    return r;
}

void xpthread_barrier_destroy(pthread_barrier_t *b) { CHECKED(pthread_barrier_destroy(b)); }
void xpthread_barrierattr_init(pthread_barrierattr_t *attr) { CHECKED(pthread_barrierattr_init(attr)); }
void xpthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared) { CHECKED(pthread_barrierattr_setpshared(attr, pshared)); }
void xpthread_barrierattr_destroy(pthread_barrierattr_t *attr) { CHECKED(pthread_barrierattr_destroy(attr)); }
void xpthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr) { CHECKED(pthread_mutex_init(m, attr)); }
void xpthread_mutex_destroy(pthread_mutex_t *m) { CHECKED(pthread_mutex_destroy(m)); }
void xpthread_mutex_lock(pthread_mutex_t *m) { CHECKED(pthread_mutex_lock(m)); }
void xpthread_mutex_unlock(pthread_mutex_t *m) { CHECKED(pthread_mutex_unlock(m)); }
void xpthread_attr_init(pthread_attr_t *attr) { CHECKED(pthread_attr_init(attr)); }
void xpthread_attr_destroy(pthread_attr_t *attr) { CHECKED(pthread_attr_destroy(attr)); }
void xpthread_attr_setstacksize(pthread_attr_t *attr, size_t size) { CHECKED(pthread_attr_setstacksize(attr, size)); }
void xpthread_attr_setdetachstate(pthread_attr_t *attr, int state) { CHECKED(pthread_attr_setdetachstate(attr, state)); }
void xpthread_attr_setguardsize(pthread_attr_t *attr, size_t size) { CHECKED(pthread_attr_setguardsize(attr, size)); }
void xpthread_sigmask(int how, const sigset_t *set, sigset_t *old) { CHECKED(pthread_sigmask(how, set, old)); }

pid_t xfork(void)
{
    pid_t p = fork();
    if (p < 0)
        FAIL_EXIT1("fork: %m");
    return p;
}

pid_t xwaitpid(pid_t pid, int *status, int flags)
{
    pid_t r = waitpid(pid, status, flags);
    if (r < 0)
        FAIL_EXIT1("waitpid: %m");
    return r;
}

void xpipe(int fds[2]) { if (pipe(fds) != 0) FAIL_EXIT1("pipe: %m"); }
void xclose(int fd) { if (close(fd) != 0 && errno != EINTR) FAIL_EXIT1("close: %m"); }

void xwrite(int fd, const void *buf, size_t n)
{
    if (write(fd, buf, n) != (ssize_t)n)
        FAIL_EXIT1("write: %m");
}

void xsigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sigaction(sig, act, old) != 0)
        FAIL_EXIT1("sigaction: %m");
}

void xraise(int sig) { if (raise(sig) != 0) FAIL_EXIT1("raise: %m"); }

sighandler_t xsignal(int sig, sighandler_t handler)
{
    sighandler_t old = signal(sig, handler);
    if (old == SIG_ERR)
        FAIL_EXIT1("signal: %m");
    return old;
}

int create_temp_file(const char *base, char **name)
{
    char *path = xasprintf("/tmp/%sXXXXXX", base);
    int fd = mkstemp(path);
    if (fd < 0)
        FAIL_EXIT1("mkstemp: %m");
    if (name != NULL) {
        *name = path;
    } else {
        unlink(path);
        free(path);
    }
    return fd;
}
