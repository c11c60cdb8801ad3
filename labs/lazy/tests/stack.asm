; Grader program (test "stack-grows"): uses 64 KiB of stack, one page at a time, going down, then
; returns it. Exit 0, or 1 if a value did not stay.
%include "ulib.inc"
section .text
global _start
_start:
    mov ecx, 16
.down:
    sub esp, 4096
    mov [esp], ecx
    loop .down
    mov ecx, 1
.up:
    cmp [esp], ecx
    jne .bad
    add esp, 4096
    inc ecx
    cmp ecx, 16
    jbe .up
    SYSCALL SYS_exit, 0
.bad:
    SYSCALL SYS_exit, 1
