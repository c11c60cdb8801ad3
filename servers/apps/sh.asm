; sh: the ringside shell, in the manner of xv6's sh.c.
; Prints /etc/motd once (if it exists), then loops: reap finished background jobs, prompt "$ ", read
; one line from stdin (read returns a line; 0 = end of input -> exit 0), and run it.
;
; Syntax: words separated by blanks; 'single' quotes take everything literally, "double" quotes
; everything but $?; $? is the status of the last foreground pipeline. `a | b | c` is a pipeline,
; `< file`, `> file`, `>> file` redirect a command's stdin / stdout (truncate / append), `2> file`,
; `2>> file` its stderr, and `2>&1` sends its stderr where its stdout goes at that point, left to
; right as in sh (`> f 2>&1`: both to f; `2>&1 > f`: stderr to the terminal or the pipe, stdout to
; f; a `2> file` wins over `2>&1`); `;` ends a pipeline, `&` ends one that runs in the background (its
; process group is printed as "[pgid]").
; Builtins (run in the shell; their redirections are ignored): `cd [dir]` (default /), `pwd`,
; `exit [n]`, `help` (the builtins, the syntax, how to power off, and the programs in /bin).
; Any other first word names a program: a word with '/' is a path, otherwise /bin/<word>.
;
; Each command of a pipeline is a child made with fork: it joins the pipeline's process group (the
; first child's pid), takes its pipe ends and redirections with dup2, restores SIGINT and execs the
; program (execve). A foreground pipeline is made the terminal's foreground process group
; (ioctl TIOCSPGRP) while the shell waits for all of it, so Ctrl-C interrupts it and not the shell
; (which ignores SIGINT); then the shell takes the terminal back, and puts back the terminal mode it
; found at start if the job changed it (a raw-mode program that was killed). $? = the last command's exit
; status, or 128 + the signal that killed it, which is reported as "sh: <word>: <name> (signal n)"
; (not for SIGPIPE). A program that cannot be run: "sh: <word>: command not found" (status 127) or
; "sh: <word>: <error>" (126). A kernel without fork (-ENOSYS) still runs simple commands, through
; spawn_image (ulib_spawn_path); pipelines, redirections and & then say so.
;
; Errors: "sh: syntax error near <token>", "sh: unterminated quote", "sh: too many arguments (at
; most 16)". Empty lines just prompt again. A read that fails with EIO (the console server died or
; is being restarted: docs/recovery.md) is tried again after READ_WAIT_NS, with a new prompt, up to
; READ_RETRIES times in a row; then "sh: read: ..." and exit 1.
%include "ulib.inc"

MAX_ARGS  equ 16
MAX_CMDS  equ 8                         ; commands in one pipeline
MAX_TOK   equ 128
LINE_MAX  equ 512
WORDS_MAX equ 2048
PATH_MAX  equ 256
READ_RETRIES equ 100
READ_WAIT_NS equ 10000000               ; 10 ms

T_END     equ 0                         ; token types
T_WORD    equ 1
T_PIPE    equ 2
T_LT      equ 3
T_GT      equ 4
T_GTGT    equ 5
T_ERR     equ 6                         ; 2>
T_ERRAPP  equ 7                         ; 2>>
T_ERRDUP  equ 8                         ; 2>&1 (no file word follows)
T_SEMI    equ 9                         ; ';' and '&' end a pipeline: the last two
T_AMP     equ 10

