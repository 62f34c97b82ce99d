/* expect: minic: realloc\(\): invalid pointer 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    char buf[64];
    buf[0] = 1;
    void *p = realloc(buf + 16, 100);
    return p != NULL && buf[0];
}
