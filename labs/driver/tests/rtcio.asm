; Grader program (lab driver, "dev-read", "skeleton"): opens /dev/rtc, reads 4 bytes (the year),
; prints them and a newline, writes 1 byte (which the server refuses), sleeps 1.5 s of virtual time
; (IRQ 8 comes once a second), reads the whole date again and prints it. Exit 0, or 1 if open fails.
%include "ulib.inc"
section .data
dev     db "/dev/rtc", 0
nl      db 10
req     dd 1, 500000000
section .bss
buf     resb 64
fd      resd 1
section .text
global _start
_start:
    SYSCALL SYS_open, dev, O_RDWR
    test eax, eax
    js .fail
    mov [fd], eax
    SYSCALL SYS_read, [fd], buf, 4
    test eax, eax
    js .fail
    SYSCALL SYS_write, 1, buf, eax
    SYSCALL SYS_write, 1, nl, 1
    SYSCALL SYS_write, [fd], nl, 1
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_read, [fd], buf, 64
    test eax, eax
    js .fail
    SYSCALL SYS_write, 1, buf, eax
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