section .data
s_sh        db "sh", 0
s_prompt    db "$ ", 0
s_motd      db "/etc/motd", 0
s_bin       db "/bin", 0
s_root      db "/", 0
s_exit      db "exit", 0
s_help      db "help", 0
s_cd        db "cd", 0
s_pwd       db "pwd", 0
s_read      db "read", 0
s_fork      db "fork", 0
s_pipe      db "pipe", 0
s_notfound  db "command not found", 0
s_toomany   db "too many arguments (at most 16)", 0
s_toolong   db "pipeline too long (at most 8 commands)", 0
s_toowords  db "line too long", 0
s_badexit   db "numeric argument required", 0
s_unquote   db "unterminated quote", 0
s_syntax    db "syntax error near ", 0
s_needfork  db "pipelines, redirections and & need fork: Function not implemented", 0
s_killed    db "killed by signal ", 0
s_signal    db " (signal ", 0
s_tokens    db "newline", 0, "|", 0, "<", 0, ">", 0, ">>", 0, ";", 0, "&", 0, "2>", 0, "2>>", 0, "2>&1", 0
tok_names   dd s_tokens, 0, s_tokens+8, s_tokens+10, s_tokens+12, s_tokens+14, s_tokens+21, s_tokens+24, s_tokens+28, s_tokens+17, s_tokens+19
s_help_text db "builtins: cd [dir], pwd, exit [n], help", 10
            db "syntax: a | b, < file, > file, >> file, 2> file, 2>> file, 2>&1, a; b, a &, 'quoted', ", '"', "quoted", '"', ", $?", 10
            db "power off: exit (or Ctrl-] on the host terminal)", 10
            db "programs in /bin:", 10, 0
s_indent    db "  ", 0
s_newline   db 10, 0
s_lbracket  db "[", 0
s_rbracket  db "]", 10, 0
sig_names   db 1, "Hangup", 0, 2, "Interrupt", 0, 3, "Quit", 0, 6, "Aborted", 0, 9, "Killed", 0
            db 11, "Segmentation fault", 0, 13, "Broken pipe", 0, 15, "Terminated", 0, 0
align 4
read_wait   dd 0, READ_WAIT_NS          ; struct timespec
sa_ignore   dd 1, 0, 0, 0, 0            ; struct sigaction: SIG_IGN, flags, restorer, mask
sa_default  dd 0, 0, 0, 0, 0            ; SIG_DFL
envp        dd 0

section .bss
line        resb LINE_MAX
words       resb WORDS_MAX              ; the words' text, NUL-terminated
tok_type    resd MAX_TOK + 1
tok_word    resd MAX_TOK + 1
cmd_argv    resd MAX_CMDS * (MAX_ARGS + 1)
cmd_argc    resd MAX_CMDS
cmd_in      resd MAX_CMDS               ; file names (0: none)
cmd_out     resd MAX_CMDS
cmd_app     resd MAX_CMDS               ; 1: >> (append)
cmd_err     resd MAX_CMDS               ; 2> / 2>> file name (0: none)
cmd_errapp  resd MAX_CMDS               ; 1: 2>> (append)
cmd_errdup  resd MAX_CMDS               ; 2>&1: 1 after a '>' (to its file), 2 before one (where stdout was)
ncmds       resd 1
pids        resd MAX_CMDS
pgid        resd 1                      ; the pipeline's process group
shell_pgid  resd 1
pfd         resd 2                      ; the pipe being made
prev_read   resd 1                      ; the read end of the previous command's pipe (-1: none)
background  resd 1
last_status resd 1                      ; $?
lex_rest    resd 1                      ; the text after the pipeline lexed last (0: none)
lex_first   resd 1                      ; 1 while the line's first pipeline is parsed
status      resd 1
read_fails  resd 1                      ; failed reads in a row
tty_known   resd 1                      ; 1 if stdin is a terminal and tty_mode holds its mode
tty_mode    resb 36                     ; struct termios as the shell found it
tty_now     resb 36
pathbuf     resb PATH_MAX
numbuf      resb 16
iobuf       resb IPC_MAX

section .text
global _start
_start:
    SYSCALL SYS_rt_sigaction, SIGINT, sa_ignore, 0, 8    ; rt_sigaction: Ctrl-C interrupts jobs, not the shell
    SYSCALL SYS_getpid
    mov [shell_pgid], eax
    SYSCALL SYS_setpgid, 0, 0
    call take_terminal
    SYSCALL SYS_ioctl, STDIN, TCGETS, tty_mode          ; the terminal's mode, restored after each job
    test eax, eax
    setz byte [tty_known]
    call show_motd
