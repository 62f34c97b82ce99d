/* expect: minic: free_sized\(\): size larger than the block at 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    void *p = malloc(100);
    free_sized(p, 1 << 20);
    return 0;
}
