; Grader program (test "user-program"): sleeps 50 ms, so the uptime is not 0, then runs your
; sysinfo.asm (the boot module "sysinfo") and exits with its status.
%include "ulib.inc"
section .bss
status resd 1
section .data
req dd 0, 50000000                      ; 50 ms
child db "sysinfo", 0
section .text
global _start
_start:
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_spawn, child, 0
    test eax, eax
    js .failed
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    test ebx, 0x7f
    jnz .failed                         ; killed
    shr ebx, 8
    and ebx, 0xff
    SYSCALL SYS_exit, ebx
.failed:
    SYSCALL SYS_exit, 99