.prompt:
    call reap
    mov esi, s_prompt
    call ulib_puts
    SYSCALL SYS_read, STDIN, line, LINE_MAX - 1
    test eax, eax
    jz .eof
    js .read_failed
    mov dword [read_fails], 0
    mov byte [line+eax], 0
    call run_line
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

; take_terminal: makes the shell's process group the terminal's foreground group (errors ignored).
take_terminal:
    SYSCALL SYS_ioctl, STDIN, TIOCSPGRP, shell_pgid
    ; A program that set the terminal raw and ended without restoring it (killed, or careless)
    ; would leave the shell reading raw keys: put back the mode the shell found, if it changed.
    cmp dword [tty_known], 0
    je .done
    SYSCALL SYS_ioctl, STDIN, TCGETS, tty_now
    test eax, eax
    jnz .done
    mov eax, [tty_now + TERMIOS_LFLAG]
    cmp eax, [tty_mode + TERMIOS_LFLAG]
    je .done
    SYSCALL SYS_ioctl, STDIN, TCSETS, tty_mode
.done:
    ret

; reap: collects finished background children without waiting (silently).
reap:
    SYSCALL SYS_waitpid, -1, status, WNOHANG
    test eax, eax
    jg reap
    ret

; ---------------------------------------------------------------------------------------------
; Words and tokens

; lex: cuts the text at ESI into tokens (tok_type/tok_word, ended by T_END) up to the end of the
; line or to the first ';' or '&' (the last token then; [lex_rest] = the text after it, else 0),
; copying the words' text, with quotes removed and $? expanded, into `words`. So $? is expanded
; after the pipelines before it have run. CF = 0, or CF = 1 after reporting an error.
lex:
    mov dword [lex_rest], 0
    mov edi, words
    xor ebx, ebx                        ; EBX = tokens so far
.skip:
    cmp ebx, MAX_TOK
    jae .too_many
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
    mov ecx, T_PIPE
    cmp al, '|'
    je .op
    mov ecx, T_LT
    cmp al, '<'
    je .op
    mov ecx, T_SEMI
    cmp al, ';'
    je .op
    mov ecx, T_AMP
    cmp al, '&'
    je .op
    cmp al, '2'
    jne .gt
    cmp byte [esi+1], '>'
    jne .word
    inc esi                             ; "2>" at a word's start: stderr
    mov ecx, T_ERRDUP
    cmp word [esi+1], '&1'
    jne .err_file
    add esi, 2
    jmp .op
.err_file:
    mov ecx, T_ERR
    cmp byte [esi+1], '>'
    jne .op
    inc esi
    mov ecx, T_ERRAPP
    jmp .op
.gt:
    mov ecx, T_GT
    cmp al, '>'
    jne .word
    cmp byte [esi+1], '>'
    jne .op
    inc esi
    mov ecx, T_GTGT
.op:
    mov [tok_type+ebx*4], ecx
    inc ebx
    cmp ecx, T_SEMI
    jb .blank
    inc esi                             ; ';' or '&': the rest waits
    mov [lex_rest], esi
    jmp .end
.blank:
    inc esi
    jmp .skip
.word:
    mov dword [tok_type+ebx*4], T_WORD
    mov [tok_word+ebx*4], edi
    inc ebx
.wchar:
    cmp edi, words + WORDS_MAX - 16
    jae .too_long
    mov al, [esi]
    test al, al
    jz .wend
    cmp al, ' '
    je .wend
    cmp al, 9
    je .wend
    cmp al, 10
    je .wend
    cmp al, 13
    je .wend
    cmp al, '|'
    je .wend
    cmp al, '<'
    je .wend
    cmp al, '>'
    je .wend
    cmp al, ';'
    je .wend
    cmp al, '&'
    je .wend
    cmp al, "'"
    je .single
    cmp al, '"'
    je .double
    call dollar
    jnc .wchar
    mov [edi], al
    inc edi
    inc esi
    jmp .wchar
