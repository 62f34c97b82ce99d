/* expect: minic: free\(\): double free of 0x[0-9a-f]+ */
/* modes: guard */
/* A double free of a block in quarantine (its pages inaccessible). */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(5000);
    free(p);
    free(p);
    return 0;
}
