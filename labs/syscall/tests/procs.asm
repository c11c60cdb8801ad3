; Grader program (test "sysinfo-procs"): the process count from sysinfo before spawning, with two
; children alive, and after both were reaped; prints the three counts. Exit 0.
%include "ulib.inc"
section .bss
info resd 3
status resd 1
section .data
child db "napper", 0
space db " ", 0
nl db 10, 0
section .text
global _start
_start:
    call count
    SYSCALL SYS_spawn, child, 0
    SYSCALL SYS_spawn, child, 0
    mov esi, space
    call ulib_puts
    call count
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_waitpid, -1, status, 0
    mov esi, space
    call ulib_puts
    call count
    mov esi, nl
    call ulib_puts
    SYSCALL SYS_exit, 0
; count: prints sysinfo's process count (or 999 if the call failed).
count:
    SYSCALL SYS_sysinfo, info
    mov ecx, 999
    test eax, eax
    jnz .print
    mov ecx, [info + 8]
.print:
    mov eax, ecx
    call ulib_putdec
    ret
