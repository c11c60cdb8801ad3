; Grader server (lab ipc): a device (/dev/ipcecho) that keeps the last write (up to 4096 bytes) and
; answers a read with it. Uses the server skeleton.
%include "ringside.inc"
%include "server.inc"
section .data
SERVER buffer, 4096, server_ignore, MSG_DEV_WRITE, h_write, h_read
section .bss
buffer  resb 4096
store   resb 4096
stored  resd 1
section .text
global _start
_start:
    cld
    jmp server_loop
; DEV_WRITE: keep the payload (EDI bytes in the buffer); answer the bytes taken.
h_write:
    mov ecx, edi
    mov [stored], ecx
    mov esi, buffer
    mov edi, store
    rep movsb
    mov eax, [stored]
    xor edi, edi
    xor edx, edx
    xor ebp, ebp
    ret
; DEV_READ (EDX = bytes wanted): answer what was kept, cut to EDX.
h_read:
    mov ecx, [stored]
    cmp ecx, edx
    jbe .n
    mov ecx, edx
.n:
    push ecx
    mov esi, store
    mov edi, buffer
    rep movsb
    pop eax
    mov edi, eax
    xor edx, edx
    xor ebp, ebp
    ret
