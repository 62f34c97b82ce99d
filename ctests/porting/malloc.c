/* The malloc family, for mk/check-porting.sh: what a port needs for it. */
#include <stdlib.h>
#include <malloc.h>
int main(void)
{
    void *p = malloc(10), *q = calloc(2, 8), *r = aligned_alloc(64, 64), *s = NULL;
    p = realloc(p, 100);
    int e = posix_memalign(&s, 32, 10);
    size_t n = malloc_usable_size(p);
    free(p), free(q), free(r), free(s);
    return e + (int)n;
}
