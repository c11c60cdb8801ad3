; cat [path…]: copies each file to stdout (stdin when no path is given) through a 4 KiB buffer.
; Errors go to stderr as "cat: <path>: <error>"; the exit status is then 1, else 0.
%include "ulib.inc"

BUF_SIZE equ 4096

section .data
s_cat   db "cat", 0
s_stdin db "-", 0
s_write db "write error", 0

section .bss
buf      resb BUF_SIZE
exitcode resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    cmp dword [ebp], 2
    jae .args
    mov esi, s_stdin
    mov ebx, STDIN
    call copy
    jmp .done
.args:
    mov ecx, 1
.next:
    cmp ecx, [ebp]
    jae .done
    mov esi, [ebp+4+ecx*4]
    push ecx
    SYSCALL SYS_open, esi, O_RDONLY, 0
    pop ecx
    test eax, eax
    js .failed
    mov ebx, eax
    call copy
    push ecx
    SYSCALL SYS_close, ebx
    pop ecx
    jmp .step
.failed:
    call report
.step:
    inc ecx
    jmp .next
.done:
    mov ebx, [exitcode]
    call ulib_exit

; copy: copies descriptor EBX to stdout until end of file; a read error is reported against the
; name ESI, a write error as "write error" (as GNU cat: the output failed, not the file). Preserves
; every register except EAX.
copy:
    push ebx
    push ecx
    push edx
    push edi
    mov edi, ebx                        ; EDI = the source fd
.again:
    SYSCALL SYS_read, edi, buf, BUF_SIZE
    test eax, eax
    jz .out
    js .error
    mov edx, eax
    mov ecx, buf
    mov ebx, STDOUT
    call ulib_write_all
    test eax, eax
    jns .again
    push esi
    mov esi, s_write
    call report
    pop esi
    jmp .out
.error:
    call report
.out:
    pop edi
    pop edx
    pop ecx
    pop ebx
    ret

; report: prints "cat: <ESI>: <message for EAX>" to stderr and sets exitcode to 1. Preserves every
; register except EAX.
report:
    push esi
    push edi
    mov edi, esi
    mov esi, s_cat
    call ulib_perror
    mov dword [exitcode], 1
    pop edi
    pop esi
    ret
