/*
 * A hobby-OS style first program: its own _start, no C library at all, only
 * minic's freestanding archive. It exercises every area (the allocator,
 * mmap, a shared-memory object and a message queue) and reports
 * with write(). Built and run by `make demo` and `make check`; its stripped
 * size is the figure DESIGN.md gives (mk/check-size.sh measures it).
 *
 *   cc -nostdinc -isystem "$(cc -print-file-name=include)" -ffreestanding \
 *      -nostdlib -static -Os -Iinclude bringup.c build/freestanding/libminic.a
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void say(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    write(1, s, n);
}

static int fail(const char *what)
{
    say("bringup: FAILED: ");
    say(what);
    say("\n");
    return 1;
}

static int run(void)
{
    /* The allocator: a growing buffer and a few small blocks. */
    char *buf = malloc(16);
    if (!buf)
        return fail("malloc");
    for (int i = 1; i <= 8; i++) {
        char *grown = realloc(buf, (size_t)16 << i);
        if (!grown)
            return fail("realloc");
        buf = grown;
        buf[((size_t)16 << i) - 1] = (char)i;
    }
    free(buf);

    /* A private anonymous mapping. */
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return fail("mmap");
    page[4095] = 1;
    munmap(page, 4096);

    /* Shared memory: create, size, map, write, remove. */
    const char *name = "/minic-bringup";
    int fd = shm_open(name, O_CREAT | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0)
        return fail("shm_open");
    char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED)
        return fail("mmap of shm");
    memcpy(mem, "shared", 7);
    munmap(mem, 4096);
    close(fd);
    shm_unlink(name);

    /* A message queue: create, send, receive, remove. */
    struct mq_attr attr = {0};
    attr.mq_maxmsg = 4;
    attr.mq_msgsize = 32;
    mqd_t mq = mq_open("/minic-bringup", O_CREAT | O_RDWR, 0600, &attr);
    if (mq == (mqd_t)-1)
        return fail("mq_open");
    char msg[32];
    if (mq_send(mq, "hi", 3, 0) != 0 || mq_receive(mq, msg, sizeof msg, NULL) != 3 ||
        memcmp(msg, "hi", 3) != 0)
        return fail("mq_send/mq_receive");
    mq_close(mq);
    mq_unlink("/minic-bringup");

    say("bringup: allocator, mmap, shared memory and message queue work with no libc\n");
    return 0;
}

/* The entry point: the kernel's initial stack, no C runtime. */
void start_c(void) __attribute__((noreturn, used));
void start_c(void)
{
    _exit(run());
}

__attribute__((naked, noreturn)) void _start(void)
{
    __asm__ volatile("xor %ebp, %ebp\n\t"
                     "and $-16, %rsp\n\t"
                     "call start_c\n\t"
                     "hlt");
}
