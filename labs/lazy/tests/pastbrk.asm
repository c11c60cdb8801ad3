; Grader program (test "past-break"): grows the heap by 8 KiB, touches both pages, then touches a
; page two pages past the break — which must kill the process with #PF.
%include "ulib.inc"
section .bss
start resd 1
section .text
global _start
_start:
    SYSCALL SYS_brk, 0
    mov [start], eax
    lea ebx, [eax + 8192]
    SYSCALL SYS_brk, ebx
    mov edi, [start]
    mov dword [edi], 1
    mov dword [edi + 4096], 2
    mov dword [edi + 16384], 3          ; past the break: #PF, killed
    SYSCALL SYS_exit, 0
