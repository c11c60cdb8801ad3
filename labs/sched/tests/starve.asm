; Grader program (lab sched, "no-starvation"): starts a long CPU-bound hog, then three "busy"
; programs that keep the CPU saturated without ever using up a top-level slice; reaps all, exits 0.
%include "ulib.inc"
section .data
hog db "longhog", 0
busy db "busy", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, busy, 0
    SYSCALL SYS_spawn, busy, 0
    SYSCALL SYS_spawn, busy, 0
    mov ebx, 4
.reap:
    push ebx
    SYSCALL SYS_waitpid, -1, status, 0
    pop ebx
    dec ebx
    jnz .reap
    SYSCALL SYS_exit, 0
