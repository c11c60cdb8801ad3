// The in-machine anchor: the floor an in-guest microkernel would reach on this emulator, measured on
// ringside's own machine between two of its processes, interleaved with ringside's own calls. The
// bench-only vector 0x83 of the stub (ANCHOR in kernel/layout.ts) makes half a round trip in ring 0:
// save the caller's frame, copy 16 bytes in, switch kernel stack, TSS.esp0 and CR3, copy 16 bytes
// out, iret to the other side, with no host call. The kernel goes on believing the partner is
// blocked where it parked, and the client on the CPU, which stays true whenever a trip is over.
import type { Kernel } from "../../kernel/kernel.ts";
import { ANCHOR, FRAME, MEM } from "../../kernel/layout.ts";

/**
 * The in-machine anchor's other side: it calls the client (which takes the message and never
 * answers), so the kernel holds it blocked with its trap frame on its kernel stack; the host then
 * arms the anchor (armAnchor) and from then on it only ever makes the bench-only \`int 0x83\`, which
 * never enters the TypeScript kernel. \`work\` runs on the 16 bytes (at ESI) after each arrival.
 */
export const anchorPartner = (client: string, work = "") => `
%include "ulib.inc"
section .data
c_name db "${client}", 0
section .text
global _start
_start:
    SYSCALL SYS_ipc_lookup, c_name
    sub esp, 16                     ; the buffer, on the stack
    mov dword [esp], 0              ; its page is present and writable before ring 0 writes to it
    mov ebx, eax
    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, esp
    mov edi, 16 | (16 << 16)
    int 0x80
.next:
    cmp eax, SYS_ipc_call           ; the anchor resumes it with EAX as it was; the kernel completes
    jne .done                       ; the call (-ESRCH) only once the client has ended
${work}
    int 0x83                        ; ESI = the buffer
    jmp .next
.done:
    mov ebx, 0
    call ulib_exit
`;

/**
 * The anchor's round trip from the client: its buffer is the 16 bytes of stack the setup reserved,
 * above the loop's return address and saved EDX (so, like the partner's, it lies in a page the
 * process touches anyway, and the anchor's ring-0 copies cost no extra TLB refills).
 */
export const ANCHOR_TRIP = "    lea esi, [esp + 8]\n    int 0x83";

/**
 * Fills in the in-machine anchor (ANCHOR in kernel/layout.ts) for `client` (on the CPU now) and
 * `partner` (blocked in the kernel): their page directories, kernel stack tops and the partner's
 * frame, with interrupts off in it, so that while the partner runs no interrupt can reach the
 * kernel, which believes the client is on the CPU.
 */
export function armAnchor(k: Kernel, client: string, partner: string): void {
  const ps = k.liveProcesses();
  const c = ps.find((x) => x.name === client), p = ps.find((x) => x.name === partner);
  if (!c || !p || p.state !== "blocked" || c !== ps.find((x) => x.state === "running")) {
    throw new Error(`the anchor cannot be armed: ${client} ${c?.state}, ${partner} ${p?.state}`);
  }
  const m = k.machine, a = MEM.benchAnchor;
  m.write32(a + ANCHOR.cur, 0);
  m.write32(a + ANCHOR.cr3, c.as.pd);
  m.write32(a + ANCHOR.cr3 + 4, p.as.pd);
  m.write32(a + ANCHOR.esp0, c.kstackTop);
  m.write32(a + ANCHOR.esp0 + 4, p.kstackTop);
  m.write32(a + ANCHOR.esp + 4, p.frame);
  m.write32(p.frame + FRAME.eflags, m.read32(p.frame + FRAME.eflags) & ~0x200);
}
