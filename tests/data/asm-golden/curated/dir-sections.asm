; curated: org, sections, reservations
bits 32
org 0x100000
section .text
start:
    mov eax, [counter]
    mov ebx, buffer
    mov ecx, buffer_end - buffer
    mov edx, table
    mov esi, [table + 4]
    lea edi, [words + 2]
    mov dword [scratch], eax
    mov [scratch + 4], bx
    ret
section .data
counter: dd 0x11223344
table: dd start, counter, buffer, 0
words: dw 1, 2, 3
msg: db "data", 0
section .bss
buffer: resb 64
buffer_end:
scratch: resd 4
more: resw 3
tail: resb 1
section .text
after:
    mov eax, tail
    mov ebx, more
    jmp start
