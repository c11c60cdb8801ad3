; Grader program (lab sched, "server-preempt", microkernel shape): starts two CPU-bound hogs, sleeps
; 40 ms (the hogs use up slices meanwhile), then reads /bin/sh through the file server — whose disk
; server is woken by IRQ 14 while a hog runs. Reaps the hogs, exits 0.
%include "ulib.inc"
section .data
hog db "hog", 0
req dd 0, 40000000
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_nanosleep, req, 0
    call read_sh
    test eax, eax
    js .fail
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
%include "readsh.inc"
