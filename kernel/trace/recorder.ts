// The trace recorder. Every event is written as a short binary record of 32-bit words with small
// codes into a preallocated chunk on the hot path: no allocation, no strings, no JSON (kernel entries
// and exits, switch, ipc, service, pagefault, exit, spawn; the rare load/halt keep a reference to
// their fields object in a side slot and are serialised later). The recorder reads each event's
// instant from its clock (the machine) and writes it only when it moved: every event of one kernel
// entry shares one. Full chunks are kept in memory up to a limit and
// then spilled as raw bytes to a temporary file (their buffers return to a pool), so long runs use
// bounded memory. `finish()` formats everything, in order, after the run: straight into one reused
// byte buffer (pre-encoded keys, digits written by hand), streamed to the sink a buffer at a time.
// Schema: docs/trace.md. Version 2 (the default) leaves out what a reader derives (the process name
// except where it is given, syscall/exception/IRQ names, the constant ring of each transition);
// version 1 writes every key. Either way the output is byte-for-byte what JSON.stringify would give.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { IRQ_NAMES, VECTOR_NAMES } from "../names.ts";
import { virtualUs, type TimeTerms } from "../../emulator/virtual-time.ts";

/** The schema version written by default. */
export const TRACE_VERSION = 2;
/** The schema versions the recorder can write. */
export type TraceVersion = 1 | 2;

