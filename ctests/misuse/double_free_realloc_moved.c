/* expect: minic: free\(\): double free of 0x[0-9a-f]+ */
/* realloc moved the block (another block keeps it from growing in place):
 * the old pointer is freed, and freeing it again is a double free. */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(32);
    char *keep = malloc(32);
    char *q = realloc(p, 1 << 20);
    if (q == p)
        return 2;
    free(p);
    free(q);
    free(keep);
    return 0;
}
