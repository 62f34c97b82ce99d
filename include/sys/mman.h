/*
 * minic <sys/mman.h>: memory mappings and shared memory objects.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/sys_mman.h.html
 *
 * Beside a system C library this header includes the system's own
 * <sys/mman.h> (which declares everything minic provides, shm_open and
 * shm_unlink included, with the same Linux values) and adds nothing.
 * Standing alone (freestanding, or with MINIC_STANDALONE defined) it
 * declares minic's interface itself.
 */
#ifndef MINIC_SYS_MMAN_H
#define MINIC_SYS_MMAN_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<sys/mman.h>)
#define MINIC_SYS_MMAN_FROM_HOST 1
#endif
#endif

#ifdef MINIC_SYS_MMAN_FROM_HOST
#include_next <sys/mman.h>
#else

#include <minic/types.h>

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#ifdef __x86_64__
#define MAP_32BIT 0x40
#endif
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_HUGETLB 0x40000
#define MAP_SYNC 0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_FAILED ((void *)-1)

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_HWPOISON 100

#define POSIX_MADV_NORMAL 0
#define POSIX_MADV_RANDOM 1
#define POSIX_MADV_SEQUENTIAL 2
#define POSIX_MADV_WILLNEED 3
#define POSIX_MADV_DONTNEED 4

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#define MFD_HUGETLB 0x0004U
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U

MINIC_BEGIN_DECLS

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
/* A 64-bit offset: off_t itself on LP64 targets, long long on x86. */
#if __SIZEOF_LONG__ == 4
void *mmap64(void *addr, size_t length, int prot, int flags, int fd, long long offset);
#else
void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
#endif
int munmap(void *addr, size_t length);
void *mremap(void *old_address, size_t old_size, size_t new_size, int flags, ...);
int mprotect(void *addr, size_t length, int prot);
int msync(void *addr, size_t length, int flags);
int mlock(const void *addr, size_t length);
int munlock(const void *addr, size_t length);
int mlockall(int flags);
int munlockall(void);
int madvise(void *addr, size_t length, int advice);
int posix_madvise(void *addr, size_t length, int advice);
int mincore(void *addr, size_t length, unsigned char *vec);
int memfd_create(const char *name, unsigned int flags);
int shm_open(const char *name, int oflag, mode_t mode);
int shm_unlink(const char *name);

MINIC_END_DECLS

#endif /* MINIC_SYS_MMAN_FROM_HOST */
#endif /* MINIC_SYS_MMAN_H */
