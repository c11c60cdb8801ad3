; Grader program (labs/lazy/grader.ts, test "heap-on-touch"): grows the heap to 64 KiB past its first
; page boundary (base), writes one dword in each of those 16 pages, reads them back. Exit 0, or 1 if
; a value did not stay.
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
