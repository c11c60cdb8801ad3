; ls [path…]: lists each directory (default "/"), one entry per line, directories with a trailing
; "/". With several paths each listing starts with "<path>:" (and a blank line between listings).
; Errors go to stderr as "ls: <path>: <error>"; the exit status is then 1, else 0.
%include "ulib.inc"

OUT_MAX equ 2048

section .data
s_ls      db "ls", 0
s_root    db "/", 0
s_slash   db "/", 0
s_newline db 10, 0
s_header  db ":", 10, 0

section .bss
dents     resb IPC_MAX
outbuf    resb OUT_MAX
outlen    resd 1
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
    call out
    pop esi
.header:
    call out
    push esi
    mov esi, s_header
    call out
    pop esi
.one:
    call list
    inc ecx
    jmp .next
.done:
    call flush
    mov ebx, [exitcode]
    call ulib_exit

; list: writes the entries of the directory at path ESI (buffered, see out); on an error flushes,
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
    call out
    cmp byte [ebx+ecx-1], DT_DIR
    jne .eol
    mov esi, s_slash
    call out
.eol:
    mov esi, s_newline
    call out
    add ebx, ecx
    jmp .record
.failed_close:
    push eax
    SYSCALL SYS_close, edx
    pop eax
.failed:
    push eax
    call flush                          ; keep stdout and stderr in order
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

; out: appends the NUL-terminated string at ESI to the stdout buffer, flushing it when full.
; Preserves every register except EAX.
out:
    push ecx
    push esi
.next:
    mov al, [esi]
    test al, al
    jz .end
    mov ecx, [outlen]
    cmp ecx, OUT_MAX
    jb .room
    push eax                            ; flush returns write's result in EAX; keep AL
    call flush
    pop eax
    xor ecx, ecx
.room:
    mov [outbuf+ecx], al
    inc ecx
    mov [outlen], ecx
    inc esi
    jmp .next
.end:
    pop esi
    pop ecx
    ret

; flush: writes the buffered output to stdout and empties the buffer. Preserves every register
; except EAX.
flush:
    push ebx
    push ecx
    push edx
    mov edx, [outlen]
    test edx, edx
    jz .out
    mov ebx, STDOUT
    mov ecx, outbuf
    call ulib_write_all
    mov dword [outlen], 0
.out:
    pop edx
    pop ecx
    pop ebx
    ret
