// Per-process I/O port permissions through the TSS I/O permission bitmap (1 bit per port, 1 =
// denied). There is one bitmap; on a context switch the kernel closes the previous server's ports
// and opens the next one's, so only the bytes for declared ports are ever rewritten.
import type { Machine } from "../emulator/machine.ts";
import { MEM } from "./layout.ts";
import type { Process } from "./process.ts";

export class IoPermissions {
  /** The process whose ports are open in the bitmap now. */
  private loaded: Process | null = null;

  constructor(private readonly machine: Machine) {}

  /** Makes the bitmap grant exactly `p`'s declared ports (nothing for ordinary programs). */
  load(p: Process): void {
    if (p === this.loaded) return;
    if (this.loaded?.priv?.ports.length) this.set(this.loaded, true);
    this.loaded = null;
    if (p.priv?.ports.length) {
      this.set(p, false);
      this.loaded = p;
    }
  }

  /** Closes `p`'s ports if they are open (it ended). */
  forget(p: Process): void {
    if (this.loaded !== p) return;
    this.set(p, true);
    this.loaded = null;
  }

  private set(p: Process, denied: boolean): void {
    const mem = this.machine.mem8;
    for (const [lo, hi] of p.priv!.ports) {
      for (let port = lo; port <= hi; port++) {
        const a = MEM.tssIomap + (port >> 3);
        mem[a] = denied ? mem[a]! | (1 << (port & 7)) : mem[a]! & ~(1 << (port & 7));
      }
    }
  }
}
