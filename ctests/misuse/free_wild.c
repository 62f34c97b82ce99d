/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
/* A pointer into no mapping at all: told apart without reading it. */
#include <stdlib.h>
int main(void)
{
    free((void *)0x100000000000);
    return 0;
}
