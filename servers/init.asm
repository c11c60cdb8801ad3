; init: the first process of the microkernel boot.
; The kernel starts it with argv = [init, <server names in manifest order>…, "--", <shell path>].
; init spawns each server by boot-module name (SYS_spawn, argv = [name]), reporting
; "init: cannot start <name>: <error>" for one that fails, then loads the shell from the file system
; (ulib_spawn_path, argv = [the path's last component]) and reaps children until the shell ends.
; Its exit status, which the kernel turns into the machine's, is the shell's exit code (128 + signal
; if the shell was killed, after "init: the shell was killed by signal <n>; powering off" on
; stderr); 1 if the shell cannot be started.
%include "ulib.inc"

section .data
s_init      db "init", 0
s_dashdash  db "--", 0
s_cannot    db "cannot start ", 0
s_noshell   db "init: no shell given (argv has no '--' <shell>)", 10, 0
s_killed    db "init: the shell was killed by signal ", 0
s_poweroff  db "; powering off", 10, 0

section .bss
child_argv  resd 2                      ; [name, NULL] for each child
status      resd 1
shell_pid   resd 1

section .text
global _start
_start:
    mov ebp, esp                        ; [ebp] = argc, [ebp+4…] = argv
    mov ecx, 1                          ; ECX = index of the next argument
.server:
    cmp ecx, [ebp]
    jae .no_shell                       ; ran out of arguments before "--"
    mov esi, [ebp+4+ecx*4]
    mov edi, s_dashdash
    call ulib_streq
    jnz .shell
    call start_server
    inc ecx
    jmp .server

.shell:
    inc ecx                             ; the argument after "--"
    cmp ecx, [ebp]
    jae .no_shell
    mov esi, [ebp+4+ecx*4]              ; ESI = the shell's path
    call ulib_basename
    mov [child_argv], eax
    mov dword [child_argv+4], 0
    mov ebx, child_argv
    call ulib_spawn_path
    test eax, eax
    js .shell_failed
    mov [shell_pid], eax

.reap:                                  ; reap every child (orphans included) until the shell ends
    SYSCALL SYS_waitpid, -1, status, 0
    test eax, eax
    js .lost_shell                      ; -ECHILD: nothing left to wait for
    cmp eax, [shell_pid]
    jne .reap
    mov eax, [status]
    mov ebx, eax
    and ebx, 0x7f
    jnz .killed
    shr eax, 8
    movzx ebx, al                       ; the shell's exit code
    call ulib_exit
.killed:
    push ebx
    mov esi, s_killed
    call ulib_putserr
    mov eax, [esp]
    mov ebx, STDERR
    call ulib_fputdec
    mov esi, s_poweroff
    call ulib_putserr
    pop ebx
    add ebx, 128
    call ulib_exit

.shell_failed:
    call cannot_start                   ; ESI = the path, EAX = -errno
    mov ebx, 1
    call ulib_exit
.no_shell:
    mov esi, s_noshell
    call ulib_putserr
.lost_shell:
    mov ebx, 1
    call ulib_exit

; start_server: spawns the boot module named ESI with argv = [ESI]; on failure prints
; "init: cannot start <name>: <error>". Preserves every register except EAX.
start_server:
    push ebx
    push ecx
    mov [child_argv], esi
    mov dword [child_argv+4], 0
    SYSCALL SYS_spawn, esi, child_argv
    test eax, eax
    jns .ok
    call cannot_start
.ok:
    pop ecx
    pop ebx
    ret

; cannot_start: prints "init: cannot start <ESI>: <message for EAX>" to stderr. Preserves every
; register except EAX.
cannot_start:
    push esi
    push edi
    push eax
    mov esi, s_init
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, s_cannot
    call ulib_putserr
    pop eax
    xor edi, edi
    mov esi, [esp+4]                    ; the name, then ": <message>"
    call ulib_perror
    pop edi
    pop esi
    ret
