; console: the ring-3 console server. Drives the 16550 UART on COM1 (ports 0x3f8-0x3ff, IRQ4) and
; runs the terminal line discipline for everything typed on the serial line or on the keyboard.
;
; Loop: the server skeleton (servers/lib/server.inc), with these handlers:
;   CON_WRITE  print the payload, UART_FIFO bytes per THRE (one LSR poll, one rep outsb); reply
;              w0 = bytes
;   CON_READ   w1 = count: queue the reader (at most NREADERS; more -> -EAGAIN), then serve the
;              queued readers from the completed input; a reader with nothing to read waits (a
;              deferred reply)
;   CON_INPUT  w1 = a character from the keyboard server: process it like a received UART byte;
;              sent with ipc_send, so no reply
;   CON_TCGETS reply w0 = the line discipline's mode (c_lflag bits: ISIG 0x1, ICANON 0x2, ECHO 0x8)
;   CON_TCSETS w1 = the new mode (other bits dropped; the line being edited is discarded), w2 = 1: the
;              typed input not yet read is discarded too (TCSETSF); reply w0 = 0
;   other      -ENOSYS (the skeleton)
;   IRQ4 notification: drain RBR while LSR.DR is set, process each byte, then irq_ack(4)
;
; Line discipline (the same rules, byte for byte, as kernel/drivers/line-discipline.ts, whose header
; describes them in full): canonical mode edits a line - insertion at the cursor, Backspace (0x08,
; 0x7f), Delete (ESC[3~), left/right (ESC[D, ESC[C), Home/End (Ctrl-A/Ctrl-E, ESC[H/ESC[F, ESC[1~/
; ESC[4~, ESC[7~/ESC[8~, ESC OH/ESC OF), Ctrl-U (erase to the start), Ctrl-W (erase the word before
; the cursor), history (ESC[A, ESC[B; HIST_N lines); bytes >= 0x80 (UTF-8) are stored and echoed, a
; continuation byte takes no column; '\r' becomes '\n'; '\n' completes the line (the line, '\n'
; included, moves to the input queue); a byte that does not fit (LINE_MAX-1 bytes plus '\n') is
; refused with a bell (0x07); Ctrl-C (0x03) discards the line, echoes "^C\n" and asks for SIGINT for
; the foreground process group; Ctrl-D (0x04) on an empty line queues an end-of-input mark (the read
; that reaches it returns 0). A completed line that does not fit in the input queue (READY_MAX
; bytes) is dropped. ECHO off echoes nothing; ISIG off makes Ctrl-C an ordinary byte; ICANON off is
; raw mode: each byte is queued as it comes and a read returns what is there (at most its count).
;
; A read returns the bytes of the oldest completed line up to and including its '\n', or fewer if
; count is smaller (the rest stays queued for the next read). Readers are served in arrival order.
%include "ringside.inc"
%include "server.inc"

COM1        equ 0x3f8
UART_RBR    equ COM1+0          ; receive buffer (read), transmit holding (write), divisor low (DLAB)
UART_IER    equ COM1+1          ; interrupt enable, divisor high (DLAB)
UART_FCR    equ COM1+2          ; FIFO control (write)
UART_LCR    equ COM1+3          ; line control
UART_MCR    equ COM1+4          ; modem control
UART_LSR    equ COM1+5          ; line status
LSR_DR      equ 0x01            ; a received byte is waiting
LSR_THRE    equ 0x20            ; the transmit holding register (with the FIFOs on: the FIFO) is empty
UART_FIFO   equ 16              ; bytes the 16550's transmit FIFO takes after one THRE
CON_IRQ     equ 4

LINE_MAX    equ 256             ; the line being edited, '\n' included
READY_MAX   equ 2048            ; completed input waiting for readers
NREADERS    equ 8               ; readers that may wait for a line
EOF_MARK    equ 0x04            ; end-of-input mark in the input queue (never stored as data)
HIST_N      equ 16              ; lines kept in the history
CON_TCGETS  equ MSG_CON_TCGETS  ; console requests for the mode (docs/microkernel.md)
CON_TCSETS  equ MSG_CON_TCSETS

section .data
bs_seq      db 8, " ", 8        ; erases one character on the terminal
bs_len      equ $ - bs_seq
intr_seq    db "^C", 10         ; the echo of Ctrl-C
intr_len    equ $ - intr_seq
tilde_keys  db 0, 'H', 0, '3', 'F', 0, 0, 'H', 'F'    ; ESC [ n ~: n = 1, 7 Home; 4, 8 End; 3 Delete
align 4
lflag       dd ISIG | ICANON | ECHO
SERVER msgbuf, IPC_MAX, con_notify, MSG_CON_WRITE, con_write, con_read, con_input, con_tcgets, con_tcsets

section .bss
msgbuf      resb IPC_MAX        ; request payloads (CON_WRITE)
line        resb LINE_MAX       ; the line being edited
line_len    resd 1
cursor      resd 1              ; the cursor's offset in the line
esc_state   resd 1              ; 0, 1 after ESC, 2 after ESC [ or ESC O
esc_param   resd 1              ; the number in ESC [ n ~
hist        resb HIST_N * LINE_MAX  ; the history, oldest first
hist_len    resd HIST_N
hist_n      resd 1              ; entries in the history
hist_pos    resd 1              ; the entry shown (hist_n: the new line)
draft       resb LINE_MAX       ; the new line while the history is browsed
draft_len   resd 1
rawbyte     resb 1
ready       resb READY_MAX      ; completed lines and EOF marks, oldest first
ready_len   resd 1
rd_pid      resd NREADERS       ; waiting readers, oldest first
rd_cnt      resd NREADERS       ; ... and the most bytes each wants
rd_n        resd 1              ; how many readers wait

section .text
global _start
_start:
    cld
    call uart_init
    call uart_drain             ; bytes that arrived before the interrupt was enabled
    mov ebx, CON_IRQ
    mov eax, SYS_irq_ack        ; the first ack enables IRQ4
    int 0x80
    jmp server_loop

; CON_WRITE: prints the EDI payload bytes at ESI exactly as given; replies w0 = the count.
con_write:
    mov ecx, edi
    call uart_write
    mov eax, edi
    jmp server_done

; CON_INPUT: w1 = a character typed on the keyboard, processed like a received UART byte. It was
; sent with ipc_send: no reply.
con_input:
    mov eax, edx
    call process_char
    mov eax, SERVER_NO_REPLY
    ret

; CON_TCGETS: replies w0 = the mode.
con_tcgets:
    mov eax, [lflag]
    jmp server_done

; CON_TCSETS: w1 = the new mode; the line being edited is discarded, and with w2 = 1 (TCSETSF) the
; input already typed too. Replies 0.
con_tcsets:
    and edx, ISIG | ICANON | ECHO
    mov [lflag], edx
    xor eax, eax
    cmp ebp, 1
    jne .keep_input
    mov [ready_len], eax
.keep_input:
    mov [line_len], eax
    mov [cursor], eax
    mov [esc_state], eax
    mov ecx, [hist_n]
    mov [hist_pos], ecx
    jmp server_done

; intr_foreground: Ctrl-C: asks the kernel to send SIGINT to the foreground process group
; (signal_fg). Preserves every register.
intr_foreground:
    push eax
    push ebx
    mov ebx, 2                  ; SIGINT
    mov eax, SYS_signal_fg
    int 0x80
    pop ebx
    pop eax
    ret

; con_notify: the notification hook. On the IRQ4 bit drains the UART (processing each byte) and
; acknowledges the interrupt; other bits are ignored.
con_notify:
    test edx, 1 << CON_IRQ
    jz .done
    call uart_drain
    mov ebx, CON_IRQ
    mov eax, SYS_irq_ack
    int 0x80
.done:
    ret

; uart_init: programs COM1 for 115200 8N1 with FIFOs, DTR/RTS/OUT2 set, and only the receive-data
; interrupt enabled. Uses EAX, EDX.
uart_init:
    mov dx, UART_IER
    mov al, 0                   ; no interrupts while programming
    out dx, al
    mov dx, UART_LCR
    mov al, 0x80                ; DLAB: the next two registers are the divisor
    out dx, al
    mov dx, UART_RBR
    mov al, 1                   ; divisor 1 = 115200 baud
    out dx, al
    mov dx, UART_IER
    mov al, 0
    out dx, al
    mov dx, UART_LCR
    mov al, 0x03                ; 8 data bits, no parity, 1 stop bit, DLAB off
    out dx, al
    mov dx, UART_FCR
    mov al, 0xc7                ; enable and clear both FIFOs, 14-byte trigger
    out dx, al
    mov dx, UART_MCR
    mov al, 0x0b                ; DTR, RTS, OUT2 (routes the interrupt on real hardware)
    out dx, al
    mov dx, UART_IER
    mov al, 0x01                ; receive-data-available interrupt only
    out dx, al
    ret

; uart_drain: reads and processes every byte the UART holds (while LSR.DR). Uses EAX, EDX (and
; whatever process_char uses).
uart_drain:
    mov dx, UART_LSR
    in al, dx
    test al, LSR_DR
    jz .done
    mov dx, UART_RBR
    in al, dx
    movzx eax, al
    call process_char
    jmp uart_drain
.done:
    ret

; uart_putc: sends AL on COM1 once the transmit holding register is empty. Preserves every register.
uart_putc:
    push edx
    push eax
    mov dx, UART_LSR
.wait:
    in al, dx
    test al, LSR_THRE
    jz .wait
    pop eax
    mov dx, UART_RBR
    out dx, al
    pop edx
    ret

; uart_write: sends the ECX bytes at ESI exactly as given, in bursts: with the FIFOs on (uart_init),
; THRE means the transmit FIFO is empty, so one LSR poll covers UART_FIFO bytes, sent with one
; rep outsb. Preserves every register.
uart_write:
    push eax
    push ebx
    push ecx
    push edx
    push esi
    mov ebx, ecx                ; bytes left
.burst:
    test ebx, ebx
    jz .done
    mov dx, UART_LSR
.wait:
    in al, dx
    test al, LSR_THRE
    jz .wait
    mov ecx, UART_FIFO
    cmp ebx, ecx
    jae .send
    mov ecx, ebx                ; the last, shorter burst
.send:
    sub ebx, ecx
    mov dx, UART_RBR
    rep outsb                   ; ESI moves on past the burst
    jmp .burst
.done:
    pop esi
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret

; process_char: runs the line discipline on the byte in AL (echo, editing, completing lines, and
; serving waiting readers when a line or an EOF mark completes). Preserves every register.
process_char:
    pushad
    movzx eax, al
    test dword [lflag], ICANON
    jnz .canonical
    cmp al, 3                   ; raw mode: Ctrl-C interrupts (with ISIG), every other byte is queued
    jne .raw
    test dword [lflag], ISIG
    jz .raw
    call intr_foreground
    jmp .done
.raw:
    call out_byte
    mov [rawbyte], al
    mov esi, rawbyte
    mov ecx, 1
    call queue_input
    call serve_readers
    jmp .done
.canonical:
    cmp dword [esc_state], 0
    je .plain
    call escape
    jc .done                    ; taken by the escape sequence
.plain:
    cmp al, 13
    jne .not_cr
    mov al, 10                  ; '\r' becomes '\n'
.not_cr:
    cmp al, 10
    je .newline
    cmp al, 8
    je .erase
    cmp al, 0x7f
    je .erase
    cmp al, 3
    je .intr
    cmp al, EOF_MARK
    je .eof
    cmp al, 0x1b
    je .esc
    cmp al, 1
    je .home
    cmp al, 5
    je .end
    cmp al, 0x15
    je .kill_line
    cmp al, 0x17
    je .kill_word
    cmp al, 9
    je .insert
    cmp al, 0x20
    jb .done                    ; other control bytes are ignored
.insert:
    call do_insert
    jmp .done

.newline:
    mov esi, [cursor]           ; the rest of the line, then '\n'
    mov ecx, [line_len]
    call out_range
    mov al, 10
    call out_byte
    call remember
    mov ecx, [line_len]
    mov byte [line+ecx], 10
    inc ecx
    mov esi, line
    call queue_input
    xor eax, eax
    mov [line_len], eax
    mov [cursor], eax
    call serve_readers
    jmp .done

.erase:
    mov eax, [cursor]
    test eax, eax
    jz .done
    call prev_char
    mov esi, eax
    mov edi, [cursor]
    call do_erase
    jmp .done

.intr:
    test dword [lflag], ISIG
    jz .done
    xor eax, eax
    mov [line_len], eax
    mov [cursor], eax
    mov eax, [hist_n]
    mov [hist_pos], eax
    mov esi, intr_seq
    mov ecx, intr_len
    call out_mem
    call intr_foreground
    jmp .done

.eof:
    cmp dword [line_len], 0
    jne .done                   ; only on an empty line
    mov byte [line], EOF_MARK
    mov esi, line
    mov ecx, 1
    call queue_input
    call serve_readers
    jmp .done

.esc:
    mov dword [esc_state], 1
    mov dword [esc_param], 0
    jmp .done
.home:
    call do_home
    jmp .done
.end:
    call do_end
    jmp .done
.kill_line:
    mov edi, [cursor]
    test edi, edi
    jz .done
    xor esi, esi
    call do_erase
    jmp .done
.kill_word:
    mov eax, [cursor]
.blanks:                        ; back over blanks, then over the word
    test eax, eax
    jz .word
    mov cl, [line+eax-1]
    cmp cl, ' '
    je .blank
    cmp cl, 9
    jne .word
.blank:
    dec eax
    jmp .blanks
.word:
    test eax, eax
    jz .cut
    mov cl, [line+eax-1]
    cmp cl, ' '
    je .cut
    cmp cl, 9
    je .cut
    dec eax
    jmp .word
.cut:
    cmp eax, [cursor]
    jae .done
    mov esi, eax
    mov edi, [cursor]
    call do_erase

.done:
    popad
    ret

; escape: one byte (AL) of an escape sequence. CF = 1: taken; CF = 0: a control byte ended the
; sequence and is processed as itself. A complete sequence runs its key. Uses every register but AL
; when CF = 0.
escape:
    cmp al, 0x20
    jb .end_seq
    cmp al, 0x7f
    je .end_seq
    cmp dword [esc_state], 1
    jne .csi
    mov dword [esc_state], 0    ; after ESC: '[' or 'O' starts a sequence, anything else is dropped
    cmp al, '['
    je .start
    cmp al, 'O'
    jne .taken
.start:
    mov dword [esc_state], 2
.taken:
    stc
    ret
.end_seq:
    mov dword [esc_state], 0
    clc
    ret
.csi:
    cmp al, '0'
    jb .other
    cmp al, '9'
    ja .other
    mov ecx, [esc_param]        ; a digit of the parameter
    cmp ecx, 1000
    jae .taken
    imul ecx, ecx, 10
    lea ecx, [ecx+eax-'0']
    mov [esc_param], ecx
    jmp .taken
.other:
    cmp al, 0x40
    jb .taken                   ; ';' and other parameter or intermediate bytes: skipped
    mov dword [esc_state], 0    ; the final byte
    cmp al, '~'
    jne .key
    mov ecx, [esc_param]
    xor eax, eax
    cmp ecx, 8
    ja .key
    mov al, [tilde_keys+ecx]
.key:
    cmp al, 'A'
    je .up
    cmp al, 'B'
    je .down
    cmp al, 'C'
    je .right
    cmp al, 'D'
    je .left
    cmp al, 'H'
    je .home
    cmp al, 'F'
    je .end
    cmp al, '3'
    jne .taken
    call key_delete
    jmp .taken
.up:
    call hist_up
    jmp .taken
.down:
    call hist_down
    jmp .taken
.right:
    call key_right
    jmp .taken
.left:
    call key_left
    jmp .taken
.home:
    call do_home
    jmp .taken
.end:
    call do_end
    jmp .taken

; out_byte: echoes AL (if ECHO is on). Preserves every register.
out_byte:
    test dword [lflag], ECHO
    jz .off
    call uart_putc
.off:
    ret

; out_mem: echoes the ECX bytes at ESI. Preserves every register.
out_mem:
    push eax
    push ecx
    push esi
    test ecx, ecx
    jle .done
.next:
    mov al, [esi]
    call out_byte
    inc esi
    dec ecx
    jnz .next
.done:
    pop esi
    pop ecx
    pop eax
    ret

; out_range: echoes line[ESI, ECX). Preserves every register.
out_range:
    push ecx
    push esi
    sub ecx, esi
    add esi, line
    call out_mem
    pop esi
    pop ecx
    ret

; out_rep: echoes AL ECX times. Preserves every register.
out_rep:
    push ecx
    test ecx, ecx
    jle .done
.next:
    call out_byte
    dec ecx
    jnz .next
.done:
    pop ecx
    ret

; backs: echoes ECX "\b"; blanks: ECX spaces. Preserve every register.
backs:
    push eax
    mov al, 8
    call out_rep
    pop eax
    ret
blanks:
    push eax
    mov al, ' '
    call out_rep
    pop eax
    ret

; cols: EAX = the columns of line[ESI, ECX) (its bytes that are not UTF-8 continuation bytes).
; Preserves every other register.
cols:
    push edx
    push esi
    xor eax, eax
.next:
    cmp esi, ecx
    jae .done
    mov dl, [line+esi]
    and dl, 0xc0
    cmp dl, 0x80
    je .cont
    inc eax
.cont:
    inc esi
    jmp .next
.done:
    pop esi
    pop edx
    ret

; prev_char: EAX = the start of the character before offset EAX (> 0). Preserves the others.
prev_char:
    push edx
.back:
    dec eax
    jz .done
    mov dl, [line+eax]
    and dl, 0xc0
    cmp dl, 0x80
    je .back
.done:
    pop edx
    ret

; next_char: EAX = the end of the character at offset EAX (< line_len). Preserves the others.
next_char:
    push edx
.fwd:
    inc eax
    cmp eax, [line_len]
    jae .done
    mov dl, [line+eax]
    and dl, 0xc0
    cmp dl, 0x80
    je .fwd
.done:
    pop edx
    ret

; do_home, do_end, key_left, key_right, key_delete: the cursor keys. Use EAX, ECX, ESI, EDI, EBX,
; EDX, EBP.
do_home:
    xor esi, esi
    mov ecx, [cursor]
    call cols
    mov ecx, eax
    call backs
    mov dword [cursor], 0
    ret
do_end:
    mov esi, [cursor]
    mov ecx, [line_len]
    call out_range
    mov [cursor], ecx
    ret
key_right:
    mov eax, [cursor]
    cmp eax, [line_len]
    jae .done
    call next_char
    mov esi, [cursor]
    mov ecx, eax
    call out_range
    mov [cursor], eax
.done:
    ret
key_left:
    mov eax, [cursor]
    test eax, eax
    jz .done
    call prev_char
    mov esi, eax
    mov ecx, [cursor]
    mov ebx, eax
    call cols
    mov ecx, eax
    call backs
    mov [cursor], ebx
.done:
    ret
key_delete:
    mov eax, [cursor]
    cmp eax, [line_len]
    jae .done
    call next_char
    mov edi, eax
    mov esi, [cursor]
    call do_erase
.done:
    ret

; do_insert: inserts AL at the cursor and echoes it (a bell if the line is full); in the middle of
; the line the tail is redrawn once the character is complete. Uses EAX, EBX, ECX, EDX, ESI, EDI.
do_insert:
    mov edx, [line_len]
    cmp edx, LINE_MAX - 1       ; keep room for the '\n'
    jb .room
    mov al, 7
    jmp out_byte
.room:
    mov ebx, [cursor]           ; EBX = where it goes
    mov ecx, edx
.shift:                         ; line[EBX, len) moves up one byte
    cmp ecx, ebx
    jbe .put
    mov ah, [line+ecx-1]
    mov [line+ecx], ah
    dec ecx
    jmp .shift
.put:
    mov [line+ebx], al
    inc edx
    mov [line_len], edx
    lea ecx, [ebx+1]
    mov [cursor], ecx
    call out_byte
    cmp ecx, edx
    je .done                    ; at the end: nothing to redraw
    cmp al, 0xc0
    jae .done                   ; a lead byte: its continuation bytes follow
    mov ah, al
    and ah, 0xc0
    cmp ah, 0x80
    jne .redraw
    mov esi, ebx                ; a continuation byte: is the character complete?
.lead:
    test esi, esi
    jz .got_lead
    mov ah, [line+esi]
    and ah, 0xc0
    cmp ah, 0x80
    jne .got_lead
    dec esi
    jmp .lead
.got_lead:
    movzx eax, byte [line+esi]
    mov edi, 4
    cmp eax, 0xf0
    jae .need
    mov edi, 3
    cmp eax, 0xe0
    jae .need
    mov edi, 2
    cmp eax, 0xc0
    jae .need
    mov edi, 1
.need:
    mov eax, ecx
    sub eax, esi
    cmp eax, edi
    jb .done
.redraw:
    mov esi, ecx                ; the tail, then back to the cursor
    mov ecx, edx
    call out_range
    call cols
    mov ecx, eax
    call backs
.done:
    ret

; do_erase: erases line[ESI, EDI) (the cursor is at ESI or EDI): back to ESI, the tail redrawn, the
; freed columns blanked, back to the cursor (ESI). Uses EAX, EBX, ECX, ESI, EDI, EBP.
do_erase:
    mov ecx, edi
    call cols
    mov ebp, eax                ; EBP = the columns that go
    mov ecx, [cursor]
    call cols
    mov ecx, eax
    call backs
    mov ebx, esi
    mov ecx, [line_len]
    sub ecx, edi
    push esi
    lea esi, [line+edi]
    lea edi, [line+ebx]
    rep movsb
    pop esi
    sub edi, line               ; EDI = the new length
    mov [line_len], edi
    mov [cursor], esi
    mov ecx, edi
    call out_range
    mov ecx, ebp
    call blanks
    mov ecx, edi
    call cols
    add eax, ebp
    mov ecx, eax
    call backs
    ret

; do_replace: shows the ECX bytes at ESI as the line instead of the current one; the cursor goes to
; its end. Uses EAX, ECX, ESI, EDI, EBP.
do_replace:
    push ecx
    push esi
    xor esi, esi
    mov ecx, [line_len]
    call cols
    mov ebp, eax                ; EBP = the old line's columns
    mov ecx, [cursor]
    call cols
    mov ecx, eax
    call backs
    pop esi
    pop ecx
    mov [line_len], ecx
    mov [cursor], ecx
    mov edi, line
    push ecx
    rep movsb
    pop ecx
    xor esi, esi
    call out_range
    call cols
    sub ebp, eax
    jle .done
    mov ecx, ebp                ; blank what is left of the old line
    call blanks
    call backs
.done:
    ret

; hist_up, hist_down: the previous / next history entry (the new line below the newest). Use EAX,
; ECX, ESI, EDI, EBP.
hist_up:
    mov eax, [hist_pos]
    test eax, eax
    jz .done
    cmp eax, [hist_n]
    jne .go
    mov ecx, [line_len]         ; leaving the new line: keep it
    mov [draft_len], ecx
    mov esi, line
    mov edi, draft
    rep movsb
.go:
    dec dword [hist_pos]
    mov eax, [hist_pos]
    jmp show_hist
.done:
    ret
hist_down:
    mov eax, [hist_pos]
    cmp eax, [hist_n]
    je .done
    inc eax
    mov [hist_pos], eax
    cmp eax, [hist_n]
    jne show_hist
    mov esi, draft
    mov ecx, [draft_len]
    jmp do_replace
.done:
    ret
; show_hist: shows history entry EAX.
show_hist:
    mov ecx, [hist_len+eax*4]
    imul eax, eax, LINE_MAX
    lea esi, [hist+eax]
    jmp do_replace

; remember: adds the line (not empty, not the newest entry again) to the history, dropping the
; oldest entry when it is full; browsing starts over at the new line. Uses EAX, ECX, ESI, EDI.
remember:
    mov eax, [hist_n]
    mov [hist_pos], eax
    mov ecx, [line_len]
    test ecx, ecx
    jz .done
    test eax, eax
    jz .add
    cmp [hist_len+eax*4-4], ecx
    jne .add
    lea edi, [eax-1]
    imul edi, edi, LINE_MAX
    add edi, hist
    mov esi, line
    repe cmpsb
    je .done                    ; the same as the newest entry
.add:
    mov eax, [hist_n]
    cmp eax, HIST_N
    jb .room
    mov esi, hist + LINE_MAX    ; full: the oldest entry goes
    mov edi, hist
    mov ecx, (HIST_N - 1) * LINE_MAX
    rep movsb
    mov esi, hist_len + 4
    mov edi, hist_len
    mov ecx, HIST_N - 1
    rep movsd
    dec eax
.room:
    mov ecx, [line_len]
    mov [hist_len+eax*4], ecx
    mov edi, eax
    imul edi, edi, LINE_MAX
    add edi, hist
    mov esi, line
    rep movsb
    inc eax
    mov [hist_n], eax
    mov [hist_pos], eax
.done:
    ret

; queue_input: appends the ECX bytes at ESI to the input queue, or drops them all if they do not
; fit. Uses ECX, ESI, EDI.
queue_input:
    mov edi, [ready_len]
    add edi, ecx
    cmp edi, READY_MAX
    ja .full
    mov [ready_len], edi
    sub edi, ecx
    add edi, ready
    rep movsb
.full:
    ret

; CON_READ: w1 = the most bytes wanted (EDX), from the client EAX. A zero count is answered 0 at
; once, and so is -EAGAIN when NREADERS already wait; otherwise the reader joins the FIFO, the FIFO
; is served and the reply is deferred (serve_readers sends it when input is there).
con_read:
    test edx, edx
    jnz .queue
    xor eax, eax
    jmp server_done
.queue:
    mov ecx, [rd_n]
    cmp ecx, NREADERS
    jae .busy
    mov [rd_pid+ecx*4], eax
    mov [rd_cnt+ecx*4], edx
    inc dword [rd_n]
    call serve_readers
    mov eax, SERVER_NO_REPLY
    ret
.busy:
    mov eax, -EAGAIN
    jmp server_done

; serve_readers: while a reader waits and input is queued, replies to the oldest reader with the
; head of the input queue: 0 for an EOF mark (consumed), else the bytes up to and including the first
; '\n', at most its count. Input is consumed only when the reply arrives (a reader that has gone away
; is dropped and the input stays for the next). Uses EAX, EBX, ECX, EDX, ESI, EDI, EBP.
serve_readers:
    cmp dword [rd_n], 0
    je .done
    mov eax, [ready_len]
    test eax, eax
    jz .done
    test dword [lflag], ICANON
    jnz .canonical
    mov ecx, eax                ; raw mode: what is there, at most the count
    jmp .found
.canonical:
    cmp byte [ready], EOF_MARK
    jne .line
    xor ecx, ecx                ; the reply: 0 bytes
    mov esi, 1                  ; consume the mark
    jmp .reply
.line:
    xor ecx, ecx                ; ECX = the length of the first line, '\n' included
.scan:
    inc ecx
    cmp byte [ready+ecx-1], 10
    je .found
    cmp ecx, eax
    jb .scan
.found:
    cmp ecx, [rd_cnt]
    jbe .fits
    mov ecx, [rd_cnt]
.fits:
    mov esi, ecx
.reply:                         ; ECX = bytes to send, ESI = bytes to consume on success
    push esi
    mov ebx, [rd_pid]
    mov eax, ecx
    mov edi, ecx
    xor edx, edx
    xor ebp, ebp
    mov esi, ready
    call server_reply
    pop ecx
    test eax, eax
    jnz .popreader              ; the reader is gone: keep the input
    mov edi, ready              ; consume ECX bytes: move the rest down
    lea esi, [ready+ecx]
    mov eax, [ready_len]
    sub eax, ecx
    mov [ready_len], eax
    mov ecx, eax
    rep movsb
.popreader:                     ; drop the oldest reader
    dec dword [rd_n]
    xor ecx, ecx
.shift:
    cmp ecx, [rd_n]
    jae serve_readers
    mov eax, [rd_pid+ecx*4+4]
    mov [rd_pid+ecx*4], eax
    mov eax, [rd_cnt+ecx*4+4]
    mov [rd_cnt+ecx*4], eax
    inc ecx
    jmp .shift
.done:
    ret
