/*
 * A reference port of minic to a kernel that is not Linux: one process,
 * one thread, no MMU, and all memory in one static arena of ARENA_BYTES
 * (-DARENA_BYTES=, 16 MiB unless set). Every minic_sys_* function of
 * PORTING.md is here:
 *
 * - memory: mmap takes whole pages of the arena (first fit) and zeroes
 *   them; munmap gives them back; mprotect, mlock and msync check the range
 *   and change nothing (no MMU); madvise(MADV_DONTNEED) zeroes the pages.
 *   Pages in use are counted (arena.h), so a test can check what the
 *   allocator takes from a kernel that commits what it maps;
 * - shared memory: in-memory objects under "/dev/shm/<name>" (and memfd
 *   objects with no name), each one run of pages that every MAP_SHARED
 *   mapping returns as it is;
 * - message queues in memory; a wait that no other thread could end is
 *   reported, not slept through (ETIMEDOUT with a timeout, else EDEADLK);
 * - one descriptor table for objects and queues (0, 1 and 2 are the
 *   console);
 * - from the host Linux only write (to fds 1 and 2) and exit_group.
 *
 * Compile it freestanding (-ffreestanding -fno-stack-protector -fno-builtin):
 * it needs nothing but memcpy and memset, which minic provides.
 */
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

#ifndef ARENA_BYTES
#define ARENA_BYTES (16UL << 20)
#endif
#define PAGE 4096UL
#define PAGES (ARENA_BYTES / PAGE)
_Static_assert(ARENA_BYTES % PAGE == 0 && ARENA_BYTES > 0, "ARENA_BYTES: a positive multiple of 4096");

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* Linux's error numbers, which minic expects (returned negated). */
enum {
    E_PERM = 1, E_NOENT = 2, E_SRCH = 3, E_BADF = 9, E_AGAIN = 11, E_NOMEM = 12,
    E_ACCES = 13, E_BUSY = 16, E_EXIST = 17, E_NODEV = 19, E_INVAL = 22, E_MFILE = 24,
    E_NOSPC = 28, E_DEADLK = 35, E_NAMETOOLONG = 36, E_NOSYS = 38, E_MSGSIZE = 90,
    E_NXIO = 6, E_TIMEDOUT = 110, E_NFILE = 23, E_FAULT = 14,
};

/* Flag values of the Linux x86_64 ABI, which minic passes. */
enum {
    O_ACCMODE_ = 3, O_RDONLY_ = 0, O_WRONLY_ = 1, O_RDWR_ = 2, O_CREAT_ = 0x40, O_EXCL_ = 0x80,
    O_TRUNC_ = 0x200, O_NONBLOCK_ = 0x800, O_CLOEXEC_ = 0x80000,
    PROT_READ_ = 1, PROT_WRITE_ = 2, PROT_EXEC_ = 4,
    MAP_SHARED_ = 1, MAP_PRIVATE_ = 2, MAP_SHARED_VALIDATE_ = 3, MAP_TYPE_ = 0xf,
    MAP_FIXED_ = 0x10, MAP_ANONYMOUS_ = 0x20, MAP_FIXED_NOREPLACE_ = 0x100000,
    MREMAP_MAYMOVE_ = 1, MREMAP_FIXED_ = 2,
    MS_ASYNC_ = 1, MS_INVALIDATE_ = 2, MS_SYNC_ = 4,
    MCL_CURRENT_ = 1, MCL_FUTURE_ = 2, MCL_ONFAULT_ = 4,
    MADV_DONTNEED_ = 4, MADV_FREE_ = 8, MADV_REMOVE_ = 9,
    F_DUPFD_ = 0, F_GETFD_ = 1, F_SETFD_ = 2, F_GETFL_ = 3, F_SETFL_ = 4, F_DUPFD_CLOEXEC_ = 1030,
    FUTEX_CMD_ = 0x7f, FUTEX_WAIT_ = 0, FUTEX_WAKE_ = 1,
    SIGEV_SIGNAL_ = 0, SIGEV_NONE_ = 1, SIGEV_THREAD_ = 2,
    SIGABRT_ = 6, NSIG_ = 64, MQ_PRIO_MAX_ = 32768, NAME_MAX_ = 255,
};

/* The two calls this port makes to the host Linux (x86_64), each with its
 * number in the instruction (mk/check-arena.sh checks there are no others). */
static long host_write(long fd, const void *buf, size_t len)
{
    long ret;
    __asm__ volatile("mov $1, %%eax\n\tsyscall" : "=a"(ret) : "D"(fd), "S"(buf), "d"(len) : "rcx", "r11", "memory");
    return ret;
}

