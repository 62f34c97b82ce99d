/* expect: minic: free\(\): (corrupted header at|invalid pointer) 0x[0-9a-f]+ */
/* An aligned block's header, overwritten by a write just before the payload. */
#include <stdlib.h>
int main(void)
{
    unsigned char *p = aligned_alloc(4096, 100000);
    p[-3] ^= 0x10;
    free(p);
    return 0;
}
