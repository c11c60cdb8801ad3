// The physical frame allocator: every 4 KiB frame above the kernel region, handed out zeroed.
import type { PhysicalMemory } from "./phys-memory.ts";
import { MEM } from "./layout.ts";

export const PAGE = 4096;

/** A stack of free frame addresses; O(1) alloc and free, no allocation on either path. */
export class FrameAllocator {
  private readonly free: Uint32Array;
  private top = 0;
  readonly total: number;

  /** Owns frames [MEM.kernelEnd, machine.memoryBytes). */
  constructor(private readonly machine: PhysicalMemory) {
    const first = MEM.kernelEnd / PAGE;
    const last = Math.floor(machine.memoryBytes / PAGE);
    this.total = last - first;
    this.free = new Uint32Array(this.total);
    // Hand out low frames first (push high ones first).
    for (let f = last - 1; f >= first; f--) this.free[this.top++] = f * PAGE;
  }

  /** Number of frames currently free. */
  get freeCount(): number {
    return this.top;
  }

  /** Returns a zeroed frame's physical address, or -1 when memory is exhausted. */
  alloc(): number {
    if (this.top === 0) return -1;
    const pa = this.free[--this.top]!;
    this.machine.mem8.fill(0, pa, pa + PAGE);
    return pa;
  }

  /** Returns a frame obtained from alloc(). */
  release(pa: number): void {
    this.free[this.top++] = pa;
  }
}
