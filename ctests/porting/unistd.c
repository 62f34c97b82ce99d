/* The freestanding <unistd.h>, for mk/check-porting.sh: what a port needs for it. */
#include <unistd.h>
int main(void)
{
    int r = (int)write(1, "x", 1) + ftruncate(3, 0) + close(3);
    _exit(r);
}
