/* ctests for shm_open and shm_unlink: names, flags, sharing between processes, errors. */
#define _GNU_SOURCE /* O_NOFOLLOW & co. in the host headers */
#include <sys/mman.h>
#include <fcntl.h>
#include <errno.h>
#include "harness.h"

#define PAGE 4096
#define T_FD_CLOEXEC 1

static char name_a[96], name_b[96], link_name[96];
static char link_path[128], target_path[128], escape_path[128];

static void cat_path(char *dst, const char *dir, const char *name)
{
    int n = 0;
    while (*dir)
        dst[n++] = *dir++;
    while (*name == '/')
        name++;
    while (*name)
        dst[n++] = *name++;
    dst[n] = 0;
}

/* Removes whatever a test may have left, whatever its outcome. */
static void cleanup(void)
{
    shm_unlink(name_a);
    shm_unlink(name_b);
    t_unlink(link_path);
    t_unlink(target_path);
    t_unlink(escape_path);
}

static void child_writes(void *arg)
{
    const char *name = arg;
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0)
        t_exit(1);
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        t_exit(2);
    if (p[0] != 'P')
        t_exit(3);
    const char *msg = "written by the child";
    for (int i = 0; msg[i]; i++)
        p[PAGE / 2 + i] = msg[i];
    t_exit(0);
}

static void test_create_share_unlink(void)
{
    int fd = shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(t_ftruncate(fd, PAGE), 0);
    /* The object is the file /dev/shm/<name without its slash>. */
    char path[128];
    cat_path(path, "/dev/shm/", name_a);
    int direct = t_open(path, O_RDONLY, 0);
    CHECK(direct >= 0);
    t_close(direct);

    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[0] = 'P';
        CHECK_EQ(t_run_child(child_writes, name_a), 0);
        const char *msg = "written by the child";
        int same = 1;
        for (int i = 0; msg[i]; i++)
            same &= p[PAGE / 2 + i] == msg[i];
        CHECK(same);
        CHECK_EQ(munmap(p, PAGE), 0);
    }
    CHECK_ERRNO(shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600), -1, EEXIST);
    CHECK_EQ(t_close(fd), 0);

    /* Without its leading slash, or with several, a name is the same object. */
    fd = shm_open(name_a + 1, O_RDONLY, 0);
    CHECK(fd >= 0);
    t_close(fd);
    char slashes[100] = "//";
    cat_path(slashes + 2, "", name_a);
    fd = shm_open(slashes, O_RDONLY, 0);
    CHECK(fd >= 0);
    t_close(fd);

    CHECK_EQ(shm_unlink(name_a), 0);
    CHECK_ERRNO(shm_open(name_a, O_RDWR, 0), -1, ENOENT);
    CHECK_ERRNO(shm_unlink(name_a), -1, ENOENT);
    CHECK_EQ(t_open(path, O_RDONLY, 0), -ENOENT);
    cleanup();
}

