; ringside ring-0 stub.
;
; The only x86 code that runs in ring 0. It owns the GDT, IDT and TSS; every one of the 256
; vectors saves a trap frame on the current kernel stack and hands its address to the TypeScript
; kernel through the hypercall port (`out dx, eax`). When the host returns, the stub reads the
; switch block (what to run next), switches stack / CR3 / TSS.esp0 / PIC mask, and `iret`s.
; Layout constants come from kernel/layout.ts through the generated layout.inc.

%include "layout.inc"

bits 32
org MEM_STUB_BASE

; Pushes the general registers in the pushad layout, one at a time (v86's JIT inlines push/pop but
; calls out for pushad/popad). The ESP slot is left unwritten; nothing reads it.
%macro PUSH_GPRS 0
    push eax
    push ecx
    push edx
    push ebx
    sub esp, 4
    push ebp
    push esi
    push edi
%endmacro

; Saves a trap frame: the general registers (PUSH_GPRS), then DS, ES, FS, GS (the frame's layout is
; FRAME in kernel/layout.ts). The CPU's part, the vector and the error code are already pushed.
%macro PUSH_FRAME 0
    PUSH_GPRS
    push ds
    push es
    push fs
    push gs
%endmacro

; Pops the pushad-layout registers of a trap frame (ESP slot skipped), drops vector and error code,
; and returns from the interrupt. ESP must point at the frame's EDI slot.
%macro POP_GPRS_AND_IRET 0
    pop edi
    pop esi
    pop ebp
    add esp, 4
    pop ebx
    pop edx
    pop ecx
    pop eax
    add esp, 8                      ; vector, error code
    iretd
%endmacro

; Points the gate of vector %1 at %2, open to ring 3 (bench machines only).
%macro BENCH_GATE 2
    mov eax, %2
    mov [MEM_IDT + %1*8], ax
    shr eax, 16
    mov [MEM_IDT + %1*8 + 6], ax
    mov byte [MEM_IDT + %1*8 + 5], 0xEE
%endmacro

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ 0x00010000          ; bit 16: load addresses are in this header
CR0_PG      equ 0x80000000
CR0_WP      equ 0x00010000
CR4_PGE     equ 0x00000080
CR4_OSFXSR  equ 0x00000200          ; FXSAVE/FXRSTOR and SSE instructions enabled
CR4_OSXMMEXCPT equ 0x00000400       ; unmasked SSE exceptions raise #XM (vector 19)
CR0_MP      equ 0x00000002          ; WAIT/FWAIT trap too while TS is set
CR0_EM      equ 0x00000004          ; cleared: the FPU is present (no emulation)
CR0_TS      equ 0x00000008          ; set: the next FPU/SSE instruction raises #NM (vector 7)
CR0_NE      equ 0x00000020          ; x87 errors raise #MF (vector 16), not an IRQ
TSS_IOMAP   equ MEM_TSS_IOMAP - MEM_TSS   ; offset of the I/O permission bitmap in the TSS
TSS_LIMIT   equ TSS_IOMAP + 8192          ; the bitmap plus its 0xFF terminator byte

; ---------------------------------------------------------------- multiboot header
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd multiboot_header             ; header_addr
    dd MEM_STUB_BASE                ; load_addr
    dd 0                            ; load_end_addr: whole file
    dd 0                            ; bss_end_addr: none
    dd start                        ; entry_addr

; ---------------------------------------------------------------- boot
; Entered in 32-bit protected mode, flat segments, paging off, interrupts off.
start:
    cli
    lgdt [gdt_descriptor]
    jmp SEL_KCODE:.reload_cs
.reload_cs:
    mov ax, SEL_KDATA
    mov ss, ax
    ; Data segments: the flat user data selector, in ring 0 as well (as Linux i386 does). Then a
    ; trap from ring 3 needs no segment reload unless the program changed DS.
    mov ax, SEL_UDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov esp, MEM_IDLE_STACK_TOP

    ; IDT: gate v points at entry_stubs + v*16; DPL 3 for the user vectors.
    mov edi, MEM_IDT
    mov esi, entry_stubs
    xor ecx, ecx
