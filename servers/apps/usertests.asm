; usertests: the system-call torture tests, in the spirit of xv6's usertests: fork/exec/pipe/dup2
; edge cases, many processes, a pipe filled until the writer blocks, a writer killed mid-pipe, a
; reader gone (SIGPIPE), exec of bad files, deep directories. Each test prints "<name>: ok"; the
; first failure prints "<name>: FAILED: <what>" and exits 1; at the end "ALL TESTS PASSED", exit 0.
; Uses /ut (created, removed again).
%include "ulib.inc"

NKIDS     equ 40                        ; processes alive at once in `many`
PIPE_BYTES equ 20000                    ; more than a pipe holds

; FAILIF cc, "what": fails the current test if condition cc holds.
%macro FAILIF 2
    j%1 %%bad
    jmp %%ok
%%bad:
    mov esi, %%msg
    jmp fail
section .data
%%msg db %2, 0
section .text
%%ok:
%endmacro

; TEST "name": starts a test (its name is printed with the result).
%macro TEST 1
section .data
%%name db %1, 0
section .text
    mov dword [tname], %%name
%endmacro

section .data
s_ok      db ": ok", 10, 0
s_failed  db ": FAILED: ", 0
s_errno   db " (errno ", 0
s_close   db ")", 10, 0
s_pass    db "ALL TESTS PASSED", 10, 0
s_nofile  db "/no/such/program", 0
s_motd    db "/etc/motd", 0
s_echo    db "/bin/echo", 0
s_true    db "/bin/true", 0
s_ut      db "/ut", 0
s_d       db "d", 0
s_dotdot  db "..", 0
s_file    db "/ut/f", 0
s_hello   db "hi", 0
align 4
argv_true dd s_true, 0
envp      dd 0
req_short dd 0, 20000000                ; 20 ms

section .bss
tname   resd 1
status  resd 1
fds     resd 2
pids    resd NKIDS
buf     resb 4096
cwdbuf  resb 256

section .text
global _start
_start:
    call t_forkwait
    call t_many
    call t_pipe
    call t_pipefull
    call t_sigpipe
    call t_dup2
    call t_execbad
    call t_exec
    call t_deepdirs
    mov esi, s_pass
    call ulib_puts
    xor ebx, ebx
    call ulib_exit

; passed: "<name>: ok".
passed:
    mov esi, [tname]
    call ulib_puts
    mov esi, s_ok
    call ulib_puts
    ret

; fail: "<name>: FAILED: <ESI> (errno EAX)" and exit 1.
fail:
    push eax
    push esi
    mov esi, [tname]
    call ulib_puts
    mov esi, s_failed
    call ulib_puts
    pop esi
    call ulib_puts
    mov esi, s_errno
    call ulib_puts
    pop eax
    neg eax
    call ulib_putdec
    mov esi, s_close
    call ulib_puts
    mov ebx, 1
    call ulib_exit

; fork + exit(n) + waitpid: each child's status arrives; waitpid of a non-child is -ECHILD.
t_forkwait:
    TEST "forkwait"
    xor edi, edi
.next:
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
    SYSCALL SYS_exit, edi
.parent:
    mov esi, eax
    SYSCALL SYS_waitpid, esi, status, 0
    cmp eax, esi
    FAILIF ne, "waitpid returned another pid"
    mov eax, [status]
    shr eax, 8
    cmp eax, edi
    FAILIF ne, "wrong exit status"
    inc edi
    cmp edi, 20
    jb .next
    SYSCALL SYS_waitpid, -1, status, 0
    cmp eax, -ECHILD
    FAILIF ne, "waitpid with no children"
    jmp passed

; NKIDS children alive at once (each sleeps a little), all reaped with waitpid(-1).
t_many:
    TEST "many"
    xor edi, edi
.spawn:
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
    SYSCALL SYS_nanosleep, req_short, 0
    SYSCALL SYS_exit, 7
.parent:
    inc edi
    cmp edi, NKIDS
    jb .spawn