static void host_exit_group(long status)
{
    for (;;)
        __asm__ volatile("mov $231, %%eax\n\tsyscall" : : "D"(status) : "rax", "rcx", "r11", "memory");
}

/* ---- pages ------------------------------------------------------------ */

static unsigned char arena[ARENA_BYTES] __attribute__((aligned(PAGE)));

enum { FREE, ANON, OBJECT, QUEUE };
static unsigned char page_kind[PAGES];
/* For OBJECT pages: the object's index. */
static unsigned short page_object[PAGES];
static size_t pages_used, pages_peak;

size_t arena_pages_in_use(void) { return pages_used; }
size_t arena_pages_peak(void) { return pages_peak; }
size_t arena_pages_total(void) { return PAGES; }

static size_t pages_for(size_t len) { return len / PAGE + (len % PAGE != 0); }

/* The page index of addr if the range [addr, addr + len) lies in the arena, else -1. */
static long page_of(const void *addr, size_t len)
{
    uintptr_t a = (uintptr_t)addr, base = (uintptr_t)arena;
    if (a < base || a - base > ARENA_BYTES || len > ARENA_BYTES - (a - base))
        return -1;
    return (long)((a - base) / PAGE);
}

static int run_is_free(size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++)
        if (page_kind[i] != FREE)
            return 0;
    return 1;
}

/* The first run of n free pages, or -1. */
static long find_run(size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < PAGES; i++) {
        run = page_kind[i] == FREE ? run + 1 : 0;
        if (run == n)
            return (long)(i + 1 - n);
    }
    return -1;
}

static void take(size_t first, size_t n, unsigned char kind)
{
    for (size_t i = first; i < first + n; i++)
        page_kind[i] = kind;
    memset(arena + first * PAGE, 0, n * PAGE);
    pages_used += n;
    if (pages_used > pages_peak)
        pages_peak = pages_used;
}

static void give_back(size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++)
        if (page_kind[i] != FREE) {
            page_kind[i] = FREE;
            pages_used--;
        }
}

/* Every page of the range is in use (by anything). */
static int all_used(size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++)
        if (page_kind[i] == FREE)
            return 0;
    return 1;
}

/* ---- shared memory objects ---------------------------------------------- */

enum { OBJECTS = 64 };
static struct object {
    int used;
    int named;          /* has a name under /dev/shm (not unlinked, not memfd) */
    char name[NAME_MAX_ + 1];
    unsigned mode;
    size_t size;        /* bytes */
    size_t first, pages; /* its storage */
    int opens, maps;
} objects[OBJECTS];

static void object_drop_if_unused(struct object *o)
{
    if (o->used && !o->named && o->opens == 0 && o->maps == 0) {
        if (o->pages)
            give_back(o->first, o->pages);
        o->used = 0;
    }
}

/* Grows or shrinks the object's storage to hold size bytes. */
static long object_resize(struct object *o, size_t size)
{
    size_t want = pages_for(size);
    if (size > ARENA_BYTES)
        return -E_NOSPC;
    if (want > o->pages) {
        size_t more = want - o->pages;
        if (o->pages && o->first + want <= PAGES && run_is_free(o->first + o->pages, more)) {
            take(o->first + o->pages, more, OBJECT);
        } else if (o->maps) {
            return -E_NOMEM; /* mapped: without an MMU the storage cannot move */
        } else {
            long first = find_run(want);
            if (first < 0)
                return -E_NOSPC;
            take((size_t)first, want, OBJECT);
            if (o->pages) {
                memcpy(arena + (size_t)first * PAGE, arena + o->first * PAGE, o->size);
                give_back(o->first, o->pages);
            }
            o->first = (size_t)first;
        }
        for (size_t i = o->first; i < o->first + want; i++)
            page_object[i] = (unsigned short)(o - objects);
        o->pages = want;
    } else if (want < o->pages && o->maps == 0) {
        give_back(o->first + want, o->pages - want);
        o->pages = want;
    }
    /* Bytes past the end read as zero when the object grows again. */
    if (size < o->size)
        memset(arena + o->first * PAGE + size, 0, o->pages * PAGE - size);
    o->size = size;
    return 0;
}

/* ---- message queues ------------------------------------------------------- */

