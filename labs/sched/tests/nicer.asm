; Grader program (lab sched, "nice-bands"): starts two CPU-bound hogs and a third one that first makes
; itself nicer (nice 5), reaps all three, exits 0. The two hogs take turns and sink to the bottom
; level; the nice one, still at the top level, must not run again before both are done.
%include "ulib.inc"
section .data
hog db "hog", 0
nicehog db "nicehog", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, nicehog, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