.reap:
    SYSCALL SYS_waitpid, -1, status, 0
    test eax, eax
    FAILIF s, "waitpid"
    cmp dword [status], 7 << 8
    FAILIF ne, "a child's status"
    dec edi
    jnz .reap
    jmp passed

; a child writes PIPE_BYTES (a pattern) into a pipe and exits; the parent reads them all, then EOF.
t_pipe:
    TEST "pipe"
    SYSCALL SYS_pipe, fds
    test eax, eax
    FAILIF nz, "pipe"
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
    SYSCALL SYS_close, [fds]
    xor edi, edi                        ; bytes written
.fill:
    mov ecx, 0
.pattern:
    lea eax, [edi+ecx]
    mov [buf+ecx], al
    inc ecx
    cmp ecx, 1000
    jb .pattern
    SYSCALL SYS_write, [fds+4], buf, 1000
    cmp eax, 1000
    jne .child_bad
    add edi, 1000
    cmp edi, PIPE_BYTES
    jb .fill
    SYSCALL SYS_exit, 0
.child_bad:
    SYSCALL SYS_exit, 1
.parent:
    mov esi, eax
    SYSCALL SYS_close, [fds+4]
    xor edi, edi                        ; bytes read
.read:
    SYSCALL SYS_read, [fds], buf, 4096
    test eax, eax
    FAILIF s, "read"
    jz .eof
    xor ecx, ecx
.check:
    lea edx, [edi+ecx]
    cmp [buf+ecx], dl
    FAILIF ne, "wrong byte"
    inc ecx
    cmp ecx, eax
    jb .check
    add edi, eax
    jmp .read
.eof:
    cmp edi, PIPE_BYTES
    FAILIF ne, "wrong byte count"
    SYSCALL SYS_close, [fds]
    SYSCALL SYS_waitpid, esi, status, 0
    cmp dword [status], 0
    FAILIF ne, "the writer failed"
    jmp passed

; a writer fills a pipe nobody reads (it blocks), and is killed mid-pipe with SIGKILL.
t_pipefull:
    TEST "pipefull"
    SYSCALL SYS_pipe, fds
    test eax, eax
    FAILIF nz, "pipe"
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
.forever:
    SYSCALL SYS_write, [fds+4], buf, 4096
    test eax, eax
    jns .forever
    SYSCALL SYS_exit, 1
.parent:
    mov esi, eax
    SYSCALL SYS_nanosleep, req_short, 0
    SYSCALL SYS_kill, esi, SIGKILL
    test eax, eax
    FAILIF nz, "kill"
    SYSCALL SYS_waitpid, esi, status, 0
    cmp eax, esi
    FAILIF ne, "waitpid"
    mov eax, [status]
    and eax, 0x7f
    cmp eax, SIGKILL
    FAILIF ne, "not killed by SIGKILL"
    SYSCALL SYS_read, [fds], buf, 100   ; what it wrote is still there
    cmp eax, 100
    FAILIF ne, "read after the writer died"
    SYSCALL SYS_close, [fds]
    SYSCALL SYS_close, [fds+4]
    jmp passed

; writing to a pipe whose read end is closed: SIGPIPE (default: death); ignored: -EPIPE.
t_sigpipe:
    TEST "sigpipe"
    SYSCALL SYS_pipe, fds
    test eax, eax
    FAILIF nz, "pipe"
    SYSCALL SYS_close, [fds]
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
    SYSCALL SYS_write, [fds+4], buf, 10
    SYSCALL SYS_exit, 0
.parent:
    mov esi, eax
    SYSCALL SYS_waitpid, esi, status, 0
    mov eax, [status]
    and eax, 0x7f
    cmp eax, SIGPIPE
    FAILIF ne, "the writer did not die of SIGPIPE"
    SYSCALL SYS_signal, SIGPIPE, 1      ; SIG_IGN
    SYSCALL SYS_write, [fds+4], buf, 10
    cmp eax, -EPIPE
    FAILIF ne, "write with SIGPIPE ignored"
    SYSCALL SYS_signal, SIGPIPE, 0
    SYSCALL SYS_close, [fds+4]
    jmp passed

