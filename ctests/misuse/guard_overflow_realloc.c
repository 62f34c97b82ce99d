/* expect: minic: realloc\(\): buffer overflow past the end of 0x[0-9a-f]+ */
/* modes: guard */
/* An overflow found when the block is resized (in place: same 16 bytes). */
#include <stdlib.h>
int main(void)
{
    char *p = malloc(20);
    p[22] = 'x';
    p = realloc(p, 24);
    free(p);
    return 0;
}