.idt_loop:
    mov eax, esi
    mov [edi], ax                   ; offset 15..0
    mov word [edi+2], SEL_KCODE
    mov byte [edi+4], 0
    mov byte [edi+5], 0x8E          ; present, DPL 0, 32-bit interrupt gate
    shr eax, 16
    mov [edi+6], ax                 ; offset 31..16
    add esi, 16
    add edi, 8
    inc ecx
    cmp ecx, 256
    jb .idt_loop
    mov byte [MEM_IDT + 3*8 + 5], 0xEE  ; int3: DPL 3
    mov byte [MEM_IDT + 4*8 + 5], 0xEE  ; into: DPL 3
    mov byte [MEM_IDT + SYSCALL_VECTOR*8 + 5], 0xEE
%ifdef BENCH_NULL_VECTOR
    ; Benchmark-only: vector 0x81 irets at once, without calling the host (the baseline for
    ; null_syscall_ratio); vector 0x82 reloads CR3 (flushing the TLB, as every address-space switch
    ; does) and irets (what the emulator charges for a switch, on its own); vector 0x83 is the
    ; in-machine anchor's round-trip half (anchor_trip); vector 0x84 calls the host through a port
    ; whose handler does nothing, and irets (what any kernel in the host pays per entry, on its own);
    ; vector 0x85 does the same with the whole trap frame saved and restored around the call, as
    ; trap_common does (what entering ringside's kernel costs before any kernel code runs).
    ; Only bench machines are assembled with these.
    BENCH_GATE 0x81, null_iret
    BENCH_GATE 0x82, cr3_iret
    BENCH_GATE 0x83, anchor_trip
    BENCH_GATE 0x84, null_hypercall
    BENCH_GATE 0x85, frame_hypercall
%endif
    lidt [idt_descriptor]

    ; TSS: zeroed, ring-0 stack, I/O bitmap with every port denied (the kernel grants per process).
    cld
    mov edi, MEM_TSS
    xor eax, eax
    mov ecx, TSS_IOMAP / 4
    rep stosd
    mov dword [MEM_TSS + 4], MEM_IDLE_STACK_TOP   ; esp0 (set on every switch)
    mov dword [MEM_TSS + 8], SEL_KDATA            ; ss0
    mov word [MEM_TSS + 102], TSS_IOMAP           ; I/O map base
    mov edi, MEM_TSS_IOMAP
    mov eax, 0xFFFFFFFF
    mov ecx, 8192 / 4 + 1                         ; the bitmap and its terminator
    rep stosd
    ; TSS descriptor base (split across the descriptor), then load the task register.
    mov eax, MEM_TSS
    mov [gdt_tss + 2], ax
    shr eax, 16
    mov [gdt_tss + 4], al
    mov [gdt_tss + 7], ah
    mov ax, SEL_TSS
    ltr ax

    ; PIC: remap IRQ 0-15 to IRQ_BASE.., auto-EOI, everything masked until the kernel says.
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, IRQ_BASE
    out 0x21, al
    mov al, IRQ_BASE + 8
    out 0xA1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xA1, al
    mov al, 0x03                    ; 8086 mode, auto-EOI
    out 0x21, al
    out 0xA1, al
    mov al, 0xFF
    out 0x21, al
    out 0xA1, al
    mov dword [pic_mask_now], 0xFFFF

    ; Boot hypercall: the kernel builds page tables and the first process, then fills the switch block.
    xor eax, eax
    mov dx, HYPERCALL_PORT
    out dx, eax
    cmp dword [MEM_SWITCH_BLOCK + SWITCH_ACTION], ACTION_HALT
    je halt                         ; the kernel could not boot

    ; Paging on: CR3 from the switch block, global pages, write-protect in ring 0 too.
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_CR3]
    mov cr3, eax
    mov eax, cr4
    or eax, CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT
    mov cr4, eax
    ; The FPU is off limits until a process first uses it (TS set: lazy FPU switching, see .fpu_work).
    mov eax, cr0
    and eax, ~CR0_EM
    or eax, CR0_PG | CR0_WP | CR0_MP | CR0_NE | CR0_TS
    mov cr0, eax
    jmp switch_out

; ---------------------------------------------------------------- every trap
; Stack on entry: [ss, esp,] eflags, cs, eip, error code, vector.
trap_common:
    PUSH_FRAME
    mov ax, ds                      ; the stub addresses memory through DS only
    cmp ax, SEL_UDATA
    jne .fix_ds
    mov eax, esp                    ; the trap frame
    mov dx, HYPERCALL_PORT
    out dx, eax                     ; the TypeScript kernel runs here
    ; Fast path: back to the same frame, nothing else changed. No segment register was touched
    ; on the way in, so none needs restoring.
    cmp dword [MEM_SWITCH_BLOCK + SWITCH_ACTION], ACTION_FAST
    jne switch_out
    add esp, 16                     ; gs fs es ds
    POP_GPRS_AND_IRET