enum { QUEUES = 32 };
struct message {
    unsigned long long seq;
    unsigned prio, len;
};
static struct queue {
    int used, named;
    char name[NAME_MAX_ + 1];
    long maxmsg, msgsize, count;
    unsigned long long next_seq;
    size_t first, pages; /* the message slots */
    int opens;
    int notify;          /* a SIGEV_NONE registration is in place */
} queues[QUEUES];

static size_t slot_size(const struct queue *q) { return sizeof(struct message) + (size_t)q->msgsize; }
static struct message *slot(const struct queue *q, long i)
{
    return (struct message *)(arena + q->first * PAGE + (size_t)i * slot_size(q));
}

static void queue_drop_if_unused(struct queue *q)
{
    if (q->used && !q->named && q->opens == 0) {
        give_back(q->first, q->pages);
        q->used = 0;
    }
}

/* ---- descriptors ------------------------------------------------------------ */

enum { FILES = 64, FIRST_FD = 3 };
enum { NONE, CONSOLE, OBJECT_FD, QUEUE_FD };
static struct file {
    int kind, index, flags, cloexec;
} files[FILES] = {{CONSOLE, 0, O_RDONLY_, 0}, {CONSOLE, 0, O_WRONLY_, 0}, {CONSOLE, 0, O_WRONLY_, 0}};

static struct file *file_of(int fd)
{
    if (fd < 0 || fd >= FILES || files[fd].kind == NONE)
        return 0;
    return &files[fd];
}

static long new_fd(int from, struct file f)
{
    for (int fd = from < FIRST_FD ? FIRST_FD : from; fd < FILES; fd++)
        if (files[fd].kind == NONE) {
            files[fd] = f;
            if (f.kind == OBJECT_FD)
                objects[f.index].opens++;
            else if (f.kind == QUEUE_FD)
                queues[f.index].opens++;
            return fd;
        }
    return -E_MFILE;
}

static int same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static size_t name_length(const char *s)
{
    size_t n = 0;
    while (s[n] && n <= NAME_MAX_)
        n++;
    return n;
}

static void copy_name(char *dst, const char *src)
{
    size_t n = name_length(src);
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* The object name of a path "/dev/shm/<name>", or 0 for any other path. */
static const char *shm_name(const char *path)
{
    static const char prefix[] = "/dev/shm/";
    for (size_t i = 0; i < sizeof prefix - 1; i++)
        if (path[i] != prefix[i])
            return 0;
    const char *name = path + sizeof prefix - 1;
    for (const char *p = name; *p; p++)
        if (*p == '/')
            return 0;
    return *name ? name : 0;
}

/* The checks of an open by name, objects and queues alike: 0 to open the
 * one found, 1 to create it, or -errno. */
static long open_by_name(const char *name, int flags, int found)
{
    if (name_length(name) > NAME_MAX_)
        return -E_NAMETOOLONG;
    if ((flags & O_ACCMODE_) == O_ACCMODE_)
        return -E_INVAL;
    if (found)
        return (flags & O_CREAT_) && (flags & O_EXCL_) ? -E_EXIST : 0;
    return flags & O_CREAT_ ? 1 : -E_NOENT;
}

static struct object *find_object(const char *name)
{
    for (int i = 0; i < OBJECTS; i++)
        if (objects[i].used && objects[i].named && same_name(objects[i].name, name))
            return &objects[i];
    return 0;
}

static struct object *new_object(void)
{
    for (int i = 0; i < OBJECTS; i++)
        if (!objects[i].used) {
            struct object *o = &objects[i];
            memset(o, 0, sizeof *o);
            o->used = 1;
            return o;
        }
    return 0;
}

/* ---- memory --------------------------------------------------------------- */

long minic_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    int type = flags & MAP_TYPE_;
    /* No MMU: access is not enforced (and, as on Linux, unknown prot bits are ignored). */
    if (len == 0 || (type != MAP_SHARED_ && type != MAP_PRIVATE_ && type != MAP_SHARED_VALIDATE_))
        return -E_INVAL;
    if ((uintptr_t)off % PAGE || ((flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) && (uintptr_t)addr % PAGE))
        return -E_INVAL;
    size_t n = pages_for(len);
    if (len > ARENA_BYTES)
        return -E_NOMEM;

    struct object *o = 0;
    if (!(flags & MAP_ANONYMOUS_)) {
        struct file *f = file_of(fd);
        if (!f)
            return -E_BADF;
        if (f->kind != OBJECT_FD)
            return -E_NODEV;
        if ((f->flags & O_ACCMODE_) == O_WRONLY_ ||
            (type != MAP_PRIVATE_ && (prot & PROT_WRITE_) && (f->flags & O_ACCMODE_) != O_RDWR_))
            return -E_ACCES;
        o = &objects[f->index];
        if (type != MAP_PRIVATE_) {
            /* No MMU: the mapping is the object's own storage, as it is. */
            if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_))
                return -E_INVAL;
            if ((size_t)off > o->pages * PAGE || n > o->pages - (size_t)off / PAGE)
                return -E_NXIO;
            o->maps++;
            return (long)(arena + o->first * PAGE + (size_t)off);
        }
    }

    /* Fresh pages: where asked (MAP_FIXED*), at the hint if it is free, else the first fit. */
    long first = -1;
    long at = page_of(addr, n * PAGE);
    if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) {
        if (at < 0)
            return -E_NOMEM;
        if (!run_is_free((size_t)at, n)) {
            if (flags & MAP_FIXED_NOREPLACE_)
                return -E_EXIST;
            for (size_t i = (size_t)at; i < (size_t)at + n; i++)
                if (page_kind[i] != ANON)
                    return -E_INVAL; /* replacing shared or kernel pages: not on this kernel */
            give_back((size_t)at, n);
        }
        first = at;
    } else if (at >= 0 && (uintptr_t)addr % PAGE == 0 && run_is_free((size_t)at, n)) {
        first = at;
    } else {
        first = find_run(n);
    }
    if (first < 0)
        return -E_NOMEM;
    take((size_t)first, n, ANON);
    if (o && (size_t)off < o->size) {
        size_t copy = o->size - (size_t)off < len ? o->size - (size_t)off : len;
        memcpy(arena + (size_t)first * PAGE, arena + o->first * PAGE + (size_t)off, copy);
    }
    return (long)(arena + (size_t)first * PAGE);
}

