// The default scheduling policy: strict priority by nice value (−20 best … 19 worst), round robin
// within a level, fixed 10 ms slices of virtual time. A woken process preempts only a worse-priority
// one; a rendezvous hands the CPU to its partner unless a better-priority process waits.
import type { Process } from "../process.ts";
import type { SchedPolicy } from "./policy.ts";

/** Time slice, in virtual ms. */
export const QUANTUM_MS = 10;

const runnable = (p: Process): boolean => p.state === "ready" || p.state === "running";

export class PriorityRoundRobin implements SchedPolicy {
  readonly name = "priority-rr";
  /** Every schedulable process in creation order: the round-robin ring. */
  private readonly ring: Process[] = [];

  add(p: Process): void {
    this.ring.push(p);
  }

  remove(p: Process): void {
    const i = this.ring.indexOf(p);
    if (i >= 0) this.ring.splice(i, 1);
  }

  /** Among runnable processes with the best nice value, the first after `prev` in ring order. */
  pick(prev: Process | null): Process | null {
    const ring = this.ring, n = ring.length;
    let best = Infinity;
    for (const p of ring) if (runnable(p) && p.nice < best) best = p.nice;
    if (best === Infinity) return null;
    const start = prev ? ring.indexOf(prev) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = ring[(start + i) % n]!;
      if (runnable(p) && p.nice === best) return p;
    }
    return null;
  }

  preemptsOnWake(woken: Process, current: Process): boolean {
    return woken.nice < current.nice;
  }

  /** Preempt only if another ready process has priority at least as good. */
  preemptAtSliceEnd(current: Process): boolean {
    for (const q of this.ring) if (q !== current && q.state === "ready" && q.nice <= current.nice) return true;
    return false;
  }

  /** Hand off unless another ready process has a strictly better priority. */
  mayHandOff(to: Process): boolean {
    for (const q of this.ring) if (q !== to && q.state === "ready" && q.nice < to.nice) return false;
    return true;
  }

  sliceMs(_p: Process): number {
    return QUANTUM_MS;
  }

  /** A child inherits its parent's nice value; a server's children start at 0. */
  initialNice(parent: Process | null): number {
    return parent && !parent.priv ? parent.nice : 0;
  }
}
