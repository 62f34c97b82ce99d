/*
 * A minimal start file for the freestanding ctests: no C library, no TLS,
 * no constructors. _start calls main(argc, argv, envp) and exits with its
 * result through exit_group. The kernel starts a program with argc at the
 * stack pointer, then argv[] and a null, then envp[].
 */
    .text
    .globl _start
    .type _start, %function
_start:
#if defined(__x86_64__)
    xor %ebp, %ebp
    mov (%rsp), %rdi          /* argc */
    lea 8(%rsp), %rsi         /* argv */
    lea 16(%rsp,%rdi,8), %rdx /* envp */
    and $-16, %rsp            /* the ABI's 16-byte stack alignment at the call */
    call main
    mov %eax, %edi
    mov $231, %eax            /* exit_group */
    syscall
    hlt
#elif defined(__aarch64__)
    mov x29, #0
    mov x30, #0
    ldr x0, [sp]              /* argc */
    add x1, sp, #8            /* argv */
    add x2, x1, x0, lsl #3
    add x2, x2, #8            /* envp */
    bl main                   /* sp is 16-byte aligned at entry */
    mov x8, #94               /* exit_group */
    svc #0
    brk #0
#elif defined(__riscv) && __riscv_xlen == 64
    .option push
    .option norelax
    lla gp, __global_pointer$ /* what the linker's gp relaxation assumes */
    .option pop
    ld a0, 0(sp)              /* argc */
    addi a1, sp, 8            /* argv */
    slli a2, a0, 3
    add a2, a2, a1
    addi a2, a2, 8            /* envp */
    andi sp, sp, -16
    call main
    li a7, 94                 /* exit_group */
    ecall
    ebreak
#elif defined(__i386__)
    xor %ebp, %ebp
    mov (%esp), %eax          /* argc */
    lea 4(%esp), %ecx         /* argv */
    lea 8(%esp,%eax,4), %edx  /* envp */
    and $-16, %esp
    sub $4, %esp              /* 16-byte alignment at the call, after 3 arguments */
    push %edx
    push %ecx
    push %eax
    call main
    mov %eax, %ebx
    mov $252, %eax            /* exit_group */
    int $0x80
    hlt
#else
#error "ctests/crt0.S: no start code for this architecture"
#endif
    .size _start, . - _start
    .section .note.GNU-stack,"",%progbits
