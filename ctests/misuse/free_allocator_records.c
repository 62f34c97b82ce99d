/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
/* A pointer into the allocator's own records: in the default mode, the
 * first piece of the chunk that holds a small block (told apart without
 * reading it; elsewhere an address minic never handed out). */
#include <stdint.h>
#include <stdlib.h>
#if __STDC_HOSTED__
#define CHUNK ((uintptr_t)4 << 20)
#else
#define CHUNK ((uintptr_t)256 << 10)
#endif
int main(void)
{
    char *p = malloc(24);
    uintptr_t chunk = (uintptr_t)p & ~(CHUNK - 1);
    free((void *)(chunk + 4096 + 256));
    return 0;
}
