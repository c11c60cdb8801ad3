; Grader program (lab sched, "handoff", microkernel shape): spins 20 ms (using up slices: it leaves
; the top level), starts a CPU-bound hog (top level), then reads /bin/sh through the file server.
; Each reply of the file server is a rendezvous that may hand the CPU straight back to this program,
; but the hog, ready and ranking strictly better, must get it. Reaps the hog, exits 0.
%include "ulib.inc"
section .data
hog db "hog", 0
file db "/bin/sh", 0
status dd 0
section .bss
buf resb 512
section .text
global _start
_start:
    mov ecx, 20 * 50000
    call spin
    SYSCALL SYS_spawn, hog, 0
    SYSCALL SYS_open, file, 0
    test eax, eax
    js .fail
    mov ebx, eax
.read:
    push ebx
    SYSCALL SYS_read, ebx, buf, 512
    pop ebx
    test eax, eax
    jg .read
    js .fail
    SYSCALL SYS_close, ebx
    SYSCALL SYS_waitpid, -1, status, 0
    SYSCALL SYS_exit, 0
.fail:
    SYSCALL SYS_exit, 1
%include "spin.inc"
