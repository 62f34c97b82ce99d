/* expect: minic: free\(\): (invalid pointer|corrupted header at) 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(128);
    free(p + 32);
    return 0;
}
