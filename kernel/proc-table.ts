// The process table: every process that has not been reaped (live and zombie), the live ones in
// creation order, pid allocation (pids are never reused), and the pool of kernel stacks.
import { MEM } from "./layout.ts";
import type { Process } from "./process.ts";

/** At most this many processes (live and zombie) at once. */
export const MAX_PROCS = 64;

export class ProcessTable {
  /** Every process not yet reaped, by pid. */
  private readonly all = new Map<number, Process>();
  /** Live processes (not zombies), in creation order. */
  readonly live: Process[] = [];
  private next = 1;
  private readonly freeKstacks: number[] = [];

  constructor() {
    for (let i = MEM.kstackCount - 1; i >= 0; i--) this.freeKstacks.push(i);
  }

  /** The process with this pid (live or zombie), if any. */
  get(pid: number): Process | undefined {
    return this.all.get(pid);
  }

  /** Processes not yet reaped. */
  get size(): number {
    return this.all.size;
  }

  /** Every process not yet reaped (live and zombie). */
  values(): IterableIterator<Process> {
    return this.all.values();
  }

  /** The next pid (never reused); allocates it. */
  allocPid(): number {
    return this.next++;
  }

  /** A free kernel-stack slot, or undefined when all are taken. */
  allocKstack(): number | undefined {
    return this.freeKstacks.pop();
  }

  /** Returns a kernel-stack slot to the pool. */
  freeKstack(slot: number): void {
    this.freeKstacks.push(slot);
  }

  /** Adds a new live process. */
  add(p: Process): void {
    this.all.set(p.pid, p);
    this.live.push(p);
  }

  /** `p` ended: it stays in the table as a zombie until `remove`. */
  died(p: Process): void {
    const i = this.live.indexOf(p);
    if (i >= 0) this.live.splice(i, 1);
  }

  /** Drops `pid` from the table (reaped, or nobody will reap it). */
  remove(pid: number): void {
    this.all.delete(pid);
  }

  /** The process with the smallest pid ≥ `pid`. */
  atOrAfter(pid: number): Process | undefined {
    let best: Process | undefined;
    for (const p of this.all.values()) if (p.pid >= pid && (!best || p.pid < best.pid)) best = p;
    return best;
  }
}
