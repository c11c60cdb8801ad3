// The physical frame allocator: every 4 KiB frame above the kernel region, handed out zeroed, with a
// reference count per frame (fork shares frames copy-on-write; the last release frees it).
import type { PhysicalMemory } from "./phys-memory.ts";
import { MEM } from "./layout.ts";

export const PAGE = 4096;

/** A stack of free frame addresses; O(1) alloc and free, no allocation on either path. */
export class FrameAllocator {
  private readonly free: Uint32Array;
  private top = 0;
  readonly total: number;
  /** References to each frame (index: frame number − first frame); 0 = free. */
  private readonly refs: Uint16Array;
  private readonly first: number;

  /** Owns frames [MEM.kernelEnd, machine.memoryBytes). */
  constructor(private readonly machine: PhysicalMemory) {
    const first = MEM.kernelEnd / PAGE;
    const last = Math.floor(machine.memoryBytes / PAGE);
    this.total = last - first;
    this.first = first;
    this.free = new Uint32Array(this.total);
    this.refs = new Uint16Array(this.total);
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
    this.refs[pa / PAGE - this.first] = 1;
    return pa;
  }

  /** Drops one reference to a frame obtained from alloc() (or shared); the last one frees it. */
  release(pa: number): void {
    const i = pa / PAGE - this.first;
    if (i >= 0 && i < this.total && this.refs[i]! > 1) {
      this.refs[i]!--;
      return;
    }
    if (i >= 0 && i < this.total) this.refs[i] = 0;
    this.free[this.top++] = pa;
  }

  /** Adds a reference to an allocated frame (a second address space maps it: fork). */
  share(pa: number): void {
    this.refs[pa / PAGE - this.first]!++;
  }

  /** How many references an allocated frame has (1: one owner). */
  refCount(pa: number): number {
    const i = pa / PAGE - this.first;
    return i >= 0 && i < this.total ? this.refs[i]! : 0;
  }
}
