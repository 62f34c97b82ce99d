/* expect: minic: free\(\): double free of 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    void *p = aligned_alloc(256, 1000);
    free(p);
    free(p);
    return 0;
}
