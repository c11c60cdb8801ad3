// The in-guest anchor: a minimal ring-0 asm microkernel, assembled by ringside's own
// assembler and run on ringside's own Machine, that measures the floor any kernel on this emulator
// works against: a null `int` → `iret` from ring 3, and a round trip between two address spaces
// (A → kernel → B → kernel → A: two `int`s, two CR3 loads, two `iret`s, two kernel-stack switches,
// a 16-byte copy each way). Kernel pages are global (as ringside's are); user pages are not.
// The client alternates timed chunks of each, marking each chunk's start on a port the host times.
import { Machine } from "../../emulator/machine.ts";

/** The port the anchor's ring-0 `mark` vector writes to (the mark character in EAX). */
const MARK_PORT = 0x556;

/** Anchor source: `chunk` calls per timed chunk, `rounds` chunk pairs, `warm` untimed calls of each first. */
export function anchorSource(chunk: number, rounds: number, warm: number): string {
  return `
bits 32
org 0x100000
PD_A     equ 0x180000
PD_B     equ 0x181000
PT_K     equ 0x182000
PT_A     equ 0x183000
PT_B     equ 0x184000
CODE_PA  equ 0x190000
DATA_A   equ 0x191000
DATA_B   equ 0x192000
KSTACK_A equ 0x1A0000
KSTACK_B equ 0x1A2000
USER_VA  equ 0x400000
USER_BUF equ 0x401000
USER_SP  equ 0x402000
; kernel variables and the TSS live in their own page: a store into a page of compiled code
; would make v86 discard that code
VARS     equ 0x1B0000
cur      equ VARS
saved    equ VARS + 8
bufpa    equ VARS + 16
kstack   equ VARS + 24
pds      equ VARS + 32
tss      equ VARS + 0x100

mb: dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000), mb, 0x100000, 0, 0, start

start:
    cli
    lgdt [gdtd]
    jmp 0x08:.r
.r: mov ax, 0x10
    mov ss, ax
    mov ax, 0x23                    ; ring 0 uses the flat user data selector too (no reload on iret)
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov esp, 0x170000
    mov dword [bufpa], DATA_A
    mov dword [bufpa + 4], DATA_B
    mov dword [kstack], KSTACK_A
    mov dword [kstack + 4], KSTACK_B
    mov dword [pds], PD_A
    mov dword [pds + 4], PD_B
    mov ebx, trip
    mov ecx, 0x80
    call gate
    mov ebx, null_iret
    mov ecx, 0x81
    call gate
    mov ebx, mark
    mov ecx, 0x82
    call gate
    lidt [idtd]
    mov dword [tss + 4], KSTACK_A
    mov dword [tss + 8], 0x10
    mov word [tss + 102], 104
    mov eax, tss
    mov [gdt_tss + 2], ax
    shr eax, 16
    mov [gdt_tss + 4], al
    mov [gdt_tss + 7], ah
    mov ax, 0x28
    ltr ax
    ; kernel page table: identity 0..4 MiB, supervisor, global
    mov edi, PT_K
    mov eax, 0x103
    mov ecx, 1024
.pt: mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .pt
    mov dword [PT_A], CODE_PA | 7
    mov dword [PT_A + 4], DATA_A | 7
    mov dword [PT_B], CODE_PA | 7
    mov dword [PT_B + 4], DATA_B | 7
    mov dword [PD_A], PT_K | 3
    mov dword [PD_A + 4], PT_A | 7
    mov dword [PD_B], PT_K | 3
    mov dword [PD_B + 4], PT_B | 7
    ; user code
    mov esi, user_code
    mov edi, CODE_PA
    mov ecx, user_end - user_code
    cld
    rep movsb
    ; B's first frame: 7 registers, then the ring-3 iret frame
    mov edi, KSTACK_B - 12 * 4
    mov [saved + 4], edi
    xor eax, eax
    mov ecx, 7
    rep stosd
    mov dword [edi], USER_VA + (server - user_code)
    mov dword [edi + 4], 0x1B
    mov dword [edi + 8], 0x002
    mov dword [edi + 12], USER_SP
    mov dword [edi + 16], 0x23
    ; paging on
    mov eax, PD_A
    mov cr3, eax
    mov eax, cr4
    or eax, 0x80
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80010000
    mov cr0, eax
    mov esp, KSTACK_A
    push dword 0x23
    push dword USER_SP
    push dword 0x002
    push dword 0x1B
    push dword USER_VA
    iretd

; gate ECX -> handler EBX: 32-bit interrupt gate, DPL 3
gate:
    lea edi, [idt + ecx * 8]
    mov eax, ebx
    mov [edi], ax
    mov word [edi + 2], 0x08
    mov byte [edi + 4], 0
    mov byte [edi + 5], 0xEE
    shr eax, 16
    mov [edi + 6], ax
    ret

; int 0x80: the round trip's half. Save the caller, copy 16 bytes from its buffer to the other
; space's, switch kernel stack, TSS.esp0 and CR3 to the other, resume it.
trip:
    push eax
    push ecx
    push edx
    push ebx
    push ebp
    push esi
    push edi
    mov ecx, [cur]
    mov [saved + ecx * 4], esp
    mov esi, [bufpa + ecx * 4]
    xor ecx, 1
    mov edi, [bufpa + ecx * 4]
    mov eax, [esi]
    mov [edi], eax
    mov eax, [esi + 4]
    mov [edi + 4], eax
    mov eax, [esi + 8]
    mov [edi + 8], eax
    mov eax, [esi + 12]
    mov [edi + 12], eax
    mov [cur], ecx
    mov esp, [saved + ecx * 4]
    mov eax, [kstack + ecx * 4]
    mov [tss + 4], eax
    mov eax, [pds + ecx * 4]
    mov cr3, eax
    pop edi
    pop esi
    pop ebp
    pop ebx
    pop edx
    pop ecx
    pop eax
    iretd

; int 0x81: the null system call
null_iret:
    iretd

; int 0x82: tell the host a chunk starts (EAX = mark)
mark:
    push edx
    mov dx, ${MARK_PORT}
    out dx, eax
    pop edx
    iretd

; ---- ring 3 (copied to CODE_PA, runs at USER_VA: position-independent) ----
user_code:
client:
    mov edx, ${warm}
    call nulls
    mov edx, ${warm}
    call trips
    mov ebp, ${rounds}
.round:
    mov eax, 0x67
    int 0x82
    mov edx, ${chunk}
    call nulls
    mov eax, 0x74
    int 0x82
    mov edx, ${chunk}
    call trips
    dec ebp
    jnz .round
    mov eax, 0x65
    int 0x82
.spin:
    jmp .spin
nulls:
    mov eax, 20
    int 0x81
    dec edx
    jnz nulls
    ret
trips:
    push edx
    mov esi, USER_BUF
    mov edi, 16
    int 0x80
    pop edx
    dec edx
    jnz trips
    ret
server:
    mov esi, USER_BUF
    mov edi, 16
    int 0x80
    jmp server
user_end:

align 8
gdt:
    dd 0, 0
    dd 0x0000FFFF, 0x00CF9A00
    dd 0x0000FFFF, 0x00CF9200
    dd 0x0000FFFF, 0x00CFFA00
    dd 0x0000FFFF, 0x00CFF200
gdt_tss:
    dw 103
    dw 0
    db 0
    db 0x89
    db 0
    db 0
gdt_end:
gdtd:
    dw gdt_end - gdt - 1
    dd gdt
idtd:
    dw 256 * 8 - 1
    dd idt
align 8
idt: times 256 * 8 db 0
`;
}

