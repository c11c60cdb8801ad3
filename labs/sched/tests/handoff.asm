; Grader program (lab sched, "handoff", microkernel shape): spins 20 ms (using up slices: it leaves
; the top level), starts a CPU-bound hog (top level), then reads /bin/sh through the file server.
; Each reply of the file server is a rendezvous that may hand the CPU straight back to this program,
; but the hog, ready and ranking strictly better, must get it. Reaps the hog, exits 0.
%include "ulib.inc"
section .data
hog db "hog", 0
status dd 0
section .text
global _start
_start:
    mov ecx, 20 * 50000
    call spin
    SYSCALL SYS_spawn, hog, 0
    call read_sh
    test eax, eax
    js .fail
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
%include "spin.inc"
%include "readsh.inc"
