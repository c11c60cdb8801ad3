; rs: the reincarnation server (MINIX's RS). The manifest marks it `supervise=yes`; the kernel then
; tells it (the NOTIFY_SERVER bit) whenever another server ends, lets it start manifest servers again
; (spawn), kill them, and notify any of them. What a client of each service sees when one dies:
; docs/recovery.md.
;
; Start: read every manifest server's policy with server_info (restart=<max>/<window>, backoff=,
; heartbeat=). It watches every server but itself and the ones running inside the kernel
; (monolithic mode), at most HB_MAX of them (manifest indexes 0-12).
; Loop: the server skeleton (servers/lib/server.inc) with no request handlers: everything happens in
; the notification hook.
;   NOTIFY_SERVER   reap its own children (waitpid WNOHANG: the servers it restarted), then find
;                   every watched server that is no longer running (server_info pid 0) and plan its
;                   restart: at most <max> restarts within <window> ms, the n-th restart in the window
;                   <backoff> × 2^(n-1) ms after the server ended. One over the limit stays down, and
;                   RS says "rs: <name> failed too often; not restarting" on its stdout (the console).
;                   A server with no restart= stays down.
;   NOTIFY_TIMER    a tick of RS's clock (RS_TICK ms): due restarts (spawn), missed heartbeats, pings.
;   ping/pong       every <heartbeat> ms RS pings a server with bit 18+index; the skeleton answers
;                   with the same bit (server.inc). A server whose pong has not come <heartbeat> ms
;                   later is killed (SIGKILL) and then restarted like any other that ended. At most one
;                   late server is killed per tick - the first in manifest order, since a client
;                   waiting for a stuck driver is late too - and the others get one more period.
;   HB_WAKE         a server took a request while RS dozed: start the clock again.
;
; RS's clock: there is no clock call, so RS counts its own ticks (alarm RS_TICK). It only ticks while
; it has something to time: a restart waiting for its back-off, an unanswered ping, or heartbeats to
; send while the system is busy. When every other process is blocked and no ping is unanswered, RS
; dozes: it tells each heartbeat server (HB_DOZE) and stops its clock, so an idle system has no timer
; due (the machine can idle, and a scripted session can end); the next request any of them takes
; wakes RS (HB_WAKE). So RS's clock - and a restart window - only advances while RS is awake.
%define SERVER_NO_HEARTBEAT             ; RS receives the heartbeat bits itself (pongs, wake-ups)
%include "ringside.inc"
%include "server.inc"

RS_TICK     equ 10                      ; ms of virtual time per tick of RS's clock
NONE        equ -1                      ; no restart planned / no ping outstanding
MAX_SHIFT   equ 16                      ; the back-off doubles at most this many times

section .data
SERVER 0, 0, rs_notify, 0               ; no payloads, no requests: notifications only
s_prefix    db "rs: ", 0
s_toooften  db " failed too often; not restarting", 10, 0

section .bss
alignb 4
nserv       resd 1                      ; manifest servers RS knows (at most HB_MAX)
self_pid    resd 1
now         resd 1                      ; RS's clock (ms)
ticking     resd 1                      ; 1: the alarm is armed
dozing      resd 1                      ; 1: the heartbeat servers were told RS sleeps
status      resd 1
child_argv  resd 2
sinfo       resb serverinfo_size
pinfo       resb procinfo_size
msg         resb 64
; per server, by manifest index
s_name      resb 16 * HB_MAX
s_pid       resd HB_MAX                 ; its pid as RS knows it (0: not running)
s_watch     resd HB_MAX                 ; 1: RS supervises it
s_max       resd HB_MAX                 ; restart policy (max 0: never restarted)
s_window    resd HB_MAX
s_backoff   resd HB_MAX
s_hb        resd HB_MAX                 ; heartbeat period (0: none)
s_winstart  resd HB_MAX                 ; the current window's start, and restarts in it
s_wincount  resd HB_MAX
s_restart   resd HB_MAX                 ; when to start it again (RS clock), or NONE
s_deadline  resd HB_MAX                 ; when its pong is due, or NONE (no ping outstanding)
s_nextping  resd HB_MAX                 ; when to ping it next
s_gaveup    resd HB_MAX                 ; 1: failed too often, stays down

