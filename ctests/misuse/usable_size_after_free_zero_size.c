/* expect: minic: malloc_usable_size\(\): double free of 0x[0-9a-f]+ */
/* A freed zero-size block's size is asked for. */
#include <stdlib.h>
#include <malloc.h>
int main(void)
{
    void *p = malloc(0);
    free(p);
    return (int)malloc_usable_size(p);
}
