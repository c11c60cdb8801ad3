; The classic Linux i386 NASM hello world: write(1, msg, len), then exit(42).
; Runs under ringside (npx ringside run examples/hello.asm) and natively on Linux
; (npx ringside asm examples/hello.asm -f elf -o hello && ./hello).
section .data
msg:    db "Hello, World!", 10
len:    equ $ - msg

section .text
global _start
_start:
        mov eax, 4              ; write
        mov ebx, 1              ; stdout
        mov ecx, msg
        mov edx, len
        int 0x80
        mov eax, 1              ; exit
        mov ebx, 42
        int 0x80
