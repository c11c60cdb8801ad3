; hello: the classic Linux i386 NASM hello world. Runs unchanged on ringside and on Linux.
section .data
msg     db  "Hello, World!", 10
len     equ $ - msg

section .text
global _start
_start:
    mov eax, 4          ; write(
    mov ebx, 1          ;   stdout,
    mov ecx, msg        ;   msg,
    mov edx, len        ;   len)
    int 0x80

    mov eax, 1          ; exit(
    mov ebx, 0          ;   0)
    int 0x80
