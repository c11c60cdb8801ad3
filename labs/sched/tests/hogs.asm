; Grader program (lab sched, "demotion", "boost", "fair-share"): starts three CPU-bound hogs and
; reaps them, exits 0.
%include "ulib.inc"
section .data
hog db "hog", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
