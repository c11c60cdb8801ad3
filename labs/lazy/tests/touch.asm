; Grader program (labs/lazy/grader.ts, test "heap-on-touch"): grows the heap to 64 KiB past its first
; page boundary (base), writes one
; dword in each of those 16 pages, reads them back. Exit 0, or 1 if a value did not stay.
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
    mov edi, [base]
    mov ecx, 16
.check:
    cmp [edi], ecx
    jne .bad
    add edi, 4096
    loop .check
    SYSCALL SYS_exit, 0
.bad:
    SYSCALL SYS_exit, 1
