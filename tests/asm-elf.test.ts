// ELF output: header/segment structure checked by parsing the file in TS, and the classic Linux
// i386 hello world run natively (skipped only if this host cannot execute i386 ELF files).
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync, chmodSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble } from "../tools/asm/index.ts";

const HELLO = readFileSync(join(import.meta.dirname, "fixtures/asm/hello.asm"), "utf8");

interface Phdr { type: number; offset: number; vaddr: number; filesz: number; memsz: number; flags: number; align: number }
interface Shdr { name: string; type: number; flags: number; addr: number; offset: number; size: number; link: number; info: number; entsize: number }

/** Parses an ELF32 little-endian file's header, program headers and section headers. */
function parseElf(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);
  const ehdr = { type: u16(16), machine: u16(18), entry: u32(24), phoff: u32(28), shoff: u32(32), phnum: u16(44), shnum: u16(48), shstrndx: u16(50), ehsize: u16(40) };
  const phdrs: Phdr[] = [];
  for (let i = 0; i < ehdr.phnum; i++) {
    const o = ehdr.phoff + i * 32;
    phdrs.push({ type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), memsz: u32(o + 20), flags: u32(o + 24), align: u32(o + 28) });
  }
  const raw = [];
  for (let i = 0; i < ehdr.shnum; i++) {
    const o = ehdr.shoff + i * 40;
    raw.push({ nameOff: u32(o), type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24), info: u32(o + 28), entsize: u32(o + 36) });
  }
  const strs = raw[ehdr.shstrndx];
  const cstr = (off: number) => {
    let e = off;
    while (b[e] !== 0) e++;
    return Buffer.from(b.subarray(off, e)).toString("latin1");
  };
  const shdrs: Shdr[] = raw.map((s) => ({ ...s, name: cstr(strs.offset + s.nameOff) }));
  return { ehdr, phdrs, shdrs, cstr };
}

/** True if this host can run a 32-bit static ELF (tries a tiny one: exit(42)). */
function canRunI386(dir: string): boolean {
  if (process.platform !== "linux") return false;
  const r = assemble("global _start\nsection .text\n_start: mov ebx, 42\nmov eax, 1\nint 0x80\n", { format: "elf" });
  if (!r.ok) return false;
  const f = join(dir, "probe");
  writeFileSync(f, r.bytes);
  chmodSync(f, 0o755);
  const p = spawnSync(f, [], { timeout: 5000 });
  return p.status === 42;
}

describe("asm -f elf", () => {
  const r = assemble(HELLO, { format: "elf", file: "hello.asm" });

  it("assembles hello world with _start as the entry", () => {
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    const start = r.symbols.find((s) => s.name === "_start")!;
    expect(r.entry).toBe(start.value);
    expect(start.section).toBe(".text");
  });

  it("is a static ELF32 i386 ET_EXEC with page-congruent PT_LOAD segments and correct flags", () => {
    const { ehdr, phdrs, shdrs } = parseElf(r.bytes);
    expect(Array.from(r.bytes.subarray(0, 7))).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(ehdr.type).toBe(2);
    expect(ehdr.machine).toBe(3);
    expect(ehdr.ehsize).toBe(52);
    for (const p of phdrs) {
      expect(p.type).toBe(1);
      expect(p.offset % 4096).toBe(p.vaddr % 4096);
      expect(p.memsz).toBeGreaterThanOrEqual(p.filesz);
      expect(p.offset + p.filesz).toBeLessThanOrEqual(r.bytes.length);
    }
    const text = shdrs.find((s) => s.name === ".text")!;
    const data = shdrs.find((s) => s.name === ".data")!;
    const seg = (addr: number) => phdrs.find((p) => addr >= p.vaddr && addr < p.vaddr + p.memsz)!;
    expect(seg(text.addr).flags).toBe(5); // R+X
    expect(seg(data.addr).flags).toBe(6); // R+W
    expect(phdrs[0].vaddr).toBe(0x00400000);
    expect(phdrs[0].offset).toBe(0);
    expect(seg(ehdr.entry)).toBe(seg(text.addr));
    // file bytes of .data hold the message at the address the code uses
    expect(Buffer.from(r.bytes.subarray(data.offset, data.offset + 14)).toString()).toBe("Hello, World!\n");
    const msg = r.symbols.find((s) => s.name === "msg")!.value;
    expect(msg).toBe(data.addr);
  });

  it("has .symtab/.strtab/.shstrtab with the program's symbols", () => {
    const { shdrs, cstr } = parseElf(r.bytes);
    expect(shdrs.map((s) => s.name)).toEqual(["", ".text", ".data", ".symtab", ".strtab", ".shstrtab"]);
    const symtab = shdrs.find((s) => s.name === ".symtab")!;
    const strtab = shdrs.find((s) => s.name === ".strtab")!;
    expect(symtab.entsize).toBe(16);
    expect(shdrs[symtab.link]).toBe(strtab);
    const v = new DataView(r.bytes.buffer, r.bytes.byteOffset);
    const names: Record<string, { value: number; bind: number }> = {};
    for (let o = symtab.offset + 16; o < symtab.offset + symtab.size; o += 16)
      names[cstr(strtab.offset + v.getUint32(o, true))] = { value: v.getUint32(o + 4, true), bind: r.bytes[o + 12] >> 4 };
    expect(names._start).toEqual({ value: r.entry, bind: 1 });
    expect(names.msg.bind).toBe(0);
    expect(names.len.value).toBe(14);
    expect(symtab.info).toBe(Object.values(names).filter((s) => s.bind === 0).length + 1);
  });

  it("puts .bss in the RW segment as memsz > filesz and .rodata in an R segment", () => {
    const src = "global _start\nsection .text\n_start: mov eax, [buf]\nsection .rodata\nro: db 1,2,3\nsection .data\nd: dd 5\nsection .bss\nbuf: resb 8192\n";
    const e = assemble(src, { format: "elf" });
    expect(e.ok).toBe(true);
    const { phdrs, shdrs } = parseElf(e.bytes);
    expect(phdrs.map((p) => p.flags)).toEqual([5, 4, 6]);
    const rw = phdrs[2];
    expect(rw.memsz - rw.filesz).toBeGreaterThanOrEqual(8192);
    const bss = shdrs.find((s) => s.name === ".bss")!;
    expect(bss.type).toBe(8); // SHT_NOBITS
    expect(e.symbols.find((s) => s.name === "buf")!.value).toBe(bss.addr);
    for (let i = 1; i < phdrs.length; i++) expect(phdrs[i].vaddr).toBeGreaterThanOrEqual(phdrs[i - 1].vaddr + phdrs[i - 1].memsz);
  });

  it("runs natively like the NASM+ld build: prints Hello, World! and exits 0", (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "ringside-asm-"));
    if (!canRunI386(dir)) ctx.skip();
    const f = join(dir, "hello");
    writeFileSync(f, r.bytes);
    chmodSync(f, 0o755);
    const p = spawnSync(f, [], { timeout: 5000 });
    expect(p.stdout.toString()).toBe("Hello, World!\n");
    expect(p.status).toBe(0);
  });
});
