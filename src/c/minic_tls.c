/*
 * The hosted library's thread-local heap slot on architectures whose
 * initial-exec TLS sequence minic does not write in Rust's asm! (x86, and
 * any other: src/port/arch/mod.rs). The C compiler knows the sequence;
 * initial-exec keeps __tls_get_addr, which may allocate, out of malloc.
 */
static __thread void *minic_heap_tls __attribute__((tls_model("initial-exec")));

void *__minic_tls_heap(void) { return minic_heap_tls; }

void __minic_set_tls_heap(void *heap) { minic_heap_tls = heap; }
