// Address spaces: two-level 32-bit page tables written directly into guest memory, the shared
// supervisor-only kernel mapping, and copyin/copyout that walk the tables instead of trusting
// user pointers.
import { FrameAllocator, PAGE } from "./frames.ts";
import { MEM } from "./layout.ts";
import type { PhysicalMemory } from "./phys-memory.ts";

/** Page-table entry bits; COW is an available-to-software bit: "read-only until written, then copied". */
export const PTE = { P: 1, W: 2, U: 4, G: 0x100, COW: 0x200 } as const;

/** What resolving a write to a copy-on-write page did (the trace's pagefault outcome). */
export type CowOutcome = "copied" | "reclaimed";
const FRAME_MASK = 0xfffff000;

/** Builds the one page table that maps the kernel region (identity, supervisor-only, global). */
export function buildKernelPageTable(machine: PhysicalMemory, frames: FrameAllocator): number {
  const pt = frames.alloc();
  if (pt < 0) throw new Error("out of memory building the kernel page table");
  // Page 0 stays unmapped so that kernel null dereferences fault.
  for (let i = 1; i < 1024; i++) machine.write32(pt + i * 4, (i * PAGE) | PTE.P | PTE.W | PTE.G);
  return pt;
}

/** One process's page directory and the user pages it maps. */
export class AddressSpace {
  readonly pd: number;
  private readonly tables: number[] = [];
  /** user pages mapped (vaddr → frame), for freeing */
  private pages = 0;

  /** Creates a directory whose first 4 MiB are the shared kernel mapping. Throws ENOMEM-style on exhaustion. */
  constructor(
    private readonly machine: PhysicalMemory,
    private readonly frames: FrameAllocator,
    kernelPt: number,
  ) {
    const pd = frames.alloc();
    if (pd < 0) throw new OutOfMemory();
    this.pd = pd;
    machine.write32(pd, kernelPt | PTE.P | PTE.W); // U=0: supervisor-only
  }

  /** Maps one user page at `va` to a fresh zeroed frame; returns its physical address or -1 (no memory). */
  mapNew(va: number, writable: boolean): number {
    const pte = this.pteAddr(va, true);
    if (pte < 0) return -1;
    const old = this.machine.read32(pte);
    if (old & PTE.P) return -1;
    const frame = this.frames.alloc();
    if (frame < 0) return -1;
    this.machine.write32(pte, frame | PTE.P | PTE.U | (writable ? PTE.W : 0));
    this.pages++;
    return frame;
  }

  /** Unmaps the user page at `va` (if mapped) and frees its frame; callers flush the TLB if the space is live. */
  unmap(va: number): void {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return;
    const e = this.machine.read32(pte);
    if (!(e & PTE.P)) return;
    this.machine.write32(pte, 0);
    this.frames.release(e & FRAME_MASK);
    this.pages--;
  }

