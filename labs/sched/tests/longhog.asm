; Grader program (lab sched): CPU-bound — spins about 150 ms of CPU time without a system call, exits 0.
%include "ulib.inc"
section .text
global _start
_start:
    mov ecx, 150 * 50000
    call spin
    SYSCALL SYS_exit, 0
%include "spin.inc"
