; Grader program (lab ipc, "payload-pages"): writes 4096 bytes (a pattern, from a buffer that starts
; 16 bytes before a page boundary) to /dev/ipcecho, reads them back into a buffer straddling another
; page boundary, and compares. Prints "same" and exits 0, or prints "differ at N" / exits 1.
%include "ulib.inc"
section .data
dev     db "/dev/ipcecho", 0
same    db "same", 10, 0
differ  db "differ at ", 0
nl      db 10, 0
section .bss
alignb 4096
area    resb 4 * 4096
fd      resd 1
section .text
global _start
_start:
    mov edi, area + 4096 - 16       ; fill the source: byte i = (i * 7 + i / 256) & 0xff
    xor ecx, ecx
.fill:
    mov eax, ecx
    imul eax, 7
    mov edx, ecx
    shr edx, 8
    add eax, edx
    mov [edi + ecx], al
    inc ecx
    cmp ecx, 4096
    jb .fill
    SYSCALL SYS_open, dev, O_RDWR
    test eax, eax
    js .fail
    mov [fd], eax
    SYSCALL SYS_write, [fd], area + 4096 - 16, 4096
    cmp eax, 4096
    jne .fail
    SYSCALL SYS_read, [fd], area + 3 * 4096 - 2000, 4096
    cmp eax, 4096
    jne .fail
    mov esi, area + 4096 - 16
    mov edi, area + 3 * 4096 - 2000
    xor ecx, ecx
.cmp:
    mov al, [esi + ecx]
    cmp al, [edi + ecx]
    jne .bad
    inc ecx
    cmp ecx, 4096
    jb .cmp
    mov esi, same
    call ulib_puts
    SYSCALL SYS_exit, 0
.bad:
    push ecx
    mov esi, differ
    call ulib_puts
    pop eax
    call ulib_putdec
    mov esi, nl
    call ulib_puts
.fail:
    SYSCALL SYS_exit, 1
