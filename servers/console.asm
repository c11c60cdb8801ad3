; console: the ring-3 console server. Drives the 16550 UART on COM1 (ports 0x3f8-0x3ff, IRQ4) and
; runs the terminal line discipline for everything typed on the serial line or on the keyboard.
;
; Loop: the server skeleton (servers/lib/server.inc), with these handlers:
;   CON_WRITE  print the payload byte by byte (waiting for THRE before each); reply w0 = bytes
;   CON_READ   w1 = count: queue the reader (at most NREADERS; more -> -EAGAIN), then serve the
;              queued readers from the completed input; a reader with nothing to read waits (a
;              deferred reply)
;   CON_INPUT  w1 = a character from the keyboard server: process it like a received UART byte;
;              sent with ipc_send, so no reply
;   other      -ENOSYS (the skeleton)
;   IRQ4 notification: drain RBR while LSR.DR is set, process each byte, then irq_ack(4)
;
; Line discipline: printable characters (0x20-0x7e) and Tab are stored and echoed; '\r' becomes '\n';
; '\n' echoes and completes the line (the line, '\n' included, moves to the input queue); 0x08/0x7f
; erase one character (echo "\b \b") if the line is not empty; Ctrl-C (0x03) discards the line (echo
; "^C\n"); Ctrl-D (0x04) on an empty line queues an end-of-input mark (the read that reaches it
; returns 0); Ctrl-D on a non-empty line and other control bytes are ignored. A line holds at most
; LINE_MAX-1 characters plus its '\n'; further characters are dropped (not echoed). A completed line
; that does not fit in the input queue (READY_MAX bytes) is dropped.
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
LSR_THRE    equ 0x20            ; the transmit holding register is empty
CON_IRQ     equ 4

LINE_MAX    equ 256             ; the line being edited, '\n' included
READY_MAX   equ 2048            ; completed input waiting for readers
NREADERS    equ 8               ; readers that may wait for a line
EOF_MARK    equ 0x04            ; end-of-input mark in the input queue (never stored as data)

section .data
bs_seq      db 8, " ", 8        ; erases one character on the terminal
bs_len      equ $ - bs_seq
intr_seq    db "^C", 10         ; the echo of Ctrl-C
intr_len    equ $ - intr_seq
SERVER msgbuf, IPC_MAX, con_notify, MSG_CON_WRITE, con_write, con_read, con_input

section .bss
msgbuf      resb IPC_MAX        ; request payloads (CON_WRITE)
line        resb LINE_MAX       ; the line being edited
line_len    resd 1
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

; uart_write: sends the ECX bytes at ESI exactly as given. Preserves every register.
uart_write:
    push eax
    push ecx
    push esi
    jecxz .done
.next:
    mov al, [esi]
    call uart_putc
    inc esi
    dec ecx
    jnz .next
.done:
    pop esi
    pop ecx
    pop eax
    ret

; process_char: runs the line discipline on the byte in AL (echo, editing, completing lines, and
; serving waiting readers when a line or an EOF mark completes). Preserves every register.
process_char:
    pushad
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
    cmp al, 9
    je .store
    cmp al, 0x20
    jb .done                    ; other control bytes are ignored
    cmp al, 0x7e
    ja .done                    ; so are bytes above '~'
.store:
    mov ecx, [line_len]
    cmp ecx, LINE_MAX - 1       ; keep room for the '\n'
    jae .done
    mov [line+ecx], al
    inc dword [line_len]
    call uart_putc
    jmp .done

.newline:
    call uart_putc
    mov ecx, [line_len]
    mov byte [line+ecx], 10
    inc ecx
    mov esi, line
    call queue_input
    mov dword [line_len], 0
    call serve_readers
    jmp .done

.erase:
    cmp dword [line_len], 0
    je .done
    dec dword [line_len]
    mov esi, bs_seq
    mov ecx, bs_len
    call uart_write
    jmp .done

.intr:
    mov dword [line_len], 0
    mov esi, intr_seq
    mov ecx, intr_len
    call uart_write
    jmp .done

.eof:
    cmp dword [line_len], 0
    jne .done                   ; only on an empty line
    mov byte [line], EOF_MARK
    mov esi, line
    mov ecx, 1
    call queue_input
    call serve_readers

.done:
    popad
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
