; sh: the ringside shell.
; Prints /etc/motd once (if it exists), then loops: prompt "$ ", read one line from stdin (read
; returns a line; 0 = end of input → exit 0), split it into words at spaces and tabs (at most
; MAX_ARGS), and run it. Builtins: `exit [n]` and `help` (the builtins and the programs in /bin).
; Any other first word names a program: a word with '/' is a path, otherwise /bin/<word>. The
; program is loaded with ulib_spawn_path and waited for; failures are reported as
; "sh: <word>: <error>" ("command not found" for a missing file) and a child killed by a signal as
; "sh: <word>: killed by signal <n>". Empty lines just prompt again. A read that fails with EIO (the
; console server died while the shell waited, or is being restarted: docs/recovery.md) is tried again
; after READ_WAIT_NS, with a new prompt, up to READ_RETRIES times in a row; then "sh: read: ..." and
; exit 1.
%include "ulib.inc"

MAX_ARGS  equ 16
LINE_MAX  equ 512
PATH_MAX  equ 64
READ_RETRIES equ 100
READ_WAIT_NS equ 10000000               ; 10 ms

section .data
s_sh        db "sh", 0
s_prompt    db "$ ", 0
s_motd      db "/etc/motd", 0
s_bin       db "/bin", 0
s_exit      db "exit", 0
s_help      db "help", 0
s_read      db "read", 0
s_notfound  db "command not found", 0
s_toomany   db "too many arguments (at most 16)", 0
s_badexit   db "numeric argument required", 0
s_killed    db "killed by signal ", 0
s_help_text db "builtins: exit [n], help", 10, "programs in /bin:", 10, 0
s_indent    db "  ", 0
s_newline   db 10, 0
align 4
read_wait   dd 0, READ_WAIT_NS          ; struct timespec

section .bss
line        resb LINE_MAX
argv        resd MAX_ARGS + 1
argc        resd 1
pathbuf     resb PATH_MAX
status      resd 1
read_fails  resd 1                      ; failed reads in a row
iobuf       resb IPC_MAX

section .text
global _start
_start:
    call show_motd
.prompt:
    mov esi, s_prompt
    call ulib_puts
    SYSCALL SYS_read, STDIN, line, LINE_MAX - 1
    test eax, eax
    jz .eof
    js .read_failed
    mov dword [read_fails], 0
    mov byte [line+eax], 0
    call split
    test eax, eax
    jz .prompt                          ; an empty line
    js .too_many
    mov esi, [argv]
    mov edi, s_exit
    call ulib_streq
    jnz .exit
    mov edi, s_help
    call ulib_streq
    jnz .help
    call run_command
    jmp .prompt

.too_many:
    mov esi, s_toomany
    call sh_say
    jmp .prompt
.help:
    call help
    jmp .prompt
.exit:
    xor ebx, ebx                        ; `exit` alone: status 0
    cmp dword [argc], 2
    jb .exit_now
    mov esi, [argv+4]
    call ulib_atoi
    jc .bad_exit
    mov ebx, eax
.exit_now:
    call ulib_exit
.bad_exit:
    mov edi, s_exit                     ; "sh: exit: numeric argument required"
    mov esi, s_badexit
    call sh_error
    jmp .prompt
.eof:
    xor ebx, ebx
    call ulib_exit
.read_failed:
    cmp eax, -EIO
    jne .read_fatal
    inc dword [read_fails]
    cmp dword [read_fails], READ_RETRIES
    ja .read_fatal
    push eax
    SYSCALL SYS_nanosleep, read_wait, 0
    pop eax
    jmp .prompt                         ; the console may be back: prompt and read again
.read_fatal:
    mov esi, s_sh
    mov edi, s_read
    call ulib_perror
    mov ebx, 1
    call ulib_exit

; split: cuts the NUL-terminated text in `line` into words at spaces, tabs, CR and LF (writing NULs
; into it), fills argv[] with them followed by NULL and sets argc. EAX = argc, or -1 (SF set) if
; there are more than MAX_ARGS words. Preserves every other register.
split:
    push ecx
    push edx
    push esi
    mov esi, line
    xor ecx, ecx                        ; words so far
    xor edx, edx                        ; 1 while inside a word
.next:
    mov al, [esi]
    test al, al
    jz .end
    cmp al, ' '
    je .blank
    cmp al, 9
    je .blank
    cmp al, 10
    je .blank
    cmp al, 13
    je .blank
    test edx, edx
    jnz .step
    cmp ecx, MAX_ARGS
    je .too_many
    mov [argv+ecx*4], esi               ; a word starts here
    inc ecx
    mov edx, 1
    jmp .step
.blank:
    mov byte [esi], 0
    xor edx, edx
.step:
    inc esi
    jmp .next
.end:
    mov dword [argv+ecx*4], 0
    mov [argc], ecx
    mov eax, ecx
    test eax, eax
    jmp .out
.too_many:
    mov eax, -1
    test eax, eax
