// ELF32 i386 executable writer: one PT_LOAD per permission class, page-congruent offsets,
// plus .symtab/.strtab/.shstrtab section headers so readelf is happy.
import { alignUp, elfClass, type ElfClass, type SectionInfo } from "./sections.ts";

const PAGE = 0x1000;
const EHDR = 52;
const PHDR = 32;
const SHDR = 40;

/** The segment classes in address order with their p_flags (R=4, W=2, X=1). */
const SEGMENTS: Array<{ cls: ElfClass[]; flags: number }> = [
  { cls: ["text"], flags: 5 },
  { cls: ["rodata"], flags: 4 },
  { cls: ["data", "bss"], flags: 6 },
];

/** Sections grouped into the segments that will exist (empty segments are dropped). */
function groups(sections: SectionInfo[]): Array<{ flags: number; secs: SectionInfo[] }> {
  const out: Array<{ flags: number; secs: SectionInfo[] }> = [];
  for (const seg of SEGMENTS) {
    const secs = sections
      .filter((s) => seg.cls.includes(elfClass(s)))
      .sort((a, b) => Number(a.nobits) - Number(b.nobits) || a.order - b.order);
    if (secs.some((s) => s.size > 0) || (seg.cls[0] === "text" && secs.length)) out.push({ flags: seg.flags, secs });
  }
  if (out.length === 0) out.push({ flags: 5, secs: [] });
  return out;
}

interface Plan {
  groups: Array<{ flags: number; secs: SectionInfo[] }>;
  phdrs: Array<{ off: number; vaddr: number; filesz: number; memsz: number; flags: number }>;
  fileOff: Map<string, number>;
  end: number; // file offset after the last segment's data
}

/** Lays sections out like a simple `ld` script: text right after the headers, then rodata, then
 *  data+bss, each segment on its own page with file offset ≡ vaddr (mod 4096). Sets `start`. */
function plan(sections: SectionInfo[], base: number): Plan {
  const gs = groups(sections);
  let off = EHDR + PHDR * gs.length;
  let vend = base;
  const phdrs: Plan["phdrs"] = [];
  const fileOff = new Map<string, number>();
  for (let gi = 0; gi < gs.length; gi++) {
    const g = gs[gi];
    const segOff = gi === 0 ? 0 : off;
    const segV = gi === 0 ? base : alignUp(vend, PAGE) + (off % PAGE);
    let v = gi === 0 ? base + off : segV;
    for (const s of g.secs) {
      if (!s.nobits) {
        off = alignUp(off, s.align);
        v = segV + (off - segOff);
        fileOff.set(s.name, off);
      } else v = alignUp(v, s.align);
      s.start = v;
      v += s.size;
      if (!s.nobits) off += s.size;
    }
    phdrs.push({ off: segOff, vaddr: segV, filesz: off - segOff, memsz: v - segV, flags: g.flags });
    vend = v;
  }
  for (const s of sections) if (!gs.some((g) => g.secs.includes(s))) s.start = base;
  return { groups: gs, phdrs, fileOff, end: off };
}

/** Assigns virtual addresses to all sections (see `plan`). */
export function placeElf(sections: SectionInfo[], base: number): void {
  plan(sections, base);
}

export interface ElfSymbol {
  name: string;
  value: number;
  section?: string; // undefined = absolute
  global: boolean;
}

