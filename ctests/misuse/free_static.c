/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
#include <stdlib.h>
static char object[256];
int main(void)
{
    free(object + 64);
    return 0;
}