long minic_sys_munmap(void *addr, size_t len)
{
    if ((uintptr_t)addr % PAGE || len == 0)
        return -E_INVAL;
    long at = page_of(addr, pages_for(len) * PAGE);
    if (at < 0)
        return 0; /* nothing of ours is mapped there */
    size_t first = (size_t)at, n = pages_for(len);
    int seen = -1;
    for (size_t i = first; i < first + n; i++) {
        if (page_kind[i] == ANON) {
            give_back(i, 1);
        } else if (page_kind[i] == OBJECT && page_object[i] != seen) {
            /* One mapping of the object ends. */
            seen = page_object[i];
            struct object *o = &objects[seen];
            if (o->maps > 0)
                o->maps--;
            object_drop_if_unused(o);
        }
    }
    return 0;
}

long minic_sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
    (void)new_addr;
    if ((uintptr_t)old % PAGE || new_len == 0 || (flags & ~(MREMAP_MAYMOVE_ | MREMAP_FIXED_)))
        return -E_INVAL;
    if (flags & MREMAP_FIXED_)
        return -E_NOSYS;
    size_t on = pages_for(old_len), nn = pages_for(new_len);
    long at = page_of(old, on * PAGE);
    if (on == 0)
        return -E_INVAL;
    if (at < 0)
        return -E_FAULT;
    for (size_t i = (size_t)at; i < (size_t)at + on; i++) {
        if (page_kind[i] == FREE)
            return -E_FAULT; /* nothing mapped there */
        if (page_kind[i] != ANON)
            return -E_INVAL; /* shared objects cannot move without an MMU */
    }
    if (nn <= on) {
        give_back((size_t)at + nn, on - nn);
        return (long)old;
    }
    if ((size_t)at + nn <= PAGES && run_is_free((size_t)at + on, nn - on)) {
        take((size_t)at + on, nn - on, ANON);
        return (long)old;
    }
    if (!(flags & MREMAP_MAYMOVE_))
        return -E_NOMEM;
    long first = find_run(nn);
    if (first < 0)
        return -E_NOMEM;
    take((size_t)first, nn, ANON);
    memcpy(arena + (size_t)first * PAGE, old, on * PAGE);
    give_back((size_t)at, on);
    return (long)(arena + (size_t)first * PAGE);
}

/* A page-aligned range of mapped pages: 0, or the error of mprotect & co. */
static long check_mapped(const void *addr, size_t len)
{
    if ((uintptr_t)addr % PAGE)
        return -E_INVAL;
    if (len == 0)
        return 0;
    long at = page_of(addr, pages_for(len) * PAGE);
    if (at < 0 || !all_used((size_t)at, pages_for(len)))
        return -E_NOMEM;
    return 0;
}

