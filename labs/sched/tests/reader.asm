; Grader program (lab sched, "server-preempt", microkernel shape): starts two CPU-bound hogs, sleeps
; 40 ms (the hogs use up slices meanwhile), then reads /bin/sh through the file server — whose disk
; server is woken by IRQ 14 while a hog runs. Reaps the hogs, exits 0.
%include "ulib.inc"
section .data
hog db "hog", 0
file db "/bin/sh", 0
req dd 0, 40000000
status dd 0
section .bss
buf resb 512
section .text
global _start
_start:
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_open, file, 0
    test eax, eax
    js .fail
    mov ebx, eax
.read:
    push ebx
    SYSCALL SYS_read, ebx, buf, 512
    pop ebx
    test eax, eax
    jg .read
    js .fail
    SYSCALL SYS_close, ebx
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
