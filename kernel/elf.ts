// ELF32 i386 executables: parsing with every header field and segment validated against the
// file size and the user address range. Bad input gives an ElfError naming what is wrong.
import { MEM } from "./layout.ts";

/** Decodes symbol names (one decoder for all: making one per symbol cost milliseconds per image). */
const SYMBOL_NAMES = new TextDecoder();

export interface ElfSegment {
  vaddr: number;
  memsz: number;
  offset: number;
  filesz: number;
  flags: number; // PF_X=1, PF_W=2, PF_R=4
}

export interface ElfSymbol {
  name: string;
  addr: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

export class ElfError extends Error {}

const PT_LOAD = 1;

/** True if the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parses and validates an ELF32 i386 ET_EXEC image; throws ElfError with a precise reason. */
export function parseElf(bytes: Uint8Array): ElfImage {
  const size = bytes.length;
  if (size < 52) throw new ElfError(`file is ${size} bytes, too short for an ELF header (52)`);
  if (!isElf(bytes)) throw new ElfError("not an ELF file (bad magic)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 1) throw new ElfError(`EI_CLASS is ${bytes[4]}, expected 1 (32-bit)`);
  if (bytes[5] !== 1) throw new ElfError(`EI_DATA is ${bytes[5]}, expected 1 (little-endian)`);
  if (bytes[6] !== 1) throw new ElfError(`EI_VERSION is ${bytes[6]}, expected 1`);
  const type = dv.getUint16(16, true);
  if (type !== 2) throw new ElfError(`e_type is ${type}, expected 2 (ET_EXEC: a static executable)`);
  const machine = dv.getUint16(18, true);
  if (machine !== 3) throw new ElfError(`e_machine is ${machine}, expected 3 (EM_386)`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const shoff = dv.getUint32(32, true);
  const ehsize = dv.getUint16(40, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  if (ehsize !== 52) throw new ElfError(`e_ehsize is ${ehsize}, expected 52`);
  if (phnum === 0) throw new ElfError("no program headers (e_phnum = 0)");
  if (phentsize !== 32) throw new ElfError(`e_phentsize is ${phentsize}, expected 32`);
  if (phnum > 64) throw new ElfError(`e_phnum is ${phnum}, more than the 64 supported`);
  if (phoff + phnum * 32 > size) throw new ElfError(`program headers (offset ${phoff}, ${phnum} entries) run past the end of the file (${size} bytes)`);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 32;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const seg: ElfSegment = {
      offset: dv.getUint32(o + 4, true),
      vaddr: dv.getUint32(o + 8, true),
      filesz: dv.getUint32(o + 16, true),
      memsz: dv.getUint32(o + 20, true),
      flags: dv.getUint32(o + 24, true),
    };
    const where = `segment ${i} (vaddr 0x${hex(seg.vaddr)})`;
    if (seg.filesz > seg.memsz) throw new ElfError(`${where}: p_filesz ${seg.filesz} > p_memsz ${seg.memsz}`);
    if (seg.offset + seg.filesz > size) throw new ElfError(`${where}: file bytes [${seg.offset}, ${seg.offset + seg.filesz}) run past the end of the file (${size} bytes)`);
    if (seg.vaddr < MEM.userBase || seg.vaddr + seg.memsz > MEM.userTop || seg.vaddr + seg.memsz < seg.vaddr)
      throw new ElfError(`${where}: [0x${hex(seg.vaddr)}, 0x${hex(seg.vaddr + seg.memsz)}) is outside user space [0x${hex(MEM.userBase)}, 0x${hex(MEM.userTop)})`);
    if (seg.memsz > 64 * 1024 * 1024) throw new ElfError(`${where}: p_memsz ${seg.memsz} is larger than the 64 MiB limit`);
    for (const other of segments) {
      const lo = Math.max(pageDown(seg.vaddr), pageDown(other.vaddr));
      const hi = Math.min(pageUp(seg.vaddr + seg.memsz), pageUp(other.vaddr + other.memsz));
      if (lo < hi) throw new ElfError(`${where}: overlaps the page range of segment at 0x${hex(other.vaddr)}`);
    }
    segments.push(seg);
  }
  if (segments.length === 0) throw new ElfError("no PT_LOAD segments");
  const text = segments.find((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz);
  if (!text) throw new ElfError(`entry point 0x${hex(entry)} is not inside any loadable segment`);
  if (!(text.flags & 1)) throw new ElfError(`entry point 0x${hex(entry)} is in a segment that is not executable`);

  let symbols: ElfSymbol[] = [];
  if (shoff !== 0 && shnum !== 0 && shentsize === 40 && shoff + shnum * 40 <= size) symbols = readSymbols(bytes, dv, shoff, shnum);
  return { entry, segments, symbols };
}

/** Reads .symtab function/object/notype symbols (best effort: a malformed table yields none). */
function readSymbols(bytes: Uint8Array, dv: DataView, shoff: number, shnum: number): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 40;
    if (dv.getUint32(o + 4, true) !== 2) continue; // SHT_SYMTAB
    const off = dv.getUint32(o + 16, true);
    const sz = dv.getUint32(o + 20, true);
    const link = dv.getUint32(o + 24, true);
    if (link >= shnum || off + sz > bytes.length) return [];
    const so = shoff + link * 40;
    const stroff = dv.getUint32(so + 16, true);
    const strsz = dv.getUint32(so + 20, true);
    if (stroff + strsz > bytes.length) return [];
    for (let s = off + 16; s + 16 <= off + sz; s += 16) {
      const nameOff = dv.getUint32(s, true);
      const value = dv.getUint32(s + 4, true);
      const info = bytes[s + 12]!;
      const shndx = dv.getUint16(s + 14, true);
      const type = info & 0xf;
      if (shndx === 0 || shndx >= 0xff00 || type > 2 || nameOff >= strsz) continue;
      let end = stroff + nameOff;
      while (end < stroff + strsz && bytes[end] !== 0) end++;
      const name = SYMBOL_NAMES.decode(bytes.subarray(stroff + nameOff, end));
      if (name) out.push({ name, addr: value });
    }
  }
  out.sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : 1));
  return out;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
function pageDown(n: number): number {
  return Math.floor(n / 4096) * 4096;
}
function pageUp(n: number): number {
  return Math.ceil(n / 4096) * 4096;
}