section .text
global _start
_start:
    cld
    mov eax, SYS_getpid
    int 0x80
    mov [self_pid], eax
    xor esi, esi                        ; ESI = the server index
.info:
    cmp esi, HB_MAX
    jae .known
    mov ebx, esi
    mov ecx, sinfo
    mov eax, SYS_server_info
    int 0x80
    cmp eax, 1
    jne .known
    mov eax, esi                        ; the name
    shl eax, 4
    lea edi, [s_name + eax]
    push esi
    mov esi, sinfo + serverinfo.name
    mov ecx, 16
    rep movsb
    mov byte [edi - 1], 0
    pop esi
    mov eax, [sinfo + serverinfo.restart_max]
    mov [s_max + esi*4], eax
    mov eax, [sinfo + serverinfo.window_ms]
    mov [s_window + esi*4], eax
    mov eax, [sinfo + serverinfo.backoff_ms]
    mov [s_backoff + esi*4], eax
    mov eax, [sinfo + serverinfo.heartbeat_ms]
    mov [s_hb + esi*4], eax
    mov eax, [sinfo + serverinfo.pid]
    mov [s_pid + esi*4], eax
    mov dword [s_restart + esi*4], NONE
    mov dword [s_deadline + esi*4], NONE
    test dword [sinfo + serverinfo.flags], SRV_SUPERVISOR | SRV_IN_KERNEL
    jnz .next                           ; itself, or not a process: not watched
    mov dword [s_watch + esi*4], 1
    test eax, eax
    jnz .next
    call plan_restart                   ; it ended before RS started
.next:
    inc esi
    jmp .info
.known:
    mov [nserv], esi
    call arm_clock
    jmp server_loop

; rs_notify: the notification hook, EDX = the bits. Pongs first (a pong delivered together with a
; tick is in time), then ended servers, then the tick; then the clock is armed if RS needs it.
rs_notify:
    push edx
    test edx, HB_PING_MASK
    jz .no_pong
    xor esi, esi
.pong:
    cmp esi, [nserv]
    jae .no_pong
    lea ecx, [esi + HB_FIRST]
    bt edx, ecx
    jnc .pong_next
    mov dword [s_deadline + esi*4], NONE
.pong_next:
    inc esi
    jmp .pong
.no_pong:
    mov edx, [esp]
    test edx, NOTIFY_SERVER | HB_WAKE
    jz .no_wake
    call wake_up
.no_wake:
    mov edx, [esp]
    test edx, NOTIFY_SERVER
    jz .no_end
    call servers_ended
.no_end:
    pop edx
    test edx, NOTIFY_TIMER
    jz .plan
    mov dword [ticking], 0
    add dword [now], RS_TICK
    call tick
.plan:
    jmp arm_clock

; wake_up: RS was dozing and something happened: heartbeats start again at the next tick.
wake_up:
    cmp dword [dozing], 0
    je .out
    mov dword [dozing], 0
    xor esi, esi
    mov eax, [now]
.each:
    cmp esi, [nserv]
    jae .out
    mov [s_nextping + esi*4], eax
    inc esi
    jmp .each
.out:
    ret

; servers_ended: reaps RS's own ended children, then plans the restart of every watched server that
; is no longer running.
servers_ended:
.reap:
    mov ebx, -1
    mov ecx, status
    mov edx, WNOHANG
    mov eax, SYS_waitpid
    int 0x80
    test eax, eax
    jg .reap
    xor esi, esi
.each:
    cmp esi, [nserv]
    jae .out
    cmp dword [s_watch + esi*4], 0
    je .next
    cmp dword [s_pid + esi*4], 0
    je .next                            ; already known to be down
    mov ebx, esi
    mov ecx, sinfo
    mov eax, SYS_server_info
    int 0x80
    mov eax, [sinfo + serverinfo.pid]
    mov [s_pid + esi*4], eax
    test eax, eax
    jnz .next
    mov dword [s_deadline + esi*4], NONE
    call plan_restart
