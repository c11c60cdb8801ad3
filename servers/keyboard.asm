; keyboard: the ring-3 PS/2 keyboard server. Drives the first port of the 8042 controller (ports 0x60
; and 0x64, IRQ1) and turns scan code set 1 into characters for the console server.
;
; Start: find the console with ipc_lookup("console") (if it is not running yet, it is looked up again
; before each character, and again after a send fails because it ended), enable the first port's
; interrupt and clock in the controller's configuration byte (command 0x20 reads it, 0x60 writes it),
; tell the keyboard to scan (0xf4, answered 0xfa), then irq_ack(1) (the first ack enables IRQ1).
; Loop: the server skeleton (servers/lib/server.inc) with no request handlers: it serves only
; notifications (a request, which the manifest lets nobody send, is answered -ENOSYS). On an IRQ1
; notification read port 0x60 while the status port says the output buffer is full, translate each
; make code and ipc_send(console, MSG_CON_INPUT, char) for each character, then irq_ack(1).
;
; Translation: letters, digits, punctuation, space, Enter -> '\n', Backspace -> 0x08, Tab, Esc -> 0x1b;
; Shift (either) selects the shifted symbol, Caps Lock toggles the case of letters, Ctrl (left or
; right) + a letter gives its control code (Ctrl-C = 0x03). Releases (bit 7) are ignored except for
; Shift and Ctrl; after an 0xe0 prefix only Right Ctrl, keypad Enter, keypad '/' and the cursor keys
; count: the cursor keys become the VT100 sequences a serial terminal sends (Up ESC [ A, Down ESC [ B,
; Right ESC [ C, Left ESC [ D, Home ESC [ H, End ESC [ F, Delete ESC [ 3 ~), one CON_INPUT a byte.
%include "ringside.inc"
%include "server.inc"

KBD_DATA    equ 0x60
KBD_STATUS  equ 0x64            ; status (read), controller command (write)
ST_OUTFULL  equ 0x01            ; a byte waits in the data port
ST_INFULL   equ 0x02            ; the controller has not taken the last byte written yet
ST_AUX      equ 0x20            ; the waiting byte comes from the second (mouse) port
KBD_IRQ     equ 1
POLL_LIMIT  equ 100000          ; status polls before a controller step is given up

SC_LCTRL    equ 0x1d
SC_LSHIFT   equ 0x2a
SC_RSHIFT   equ 0x36
SC_CAPS     equ 0x3a
SC_E0       equ 0xe0

section .data
console_name db "console", 0
; set-1 make code -> character, unshifted and shifted (0 = no character); codes 0x00-0x39
keymap:
    db 0, 27, "1234567890-=", 8, 9
    db "qwertyuiop[]", 10, 0
    db "asdfghjkl;'`", 0, 0x5c
    db "zxcvbnm,./", 0, "*", 0, " "
keymap_shift:
    db 0, 27, "!@#$%^&*()_+", 8, 9
    db "QWERTYUIOP{}", 10, 0
    db "ASDFGHJKL:", '"', "~", 0, "|"
    db "ZXCVBNM<>?", 0, "*", 0, " "
KEYMAP_LEN  equ keymap_shift - keymap
; 0xe0-prefixed cursor keys: make code, final byte of ESC [ x (0 ends the table)
e0_keys     db 0x48, 'A', 0x50, 'B', 0x4d, 'C', 0x4b, 'D', 0x47, 'H', 0x4f, 'F', 0x53, '3', 0
SERVER 0, 0, kbd_notify, 0      ; no payloads, no requests

section .bss
console     resd 1              ; the console's endpoint
shift       resd 1              ; bit 0 left shift, bit 1 right shift
ctrl        resd 1              ; bit 0 left ctrl, bit 1 right ctrl
caps        resd 1              ; Caps Lock toggled on
prefix      resd 1              ; the previous byte was 0xe0

section .text
global _start
_start:
    cld
    call find_console           ; may fail if the console is not running yet: retried per character
    call kbd_init
    mov ebx, KBD_IRQ
    mov eax, SYS_irq_ack        ; the first ack enables IRQ1
    int 0x80
    jmp server_loop

; kbd_notify: the notification hook. On the IRQ1 bit reads port 0x60 while the status port says the
; output buffer is full (skipping mouse bytes), turns each byte into characters for the console, then
; acknowledges the interrupt; other bits are ignored. Uses every register.
kbd_notify:
    test edx, 1 << KBD_IRQ
    jz .done
.drain:
    in al, KBD_STATUS
    test al, ST_OUTFULL
    jz .ack
    test al, ST_AUX
    in al, KBD_DATA             ; (in does not change the flags)
    jnz .drain                  ; a mouse byte: not ours
    movzx eax, al
    call scancode
    jmp .drain
.ack:
    mov ebx, KBD_IRQ
    mov eax, SYS_irq_ack
    int 0x80
.done:
    ret

; kbd_init: sets bit 0 (first-port interrupt) and clears bit 4 (first-port clock disabled) of the
; controller configuration byte, then enables scanning on the keyboard and takes its 0xfa reply.
; Bytes left over in the output buffer are discarded. Uses EAX, ECX, EDX.
kbd_init:
    call flush_output
    mov al, 0x20                ; read the configuration byte
    call write_command
    mov dl, 0x05                ; if there is no answer: a sane configuration
    call read_data
    jc .write_config
    mov dl, al
.write_config:
    or dl, 0x01
    and dl, ~0x10
    mov al, 0x60                ; write the configuration byte
    call write_command
    mov al, dl
    call write_data
    mov al, 0xf4                ; keyboard: enable scanning
    call write_data
    call read_data              ; 0xfa (acknowledge)
    call flush_output
    ret

; flush_output: discards every byte waiting in the output buffer. Uses EAX.
flush_output:
    in al, KBD_STATUS
    test al, ST_OUTFULL
    jz .done
    in al, KBD_DATA
    jmp flush_output
.done:
    ret

; wait_input_empty: waits (at most POLL_LIMIT polls) until the controller can take a byte. Uses ECX.
wait_input_empty:
    push eax
    mov ecx, POLL_LIMIT
.poll:
    in al, KBD_STATUS
    test al, ST_INFULL
    jz .done
    dec ecx
    jnz .poll
.done:
    pop eax
    ret

; write_command: sends the controller command in AL to port 0x64. Uses ECX.
write_command:
    call wait_input_empty
    out KBD_STATUS, al
    ret

; write_data: sends AL to port 0x60 (to the keyboard, or a command's argument). Uses ECX.
write_data:
    call wait_input_empty
    out KBD_DATA, al
    ret

; read_data: AL = the next byte of the output buffer, CF = 0; CF = 1 if none came within POLL_LIMIT
; polls. Uses EAX, ECX.
read_data:
    mov ecx, POLL_LIMIT
.poll:
    in al, KBD_STATUS
    test al, ST_OUTFULL
    jnz .ready
    dec ecx
    jnz .poll
    stc
    ret
.ready:
    in al, KBD_DATA
    clc
    ret

; scancode: tracks modifiers for the set-1 code in AL and sends the character it makes (if any) to
; the console. Uses EAX, EBX, ECX, EDX, ESI, EDI, EBP.
scancode:
    cmp al, SC_E0
    jne .not_prefix
    mov dword [prefix], 1
    ret
.not_prefix:
    mov ebx, eax
    and ebx, 0x7f               ; EBX = the key, bit 7 of EAX = released
    cmp dword [prefix], 0
    je .plain
    mov dword [prefix], 0
    cmp ebx, SC_LCTRL           ; E0 1D: right ctrl
    je .rctrl
    test al, 0x80
    jnz .done
    cmp ebx, 0x1c               ; E0 1C: keypad Enter
    je .enter
    cmp ebx, 0x35               ; E0 35: keypad '/'
    jne .cursor_key
    mov eax, '/'
    jmp send_char
.cursor_key:
    mov esi, e0_keys
.e0_next:
    cmp byte [esi], 0
    je .done
    cmp [esi], bl
    je .e0_seq
    add esi, 2
    jmp .e0_next
.e0_seq:                        ; ESC [ x (and '~' after Delete's '3')
    movzx eax, byte [esi+1]
    push eax
    mov eax, 0x1b
    call send_char
    mov eax, '['
    call send_char
    mov eax, [esp]
    call send_char
    pop eax
    cmp eax, '3'
    jne .done
    mov eax, '~'
    jmp send_char
.enter:
    mov eax, 10
    jmp send_char
.rctrl:
    mov ecx, 2
    jmp .modifier_ctrl
.plain:
    cmp ebx, SC_LSHIFT
    je .lshift
    cmp ebx, SC_RSHIFT
    je .rshift
    cmp ebx, SC_LCTRL
    je .lctrl
    test al, 0x80
    jnz .done                   ; other releases do nothing
    cmp ebx, SC_CAPS
    je .caps
    cmp ebx, KEYMAP_LEN
    jae .done
    mov edx, keymap
    cmp dword [shift], 0
    je .unshifted
    mov edx, keymap_shift
.unshifted:
    movzx eax, byte [edx+ebx]
    test eax, eax
    jz .done
    mov ecx, eax                ; letters: Caps Lock flips the case
    or ecx, 0x20
    cmp ecx, 'a'
    jb .not_letter
    cmp ecx, 'z'
    ja .not_letter
    cmp dword [caps], 0
    je .no_caps
    xor eax, 0x20
.no_caps:
    cmp dword [ctrl], 0
    je send_char
    and eax, 0x1f               ; Ctrl + letter
.not_letter:
    jmp send_char
.caps:
    xor dword [caps], 1
    ret
.lshift:
    mov ecx, 1
    jmp .modifier_shift
.rshift:
    mov ecx, 2
.modifier_shift:
    test al, 0x80
    jnz .shift_up
    or [shift], ecx
    ret
.shift_up:
    not ecx
    and [shift], ecx
    ret
.lctrl:
    mov ecx, 1
.modifier_ctrl:
    test al, 0x80
    jnz .ctrl_up
    or [ctrl], ecx
    ret
.ctrl_up:
    not ecx
    and [ctrl], ecx
.done:
    ret

; send_char: ipc_send(console, MSG_CON_INPUT, w1 = EAX). Without a console the character is dropped;
; if the console has gone away it is looked up again and the send retried once.
; Uses EAX, EBX, ECX, EDX, ESI, EDI, EBP.
send_char:
    mov edx, eax
    cmp dword [console], 0
    jg .send
    call find_console
    jc .done
.send:
    call send_input
    cmp eax, -ESRCH
    jne .done
    call find_console           ; the console ended: a new one may be running
    jc .done
    call send_input
.done:
    ret

; send_input: ipc_send(console, MSG_CON_INPUT, w1 = EDX); EAX = the result. Uses EAX, EBX, ECX,
; ESI, EDI, EBP (preserves EDX).
send_input:
    mov ebx, [console]
    mov ecx, MSG_CON_INPUT
    xor ebp, ebp
    xor esi, esi
    xor edi, edi
    mov eax, SYS_ipc_send
    int 0x80
    ret

; find_console: [console] = ipc_lookup("console") and CF = 0, or [console] = 0 and CF = 1 if no
; console is running. Uses EAX, EBX.
find_console:
    mov ebx, console_name
    mov eax, SYS_ipc_lookup
    int 0x80
    test eax, eax
    jle .none
    mov [console], eax
    clc
    ret
.none:
    mov dword [console], 0
    stc
    ret
