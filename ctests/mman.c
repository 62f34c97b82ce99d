/* ctests for <sys/mman.h>: every function's success and documented errors. */
#define _GNU_SOURCE /* mremap, mincore, memfd_create in the host headers */
#include <sys/mman.h>
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include "harness.h"

#define PAGE 4096

static void *map_anon(size_t len)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A file of n bytes in /tmp filled with 'A'+i%26, unlinked by the caller. */
static char tmp_path[64];
static int make_file(size_t n)
{
    const char *prefix = "/tmp/minic-ctest-mman-";
    int len = 0;
    while (prefix[len]) {
        tmp_path[len] = prefix[len];
        len++;
    }
    int pid = t_getpid(), digits[12], nd = 0;
    do {
        digits[nd++] = pid % 10;
        pid /= 10;
    } while (pid);
    while (nd)
        tmp_path[len++] = (char)('0' + digits[--nd]);
    tmp_path[len] = 0;
    int fd = t_open(tmp_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[PAGE];
    for (size_t off = 0; off < n; off += sizeof buf) {
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (char)('A' + (off + i) % 26);
        size_t chunk = n - off < sizeof buf ? n - off : sizeof buf;
        t_pwrite(fd, buf, chunk, (long)off);
    }
    return fd;
}

static void touch_read(void *p) { (void)*(volatile char *)p; }
static void touch_write(void *p) { *(volatile char *)p = 1; }

static void test_mmap_anonymous(void)
{
    char *p = map_anon(3 * PAGE);
    CHECK(p != MAP_FAILED);
    CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
    int zero = 1;
    for (int i = 0; i < 3 * PAGE; i++)
        zero &= p[i] == 0;
    CHECK(zero);
    p[0] = 'x';
    p[3 * PAGE - 1] = 'y';
    CHECK_EQ(p[0] + p[3 * PAGE - 1], 'x' + 'y');
    CHECK_EQ(munmap(p, 3 * PAGE), 0);
}

static void test_mmap_errors(void)
{
    NEEDS(T_NEEDS_FILES);
    int fd = make_file(2 * PAGE);
    CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 1), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, ENOMEM);
    CHECK_ERRNO(mmap(NULL, PTRDIFF_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, ENOMEM);
    CHECK_ERRNO(mmap(NULL, (size_t)PTRDIFF_MAX + 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED, ENOMEM);
    /* Not anonymous and not a descriptor. */
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), MAP_FAILED, EBADF);
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0), MAP_FAILED, EBADF);
    /* Linux looks at the descriptor before the length: a closed one is
     * EBADF even with a zero or an impossible length. */
    int closed = make_file(PAGE);
    t_close(closed);
    CHECK_ERRNO(mmap(NULL, 0, PROT_WRITE, MAP_SHARED, closed, 0), MAP_FAILED, EBADF);
    CHECK_ERRNO(mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE, closed, 0), MAP_FAILED, EBADF);
    /* Neither MAP_PRIVATE nor MAP_SHARED. */
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), MAP_FAILED, EINVAL);
    /* MAP_FIXED at an address that is not page aligned. */
    CHECK_ERRNO(mmap((void *)0x10001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
                MAP_FAILED, EINVAL);
    /* A writable shared mapping of a read-only descriptor. */
    int ro = t_open(tmp_path, O_RDONLY, 0);
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), MAP_FAILED, EACCES);
    t_close(ro);
    t_close(fd);
    t_unlink(tmp_path);
}

static void test_mmap_file(void)
{
    NEEDS(T_NEEDS_FILES);
    int fd = make_file(3 * PAGE);
    char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(p[0], 'A' + PAGE % 26);
    CHECK_EQ(p[1], 'A' + (PAGE + 1) % 26);
    CHECK_EQ(munmap(p, PAGE), 0);
    char *q = mmap64(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(q != MAP_FAILED);
    CHECK_EQ(q[PAGE + 5], 'A' + (PAGE + 5) % 26);
    CHECK_EQ(munmap(q, 2 * PAGE), 0);
    CHECK_ERRNO(mmap64(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), MAP_FAILED, EINVAL);
    t_close(fd);
    t_unlink(tmp_path);
}

static void test_munmap(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    char *p = map_anon(2 * PAGE);
    p[0] = 1;
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    CHECK_EQ(t_run_child(touch_read, p), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch_write, p + PAGE), T_SIGSEGV);
    /* Unmapping a range that holds no mapping is not an error. */
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    CHECK_ERRNO(munmap(p, 0), -1, EINVAL);
    CHECK_ERRNO(munmap(p + 1, PAGE), -1, EINVAL);
    /* Partial unmap leaves the rest usable. */
    char *q = map_anon(3 * PAGE);
    CHECK_EQ(munmap(q + PAGE, PAGE), 0);
    q[0] = 1;
    q[2 * PAGE] = 2;
    CHECK_EQ(q[0] + q[2 * PAGE], 3);
    CHECK_EQ(t_run_child(touch_read, q + PAGE), T_SIGSEGV);
    CHECK_EQ(munmap(q, 3 * PAGE), 0);
}