.next:
    inc esi
    jmp .each
.out:
    ret

; plan_restart: server ESI has ended: plans its restart by its policy (or gives up on it, or leaves
; it down if it has no restart policy). Uses EAX, EBX, ECX, EDX, EDI, EBP.
plan_restart:
    cmp dword [s_max + esi*4], 0
    je .out                             ; never restarted
    cmp dword [s_gaveup + esi*4], 0
    jne .out
    mov eax, [now]
    cmp dword [s_wincount + esi*4], 0
    je .new_window
    mov edx, eax
    sub edx, [s_winstart + esi*4]
    cmp edx, [s_window + esi*4]
    jb .in_window
.new_window:
    mov [s_winstart + esi*4], eax
    mov dword [s_wincount + esi*4], 0
.in_window:
    mov ecx, [s_wincount + esi*4]
    cmp ecx, [s_max + esi*4]
    jae .too_often
    inc dword [s_wincount + esi*4]
    cmp ecx, MAX_SHIFT
    jbe .shift
    mov ecx, MAX_SHIFT
.shift:
    mov edx, [s_backoff + esi*4]
    shl edx, cl                         ; back-off × 2^(restarts already in the window)
    add eax, edx
    mov [s_restart + esi*4], eax
    test edx, edx
    jz restart                          ; no back-off: now
.out:
    ret
.too_often:
    mov dword [s_gaveup + esi*4], 1
    mov dword [s_restart + esi*4], NONE
    mov edi, msg                        ; "rs: <name> failed too often; not restarting\n"
    mov ebx, s_prefix
    call append
    mov ebx, esi
    shl ebx, 4
    add ebx, s_name
    call append
    mov ebx, s_toooften
    call append
    mov edx, edi
    sub edx, msg
    mov ecx, msg
    mov ebx, STDOUT
    mov eax, SYS_write
    int 0x80
    ret

; append: copies the NUL-terminated string at EBX to EDI (without the NUL); EDI = its end. Uses AL.
append:
    mov al, [ebx]
    test al, al
    jz .out
    stosb
    inc ebx
    jmp append
.out:
    ret

; restart: starts server ESI again (spawn, argv = [name]). If that fails it counts as another end.
; Uses EAX, EBX, ECX, EDX, EDI, EBP.
restart:
    mov dword [s_restart + esi*4], NONE
    mov ebx, esi
    shl ebx, 4
    add ebx, s_name
    mov [child_argv], ebx
    mov dword [child_argv + 4], 0
    mov ecx, child_argv
    mov eax, SYS_spawn
    int 0x80
    test eax, eax
    jg .started
    cmp eax, -EBUSY
    jne plan_restart                    ; could not start it: another failure
    mov ebx, esi                        ; someone else started it: take its pid
    mov ecx, sinfo
    mov eax, SYS_server_info
    int 0x80
    mov eax, [sinfo + serverinfo.pid]
.started:
    mov [s_pid + esi*4], eax
    mov dword [s_deadline + esi*4], NONE
    mov eax, [now]
    add eax, [s_hb + esi*4]
    mov [s_nextping + esi*4], eax       ; its first ping one period from now
    ret

; tick: one tick of RS's clock: due restarts, then missed pongs, then either doze (nothing to time
; and the system idle) or send the pings that are due.
tick:
    xor esi, esi
.restarts:
    cmp esi, [nserv]
    jae .late
    mov eax, [s_restart + esi*4]
    cmp eax, NONE
    je .next_restart
    cmp [now], eax
    jb .next_restart
    call restart
.next_restart:
    inc esi
    jmp .restarts

.late:                                  ; the first server whose pong is overdue is killed
    xor esi, esi
.find_late:
    cmp esi, [nserv]
    jae .idle
    mov eax, [s_deadline + esi*4]
    cmp eax, NONE
    je .next_late
    cmp [now], eax
    jae .kill
.next_late:
    inc esi
    jmp .find_late
