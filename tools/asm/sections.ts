// Sections: what each output section is (progbits/nobits, alignment, ELF permissions) and where
// the flat-binary format places them.

/** One output section as the layout sees it. */
export interface SectionInfo {
  name: string;
  nobits: boolean;
  align: number;
  order: number; // declaration order
  size: number; // bytes (virtual size for nobits)
  start: number; // virtual address of the first byte
}

export type ElfClass = "text" | "rodata" | "data" | "bss";

/** Classifies a section for ELF segments by its name (NASM conventions) and nobits flag. */
export function elfClass(s: Pick<SectionInfo, "name" | "nobits">): ElfClass {
  if (s.nobits) return "bss";
  const n = s.name.toLowerCase();
  if (n === ".text" || n.startsWith(".text.") || n === ".init" || n === ".fini") return "text";
  if (n === ".rodata" || n.startsWith(".rodata.") || n === ".rdata") return "rodata";
  return "data";
}

/** Default attributes of a section the first time it is named. */
export function defaultSection(name: string, format: "bin" | "elf", order: number): SectionInfo {
  const n = name.toLowerCase();
  const nobits = n === ".bss" || n.startsWith(".bss.") || n === ".tbss";
  const align = format === "elf" && (n === ".text" || n.startsWith(".text.")) ? 16 : 4;
  return { name, nobits, align, order, size: 0, start: 0 };
}

/** Rounds `x` up to a multiple of `a` (a ≥ 1). */
export function alignUp(x: number, a: number): number {
  return a <= 1 ? x : Math.ceil(x / a) * a;
}

/** Places bin sections: .text first at org, other progbits in order, then nobits; each aligned. */
export function placeBin(sections: SectionInfo[], org: number): void {
  const sorted = binOrder(sections);
  let addr = org;
  let first = true;
  for (const s of sorted) {
    addr = first ? addr : alignUp(addr, s.align);
    first = false;
    s.start = addr;
    addr += s.size;
  }
}

/** The order sections appear in a flat binary. */
export function binOrder(sections: SectionInfo[]): SectionInfo[] {
  const rank = (s: SectionInfo) => (s.nobits ? 2 : s.name === ".text" ? 0 : 1);
  return [...sections].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
}