static void test_mprotect(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    char *p = map_anon(2 * PAGE);
    p[0] = 42;
    CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
    CHECK_EQ(p[0], 42);
    CHECK_EQ(t_run_child(touch_write, p), T_SIGSEGV);
    CHECK_EQ(t_run_child(touch_write, p + PAGE), 0);
    CHECK_EQ(mprotect(p, PAGE, PROT_NONE), 0);
    CHECK_EQ(t_run_child(touch_read, p), T_SIGSEGV);
    CHECK_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
    p[0] = 43;
    CHECK_EQ(p[0], 43);
    /* A zero length succeeds (kernel rule). */
    UNLESS_QEMU("refuses a zero length", CHECK_EQ(mprotect(p, 0, PROT_READ), 0));
    CHECK_ERRNO(mprotect(p + 1, PAGE, PROT_READ), -1, EINVAL);
    CHECK_ERRNO(mprotect(p, PAGE, 0x100), -1, EINVAL);
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    CHECK_ERRNO(mprotect(p, PAGE, PROT_READ), -1, ENOMEM);
}

/* The errors of munmap, mprotect and mremap, which need no MMU to check. */
static void test_range_errors(void)
{
    char *p = map_anon(2 * PAGE);
    CHECK(p != MAP_FAILED);
    CHECK_ERRNO(munmap(p, 0), -1, EINVAL);
    CHECK_ERRNO(munmap(p + 1, PAGE), -1, EINVAL);
    UNLESS_QEMU("refuses a zero length", CHECK_EQ(mprotect(p, 0, PROT_READ), 0));
    CHECK_ERRNO(mprotect(p + 1, PAGE, PROT_READ), -1, EINVAL);
    CHECK_ERRNO(mprotect(p, PAGE, 0x100), -1, EINVAL);
    CHECK_ERRNO(mremap(p, 2 * PAGE, 0, MREMAP_MAYMOVE), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mremap(p, 2 * PAGE, SIZE_MAX, MREMAP_MAYMOVE), MAP_FAILED, ENOMEM);
    CHECK_ERRNO(mremap(p + 1, PAGE, PAGE, 0), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mremap(p, 2 * PAGE, PAGE, 0x80), MAP_FAILED, EINVAL);
    /* Shrinking stays in place; growing moves only with MREMAP_MAYMOVE. */
    p[PAGE - 1] = 3;
    CHECK(mremap(p, 2 * PAGE, PAGE, 0) == p);
    char *q = mremap(p, PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED);
    CHECK_EQ(q[PAGE - 1], 3);
    CHECK_EQ(munmap(q, 64 * PAGE), 0);
    CHECK_ERRNO(mprotect(q, PAGE, PROT_READ), -1, ENOMEM);
    CHECK_ERRNO(mremap(q, PAGE, 2 * PAGE, MREMAP_MAYMOVE), MAP_FAILED, EFAULT);
    unsigned char vec[1];
    CHECK_ERRNO(mincore(q, PAGE, vec), -1, ENOMEM);
    UNLESS_QEMU("checks the range before its alignment",
                CHECK_ERRNO(mincore(q + 1, PAGE, vec), -1, EINVAL));
    CHECK_ERRNO(memfd_create("x", 0x1000), -1, EINVAL);
}

static void test_msync(void)
{
    NEEDS(T_NEEDS_FILES);
    int fd = make_file(2 * PAGE);
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    p[10] = '#';
    p[PAGE + 3] = '$';
    CHECK_EQ(msync(p, 2 * PAGE, MS_SYNC), 0);
    char c = 0;
    CHECK_EQ(t_pread(fd, &c, 1, 10), 1);
    CHECK_EQ(c, '#');
    CHECK_EQ(t_pread(fd, &c, 1, PAGE + 3), 1);
    CHECK_EQ(c, '$');
    CHECK_EQ(msync(p, PAGE, MS_ASYNC), 0);
    CHECK_EQ(msync(p, PAGE, MS_INVALIDATE), 0);
    CHECK_ERRNO(msync(p, PAGE, MS_SYNC | MS_ASYNC), -1, EINVAL);
    CHECK_ERRNO(msync(p, PAGE, 0x40), -1, EINVAL);
    CHECK_ERRNO(msync(p + 1, PAGE, MS_SYNC), -1, EINVAL);
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    CHECK_ERRNO(msync(p, PAGE, MS_SYNC), -1, ENOMEM);
    t_close(fd);
    t_unlink(tmp_path);
}

