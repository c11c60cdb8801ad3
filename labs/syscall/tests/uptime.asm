; Grader program (labs/syscall/grader.ts, test "uptime"): uptime, a 50 ms nanosleep, uptime again.
; The grader reads both results from the trace. Exit 0.
%include "ulib.inc"
section .data
req dd 0, 50000000                      ; 50 ms
section .text
global _start
_start:
    SYSCALL SYS_uptime
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_uptime
    SYSCALL SYS_exit, 0