long minic_sys_mprotect(void *addr, size_t len, int prot)
{
    if (prot & ~(PROT_READ_ | PROT_WRITE_ | PROT_EXEC_))
        return -E_INVAL;
    return check_mapped(addr, len); /* no MMU: access is not enforced */
}

long minic_sys_msync(void *addr, size_t len, int flags)
{
    if ((flags & ~(MS_ASYNC_ | MS_INVALIDATE_ | MS_SYNC_)) || (flags & (MS_ASYNC_ | MS_SYNC_)) == (MS_ASYNC_ | MS_SYNC_))
        return -E_INVAL;
    return check_mapped(addr, len); /* objects live in memory: nothing to write back */
}

long minic_sys_mlock(const void *addr, size_t len)
{
    uintptr_t a = (uintptr_t)addr & ~(PAGE - 1);
    return check_mapped((const void *)a, len + ((uintptr_t)addr - a));
}

long minic_sys_munlock(const void *addr, size_t len) { return minic_sys_mlock(addr, len); }

long minic_sys_mlockall(int flags)
{
    if (flags == 0 || (flags & ~(MCL_CURRENT_ | MCL_FUTURE_ | MCL_ONFAULT_)) || flags == MCL_ONFAULT_)
        return -E_INVAL;
    return 0; /* every page is resident */
}

long minic_sys_munlockall(void) { return 0; }

long minic_sys_madvise(void *addr, size_t len, int advice)
{
    /* The advice values Linux knows (0-4, 8-25); any other is EINVAL. */
    if (advice < 0 || (advice > 4 && advice < 8) || advice > 25)
        return -E_INVAL;
    long r = check_mapped(addr, len);
    if (r != 0 || len == 0)
        return r;
    if (advice == MADV_DONTNEED_ || advice == MADV_FREE_ || advice == MADV_REMOVE_) {
        /* Private pages read as zero afterwards; an object's pages keep their bytes. */
        size_t first = (size_t)page_of(addr, len);
        for (size_t i = first; i < first + pages_for(len); i++)
            if (page_kind[i] == ANON)
                memset(arena + i * PAGE, 0, PAGE);
    }
    return 0; /* the other advice is a hint this kernel ignores */
}

long minic_sys_mincore(void *addr, size_t len, unsigned char *vec)
{
    long r = check_mapped(addr, len);
    if (r != 0)
        return r;
    for (size_t i = 0; i < pages_for(len); i++)
        vec[i] = 1; /* every mapped page is resident */
    return 0;
}

long minic_sys_memfd_create(const char *name, unsigned flags)
{
    if (!name)
        return -E_FAULT;
    /* Linux's limits: MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB; 249 bytes of name. */
    if ((flags & ~0x7u) || name_length(name) > 249)
        return -E_INVAL;
    struct object *o = new_object();
    if (!o)
        return -E_NFILE;
    o->mode = 0600;
    struct file f = {OBJECT_FD, (int)(o - objects), O_RDWR_, (flags & 1) != 0};
    long fd = new_fd(0, f);
    object_drop_if_unused(o);
    return fd;
}

/* No program break on this kernel: it never moves. */
static unsigned char break_point;
long minic_sys_brk(void *addr)
{
    (void)addr;
    return (long)&break_point;
}

long minic_sys_prlimit64(int pid, int resource, const void *new_limit, void *old_limit)
{
    (void)pid, (void)resource, (void)new_limit, (void)old_limit;
    return -E_NOSYS;
}

/* ---- files ------------------------------------------------------------- */

long minic_sys_openat(int dirfd, const char *path, int flags, unsigned mode)
{
    (void)dirfd;
    const char *name = shm_name(path);
    if (!name)
        return -E_NOENT; /* this kernel has no other files */
    struct object *o = find_object(name);
    long how = open_by_name(name, flags, o != 0);
    if (how < 0)
        return how;
    if (how == 1) {
        o = new_object();
        if (!o)
            return -E_NFILE;
        o->named = 1;
        o->mode = mode & 07777;
        copy_name(o->name, name);
    } else if ((flags & O_TRUNC_) && (flags & O_ACCMODE_) != O_RDONLY_) {
        long r = object_resize(o, 0);
        if (r)
            return r;
    }
    struct file f = {OBJECT_FD, (int)(o - objects), flags & (O_ACCMODE_ | O_NONBLOCK_), (flags & O_CLOEXEC_) != 0};
    return new_fd(0, f);
}

