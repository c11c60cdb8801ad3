// The one source of truth for everything the TypeScript kernel and the x86 stub share: physical
// addresses, selectors, the trap frame, the switch block and the hypercall port. The stub gets
// these as a generated %include (see `layoutInclude`).

/** Physical memory map of the kernel region (identity-mapped, supervisor-only, in every address space). */
export const MEM = {
  stubBase: 0x0010_0000, // the stub image (multiboot load address)
  switchBlock: 0x0011_0000, // host → stub: what to run next
  benchAnchor: 0x0011_0800, // bench machines only: the in-machine anchor's state (ANCHOR), in the switch block's page
  idleStackTop: 0x0011_2000, // the idle loop's stack (grows down from here)
  idt: 0x0011_2000, // 256 gates, filled by the stub at boot
  tss: 0x0011_3000, // the TSS: 104 bytes, then the I/O permission bitmap
  tssIomap: 0x0011_3068, // = tss + 104: 8192 bytes + a 0xFF terminator (1 bit per port, 1 = denied)
  fpuAreas: 0x0012_0000, // per-process x87/MMX/SSE save areas (FXSAVE format), one per kernel-stack slot
  fpuAreaSize: 512,
  kstackPool: 0x0020_0000, // per-process kernel stacks
  kstackSize: 0x2000, // 8 KiB each
  kstackCount: 256,
  kernelEnd: 0x0040_0000, // end of the kernel region; user space begins here
  userBase: 0x0040_0000,
  userTop: 0xc000_0000, // user space ends here (exclusive)
} as const;

/** GDT selectors (RPL included for user selectors). */
export const SEL = {
  kcode: 0x08,
  kdata: 0x10,
  ucode: 0x1b,
  udata: 0x23,
  tss: 0x28,
} as const;

/** The hypercall: the stub writes the trap-frame address to this port with `out dx, eax`. */
export const HYPERCALL_PORT = 0x555;

/** Bench machines only: vectors 0x84 and 0x85 write to this port, whose host handler does nothing. */
export const BENCH_NULL_PORT = 0x557;

/** The boot hypercall passes 0 instead of a frame address. */
export const HYPERCALL_BOOT = 0;

/**
 * The trap frame, as the stub builds it on the kernel stack (lowest address first):
 * segment registers, `pushad` block, vector, error code, then what the CPU pushed
 * (eip, cs, eflags, and esp/ss only when coming from ring 3).
 */
export const FRAME = {
  gs: 0,
  fs: 4,
  es: 8,
  ds: 12,
  edi: 16,
  esi: 20,
  ebp: 24,
  espKernel: 28, // the value pushad saved (ignored by popad)
  ebx: 32,
  edx: 36,
  ecx: 40,
  eax: 44,
  vector: 48,
  errorCode: 52,
  eip: 56,
  cs: 60,
  eflags: 64,
  esp: 68, // only when cs RPL = 3
  ss: 72, // only when cs RPL = 3
  sizeRing3: 76,
  sizeRing0: 68,
} as const;

/** The switch block at MEM.switchBlock: written by the kernel, read by the stub after every hypercall. */
export const SWITCH = {
  action: 0, // one of ACTION
  esp: 4, // kernel stack pointer of the trap frame to restore
  cr3: 8, // page directory to load (the stub skips the load if unchanged)
  esp0: 12, // TSS.esp0: kernel stack top for the next ring-3 → ring-0 entry
  picMask: 16, // desired PIC mask (bit n masks IRQ n); the stub applies changes
  fpu: 20, // FPU work before leaving (FPU_OP bits; 0 = none); the stub clears it when done
  fpuSave: 24, // FXSAVE the live x87/SSE registers to this save area (with FPU_OP.save)
  fpuLoad: 28, // then FXRSTOR them from this one (with FPU_OP.load)
  size: 32,
} as const;

