; ls [path…]: lists each directory (default ".", the current directory), one entry per line,
; directories with a trailing "/". With several paths each listing starts with "<path>:" (and a
; blank line between listings).
; Errors go to stderr as "ls: <path>: <error>"; the exit status is then 1, else 0.
%include "ulib.inc"
%include "bufout.inc"

section .data
s_ls      db "ls", 0
s_root    db ".", 0                 ; the current directory
s_slash   db "/", 0
s_newline db 10, 0
s_header  db ":", 10, 0

section .bss
dents     resb IPC_MAX
exitcode  resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    cmp dword [ebp], 2
    jae .args
    mov esi, s_root
    call list
    jmp .done
.args:
    mov ecx, 1
.next:
    cmp ecx, [ebp]
    jae .done
    mov esi, [ebp+4+ecx*4]
    cmp dword [ebp], 3
    jb .one                             ; a single path: no header
    cmp ecx, 1
    je .header
    push esi
    mov esi, s_newline
    call bufout_puts
    pop esi
.header:
    call bufout_puts
    push esi
    mov esi, s_header
    call bufout_puts
    pop esi
.one:
    call list
    inc ecx
    jmp .next
.done:
    call bufout_flush
    mov ebx, [exitcode]
    call ulib_exit

; list: writes the entries of the directory at path ESI (buffered: bufout.inc); on an error flushes,
; prints "ls: <path>: <error>" and sets exitcode to 1. Preserves every register except EAX.
list:
    push ebx
    push ecx
    push edx
    push esi
    push edi
    push ebp
    mov ebp, esi                        ; EBP = the path
    SYSCALL SYS_open, ebp, O_RDONLY | O_DIRECTORY, 0
    test eax, eax
    js .failed
    mov edx, eax                        ; EDX = fd
.batch:
    push edx
    SYSCALL SYS_getdents, edx, dents, IPC_MAX
    pop edx
    test eax, eax
    js .failed_close
    jz .close
    mov ebx, dents                      ; EBX = this record
    lea edi, [dents+eax]                ; EDI = end of the records
.record:
    cmp ebx, edi
    jae .batch
    movzx ecx, word [ebx+linux_dirent.d_reclen]
    test ecx, ecx
    jz .batch                           ; a malformed record: take the next batch
    lea esi, [ebx+linux_dirent.d_name]
    call bufout_puts
    cmp byte [ebx+ecx-1], DT_DIR
    jne .eol
    mov esi, s_slash
    call bufout_puts
.eol:
    mov esi, s_newline
    call bufout_puts
    add ebx, ecx
    jmp .record
.failed_close:
    push eax
    SYSCALL SYS_close, edx
    pop eax
.failed:
    push eax
    call bufout_flush                          ; keep stdout and stderr in order
    pop eax
    mov esi, s_ls
    mov edi, ebp
    call ulib_perror
    mov dword [exitcode], 1
    jmp .out
.close:
    SYSCALL SYS_close, edx
.out:
    pop ebp
    pop edi
    pop esi
    pop edx
    pop ecx
    pop ebx
    ret
