; date: prints the date and time the real-time clock keeps, "YYYY-MM-DD HH:MM:SS" (UTC), read from
; the rtc device server (/dev/rtc; servers/rtc.asm). Exit 0, or 1 with a message if the device cannot
; be opened or read. Written in the `driver` lab (labs/driver/README.md).
%include "ulib.inc"

section .data
me      db "date", 0
dev     db "/dev/rtc", 0

section .bss
buf     resb 64

section .text
global _start
_start:
; LAB driver: BEGIN
    SYSCALL SYS_open, dev, O_RDONLY
    test eax, eax
    js .fail
    mov ebx, eax
    SYSCALL SYS_read, ebx, buf, 64
    test eax, eax
    js .fail
    SYSCALL SYS_write, 1, buf, eax
    SYSCALL SYS_exit, 0
.fail:
    mov esi, me
    mov edi, dev
    call ulib_perror
    SYSCALL SYS_exit, 1
; LAB driver: HANDOUT
;     ; TODO(lab driver): see LAB.md — open /dev/rtc, read the date, write it to stdout.
;     mov eax, -ENOSYS
;     mov esi, me
;     mov edi, dev
;     call ulib_perror
;     SYSCALL SYS_exit, 1
; LAB driver: END
