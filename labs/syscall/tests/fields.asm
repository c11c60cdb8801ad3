; Grader program (test "sysinfo-fields"): sleeps 50 ms (so the uptime is not 0), sysinfo into
; `info` (.bss), then prints the three fields as "uptime free procs" in decimal. Exit 0, or 1 if
; sysinfo did not return 0.
%include "ulib.inc"
section .bss
info resd 3
section .data
req dd 0, 50000000                      ; 50 ms
space db " ", 0
nl db 10, 0
section .text
global _start
_start:
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_sysinfo, info
    test eax, eax
    jnz .bad
    mov eax, [info]
    call ulib_putdec
    mov esi, space
    call ulib_puts
    mov eax, [info + 4]
    call ulib_putdec
    mov esi, space
    call ulib_puts
    mov eax, [info + 8]
    call ulib_putdec
    mov esi, nl
    call ulib_puts
    SYSCALL SYS_exit, 0
.bad:
    SYSCALL SYS_exit, 1
