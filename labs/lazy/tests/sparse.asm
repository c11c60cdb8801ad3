; Grader program (test "only-touched"): grows the heap by 1 MiB (256 pages), then touches three of
; them. getpid marks the moments the grader measures free memory at: after brk, after the touches.
%include "ulib.inc"
%include "heap.inc"
section .text
global _start
_start:
    call heap_init                      ; EAX = base
    lea ebx, [eax + 1024 * 1024]
    SYSCALL SYS_brk, ebx
    SYSCALL SYS_getpid                  ; checkpoint A: the heap is reserved, nothing touched
    mov edi, [base]
    mov dword [edi], 1
    mov dword [edi + 512 * 1024], 2
    mov dword [edi + 1024 * 1024 - 4], 3
    SYSCALL SYS_getpid                  ; checkpoint B: three pages touched
    SYSCALL SYS_exit, 0
