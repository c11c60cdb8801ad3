; rm <path…>: removes each file (unlink). Errors go to stderr as "rm: <path>: <error>" (a
; directory gives "Is a directory"); the exit status is then 1, else 0.
%include "ulib.inc"

section .data
s_rm    db "rm", 0
s_usage db "usage: rm <path...>", 10, 0

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    cmp dword [ebp], 2
    jb .usage
    xor edi, edi                        ; EDI = exit status
    mov ecx, 1
.next:
    cmp ecx, [ebp]
    jae .done
    mov esi, [ebp+4+ecx*4]
    mov ebx, esi
    mov eax, SYS_unlink
    int 0x80
    test eax, eax
    jns .step
    push edi
    mov edi, esi
    mov esi, s_rm
    call ulib_perror
    pop edi
    mov edi, 1
.step:
    inc ecx
    jmp .next
.done:
    mov ebx, edi
    call ulib_exit
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
