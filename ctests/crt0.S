/*
 * A minimal start file for the freestanding ctests: no C library, no TLS,
 * no constructors. _start calls main(argc, argv, envp) and exits with its
 * result through exit_group.
 */
    .text
    .globl _start
    .type _start, @function
_start:
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
    .size _start, . - _start
    .section .note.GNU-stack,"",@progbits
