// The scheduling seam: the one interface the dispatcher asks every scheduling question through.
// Mechanism (blocking, waking, switching, the timer) stays in kernel/dispatcher.ts; a policy only
// chooses. A policy is one file (see priority-rr.ts); docs/kernel.md shows how to write another.
import type { Process } from "../process.ts";

export interface SchedPolicy {
  /** A short name for traces and docs. */
  readonly name: string;
  /** `p` became schedulable (it was just created). */
  add(p: Process): void;
  /** `p` ended: forget it. */
  remove(p: Process): void;
  /** The runnable process (state ready or running) to run after `prev`, or null when none is. */
  pick(prev: Process | null): Process | null;
  /** `woken` just became ready while `current` runs: should `current` give up the CPU now? */
  preemptsOnWake(woken: Process, current: Process): boolean;
  /** `current` used up its slice: should it give up the CPU (false: it gets a fresh slice)? */
  preemptAtSliceEnd(current: Process): boolean;
  /** A rendezvous made `to` ready: may it take the rest of the current slice at once (no pick)? */
  mayHandOff(to: Process): boolean;
  /** The length of `p`'s next time slice, in virtual ms. */
  sliceMs(p: Process): number;
  /** The nice value a new process starts with (`parent` null for boot processes). */
  initialNice(parent: Process | null): number;
}
