; Grader program (lab driver, "privileges"): an ordinary program that reads the CMOS data port.
; It has no I/O ports, so `in` raises #GP and the kernel kills it (vector 13). Exit 2 if it survives.
%include "ulib.inc"
section .text
global _start
_start:
    mov al, 0x00
    out 0x70, al
    in al, 0x71
    SYSCALL SYS_exit, 2
