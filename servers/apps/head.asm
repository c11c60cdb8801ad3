; head [-n N | -N] [file…]: prints the first N lines (default 10) of each file (stdin when no file
; is given); with several files each is headed "==> <file> <==" (a blank line between). Errors go
; to stderr as "head: <file>: <error>" and make the exit status 1.
%include "ulib.inc"
%include "bufin.inc"
%include "bufout.inc"

section .data
s_head  db "head", 0
s_hd1   db "==> ", 0
s_hd2   db " <==", 10, 0
s_usage db "usage: head [-n lines] [file...]", 10, 0

section .bss
lines    resd 1
nfiles   resd 1
exitcode resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov dword [lines], 10
    mov ecx, 1
    cmp ecx, [ebp]
    jae .args
    mov esi, [ebp+8]
    cmp byte [esi], '-'
    jne .args
    cmp word [esi], '-n'
    jne .dash_number
    cmp byte [esi+2], 0
    jne .attached
    cmp dword [ebp], 3                  ; -n N
    jb .usage
    mov esi, [ebp+12]
    mov ecx, 3
    jmp .number
.attached:                              ; -nN
    add esi, 2
    mov ecx, 2
    jmp .number
.dash_number:                           ; -N
    cmp byte [esi+1], 0
    je .args                            ; "-" is a file name (stdin)
    inc esi
    mov ecx, 2
.number:
    call ulib_atoi
    jc .usage
    test eax, eax
    js .usage
    mov [lines], eax
.args:
    mov edx, [ebp]
    sub edx, ecx
    mov [nfiles], edx
    jnz .files
    mov ebx, STDIN
    call head
    jmp .done
.files:
    cmp ecx, [ebp]
    jae .done
    mov esi, [ebp+4+ecx*4]
    push ecx
    cmp dword [nfiles], 2
    jb .one
    mov eax, [ebp]
    sub eax, [nfiles]
    cmp ecx, eax
    je .heading                         ; the first file: no blank line before it
    mov al, 10
    call bufout_putc
.heading:
    push esi
    mov esi, s_hd1
    call bufout_puts
    mov esi, [esp]
    call bufout_puts
    mov esi, s_hd2
    call bufout_puts
    pop esi
.one:
    call head_file
    pop ecx
    inc ecx
    jmp .files
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 2
    call ulib_exit
.done:
    call bufout_flush
    mov ebx, [exitcode]
    call ulib_exit

; head_file: the first lines of the file named at ESI.
head_file:
    push esi
    SYSCALL SYS_open, esi, O_RDONLY, 0
    pop esi
    test eax, eax
    js .failed
    mov ebx, eax
    push ebx
    call head
    pop ebx
    push eax
    SYSCALL SYS_close, ebx
    pop eax
    test eax, eax
    jns .done
.failed:
    mov edi, esi
    mov esi, s_head
    push eax                    ; the -errno: flushing the output first sets EAX
    call bufout_flush
    pop eax
    call ulib_perror
    mov dword [exitcode], 1
.done:
    ret

; head: copies descriptor EBX to the output up to the end of line [lines]. EAX = 0 or -errno.
head:
    call bufin_start
    mov ecx, [lines]
.next:
    xor eax, eax
    test ecx, ecx
    jz .out
    call bufin_getc
    cmp eax, BUFIN_EOF
    je .end
    test eax, eax
    js .out
    call bufout_putc
    cmp al, 10
    jne .next
    dec ecx
    jmp .next
.end:
    xor eax, eax
.out:
    ret