long minic_sys_unlinkat(int dirfd, const char *path, int flags)
{
    (void)dirfd, (void)flags;
    const char *name = shm_name(path);
    struct object *o = name ? find_object(name) : 0;
    if (!o)
        return -E_NOENT;
    o->named = 0;
    object_drop_if_unused(o);
    return 0;
}

long minic_sys_close(int fd)
{
    struct file *f = file_of(fd);
    if (!f)
        return -E_BADF;
    if (f->kind == OBJECT_FD) {
        objects[f->index].opens--;
        object_drop_if_unused(&objects[f->index]);
    } else if (f->kind == QUEUE_FD) {
        struct queue *q = &queues[f->index];
        q->opens--;
        q->notify = 0; /* the registering process closed a descriptor of the queue */
        queue_drop_if_unused(q);
    }
    f->kind = NONE;
    return 0;
}

long minic_sys_ftruncate(int fd, long len)
{
    struct file *f = file_of(fd);
    if (!f)
        return -E_BADF;
    if (f->kind != OBJECT_FD || (f->flags & O_ACCMODE_) == O_RDONLY_ || len < 0)
        return -E_INVAL;
    return object_resize(&objects[f->index], (size_t)len);
}

long minic_sys_fstat(int fd, void *st)
{
    struct file *f = file_of(fd);
    if (!f)
        return -E_BADF;
    unsigned char *s = st;
    memset(s, 0, 144); /* Linux's x86_64 struct stat */
    uint32_t mode = 0;
    uint64_t nlink = 1, size = 0, blksize = PAGE, blocks = 0;
    if (f->kind == OBJECT_FD) {
        const struct object *o = &objects[f->index];
        mode = 0100000 | o->mode; /* S_IFREG */
        nlink = o->named;
        size = o->size;
        blocks = o->pages * (PAGE / 512);
    } else if (f->kind == QUEUE_FD) {
        mode = 0100000 | 0600;
    } else {
        mode = 0020000 | 0620; /* S_IFCHR: the console */
    }
    memcpy(s + 16, &nlink, 8);
    memcpy(s + 24, &mode, 4);
    memcpy(s + 48, &size, 8);
    memcpy(s + 56, &blksize, 8);
    memcpy(s + 64, &blocks, 8);
    return 0;
}

long minic_sys_fcntl(int fd, int cmd, long arg)
{
    struct file *f = file_of(fd);
    if (!f)
        return -E_BADF;
    switch (cmd) {
    case F_DUPFD_:
    case F_DUPFD_CLOEXEC_: {
        if (arg < 0 || arg >= FILES)
            return -E_INVAL;
        struct file copy = *f;
        copy.cloexec = cmd == F_DUPFD_CLOEXEC_;
        return new_fd((int)arg, copy);
    }
    case F_GETFD_:
        return f->cloexec;
    case F_SETFD_:
        f->cloexec = (int)(arg & 1);
        return 0;
    case F_GETFL_:
        return f->flags;
    case F_SETFL_:
        f->flags = (f->flags & ~O_NONBLOCK_) | (int)(arg & O_NONBLOCK_);
        return 0;
    default:
        return -E_INVAL;
    }
}

long minic_sys_write(int fd, const void *buf, size_t len)
{
    struct file *f = file_of(fd);
    if (!f || (f->flags & O_ACCMODE_) == O_RDONLY_)
        return -E_BADF;
    if (f->kind != CONSOLE)
        return -E_INVAL; /* objects are written through their mappings */
    return host_write(fd, buf, len);
}

/* ---- process, signals, threads --------------------------------------------- */

long minic_sys_exit_group(int status)
{
    host_exit_group(status);
    return 0;
}

long minic_sys_getpid(void) { return 1; }
long minic_sys_gettid(void) { return 1; }

/* No signals: SIGABRT's default action (the end of the process, status
 * 128 + 6 as a shell reports it) is carried out here; 0 probes. */
long minic_sys_tgkill(int tgid, int tid, int sig)
{
    if (sig < 0 || sig > NSIG_)
        return -E_INVAL;
    if (tgid != 1 || tid != 1)
        return -E_SRCH;
    if (sig == 0)
        return 0;
    if (sig == SIGABRT_)
        minic_sys_exit_group(128 + SIGABRT_);
    return -E_NOSYS;
}

long minic_sys_rt_sigprocmask(int how, const void *set, void *old, size_t size)
{
    (void)how, (void)set, (void)old, (void)size;
    return -E_NOSYS;
}

