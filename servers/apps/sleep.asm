; sleep seconds: waits that many seconds (a whole number; nanosleep). Exit 0; a bad argument is
; "sleep: <arg>: Invalid argument" and exit 1.
%include "ulib.inc"

section .data
s_sleep db "sleep", 0
s_usage db "usage: sleep seconds", 10, 0

section .bss
req resd 2                              ; struct timespec

section .text
global _start
_start:
    mov ebp, esp
    cmp dword [ebp], 2
    jne .usage
    mov esi, [ebp+8]
    call ulib_atoi
    jc .bad
    test eax, eax
    js .bad
    mov [req], eax
    SYSCALL SYS_nanosleep, req, 0
    xor ebx, ebx
    call ulib_exit
.bad:
    mov edi, esi
    mov esi, s_sleep
    mov eax, -EINVAL
    call ulib_perror
    mov ebx, 1
    call ulib_exit
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