.single:                                ; '...': literally
    inc esi
.s_next:
    cmp edi, words + WORDS_MAX - 16
    jae .too_long
    mov al, [esi]
    test al, al
    jz .unterminated
    inc esi
    cmp al, "'"
    je .wchar
    mov [edi], al
    inc edi
    jmp .s_next
.double:                                ; "...": literally but $?
    inc esi
.d_next:
    cmp edi, words + WORDS_MAX - 16
    jae .too_long
    mov al, [esi]
    test al, al
    jz .unterminated
    cmp al, '"'
    je .d_end
    call dollar
    jnc .d_next
    mov [edi], al
    inc edi
    inc esi
    jmp .d_next
.d_end:
    inc esi
    jmp .wchar
.wend:
    mov byte [edi], 0
    inc edi
    jmp .skip
.end:
    mov dword [tok_type+ebx*4], T_END
    clc
    ret
.unterminated:
    mov esi, s_unquote
    jmp .fail
.too_many:
.too_long:
    mov esi, s_toowords
.fail:
    call sh_say
    stc
    ret

; dollar: if ESI points at "$?", writes $? in decimal at EDI, advances ESI by 2 and EDI past the
; digits, CF = 0; else CF = 1 and nothing changes. Uses EAX.
dollar:
    cmp byte [esi], '$'
    jne .no
    cmp byte [esi+1], '?'
    jne .no
    mov eax, [last_status]
    call ulib_utoa
    add edi, eax
    add esi, 2
    clc
    ret
.no:
    stc
    ret

; ---------------------------------------------------------------------------------------------
; Running a line

; run_line: lexes `line` one pipeline at a time and runs them one after the other; a syntax error
; stops the line.
run_line:
    mov esi, line
    mov dword [lex_first], 1
.pipeline:
    call lex
    jc .done
    xor ebx, ebx
    call parse
    jc .done
    mov eax, [tok_type+ebx*4]           ; EBX = its end: T_SEMI, T_AMP or T_END
    xor ecx, ecx
    cmp eax, T_AMP
    sete cl
    mov [background], ecx
    cmp dword [ncmds], 0
    je .next
    call run_pipeline
.next:
    mov dword [lex_first], 0
    mov esi, [lex_rest]
    test esi, esi
    jnz .pipeline
.done:
    ret

; parse: reads the pipeline that starts at token EBX into the command table (ncmds, cmd_*); EBX =
; the token that ends it (T_SEMI, T_AMP, T_END). CF = 1 after reporting a syntax error.
parse:
    xor edx, edx                        ; EDX = the command being filled
    call .clear
.tok:
    mov eax, [tok_type+ebx*4]
    cmp eax, T_WORD
    je .word
    cmp eax, T_PIPE
    je .pipe
    cmp eax, T_LT
    jb .end                             ; T_END
    cmp eax, T_ERRDUP
    je .errdup
    cmp eax, T_ERRAPP
    jbe .redirect
.end:                                   ; T_SEMI, T_AMP, T_END
    cmp dword [cmd_argc+edx*4], 0
    jne .close_last
    test edx, edx
    jnz .syntax                         ; "a |" then the end
    cmp dword [cmd_in], 0
    jne .syntax
    cmp dword [cmd_out], 0
    jne .syntax
    cmp dword [cmd_err], 0
    jne .syntax
    cmp dword [cmd_errdup], 0
    jne .syntax
    cmp eax, T_END
    je .empty
    cmp eax, T_SEMI
    jne .syntax                         ; "&" alone
    cmp dword [lex_first], 0
    jne .syntax                         ; ";" at the start of a line
    jmp .empty                          ; "a ; ;" is let go, as an empty command
.empty:
    mov dword [ncmds], 0
    clc
    ret
.close_last:
    inc edx
    mov [ncmds], edx
    clc
    ret
