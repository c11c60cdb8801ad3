// Program loading: turns an executable (ELF32 or a flat binary) into a process image — segments
// mapped and filled in a fresh address space, the Linux i386 initial stack (argc, argv, envp, auxv),
// and the first trap frame that "returns" to the entry point in ring 3.
import type { Machine } from "../emulator/machine.ts";
import { encodeBytes } from "./bytes-text.ts";
import { parseElf, isElf, type ElfSymbol } from "./elf.ts";
import { PAGE } from "./frames.ts";
import { FRAME, MEM, SEL } from "./layout.ts";
import { E } from "./names.ts";
import type { AddressSpace } from "./vm.ts";

/** A validated program image. */
export interface LoadedImage {
  entry: number;
  segments: { vaddr: number; memsz: number; data: Uint8Array; flags: number }[];
  symbols: ElfSymbol[];
}

/** A program to start at boot. `image` is an ELF32 executable or a flat binary (loaded at 0x00400000). */
export interface ProgramSpec {
  name: string;
  image: Uint8Array;
  argv?: string[];
}

const USER_EFLAGS = 0x202; // IF set, reserved bit 1

/** Validates a program image; throws ElfError (from parseElf) for bad ELF files. */
export function loadImage(image: Uint8Array): LoadedImage {
  if (isElf(image)) {
    const elf = parseElf(image);
    return {
      entry: elf.entry,
      symbols: elf.symbols,
      segments: elf.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: s.flags, data: image.subarray(s.offset, s.offset + s.filesz) })),
    };
  }
  if (image.length === 0) throw new Error("empty program image");
  return { entry: MEM.userBase, symbols: [], segments: [{ vaddr: MEM.userBase, memsz: image.length, flags: 7, data: image }] };
}

/**
 * Maps and fills `image`'s segments and builds the initial stack in `as`. Returns where the heap
 * starts — the end of the loaded image rounded up to a page, as Linux does, so the heap never shares
 * a page with a segment (whose page may be read-only) — and the initial stack pointer, or -errno
 * (the caller then destroys `as`).
 */
export function populate(as: AddressSpace, image: LoadedImage, argv: string[], envp: string[] = []): { end: number; sp: number } | number {
  let end: number = MEM.userBase;
  for (const seg of image.segments) {
    const first = Math.floor(seg.vaddr / PAGE) * PAGE;
    for (let va = first; va < seg.vaddr + seg.memsz; va += PAGE) if (!as.isMapped(va) && as.mapNew(va, (seg.flags & 2) !== 0) < 0) return -E.NOMEM;
    as.poke(seg.vaddr, seg.data);
    end = Math.max(end, seg.vaddr + seg.memsz);
  }
  const sp = buildInitialStack(as, argv, envp);
  return sp < 0 ? sp : { end: Math.ceil(end / PAGE) * PAGE, sp };
}

/** Most bytes of argument and environment strings (NULs included) on a new stack. */
export const ARG_BYTES_MAX = 4 * PAGE;
/** Most argument plus environment strings on a new stack. */
export const ARG_COUNT_MAX = 256;

/**
 * Linux i386 initial stack: argc, argv pointers, NULL, envp pointers, NULL, auxv AT_NULL, then the
 * strings. Returns esp or -errno.
 */
function buildInitialStack(as: AddressSpace, argv: string[], envp: string[]): number {
  const strings = [...argv, ...envp].map((a) => encodeBytes(a + "\0")); // the bytes the strings came from
  const strBytes = strings.reduce((n, s) => n + s.length, 0);
  if (strBytes > ARG_BYTES_MAX || strings.length > ARG_COUNT_MAX) return -E.INVAL;
  let top = MEM.userTop - 16;
  const ptrs: number[] = [];
  for (const s of strings) {
    top -= s.length;
    ptrs.push(top);
  }
  top = (top & ~15) >>> 0;
  const words = [argv.length, ...ptrs.slice(0, argv.length), 0, ...ptrs.slice(argv.length), 0, 0, 0];
  const sp = top - words.length * 4;
  for (let va = Math.floor(sp / PAGE) * PAGE; va < MEM.userTop; va += PAGE) if (as.mapNew(va, true) < 0) return -E.NOMEM;
  const block = new Uint8Array(MEM.userTop - sp);
  const dv = new DataView(block.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  strings.forEach((s, i) => block.set(s, ptrs[i]! - sp));
  if (!as.copyOut(sp, block)) return -E.NOMEM;
  return sp;
}

/** Writes the first trap frame at the top of a kernel stack: "return" to `entry` in ring 3 with `sp`. Returns its address. */
export function writeInitialFrame(m: Machine, kstackTop: number, entry: number, sp: number): number {
  const f = kstackTop - FRAME.sizeRing3;
  for (let o = 0; o < FRAME.sizeRing3; o += 4) m.write32(f + o, 0);
  for (const o of [FRAME.ds, FRAME.es, FRAME.fs, FRAME.gs, FRAME.ss]) m.write32(f + o, SEL.udata);
  m.write32(f + FRAME.eip, entry);
  m.write32(f + FRAME.cs, SEL.ucode);
  m.write32(f + FRAME.eflags, USER_EFLAGS);
  m.write32(f + FRAME.esp, sp);
  return f;
}

/** "r-x" for ELF segment flags. */
export function flagString(flags: number): string {
  return (flags & 4 ? "r" : "-") + (flags & 2 ? "w" : "-") + (flags & 1 ? "x" : "-");
}
