/* expect: minic: free\(\): buffer overflow past the end of 0x[0-9a-f]+ */
/* modes: guard */
/* A terminating NUL one byte past a 13-byte block: in the tail padding,
 * whose canary free checks. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(13);
    p[13] = 0;
    free(p);
    return 0;
}
