/* expect: minic: realloc\(\): double free of 0x[0-9a-f]+ */
#include <stdlib.h>
int main(void)
{
    void *p = malloc(100);
    free(p);
    p = realloc(p, 200);
    return 0;
}
