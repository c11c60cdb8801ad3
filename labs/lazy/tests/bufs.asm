; Grader program (test "syscall-buffer"): hands the kernel buffers in pages never touched — one in
; the heap, one 64 KiB down the stack — for procinfo to fill, and prints the process name it wrote
; into each. Exit 0, or 1 / 2 if a call failed.
%include "ulib.inc"
section .bss
start resd 1
section .data
nl db 10, 0
section .text
global _start
_start:
    SYSCALL SYS_brk, 0
    mov [start], eax
    lea ebx, [eax + 16384]
    SYSCALL SYS_brk, ebx
    mov ebp, [start]
    add ebp, 8192                       ; an untouched heap page
    SYSCALL SYS_procinfo, 1, ebp
    cmp eax, 1
    jne .bad1
    lea esi, [ebp + 16]                 ; struct procinfo: name at offset 16
    call ulib_puts
    mov esi, nl
    call ulib_puts
    lea ebp, [esp - 65536]              ; an untouched stack page
    SYSCALL SYS_procinfo, 1, ebp
    cmp eax, 1
    jne .bad2
    lea esi, [ebp + 16]
    call ulib_puts
    mov esi, nl
    call ulib_puts
    SYSCALL SYS_exit, 0
.bad1:
    SYSCALL SYS_exit, 1
.bad2:
    SYSCALL SYS_exit, 2