long minic_sys_rt_sigaction(int sig, const void *act, void *old, size_t size)
{
    (void)sig, (void)act, (void)old, (void)size;
    return -E_NOSYS;
}

/* One thread: a lock is never contended, and a wait could never end. */
long minic_sys_futex(const uint32_t *uaddr, int op, uint32_t val, const void *timeout, const uint32_t *uaddr2, uint32_t val3)
{
    (void)timeout, (void)uaddr2, (void)val3;
    switch (op & FUTEX_CMD_) {
    case FUTEX_WAIT_:
        return *uaddr != val ? -E_AGAIN : timeout ? -E_TIMEDOUT : -E_DEADLK;
    case FUTEX_WAKE_:
        return 0;
    default:
        return -E_NOSYS;
    }
}

/* No entropy source: minic falls back to its own (PORTING.md, Entropy). */
long minic_sys_getrandom(void *buf, size_t len, unsigned flags)
{
    (void)buf, (void)len, (void)flags;
    return -E_NOSYS;
}

long minic_sys_clock_gettime(int clock, void *tp)
{
    (void)clock, (void)tp;
    return -E_NOSYS;
}

long minic_sys_socket(int domain, int type, int protocol)
{
    (void)domain, (void)type, (void)protocol;
    return -E_NOSYS;
}

long minic_sys_recvfrom(int fd, void *buf, size_t len, int flags, void *from, unsigned *fromlen)
{
    (void)fd, (void)buf, (void)len, (void)flags, (void)from, (void)fromlen;
    return -E_NOSYS;
}

/* ---- message queues ------------------------------------------------------------ */

/* Linux's struct mq_attr and struct timespec on x86_64. */
struct mq_attr_ {
    long flags, maxmsg, msgsize, curmsgs, reserved[4];
};
struct timespec_ {
    long sec, nsec;
};

static struct queue *find_queue(const char *name)
{
    for (int i = 0; i < QUEUES; i++)
        if (queues[i].used && queues[i].named && same_name(queues[i].name, name))
            return &queues[i];
    return 0;
}

long minic_sys_mq_open(const char *name, int oflag, unsigned mode, const void *attr)
{
    (void)mode;
    struct queue *q = find_queue(name);
    long how = open_by_name(name, oflag, q != 0);
    if (how < 0)
        return how;
    if (how == 1) {
        long maxmsg = ARENA_MQ_MSG_DEFAULT, msgsize = ARENA_MQ_MSGSIZE_DEFAULT;
        if (attr) {
            const struct mq_attr_ *a = attr;
            if (a->maxmsg <= 0 || a->msgsize <= 0 || a->maxmsg > ARENA_MQ_MSG_MAX || a->msgsize > ARENA_MQ_MSGSIZE_MAX)
                return -E_INVAL;
            maxmsg = a->maxmsg;
            msgsize = a->msgsize;
        }
        for (int i = 0; i < QUEUES && !q; i++)
            if (!queues[i].used)
                q = &queues[i];
        if (!q)
            return -E_NFILE;
        memset(q, 0, sizeof *q);
        q->maxmsg = maxmsg;
        q->msgsize = msgsize;
        q->pages = pages_for((size_t)maxmsg * slot_size(q));
        long first = find_run(q->pages);
        if (first < 0)
            return -E_NOMEM;
        take((size_t)first, q->pages, QUEUE);
        q->first = (size_t)first;
        q->used = q->named = 1;
        copy_name(q->name, name);
    }
    struct file f = {QUEUE_FD, (int)(q - queues), oflag & (O_ACCMODE_ | O_NONBLOCK_), 1};
    long fd = new_fd(0, f);
    queue_drop_if_unused(q);
    return fd;
}

long minic_sys_mq_unlink(const char *name)
{
    if (name_length(name) > NAME_MAX_)
        return -E_NAMETOOLONG;
    struct queue *q = find_queue(name);
    if (!q)
        return -E_NOENT;
    q->named = 0;
    queue_drop_if_unused(q);
    return 0;
}

/* What a wait on this one-thread kernel comes to: no other thread could
 * ever end it. Linux checks the timeout before anything else. */
static long wait_result(const void *timeout)
{
    return timeout ? -E_TIMEDOUT : -E_DEADLK;
}

static long check_timeout(const void *timeout)
{
    const struct timespec_ *t = timeout;
    if (t && (t->nsec < 0 || t->nsec >= 1000000000L || t->sec < 0))
        return -E_INVAL;
    return 0;
}

