/* expect: minic: free\(\): (invalid pointer|corrupted header at) 0x[0-9a-f]+ */
/* The bytes before a block copied inside another block, and that interior
 * pointer freed: still no block. */
#include <string.h>
#include <stdlib.h>
int main(void)
{
    char *a = malloc(128), *p = malloc(128);
    (void)a;
    memcpy(p + 56, p - 8, 8);
    memcpy(p + 48, p - 16, 16);
    free(p + 64);
    return 0;
}
