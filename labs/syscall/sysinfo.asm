; sysinfo: prints how long the machine has been up, its free memory and how many processes exist,
; from the uptime and sysinfo system calls (the `syscall` lab: labs/syscall/README.md).
;
;   $ npx ringside run labs/syscall/sysinfo.asm
;   uptime: 0 ms
;   free memory: 28644 KiB
;   processes: 1
;
; struct sysinfo (kernel/sys/info.ts, SYSINFO): three dwords — uptime in ms, free memory in bytes,
; processes alive.
%include "ulib.inc"
section .bss
info resd 3
section .data
s_uptime db "uptime: ", 0
s_ms db " ms", 10, 0
s_free db "free memory: ", 0
s_kib db " KiB", 10, 0
s_procs db "processes: ", 0
s_nl db 10, 0
s_failed db "sysinfo: a system call failed", 10, 0
s_todo db "sysinfo: not implemented yet (see LAB.md)", 10, 0
section .text
global _start
_start:
; LAB syscall: BEGIN
    SYSCALL SYS_uptime
    test eax, eax
    js .failed
    mov edi, eax                        ; ulib_puts returns write's result in EAX
    mov esi, s_uptime
    call ulib_puts
    mov eax, edi
    call ulib_putdec
    mov esi, s_ms
    call ulib_puts
    SYSCALL SYS_sysinfo, info
    test eax, eax
    jnz .failed
    mov esi, s_free
    call ulib_puts
    mov eax, [info + 4]
    shr eax, 10                         ; bytes → KiB
    call ulib_putdec
    mov esi, s_kib
    call ulib_puts
    mov esi, s_procs
    call ulib_puts
    mov eax, [info + 8]
    call ulib_putdec
    mov esi, s_nl
    call ulib_puts
    SYSCALL SYS_exit, 0
.failed:
    mov esi, s_failed
    call ulib_puts
    SYSCALL SYS_exit, 1
; LAB syscall: HANDOUT
;     ; TODO(lab syscall): call uptime, then sysinfo, and print the three lines (LAB.md, step 3).
;     mov esi, s_todo
;     call ulib_puts
;     SYSCALL SYS_exit, 1
; LAB syscall: END
