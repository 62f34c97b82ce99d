/* expect: minic: free_aligned_sized\(\): invalid pointer 0x[0-9a-f]+ */
/* free_aligned_sized with an alignment the block does not have. */
#include <stdlib.h>
int main(void)
{
    char *p = aligned_alloc(64, 64);
    free_aligned_sized(p + 16, 64, 48);
    return 0;
}
