// The trace recorder. Every event is written as a short binary record of 32-bit words with small
// codes (kernel/trace/records.ts) into a preallocated chunk on the hot path: no allocation, no
// strings, no JSON (kernel entries and exits, switch, ipc, service, pagefault, exit, spawn; the rare
// load/halt keep a reference to their fields object in a side slot and are serialised later). The
// recorder reads each event's instant from its clock (the machine) and writes it only when it moved:
// every event of one kernel entry shares one. Full chunks are kept in memory up to a limit and then
// spilled as raw bytes to a temporary file (their buffers return to a pool), so long runs use bounded
// memory. `finish()` has kernel/trace/format.ts format everything, in order, after the run, streamed
// to the sink a buffer at a time.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TimeTerms } from "../../emulator/virtual-time.ts";
import { TRACE_VERSION, TraceFormatter, type NameChange, type TraceVersion } from "./format.ts";
import { K, PAGEFAULT_OUTCOMES, SWITCH_REASONS, TICK_LIMIT, TIME_TERMS, type Chunk } from "./records.ts";

const MAX_RECORD = 13 + 8; // a padded time record with its terms, and the longest event slot() writes (a syscallAt, 9 words, comes alone)
const CHUNK_WORDS = 48 * 1024;
const CHUNK_BYTES = CHUNK_WORDS * 4;
const MEMORY_LIMIT = 64 * 1024 * 1024; // chunks kept in memory before spilling to disk

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


const utf8 = new TextEncoder();

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
  private readonly nameChanges: NameChange[] = [];
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
    if (this.byteSink) this.byteSink(utf8.encode(text));
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
    const fmt = new TraceFormatter(this.version, this.nameChanges, this.syscallName, this.serviceNames, this.reasons, (b) =>
      this.byteSink ? this.byteSink(b) : this.sink(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8")),
    );
    let pos = 0;
    for (const c of this.chunks) {
      let bytes = c.bytes;
      if (!bytes) {
        bytes = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
        readSync(this.spillFd!, new Uint8Array(bytes), 0, CHUNK_BYTES, pos);
        pos += CHUNK_BYTES;
      }
      fmt.chunk(bytes, c);
      c.bytes = undefined;
      this.pool.push(bytes);
    }
    fmt.end();
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
