; Grader program (lab ipc, "errors"): ipc_call to ipcecho without a send right (-EPERM), then an
; ipc_call to it from a buffer in kernel memory 0xc0000000 (-EPERM again: rights first), a write of
; kernel memory to /dev/ipcecho (-EFAULT), then sleeps 20 ms so the servers' start-up shows. Exit 0.
%include "ulib.inc"
section .data
name    db "ipcecho", 0
dev     db "/dev/ipcecho", 0
req     dd 0, 20000000
section .bss
buf     resb 16
section .text
global _start
_start:
    SYSCALL SYS_ipc_lookup, name
    mov ebx, eax
    mov ecx, 2
    xor edx, edx
    xor ebp, ebp
    mov esi, buf
    mov edi, 4 | (16 << 16)
    mov eax, SYS_ipc_call
    int 0x80
    SYSCALL SYS_open, dev, O_RDWR
    SYSCALL SYS_write, eax, 0xc0000000, 16
    SYSCALL SYS_nanosleep, req, 0
    SYSCALL SYS_exit, 0
