; rtc: the ring-3 driver of the CMOS real-time clock (ports 0x70-0x71, IRQ 8), a device: programs
; open /dev/rtc and read the date. Written in the `driver` lab (labs/driver/README.md); declared by
; labs/driver/manifest (not in the default image's manifest).
;
; The CMOS: write a register's index to port 0x70, then read (or write) its value at port 0x71.
; Registers: 0x00 seconds, 0x02 minutes, 0x04 hours, 0x07 day of month, 0x08 month, 0x09 year (two
; digits), 0x32 century; 0x0a status A (bit 7: an update is in progress — do not read the time now),
; 0x0b status B (bit 2: binary instead of BCD, bit 1: 24-hour, bit 4: update-ended interrupt),
; 0x0c status C (reading it acknowledges the interrupt at the clock: until then no new IRQ 8).
;
; Start: enable the update-ended interrupt (once a second), read C, irq_ack(8) (the first ack enables
; the line), then the server skeleton (servers/lib/server.inc).
; Requests: DEV_READ (w1 = bytes wanted): the reply's payload is "YYYY-MM-DD HH:MM:SS\n" (20 bytes,
; cut to w1), w0 = the bytes. DEV_WRITE: -EPERM (the clock is not set from here).
; Notifications: IRQ 8 — read status C, count the tick, irq_ack(8).
%include "ringside.inc"
%include "server.inc"

RTC_INDEX   equ 0x70
RTC_DATA    equ 0x71
RTC_IRQ     equ 8
DATE_LEN    equ 20                  ; "YYYY-MM-DD HH:MM:SS\n"

; LAB driver: BEGIN
section .data
SERVER buffer, 64, rtc_notify, MSG_DEV_WRITE, rtc_write, rtc_read

section .bss
buffer      resb 64
ticks       resd 1                  ; IRQ 8s served (update-ended: one a second)

section .text
global _start
_start:
    cld
    mov al, 0x0b                    ; status B: keep BCD and 24-hour, enable update-ended interrupts
    call cmos_read
    or al, 0x10
    mov ah, al
    mov al, 0x0b
    call cmos_write
    mov al, 0x0c                    ; status C: clear anything pending
    call cmos_read
    mov ebx, RTC_IRQ
    mov eax, SYS_irq_ack            ; the first ack enables IRQ 8
    int 0x80
    jmp server_loop

; cmos_read: AL = register index; returns AL = its value. Uses EAX.
cmos_read:
    out RTC_INDEX, al
    in al, RTC_DATA
    ret

; cmos_write: AL = register index, AH = the value. Uses EAX.
cmos_write:
    out RTC_INDEX, al
    mov al, ah
    out RTC_DATA, al
    ret

; rtc_notify: the notification hook (EDX = bits). IRQ 8: acknowledge at the clock (read C), count,
; irq_ack(8). Other bits: ignored.
rtc_notify:
    test edx, 1 << RTC_IRQ
    jz .done
    mov al, 0x0c
    call cmos_read
    inc dword [ticks]
    mov ebx, RTC_IRQ
    mov eax, SYS_irq_ack
    int 0x80
.done:
    ret

; rtc_write: DEV_WRITE — setting the clock is not offered.
rtc_write:
    mov eax, -EPERM
    jmp server_fail

; rtc_read: DEV_READ, EDX = bytes wanted. Fills the buffer with the date and answers its length.
rtc_read:
    push edx
.uip:
    mov al, 0x0a                    ; wait while an update is in progress
    call cmos_read
    test al, 0x80
    jnz .uip
    mov edi, buffer
    mov al, 0x32                    ; century, year
    call put_bcd
    mov al, 0x09
    call put_bcd
    mov byte [edi], '-'
    inc edi
    mov al, 0x08                    ; month
    call put_bcd
    mov byte [edi], '-'
    inc edi
    mov al, 0x07                    ; day
    call put_bcd
    mov byte [edi], ' '
    inc edi
    mov al, 0x04                    ; hours
    call put_bcd
    mov byte [edi], ':'
    inc edi
    mov al, 0x02                    ; minutes
    call put_bcd
    mov byte [edi], ':'
    inc edi
    mov al, 0x00                    ; seconds
    call put_bcd
    mov byte [edi], 10
    pop edx
    mov eax, DATE_LEN
    cmp edx, eax
    jae .whole
    mov eax, edx                    ; cut to what was asked for
.whole:
    mov edi, eax
    xor edx, edx
    xor ebp, ebp
    ret

; put_bcd: reads register AL (two BCD digits) and stores them as two ASCII digits at EDI, EDI += 2.
put_bcd:
    call cmos_read
    mov ah, al
    shr al, 4
    add al, '0'
    and ah, 0x0f
    add ah, '0'
    mov [edi], ax
    add edi, 2
    ret
; LAB driver: HANDOUT
; ; TODO(lab driver): see LAB.md. This skeleton serves every request with -ENOSYS and never touches
; ; the clock: program status B, acknowledge IRQ 8, and answer DEV_READ with the date.
; section .data
; SERVER buffer, 64, server_ignore, MSG_DEV_WRITE   ; no handlers yet: every request is -ENOSYS
;
; section .bss
; buffer      resb 64
;
; section .text
; global _start
; _start:
;     cld
;     jmp server_loop
; LAB driver: END