static void test_flags(void)
{
    int fd = shm_open(name_a, O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0);
    /* O_CLOEXEC and O_NONBLOCK are always added. */
    CHECK_EQ(t_fcntl(fd, T_F_GETFD) & T_FD_CLOEXEC, T_FD_CLOEXEC);
    CHECK_EQ(t_fcntl(fd, T_F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ(t_fcntl(fd, T_F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_EQ(t_ftruncate(fd, PAGE), 0);
    t_close(fd);

    /* Read-only: a shared writable mapping is refused by the kernel. */
    fd = shm_open(name_a, O_RDONLY, 0);
    CHECK(fd >= 0);
    CHECK_EQ(t_fcntl(fd, T_F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_ERRNO(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED, EACCES);
    void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED)
        munmap(p, PAGE);
    t_close(fd);

    /* O_TRUNC empties it: a mapping past the end then faults, so check the size by pread. */
    fd = shm_open(name_a, O_RDWR | O_TRUNC, 0);
    CHECK(fd >= 0);
    char c;
    CHECK_EQ(t_pread(fd, &c, 1, 0), 0);
    t_close(fd);

    /* Creating with O_RDONLY: allowed, and the mode is applied. */
    fd = shm_open(name_b, O_RDONLY | O_CREAT | O_EXCL, 0400);
    CHECK(fd >= 0);
    t_close(fd);
    CHECK_ERRNO(shm_open(name_b, O_RDWR | O_CREAT | O_EXCL, 0600), -1, EEXIST);
    CHECK_EQ(shm_unlink(name_b), 0);
    CHECK_EQ(shm_unlink(name_a), 0);
    cleanup();
}

static void test_bad_names(void)
{
    static const char *bad[] = {"", "/", "///", ".", "/.", "..", "/..", "/a/b", "a/", "//a/",
                                "/../../tmp/x", "/./x"};
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_ERRNO(shm_open(bad[i], O_RDWR | O_CREAT, 0600), -1, EINVAL);
        CHECK_ERRNO(shm_unlink(bad[i]), -1, EINVAL);
    }
    /* Nothing can be created outside /dev/shm. */
    char escape[128];
    cat_path(escape, "/../../tmp/", name_a);
    CHECK_ERRNO(shm_open(escape, O_RDWR | O_CREAT, 0600), -1, EINVAL);
    CHECK_EQ(t_open(escape_path, O_RDONLY, 0), -ENOENT);
    CHECK_ERRNO(shm_open(NULL, O_RDONLY, 0), -1, EFAULT);
    CHECK_ERRNO(shm_unlink(NULL), -1, EFAULT);

    /* NAME_MAX (255) bytes after the slash is the longest name. */
    char longest[260];
    longest[0] = '/';
    for (int i = 1; i <= 256; i++)
        longest[i] = (char)('a' + i % 26);
    longest[257] = 0;
    CHECK_ERRNO(shm_open(longest, O_RDWR | O_CREAT, 0600), -1, ENAMETOOLONG);
    CHECK_ERRNO(shm_unlink(longest), -1, ENAMETOOLONG);
    longest[256] = 0;
    int fd = shm_open(longest, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    t_close(fd);
    CHECK_EQ(shm_unlink(longest), 0);
}

static void test_no_symlinks(void)
{
    /* A symbolic link planted in /dev/shm is never followed. */
    int fd = t_open(target_path, O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0);
    t_close(fd);
    CHECK_EQ(t_symlink(target_path, link_path), 0);
    CHECK_ERRNO(shm_open(link_name, O_RDWR, 0), -1, ELOOP);
    CHECK_ERRNO(shm_open(link_name, O_RDWR | O_CREAT, 0600), -1, ELOOP);
    /* shm_unlink removes the link itself, not its target. */
    CHECK_EQ(shm_unlink(link_name), 0);
    fd = t_open(target_path, O_RDONLY, 0);
    CHECK(fd >= 0);
    t_close(fd);
    cleanup();
}

static void child_unprivileged(void *arg)
{
    const char *name = arg;
    if (t_become_nobody() != 0)
        t_exit(1);
    if (shm_open(name, O_RDWR, 0) != -1 || errno != EACCES)
        t_exit(2);
    if (shm_open(name, O_RDONLY, 0) != -1 || errno != EACCES)
        t_exit(3);
    /* /dev/shm is sticky: the kernel's EPERM, reported as it is. */
    if (shm_unlink(name) != -1 || errno != EPERM)
        t_exit(4);
    t_exit(0);
}

static void test_permissions(void)
{
    if (t_getuid() != 0) {
        t_skip("needs root to switch users");
        return;
    }
    int fd = shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    t_close(fd);
    CHECK_EQ(t_run_child(child_unprivileged, name_a), 0);
    CHECK_EQ(shm_unlink(name_a), 0);
    cleanup();
}

int main(void)
{
    t_unique_name(name_a, "/minic-shm-", "a");
    t_unique_name(name_b, "/minic-shm-", "b");
    t_unique_name(link_name, "/minic-shm-", "link");
    cat_path(link_path, "/dev/shm/", link_name);
    cat_path(target_path, "/tmp/", link_name);
    cat_path(escape_path, "/tmp/", name_a);
    cleanup();
    RUN(test_create_share_unlink);
    RUN(test_flags);
    RUN(test_bad_names);
    RUN(test_no_symlinks);
    RUN(test_permissions);
    cleanup();
    return t_report("shm");
}
