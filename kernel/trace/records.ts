// The trace recorder's binary records: what the recorder writes on the hot path and the formatter
// reads after the run (kernel/trace/recorder.ts, kernel/trace/format.ts). This file is their one
// contract: the kinds, the words each carries, the code tables, and the chunk they are kept in.

export const enum K {
  syscall = 1,
  exception,
  irq,
  ret,
  retSyscall,
  object, // a rare event: side slot = [kind, fields], serialised by finish()
  ipc,
  service,
  switch_,
  pagefault,
  exit,
  spawn,
  time, // not an event: the instant of the events after it
  pad, // not an event: one word, so that the time record's f64 words are aligned
  tick, // not an event: the instant moved on by the instructions in its header, nothing else changed
  retFast, // a return from the syscall entry recorded last, to its eip, by its pid
  syscallAt, // a syscall entry carrying its instant as the counter's low word (the kernel's fast path)
}

/** Time record flag (its b byte): the record carries the clock's time terms, so ticks may follow. */
export const TIME_TERMS = 1;
/** A tick's instruction delta must be below this (it shares the header word with the kind). */
export const TICK_LIMIT = 1 << 24;

/** The ops of `ipc` events, by the code their records carry (`ipc(pid, op, …)`). */
export const IPC_OPS = ["send", "receive", "reply", "notify"] as const;
export const SERVICE_OPS = ["request", "reply"];
/** Switch reasons by code (codes are assigned in first-use order past these; see `code`). */
export const SWITCH_REASONS = ["start", "preempt", "yield", "block", "exit", "wake", "priority"];
export const PAGEFAULT_OUTCOMES = ["mapped", "killed", "out-of-memory", "copied", "reclaimed"];

// Records are runs of 32-bit words, as long as their kind needs. The first word of each is
//   kind | b << 8 | (pid + 1) << 16      (b: the ring, or an op, reason, outcome or null-bits code)
// then, by kind:
//   time       the counter's low word (with TIME_TERMS; else unused), icount (f64), vt µs (f64),
//              and with TIME_TERMS in b the clock's ipms, idle ms and charged ms (f64 each) — written
//              only when the instant differs from the last one recorded: every event of one kernel
//              entry shares it. Its f64s are aligned: a one-word pad record goes first when it
//              would start at an odd word
//   tick       nothing: the header's upper 24 bits are the instructions since the last instant, whose
//              virtual time formatting computes from the last time terms (virtualUs). Written instead
//              of a time record when the clock has a counter view and its time base has not moved
//   syscall    eip, nr, a0..a4            exception  eip, vector, error, cr2      irq  eip, line
//   syscallAt  low, eip, nr, a0..a4: a syscall whose instant is the counter's low word `low`, at most
//              2^32 − 1 instructions past the last instant (a tick's delta, however large, as a word)
//   ret        eip                        retSyscall eip, ret          retFast ret (pid, eip: the last syscall's)
//   ipc        (src+1) | (dst+1) << 16, bytes            service   service, type, bytes
//   switch     (from+1) | (to+1) << 16 (reason in b)     pagefault addr, eip, error (outcome in b)
//   exit       status, vector, signal (null bits in b)   spawn     parent+1       object (nothing)

/** A run of records: the recorder fills one, keeps it (in memory or spilled), and the formatter reads it. */
export interface Chunk {
  bytes: ArrayBuffer | undefined; // undefined once spilled
  /** Words used, and events among them. */
  words: number;
  count: number;
  side: unknown[]; // sparse side slots by event index in the chunk (insn, report, argv, [kind, fields])
}
