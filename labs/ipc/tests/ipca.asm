; Grader server (lab ipc, "deadlock"): at start calls ipcb (which calls this one at its start too),
; then serves requests with the skeleton, answering 0. Of the two calls one must fail -EDEADLK (the
; cycle ipca -> ipcb -> ipca) and the other complete when the refused side answers it.
%include "ringside.inc"
%include "server.inc"
section .data
peer_name db "ipcb", 0
SERVER buffer, 64, server_ignore, 1, h_any
section .bss
buffer  resb 64
section .text
global _start
_start:
    cld
.look:
    mov ebx, peer_name
    mov eax, SYS_ipc_lookup
    int 0x80
    test eax, eax
    js .serve                   ; not running (should not happen: servers start before programs)
    mov ebx, eax
    mov ecx, 1
    xor edx, edx
    xor ebp, ebp
    mov esi, buffer
    xor edi, edi
    mov eax, SYS_ipc_call
    int 0x80
.serve:
    jmp server_loop
h_any:
    xor eax, eax
    xor edi, edi
    xor edx, edx
    xor ebp, ebp
    ret
