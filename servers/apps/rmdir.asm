; rmdir dir…: removes each directory (it must be empty). Errors go to stderr as
; "rmdir: <dir>: <error>" and make the exit status 1; no argument is a usage error (exit 1).
%include "ulib.inc"

section .data
s_name  db "rmdir", 0
s_usage db "usage: rmdir dir...", 10, 0

section .bss
exitcode resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    cmp dword [ebp], 2
    jb .usage
    mov ecx, 1
.next:
    cmp ecx, [ebp]
    jae .done
    mov edi, [ebp+4+ecx*4]
    push ecx
    SYSCALL SYS_rmdir, edi, 0x1ed          ; (mode 0755: ignored)
    pop ecx
    test eax, eax
    jns .ok
    mov esi, s_name
    call ulib_perror
    mov dword [exitcode], 1
.ok:
    inc ecx
    jmp .next
.done:
    mov ebx, [exitcode]
    call ulib_exit
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
