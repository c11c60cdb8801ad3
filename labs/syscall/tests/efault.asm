; Grader program (test "sysinfo-efault"): sysinfo with pointers it may not write — NULL, kernel
; memory, the kernel half, the program's own read-only code, a struct running past the top of user
; memory — and then once with a good one. The grader checks every return value in the trace. Exit 0,
; or 1 if the call that failed on the struct running past the top still wrote its first 8 bytes
; (which are the program's own: a refused call writes nothing).
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
    mov dword [0xBFFFFFF8], 0x5EA1ED01  ; the part of that struct the program may write: marked
    mov dword [0xBFFFFFFC], 0x5EA1ED02
    SYSCALL SYS_sysinfo, 0xBFFFFFF8
    cmp dword [0xBFFFFFF8], 0x5EA1ED01
    jne .wrote
    cmp dword [0xBFFFFFFC], 0x5EA1ED02
    jne .wrote
    SYSCALL SYS_sysinfo, info
    SYSCALL SYS_exit, 0
.wrote:
    SYSCALL SYS_exit, 1