/**
 * Bench machines only: the state of the in-machine anchor at MEM.benchAnchor. Vector 0x83 (DPL 3,
 * boot/stub.asm) is a round trip's half made in ring 0 with no host call: it saves the caller's
 * registers as a trap frame on its kernel stack, copies 16 bytes from the caller's buffer (ESI),
 * switches to the other side (kernel stack, TSS.esp0, CR3), copies the 16 bytes into that side's
 * buffer (the ESI in its frame) and resumes it. Side 0 is the client; the host fills in both sides.
 */
export const ANCHOR = {
  cur: 0, // the side on the CPU: 0 or 1
  esp: 4, // [2] each side's saved kernel ESP (its trap frame)
  cr3: 12, // [2] each side's page directory
  esp0: 20, // [2] each side's kernel stack top
  buf: 32, // 16 bytes in flight
  size: 48,
} as const;

/**
 * The FPU work the stub does on its way out (SWITCH.fpu), in this order: clear CR0.TS (any bit set),
 * FXSAVE to SWITCH.fpuSave, FXRSTOR from SWITCH.fpuLoad, set CR0.TS again. A process's x87, MMX and
 * SSE registers are switched lazily: CR0.TS makes its first FPU instruction trap (#NM, vector 7).
 */
export const FPU_OP = {
  save: 1,
  load: 2,
  setTs: 4, // leave with CR0.TS set: the next FPU instruction traps
  clearTs: 8, // leave with CR0.TS clear: the process on the CPU owns the FPU registers
} as const;

/** What the stub does after a hypercall. */
export const ACTION = {
  resume: 0, // restore the frame at SWITCH.esp and iret
  idle: 1, // sti; hlt in ring 0 until an interrupt
  halt: 2, // cli; hlt forever (the machine is stopping)
  fast: 3, // return to the frame just saved: same process, nothing else changed (the syscall fast path)
} as const;

/** Interrupt vectors the stub gives a DPL-3 gate (callable with `int n` from ring 3). */
export const USER_VECTORS = [3, 4, 0x80] as const;

/** Vectors for which the CPU pushes an error code. */
export const ERROR_CODE_VECTORS = [8, 10, 11, 12, 13, 14, 17] as const;

/** Hardware IRQ n arrives on vector IRQ_BASE + n (the stub remaps the PIC there). */
export const IRQ_BASE = 0x20;

/** The system-call vector. */
export const SYSCALL_VECTOR = 0x80;

/** Generates boot/layout.inc: the same constants as NASM `%define`s / `equ`s. */
export function layoutInclude(): string {
  const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");
  const lines = ["; Generated from kernel/layout.ts by layoutInclude(). Do not edit.", ""];
  const group = (prefix: string, obj: Record<string, number>) => {
    for (const [k, v] of Object.entries(obj)) lines.push(`${prefix}_${snake(k)} equ ${hex(v)}`);
    lines.push("");
  };
  group("MEM", MEM);
  group("SEL", SEL);
  group("FRAME", FRAME);
  group("SWITCH", SWITCH);
  group("ACTION", ACTION);
  group("FPU_OP", FPU_OP);
  group("ANCHOR", ANCHOR);
  lines.push(`HYPERCALL_PORT equ ${hex(HYPERCALL_PORT)}`);
  lines.push(`BENCH_NULL_PORT equ ${hex(BENCH_NULL_PORT)}`);
  lines.push(`IRQ_BASE equ ${hex(IRQ_BASE)}`);
  lines.push(`SYSCALL_VECTOR equ ${hex(SYSCALL_VECTOR)}`);
  lines.push("");
  lines.push("; is_user_vector(v) / has_error_code(v) as preprocessor conditions");
  lines.push(`%define IS_USER_VECTOR(v) (${USER_VECTORS.map((v) => `(v) == ${v}`).join(" || ")})`);
  lines.push(`%define HAS_ERROR_CODE(v) (${ERROR_CODE_VECTORS.map((v) => `(v) == ${v}`).join(" || ")})`);
  return lines.join("\n") + "\n";
}

function snake(name: string): string {
  return name.replace(/[A-Z]+/g, (m) => "_" + m).toUpperCase().replace(/^_/, "");
}
