// A process: its address space, kernel stack, saved trap frame and bookkeeping.
import type { AddressSpace } from "./vm.ts";
import type { ElfSymbol } from "./elf.ts";

export type ProcState = "ready" | "running" | "zombie";

export class Process {
  state: ProcState = "ready";
  /** Physical (= kernel virtual) address of the trap frame to resume from. */
  frame = 0;
  exitStatus: number | null = null;
  /** The exception vector that killed it, if any. */
  killVector: number | null = null;
  report: string | null = null;
  /** Virtual time (ms) when it last got the CPU. */
  sliceStart = 0;

  constructor(
    readonly pid: number,
    readonly name: string,
    readonly parent: number | null,
    readonly as: AddressSpace,
    readonly kstackSlot: number,
    readonly kstackTop: number,
    readonly symbols: ElfSymbol[],
  ) {}

  /** `<sym+0xoff>` for an address in this process's image, or "" when no symbol covers it. */
  symbolize(addr: number): string {
    let best: ElfSymbol | undefined;
    for (const s of this.symbols) {
      if (s.addr > addr) break;
      best = s;
    }
    if (!best || addr - best.addr > 0x10000) return "";
    const off = addr - best.addr;
    return off ? `<${best.name}+0x${off.toString(16)}>` : `<${best.name}>`;
  }
}