  /** Reads a NUL-terminated string of at most `max` bytes from user memory; null if unreadable or too long. */
  readString(va: number, max: number): string | null {
    const bytes = this.readCString(va, max);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  /** The bytes of the NUL-terminated string at `va` (without the NUL), or null if unreadable or longer than `max`. */
  readCString(va: number, max: number): Uint8Array | null {
    const bytes: number[] = [];
    const mem = this.machine.mem8;
    for (let i = 0; i <= max; i++) {
      const pa = this.translate(va + i, false);
      if (pa < 0) return null;
      const b = mem[pa]!;
      if (b === 0) return Uint8Array.from(bytes);
      bytes.push(b);
    }
    return null;
  }

  /** Reads a 32-bit word from user memory; undefined if unreadable. */
  readWord(va: number): number | undefined {
    if (va & 3) {
      const b = new Uint8Array(4);
      if (!this.copyIn(va, 4, b)) return undefined;
      return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    }
    const pa = this.translate(va, false);
    return pa < 0 ? undefined : this.machine.read32(pa);
  }

  /** Writes a 32-bit word to user memory; false if not user-writable. */
  writeWord(va: number, value: number): boolean {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.copyOut(va, b);
  }

  /** True if the page containing `va` is mapped (present). */
  isMapped(va: number): boolean {
    const pte = this.pteAddr(va, false);
    return pte >= 0 && (this.machine.read32(pte) & PTE.P) !== 0;
  }

  /** Changes the writable bit of a mapped user page (callers flush the TLB if the space is live). */
  protect(va: number, writable: boolean): void {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return;
    const e = this.machine.read32(pte);
    if (!(e & PTE.P)) return;
    this.machine.write32(pte, writable ? e | PTE.W : e & ~PTE.W);
  }

  /**
   * Makes this (fresh) space a copy-on-write copy of `src` (fork): every user page of `src` is
   * mapped here to the same frame; writable pages become read-only + COW in both. Returns false if
   * memory ran out (the caller destroys this space). The caller flushes the TLB (src is live).
   */
  cloneFrom(src: AddressSpace): boolean {
    const m = this.machine;
    for (let di = MEM.userBase >>> 22; di < MEM.userTop >>> 22; di++) {
      const pde = m.read32(src.pd + di * 4);
      if (!(pde & PTE.P)) continue;
      const spt = pde & FRAME_MASK;
      for (let i = 0; i < 1024; i++) {
        let e = m.read32(spt + i * 4);
        if (!(e & PTE.P)) continue;
        if (e & PTE.W) {
          e = (e & ~PTE.W) | PTE.COW;
          m.write32(spt + i * 4, e);
        }
        const pte = this.pteAddr(((di << 22) | (i << 12)) >>> 0, true);
        if (pte < 0) return false;
        m.write32(pte, e);
        this.frames.share(e & FRAME_MASK);
        this.pages++;
      }
    }
    return true;
  }

  /**
   * A write to the copy-on-write page at `va`: the page gets a frame of its own ("copied"), or, when
   * no other space shares its frame any more, simply becomes writable again ("reclaimed"). Returns
   * null if `va` is not a COW page, "out-of-memory" if no frame is left. Flushes the TLB.
   */
  breakCow(va: number): CowOutcome | "out-of-memory" | null {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return null;
    const m = this.machine;
    const e = m.read32(pte);
    if ((e & (PTE.P | PTE.COW)) !== (PTE.P | PTE.COW)) return null;
    const old = e & FRAME_MASK;
    let outcome: CowOutcome = "reclaimed";
    let frame = old;
    if (this.frames.refCount(old) > 1) {
      frame = this.frames.alloc();
      if (frame < 0) return "out-of-memory";
      m.writeCode(frame, m.mem8.subarray(old, old + PAGE)); // the page may hold code: no stale JIT
      this.frames.release(old);
      outcome = "copied";
    }
    m.write32(pte, (frame | (e & 0xfff) | PTE.W) & ~PTE.COW);
    m.flushTlb?.();
    return outcome;
  }

  /** Number of user pages mapped. */
  get pageCount(): number {
    return this.pages;
  }

  /**
   * Translates a user virtual address as ring 3 would see it: returns the physical address, or -1
   * if the page is absent, supervisor-only, or read-only when `write` is asked.
   */
  translate(va: number, write: boolean): number {
    va >>>= 0;
    if (va < MEM.userBase || va >= MEM.userTop) return -1;
    const m = this.machine;
    const pde = m.read32(this.pd + (va >>> 22) * 4);
    if ((pde & (PTE.P | PTE.U)) !== (PTE.P | PTE.U)) return -1;
    const pte = m.read32((pde & FRAME_MASK) + ((va >>> 12) & 1023) * 4);
    if ((pte & (PTE.P | PTE.U)) !== (PTE.P | PTE.U)) return -1;
    if (write && !(pte & PTE.W)) {
      // A kernel write into a copy-on-write page (read(), a status word …) copies it first, as the
      // process's own write would.
      if (!(pte & PTE.COW)) return -1;
      const r = this.breakCow(va);
      return r === "copied" || r === "reclaimed" ? this.translate(va, write) : -1;
    }
    return ((pte & FRAME_MASK) | (va & 0xfff)) >>> 0;
  }

  /** Copies `len` bytes from user memory at `va` into `out`; false if any byte is not user-readable. */
  copyIn(va: number, len: number, out: Uint8Array): boolean {
    const mem = this.machine.mem8;
    let done = 0;
    while (done < len) {
      const pa = this.translate(va + done, false);
      if (pa < 0) return false;
      const n = Math.min(len - done, PAGE - (pa & 0xfff));
      out.set(mem.subarray(pa, pa + n), done);
      done += n;
    }
    return true;
  }

  /** Checks that [va, va+len) is user-readable (true) without copying. */
  readable(va: number, len: number): boolean {
    if (len === 0) return true;
    if (va + len > MEM.userTop || va + len < va) return false;
    for (let p = va & ~0xfff; p < va + len; p += PAGE) if (this.translate(Math.max(p, va), false) < 0) return false;
    return true;
  }

  /** Copies bytes into user memory at `va`; false if any byte is not user-writable (nothing is partially trusted). */
  copyOut(va: number, bytes: Uint8Array): boolean {
    const mem = this.machine.mem8;
    let done = 0;
    while (done < bytes.length) {
      const pa = this.translate(va + done, true);
      if (pa < 0) return false;
      const n = Math.min(bytes.length - done, PAGE - (pa & 0xfff));
      mem.set(bytes.subarray(done, done + n), pa);
      done += n;
    }
    return true;
  }

  /** Writes bytes into user pages regardless of their writable bit (the loader's view); false if unmapped. */
  poke(va: number, bytes: Uint8Array): boolean {
    let done = 0;
    while (done < bytes.length) {
      const pte = this.pteAddr(va + done, false);
      if (pte < 0) return false;
      if (this.machine.read32(pte) & PTE.COW && this.breakCow(va + done) === "out-of-memory") return false;
      const e = this.machine.read32(pte);
      if (!(e & PTE.P)) return false;
      const pa = (e & FRAME_MASK) + ((va + done) & 0xfff);
      const n = Math.min(bytes.length - done, PAGE - (pa & 0xfff));
      this.machine.writeCode(pa, bytes.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  /**
   * Returns every frame (user pages, page tables, the directory) to the allocator. With
   * `keepDirectory` the directory frame is left to the caller to release: while the CPU may still
   * run on this directory (an exit or exec inside the process's own kernel entry) the frame must not
   * be handed out again — the stub still switches away on it.
   */
  destroy(keepDirectory = false): void {
    const m = this.machine;
    for (const pt of this.tables) {
      for (let i = 0; i < 1024; i++) {
        const e = m.read32(pt + i * 4);
        if (e & PTE.P) this.frames.release(e & FRAME_MASK);
      }
      this.frames.release(pt);
    }
    this.tables.length = 0;
    this.pages = 0;
    if (keepDirectory) {
      for (let i = 0; i < 1024; i++) m.write32(this.pd + i * 4, i === 0 ? m.read32(this.pd) : 0); // the kernel mapping stays
    } else this.frames.release(this.pd);
  }

  /** Address of the PTE for `va` (creating its page table when `create`), or -1. */
  private pteAddr(va: number, create: boolean): number {
    va >>>= 0;
    if (va < MEM.userBase || va >= MEM.userTop) return -1;
    const m = this.machine;
    const pdeAddr = this.pd + (va >>> 22) * 4;
    let pde = m.read32(pdeAddr);
    if (!(pde & PTE.P)) {
      if (!create) return -1;
      const pt = this.frames.alloc();
      if (pt < 0) return -1;
      this.tables.push(pt);
      pde = pt | PTE.P | PTE.W | PTE.U;
      m.write32(pdeAddr, pde);
    }
    return (pde & FRAME_MASK) + ((va >>> 12) & 1023) * 4;
  }
}

/** Thrown when a new address space cannot get its directory frame. */
export class OutOfMemory extends Error {
  constructor() {
    super("out of physical memory");
  }
}
