; Grader program (test "shrink-frees"): grows the heap by 64 KiB and touches every page; getpid
; (checkpoint A); shrinks the break back to where it started; getpid (checkpoint B); then touches a
; page of the given-back heap — which must kill the process with #PF.
%include "ulib.inc"
section .bss
start resd 1
base resd 1                             ; the first page boundary at or above start
section .text
global _start
_start:
    SYSCALL SYS_brk, 0
    mov [start], eax
    add eax, 4095                       ; the heap's first page may be shared with .bss (mapped
    and eax, ~4095                      ; already): count from the next page boundary
    mov [base], eax
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
