// A multi-level feedback queue (MLFQ) scheduling policy: the solution of the `sched` lab
// (labs/sched/README.md). Not the system's default (that is priority-rr.ts); the lab's grader selects
// it through createKernel's `policy` option.
//
// The rules (OSTEP, "Scheduling: The Multi-Level Feedback Queue"), on top of strict priority by nice
// value (servers run at nice −5 and so stay above every program):
//   1. A new process starts at the top level (0).
//   2. Among runnable processes with the best nice value, the lowest level runs; round robin within it.
//   3. A process that uses up its slice moves down one level (the bottom level keeps it).
//   4. A process that blocks before its slice ends keeps its level.
//   5. Every BOOST_MS of virtual time every process moves back to the top level (no starvation).
//   6. A woken process preempts the current one when it ranks strictly better (nice, then level).
// The slice grows as a process moves down: SLICE_MS[level].
import type { Process } from "../process.ts";
import type { SchedPolicy } from "./policy.ts";

/** The slice of each level, in virtual ms: level 0 (the top) first. */
export const SLICE_MS = [5, 10, 20] as const;
/** The number of levels. */
export const LEVELS = SLICE_MS.length;
/** Every BOOST_MS virtual ms, every process moves back to level 0. */
export const BOOST_MS = 100;

const runnable = (p: Process): boolean => p.state === "ready" || p.state === "running";

// LAB sched: BEGIN
export class Mlfq implements SchedPolicy {
  readonly name = "mlfq";
  /** Every schedulable process in creation order: the round-robin ring. */
  private readonly ring: Process[] = [];
  /** Each process's level (0 = top). */
  private readonly level = new Map<Process, number>();
  /** The virtual ms of the last boost. */
  private lastBoost: number;

  /** `now` reads the virtual clock in ms (the kernel's `machine.nowMs()`). */
  constructor(private readonly now: () => number) {
    this.lastBoost = 0;
  }

  /** Rule 5: every BOOST_MS, everyone back to the top. */
  private boost(): void {
    const t = this.now();
    if (t - this.lastBoost < BOOST_MS) return;
    this.lastBoost = t;
    for (const p of this.ring) this.level.set(p, 0);
  }

  private lvl(p: Process): number {
    return this.level.get(p) ?? 0;
  }

  /** Negative when `a` ranks better than `b`: nice first, then level. */
  private cmp(a: Process, b: Process): number {
    return a.nice !== b.nice ? a.nice - b.nice : this.lvl(a) - this.lvl(b);
  }

  add(p: Process): void {
    this.ring.push(p);
    this.level.set(p, 0);
  }

  remove(p: Process): void {
    const i = this.ring.indexOf(p);
    if (i >= 0) this.ring.splice(i, 1);
    this.level.delete(p);
  }

  /** The best-ranked runnable process, the first after `prev` in ring order among equals. */
  pick(prev: Process | null): Process | null {
    this.boost();
    let best: Process | null = null;
    for (const p of this.ring) if (runnable(p) && (best === null || this.cmp(p, best) < 0)) best = p;
    if (best === null) return null;
    const ring = this.ring, n = ring.length;
    const start = prev ? ring.indexOf(prev) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = ring[(start + i) % n]!;
      if (runnable(p) && this.cmp(p, best) === 0) return p;
    }
    return best;
  }

  preemptsOnWake(woken: Process, current: Process): boolean {
    this.boost();
    return this.cmp(woken, current) < 0;
  }

  /** Rule 3: down one level; then give up the CPU if another ready process ranks at least as well. */
  preemptAtSliceEnd(current: Process): boolean {
    this.level.set(current, Math.min(this.lvl(current) + 1, LEVELS - 1));
    this.boost();
    for (const q of this.ring) if (q !== current && q.state === "ready" && this.cmp(q, current) <= 0) return true;
    return false;
  }

  /** Hand off unless another ready process ranks strictly better. */
  mayHandOff(to: Process): boolean {
    for (const q of this.ring) if (q !== to && q.state === "ready" && this.cmp(q, to) < 0) return false;
    return true;
  }

  sliceMs(p: Process): number {
    return SLICE_MS[this.lvl(p)]!;
  }

  /** As priority-rr: a child inherits its parent's nice value; a server's children start at 0. */
  initialNice(parent: Process | null): number {
    return parent && !parent.priv ? parent.nice : 0;
  }
}
// LAB sched: HANDOUT
// /**
//  * TODO(lab sched): see LAB.md. This placeholder is first-come first-served without preemption: the
//  * first runnable process in creation order runs until it blocks or ends — not a multi-level
//  * feedback queue. Replace it (keep the class name and the constructor's `now`).
//  */
// export class Mlfq implements SchedPolicy {
//   readonly name = "mlfq";
//   private readonly ring: Process[] = [];
//
//   /** `now` reads the virtual clock in ms (the kernel's `machine.nowMs()`). */
//   constructor(private readonly now: () => number) {}
//
//   add(p: Process): void {
//     this.ring.push(p);
//   }
//
//   remove(p: Process): void {
//     const i = this.ring.indexOf(p);
//     if (i >= 0) this.ring.splice(i, 1);
//   }
//
//   pick(_prev: Process | null): Process | null {
//     return this.ring.find(runnable) ?? null;
//   }
//
//   preemptsOnWake(_woken: Process, _current: Process): boolean {
//     return false;
//   }
//
//   preemptAtSliceEnd(_current: Process): boolean {
//     return false;
//   }
//
//   mayHandOff(_to: Process): boolean {
//     return true;
//   }
//
//   sliceMs(_p: Process): number {
//     return SLICE_MS[0];
//   }
//
//   initialNice(parent: Process | null): number {
//     return parent && !parent.priv ? parent.nice : 0;
//   }
// }
// LAB sched: END
