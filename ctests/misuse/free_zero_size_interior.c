/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(0);
    free(p + 8);
    return 0;
}