static void test_mlock(void)
{
    char *p = map_anon(2 * PAGE);
    CHECK_EQ(mlock(p, 2 * PAGE), 0);
    p[0] = 1;
    CHECK_EQ(munlock(p, 2 * PAGE), 0);
    /* Unaligned addresses are rounded down by the kernel: allowed. */
    CHECK_EQ(mlock(p + 10, 100), 0);
    CHECK_EQ(munlock(p + 10, 100), 0);
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    CHECK_ERRNO(mlock(p, PAGE), -1, ENOMEM);
    CHECK_ERRNO(munlock(p, PAGE), -1, ENOMEM);
}

static void lock_all_in_child(void *arg)
{
    (void)arg;
    if (mlockall(MCL_CURRENT) != 0)
        t_exit(1);
    if (munlockall() != 0)
        t_exit(2);
    if (mlockall(MCL_CURRENT | MCL_ONFAULT) != 0)
        t_exit(3);
    if (munlockall() != 0)
        t_exit(4);
}

static void test_mlockall(void)
{
    NEEDS(T_NEEDS_PROCESSES);
    /* In a child, so that locking the whole address space ends with it. */
    CHECK_EQ(t_run_child(lock_all_in_child, NULL), 0);
    CHECK_ERRNO(mlockall(0), -1, EINVAL);
    CHECK_ERRNO(mlockall(0x100), -1, EINVAL);
    CHECK_ERRNO(mlockall(MCL_ONFAULT), -1, EINVAL);
    CHECK_EQ(munlockall(), 0);
}

static void test_madvise(void)
{
    char *p = map_anon(2 * PAGE);
    p[0] = 7;
    p[PAGE] = 8;
    CHECK_EQ(madvise(p, 2 * PAGE, MADV_NORMAL), 0);
    CHECK_EQ(madvise(p, 2 * PAGE, MADV_WILLNEED), 0);
    /* Linux's MADV_DONTNEED zero-fills private anonymous pages. */
    CHECK_EQ(madvise(p, PAGE, MADV_DONTNEED), 0);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[PAGE], 8);
    CHECK_ERRNO(madvise(p + 1, PAGE, MADV_NORMAL), -1, EINVAL);
    UNLESS_QEMU("accepts any advice", CHECK_ERRNO(madvise(p, PAGE, 9999), -1, EINVAL));
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    UNLESS_QEMU("accepts advice on unmapped pages",
                CHECK_ERRNO(madvise(p, PAGE, MADV_NORMAL), -1, ENOMEM));
}

static void test_posix_madvise(void)
{
    char *p = map_anon(PAGE);
    p[0] = 9;
    errno = 1234;
    /* POSIX_MADV_DONTNEED must not discard data. */
    CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_DONTNEED), 0);
    CHECK_EQ(p[0], 9);
    CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_NORMAL), 0);
    CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_RANDOM), 0);
    CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_SEQUENTIAL), 0);
    CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_WILLNEED), 0);
    /* Errors are returned, errno is left alone. */
    CHECK_EQ(posix_madvise(p, PAGE, 99), EINVAL);
    CHECK_EQ(posix_madvise(p, PAGE, MADV_FREE), EINVAL);
    CHECK_EQ(posix_madvise(p + 1, PAGE, POSIX_MADV_NORMAL), EINVAL);
    CHECK_EQ(errno, 1234);
    CHECK_EQ(munmap(p, PAGE), 0);
    UNLESS_QEMU("accepts advice on unmapped pages",
                CHECK_EQ(posix_madvise(p, PAGE, POSIX_MADV_NORMAL), ENOMEM));
    CHECK_EQ(errno, 1234);
}

