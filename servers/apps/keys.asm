; keys: shows the terminal's raw mode. Reads the console's mode (ioctl TCGETS: tcgetattr), turns
; off canonical input, echo and Ctrl-C's signal (TCSETS with ICANON, ECHO and ISIG cleared:
; tcsetattr), then prints every byte the moment it is typed, in hex, one per line ("61 'a'"; an
; arrow key is three bytes: 1b, 5b '[', 41 'A'; Ctrl-C is 03), until q (or end of input); then
; puts the mode back as it found it. What it prints about the mode is read back with TCGETS, so it
; shows what the console really does:
;   keys: c_lflag 0xb -> 0x0 (raw: no line editing, no echo, Ctrl-C is a byte); q quits
;   ...
;   keys: c_lflag 0xb again
; Exit 0; 1 if standard input is not a terminal (TCGETS fails) or the mode cannot be set.
%include "ulib.inc"

BUFSZ equ 64

section .data
s_keys      db "keys: c_lflag 0x", 0
s_arrow     db " -> 0x", 0
s_raw       db " (raw: no line editing, no echo, Ctrl-C is a byte); q quits", 10, 0
s_again     db " again", 10, 0
s_notty     db "keys: standard input is not a terminal", 10, 0
s_noset     db "keys: cannot set the terminal's mode", 10, 0
hexdigits   db "0123456789abcdef"

section .bss
saved       resb 36                     ; struct termios as found
raw         resb 36                     ; ... with ICANON, ECHO and ISIG cleared
now         resb 36                     ; read back
key         resb 1
line        resb BUFSZ
hexbuf      resb 12

section .text
global _start
_start:
    SYSCALL SYS_ioctl, STDIN, TCGETS, saved
    test eax, eax
    jnz .notty
    mov esi, saved                      ; raw = saved, minus the three bits
    mov edi, raw
    mov ecx, 36
    rep movsb
    and dword [raw + TERMIOS_LFLAG], ~(ICANON | ECHO | ISIG)
    SYSCALL SYS_ioctl, STDIN, TCSETS, raw
    test eax, eax
    jnz .noset
    mov esi, s_keys                     ; keys: c_lflag <found> -> <now> (raw ...)
    call ulib_puts
    mov eax, [saved + TERMIOS_LFLAG]
    call puthex
    mov esi, s_arrow
    call ulib_puts
    call getlflag
    call puthex
    mov esi, s_raw
    call ulib_puts

.next:
    SYSCALL SYS_read, STDIN, key, 1
    cmp eax, 1
    jne .restore                        ; end of input or an error
    movzx eax, byte [key]
    call showbyte
    cmp byte [key], 'q'
    jne .next

.restore:
    SYSCALL SYS_ioctl, STDIN, TCSETS, saved
    mov esi, s_keys                     ; keys: c_lflag <now> again
    call ulib_puts
    call getlflag
    call puthex
    mov esi, s_again
    call ulib_puts
    xor ebx, ebx
    call ulib_exit

.notty:
    mov esi, s_notty
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
.noset:
    mov esi, s_noset
    call ulib_putserr
    mov ebx, 1
    call ulib_exit

; getlflag: EAX = the console's c_lflag now (TCGETS into `now`; 0xffffffff if that fails).
getlflag:
    SYSCALL SYS_ioctl, STDIN, TCGETS, now
    test eax, eax
    jnz .fail
    mov eax, [now + TERMIOS_LFLAG]
    ret
.fail:
    mov eax, 0xffffffff
    ret

; showbyte: prints the byte in AL as two hex digits, then, if it is printable, a space and the
; character in quotes; then a newline. Uses every register but EBP.
showbyte:
    mov edi, line
    movzx ebx, al
    mov ecx, ebx
    shr ecx, 4
    mov dl, [hexdigits + ecx]
    mov [edi], dl
    mov ecx, ebx
    and ecx, 0xf
    mov dl, [hexdigits + ecx]
    mov [edi+1], dl
    add edi, 2
    cmp bl, 0x20
    jb .eol
    cmp bl, 0x7e
    ja .eol
    mov byte [edi], ' '
    mov byte [edi+1], "'"
    mov [edi+2], bl
    mov byte [edi+3], "'"
    add edi, 4
.eol:
    mov byte [edi], 10
    inc edi
    mov ecx, line
    mov edx, edi
    sub edx, ecx
    mov ebx, STDOUT
    call ulib_write_all
    ret

; puthex: writes EAX in hex (lower case, no leading zeros) to stdout. Uses EAX, ECX, EDX, EDI, ESI.
puthex:
    lea edi, [hexbuf + 11]
    mov byte [edi], 0
.digit:
    mov edx, eax
    and edx, 0xf
    mov dl, [hexdigits + edx]
    dec edi
    mov [edi], dl
    shr eax, 4
    jnz .digit
    mov esi, edi
    call ulib_puts
    ret
