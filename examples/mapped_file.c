/*
 * A C program linked with -lminic: maps an anonymous region and a file,
 * changes protections, and shows each error minic reports through errno.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    size_t page = 4096;
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    strcpy(p, "hello from a minic mapping");
    printf("anonymous mapping at %p: \"%s\"\n", (void *)p, p);

    p = mremap(p, 2 * page, 8 * page, MREMAP_MAYMOVE);
    printf("grown to 8 pages at %p, contents kept: \"%s\"\n", (void *)p, p);
    mprotect(p, 8 * page, PROT_READ);
    printf("now read-only; posix_madvise(POSIX_MADV_DONTNEED) keeps data: %d, \"%s\"\n",
           posix_madvise(p, page, POSIX_MADV_DONTNEED), p);
    munmap(p, 8 * page);

    int fd = memfd_create("minic-demo", MFD_CLOEXEC);
    ftruncate(fd, (off_t)page);
    char *shared = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    strcpy(shared, "written through a shared mapping");
    msync(shared, page, MS_SYNC);
    char back[64] = {0};
    pread(fd, back, sizeof back - 1, 0);
    printf("memfd read back: \"%s\"\n", back);
    munmap(shared, page);
    close(fd);

    errno = 0;
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap of length 0: %s, errno %d (%s)\n", bad == MAP_FAILED ? "MAP_FAILED" : "?",
           errno, strerror(errno));
    errno = 0;
    bad = mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap of SIZE_MAX bytes: errno %d (%s)\n", errno, strerror(errno));
    return 0;
}
