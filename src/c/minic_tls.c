/*
 * The default allocator's per-thread heap pointer, for the hosted library:
 * stable Rust has no #[thread_local], so the variable lives here. The
 * initial-exec model makes every access one load from the thread pointer,
 * with no call to __tls_get_addr (which may allocate), and works in a
 * preloaded libminic.so. Hidden; the __minic_ prefix keeps it out of the API.
 */
static __thread void *heap __attribute__((tls_model("initial-exec")));

__attribute__((visibility("hidden"))) void *__minic_tls_heap(void)
{
    return heap;
}

__attribute__((visibility("hidden"))) void __minic_tls_set_heap(void *h)
{
    heap = h;
}