/** Builds the ELF file from placed sections, their bytes, symbols and the entry point. */
export function writeElf(sections: SectionInfo[], data: Map<string, Uint8Array>, symbols: ElfSymbol[], entry: number, base: number): Uint8Array {
  const p = plan(sections, base);
  const gs = p.groups;
  const phnum = gs.length;
  const fileOff = p.fileOff;
  const off = p.end;
  // string tables and symbols
  const shstr = new StrTab();
  const str = new StrTab();
  const secOrder = gs.flatMap((g) => g.secs);
  const shIndex = new Map<string, number>();
  secOrder.forEach((s, i) => shIndex.set(s.name, i + 1));
  const locals = symbols.filter((s) => !s.global);
  const globals = symbols.filter((s) => s.global);
  const symtab: number[][] = [[0, 0, 0, 0, 0, 0]];
  for (const s of [...locals, ...globals]) {
    const shndx = s.section && shIndex.has(s.section) ? shIndex.get(s.section)! : 0xfff1;
    symtab.push([str.add(s.name), s.value >>> 0, 0, ((s.global ? 1 : 0) << 4) | 0, 0, shndx]);
  }
  const symData = new Uint8Array(symtab.length * 16);
  const sv = new DataView(symData.buffer);
  symtab.forEach((e, i) => {
    sv.setUint32(i * 16, e[0], true);
    sv.setUint32(i * 16 + 4, e[1], true);
    sv.setUint32(i * 16 + 8, e[2], true);
    symData[i * 16 + 12] = e[3];
    symData[i * 16 + 13] = e[4];
    sv.setUint16(i * 16 + 14, e[5], true);
  });
  const strData = str.bytes();
  // non-alloc data after the segments
  let tail = alignUp(off, 4);
  const symOff = tail;
  tail += symData.length;
  const strOff = tail;
  tail += strData.length;
  const names = secOrder.map((s) => shstr.add(s.name));
  const nSymtab = shstr.add(".symtab");
  const nStrtab = shstr.add(".strtab");
  const nShstr = shstr.add(".shstrtab");
  const shstrData = shstr.bytes();
  const shstrOff = tail;
  tail += shstrData.length;
  const shoff = alignUp(tail, 4);
  const shnum = secOrder.length + 4;
  const total = shoff + shnum * SHDR;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  // ELF header
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, entry >>> 0, true);
  v.setUint32(28, EHDR, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true);
  v.setUint16(40, EHDR, true);
  v.setUint16(42, PHDR, true);
  v.setUint16(44, phnum, true);
  v.setUint16(46, SHDR, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, shnum - 1, true);
  p.phdrs.forEach((ph, i) => {
    const o = EHDR + i * PHDR;
    v.setUint32(o, 1, true); // PT_LOAD
    v.setUint32(o + 4, ph.off, true);
    v.setUint32(o + 8, ph.vaddr >>> 0, true);
    v.setUint32(o + 12, ph.vaddr >>> 0, true);
    v.setUint32(o + 16, ph.filesz, true);
    v.setUint32(o + 20, ph.memsz, true);
    v.setUint32(o + 24, ph.flags, true);
    v.setUint32(o + 28, PAGE, true);
  });
  for (const s of secOrder) {
    const d = data.get(s.name);
    if (!s.nobits && d) out.set(d.subarray(0, s.size), fileOff.get(s.name)!);
  }
  out.set(symData, symOff);
  out.set(strData, strOff);
  out.set(shstrData, shstrOff);
  // section headers
  const sh = (i: number, f: number[]) => f.forEach((x, k) => v.setUint32(shoff + i * SHDR + k * 4, x >>> 0, true));
  sh(0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  secOrder.forEach((s, i) => {
    const cls = elfClass(s);
    const flags = 2 | (cls === "text" ? 4 : 0) | (cls === "data" || cls === "bss" ? 1 : 0);
    const o = s.nobits ? (fileOff.get(s.name) ?? offAfter(fileOff, secOrder, s)) : fileOff.get(s.name)!;
    sh(i + 1, [names[i], s.nobits ? 8 : 1, flags, s.start, o, s.size, 0, 0, s.align, 0]);
  });
  const k = secOrder.length + 1;
  sh(k, [nSymtab, 2, 0, 0, symOff, symData.length, k + 1, locals.length + 1, 4, 16]);
  sh(k + 1, [nStrtab, 3, 0, 0, strOff, strData.length, 0, 0, 1, 0]);
  sh(k + 2, [nShstr, 3, 0, 0, shstrOff, shstrData.length, 0, 0, 1, 0]);
  return out;
}

/** A plausible file offset for a nobits section: the end of the progbits before it. */
function offAfter(fileOff: Map<string, number>, secs: SectionInfo[], s: SectionInfo): number {
  let best = 0;
  for (const x of secs) {
    if (x === s) break;
    const o = fileOff.get(x.name);
    if (o !== undefined) best = o + x.size;
  }
  return best;
}

/** An ELF string table under construction. */
class StrTab {
  private parts: string[] = [""];
  private len = 1;
  private index = new Map<string, number>();
  add(s: string): number {
    const hit = this.index.get(s);
    if (hit !== undefined) return hit;
    const at = this.len;
    this.parts.push(s);
    this.len += new TextEncoder().encode(s).length + 1;
    this.index.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.parts.join("\0") + "\0");
  }
}
