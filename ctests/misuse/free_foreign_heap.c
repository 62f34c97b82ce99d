/* expect: minic: free\(\): invalid pointer 0x[0-9a-f]+ */
#define _GNU_SOURCE /* MAP_ANONYMOUS in the host headers */
/* A block from another allocator's heap: memory minic did not map, with
 * plausible-looking bytes before the pointer. */
#include <stdlib.h>
#include <sys/mman.h>
int main(void)
{
    unsigned long *heap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    heap[0] = 0;
    heap[1] = 0x21; /* a glibc-style chunk size word */
    free(heap + 2);
    return 0;
}
