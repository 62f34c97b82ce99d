/* <sys/mman.h>, for mk/check-porting.sh: what a port needs for it. */
#define _GNU_SOURCE
#include <sys/mman.h>
int main(void)
{
    char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char v;
    int r = mprotect(p, 4096, PROT_READ) + msync(p, 4096, MS_SYNC) + mlock(p, 1) + munlock(p, 1) +
            mlockall(MCL_CURRENT) + munlockall() + madvise(p, 4096, MADV_NORMAL) +
            posix_madvise(p, 4096, POSIX_MADV_NORMAL) + mincore(p, 4096, &v) + memfd_create("x", 0);
    p = mremap(p, 4096, 8192, MREMAP_MAYMOVE);
    return r + munmap(p, 8192);
}