.out:
    pop esi
    pop edx
    pop ecx
    ret

; run_command: runs argv[0] (a path if it has a '/', else /bin/<argv[0]>) with argv and waits for
; it; reports a failure to start or a death by signal on stderr. Preserves every register except EAX.
run_command:
    push ebx
    push ecx
    push esi
    push edi
    mov esi, [argv]
    mov ecx, esi
.scan:                                  ; does the word contain a '/'?
    mov al, [ecx]
    test al, al
    jz .bare
    cmp al, '/'
    je .spawn                           ; ESI = the word = the path
    inc ecx
    jmp .scan
.bare:
    sub ecx, esi                        ; ECX = the word's length
    cmp ecx, PATH_MAX - 6
    ja .not_found                       ; longer than any file name can be
    mov dword [pathbuf], '/bin'
    mov byte [pathbuf+4], '/'
    lea edi, [pathbuf+5]
    push esi
    inc ecx                             ; copy the NUL too
    cld
    rep movsb
    pop esi
    mov esi, pathbuf
.spawn:
    mov ebx, argv
    call ulib_spawn_path
    test eax, eax
    js .failed
    SYSCALL SYS_waitpid, eax, status, 0
    test eax, eax
    js .done
    mov eax, [status]
    and eax, 0x7f
    jz .done
    mov edi, [argv]                     ; "sh: <word>: killed by signal <n>"
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, edi
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, s_killed
    call ulib_putserr
    mov eax, [status]
    and eax, 0x7f
    mov ebx, STDERR
    call ulib_fputdec
    mov esi, s_newline
    call ulib_putserr
    jmp .done
.failed:
    cmp eax, -ENOENT
    je .not_found
    mov edi, [argv]
    mov esi, s_sh
    call ulib_perror
    jmp .done
.not_found:
    mov edi, [argv]
    mov esi, s_notfound
    call sh_error
.done:
    pop edi
    pop esi
    pop ecx
    pop ebx
    ret

; sh_error: writes "sh: <EDI>: <ESI>\n" to stderr. Preserves every register except EAX.
sh_error:
    push esi
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, edi
    call ulib_putserr
    pop esi
    push esi
    mov esi, ulib_s_colon
    call ulib_putserr
    pop esi
    call ulib_putserr
    push esi
    mov esi, s_newline
    call ulib_putserr
    pop esi
    ret

; sh_say: writes "sh: <ESI>\n" to stderr. Preserves every register except EAX.
sh_say:
    push esi
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, [esp]
    call ulib_putserr
    mov esi, s_newline
    call ulib_putserr
    pop esi
    ret

; show_motd: copies /etc/motd to stdout if it can be opened; says nothing otherwise.
; Preserves every register except EAX.
show_motd:
    push ebx
    push ecx
    push edx
    push esi
    SYSCALL SYS_open, s_motd, O_RDONLY, 0
    test eax, eax
    js .out
    mov esi, eax                        ; ESI = fd
.copy:
    SYSCALL SYS_read, esi, iobuf, IPC_MAX
    test eax, eax
    jle .close
    mov edx, eax
    mov ecx, iobuf
    mov ebx, STDOUT
    call ulib_write_all
    test eax, eax
    jns .copy
.close:
    SYSCALL SYS_close, esi
.out:
    pop esi
    pop edx
    pop ecx
    pop ebx
    ret

; help: lists the builtins, then the regular files in /bin, one per line (indented). An unreadable
; /bin is reported as "sh: /bin: <error>". Preserves every register except EAX.
help:
    push ebx
    push ecx
    push edx
    push esi
    push edi
    push ebp
    mov esi, s_help_text
    call ulib_puts
    SYSCALL SYS_open, s_bin, O_RDONLY | O_DIRECTORY, 0
    test eax, eax
    js .failed
    mov ebp, eax                        ; EBP = fd
.batch:
    SYSCALL SYS_getdents, ebp, iobuf, IPC_MAX
    test eax, eax
    js .failed_close
    jz .close
    mov ebx, iobuf                      ; EBX = this record
    lea edi, [iobuf+eax]                ; EDI = end of the records
.record:
    cmp ebx, edi
    jae .batch
    movzx ecx, word [ebx+linux_dirent.d_reclen]
    test ecx, ecx
    jz .batch                           ; a malformed record: take the next batch
    cmp byte [ebx+ecx-1], DT_DIR
    je .skip
    mov esi, s_indent
    call ulib_puts
    lea esi, [ebx+linux_dirent.d_name]
    call ulib_puts
    mov esi, s_newline
    call ulib_puts
.skip:
    add ebx, ecx
    jmp .record
.failed_close:
    push eax
    SYSCALL SYS_close, ebp
    pop eax
.failed:
    mov esi, s_sh
    mov edi, s_bin
    call ulib_perror
    jmp .out
.close:
    SYSCALL SYS_close, ebp
.out:
    pop ebp
    pop edi
    pop esi
    pop edx
    pop ecx
    pop ebx
    ret
