// A trace clock that runs by instruction counts as the machine's does, for recordings made without
// a machine (the trace bench, tests): a 32-bit counter view that wraps, idle and charged time, and
// listeners told at every slice boundary and every change of idle or charged time (TraceClock).
import type { TraceClock } from "../../kernel/trace/recorder.ts";
import { virtualUs, type TimeTerms } from "../../emulator/virtual-time.ts";

/** At most this many instructions run between two slice boundaries (the machine's are far shorter). */
const MAX_SLICE = 2 ** 30;

export class InstructionClock implements TraceClock {
  /** The low 32 bits of the instruction count. */
  readonly counter = new Uint32Array(1);
  /** The whole instruction count. */
  full = 0;
  /** How many times the whole instant was asked for (icount()). */
  asked = 0;
  private idleMs = 0;
  private chargedMs = 0;
  private readonly listeners: (() => void)[] = [];

  constructor(start = 0, private readonly ipms = 100_000) {
    this.advance(start);
  }

  /** Runs `n` instructions, with a slice boundary after every MAX_SLICE of them but not after the last. */
  advance(n: number): void {
    while (n > 0) {
      const piece = Math.min(n, MAX_SLICE);
      this.full += piece;
      this.counter[0] = this.full % 2 ** 32;
      n -= piece;
      if (n > 0) this.slice();
    }
  }

  /** A slice boundary, as the machine's main loop makes one. */
  slice(): void {
    this.tell();
  }

  /** Virtual time skipped while halted. */
  idle(ms: number): void {
    this.idleMs += ms;
    this.tell();
  }

  /** Virtual time charged by a cost model. */
  charge(ms: number): void {
    this.chargedMs += ms;
    this.tell();
  }

  icount(): number {
    this.asked++;
    return this.full;
  }

  usAt(icount: number): number {
    return virtualUs(icount, this.ipms, this.idleMs, this.chargedMs);
  }

  timeTerms(into: TimeTerms): void {
    into.ipms = this.ipms;
    into.idleMs = this.idleMs;
    into.chargedMs = this.chargedMs;
  }

  onTimeBaseChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private tell(): void {
    for (const f of this.listeners) f();
  }
}
