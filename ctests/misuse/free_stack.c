/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    char buf[64];
    buf[0] = 0;
    free(buf + 32);
    return buf[0];
}