static void test_mremap(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    char *p = map_anon(PAGE);
    for (int i = 0; i < PAGE; i++)
        p[i] = (char)i;
    char *q = mremap(p, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED);
    int same = 1;
    for (int i = 0; i < PAGE; i++)
        same &= q[i] == (char)i;
    CHECK(same);
    q[4 * PAGE - 1] = 5;
    /* Shrinking stays in place. */
    char *r = mremap(q, 4 * PAGE, 2 * PAGE, 0);
    CHECK(r == q);
    CHECK_EQ(r[7], 7);
    /* MREMAP_FIXED reads the variadic new address. */
    char *target = map_anon(2 * PAGE);
    char *s = mremap(r, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    CHECK(s == target);
    CHECK_EQ(s[9], 9);
    CHECK_EQ(t_run_child(touch_read, r), T_SIGSEGV);
    CHECK_ERRNO(mremap(s, 2 * PAGE, 0, MREMAP_MAYMOVE), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mremap(s, 2 * PAGE, SIZE_MAX, MREMAP_MAYMOVE), MAP_FAILED, ENOMEM);
    CHECK_ERRNO(mremap(s, 2 * PAGE, PTRDIFF_MAX, MREMAP_MAYMOVE), MAP_FAILED, ENOMEM);
    CHECK_ERRNO(mremap(s + 1, PAGE, PAGE, 0), MAP_FAILED, EINVAL);
    CHECK_ERRNO(mremap(s, 2 * PAGE, PAGE, 0x80), MAP_FAILED, EINVAL);
    /* MREMAP_FIXED without MREMAP_MAYMOVE is invalid. */
    CHECK_ERRNO(mremap(s, 2 * PAGE, 2 * PAGE, MREMAP_FIXED, target), MAP_FAILED, EINVAL);
    /* Growing in place into an occupied range is refused without MAYMOVE. */
    char *pair = map_anon(2 * PAGE);
    CHECK_ERRNO(mremap(pair, PAGE, 2 * PAGE + PAGE, 0), MAP_FAILED, ENOMEM);
    CHECK_EQ(munmap(pair, 2 * PAGE), 0);
    CHECK_EQ(munmap(s, 2 * PAGE), 0);
    CHECK_ERRNO(mremap(s, PAGE, 2 * PAGE, MREMAP_MAYMOVE), MAP_FAILED, EFAULT);
}

static void test_mincore(void)
{
    NEEDS(T_NEEDS_MMU);
    char *p = map_anon(4 * PAGE);
    unsigned char vec[4] = {9, 9, 9, 9};
    p[0] = 1;
    p[2 * PAGE] = 1;
    CHECK_EQ(mincore(p, 4 * PAGE, vec), 0);
    CHECK_EQ(vec[0] & 1, 1);
    CHECK_EQ(vec[1] & 1, 0);
    CHECK_EQ(vec[2] & 1, 1);
    CHECK_EQ(vec[3] & 1, 0);
    CHECK_ERRNO(mincore(p + 1, PAGE, vec), -1, EINVAL);
    CHECK_ERRNO(mincore(p, PAGE, (unsigned char *)8), -1, EFAULT);
    CHECK_EQ(munmap(p, 4 * PAGE), 0);
    CHECK_ERRNO(mincore(p, PAGE, vec), -1, ENOMEM);
}

static void test_memfd_create(void)
{
    NEEDS(T_NEEDS_PROCESSES | T_NEEDS_MMU);
    int fd = memfd_create("minic-test", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK_EQ(t_ftruncate(fd, 2 * PAGE), 0);
    char *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED);
    a[PAGE + 1] = 'm';
    CHECK_EQ(b[PAGE + 1], 'm');
    /* Beyond the file's end: SIGBUS. */
    char *c = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    CHECK_EQ(t_run_child(touch_read, c + 3 * PAGE), T_SIGBUS);
    CHECK_EQ(munmap(a, 2 * PAGE) | munmap(b, 2 * PAGE) | munmap(c, 4 * PAGE), 0);
    t_close(fd);
    CHECK_ERRNO(memfd_create("x", 0x1000), -1, EINVAL);
    char longname[300];
    for (int i = 0; i < 299; i++)
        longname[i] = 'n';
    longname[299] = 0;
    CHECK_ERRNO(memfd_create(longname, 0), -1, EINVAL);
    CHECK_ERRNO(memfd_create(NULL, 0), -1, EFAULT);
}

int main(void)
{
    RUN(test_mmap_anonymous);
    RUN(test_mmap_errors);
    RUN(test_mmap_file);
    RUN(test_munmap);
    RUN(test_mprotect);
    RUN(test_range_errors);
    RUN(test_msync);
    RUN(test_mlock);
    RUN(test_mlockall);
    RUN(test_madvise);
    RUN(test_posix_madvise);
    RUN(test_mremap);
    RUN(test_mincore);
    RUN(test_memfd_create);
    return t_report("mman");
}
