; torture: the workload of `ringside torture` (docs/faults.md). Writes RECORDS numbered, checksummed
; 16-byte records round robin to /home/t0, /home/t1 and /home/t2 (opened once, O_APPEND) and reports
; on the console every write the file system acknowledged — "ack <n>" — and every one that failed —
; "fail <n>". Record n is 6 decimal digits of n, a space, 8 hex digits of n * 2654435761 (mod 2^32)
; and '\n'. Exits 0.
%include "ulib.inc"

RECORDS equ 60
TRIES   equ 200                         ; opens tried (1 ms apart) while the file server restarts

section .data
paths       dd p0, p1, p2
p0          db "/home/t0", 0
p1          db "/home/t1", 0
p2          db "/home/t2", 0
s_ack       db "ack ", 0
s_fail      db "fail ", 0
s_nl        db 10, 0
hexdigits   db "0123456789abcdef"
nap         dd 0, 1000000               ; 1 ms

section .bss
fds         resd 3
rec         resb 16
n           resd 1
tries       resd 1

section .text
global _start
_start:
    xor ebp, ebp
.open:                                  ; open the three files (retrying while fs is down)
    mov dword [tries], TRIES
.again:
    SYSCALL SYS_open, [paths+ebp*4], O_WRONLY | O_CREAT | O_APPEND, 0
    test eax, eax
    jns .opened
    dec dword [tries]
    jz .opened                          ; give up: its writes will fail (EBADF) and say so
    SYSCALL SYS_nanosleep, nap, 0
    jmp .again
.opened:
    mov [fds+ebp*4], eax
    inc ebp
    cmp ebp, 3
    jb .open
    mov dword [n], 0
.next:
    call format_record
    mov eax, [n]
    xor edx, edx
    mov ecx, 3
    div ecx                             ; EDX = n mod 3: the file
    SYSCALL SYS_write, [fds+edx*4], rec, 16
    mov esi, s_ack
    cmp eax, 16
    je .report
    mov esi, s_fail
.report:
    call ulib_puts
    mov eax, [n]
    call ulib_putdec
    mov esi, s_nl
    call ulib_puts
    inc dword [n]
    cmp dword [n], RECORDS
    jb .next
    mov ebx, 0
    call ulib_exit

; format_record: record [n] into rec: 6 decimal digits, ' ', 8 hex digits of n * 2654435761, '\n'.
format_record:
    mov eax, [n]
    mov ecx, 6
    mov ebx, 10
.dec:
    xor edx, edx
    div ebx
    add dl, '0'
    mov [rec+ecx-1], dl
    loop .dec
    mov byte [rec+6], ' '
    mov eax, [n]
    imul eax, eax, 2654435761
    mov ecx, 8
.hex:
    mov edx, eax
    and edx, 15
    mov dl, [hexdigits+edx]
    mov [rec+6+ecx], dl
    shr eax, 4
    loop .hex
    mov byte [rec+15], 10
    ret