.word:
    mov ecx, [cmd_argc+edx*4]
    cmp ecx, MAX_ARGS
    jae .too_many
    mov edi, edx
    imul edi, edi, (MAX_ARGS + 1) * 4
    mov esi, [tok_word+ebx*4]
    mov [cmd_argv+edi+ecx*4], esi
    mov dword [cmd_argv+edi+ecx*4+4], 0
    inc dword [cmd_argc+edx*4]
    inc ebx
    jmp .tok
.redirect:
    cmp dword [tok_type+ebx*4+4], T_WORD
    jne .syntax_next
    mov esi, [tok_word+ebx*4+4]
    cmp eax, T_LT
    jne .not_in
    mov [cmd_in+edx*4], esi
    jmp .redirected
.not_in:
    cmp eax, T_GTGT
    jbe .out
    mov [cmd_err+edx*4], esi            ; 2> or 2>>
    xor ecx, ecx
    cmp eax, T_ERRAPP
    sete cl
    mov [cmd_errapp+edx*4], ecx
    jmp .redirected
.out:
    mov [cmd_out+edx*4], esi
    xor ecx, ecx
    cmp eax, T_GTGT
    sete cl
    mov [cmd_app+edx*4], ecx
.redirected:
    add ebx, 2
    jmp .tok
.errdup:                                ; 2>&1, in order: stderr goes where stdout goes at that point
    mov ecx, 2                          ; before any '>': where stdout is now (the pipe, the terminal)
    cmp dword [cmd_out+edx*4], 0
    je .errdup_set
    mov ecx, 1                          ; after a '>': to its file
.errdup_set:
    mov [cmd_errdup+edx*4], ecx
    inc ebx
    jmp .tok
.pipe:
    cmp dword [cmd_argc+edx*4], 0
    je .syntax
    inc edx
    cmp edx, MAX_CMDS
    jae .too_long
    call .clear
    inc ebx
    jmp .tok
.clear:                                 ; an empty command EDX
    mov dword [cmd_argc+edx*4], 0
    mov dword [cmd_in+edx*4], 0
    mov dword [cmd_out+edx*4], 0
    mov dword [cmd_app+edx*4], 0
    mov dword [cmd_err+edx*4], 0
    mov dword [cmd_errapp+edx*4], 0
    mov dword [cmd_errdup+edx*4], 0
    mov edi, edx
    imul edi, edi, (MAX_ARGS + 1) * 4
    mov dword [cmd_argv+edi], 0
    ret
.syntax_next:
    inc ebx
.syntax:                                ; "sh: syntax error near <token EBX>"
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, s_syntax
    call ulib_putserr
    mov eax, [tok_type+ebx*4]
    mov esi, [tok_names+eax*4]
    test esi, esi
    jnz .name
    mov esi, [tok_word+ebx*4]
.name:
    call ulib_putserr
    mov esi, s_newline
    call ulib_putserr
    mov dword [last_status], 2
    stc
    ret
.too_many:
    mov esi, s_toomany
    jmp .say
.too_long:
    mov esi, s_toolong
.say:
    call sh_say
    mov dword [last_status], 2
    stc
    ret

; run_pipeline: runs the parsed pipeline (builtins in the shell when it is one command in the
; foreground), sets $?.
run_pipeline:
    cmp dword [ncmds], 1
    jne .fork
    cmp dword [background], 0
    jne .fork
    mov esi, [cmd_argv]
    mov edi, s_exit
    call ulib_streq
    jnz builtin_exit
    mov edi, s_help
    call ulib_streq
    jnz .help
    mov edi, s_cd
    call ulib_streq
    jnz builtin_cd
    mov edi, s_pwd
    call ulib_streq
    jnz builtin_pwd
.fork:
    mov dword [pgid], 0
    mov dword [prev_read], -1
    xor ebp, ebp                        ; EBP = the command being started
.start:
    lea eax, [ebp+1]
    cmp eax, [ncmds]
    jae .no_pipe
    SYSCALL SYS_pipe, pfd
    test eax, eax
    jns .no_pipe
    mov edi, s_pipe
    jmp .failed
