; Grader program: a child for "sysinfo-procs" — sleeps 20 ms of virtual time, then exits 0.
%include "ulib.inc"
section .data
req dd 0, 20000000
section .text
global _start
_start:
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_exit, 0
