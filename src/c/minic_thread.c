/*
 * Thread creation for SIGEV_THREAD message-queue notification, and a hook
 * at thread exit for the default allocator, through the host's thread
 * library (hosted builds only). The references are weak, so a
 * program without a thread library still links and gets ENOSYS instead.
 * The host's pthread_t and pthread_attr_t are only passed through: both
 * glibc and musl use an 8-byte pthread_t and PTHREAD_CREATE_DETACHED == 1.
 */
#include <stddef.h>

#define MINIC_ENOSYS 38
#define MINIC_EAGAIN 11
#define MINIC_PTHREAD_CREATE_DETACHED 1

typedef unsigned long minic_pthread_t;

#define MINIC_HOST_WEAK __attribute__((weak, visibility("default")))
MINIC_HOST_WEAK int pthread_create(minic_pthread_t *thread, const void *attr,
                                   void *(*start)(void *), void *arg);
MINIC_HOST_WEAK int pthread_detach(minic_pthread_t thread);
MINIC_HOST_WEAK int pthread_attr_getdetachstate(const void *attr, int *state);
/* glibc's and musl's pthread_key_t is an unsigned int. */
MINIC_HOST_WEAK int pthread_key_create(unsigned *key, void (*destructor)(void *));
MINIC_HOST_WEAK int pthread_setspecific(unsigned key, const void *value);

/*
 * Starts start(arg) in a thread created with attr (or the defaults), and
 * makes sure nothing has to join it: detached by attr, or detached here.
 * Returns 0 or an error number.
 */
int __minic_thread_spawn(void *(*start)(void *), void *arg, const void *attr)
{
    if (!pthread_create || !pthread_detach || (attr && !pthread_attr_getdetachstate))
        return MINIC_ENOSYS;
    int state = 0;
    if (attr) {
        int e = pthread_attr_getdetachstate(attr, &state);
        if (e)
            return e;
    }
    minic_pthread_t thread;
    int e = pthread_create(&thread, attr, start, arg);
    if (e)
        return e;
    /* Joinable by construction here, so detaching it is always defined,
     * even once it has ended. */
    if (state != MINIC_PTHREAD_CREATE_DETACHED)
        pthread_detach(thread);
    return 0;
}

/*
 * Has destructor(value) called when the calling thread exits (a
 * thread-specific key's destructor; one key for the process, made on first
 * use). Returns 0, or an error number: ENOSYS without a thread library,
 * EAGAIN while another thread is making the key.
 */
int __minic_at_thread_exit(void (*destructor)(void *), void *value)
{
    static unsigned key;
    static int state; /* 0: no key, 1: being made, 2: made, 3: failed */
    if (!pthread_key_create || !pthread_setspecific)
        return MINIC_ENOSYS;
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_ACQUIRE)) {
            s = pthread_key_create(&key, destructor) == 0 ? 2 : 3;
            __atomic_store_n(&state, s, __ATOMIC_RELEASE);
        } else {
            s = expected;
        }
    }
    if (s != 2)
        return s == 3 ? MINIC_ENOSYS : MINIC_EAGAIN;
    return pthread_setspecific(key, value);
}
