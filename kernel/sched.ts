// The scheduler: preemptive round robin within strict priority levels (nice values), a quantum in
// virtual time, and a sleep queue. It only chooses; the kernel switches.
import type { Process } from "./process.ts";

/** Time slice, in virtual ms. */
export const QUANTUM_MS = 10;

export class Scheduler {
  /** Live processes (not zombies), in creation order: the round-robin ring. */
  readonly live: Process[] = [];

  add(p: Process): void {
    this.live.push(p);
  }

  remove(p: Process): void {
    const i = this.live.indexOf(p);
    if (i >= 0) this.live.splice(i, 1);
  }

  /**
   * The process that should run next: among runnable processes with the best (lowest) nice value,
   * the first after `after` in round-robin order. Null when nothing is runnable.
   */
  pick(after: Process | null): Process | null {
    const n = this.live.length;
    if (n === 0) return null;
    let best = Infinity;
    for (const p of this.live) if ((p.state === "ready" || p.state === "running") && p.nice < best) best = p.nice;
    if (best === Infinity) return null;
    const start = after ? this.live.indexOf(after) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = this.live[(start + i) % n]!;
      if ((p.state === "ready" || p.state === "running") && p.nice === best) return p;
    }
    return null;
  }

  /** True if some other ready process has a strictly better priority than `p`. */
  hasBetter(p: Process): boolean {
    for (const q of this.live) if (q !== p && q.state === "ready" && q.nice < p.nice) return true;
    return false;
  }

  /** True if some other runnable process has priority at least as good as `p`'s. */
  hasRival(p: Process): boolean {
    for (const q of this.live) if (q !== p && q.state === "ready" && q.nice <= p.nice) return true;
    return false;
  }

  /** Earliest wake-up time among sleepers (virtual ms), or Infinity. */
  nextWake(): number {
    let t = Infinity;
    for (const p of this.live) if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until < t) t = p.wait.until;
    return t;
  }

  /** Makes every sleeper whose time has come ready; returns them (in ring order). */
  wakeDue(nowMs: number): Process[] {
    const woken: Process[] = [];
    for (const p of this.live) {
      if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until <= nowMs) {
        p.state = "ready";
        p.wait = null;
        woken.push(p);
      }
    }
    return woken;
  }
}
