; wc [-l] [-w] [-c] [file…]: counts the lines ('\n'), words (runs of bytes other than space, Tab,
; '\n', '\r', '\v', '\f') and bytes of each file (stdin when no file is given) and prints them as
; "lines words bytes" (only the counts asked for, in that order, when a flag is given), followed by
; " <file>" for a named file and, for several files, a "total" line. Errors go to stderr as
; "wc: <file>: <error>" and make the exit status 1.
%include "ulib.inc"
%include "bufin.inc"
%include "bufout.inc"

section .data
s_wc     db "wc", 0
s_total  db "total", 0
s_usage  db "usage: wc [-l] [-w] [-c] [file...]", 10, 0

section .bss
show     resd 1                         ; bit 0 lines, bit 1 words, bit 2 bytes
counts   resd 3                         ; this input's lines, words, bytes
totals   resd 3
nfiles   resd 1
exitcode resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov ecx, 1
.flags:                                 ; leading -l / -w / -c (combinable: -lc)
    cmp ecx, [ebp]
    jae .flags_done
    mov esi, [ebp+4+ecx*4]
    cmp byte [esi], '-'
    jne .flags_done
    cmp byte [esi+1], 0
    je .flags_done                      ; "-" is a file name (stdin)
.flag:
    inc esi
    mov al, [esi]
    test al, al
    jz .next_flag
    mov edx, 1
    cmp al, 'l'
    je .set
    mov edx, 2
    cmp al, 'w'
    je .set
    mov edx, 4
    cmp al, 'c'
    jne .usage
.set:
    or [show], edx
    jmp .flag
.next_flag:
    inc ecx
    jmp .flags
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 2
    call ulib_exit
.flags_done:
    cmp dword [show], 0
    jne .shown
    mov dword [show], 7
.shown:
    mov edx, [ebp]
    sub edx, ecx
    mov [nfiles], edx
    test edx, edx
    jnz .files
    mov ebx, STDIN
    call count
    xor esi, esi
    call report
    jmp .done
.files:
    cmp ecx, [ebp]
    jae .total
    mov esi, [ebp+4+ecx*4]
    push ecx
    call count_file
    pop ecx
    inc ecx
    jmp .files
.total:
    cmp dword [nfiles], 2
    jb .done
    mov eax, [totals]
    mov [counts], eax
    mov eax, [totals+4]
    mov [counts+4], eax
    mov eax, [totals+8]
    mov [counts+8], eax
    mov esi, s_total
    call report
.done:
    call bufout_flush
    mov ebx, [exitcode]
    call ulib_exit

; count_file: counts the file named at ESI ("-": stdin) and reports it.
count_file:
    mov ebx, STDIN
    cmp word [esi], '-'                 ; "-" and its NUL
    je .counted
    push esi
    SYSCALL SYS_open, esi, O_RDONLY, 0
    pop esi
    test eax, eax
    js .failed
    mov ebx, eax
    push ebx
    call count
    pop ebx
    push eax
    SYSCALL SYS_close, ebx
    pop eax
    jmp .check
.counted:
    call count
.check:
    test eax, eax
    js .failed
    jmp report
.failed:
    mov edi, esi
    mov esi, s_wc
    push eax                    ; the -errno: flushing the output first sets EAX
    call bufout_flush
    pop eax
    call ulib_perror
    mov dword [exitcode], 1
    ret

; count: counts descriptor EBX into counts[] and adds them to totals[]. EAX = 0, or -errno.
count:
    call bufin_start
    xor eax, eax
    mov [counts], eax
    mov [counts+4], eax
    mov [counts+8], eax
    xor edx, edx                        ; EDX = 1 inside a word
.next:
    call bufin_getc
    cmp eax, BUFIN_EOF
    je .end
    test eax, eax
    js .out
    inc dword [counts+8]
    cmp al, 10
    jne .not_nl
    inc dword [counts]
.not_nl:
    cmp al, ' '
    je .blank
    cmp al, 9
    jb .char
    cmp al, 13
    jbe .blank                          ; Tab, '\n', '\v', '\f', '\r'
.char:
    test edx, edx
    jnz .next
    inc dword [counts+4]
    mov edx, 1
    jmp .next
.blank:
    xor edx, edx
    jmp .next
.end:
    mov eax, [counts]
    add [totals], eax
    mov eax, [counts+4]
    add [totals+4], eax
    mov eax, [counts+8]
    add [totals+8], eax
    xor eax, eax
.out:
    ret

; report: prints the counts asked for, separated by spaces, then " <ESI>" if ESI is not 0, then '\n'.
report:
    xor ecx, ecx                        ; ECX = which count
    xor edx, edx                        ; EDX = something printed already
.next:
    cmp ecx, 3
    jae .name
    bt dword [show], ecx
    jnc .skip
    test edx, edx
    jz .first
    mov al, ' '
    call bufout_putc
.first:
    mov eax, [counts+ecx*4]
    call bufout_putdec
    mov edx, 1
.skip:
    inc ecx
    jmp .next
.name:
    test esi, esi
    jz .newline
    mov al, ' '
    call bufout_putc
    call bufout_puts
.newline:
    mov al, 10
    call bufout_putc
    ret
