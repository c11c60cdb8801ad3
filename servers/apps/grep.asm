; grep [-v] [-c] string [file…]: prints the lines of each file (stdin when no file is given) that
; contain the fixed string (-v: that do not); -c prints how many instead. With several files each
; line (or count) is preceded by "<file>:". Lines longer than LINE_MAX bytes are taken in pieces.
; Exit status 0 if a line was selected, 1 if none, 2 on an error ("grep: <file>: <error>", or usage).
%include "ulib.inc"
%include "bufin.inc"
%include "bufout.inc"

LINE_MAX equ 4096

section .data
s_grep  db "grep", 0
s_colon db ":", 0
s_usage db "usage: grep [-v] [-c] string [file...]", 10, 0

section .bss
line     resb LINE_MAX + 1
pattern  resd 1
patlen   resd 1
invert   resd 1
countonly resd 1
prefix   resd 1                         ; the file name to print before lines (0: none)
matched  resd 1                         ; lines selected in this file
anymatch resd 1
error    resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov ecx, 1
.flags:
    cmp ecx, [ebp]
    jae .usage
    mov esi, [ebp+4+ecx*4]
    cmp byte [esi], '-'
    jne .pattern
    cmp byte [esi+1], 0
    je .pattern
.flag:
    inc esi
    mov al, [esi]
    test al, al
    jz .next_flag
    cmp al, 'v'
    jne .not_v
    mov dword [invert], 1
    jmp .flag
.not_v:
    cmp al, 'c'
    jne .usage
    mov dword [countonly], 1
    jmp .flag
.next_flag:
    inc ecx
    jmp .flags
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 2
    call ulib_exit
.pattern:
    mov [pattern], esi
    call ulib_strlen
    mov [patlen], eax
    inc ecx
    mov edx, [ebp]
    sub edx, ecx                        ; EDX = files
    jnz .files
    mov ebx, STDIN
    call search
    jmp .done
.files:
    cmp edx, 2
    jb .each
    mov dword [prefix], 1
.each:
    cmp ecx, [ebp]
    jae .done
    mov esi, [ebp+4+ecx*4]
    push ecx
    call search_file
    pop ecx
    inc ecx
    jmp .each
.done:
    call bufout_flush
    mov ebx, 2
    cmp dword [error], 0
    jne .exit
    mov ebx, 1
    cmp dword [anymatch], 0
    je .exit
    xor ebx, ebx
.exit:
    call ulib_exit

; search_file: searches the file named at ESI.
search_file:
    cmp dword [prefix], 0
    je .open
    mov [prefix], esi
.open:
    push esi
    SYSCALL SYS_open, esi, O_RDONLY, 0
    pop esi
    test eax, eax
    js .failed
    mov ebx, eax
    push ebx
    call search
    pop ebx
    push eax
    SYSCALL SYS_close, ebx
    pop eax
    test eax, eax
    jns .done
.failed:
    mov edi, esi
    mov esi, s_grep
    push eax                    ; the -errno: flushing the output first sets EAX
    call bufout_flush
    pop eax
    call ulib_perror
    mov dword [error], 1
.done:
    ret

; search: prints the selected lines of descriptor EBX (or their count). EAX = 0 or -errno.
search:
    call bufin_start
    mov dword [matched], 0
.line:
    xor edi, edi                        ; EDI = bytes in the line
.char:
    call bufin_getc
    cmp eax, BUFIN_EOF
    je .last
    test eax, eax
    js .out
    mov [line+edi], al
    inc edi
    cmp al, 10
    je .full
    cmp edi, LINE_MAX
    jb .char
.full:
    call select
    jmp .line
.last:
    test edi, edi
    jz .end
    call select
.end:
    cmp dword [countonly], 0
    je .ok
    call put_prefix
    mov eax, [matched]
    call bufout_putdec
    mov al, 10
    call bufout_putc
.ok:
    xor eax, eax
.out:
    ret

; select: the line (EDI bytes at `line`): printed (or counted) if it contains the pattern, or with
; -v if it does not. Preserves EDI.
select:
    call contains
    xor eax, [invert]
    jz .done
    inc dword [matched]
    mov dword [anymatch], 1
    cmp dword [countonly], 0
    jne .done
    call put_prefix
    xor ecx, ecx
.put:
    cmp ecx, edi
    jae .end
    mov al, [line+ecx]
    call bufout_putc
    inc ecx
    jmp .put
.end:
    cmp byte [line+edi-1], 10
    je .done
    mov al, 10                          ; the last line had no '\n'
    call bufout_putc
.done:
    ret

; contains: EAX = 1 if the EDI bytes at `line` contain the pattern, else 0. Preserves EDI.
contains:
    mov ecx, [patlen]
    xor edx, edx                        ; EDX = where the pattern is tried
.try:
    lea eax, [edx+ecx]
    cmp eax, edi
    ja .no
    lea esi, [line+edx]
    push edi
    mov edi, [pattern]
    call ulib_memeq
    pop edi
    jnz .yes
    inc edx
    jmp .try
.yes:
    mov eax, 1
    ret
.no:
    xor eax, eax
    ret

; put_prefix: "<file>:" when several files are searched.
put_prefix:
    mov esi, [prefix]
    cmp esi, 1
    jbe .done
    call bufout_puts
    mov esi, s_colon
    call bufout_puts
.done:
    ret
