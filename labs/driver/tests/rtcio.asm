; Grader program (lab driver, "dev-read", "skeleton"): opens /dev/rtc, reads 4 bytes (the year),
; prints them and a newline, writes 1 byte (which the server refuses), sleeps 1.5 s of virtual time
; in 15 naps of 100 ms (IRQ 8 comes once a second; the naps keep the machine's idle skips short, so the
; clock's interrupt is taken within 100 ms of its time), reads the whole date again and prints it.
; Exit 0, or 1 if open fails.
%include "ulib.inc"
section .data
dev     db "/dev/rtc", 0
nl      db 10
req     dd 0, 100000000
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
    mov ebx, 15
.nap:
    push ebx
    SYSCALL SYS_nanosleep, req, 0
    pop ebx
    dec ebx
    jnz .nap
    SYSCALL SYS_read, [fd], buf, 64
    test eax, eax
    js .fail
    SYSCALL SYS_write, 1, buf, eax
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
