; Grader program (lab sched, "nice-bands"): sets its own nice value to 5, then spins about 100 ms of
; CPU time without a system call, exits 0 (1 if setpriority failed).
%include "ulib.inc"
section .text
global _start
_start:
    SYSCALL SYS_setpriority, PRIO_PROCESS, 0, 5
    test eax, eax
    jnz .fail
    mov ecx, 100 * 50000
    call spin
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
%include "spin.inc"
