// Virtual time: the one formula that turns a count of guest instructions into the microseconds a
// trace shows. The machine uses it for every instant it reports (Machine.usAt), and trace formatting
// uses it for the instants the recorder kept as instruction counts only, so the two agree to the bit.

/** What virtual time is made of besides the instruction count (see Machine). */
export interface TimeTerms {
  /** Guest instructions per virtual millisecond. */
  ipms: number;
  /** Virtual ms skipped while the guest was halted. */
  idleMs: number;
  /** Virtual ms charged by the kernel's cost model. */
  chargedMs: number;
}

/** Virtual time in µs, rounded to ns, after `icount` instructions with the given terms. */
export function virtualUs(icount: number, ipms: number, idleMs: number, chargedMs: number): number {
  return Math.round((icount / ipms + idleMs + chargedMs) * 1e6) / 1e3;
}
