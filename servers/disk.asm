; disk: the ring-3 ATA disk server. Drives the master drive of the primary ATA channel (ports
; 0x1f0-0x1f7 and 0x3f6, IRQ14) in PIO mode with 28-bit LBA, 512-byte sectors. Data moves through the
; data port 32 bits at a time (rep insd / rep outsd: 128 port accesses per sector, half as many as
; 16-bit ones; the drive's data register takes either width, as the in-kernel driver's inl/outl do).
;
; Start: irq_ack(14) (enables the line), write 0 to the device control register 0x3f6 (v86 resets with
; nIEN = 1, which keeps IRQ14 quiet), IDENTIFY DEVICE (0xec) and take the sector count from words
; 60-61. No drive (status 0 or 0xff) or a failed IDENTIFY leaves the size at 0: then every transfer
; is refused with -EINVAL. If IDENTIFY's word 47 says the drive moves blocks of 8 sectors or more per
; interrupt, SET MULTIPLE MODE (0xc6) with 8: from then on transfers use READ MULTIPLE (0xc4) and
; WRITE MULTIPLE (0xc5), and the drive interrupts once per block of up to 8 sectors - once per
; request, the most a request moves - instead of once per sector. A drive that cannot (or refuses
; the mode) gets READ SECTORS (0x20) and WRITE SECTORS (0x30), one sector per interrupt.
; Loop: the server skeleton (servers/lib/server.inc), with these handlers:
;   DISK_READ   w1 = LBA, w2 = count (1-8): READ MULTIPLE (or READ SECTORS); reply w0 = count * 512
;               and the data
;   DISK_WRITE  w1 = LBA, w2 = count (1-8), payload = count * 512 bytes: WRITE MULTIPLE (or WRITE
;               SECTORS); reply w0 = count * 512
;   DISK_SIZE   reply w0 = sectors on the disk
;   other       -ENOSYS (the skeleton)
; LBA + count beyond the disk, a count outside 1-8 or a short write payload -> -EINVAL; a device error
; or an interrupt that does not come within IRQ_TIMEOUT_MS of virtual time (see below) -> -EIO. While a transfer
; runs the handler waits for each interrupt itself (wait_irq) and the server receives only from
; HARDWARE, so requests from clients queue in the kernel (and answers the supervisor's pings there:
; servers/lib/server.inc, server_wait).
;
; Interrupt accounting: the drive raises IRQ14 once per DRQ block ([per_irq] sectors: 8 in multiple
; mode, else 1; for reads when the block's data is ready, for writes when the block has been taken).
; The kernel masks the line when it fires and sets bit 14; each block waits for that bit, reads the
; status register (which lowers the drive's interrupt request), moves the data and only then
; irq_acks. For a read of several blocks, v86 raises the interrupt of block n+1 inside the insd that
; finishes block n, i.e. while the line is still masked: it stays pending at the PIC and arrives,
; once, right after that block's irq_ack. So each block consumes exactly one notification and no
; request leaves one behind.
;
; The timeout costs no system call when the drive is quick: before each wait for an interrupt the
; handler looks at the alternate status (no side effects); a drive that is no longer busy has raised
; its interrupt already (a PIO drive clears BSY and asserts INTRQ together), so there is nothing to
; time. Only a drive still busy gets the alarm (once per transfer; cancelled when the transfer ends).
; v86's drive completes a command inside the port write, so there it is never needed.
%include "ringside.inc"
%include "server.inc"

ATA_DATA    equ 0x1f0
ATA_COUNT   equ 0x1f2
ATA_LBA0    equ 0x1f3
ATA_LBA1    equ 0x1f4
ATA_LBA2    equ 0x1f5
ATA_DRIVE   equ 0x1f6
ATA_STATUS  equ 0x1f7           ; status (read; lowers the interrupt request), command (write)
ATA_CTRL    equ 0x3f6           ; device control (write), alternate status (read; no side effects)
ST_ERR      equ 0x01
ST_DRQ      equ 0x08
ST_DF       equ 0x20
ST_BSY      equ 0x80
CMD_READ    equ 0x20            ; READ SECTORS: one interrupt per sector
CMD_WRITE   equ 0x30            ; WRITE SECTORS
CMD_READ_MULTIPLE  equ 0xc4     ; one interrupt per DRQ block (SET MULTIPLE MODE's count)
CMD_WRITE_MULTIPLE equ 0xc5
CMD_SET_MULTIPLE   equ 0xc6     ; sector count register = sectors per DRQ block
CMD_IDENTIFY equ 0xec
DISK_IRQ    equ 14
MAX_COUNT   equ 8
MULTIPLE    equ MAX_COUNT       ; sectors per DRQ block in multiple mode: a whole request
SECTOR_DWORDS equ 128           ; a sector moves as 32-bit port accesses (rep insd / rep outsd)
POLL_LIMIT  equ 1000000         ; status polls before a busy drive counts as failed
IRQ_TIMEOUT_MS equ 5000         ; virtual milliseconds a transfer may wait for one interrupt

section .data
SERVER buf, IPC_MAX, disk_notify, MSG_DISK_READ, disk_read, disk_write, disk_size

section .bss
buf         resb IPC_MAX        ; requests' payloads and replies' data
sectors     resd 1              ; the disk's size in sectors (0: no usable disk)
req_lba     resd 1
req_count   resd 1
done_count  resd 1              ; sectors transferred so far
timed       resd 1              ; 1 while the transfer's alarm is set
per_irq     resd 1              ; sectors per interrupt (per DRQ block): MULTIPLE, or 1
cmd_read    resb 1              ; the read and write commands disk_init chose
cmd_write   resb 1

section .text
global _start
_start:
    cld
    mov ebx, DISK_IRQ
    mov eax, SYS_irq_ack        ; enable IRQ14 before the drive may raise it
    int 0x80
    call disk_init
    jmp server_loop

; DISK_SIZE: replies w0 = the disk's size in sectors (0: no usable disk).
disk_size:
    mov eax, [sectors]
    jmp server_done

; disk_notify: the notification hook, outside a transfer (during one, wait_irq takes the
; notifications): a stray IRQ14 has its status read (lowering the drive's request) and is
; acknowledged; other bits are ignored.
disk_notify:
    test edx, 1 << DISK_IRQ
    jz .done
    mov dx, ATA_STATUS
    in al, dx                   ; lower the drive's request
    call ack_irq
.done:
    ret

; disk_init: enables the drive's interrupt and runs IDENTIFY DEVICE; sets [sectors] from words 60-61
; (0 if there is no drive or IDENTIFY fails), then chooses the transfer commands (set_multiple).
; Uses EAX, EBX, ECX, EDX, ESI, EDI, EBP.
disk_init:
    mov dword [sectors], 0
    mov byte [cmd_read], CMD_READ
    mov byte [cmd_write], CMD_WRITE
    mov dword [per_irq], 1
    mov dx, ATA_CTRL
    mov al, 0                   ; nIEN = 0: the drive may interrupt
    out dx, al
    mov dx, ATA_DRIVE
    mov al, 0xa0                ; the master drive
    out dx, al
    mov dx, ATA_CTRL
    in al, dx
    cmp al, 0xff                ; floating bus
    je .done
    test al, al                 ; nothing there
    jz .done
    call wait_not_busy
    jc .done
    mov dx, ATA_STATUS
    mov al, CMD_IDENTIFY
    out dx, al
    mov dword [timed], 0
    call wait_irq
    jc .failed
    mov dx, ATA_STATUS
    in al, dx
    test al, ST_ERR | ST_DF
    jnz .failed
    test al, ST_DRQ
    jz .failed
    mov edi, buf
    mov ecx, 128
    mov dx, ATA_DATA
    rep insd                    ; the 256 words of IDENTIFY data, two per port access
    mov eax, [buf + 60*2]       ; words 60-61: user-addressable sectors (LBA28)
    cmp eax, 1 << 28
    jbe .size_ok
    mov eax, 1 << 28
.size_ok:
    mov [sectors], eax
    movzx ebx, byte [buf + 47*2] ; word 47, low byte: the most sectors per DRQ block (0: no multiple mode)
    call ack_irq
    call end_timing
    cmp ebx, MULTIPLE
    jb .done
    call set_multiple
    ret
.failed:
    call ack_irq
    call end_timing
.done:
    ret

; set_multiple: SET MULTIPLE MODE with MULTIPLE sectors per block; if the drive takes it, transfers
; use READ MULTIPLE / WRITE MULTIPLE with [per_irq] = MULTIPLE. A refusal (ERR) or no interrupt in
; time keeps READ SECTORS / WRITE SECTORS. Uses EAX, EBX, ECX, EDX, ESI, EDI.
set_multiple:
    call wait_not_busy
    jc .done
    mov dx, ATA_COUNT
    mov al, MULTIPLE
    out dx, al
    mov dx, ATA_STATUS
    mov al, CMD_SET_MULTIPLE
    out dx, al
    mov dword [timed], 0
    call wait_irq
    jc .done
    mov dx, ATA_STATUS
    in al, dx                   ; lowers the drive's request
    mov bl, al
    call ack_irq
    call end_timing
    test bl, ST_ERR | ST_DF | ST_BSY
    jnz .done
    mov byte [cmd_read], CMD_READ_MULTIPLE
    mov byte [cmd_write], CMD_WRITE_MULTIPLE
    mov dword [per_irq], MULTIPLE
.done:
    ret

; check_request: validates LBA EDX and count EBP against the disk; CF = 0 and the request saved in
; [req_lba]/[req_count]/[done_count] if fine, CF = 1 otherwise. Uses EAX.
check_request:
    lea eax, [ebp-1]
    cmp eax, MAX_COUNT - 1      ; count 1-8 (unsigned: 0 wraps to a huge value)
    ja .bad
    mov eax, [sectors]
    cmp edx, eax
    jae .bad
    sub eax, edx                ; sectors from LBA to the end
    cmp ebp, eax
    ja .bad
    mov [req_lba], edx
    mov [req_count], ebp
    mov dword [done_count], 0
    clc
    ret
.bad:
    stc
    ret

; start_command: selects the master in LBA mode, loads [req_lba]/[req_count] into the task file and
; writes command AL; CF = 1 if the drive stayed busy. Uses EAX, ECX, EDX.
start_command:
    push eax
    call wait_not_busy
    jc .busy
    mov eax, [req_lba]
    shr eax, 24
    and al, 0x0f
    or al, 0xe0                 ; LBA, master, LBA bits 24-27
    mov dx, ATA_DRIVE
    out dx, al
    mov eax, [req_count]
    mov dx, ATA_COUNT
    out dx, al
    mov eax, [req_lba]
    mov dx, ATA_LBA0
    out dx, al
    shr eax, 8
    mov dx, ATA_LBA1
    out dx, al
    shr eax, 8
    mov dx, ATA_LBA2
    out dx, al
    pop eax
    mov dx, ATA_STATUS
    out dx, al
    clc
    ret
.busy:
    pop eax
    stc
    ret

; disk_read: the DISK_READ handler (LBA EDX, count EBP): reads the sectors into buf. Replies w0 =
; count * 512 and the data, or -EINVAL (a bad range) or -EIO (a device error or no interrupt in time)
; without data. Uses every register.
disk_read:
    call check_request
    jc .invalid
    mov dword [timed], 0
    mov al, [cmd_read]
    call start_command
    jc io_failed
.block:
    call wait_irq
    jc io_failed
    mov dx, ATA_STATUS
    in al, dx                   ; also lowers the drive's interrupt request
    test al, ST_ERR | ST_DF
    jnz io_failed_ack
    test al, ST_DRQ
    jz io_failed_ack
    call block_sectors          ; EBX = the block's sectors
    mov edi, [done_count]
    shl edi, 9
    add edi, buf
    imul ecx, ebx, SECTOR_DWORDS
    mov dx, ATA_DATA
    rep insd                    ; may raise the next block's IRQ: it waits at the PIC
    call ack_irq
    mov eax, [done_count]
    add eax, ebx
    mov [done_count], eax
    cmp eax, [req_count]
    jb .block
    call end_timing
    mov eax, [req_count]
    shl eax, 9
    xor edx, edx
    xor ebp, ebp
    mov edi, eax                ; the payload: all the sectors
    ret
.invalid:
    mov eax, -EINVAL
    jmp server_done

; disk_write: the DISK_WRITE handler (LBA EDX, count EBP, EDI payload bytes in buf): writes the
; sectors. Replies w0 = count * 512, or -EINVAL (a bad range or a payload shorter than count
; sectors) or -EIO (a device error or no interrupt in time). Uses every register.
disk_write:
    call check_request
    jc .invalid
    mov eax, ebp
    shl eax, 9
    cmp edi, eax
    jb .invalid                 ; the payload is shorter than count sectors
    mov dword [timed], 0
    mov al, [cmd_write]
    call start_command
    jc io_failed
.block:
    call wait_drq
    jc io_failed
    call block_sectors          ; EBX = the block's sectors
    mov esi, [done_count]
    shl esi, 9
    add esi, buf
    imul ecx, ebx, SECTOR_DWORDS
    mov dx, ATA_DATA
    rep outsd
    call wait_irq               ; the drive has taken the block
    jc io_failed
    mov dx, ATA_STATUS
    in al, dx
    test al, ST_ERR | ST_DF
    jnz io_failed_ack
    call ack_irq
    call block_sectors          ; EBX again (wait_irq uses it)
    mov eax, [done_count]
    add eax, ebx
    mov [done_count], eax
    cmp eax, [req_count]
    jb .block
    call end_timing
    mov eax, [req_count]
    shl eax, 9
    jmp server_done
.invalid:
    mov eax, -EINVAL
    jmp server_done

; block_sectors: EBX = the sectors of the next DRQ block: [per_irq], or fewer at the end of the
; request. Uses EAX.
block_sectors:
    mov ebx, [req_count]
    sub ebx, [done_count]
    mov eax, [per_irq]
    cmp ebx, eax
    jbe .done
    mov ebx, eax
.done:
    ret

; io_failed_ack / io_failed: the end of a DISK_READ or DISK_WRITE handler whose transfer failed
; (io_failed_ack: with the block's interrupt taken, to be acknowledged): cancels the alarm if it is
; set and replies -EIO. Jump here.
io_failed_ack:
    call ack_irq
io_failed:
    call end_timing
    mov eax, -EIO
    jmp server_done

; wait_not_busy: polls the alternate status until BSY clears; CF = 1 if it does not within
; POLL_LIMIT polls. Uses EAX, ECX, EDX.
wait_not_busy:
    mov ecx, POLL_LIMIT
    mov dx, ATA_CTRL
.poll:
    in al, dx
    test al, ST_BSY
    jz .ready
    dec ecx
    jnz .poll
    stc
    ret
.ready:
    clc
    ret

; wait_drq: polls the alternate status until the drive wants data (DRQ, not BSY); CF = 1 on ERR/DF
; or after POLL_LIMIT polls. Uses EAX, ECX, EDX.
wait_drq:
    mov ecx, POLL_LIMIT
    mov dx, ATA_CTRL
.poll:
    in al, dx
    test al, ST_BSY
    jnz .again
    test al, ST_ERR | ST_DF
    jnz .fail
    test al, ST_DRQ
    jnz .ready
.again:
    dec ecx
    jnz .poll
.fail:
    stc
    ret
.ready:
    clc
    ret

; wait_irq: blocks until the IRQ14 bit arrives (CF = 0), or the transfer's alarm expires first
; (CF = 1), in server_wait (ipc_receive from HARDWARE: requests queue meanwhile; the supervisor's
; pings are answered). If the drive is still busy and the transfer's alarm is not set yet
; ([timed] = 0), sets it first (see the header). Other notification bits are dropped. Uses EAX, EBX,
; ECX, EDX, ESI, EDI.
wait_irq:
    cmp dword [timed], 0
    jne .wait
    mov dx, ATA_CTRL
    in al, dx                   ; the first read may predate BSY (a drive has 400 ns to raise it) ...
    in al, dx
    in al, dx
    in al, dx                   ; ... the fourth may not
    test al, ST_BSY
    jz .wait                    ; done: its interrupt is raised already
    mov dword [timed], 1
    push ebx
    mov ebx, IRQ_TIMEOUT_MS
    mov eax, SYS_alarm
    int 0x80
    pop ebx
.wait:
    call server_wait
    test edx, 1 << DISK_IRQ
    jnz .irq
    test edx, NOTIFY_TIMER
    jz .wait
    cmp dword [timed], 0
    je .wait                    ; a stale alarm, not this transfer's
    mov dword [timed], 0        ; it has rung
    stc
    ret
.irq:
    clc
    ret

; ack_irq: irq_ack(14). Preserves every register except EAX.
ack_irq:
    push ebx
    mov ebx, DISK_IRQ
    mov eax, SYS_irq_ack
    int 0x80
    pop ebx
    ret

; end_timing: cancels the transfer's alarm if it is set. Preserves every register except EAX.
end_timing:
    cmp dword [timed], 0
    je .done
    mov dword [timed], 0
    push ebx
    xor ebx, ebx
    mov eax, SYS_alarm
    int 0x80
    pop ebx
.done:
    ret
