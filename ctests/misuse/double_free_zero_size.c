/* expect: minic: free\(\): double free of 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    void *p = malloc(0);
    free(p);
    free(p);
    return 0;
}
