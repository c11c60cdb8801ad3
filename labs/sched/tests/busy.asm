; Grader program (lab sched, "no-starvation"): almost CPU-bound but never uses up a 5 ms slice —
; 30 rounds of spinning 4 ms then sleeping 1 ms (each sleep is a getpid-free block), exits 0.
%include "ulib.inc"
section .data
req dd 0, 1000000
section .text
global _start
_start:
    mov ebx, 30
.round:
    push ebx
    mov ecx, 4 * 50000
    call spin
    SYSCALL SYS_nanosleep, req, 0
    pop ebx
    dec ebx
    jnz .round
    SYSCALL SYS_exit, 0
%include "spin.inc"
