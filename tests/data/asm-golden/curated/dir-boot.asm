; curated: a realistic boot sector
bits 16
org 0x7c00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [boot_drive], dl
    mov si, msg
.print:
    lodsb
    or al, al
    jz .done
    mov ah, 0x0e
    mov bx, 7
    int 0x10
    jmp .print
.done:
    mov ah, 0x02
    mov al, 4
    mov ch, 0
    mov cl, 2
    mov dh, 0
    mov dl, [boot_drive]
    mov bx, 0x8000
    int 0x13
    jc .done
    in al, 0x92
    or al, 2
    out 0x92, al
    cli
    lgdt [gdt_desc]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:pm_entry

gdt:
    dq 0
    dw 0xffff, 0
    db 0, 0x9a, 0xcf, 0
    dw 0xffff, 0
    db 0, 0x92, 0xcf, 0
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

bits 32
pm_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, 0x90000
    mov dword [0xb8000], 0x2f4b2f4f
    jmp 0x8000
.hang:
    hlt
    jmp .hang

boot_drive: db 0
msg: db "Booting ringside...", 13, 10, 0
    times 510 - ($ - $$) db 0
    dw 0xaa55
