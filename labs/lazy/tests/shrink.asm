; Grader program (test "shrink-frees"): grows the heap by 64 KiB and touches every page; getpid
; (checkpoint A); shrinks the break back to where it started; getpid (checkpoint B); then touches a
; page of the given-back heap — which must kill the process with #PF.
%include "ulib.inc"
%include "heap.inc"
section .text
global _start
_start:
    call heap_init                      ; EAX = base
    lea ebx, [eax + 65536]
    SYSCALL SYS_brk, ebx
    mov edi, [base]
    mov ecx, 16
.fill:
    mov [edi], ecx
    add edi, 4096
    loop .fill
    SYSCALL SYS_getpid                  ; checkpoint A
    SYSCALL SYS_brk, [start]
    SYSCALL SYS_getpid                  ; checkpoint B
    mov edi, [base]
    mov dword [edi + 8192], 1           ; no longer heap: #PF, killed
    SYSCALL SYS_exit, 0