const enum K {
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
const TIME_TERMS = 1;
/** A tick's instruction delta must be below this (it shares the header word with the kind). */
const TICK_LIMIT = 1 << 24;

/** The ops of `ipc` events, by the code their records carry (`ipc(pid, op, …)`). */
export const IPC_OPS = ["send", "receive", "reply", "notify"] as const;
const SERVICE_OPS = ["request", "reply"];
/** Switch reasons by code (codes are assigned in first-use order past these; see `code`). */
const SWITCH_REASONS = ["start", "preempt", "yield", "block", "exit", "wake", "priority"];
const PAGEFAULT_OUTCOMES = ["mapped", "killed", "out-of-memory", "copied", "reclaimed"];

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
const MAX_RECORD = 13 + 8; // a padded time record with its terms, and the longest event slot() writes (a syscallAt, 9 words, comes alone)
const CHUNK_WORDS = 48 * 1024;
const CHUNK_BYTES = CHUNK_WORDS * 4;
const MEMORY_LIMIT = 64 * 1024 * 1024; // chunks kept in memory before spilling to disk
/** Formatted output is handed to the sink in pieces of about this many bytes. */
const OUT_BYTES = 1 << 20;
const OUT_SLACK = 64 * 1024; // room past OUT_BYTES: any line of numbers and names fits

/** Where the recorder reads the instant of each event: the kernel attaches its machine. */
export interface TraceClock {
  /** Guest instructions retired so far. */
  icount(): number;
  /** Virtual time in µs at instruction count `icount` (as just read). */
  usAt(icount: number): number;
  /**
   * Optional, all three or none (the machine has them): the low 32 bits of icount() as a live view,
   * read at every kernel entry (a clock that replaces the view announces it as a time-base change:
   * until then the recorder keeps the view it found); the terms usAt follows (usAt(ic) ===
   * virtualUs(ic, …terms)); and a way to hear when those terms stop holding, called besides at
   * least once in every 2^32 instructions (the machine: at every slice of its main loop). With them the recorder keeps the
   * instants between two such calls as one-word instruction deltas, and leaves virtual time to
   * formatting.
   */
  readonly counter?: Uint32Array;
  /** Writes the time terms into `into` (no allocation: a time record is written at every slice). */
  timeTerms?(into: TimeTerms): void;
  onTimeBaseChange?(fn: () => void): void;
}

/** A clock set by hand (tests, synthetic traces): each event is recorded at the instant last set. */
export class ManualClock implements TraceClock {
  private ic = 0;
  private vt = 0;
  /** The instant of the events recorded next. */
  at(icount: number, vt: number): void {
    this.ic = icount;
    this.vt = vt;
  }
  icount(): number {
    return this.ic;
  }
  usAt(): number {
    return this.vt;
  }
}

const NO_CLOCK: TraceClock = {
  icount: () => {
    throw new Error("trace recorder: no clock attached (TraceRecorder.attachClock)");
  },
  usAt: () => 0,
};

export interface TraceHeader {
  ipms: number;
  mode: "monolithic" | "microkernel";
  tool: string;
}

/** Optional ways to receive the formatted output. */
export interface TraceSinkOptions {
  /**
   * Receives the JSONL as UTF-8 bytes instead of `sink` receiving text (cheaper: no decode and
   * re-encode). The view is reused: consume it before returning (e.g. `writeSync(fd, bytes)`).
   */
  bytes?: (bytes: Uint8Array) => void;
  /** Calls `onBreak(seq, pid)` as the event with this seq is recorded (`--break-at`). */
  breakAt?: number;
  onBreak?: (seq: number, pid: number) => void;
  /** The schema version to write (default TRACE_VERSION; 1 for the older, longer form). */
  version?: TraceVersion;
  /** Where event instants are read (else the kernel attaches its machine: attachClock). */
  clock?: TraceClock;
}

interface Chunk {
  bytes: ArrayBuffer | undefined; // undefined once spilled
  /** Words used, and events among them. */
  words: number;
  count: number;
  side: unknown[]; // sparse side slots by event index in the chunk (insn, report, argv, [kind, fields])
}

const utf8 = new TextEncoder();
const enc = (s: string): Uint8Array => utf8.encode(s);

/**
 * Records trace events, each at the instant its clock gives; `sink` receives the formatted JSONL
 * text in order when `finish()` runs.
 */
export class TraceRecorder {
  private buf: ArrayBuffer;
  private u32: Uint32Array;
  private i32: Int32Array;
  private f64: Float64Array;
  /** The next free word of the current chunk, and its events so far. */
  private w = 0;
  private count = 0;
  /**
   * The fast paths (`syscall`, `syscallReturned`) write at word `w` only while w <= limit: it is the
   * chunk's bound while the counter's last instant holds and no break is pending, else -1, so one
   * compare sends a new chunk, a moved time base, a clock without a counter and `--break-at` to slot().
   */
  private limit = -1;
  /** The clock's counter view, as slot() last found it (read by the fast path while limit holds). */
  private view: Uint32Array<ArrayBufferLike> = new Uint32Array(1);
  /** The break seq as an index into the current chunk's events (-1 or past it: not in this chunk). */
  private breakCount = -1;
  private side: unknown[] = [];
  private clock: TraceClock;
  /** The instant of the last time record (icount -1: none yet in this chunk). */
  private ic = -1;
  private vt = 0;
  /** The counter's value at the last instant recorded, when ticks may follow it (-1: they may not). */
  private low = -1;
  /** The pid of the last syscall entry recorded (for syscallReturned's break). */
  private sysPid = -1;
  /** Filled by the clock for each whole time record with its terms. */
  private readonly terms: TimeTerms = { ipms: 1, idleMs: 0, chargedMs: 0 };
  private readonly chunks: Chunk[] = [];
  /** Chunk buffers free for reuse (spilled or formatted). */
  private readonly pool: ArrayBuffer[] = [];
  private inMemory = 0;
  private stored = 0; // events in completed chunks
  private spillFd: number | undefined;
  private spillPath: string | undefined;
  private readonly procNames = new Map<number, string>();
  /** Process names in effect from event index `at` on. */
  private readonly nameChanges: { at: number; pid: number; name: string }[] = [];
  private finished = false;
  /** Names of in-kernel services, by the index their `service` records carry. */
  private readonly serviceNames: string[] = [];
  private readonly reasons = SWITCH_REASONS.slice();
  /** The seq at which `onBreak` is called (-1: never). */
  private readonly breakAt: number;
  private readonly onBreak: ((seq: number, pid: number) => void) | undefined;
  private readonly byteSink: ((bytes: Uint8Array) => void) | undefined;
  /** The schema version this recorder writes. */
  readonly version: TraceVersion;

  constructor(
    private readonly sink: (text: string) => void,
    header: TraceHeader,
    private readonly syscallName: (nr: number) => string,
    opts: TraceSinkOptions = {},
  ) {
    this.byteSink = opts.bytes;
    this.breakAt = opts.breakAt ?? -1;
    this.breakCount = this.breakAt;
    this.onBreak = opts.onBreak;
    this.clock = opts.clock ?? NO_CLOCK;
    this.version = opts.version ?? TRACE_VERSION;
    if (this.version !== 1 && this.version !== 2) throw new Error(`trace schema version ${String(this.version)} cannot be written (1 or 2)`);
    this.buf = new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    const text = `{"trace":"ringside","version":${this.version},"ipms":${header.ipms},"mode":${JSON.stringify(header.mode)},"tool":${JSON.stringify(header.tool)}}\n`;
    if (this.byteSink) this.byteSink(enc(text));
    else sink(text);
  }

  /** Reads event instants from `clock` from now on (the kernel attaches its machine). */
  attachClock(clock: TraceClock): void {
    this.clock = clock;
    this.ic = -1; // the next event starts from a whole time record, whatever the last clock kept
    this.low = -1;
    this.limit = -1;
    clock.onTimeBaseChange?.(() => {
      if (this.clock === clock) {
        this.low = -1;
        this.limit = -1;
      }
    });
  }

  /**
   * The next event gets a whole time record (call when recording resumes after a pause: the counter
   * may have gone round since).
   */
  resync(): void {
    this.low = -1;
    this.limit = -1;
  }

  /** Events recorded so far. */
  get events(): number {
    return this.stored + this.count;
  }

  /** Names process `pid` for the events that follow (call before its first event). */
  nameProcess(pid: number, name: string): void {
    this.nameChanges.push({ at: this.events, pid, name });
    this.procNames.set(pid, name);
  }

  syscall(pid: number, cplFrom: number, eip: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number): void {
    const w = this.w;
    if (w > this.limit) {
      const x = this.slot(K.syscall, cplFrom, pid, 8);
      const u = this.u32; // (slot may have started a new chunk)
      u[x + 1] = eip; u[x + 2] = nr; u[x + 3] = a0; u[x + 4] = a1; u[x + 5] = a2; u[x + 6] = a3; u[x + 7] = a4;
    } else {
      // The fast path: the instant as the counter's low word inside the record, nothing compared.
      const low = this.view[0]!;
      const u = this.u32;
      u[w] = K.syscallAt | (cplFrom << 8) | ((pid + 1) << 16);
      u[w + 1] = low; u[w + 2] = eip; u[w + 3] = nr; u[w + 4] = a0; u[w + 5] = a1; u[w + 6] = a2; u[w + 7] = a3; u[w + 8] = a4;
      this.w = w + 9;
      this.count++;
      this.low = low;
    }
    this.sysPid = pid;
  }

  /**
   * The return to ring 3 from the syscall entry recorded last, at the same instant, to the same
   * eip: the kernel's fast path (no event between them may have changed the instant, so not with a
   * cost model charging the entry). Cheaper than `ret`: the clock is not read.
   */
  syscallReturned(ret: number): void {
    const w = this.w;
    if (w > this.limit) {
      // A new chunk (the record follows the instant's time record, the entry's instant still), a
      // pending break, or a clock without a counter.
      const x = this.slot(K.retFast, 3, this.sysPid, 2);
      this.u32[x + 1] = ret;
      return;
    }
    this.w = w + 2;
    this.count++;
    const u = this.u32;
    u[w] = K.retFast | (3 << 8); // to ring 3; the pid is the syscall's
    u[w + 1] = ret; // the same 32 bits as the signed value (read back signed)
  }

  exception(pid: number, cplFrom: number, eip: number, vector: number, errorCode: number, cr2: number, insn: string | undefined): void {
    const w = this.slot(K.exception, cplFrom, pid, 5);
    const u = this.u32;
    u[w + 1] = eip; u[w + 2] = vector; u[w + 3] = errorCode; u[w + 4] = cr2;
    if (insn !== undefined) this.side[this.count - 1] = insn;
  }

  irq(pid: number, cplFrom: number, eip: number, line: number): void {
    const w = this.slot(K.irq, cplFrom, pid, 3);
    this.u32[w + 1] = eip;
    this.u32[w + 2] = line;
  }

  /** A kernel exit to ring `cplTo`; after a syscall pass `ret` (else undefined). */
  ret(pid: number, cplTo: number, eip: number, ret: number | undefined): void {
    if (ret === undefined) {
      const w = this.slot(K.ret, cplTo, pid, 2);
      this.u32[w + 1] = eip;
    } else {
      const w = this.slot(K.retSyscall, cplTo, pid, 3);
      this.u32[w + 1] = eip;
      this.i32[w + 2] = ret;
    }
  }

  /** An IPC operation (op: 0 send, 1 receive, 2 reply, 3 notify); src/dst -1 = the kernel (null). */
  ipc(pid: number, op: number, src: number, dst: number, bytes: number): void {
    const w = this.slot(K.ipc, op, pid, 3);
    this.u32[w + 1] = (src + 1) | ((dst + 1) << 16);
    this.u32[w + 2] = bytes;
  }

  /** Registers an in-kernel service name; returns the index `service` records carry. */
  nameService(name: string): number {
    const i = this.serviceNames.indexOf(name);
    return i >= 0 ? i : this.serviceNames.push(name) - 1;
  }

  /**
   * A request to an in-kernel service (op 0) or its reply (op 1), at the kernel boundary: `pid` is
   * the client, `service` the index from `nameService`, `type` the request's w0 (request) or the
   * reply's w0 (reply), `bytes` the payload bytes copied.
   */
  service(pid: number, op: number, service: number, type: number, bytes: number): void {
    const w = this.slot(K.service, op, pid, 4);
    const u = this.u32;
    u[w + 1] = service; this.i32[w + 2] = type; u[w + 3] = bytes;
  }

  /** The CPU moves from `from` to `to` (-1 = idle/boot, null in the trace); `pid` is `to`. */
  switchTo(pid: number, from: number, to: number, reason: string): void {
    const w = this.slot(K.switch_, code(this.reasons, reason), pid, 2);
    this.u32[w + 1] = (from + 1) | ((to + 1) << 16);
  }

  /** A page fault's outcome (follows its #PF exception event). */
  pageFault(pid: number, addr: number, eip: number, errorCode: number, outcome: string): void {
    const w = this.slot(K.pagefault, code(PAGEFAULT_OUTCOMES, outcome), pid, 4);
    const u = this.u32;
    u[w + 1] = addr; u[w + 2] = eip; u[w + 3] = errorCode;
  }

  /** Process `pid` ended (null: not applicable); `report` is kept by reference, serialised later. */
  exited(pid: number, status: number | null, vector: number | null, signal: number | null, report: string | null): void {
    const w = this.slot(K.exit, (status === null ? 1 : 0) | (vector === null ? 2 : 0) | (signal === null ? 4 : 0), pid, 4);
    const i = this.i32;
    i[w + 1] = status ?? 0; i[w + 2] = vector ?? 0; i[w + 3] = signal ?? 0;
    if (report !== null) this.side[this.count - 1] = report;
  }

  /** Process `pid` was created by `parent` (null: none) with `argv` (kept by reference: do not mutate it). */
  spawned(pid: number, parent: number | null, argv: readonly string[]): void {
    const w = this.slot(K.spawn, 0, pid, 2);
    this.u32[w + 1] = parent === null ? 0 : parent + 1;
    this.side[this.count - 1] = argv;
  }

  /**
   * A kernel action (load, spawn, exit, halt …): `fields` are serialised in insertion order after
   * the common keys, when the trace is formatted, so they must not be mutated afterwards. The
   * frequent shapes (switch, pagefault, exit, spawn) are stored as binary records.
   */
  action(pid: number, kind: string, fields: Record<string, unknown>): void {
    let n = 0;
    for (const _ in fields) n++;
    const f = fields as Record<string, any>;
    if (kind === "switch" && n === 3 && isPidOrNull(f.from) && isPidOrNull(f.to) && typeof f.reason === "string") {
      return this.switchTo(pid, f.from ?? -1, f.to ?? -1, f.reason);
    }
    if (kind === "pagefault" && n === 4 && isU32(f.addr) && isU32(f.eip) && isU32(f.error_code) && PAGEFAULT_OUTCOMES.includes(f.outcome)) {
      return this.pageFault(pid, f.addr, f.eip, f.error_code, f.outcome);
    }
    if (kind === "exit" && n === 4 && isI32OrNull(f.status) && isI32OrNull(f.vector) && isI32OrNull(f.signal) && (f.report === null || typeof f.report === "string")) {
      return this.exited(pid, f.status, f.vector, f.signal, f.report);
    }
    if (kind === "spawn" && n === 2 && isPidOrNull(f.parent) && Array.isArray(f.argv) && f.argv.every((a: unknown) => typeof a === "string")) {
      return this.spawned(pid, f.parent, f.argv);
    }
    this.slot(K.object, 0, pid, 1);
    this.side[this.count - 1] = [kind, fields];
  }

  /** Formats every recorded event, in order, into the sink (call once, after the run). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.procNames.clear();
    this.storeChunk();
    const out = new OutBuffer((b) => (this.byteSink ? this.byteSink(b) : this.sink(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8"))));
    const names = new NameTables(this.version, this.nameChanges, this.syscallName, this.serviceNames, this.reasons);
    const at = { ic: 0, vt: 0, sysPid: -1, sysEip: 0 };
    let pos = 0;
    let seq = 0;
    for (const c of this.chunks) {
      let bytes = c.bytes;
      if (!bytes) {
        bytes = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
        readSync(this.spillFd!, new Uint8Array(bytes), 0, CHUNK_BYTES, pos);
        pos += CHUNK_BYTES;
      }
      seq = formatChunk(out, names, bytes, c, seq, at);
      c.bytes = undefined;
      this.pool.push(bytes);
    }
    out.flush(out.pos);
    this.chunks.length = 0;
    this.pool.length = 0;
    if (this.spillFd !== undefined) {
      closeSync(this.spillFd);
      unlinkSync(this.spillPath!);
      this.spillFd = undefined;
    }
  }

  /** Moves the current buffer to the chunk list (spilling to disk past the memory limit). */
  private storeChunk(): void {
    if (this.w === 0) return;
    this.chunks.push({ bytes: this.buf, words: this.w, count: this.count, side: this.side });
    this.stored += this.count;
    this.inMemory += CHUNK_BYTES;
    if (this.inMemory > MEMORY_LIMIT) this.spillAll();
    this.buf = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.side = [];
    this.count = 0;
    this.w = 0;
    this.breakCount = this.breakAt - this.stored;
    this.ic = -1; // each chunk starts with its own time record
    this.low = -1;
    this.limit = -1;
  }

  private spillAll(): void {
    if (this.spillFd === undefined) {
      this.spillPath = path.join(os.tmpdir(), `ringside-trace-${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
      this.spillFd = openSync(this.spillPath, "w+");
    }
    for (const c of this.chunks) {
      if (!c.bytes) continue;
      writeSync(this.spillFd, new Uint8Array(c.bytes));
      this.pool.push(c.bytes);
      c.bytes = undefined;
    }
    this.inMemory = 0;
  }

  /**
   * Room for an event record of `words` words, after a time record if the clock moved since the
   * last one; writes the record's first word and returns its index.
   */
  private slot(kind: number, b: number, pid: number, words: number): number {
    if (this.w > CHUNK_WORDS - MAX_RECORD) this.storeChunk();
    if (this.count === this.breakCount) this.onBreak?.(this.breakAt, pid);
    const c = this.clock;
    const counter = c.counter;
    let w = this.w;
    if (counter !== undefined) {
      // The cheap path: one load, and a one-word tick when the counter moved within the same time base.
      const low = counter[0]!;
      const last = this.low;
      if (low !== last) {
        const d = (low - last) >>> 0;
        if (last >= 0 && d < TICK_LIMIT) {
          this.u32[w++] = K.tick | (d << 8);
          this.low = low;
        } else w = this.timeRecord(w, c, true);
      }
    } else {
      const ic = c.icount();
      if (ic !== this.ic || c.usAt(ic) !== this.vt) w = this.timeRecord(w, c, false);
    }
    this.w = w + words;
    this.count++;
    this.u32[w] = kind | (b << 8) | ((pid + 1) << 16);
    // The fast paths may write next while the instant holds and no break can fall in this chunk.
    if (this.low >= 0 && (this.breakCount < this.count || this.breakCount >= CHUNK_WORDS)) {
      this.limit = CHUNK_WORDS - MAX_RECORD;
      this.view = counter!; // (low >= 0: the clock has one)
    } else this.limit = -1;
    return w;
  }

  /**
   * Writes a whole time record at word `w` (after a pad word if needed) for the clock's instant now,
   * with the clock's time terms when `terms` (then ticks may follow it); returns the next free word.
   */
  private timeRecord(w: number, c: TraceClock, terms: boolean): number {
    const ic = c.icount();
    const vt = c.usAt(ic);
    this.ic = ic;
    this.vt = vt;
    if (w & 1) this.u32[w++] = K.pad; // f64 words start at an even word
    const f = this.f64;
    const h = (w >> 1) + 1;
    f[h] = ic;
    f[h + 1] = vt;
    if (terms) {
      const t = this.terms;
      c.timeTerms!(t);
      f[h + 2] = t.ipms;
      f[h + 3] = t.idleMs;
      f[h + 4] = t.chargedMs;
      this.u32[w] = K.time | (TIME_TERMS << 8);
      this.low = c.counter![0]!;
      this.u32[w + 1] = this.low; // where syscallAt records and ticks count from
      return w + 12;
    }
    this.u32[w] = K.time;
    return w + 6;
  }
}

/** The index of `s` in `table`, appending it if new (tables are short: a linear scan of interned strings). */
function code(table: string[], s: string): number {
  for (let i = 0; i < table.length; i++) if (table[i] === s) return i;
  return table.push(s) - 1;
}

const isU32 = (x: unknown): x is number => typeof x === "number" && x >>> 0 === x;
const isI32OrNull = (x: unknown): x is number | null => x === null || (typeof x === "number" && (x | 0) === x && !Object.is(x, -0));
const isPidOrNull = (x: unknown): x is number | null => x === null || (isU32(x) && x < 0xffff);

// ---- formatting ------------------------------------------------------------------------------------
//
// One line per event, written byte by byte into one reused buffer: every constant run of a line (the
// kind, the process, the keys between two numbers) is a pre-encoded fragment, cached per process and
// per shape, so a typical line is a handful of fragment copies and numbers written as digits. The
// position lives in a local variable; helpers take it and return the new one (nothing allocated
// per event, no property writes per field).

/** "00".."99" as ASCII pairs: two digits per division. */
const DIGIT_PAIRS = (() => {
  const d = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    d[2 * i] = 48 + ((i / 10) | 0);
    d[2 * i + 1] = 48 + (i % 10);
  }
  return d;
})();

/**
 * Copies `b` into `buf` at `p`; returns the position after it. Past the end of `buf` nothing is
 * written but the position still advances: the formatter sees the overflow and redoes the line.
 */
function put(buf: Uint8Array, p: number, b: Uint8Array): number {
  const n = b.length;
  if (n > 10) {
    // TypedArray.set costs a fixed ~30 ns; a byte loop ~3 ns a byte (measured): set wins past ~10.
    if (p + n <= buf.length) buf.set(b, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
  return p + n;
}

/** 0 ≤ v < 2^32 in decimal at `p`; returns the position after it. */
function putU32(buf: Uint8Array, p: number, v: number): number {
  if (v < 10) {
    buf[p] = 48 + v;
    return p + 1;
  }
  if (v < 0x80000000) return putI31(buf, p, v | 0);
  let q = p + 10; // 2^31 ≤ v < 2^32: ten digits
  while (v >= 100) {
    const d = (v / 100) >>> 0;
    const r = (v - d * 100) << 1;
    buf[--q] = DIGIT_PAIRS[r + 1]!;
    buf[--q] = DIGIT_PAIRS[r]!;
    v = d;
  }
  buf[--q] = DIGIT_PAIRS[(v << 1) + 1]!;
  buf[--q] = DIGIT_PAIRS[v << 1]!;
  return p + 10;
}

/** 10 ≤ v < 2^31, in int32 arithmetic (divisions by constants become multiplications). */
function putI31(buf: Uint8Array, p: number, v: number): number {
  const n = v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  let q = p + n;
  while (v >= 100) {
    const d = (v / 100) | 0;
    const r = (v - d * 100) << 1;
    buf[--q] = DIGIT_PAIRS[r + 1]!;
    buf[--q] = DIGIT_PAIRS[r]!;
    v = d;
  }
  if (v >= 10) {
    buf[--q] = DIGIT_PAIRS[(v << 1) + 1]!;
    buf[--q] = DIGIT_PAIRS[v << 1]!;
  } else buf[--q] = 48 + v;
  return p + n;
}

/** `{"seq":` (the start of every line, written as constants). */
function putSeqKey(buf: Uint8Array, p: number): number {
  buf[p] = 123; buf[p + 1] = 34; buf[p + 2] = 115; buf[p + 3] = 101; buf[p + 4] = 113; buf[p + 5] = 34; buf[p + 6] = 58;
  return p + 7;
}

/** `,"icount":` */
function putIcountKey(buf: Uint8Array, p: number): number {
  buf[p] = 44; buf[p + 1] = 34; buf[p + 2] = 105; buf[p + 3] = 99; buf[p + 4] = 111; buf[p + 5] = 117; buf[p + 6] = 110; buf[p + 7] = 116; buf[p + 8] = 34; buf[p + 9] = 58;
  return p + 10;
}

/** `,"vt":` */
function putVtKey(buf: Uint8Array, p: number): number {
  buf[p] = 44; buf[p + 1] = 34; buf[p + 2] = 118; buf[p + 3] = 116; buf[p + 4] = 34; buf[p + 5] = 58;
  return p + 6;
}

/** A pid stored as pid + 1 (0: none), as JSON: the number or null. */
function putPid(buf: Uint8Array, p: number, code: number): number {
  if (code !== 0) return putU32(buf, p, code - 1);
  buf[p] = 110; buf[p + 1] = 117; buf[p + 2] = 108; buf[p + 3] = 108; // null
  return p + 4;
}

/** `,"dst":` */
function putDstKey(buf: Uint8Array, p: number): number {
  buf[p] = 44; buf[p + 1] = 34; buf[p + 2] = 100; buf[p + 3] = 115; buf[p + 4] = 116; buf[p + 5] = 34; buf[p + 6] = 58;
  return p + 7;
}

/** `,"bytes":` */
function putBytesKey(buf: Uint8Array, p: number): number {
  buf[p] = 44; buf[p + 1] = 34; buf[p + 2] = 98; buf[p + 3] = 121; buf[p + 4] = 116; buf[p + 5] = 101; buf[p + 6] = 115; buf[p + 7] = 34; buf[p + 8] = 58;
  return p + 9;
}

/** `,"ret":` */
function putRetKey(buf: Uint8Array, p: number): number {
  buf[p] = 44; buf[p + 1] = 34; buf[p + 2] = 114; buf[p + 3] = 101; buf[p + 4] = 116; buf[p + 5] = 34; buf[p + 6] = 58;
  return p + 7;
}

/** `}\n`, the end of a line. */
function putEnd(buf: Uint8Array, p: number): number {
  buf[p] = 125; buf[p + 1] = 10;
  return p + 2;
}

/** 0 ≤ v < 1e9 as exactly nine digits. */
function put9(buf: Uint8Array, p: number, v: number): number {
  let q = p + 9;
  for (let i = 0; i < 4; i++) {
    const d = (v / 100) >>> 0;
    const r = (v - d * 100) << 1;
    buf[--q] = DIGIT_PAIRS[r + 1]!;
    buf[--q] = DIGIT_PAIRS[r]!;
    v = d;
  }
  buf[--q] = 48 + v;
  return p + 9;
}

/** An integer 0 ≤ v < 2^53. */
function putUint(buf: Uint8Array, p: number, v: number): number {
  if (v < 4294967296) return putU32(buf, p, v);
  const hi = Math.floor(v / 1e9);
  return put9(buf, putU32(buf, p, hi), v - hi * 1e9);
}

/** A signed 32-bit integer. */
function putI32(buf: Uint8Array, p: number, v: number): number {
  if (v >= 0) return putU32(buf, p, v);
  buf[p] = 45; // -
  return putU32(buf, p + 1, -v);
}

/** A number exactly as JSON.stringify writes it: integers and µs with up to 3 decimals directly, anything else via String. */
function putNum(buf: Uint8Array, p: number, x: number): number {
  if ((x | 0) === x && x >= 0) return putU32(buf, p, x); // the usual icount: int32 arithmetic only
  if (x >= 0 && x < 9007199254740992 && Math.floor(x) === x) return putUint(buf, p, x);
  const n = Math.round(x * 1000);
  if (n >= 1000 && n < 2147483648 && n / 1000 === x) {
    // The usual vt: n's digits, then the last three moved right for the point, trailing zeros
    // dropped (x is not an integer, so the three are not all zero).
    const e = putI31(buf, p, n);
    const f1 = buf[e - 3]!, f2 = buf[e - 2]!, f3 = buf[e - 1]!;
    buf[e - 3] = 46; // .
    buf[e - 2] = f1;
    if (f3 !== 48) {
      buf[e - 1] = f2;
      buf[e] = f3;
      return e + 1;
    }
    if (f2 !== 48) {
      buf[e - 1] = f2;
      return e;
    }
    return e - 1;
  }
  if (n / 1000 === x && n >= 0 && n < 1e15) {
    const int = n < 2147483648 ? ((n / 1000) | 0) : Math.floor(n / 1000);
    p = int < 2147483648 ? putU32(buf, p, int) : putUint(buf, p, int);
    const frac = (n - int * 1000) | 0; // 1–999: the decimals, written without trailing zeros
    const d0 = (frac / 100) | 0;
    const r = frac - d0 * 100;
    const d1 = (r / 10) | 0;
    const d2 = r - d1 * 10;
    buf[p] = 46; // .
    buf[p + 1] = 48 + d0;
    if (d2 !== 0) {
      buf[p + 2] = 48 + d1;
      buf[p + 3] = 48 + d2;
      return p + 4;
    }
    if (d1 !== 0) {
      buf[p + 2] = 48 + d1;
      return p + 3;
    }
    return p + 2;
  }
  const s = String(x); // at most 25 ASCII characters
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

// Per-process line heads: the constant run from `,"kind":…` through the process up to the first
// number after it. Indexes into a process's row:
const H_SYSCALL = 0; // + cpl_from (0–3): ,"kind":"syscall","pid":…,"proc":…,"cpl_from":c,"cpl_to":0,"eip":
const H_EXCEPTION = 4; // + cpl_from
const H_IRQ = 8; // + cpl_from
const H_RETURN = 12; // + cpl_to: ,"kind":"return","pid":…,"proc":…,"cpl_from":0,"cpl_to":c,"eip":
const H_IPC = 16; // + op: ,"kind":"ipc",…,"op":"send","src":
const H_SERVICE = 20; // + op: ,"kind":"service",…,"op":"request","service":
const H_SWITCH = 22; // ,"kind":"switch",…,"from":
const H_PAGEFAULT = 23; // ,"kind":"pagefault",…,"addr":
const H_EXIT = 24; // ,"kind":"exit",…,"status":
const H_SPAWN = 25; // ,"kind":"spawn",…,"parent":
const H_IPC_DST = 26; // + op (version 2, src left out): ,"kind":"ipc",…,"op":"send","dst":
const HEADS = 30;

/** The ring keys of an entry (from ring `cpl`) or an exit (to ring `cpl`) up to `"eip":`; version 2 leaves out the constant one. */
function ringKeys(v2: boolean, entry: boolean, cpl: number): string {
  if (v2) return entry ? `,"cpl_from":${cpl},"eip":` : `,"cpl_to":${cpl},"eip":`;
  return entry ? `,"cpl_from":${cpl},"cpl_to":0,"eip":` : `,"cpl_from":0,"cpl_to":${cpl},"eip":`;
}

/** The JSON text of each head (after the process fragment), by index. */
function headTail(v2: boolean, i: number): [kind: string, tail: string] {
  if (i < H_RETURN) return [["syscall", "exception", "irq"][i >> 2]!, ringKeys(v2, true, i & 3)];
  if (i < H_IPC) return ["return", ringKeys(v2, false, i & 3)];
  if (i < H_SERVICE) return ["ipc", `,"op":"${IPC_OPS[i - H_IPC]}","src":`];
  if (i >= H_IPC_DST) return ["ipc", `,"op":"${IPC_OPS[i - H_IPC_DST]}","dst":`];
  if (i < H_SWITCH) return ["service", `,"op":"${SERVICE_OPS[i - H_SERVICE]}","service":`];
  return [["switch", "pagefault", "exit", "spawn"][i - H_SWITCH]!, [`,"from":`, `,"addr":`, `,"status":`, `,"parent":`][i - H_SWITCH]!];
}

/**
 * Pre-encoded, cached JSON fragments for names (processes, syscalls, vectors, IRQs, services, reasons).
 * Version 1 names the process on every line; version 2 only on the first line about a process after
 * it got a name different from the one last written for it (`named` marks that line's process).
 */
class NameTables {
  private readonly procNames = new Map<number, string>();
  /** Version 2: names in effect but not yet written, by pid. */
  private readonly unwritten = new Map<number, string>();
  /** Version 2: unwritten.size, as a plain field (read on every line). */
  unwrittenCount = 0;
  /** Version 2: the name last written for each pid. */
  private readonly written = new Map<number, string>();
  /** Line heads by pid + 1 (0: no process), each row HEADS long, filled on first use. */
  private readonly heads: (Uint8Array | undefined)[][] = [];
  private readonly nrs: Uint8Array[] = [];
  private readonly bigNrs = new Map<number, Uint8Array>();
  private readonly vectors: Uint8Array[] = [];
  private readonly irqs: Uint8Array[] = [];
  private readonly strs = new Map<string, Uint8Array>();
  private readonly reasonEnds: Uint8Array[] = [];
  /** Version 2: derived keys are left out. */
  readonly v2: boolean;
  private next = 0;
  /** The seq at which the next process name takes effect (Infinity: none left). */
  nextAt: number;

  constructor(
    version: TraceVersion,
    private readonly changes: readonly { at: number; pid: number; name: string }[],
    private readonly syscallName: (nr: number) => string,
    private readonly serviceNames: readonly string[],
    private readonly reasons: readonly string[],
  ) {
    this.v2 = version === 2;
    this.nextAt = changes.length ? changes[0]!.at : Infinity;
  }

  private frag(text: string): Uint8Array {
    return enc(text);
  }

  /** Applies the process names in effect from event `seq` on. */
  advance(seq: number): void {
    const ch = this.changes;
    while (this.next < ch.length && ch[this.next]!.at <= seq) {
      const n = ch[this.next++]!;
      this.procNames.set(n.pid, n.name);
      if (!this.v2) this.heads[n.pid + 1] = undefined!;
      else if (this.written.get(n.pid) === n.name) this.unwritten.delete(n.pid);
      else this.unwritten.set(n.pid, n.name);
      this.unwrittenCount = this.unwritten.size;
    }
    this.nextAt = this.next < ch.length ? ch[this.next]!.at : Infinity;
  }

  /** Version 2: true while `pid`'s line must carry its name (a cheap test: usually nothing is unwritten). */
  private named(pid: number): boolean {
    return this.unwrittenCount !== 0 && this.unwritten.has(pid);
  }

  /** Version 2: the line about `pid` that carried its name is complete (call after every line while `unwrittenCount` is not 0). */
  settle(pid: number): void {
    const name = this.unwritten.get(pid);
    if (name === undefined) return;
    this.unwritten.delete(pid);
    this.unwrittenCount = this.unwritten.size;
    this.written.set(pid, name);
  }

  /** Head `i` (H_…) of a line about `pid` (-1: none). */
  head(pid: number, i: number): Uint8Array {
    if (this.named(pid)) return this.buildHead(pid, i);
    const row = this.heads[pid + 1] ?? (this.heads[pid + 1] = new Array<Uint8Array | undefined>(HEADS).fill(undefined));
    return row[i] ?? (row[i] = this.buildHead(pid, i));
  }

  /** The head of an entry or exit line whose ring is not 0–3 (never from a real CPU): built each time. */
  oddHead(pid: number, kind: string, cpl: number, entry: boolean): Uint8Array {
    return this.frag(`,"kind":"${kind}"${this.pidText(pid)}${ringKeys(this.v2, entry, cpl)}`);
  }

  private pidText(pid: number): string {
    if (pid < 0) return this.v2 ? `,"pid":null` : `,"pid":null,"proc":null`;
    if (this.v2) return this.named(pid) ? `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid)!)}` : `,"pid":${pid}`;
    return `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`;
  }

  private buildHead(pid: number, i: number): Uint8Array {
    const [kind, tail] = headTail(this.v2, i);
    return this.frag(`,"kind":"${kind}"${this.pidText(pid)}${tail}`);
  }

  /** `,"nr":…,"name":…,"args":[` for syscall `nr` (version 2: no name). */
  nr(nr: number): Uint8Array {
    if (nr < 1024) return this.nrs[nr] ?? (this.nrs[nr] = this.nrText(nr));
    let b = this.bigNrs.get(nr);
    if (b === undefined) this.bigNrs.set(nr, (b = this.nrText(nr)));
    return b;
  }

  private nrText(nr: number): Uint8Array {
    return this.frag(this.v2 ? `,"nr":${nr},"args":[` : `,"nr":${nr},"name":${JSON.stringify(this.syscallName(nr))},"args":[`);
  }

  /** `,"vector":…,"name":…,"error_code":` (vectors are 0–255; version 2: no name). */
  vector(v: number): Uint8Array {
    return this.vectors[v] ?? (this.vectors[v] = this.frag(`,"vector":${v}${this.v2 ? "" : `,"name":${JSON.stringify(VECTOR_NAMES[v] ?? `#${v}`)}`},"error_code":`));
  }

  /** `,"irq":…,"name":…}\n` (lines are 0–255; version 2: no name). */
  irq(line: number): Uint8Array {
    return this.irqs[line] ?? (this.irqs[line] = this.frag(`,"irq":${line}${this.v2 ? "" : `,"name":${JSON.stringify(IRQ_NAMES[line] ?? `irq${line}`)}`}}\n`));
  }

  /** A JSON string literal, encoded (cached: for the small sets of names). */
  str(s: string): Uint8Array {
    let b = this.strs.get(s);
    if (b === undefined) this.strs.set(s, (b = this.frag(JSON.stringify(s))));
    return b;
  }

  service(i: number): Uint8Array {
    return this.str(this.serviceNames[i] ?? "?");
  }

  /** `,"reason":…}\n` for switch reason code `i`. */
  reasonEnd(i: number): Uint8Array {
    return this.reasonEnds[i] ?? (this.reasonEnds[i] = this.frag(`,"reason":${JSON.stringify(this.reasons[i]!)}}\n`));
  }

  /** `,"pid":…,"proc":…` as text (for rare events). */
  pidJson(pid: number): string {
    return this.pidText(pid);
  }
}

/**
 * The output buffer: whole lines are handed to `emit` once OUT_BYTES are pending, so every line
 * starts with OUT_SLACK bytes free; a longer line (a huge name or argv) grows the buffer and is
 * written again. The formatter keeps the position in a local while it works.
 */
class OutBuffer {
  buf: Uint8Array = new Uint8Array(OUT_BYTES + OUT_SLACK);
  pos = 0;
  constructor(private readonly emit: (b: Uint8Array) => void) {}

  /** Hands over [0, p) (whole lines); the next line starts at 0. */
  flush(p: number): number {
    if (p > 0) this.emit(this.buf.subarray(0, p));
    this.pos = 0;
    return 0;
  }

  /** Makes the buffer hold at least `p + n` bytes, keeping [0, p). */
  grow(p: number, n: number): Uint8Array {
    const bigger = new Uint8Array(p + n + OUT_SLACK);
    bigger.set(this.buf.subarray(0, p));
    return (this.buf = bigger);
  }
}

// Pre-encoded fixed fragments.
const B = {

  type: enc(`,"type":`),
  result: enc(`,"result":`),
  to: enc(`,"to":`),
  eip: enc(`,"eip":`),
  errorCode: enc(`,"error_code":`),
  cr2: enc(`,"cr2":`),
  insn: enc(`,"insn":`),
  outcome: PAGEFAULT_OUTCOMES.map((o) => enc(`,"outcome":"${o}"}\n`)),
  vector: enc(`,"vector":`),
  signal: enc(`,"signal":`),
  report: enc(`,"report":`),
  argv: enc(`,"argv":`),
  null: enc("null"),
};

/** What formatting carries from one chunk to the next. */
interface FormatState {
  /** The instant of the last time record (each chunk starts with one, so it is only read back). */
  ic: number;
  vt: number;
  /** The pid and eip of the last syscall entry (a retFast record returns from it, maybe in a later chunk). */
  sysPid: number;
  sysEip: number;
}

/**
 * Formats one chunk's records; returns the next sequence number. `at` carries what the chunk's
 * records may refer to in earlier chunks, and is updated for the next.
 */
function formatChunk(out: OutBuffer, names: NameTables, bytes: ArrayBuffer, c: Chunk, seq: number, at: FormatState): number {
  const u = new Uint32Array(bytes);
  const i32 = new Int32Array(bytes);
  const f = new Float64Array(bytes);
  const side = c.side;
  let buf: Uint8Array = out.buf;
  let p = out.pos;
  let ic = at.ic, vt = at.vt;
  let ipms = 1, idleMs = 0, chargedMs = 0; // the time terms ticks follow (a chunk's first instant sets them)
  let low = 0; // the counter's low word at instant ic (when the terms are set)
  let sysPid = at.sysPid, sysEip = at.sysEip; // the last syscall entry's (for retFast)
  let tS = -1, tE = -1; // where this instant's time keys were written in the buffer (-1: not yet)
  let i = 0; // the event's index in the chunk (its side slot)
  for (let w = 0; w < c.words; ) {
    const head = u[w]!;
    const kind = head & 0xff;
    if (kind === K.time) {
      const h = (w >> 1) + 1;
      ic = f[h]!;
      vt = f[h + 1]!;
      tS = -1;
      if (((head >>> 8) & TIME_TERMS) !== 0) {
        ipms = f[h + 2]!;
        idleMs = f[h + 3]!;
        chargedMs = f[h + 4]!;
        low = u[w + 1]!;
        w += 12;
      } else w += 6;
      continue;
    }
    if (kind === K.tick) {
      ic += head >>> 8;
      low = (low + (head >>> 8)) >>> 0;
      vt = virtualUs(ic, ipms, idleMs, chargedMs);
      tS = -1;
      w++;
      continue;
    }
    if (kind === K.pad) {
      w++;
      continue;
    }
    if (kind === K.syscallAt) {
      const d = (u[w + 1]! - low) >>> 0;
      if (d !== 0) {
        // (Once per record: a retried line finds the instant already moved.)
        ic += d;
        vt = virtualUs(ic, ipms, idleMs, chargedMs);
        tS = -1;
        low = u[w + 1]!;
      }
    }
    if (seq >= names.nextAt) names.advance(seq);
    if (p >= OUT_BYTES) {
      p = out.flush(p);
      tS = -1;
    }
    const start = p;
    const b = (head >>> 8) & 0xff;
    const pid = kind === K.retFast ? sysPid : (head >>> 16) - 1;
    p = putSeqKey(buf, p);
    p = putU32(buf, p, seq);
    if (tS >= 0) {
      buf.copyWithin(p, tS, tE); // this instant's ,"icount":…,"vt":… as written on an earlier line
      p += tE - tS;
    } else {
      tS = p;
      p = putIcountKey(buf, p);
      p = putNum(buf, p, ic);
      p = putVtKey(buf, p);
      p = putNum(buf, p, vt);
      tE = p;
    }
    let next: number;
    switch (kind) {
      case K.syscall:
      case K.syscallAt: {
        const r = kind === K.syscallAt ? w + 1 : w; // syscallAt: the fields one word on
        sysPid = pid;
        sysEip = u[r + 1]!;
        p = put(buf, p, b < 4 ? names.head(pid, H_SYSCALL + b) : names.oddHead(pid, "syscall", b, true));
        p = putU32(buf, p, u[r + 1]!);
        p = put(buf, p, names.nr(u[r + 2]!));
        p = putU32(buf, p, u[r + 3]!);
        buf[p++] = 44; // ,
        p = putU32(buf, p, u[r + 4]!);
        buf[p++] = 44;
        p = putU32(buf, p, u[r + 5]!);
        buf[p++] = 44;
        p = putU32(buf, p, u[r + 6]!);
        buf[p++] = 44;
        p = putU32(buf, p, u[r + 7]!);
        buf[p] = 93; buf[p + 1] = 125; buf[p + 2] = 10; // ]}\n
        p += 3;
        next = r + 8;
        break;
      }
      case K.ret:
      case K.retSyscall:
      case K.retFast: {
        // ret [head, eip]; retSyscall [head, eip, ret]; retFast [head, ret] to the last syscall's eip
        const fast = kind === K.retFast;
        p = put(buf, p, b < 4 ? names.head(pid, H_RETURN + b) : names.oddHead(pid, "return", b, false));
        p = putU32(buf, p, fast ? sysEip : u[w + 1]!);
        next = fast ? w + 1 : w + 2;
        if (kind !== K.ret) {
          p = putRetKey(buf, p);
          p = putI32(buf, p, i32[next]!);
          next++;
        }
        p = putEnd(buf, p);
        break;
      }
      case K.ipc: {
        const pair = u[w + 1]!;
        const src = pair & 0xffff, dst = pair >>> 16;
        if (names.v2 && src === pid + 1) {
          // Version 2 leaves out "src", or else "dst", when it is the event's pid.
          p = put(buf, p, names.head(pid, H_IPC_DST + b));
          p = putPid(buf, p, dst);
        } else {
          p = put(buf, p, names.head(pid, H_IPC + b));
          p = putPid(buf, p, src);
          if (!names.v2 || dst !== pid + 1) {
            p = putDstKey(buf, p);
            p = putPid(buf, p, dst);
          }
        }
        p = putBytesKey(buf, p);
        p = putU32(buf, p, u[w + 2]!);
        p = putEnd(buf, p);
        next = w + 3;
        break;
      }
      case K.switch_: {
        const pair = u[w + 1]!;
        const from = pair & 0xffff, to = pair >>> 16;
        p = put(buf, p, names.head(pid, H_SWITCH));
        p = putPid(buf, p, from);
        if (!names.v2 || to !== pid + 1) {
          // Version 2 leaves out "to" when it is the event's pid (always, from the kernel).
          p = put(buf, p, B.to);
          p = putPid(buf, p, to);
        }
        p = put(buf, p, names.reasonEnd(b));
        next = w + 2;
        break;
      }
      case K.irq:
        p = put(buf, p, b < 4 ? names.head(pid, H_IRQ + b) : names.oddHead(pid, "irq", b, true));
        p = putU32(buf, p, u[w + 1]!);
        p = put(buf, p, names.irq(u[w + 2]!));
        next = w + 3;
        break;
      case K.service:
        p = put(buf, p, names.head(pid, H_SERVICE + b));
        p = put(buf, p, names.service(u[w + 1]!));
        p = put(buf, p, b === 0 ? B.type : B.result);
        p = putI32(buf, p, i32[w + 2]!);
        p = putBytesKey(buf, p);
        p = putU32(buf, p, u[w + 3]!);
        p = putEnd(buf, p);
        next = w + 4;
        break;
      case K.pagefault:
        p = put(buf, p, names.head(pid, H_PAGEFAULT));
        p = putU32(buf, p, u[w + 1]!);
        p = put(buf, p, B.eip);
        p = putU32(buf, p, u[w + 2]!);
        p = put(buf, p, B.errorCode);
        p = putU32(buf, p, u[w + 3]!);
        p = put(buf, p, B.outcome[b]!);
        next = w + 4;
        break;
      case K.exception: {
        const v = u[w + 2]!;
        p = put(buf, p, b < 4 ? names.head(pid, H_EXCEPTION + b) : names.oddHead(pid, "exception", b, true));
        p = putU32(buf, p, u[w + 1]!);
        p = put(buf, p, names.vector(v));
        p = putU32(buf, p, u[w + 3]!);
        if (v === 14) {
          p = put(buf, p, B.cr2);
          p = putU32(buf, p, u[w + 4]!);
        }
        const insn = side[i];
        if (insn !== undefined) {
          p = put(buf, p, B.insn);
          [buf, p] = putText(out, buf, p, JSON.stringify(insn));
        }
        p = putEnd(buf, p);
        next = w + 5;
        break;
      }
      case K.exit: {
        p = put(buf, p, names.head(pid, H_EXIT));
        p = b & 1 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 1]!);
        p = put(buf, p, B.vector);
        p = b & 2 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 2]!);
        p = put(buf, p, B.signal);
        p = b & 4 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 3]!);
        p = put(buf, p, B.report);
        const report = side[i];
        if (report === undefined) p = put(buf, p, B.null);
        else [buf, p] = putText(out, buf, p, JSON.stringify(report));
        p = putEnd(buf, p);
        next = w + 4;
        break;
      }
      case K.spawn: {
        const parent = u[w + 1]!;
        p = put(buf, p, names.head(pid, H_SPAWN));
        p = parent === 0 ? put(buf, p, B.null) : putU32(buf, p, parent - 1);
        p = put(buf, p, B.argv);
        [buf, p] = putText(out, buf, p, JSON.stringify(side[i]));
        p = putEnd(buf, p);
        next = w + 2;
        break;
      }
      default: {
        const [k, fields] = side[i] as [string, Record<string, unknown>];
        let tail = `,"kind":${JSON.stringify(k)}${names.pidJson(pid)}`;
        for (const key in fields) tail += `,${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
        [buf, p] = putText(out, buf, p, tail);
        p = putEnd(buf, p);
        next = w + 1;
      }
    }
    if (p > buf.length) {
      // The line did not fit (what went past the end was not written): again, in a bigger buffer.
      buf = out.grow(start, 2 * (p - start));
      p = start;
      tS = -1;
      continue;
    }
    if (names.unwrittenCount !== 0) names.settle(pid);
    w = next;
    i++;
    seq++;
  }
  at.ic = ic;
  at.vt = vt;
  at.sysPid = sysPid;
  at.sysEip = sysEip;
  out.pos = p;
  return seq;
}

/** Any text (UTF-8) at `p`, growing the buffer first if it does not fit with OUT_SLACK to spare. */
function putText(out: OutBuffer, buf: Uint8Array, p: number, s: string): [Uint8Array, number] {
  const b = enc(s);
  if (p + b.length + OUT_SLACK > buf.length) buf = out.grow(p, b.length + OUT_SLACK);
  return [buf, put(buf, p, b)];
}