.kill:
    mov dword [s_deadline + esi*4], NONE
    mov ebx, [s_pid + esi*4]
    mov ecx, SIGKILL
    mov eax, SYS_kill
    int 0x80                            ; (its end comes back as NOTIFY_SERVER)
    xor edi, edi                        ; the others get one more period
.grace:
    cmp edi, [nserv]
    jae .idle
    cmp dword [s_deadline + edi*4], NONE
    je .next_grace
    mov eax, [s_hb + edi*4]
    add [s_deadline + edi*4], eax
.next_grace:
    inc edi
    jmp .grace

.idle:
    call timing_needed                  ; restarts planned or pongs outstanding: stay awake
    jc .pings
    call quiet
    jnc .pings
    jmp doze
.pings:
    xor esi, esi
.ping:
    cmp esi, [nserv]
    jae .out
    call heartbeat_server
    jnc .next_ping
    cmp dword [s_deadline + esi*4], NONE
    jne .next_ping
    mov eax, [now]
    cmp eax, [s_nextping + esi*4]
    jb .next_ping
    mov edx, eax
    add edx, [s_hb + esi*4]
    mov [s_deadline + esi*4], edx
    mov [s_nextping + esi*4], edx
    lea ecx, [esi + HB_FIRST]
    xor edx, edx
    bts edx, ecx
    mov ecx, edx
    mov ebx, [s_pid + esi*4]
    mov eax, SYS_ipc_notify
    int 0x80
.next_ping:
    inc esi
    jmp .ping
.out:
    ret

; doze: tells every heartbeat server that RS sleeps (HB_DOZE) and stops the clock.
doze:
    mov dword [dozing], 1
    xor esi, esi
.each:
    cmp esi, [nserv]
    jae .out
    call heartbeat_server
    jnc .next
    mov ebx, [s_pid + esi*4]
    mov ecx, HB_DOZE
    mov eax, SYS_ipc_notify
    int 0x80
.next:
    inc esi
    jmp .each
.out:
    ret

; heartbeat_server: CF = 1 if server ESI is watched, running and has a heartbeat. Uses EAX.
heartbeat_server:
    cmp dword [s_watch + esi*4], 0
    je .no
    cmp dword [s_pid + esi*4], 0
    je .no
    cmp dword [s_hb + esi*4], 0
    je .no
    stc
    ret
.no:
    clc
    ret

; timing_needed: CF = 1 if a restart is planned or a pong is outstanding. Uses EAX, ECX.
timing_needed:
    xor ecx, ecx
.each:
    cmp ecx, [nserv]
    jae .no
    cmp dword [s_restart + ecx*4], NONE
    jne .yes
    cmp dword [s_deadline + ecx*4], NONE
    jne .yes
    inc ecx
    jmp .each
.yes:
    stc
    ret
.no:
    clc
    ret

; quiet: CF = 1 if every other process is blocked (or a zombie): nothing is running or ready.
; Uses EAX, EBX, ECX.
quiet:
    mov ebx, 1
.each:
    mov ecx, pinfo
    mov eax, SYS_procinfo
    int 0x80
    test eax, eax
    jle .yes                            ; no more processes
    lea ebx, [eax + 1]
    cmp eax, [self_pid]
    je .each
    cmp dword [pinfo + procinfo.state], PSTATE_READY
    je .no
    cmp dword [pinfo + procinfo.state], PSTATE_RUNNING
    je .no
    jmp .each
.yes:
    stc
    ret
.no:
    clc
    ret

; arm_clock: arms the next tick unless it is armed or RS has nothing to time (no restart planned, no
; pong outstanding, and no heartbeat to send while awake).
arm_clock:
    cmp dword [ticking], 0
    jne .out
    call timing_needed
    jc .arm
    cmp dword [dozing], 0
    jne .out
    xor esi, esi
.each:
    cmp esi, [nserv]
    jae .out
    call heartbeat_server
    jc .arm
    inc esi
    jmp .each
.arm:
    mov dword [ticking], 1
    mov ebx, RS_TICK
    mov eax, SYS_alarm
    int 0x80
.out:
    ret
