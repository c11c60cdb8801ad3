; ps: lists every process: a header "  PID  PPID STATE    NAME", then one line per process,
; "%5d %5d %-8s %s", found by the procinfo call (procinfo(pid) gives the process with the smallest
; pid >= pid; the next question is that pid + 1; 0 = no more). Exit 0 (1 if procinfo fails).
%include "ulib.inc"
%include "bufout.inc"

section .data
s_ps      db "ps", 0
s_header  db "  PID  PPID STATE    NAME", 10, 0
states    db "ready   ", 0              ; 9 bytes each, indexed by PSTATE_*
          db "running ", 0
          db "blocked ", 0
          db "zombie  ", 0
s_unknown db "?       ", 0
s_space   db " ", 0
s_newline db 10, 0
s_plus    db "(+", 0
s_close   db ")", 0

section .bss
info    resb procinfo_size
name    resb 17                         ; the name, NUL-terminated
num     resb 12

section .text
global _start
_start:
    mov esi, s_header
    call bufout_puts
    mov ebp, 1                          ; EBP = the next pid to ask about
.next:
    SYSCALL SYS_procinfo, ebp, info
    test eax, eax
    jz .done
    js .failed
    lea ebp, [eax+1]
    mov eax, [info+procinfo.pid]
    call out_num5
    mov esi, s_space
    call bufout_puts
    mov eax, [info+procinfo.ppid]
    call out_num5
    mov esi, s_space
    call bufout_puts
    mov eax, [info+procinfo.state]
    mov esi, s_unknown
    cmp eax, PSTATE_ZOMBIE
    ja .state
    imul eax, eax, 9
    lea esi, [states+eax]
.state:
    call bufout_puts
    mov esi, s_space
    call bufout_puts
    mov esi, info+procinfo.name         ; the name may fill all 16 bytes: copy it with a NUL
    mov edi, name
    mov ecx, 16
    cld
    rep movsb
    mov byte [name+16], 0
    mov esi, name
    call bufout_puts
    mov eax, [info+procinfo.restarts]
    test eax, eax
    jz .newline
    mov esi, s_plus                     ; "(+<restarts>)"
    call bufout_puts
    mov eax, [info+procinfo.restarts]
    mov edi, num
    call ulib_utoa
    mov esi, num
    call bufout_puts
    mov esi, s_close
    call bufout_puts
.newline:
    mov esi, s_newline
    call bufout_puts
    jmp .next
.done:
    call bufout_flush
    xor ebx, ebx
    call ulib_exit
.failed:
    push eax
    call bufout_flush
    pop eax
    mov esi, s_ps
    xor edi, edi
    call ulib_perror
    mov ebx, 1
    call ulib_exit

; out_num5: appends EAX in decimal, right-aligned in 5 columns, to the output buffer.
; Preserves every register except EAX.
out_num5:
    push ecx
    push esi
    push edi
    mov edi, num
    call ulib_utoa                      ; EAX = digits
    mov ecx, 5
    sub ecx, eax
    jle .digits
    mov esi, s_space
.pad:
    call bufout_puts
    loop .pad
.digits:
    mov esi, num
    call bufout_puts
    pop edi
    pop esi
    pop ecx
    ret
