/* expect: minic: free\(\): double free of 0x[0-9a-f]+ */
/* modes: default */
/* A block freed, the bytes before it put back as they were while it was
 * live (an overflow from the block before), and freed again. The default
 * mode keeps a slot's state out of the block's reach; a mode with a header
 * before each block cannot tell a header restored byte for byte from a
 * live one (mmap and guard modes fault on the write: the block's mapping
 * is gone). */
#include <string.h>
#include <stdlib.h>
int main(void)
{
    char *a = malloc(24), *b = malloc(24);
    char saved[16];
    (void)a;
    memcpy(saved, b - 16, 16);
    free(b);
    memcpy(b - 16, saved, 16);
    free(b);
    return 0;
}
