; echo [word…]: writes the words joined by single spaces, then "\n", to stdout (one write when the
; text fits the buffer; the argument text is at most 4 KiB). Exit 0, or 1 if stdout fails (with
; "echo: write error: <why>" on stderr, as GNU echo).
%include "ulib.inc"

BUF_SIZE equ 4096 + 64

section .data
s_echo  db "echo", 0
s_write db "write error", 0

section .bss
buf resb BUF_SIZE

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov edi, buf                        ; EDI = where the next byte goes
    mov ecx, 1
.word:
    cmp ecx, [ebp]
    jae .end
    cmp ecx, 1
    je .copy
    mov al, ' '
    call put
.copy:
    mov esi, [ebp+4+ecx*4]
.char:
    mov al, [esi]
    test al, al
    jz .next
    call put
    inc esi
    jmp .char
.next:
    inc ecx
    jmp .word
.end:
    mov al, 10
    call put
    call flush
    xor ebx, ebx
    test eax, eax
    jns .exit
    mov esi, s_echo
    mov edi, s_write
    call ulib_perror
    mov ebx, 1
.exit:
    call ulib_exit

; put: stores the byte AL at EDI and advances EDI, flushing the buffer first when it is full.
; Preserves every register except EAX (and EDI, the buffer pointer).
put:
    cmp edi, buf + BUF_SIZE
    jb .room
    push eax
    call flush
    pop eax
.room:
    mov [edi], al
    inc edi
    ret

; flush: writes buf … EDI to stdout and resets EDI to buf. EAX = ulib_write_all's result.
; Preserves every other register.
flush:
    push ebx
    push ecx
    push edx
    mov ebx, STDOUT
    mov ecx, buf
    mov edx, edi
    sub edx, ecx
    call ulib_write_all
    mov edi, buf
    pop edx
    pop ecx
    pop ebx
    ret