.fix_ds:                            ; ring 3 loaded another selector into DS: take the slow path back
    mov ax, SEL_UDATA
    mov ds, ax
    mov eax, esp
    mov dx, HYPERCALL_PORT
    out dx, eax
    jmp switch_out

; ---------------------------------------------------------------- leave the kernel
; Do what the switch block says.
switch_out:
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_FPU]
    test eax, eax
    jnz .fpu_work
.fpu_done:
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_PIC_MASK]
    cmp eax, [pic_mask_now]
    jne .set_pic_mask
.pic_done:
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_ACTION]
    cmp eax, ACTION_FAST            ; (after .fix_ds) the same frame: resume it the slow way
    je .same_space
    cmp eax, ACTION_IDLE
    je idle
    cmp eax, ACTION_HALT
    je halt
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_CR3]
    mov ebx, cr3
    cmp eax, ebx
    je .same_space
    mov cr3, eax
.same_space:
    mov dword [MEM_SWITCH_BLOCK + SWITCH_ACTION], ACTION_RESUME
    mov eax, [MEM_SWITCH_BLOCK + SWITCH_ESP0]
    mov [MEM_TSS + 4], eax
    mov esp, [MEM_SWITCH_BLOCK + SWITCH_ESP]
    ; Restore segment registers from the frame, loading only those that differ (a segment load
    ; costs a descriptor fetch and checks; a compare does not). DS goes last: it is in use.
    mov eax, [esp + FRAME_GS]
    mov bx, gs
    cmp ax, bx
    je .gs_ok
    mov gs, ax
.gs_ok:
    mov eax, [esp + FRAME_FS]
    mov bx, fs
    cmp ax, bx
    je .fs_ok
    mov fs, ax
.fs_ok:
    mov eax, [esp + FRAME_ES]
    mov bx, es
    cmp ax, bx
    je .es_ok
    mov es, ax
.es_ok:
    mov eax, [esp + FRAME_DS]
    mov bx, ds
    cmp ax, bx
    je .ds_ok
    mov ds, ax
.ds_ok:
    add esp, 16                     ; gs fs es ds
    POP_GPRS_AND_IRET

.set_pic_mask:
    mov [pic_mask_now], eax
    out 0x21, al
    mov al, ah
    out 0xA1, al
    jmp .pic_done

; FPU work (FPU_OP bits in EAX): the kernel moves the x87/MMX/SSE registers between a process and
; its save area. CLTS first, so FXSAVE/FXRSTOR do not trap in ring 0; TS set again last if asked.
; Save areas are 16-byte aligned in the kernel region, mapped in every address space.
.fpu_work:
    mov dword [MEM_SWITCH_BLOCK + SWITCH_FPU], 0
    clts
    test eax, FPU_OP_SAVE
    jz .fpu_no_save
    mov ebx, [MEM_SWITCH_BLOCK + SWITCH_FPU_SAVE]
    db 0x0F, 0xAE, 0x03             ; fxsave [ebx]
.fpu_no_save:
    test eax, FPU_OP_LOAD
    jz .fpu_no_load
    mov ebx, [MEM_SWITCH_BLOCK + SWITCH_FPU_LOAD]
    db 0x0F, 0xAE, 0x0B             ; fxrstor [ebx]
.fpu_no_load:
    test eax, FPU_OP_SET_TS
    jz .fpu_done
    mov eax, cr0
    or eax, CR0_TS
    mov cr0, eax
    jmp .fpu_done

; Nothing to run: wait for an interrupt in ring 0. Its trap frame lands on the idle stack.
idle:
    mov esp, MEM_IDLE_STACK_TOP
    sti
    hlt
    jmp idle

; The machine is stopping.
halt:
    cli
    hlt
    jmp halt

%ifdef BENCH_NULL_VECTOR
null_iret:
    iretd

cr3_iret:
    push eax
    mov eax, cr3
    mov cr3, eax
    pop eax
    iretd

