/* expect: minic: malloc_usable_size\(\): invalid pointer 0x[0-9a-f]+ */
#include <stdlib.h>
#include <malloc.h>
int main(void)
{
    static char object[64];
    return (int)malloc_usable_size(object + 16);
}