.no_pipe:
    SYSCALL SYS_fork
    test eax, eax
    jz child                            ; (EBP = the command)
    jns .parent
    cmp eax, -ENOSYS
    jne .fork_failed
    test ebp, ebp
    jnz .fork_failed
    jmp spawn_simple                    ; no fork in this kernel
.fork_failed:
    mov edi, s_fork
.failed:
    mov esi, s_sh
    call ulib_perror
    call close_pipe_ends
    mov [ncmds], ebp                    ; wait for the ones that started
    jmp .started
.parent:
    mov [pids+ebp*4], eax
    cmp dword [pgid], 0
    jne .joined
    mov [pgid], eax
.joined:
    SYSCALL SYS_setpgid, eax, [pgid]    ; (the child does it too: whichever runs first)
    mov eax, [prev_read]
    test eax, eax
    js .no_prev
    SYSCALL SYS_close, eax
    mov dword [prev_read], -1
.no_prev:
    lea eax, [ebp+1]
    cmp eax, [ncmds]
    jae .next
    SYSCALL SYS_close, [pfd+4]
    mov eax, [pfd]
    mov [prev_read], eax
.next:
    inc ebp
    cmp ebp, [ncmds]
    jb .start
.started:
    cmp dword [ncmds], 0
    je .done
    cmp dword [background], 0
    je .foreground
    mov esi, s_lbracket                 ; "[pgid]"
    call ulib_puts
    mov eax, [pgid]
    call ulib_putdec
    mov esi, s_rbracket
    call ulib_puts
    mov dword [last_status], 0
    jmp .done
.foreground:
    SYSCALL SYS_ioctl, STDIN, TIOCSPGRP, pgid
    xor ebp, ebp
.wait:                                  ; all of it; status ends as the last command's
    SYSCALL SYS_waitpid, [pids+ebp*4], status, 0
    inc ebp
    cmp ebp, [ncmds]
    jb .wait
    call take_terminal
    mov eax, [status]
    mov ecx, eax
    and ecx, 0x7f
    jnz .signalled
    shr eax, 8
    and eax, 0xff
    mov [last_status], eax
    jmp .done
.signalled:
    lea eax, [ecx+128]
    mov [last_status], eax
    cmp ecx, SIGPIPE
    je .done
    mov eax, [ncmds]                    ; "sh: <word>: <name> (signal n)"
    dec eax
    imul eax, eax, (MAX_ARGS + 1) * 4
    mov edi, [cmd_argv+eax]
    call report_signal
.done:
    ret
.help:
    call help
    mov dword [last_status], 0
    ret

; close_pipe_ends: closes the pipe just made (if the failed step EBP was not the last command) and
; the previous read end. Uses EAX, EBX.
close_pipe_ends:
    mov eax, [prev_read]
    test eax, eax
    js .pipe
    SYSCALL SYS_close, eax
    mov dword [prev_read], -1
.pipe:
    lea eax, [ebp+1]
    cmp eax, [ncmds]
    jae .done
    SYSCALL SYS_close, [pfd]
    SYSCALL SYS_close, [pfd+4]
.done:
    ret

; report_signal: "sh: <EDI>: <name> (signal n)\n" (or "killed by signal n") for ECX = the signal.
report_signal:
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, edi
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, sig_names
.find:
    movzx eax, byte [esi]
    test eax, eax
    jz .unknown
    inc esi
    cmp eax, ecx
    je .named
.skip:
    inc esi
    cmp byte [esi-1], 0
    jne .skip
    jmp .find
.named:
    call ulib_putserr
    mov esi, s_signal
    call ulib_putserr
    mov eax, ecx
    mov ebx, STDERR
    call ulib_fputdec
    mov al, ')'
    mov [numbuf], al
    mov byte [numbuf+1], 10
    mov byte [numbuf+2], 0
    mov esi, numbuf
    call ulib_putserr
    ret