/** Per-call times of one anchor run, in ns: every timed chunk of each kind. */
export interface AnchorTimes {
  nullNs: number[];
  tripNs: number[];
}

const images = new Map<string, Uint8Array>();

/** Runs the anchor once on a fresh Machine; per-chunk ns per call. */
export async function anchorRun(chunk: number, rounds: number, warm: number): Promise<AnchorTimes> {
  const key = `${chunk}/${rounds}/${warm}`;
  let image = images.get(key);
  if (!image) {
    const { assemble, formatDiagnostic } = await import("../asm/index.ts");
    const res = assemble(anchorSource(chunk, rounds, warm), { file: "inguest-anchor.asm", format: "bin" });
    if (!res.ok) throw new Error("the in-guest anchor does not assemble:\n" + res.diagnostics.map(formatDiagnostic).join("\n"));
    images.set(key, (image = res.bytes));
  }
  const m = await Machine.create({ multiboot: image, memoryBytes: 8 * 1024 * 1024 });
  const out: AnchorTimes = { nullNs: [], tripNs: [] };
  let open = 0, last = 0;
  m.onPortWrite32(MARK_PORT, (v) => {
    const now = performance.now();
    if (open === 0x67) out.nullNs.push(((now - last) / chunk) * 1e6);
    else if (open === 0x74) out.tripNs.push(((now - last) / chunk) * 1e6);
    open = v;
    last = now;
    if (v === 0x65) m.requestStop("done");
  });
  const r = await m.run();
  m.destroy();
  if (r.kind !== "requested" || out.tripNs.length !== rounds) throw new Error(`the in-guest anchor failed: ${JSON.stringify(r)}`);
  return out;
}
