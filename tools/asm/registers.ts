// The x86 register names the assembler understands (16/32-bit general, segment, control, debug, test).

export type RegClass = "r8" | "r16" | "r32" | "sreg" | "cr" | "dr" | "tr";

/** A register: its lower-case name, class, and number (0-7 within the class). */
export interface RegInfo {
  name: string;
  cls: RegClass;
  num: number;
}

const TABLE: Record<RegClass, string[]> = {
  r8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
  r16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
  r32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
  sreg: ["es", "cs", "ss", "ds", "fs", "gs"],
  cr: ["cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7"],
  dr: ["dr0", "dr1", "dr2", "dr3", "dr4", "dr5", "dr6", "dr7"],
  tr: ["tr0", "tr1", "tr2", "tr3", "tr4", "tr5", "tr6", "tr7"],
};

const BY_NAME = new Map<string, RegInfo>();
for (const cls of Object.keys(TABLE) as RegClass[])
  TABLE[cls].forEach((name, num) => BY_NAME.set(name, { name, cls, num }));

/** Returns the register called `name` (any case), or undefined if it is not a register. */
export function lookupRegister(name: string): RegInfo | undefined {
  if (name.length > 3 || name.length < 2) return undefined;
  return BY_NAME.get(name.toLowerCase());
}

/** Returns the register of class `cls` with number `num`. */
export function registerOf(cls: RegClass, num: number): RegInfo {
  return BY_NAME.get(TABLE[cls][num])!;
}

/** Operand size in bits of a general register (0 for other classes). */
export function regBits(r: RegInfo): number {
  return r.cls === "r8" ? 8 : r.cls === "r16" || r.cls === "sreg" ? 16 : r.cls === "r32" ? 32 : 0;
}

const UNSUPPORTED = new Set([
  ...["st", "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"],
  ...["mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7"],
  ...Array.from({ length: 16 }, (_, i) => `xmm${i}`),
  ...Array.from({ length: 16 }, (_, i) => `ymm${i}`),
  ...["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "rip", "sil", "dil", "spl", "bpl"],
  ...Array.from({ length: 8 }, (_, i) => i + 8).flatMap((n) => [`r${n}`, `r${n}d`, `r${n}w`, `r${n}b`]),
]);

/** Why `name` is not a register here, if it is an x87, MMX, SSE or 64-bit register; else undefined. */
export function unsupportedRegister(name: string): string | undefined {
  const n = name.toLowerCase();
  if (!UNSUPPORTED.has(n)) return undefined;
  const kind = n.startsWith("st") ? "x87" : n.startsWith("mm") ? "MMX" : n.startsWith("xmm") || n.startsWith("ymm") ? "SSE/AVX" : "64-bit";
  return `'${name}' is ${kind === "64-bit" ? "a" : "an"} ${kind} register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)`;
}