.unknown:
    mov esi, s_killed
    call ulib_putserr
    mov eax, ecx
    mov ebx, STDERR
    call ulib_fputdec
    mov esi, s_newline
    call ulib_putserr
    ret

; child: in the child of fork for command EBP: joins the process group, takes its stdin / stdout
; from the pipes and the redirections, restores SIGINT and execs the program. Does not return.
child:
    mov eax, [pgid]
    SYSCALL SYS_setpgid, 0, eax
    SYSCALL SYS_rt_sigaction, SIGINT, sa_default, 0, 8
    mov eax, [prev_read]
    test eax, eax
    js .no_prev
    push eax
    SYSCALL SYS_dup2, eax, STDIN
    pop eax
    SYSCALL SYS_close, eax
.no_prev:
    lea eax, [ebp+1]
    cmp eax, [ncmds]
    jae .redirections
    SYSCALL SYS_close, [pfd]
    SYSCALL SYS_dup2, [pfd+4], STDOUT
    SYSCALL SYS_close, [pfd+4]
.redirections:
    mov esi, [cmd_in+ebp*4]
    test esi, esi
    jz .no_in
    SYSCALL SYS_open, esi, O_RDONLY, 0
    test eax, eax
    js .file_failed
    mov edi, STDIN
    call move_fd
.no_in:
    cmp dword [cmd_errdup+ebp*4], 2
    jne .out_file
    SYSCALL SYS_dup2, STDOUT, STDERR    ; 2>&1 before '>': stderr where stdout is before the '>'
.out_file:
    mov esi, [cmd_out+ebp*4]
    mov edx, [cmd_app+ebp*4]
    mov edi, STDOUT
    call redirect_out
    jc .file_failed
    cmp dword [cmd_errdup+ebp*4], 1
    jne .no_errdup
    SYSCALL SYS_dup2, STDOUT, STDERR    ; 2>&1 after '>': stderr to the same file
.no_errdup:
    mov esi, [cmd_err+ebp*4]
    mov edx, [cmd_errapp+ebp*4]
    mov edi, STDERR
    call redirect_out
    jc .file_failed
.exec:
    imul ebp, ebp, (MAX_ARGS + 1) * 4
    add ebp, cmd_argv                   ; EBP = argv
    mov esi, [ebp]
    call program_path                   ; ESI = the path
    SYSCALL SYS_execve, esi, ebp, envp
    mov edi, [ebp]                      ; it failed
    mov ebx, 127
    cmp eax, -ENOENT
    jne .exec_error
    mov esi, s_notfound
    call sh_error
    call ulib_exit
.exec_error:
    mov esi, s_sh
    call ulib_perror
    mov ebx, 126
    call ulib_exit
.file_failed:
    mov edi, esi                        ; "sh: <file>: <error>"
    mov esi, s_sh
    call ulib_perror
    mov ebx, 1
    call ulib_exit

; redirect_out: for `>`/`>>` (or `2>`/`2>>`): opens the file named at ESI (0: none, nothing done)
; for writing, truncated or, if EDX != 0, appended to, and moves it to descriptor EDI. CF = 1 if the
; open failed (EAX = -errno, ESI still the name). Uses EAX, EBX, ECX, EDX.
redirect_out:
    test esi, esi
    jz .done
    mov ecx, O_WRONLY | O_CREAT | O_TRUNC
    test edx, edx
    jz .open
    mov ecx, O_WRONLY | O_CREAT | O_APPEND
.open:
    SYSCALL SYS_open, esi, ecx, 0x1a4   ; 0644
    test eax, eax
    js .failed
    call move_fd
.done:
    clc
    ret
.failed:
    stc
    ret

; move_fd: dup2(EAX, EDI), then close(EAX). Uses EAX, EBX, ECX.
move_fd:
    push eax
    SYSCALL SYS_dup2, eax, edi
    pop ebx
    mov eax, SYS_close
    int 0x80
    ret

