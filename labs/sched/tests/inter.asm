; Grader program (lab sched, "interactive"): starts two CPU-bound hogs, then 20 times sleeps 3 ms
; and does a moment of work (getpid); reaps the hogs, exits 0. The grader measures how late each
; nanosleep returns after its 3 ms are up.
%include "ulib.inc"
section .data
hog db "hog", 0
req dd 0, 3000000
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    mov ebx, 20
.loop:
    push ebx
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_getpid
    pop ebx
    dec ebx
    jnz .loop
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
