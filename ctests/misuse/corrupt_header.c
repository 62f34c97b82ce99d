/* expect: minic: free\(\): (corrupted header at|invalid pointer) 0x[0-9a-f]+ */
/* An underflow from the previous object: the bytes just before the payload
 * (a block with a header in every mode: the default mode's small blocks
 * have none, and nothing of the allocator's lies before them). */
#include <stdlib.h>
int main(void)
{
    unsigned char *p = malloc(100000);
    for (int i = 1; i <= 8; i++)
        p[-i] ^= 0x5a;
    free(p);
    return 0;
}
