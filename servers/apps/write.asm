; write <path> [word…]: writes the words joined by single spaces, plus "\n", to the file at path
; (created if missing, truncated otherwise; short writes are retried).
; Errors go to stderr as "write: <path>: <error>" with exit status 1; success is 0.
%include "ulib.inc"

BUF_SIZE equ 4096 + 64                  ; the argument text is at most 4 KiB

section .data
s_write db "write", 0
s_usage db "usage: write <path> [word...]", 10, 0

section .bss
buf resb BUF_SIZE

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    cmp dword [ebp], 2
    jb .usage
    mov edi, buf                        ; build the text: EDI = where the next byte goes
    mov ecx, 2
.word:
    cmp ecx, [ebp]
    jae .end
    cmp ecx, 2
    je .copy
    mov byte [edi], ' '
    inc edi
.copy:
    mov esi, [ebp+4+ecx*4]
.char:
    cmp edi, buf + BUF_SIZE - 1         ; keep room for the newline
    jae .end
    mov al, [esi]
    test al, al
    jz .next
    mov [edi], al
    inc edi
    inc esi
    jmp .char
.next:
    inc ecx
    jmp .word
.end:
    mov byte [edi], 10
    inc edi
    sub edi, buf                        ; EDI = the text's length
    mov esi, [ebp+8]                    ; ESI = the path
    SYSCALL SYS_open, esi, O_WRONLY | O_CREAT | O_TRUNC, 0o644
    test eax, eax
    js .failed
    mov ebx, eax                        ; EBX = fd
    mov ecx, buf
    mov edx, edi
    call ulib_write_all
    test eax, eax
    js .failed_close
    SYSCALL SYS_close, ebx
    test eax, eax
    js .failed
    xor ebx, ebx
    call ulib_exit
.failed_close:
    push eax
    SYSCALL SYS_close, ebx
    pop eax
.failed:
    mov edi, esi
    mov esi, s_write
    call ulib_perror
    mov ebx, 1
    call ulib_exit
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
