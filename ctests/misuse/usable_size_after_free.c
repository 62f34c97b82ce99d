/* expect: minic: malloc_usable_size\(\): double free of 0x[0-9a-f]+ */
/* A freed block's size is asked for (the message calls every use of a freed block a double free). */
#include <stdlib.h>
#include <malloc.h>
int main(void)
{
    void *p = malloc(5000);
    free(p);
    return (int)malloc_usable_size(p);
}
