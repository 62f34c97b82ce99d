/* expect: minic: free\(\): (corrupted header at|invalid pointer) 0x[0-9a-f]+ */
/* An underflow from the previous object: the bytes just before the payload. */
#include <stdlib.h>
int main(void)
{
    unsigned char *p = malloc(48);
    for (int i = 1; i <= 8; i++)
        p[-i] ^= 0x5a;
    free(p);
    return 0;
}