static struct queue *queue_of(int mqd, int *flags)
{
    struct file *f = file_of(mqd);
    if (!f || f->kind != QUEUE_FD)
        return 0;
    *flags = f->flags;
    return &queues[f->index];
}

/* The queue of a send (refused mode O_RDONLY) or a receive (O_WRONLY),
 * after Linux's checks of the timeout and the descriptor; 0 with *err set
 * if one fails. */
static struct queue *queue_for(int mqd, int refused_mode, const void *timeout, int *flags, long *err)
{
    *err = check_timeout(timeout);
    if (*err)
        return 0;
    struct queue *q = queue_of(mqd, flags);
    if (!q || (*flags & O_ACCMODE_) == refused_mode) {
        *err = -E_BADF;
        return 0;
    }
    return q;
}

long minic_sys_mq_timedsend(int mqd, const char *msg, size_t len, unsigned prio, const void *timeout)
{
    int flags;
    long err;
    if (prio >= MQ_PRIO_MAX_)
        return -E_INVAL;
    struct queue *q = queue_for(mqd, O_RDONLY_, timeout, &flags, &err);
    if (!q)
        return err;
    if (len > (size_t)q->msgsize)
        return -E_MSGSIZE;
    if (q->count == q->maxmsg)
        return flags & O_NONBLOCK_ ? -E_AGAIN : wait_result(timeout);
    long i = 0;
    while (slot(q, i)->seq != 0)
        i++;
    struct message *m = slot(q, i);
    m->seq = ++q->next_seq;
    m->prio = prio;
    m->len = (unsigned)len;
    memcpy(m + 1, msg, len);
    /* A message on an empty queue ends a registration (SIGEV_NONE: nothing to send). */
    if (q->count++ == 0)
        q->notify = 0;
    return 0;
}

long minic_sys_mq_timedreceive(int mqd, char *msg, size_t len, unsigned *prio, const void *timeout)
{
    int flags;
    long err;
    struct queue *q = queue_for(mqd, O_WRONLY_, timeout, &flags, &err);
    if (!q)
        return err;
    if (len < (size_t)q->msgsize)
        return -E_MSGSIZE;
    if (q->count == 0)
        return flags & O_NONBLOCK_ ? -E_AGAIN : wait_result(timeout);
    /* The oldest message of the highest priority. */
    struct message *best = 0;
    for (long i = 0; i < q->maxmsg; i++) {
        struct message *m = slot(q, i);
        if (m->seq && (!best || m->prio > best->prio || (m->prio == best->prio && m->seq < best->seq)))
            best = m;
    }
    long n = best->len;
    memcpy(msg, best + 1, best->len);
    if (prio)
        *prio = best->prio;
    best->seq = 0;
    q->count--;
    return n;
}

/* Linux's struct sigevent: the value, then sigev_signo and sigev_notify. */
struct sigevent_ {
    void *value;
    int signo, notify;
};

long minic_sys_mq_notify(int mqd, const void *sev)
{
    int flags;
    struct queue *q = queue_of(mqd, &flags);
    const struct sigevent_ *ev = sev;
    if (ev && ev->notify != SIGEV_NONE_ && ev->notify != SIGEV_SIGNAL_ && ev->notify != SIGEV_THREAD_)
        return -E_INVAL;
    if (ev && ev->notify == SIGEV_SIGNAL_ && (ev->signo < 0 || ev->signo > NSIG_))
        return -E_INVAL;
    if (!q)
        return -E_BADF;
    if (!ev) {
        q->notify = 0;
        return 0;
    }
    if (q->notify)
        return -E_BUSY;
    if (ev->notify != SIGEV_NONE_)
        return -E_NOSYS; /* no signals, no notification threads */
    q->notify = 1;
    return 0;
}

long minic_sys_mq_getsetattr(int mqd, const void *new_attr, void *old_attr)
{
    int flags;
    struct queue *q = queue_of(mqd, &flags);
    if (!q)
        return -E_BADF;
    const struct mq_attr_ *n = new_attr;
    if (n && (n->flags & ~(long)O_NONBLOCK_))
        return -E_INVAL;
    if (old_attr) {
        struct mq_attr_ *o = old_attr;
        memset(o, 0, sizeof *o);
        o->flags = flags & O_NONBLOCK_;
        o->maxmsg = q->maxmsg;
        o->msgsize = q->msgsize;
        o->curmsgs = q->count;
    }
    if (n) {
        struct file *f = file_of(mqd);
        f->flags = (f->flags & ~O_NONBLOCK_) | (int)(n->flags & O_NONBLOCK_);
    }
    return 0;
}
