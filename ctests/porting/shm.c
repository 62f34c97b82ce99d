/* shm_open and shm_unlink, for mk/check-porting.sh: what a port needs for them. */
#include <sys/mman.h>
#include <fcntl.h>
int main(void)
{
    return shm_open("/x", O_RDWR | O_CREAT, 0600) + shm_unlink("/x");
}
