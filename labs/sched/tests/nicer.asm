; Grader program (lab sched, "nice-bands"): starts a CPU-bound hog and a second one that first makes
; itself nicer (nice 5), reaps both, exits 0. The hog sinks to the bottom level within 15 ms; the nice
; one, still at the top level, must not run before the hog is done.
%include "ulib.inc"
section .data
hog db "hog", 0
nicehog db "nicehog", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, nicehog, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