; program_path: ESI = the path of the program the word at ESI names: the word itself if it has a
; '/', else /bin/<word> (in pathbuf). Uses EAX, ECX, EDI.
program_path:
    mov ecx, esi
.scan:
    mov al, [ecx]
    test al, al
    jz .bare
    cmp al, '/'
    je .done
    inc ecx
    jmp .scan
.bare:
    sub ecx, esi                        ; ECX = the word's length
    cmp ecx, PATH_MAX - 6
    ja .done                            ; longer than any name: let the call fail with it
    mov dword [pathbuf], '/bin'
    mov byte [pathbuf+4], '/'
    lea edi, [pathbuf+5]
    inc ecx                             ; copy the NUL too
    cld
    rep movsb
    mov esi, pathbuf
.done:
    ret

; spawn_simple: without fork: runs the one command of the pipeline with spawn_image and waits for
; it; redirections and & are refused. Sets $?.
spawn_simple:
    cmp dword [background], 0
    jne .refuse
    cmp dword [cmd_in], 0
    jne .refuse
    cmp dword [cmd_out], 0
    jne .refuse
    cmp dword [cmd_err], 0
    jne .refuse
    cmp dword [cmd_errdup], 0
    jne .refuse
    mov esi, [cmd_argv]
    call program_path
    mov ebx, cmd_argv
    call ulib_spawn_path
    test eax, eax
    js .failed
    SYSCALL SYS_waitpid, eax, status, 0
    test eax, eax
    js .done
    mov eax, [status]
    mov ecx, eax
    and ecx, 0x7f
    jnz .signalled
    shr eax, 8
    and eax, 0xff
    mov [last_status], eax
    ret
.signalled:
    lea eax, [ecx+128]
    mov [last_status], eax
    mov edi, [cmd_argv]
    jmp report_signal
.failed:
    mov edi, [cmd_argv]
    mov dword [last_status], 127
    cmp eax, -ENOENT
    je .not_found
    mov dword [last_status], 126
    mov esi, s_sh
    jmp ulib_perror
.not_found:
    mov esi, s_notfound
    jmp sh_error
.refuse:
    mov esi, s_needfork
    call sh_say
    mov dword [last_status], 2
.done:
    ret

; ---------------------------------------------------------------------------------------------
; Builtins

builtin_exit:
    xor ebx, ebx                        ; `exit` alone: status 0
    cmp dword [cmd_argc], 2
    jb .now
    mov esi, [cmd_argv+4]
    call ulib_atoi
    jc .bad
    mov ebx, eax
.now:
    call ulib_exit
.bad:
    mov edi, s_exit                     ; "sh: exit: numeric argument required"
    mov esi, s_badexit
    call sh_error
    mov dword [last_status], 2
    ret

builtin_cd:
    mov esi, s_root
    cmp dword [cmd_argc], 2
    jb .go
    mov esi, [cmd_argv+4]
.go:
    SYSCALL SYS_chdir, esi
    mov dword [last_status], 0
    test eax, eax
    jns .done
    mov dword [last_status], 1
    push eax                            ; the -errno (printing the prefix sets EAX)
    push esi                            ; "sh: cd: <dir>: <error>"
    mov esi, s_sh
    call ulib_putserr
    mov esi, ulib_s_colon
    call ulib_putserr
    mov esi, s_cd
    pop edi
    pop eax
    call ulib_perror
.done:
    ret

builtin_pwd:
    SYSCALL SYS_getcwd, iobuf, PATH_MAX
    test eax, eax
    js .failed
    mov esi, iobuf
    call ulib_puts
    mov esi, s_newline
    call ulib_puts
    mov dword [last_status], 0
    ret
.failed:
    mov esi, s_sh
    mov edi, s_pwd
    call ulib_perror
    mov dword [last_status], 1
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

; help: lists the builtins, the syntax and how to power off, then the regular files in /bin, one
; per line (indented). An unreadable /bin is reported as "sh: /bin: <error>". Preserves every
; register except EAX.
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