; dup2 onto an open descriptor closes it first; both descriptors share the offset; bad fds: -EBADF.
t_dup2:
    TEST "dup2"
    SYSCALL SYS_mkdir, s_ut, 0
    SYSCALL SYS_open, s_file, O_RDWR | O_CREAT | O_TRUNC, 0
    test eax, eax
    FAILIF s, "open"
    mov edi, eax
    SYSCALL SYS_dup2, edi, 9
    cmp eax, 9
    FAILIF ne, "dup2"
    SYSCALL SYS_write, edi, s_hello, 1
    SYSCALL SYS_write, 9, s_hello+1, 1  ; at offset 1: the offset is shared
    SYSCALL SYS_lseek, 9, 0, SEEK_SET
    SYSCALL SYS_read, edi, buf, 10
    cmp eax, 2
    FAILIF ne, "shared offset"
    cmp word [buf], 'hi'
    FAILIF ne, "contents"
    SYSCALL SYS_dup2, edi, edi
    cmp eax, edi
    FAILIF ne, "dup2 onto itself"
    SYSCALL SYS_dup2, 15, 3
    cmp eax, -EBADF
    FAILIF ne, "dup2 of a closed fd"
    SYSCALL SYS_dup, edi
    test eax, eax
    FAILIF s, "dup"
    SYSCALL SYS_close, eax
    SYSCALL SYS_close, 9
    SYSCALL SYS_close, edi
    SYSCALL SYS_unlink, s_file
    test eax, eax
    FAILIF nz, "unlink"
    jmp passed

; execve of a missing file is -ENOENT, of a text file -ENOEXEC; the caller goes on.
t_execbad:
    TEST "execbad"
    SYSCALL SYS_execve, s_nofile, argv_true, envp
    cmp eax, -ENOENT
    FAILIF ne, "exec of a missing file"
    SYSCALL SYS_execve, s_motd, argv_true, envp
    cmp eax, -ENOEXEC
    FAILIF ne, "exec of a text file"
    jmp passed

; fork + execve /bin/true: exit status 0 comes back.
t_exec:
    TEST "exec"
    SYSCALL SYS_fork
    test eax, eax
    FAILIF s, "fork"
    jnz .parent
    SYSCALL SYS_execve, s_true, argv_true, envp
    SYSCALL SYS_exit, 99
.parent:
    mov esi, eax
    SYSCALL SYS_waitpid, esi, status, 0
    cmp dword [status], 0
    FAILIF ne, "exit status"
    jmp passed

; 20 nested directories made and entered with relative paths, getcwd at the bottom, then removed
; on the way back up.
t_deepdirs:
    TEST "deepdirs"
    SYSCALL SYS_chdir, s_ut
    test eax, eax
    FAILIF nz, "chdir /ut"
    xor edi, edi
.down:
    SYSCALL SYS_mkdir, s_d, 0
    test eax, eax
    FAILIF nz, "mkdir d"
    SYSCALL SYS_chdir, s_d
    test eax, eax
    FAILIF nz, "chdir d"
    inc edi
    cmp edi, 20
    jb .down
    SYSCALL SYS_getcwd, cwdbuf, 256
    test eax, eax
    FAILIF s, "getcwd"
    cmp dword [cwdbuf], '/ut/'
    FAILIF ne, "getcwd's text"
.up:
    SYSCALL SYS_chdir, s_dotdot
    test eax, eax
    FAILIF nz, "chdir .."
    SYSCALL SYS_rmdir, s_d
    test eax, eax
    FAILIF nz, "rmdir d"
    dec edi
    jnz .up
    SYSCALL SYS_chdir, s_dotdot
    SYSCALL SYS_rmdir, s_ut
    test eax, eax
    FAILIF nz, "rmdir /ut"
    jmp passed
