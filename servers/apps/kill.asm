; kill <pid> [signal]: sends the signal (default 15, SIGTERM; "-9" is read as 9) to the process.
; Errors go to stderr as "kill: <pid>: <error>" (e.g. "No such process") with exit status 1.
%include "ulib.inc"

section .data
s_kill  db "kill", 0
s_usage db "usage: kill <pid> [signal]", 10, 0

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov eax, [ebp]
    cmp eax, 2
    jb .usage
    cmp eax, 3
    ja .usage
    mov edi, [ebp+8]                    ; EDI = the pid's text (for messages)
    mov esi, edi
    call ulib_atoi
    jc .invalid
    test eax, eax
    jle .invalid                        ; kill wants one process, not a group
    mov ebx, eax                        ; EBX = pid
    mov ecx, SIGTERM                    ; ECX = signal
    cmp dword [ebp], 3
    jb .send
    mov esi, [ebp+12]
    call ulib_atoi
    jc .bad_signal
    test eax, eax
    jns .positive
    neg eax
.positive:
    mov ecx, eax
.send:
    mov eax, SYS_kill
    int 0x80
    test eax, eax
    js .failed
    xor ebx, ebx
    call ulib_exit
.bad_signal:
    mov edi, esi
.invalid:
    mov eax, -EINVAL
.failed:
    mov esi, s_kill
    call ulib_perror
    mov ebx, 1
    call ulib_exit
.usage:
    mov esi, s_usage
    call ulib_putserr
    mov ebx, 1
    call ulib_exit
