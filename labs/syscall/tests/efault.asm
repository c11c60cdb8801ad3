; Grader program (test "sysinfo-efault"): sysinfo with pointers it may not write — NULL, kernel
; memory, the kernel half, the program's own read-only code, a struct running past the top of user
; memory — and then once with a good one. The grader checks every return value in the trace. Exit 0.
%include "ulib.inc"
section .bss
info resd 3
section .text
global _start
_start:
    SYSCALL SYS_sysinfo, 0
    SYSCALL SYS_sysinfo, 0x00100000
    SYSCALL SYS_sysinfo, 0xC0000000
    SYSCALL SYS_sysinfo, _start
    SYSCALL SYS_sysinfo, 0xBFFFFFF8
    SYSCALL SYS_sysinfo, info
    SYSCALL SYS_exit, 0
