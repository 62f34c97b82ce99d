/*
 * A C program linked with -lminic: a parent and a child share memory
 * through a named POSIX shared memory object.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/minic-demo-shm-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        perror("shm_open");
        return 1;
    }
    ftruncate(fd, 4096);
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);

    pid_t child = fork();
    if (child == 0) {
        /* The child opens the object by name, as an unrelated process would. */
        int cfd = shm_open(name, O_RDWR, 0);
        char *mine = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        snprintf(mine, 4096, "hello from process %d", (int)getpid());
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("the parent reads what the child wrote: \"%s\"\n", shared);
    munmap(shared, 4096);
    shm_unlink(name);

    errno = 0;
    shm_open(name, O_RDWR, 0);
    printf("after shm_unlink, shm_open: %s\n", strerror(errno));
    errno = 0;
    shm_open("/../../tmp/escape", O_RDWR | O_CREAT, 0600);
    printf("shm_open(\"/../../tmp/escape\"): %s (nothing is created outside /dev/shm)\n",
           strerror(errno));
    return 0;
}