null_hypercall:
    push eax
    push edx
    mov dx, BENCH_NULL_PORT
    out dx, eax
    pop edx
    pop eax
    iretd

; trap_common's entry and fast-path exit around a call to the do-nothing port: the frame's address
; goes out in EAX, and the frame is popped as the fast path pops it (without trap_common's two
; compares, DS and the switch block's action: a lower bound on entering the kernel).
frame_hypercall:
    push dword 0                    ; error code
    push dword 0x85                 ; vector
    PUSH_FRAME
    mov eax, esp
    mov dx, BENCH_NULL_PORT
    out dx, eax
    add esp, 16                     ; gs fs es ds
    POP_GPRS_AND_IRET

; The in-machine anchor (ANCHOR in kernel/layout.ts): half of a round trip between two address
; spaces made entirely in ring 0, as an in-guest microkernel would make it. The frame it saves has
; the kernel's trap-frame layout, at the same place as the kernel's own, so the kernel can go on
; treating the other side as blocked where it was. Segment registers are neither saved nor loaded:
; both sides use the flat selectors.
anchor_trip:
    push dword 0                    ; error code
    push dword 0x83                 ; vector
    PUSH_GPRS
    sub esp, 16                     ; gs fs es ds: left as they were
    mov ebx, [MEM_BENCH_ANCHOR + ANCHOR_CUR]
    cmp dword [MEM_BENCH_ANCHOR + ANCHOR_ESP + 4], 0
    je .unarmed                     ; the host has not filled it in: back to the caller
    mov [MEM_BENCH_ANCHOR + ANCHOR_ESP + ebx*4], esp
    mov eax, [esi]                  ; 16 bytes in, through the caller's address space
    mov [MEM_BENCH_ANCHOR + ANCHOR_BUF], eax
    mov eax, [esi + 4]
    mov [MEM_BENCH_ANCHOR + ANCHOR_BUF + 4], eax
    mov eax, [esi + 8]
    mov [MEM_BENCH_ANCHOR + ANCHOR_BUF + 8], eax
    mov eax, [esi + 12]
    mov [MEM_BENCH_ANCHOR + ANCHOR_BUF + 12], eax
    xor ebx, 1
    mov [MEM_BENCH_ANCHOR + ANCHOR_CUR], ebx
    mov esp, [MEM_BENCH_ANCHOR + ANCHOR_ESP + ebx*4]
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_ESP0 + ebx*4]
    mov [MEM_TSS + 4], eax
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_CR3 + ebx*4]
    mov cr3, eax
    mov edi, [esp + FRAME_ESI]      ; 16 bytes out, into the other side's buffer
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_BUF]
    mov [edi], eax
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_BUF + 4]
    mov [edi + 4], eax
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_BUF + 8]
    mov [edi + 8], eax
    mov eax, [MEM_BENCH_ANCHOR + ANCHOR_BUF + 12]
    mov [edi + 12], eax
.unarmed:
    add esp, 16
    POP_GPRS_AND_IRET
%endif

; ---------------------------------------------------------------- entry stubs
; 256 stubs of 16 bytes: push a dummy error code where the CPU pushes none, push the vector.
align 16
entry_stubs:
%assign v 0
%rep 256
    align 16
%if HAS_ERROR_CODE(v)
    push dword v
%else
    push dword 0
    push dword v
%endif
    jmp trap_common
%assign v v+1
%endrep

; ---------------------------------------------------------------- tables
align 8
gdt:
    ; each descriptor as (low dword, high dword): base 0, limit 4 GiB (G=1), 32-bit
    dd 0, 0                         ; null
    dd 0x0000FFFF, 0x00CF9A00       ; 0x08 kernel code, DPL 0
    dd 0x0000FFFF, 0x00CF9200       ; 0x10 kernel data, DPL 0
    dd 0x0000FFFF, 0x00CFFA00       ; 0x18 user code, DPL 3
    dd 0x0000FFFF, 0x00CFF200       ; 0x20 user data, DPL 3
gdt_tss:
    dw TSS_LIMIT                    ; 0x28 TSS: limit 15..0 (base filled in at boot)
    dw 0
    db 0
    db 0x89                         ; present, DPL 0, 32-bit available TSS
    db 0
    db 0
gdt_end:

gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt

idt_descriptor:
    dw 256*8 - 1
    dd MEM_IDT

pic_mask_now:
    dd 0xFFFF
