// The trace recorder. Every event is written as a fixed 48-byte binary record with small codes into
// a preallocated chunk on the hot path: no allocation, no strings, no JSON (kernel entries and exits,
// switch, ipc, service, pagefault, exit, spawn; the rare load/halt keep a reference to their fields
// object in a side slot and are serialised later). Full chunks are kept in memory up to a limit and
// then spilled as raw bytes to a temporary file (their buffers return to a pool), so long runs use
// bounded memory. `finish()` formats everything, in order, after the run: straight into one reused
// byte buffer (pre-encoded keys, digits written by hand), streamed to the sink a buffer at a time.
// Schema: docs/trace.md (version 1; the output is byte-for-byte what JSON.stringify would give).
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { IRQ_NAMES, VECTOR_NAMES } from "../names.ts";

export const TRACE_VERSION = 1;

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
}

const IPC_OPS = ["send", "receive", "reply", "notify"];
const SERVICE_OPS = ["request", "reply"];
/** Switch reasons by code (codes are assigned in first-use order past these; see `code`). */
const SWITCH_REASONS = ["start", "preempt", "yield", "block", "exit", "wake", "priority"];
const PAGEFAULT_OUTCOMES = ["mapped", "killed", "out-of-memory", "copied", "reclaimed"];

// Record layout, in 32-bit words (12 words = 48 bytes):
//   w0 = kind | cpl << 8 | (pid + 1) << 16     w1 = eip
//   w2..w3 = icount (f64)                      w4..w5 = vt µs (f64)
//   w6..w11 = kind-specific words (syscall: nr, a0..a4; exception: vector, error, cr2; irq: line; ret;
//   switch: from+1, to+1, reason; pagefault: addr, eip, error, outcome; exit: null bits, status,
//   vector, signal; spawn: parent+1)
const WORDS = 12;
const CAPACITY = 4096; // records per chunk
const CHUNK_BYTES = CAPACITY * WORDS * 4;
const MEMORY_LIMIT = 64 * 1024 * 1024; // chunks kept in memory before spilling to disk
/** Formatted output is handed to the sink in pieces of about this many bytes. */
const OUT_BYTES = 1 << 20;
const OUT_SLACK = 64 * 1024; // room for one line of fixed-size fields past OUT_BYTES

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
}

interface Chunk {
  bytes: ArrayBuffer | undefined; // undefined once spilled
  count: number;
  side: unknown[]; // sparse side slots by record index (insn, report, argv, [kind, fields])
}

const utf8 = new TextEncoder();
const enc = (s: string): Uint8Array => utf8.encode(s);

/** Records trace events; `sink` receives the formatted JSONL text in order when `finish()` runs. */
export class TraceRecorder {
  private buf: ArrayBuffer;
  private u32: Uint32Array;
  private i32: Int32Array;
  private f64: Float64Array;
  private side: unknown[] = [];
  private count = 0;
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

  constructor(
    private readonly sink: (text: string) => void,
    header: TraceHeader,
    private readonly syscallName: (nr: number) => string,
    opts: TraceSinkOptions = {},
  ) {
    this.byteSink = opts.bytes;
    this.breakAt = opts.breakAt ?? -1;
    this.onBreak = opts.onBreak;
    this.buf = new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    const text = `{"trace":"ringside","version":${TRACE_VERSION},"ipms":${header.ipms},"mode":${JSON.stringify(header.mode)},"tool":${JSON.stringify(header.tool)}}\n`;
    if (this.byteSink) this.byteSink(enc(text));
    else sink(text);
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

  syscall(icount: number, vt: number, pid: number, cplFrom: number, eip: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number): void {
    const w = this.slot(K.syscall, icount, vt, pid, cplFrom, eip);
    const u = this.u32;
    u[w + 6] = nr; u[w + 7] = a0; u[w + 8] = a1; u[w + 9] = a2; u[w + 10] = a3; u[w + 11] = a4;
  }

  exception(icount: number, vt: number, pid: number, cplFrom: number, eip: number, vector: number, errorCode: number, cr2: number, insn: string | undefined): void {
    const w = this.slot(K.exception, icount, vt, pid, cplFrom, eip);
    const u = this.u32;
    u[w + 6] = vector; u[w + 7] = errorCode; u[w + 8] = cr2;
    if (insn !== undefined) this.side[this.count - 1] = insn;
  }

  irq(icount: number, vt: number, pid: number, cplFrom: number, eip: number, line: number): void {
    const w = this.slot(K.irq, icount, vt, pid, cplFrom, eip);
    this.u32[w + 6] = line;
  }

  /** A kernel exit to ring `cplTo`; after a syscall pass `ret` (else undefined). */
  ret(icount: number, vt: number, pid: number, cplTo: number, eip: number, ret: number | undefined): void {
    const w = this.slot(ret === undefined ? K.ret : K.retSyscall, icount, vt, pid, cplTo, eip);
    if (ret !== undefined) this.i32[w + 6] = ret;
  }

  /** An IPC operation (op: 0 send, 1 receive, 2 reply, 3 notify); src/dst -1 = the kernel (null). */
  ipc(icount: number, vt: number, pid: number, op: number, src: number, dst: number, bytes: number): void {
    const w = this.slot(K.ipc, icount, vt, pid, 0, 0);
    const u = this.u32;
    u[w + 6] = op; u[w + 7] = src + 1; u[w + 8] = dst + 1; u[w + 9] = bytes;
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
  service(icount: number, vt: number, pid: number, op: number, service: number, type: number, bytes: number): void {
    const w = this.slot(K.service, icount, vt, pid, 0, 0);
    const u = this.u32;
    u[w + 6] = op; u[w + 7] = service; this.i32[w + 8] = type; u[w + 9] = bytes;
  }

  /** The CPU moves from `from` to `to` (-1 = idle/boot, null in the trace); `pid` is `to`. */
  switchTo(icount: number, vt: number, pid: number, from: number, to: number, reason: string): void {
    const w = this.slot(K.switch_, icount, vt, pid, 0, 0);
    const u = this.u32;
    u[w + 6] = from + 1; u[w + 7] = to + 1; u[w + 8] = code(this.reasons, reason);
  }

  /** A page fault's outcome (follows its #PF exception event). */
  pageFault(icount: number, vt: number, pid: number, addr: number, eip: number, errorCode: number, outcome: string): void {
    const w = this.slot(K.pagefault, icount, vt, pid, 0, 0);
    const u = this.u32;
    u[w + 6] = addr; u[w + 7] = eip; u[w + 8] = errorCode; u[w + 9] = code(PAGEFAULT_OUTCOMES, outcome);
  }

  /** Process `pid` ended (null: not applicable); `report` is kept by reference, serialised later. */
  exited(icount: number, vt: number, pid: number, status: number | null, vector: number | null, signal: number | null, report: string | null): void {
    const w = this.slot(K.exit, icount, vt, pid, 0, 0);
    const i = this.i32;
    this.u32[w + 6] = (status === null ? 1 : 0) | (vector === null ? 2 : 0) | (signal === null ? 4 : 0);
    i[w + 7] = status ?? 0; i[w + 8] = vector ?? 0; i[w + 9] = signal ?? 0;
    if (report !== null) this.side[this.count - 1] = report;
  }

  /** Process `pid` was created by `parent` (null: none) with `argv` (kept by reference: do not mutate it). */
  spawned(icount: number, vt: number, pid: number, parent: number | null, argv: readonly string[]): void {
    const w = this.slot(K.spawn, icount, vt, pid, 0, 0);
    this.u32[w + 6] = parent === null ? 0 : parent + 1;
    this.side[this.count - 1] = argv;
  }

  /**
   * A kernel action (load, spawn, exit, halt …): `fields` are serialised in insertion order after
   * the common keys, when the trace is formatted, so they must not be mutated afterwards. The
   * frequent shapes (switch, pagefault, exit, spawn) are stored as binary records.
   */
  action(icount: number, vt: number, pid: number, kind: string, fields: Record<string, unknown>): void {
    let n = 0;
    for (const _ in fields) n++;
    const f = fields as Record<string, any>;
    if (kind === "switch" && n === 3 && isPidOrNull(f.from) && isPidOrNull(f.to) && typeof f.reason === "string") {
      return this.switchTo(icount, vt, pid, f.from ?? -1, f.to ?? -1, f.reason);
    }
    if (kind === "pagefault" && n === 4 && isU32(f.addr) && isU32(f.eip) && isU32(f.error_code) && PAGEFAULT_OUTCOMES.includes(f.outcome)) {
      return this.pageFault(icount, vt, pid, f.addr, f.eip, f.error_code, f.outcome);
    }
    if (kind === "exit" && n === 4 && isI32OrNull(f.status) && isI32OrNull(f.vector) && isI32OrNull(f.signal) && (f.report === null || typeof f.report === "string")) {
      return this.exited(icount, vt, pid, f.status, f.vector, f.signal, f.report);
    }
    if (kind === "spawn" && n === 2 && isPidOrNull(f.parent) && Array.isArray(f.argv) && f.argv.every((a: unknown) => typeof a === "string")) {
      return this.spawned(icount, vt, pid, f.parent, f.argv);
    }
    this.slot(K.object, icount, vt, pid, 0, 0);
    this.side[this.count - 1] = [kind, fields];
  }

  /** Formats every recorded event, in order, into the sink (call once, after the run). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.procNames.clear();
    this.storeChunk();
    const out = new JsonlWriter((b) => (this.byteSink ? this.byteSink(b) : this.sink(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8"))));
    const names = new NameTables(this.nameChanges, this.syscallName, this.serviceNames, this.reasons);
    let pos = 0;
    let seq = 0;
    for (const c of this.chunks) {
      let bytes = c.bytes;
      if (!bytes) {
        bytes = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
        readSync(this.spillFd!, new Uint8Array(bytes), 0, CHUNK_BYTES, pos);
        pos += CHUNK_BYTES;
      }
      seq = formatChunk(out, names, bytes, c, seq);
      c.bytes = undefined;
      this.pool.push(bytes);
    }
    out.flush();
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
    if (this.count === 0) return;
    this.chunks.push({ bytes: this.buf, count: this.count, side: this.side });
    this.stored += this.count;
    this.inMemory += CHUNK_BYTES;
    if (this.inMemory > MEMORY_LIMIT) this.spillAll();
    this.buf = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.side = [];
    this.count = 0;
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

  private slot(kind: number, icount: number, vt: number, pid: number, cpl: number, eip: number): number {
    if (this.count === CAPACITY) this.storeChunk();
    if (this.stored + this.count === this.breakAt) this.onBreak?.(this.breakAt, pid);
    const w = this.count++ * WORDS;
    this.u32[w] = kind | (cpl << 8) | ((pid + 1) << 16);
    this.u32[w + 1] = eip;
    const f = this.f64;
    f[(w >> 1) + 1] = icount;
    f[(w >> 1) + 2] = vt;
    return w;
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

/** Pre-encoded, cached JSON fragments for names (processes, syscalls, services, reasons). */
class NameTables {
  private readonly procNames = new Map<number, string>();
  private readonly pidKeys = new Map<number, Uint8Array>();
  private readonly nrKeys = new Map<number, Uint8Array>();
  private readonly vectors = new Map<number, Uint8Array>();
  private readonly irqs = new Map<number, Uint8Array>();
  private readonly strs = new Map<string, Uint8Array>();
  private next = 0;
  readonly nullPid = enc(`,"pid":null,"proc":null`);

  constructor(
    private readonly changes: readonly { at: number; pid: number; name: string }[],
    private readonly syscallName: (nr: number) => string,
    private readonly serviceNames: readonly string[],
    private readonly reasons: readonly string[],
  ) {}

  /** Applies the process names in effect from event `seq` on. */
  advance(seq: number): void {
    const ch = this.changes;
    while (this.next < ch.length && ch[this.next]!.at <= seq) {
      const n = ch[this.next++]!;
      this.procNames.set(n.pid, n.name);
      this.pidKeys.delete(n.pid);
    }
  }

  /** `,"pid":…,"proc":…` for `pid` (-1: null). */
  pid(pid: number): Uint8Array {
    if (pid < 0) return this.nullPid;
    let b = this.pidKeys.get(pid);
    if (b === undefined) this.pidKeys.set(pid, (b = enc(`,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`)));
    return b;
  }

  /** `"nr":…,"name":…` for syscall `nr`. */
  nr(nr: number): Uint8Array {
    let b = this.nrKeys.get(nr);
    if (b === undefined) this.nrKeys.set(nr, (b = enc(`,"nr":${nr},"name":${JSON.stringify(this.syscallName(nr))}`)));
    return b;
  }

  vector(v: number): Uint8Array {
    let b = this.vectors.get(v);
    if (b === undefined) this.vectors.set(v, (b = enc(`,"vector":${v},"name":${JSON.stringify(VECTOR_NAMES[v] ?? `#${v}`)}`)));
    return b;
  }

  irq(line: number): Uint8Array {
    let b = this.irqs.get(line);
    if (b === undefined) this.irqs.set(line, (b = enc(`,"irq":${line},"name":${JSON.stringify(IRQ_NAMES[line] ?? `irq${line}`)}`)));
    return b;
  }

  /** A JSON string literal, encoded (cached: for the small sets of names). */
  str(s: string): Uint8Array {
    let b = this.strs.get(s);
    if (b === undefined) this.strs.set(s, (b = enc(JSON.stringify(s))));
    return b;
  }

  service(i: number): Uint8Array {
    return this.str(this.serviceNames[i] ?? "?");
  }

  reason(i: number): Uint8Array {
    return this.str(this.reasons[i]!);
  }

  /** The process name in effect now (for rare events). */
  procName(pid: number): string | null {
    return this.procNames.get(pid) ?? null;
  }
}

/**
 * Writes ASCII/UTF-8 into one reused buffer and hands it to `emit` in whole lines, whenever it passes
 * OUT_BYTES. Fixed-size fields are written without bounds checks: every line keeps at least
 * LINE_ROOM bytes free for them (texts check and make room).
 */
const LINE_ROOM = 1024;
class JsonlWriter {
  buf = new Uint8Array(OUT_BYTES + OUT_SLACK);
  pos = 0;
  private lineStart = 0;
  constructor(private readonly emit: (b: Uint8Array) => void) {}

  /** Ends a line: hands over what is buffered if past the threshold. */
  lineDone(): void {
    if (this.pos >= OUT_BYTES) this.flush();
    this.lineStart = this.pos;
  }

  /** Hands over every complete line. */
  flush(): void {
    if (this.pos > 0) this.emit(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.lineStart = 0;
  }

  /** Makes room for `n` more bytes (plus LINE_ROOM) without splitting the current line. */
  private room(n: number): void {
    if (this.lineStart > 0) {
      this.emit(this.buf.subarray(0, this.lineStart));
      this.buf.copyWithin(0, this.lineStart, this.pos);
      this.pos -= this.lineStart;
      this.lineStart = 0;
    }
    if (this.pos + n + LINE_ROOM > this.buf.length) {
      const bigger = new Uint8Array(this.pos + n + LINE_ROOM + OUT_SLACK);
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
    }
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n + LINE_ROOM > this.buf.length) this.room(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 48) for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    else {
      buf.set(b, p);
      p += n;
    }
    this.pos = p;
  }

  /** A non-negative integer below 2^53. */
  uint(x: number): void {
    if (x >= 0x80000000) {
      const hi = Math.floor(x / 1e9);
      this.uint(hi);
      this.padded9(x - hi * 1e9);
      return;
    }
    const buf = this.buf;
    let v = x | 0;
    const d = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
    let p = this.pos + d;
    this.pos = p;
    do {
      const q = (v / 10) | 0;
      buf[--p] = 48 + v - q * 10;
      v = q;
    } while (v !== 0);
  }

  /** 0 ≤ x < 1e9 as exactly nine digits. */
  private padded9(x: number): void {
    const buf = this.buf;
    let v = x | 0;
    let p = this.pos + 9;
    this.pos = p;
    for (let i = 0; i < 9; i++) {
      const q = (v / 10) | 0;
      buf[--p] = 48 + v - q * 10;
      v = q;
    }
  }

  /** A signed 32-bit integer. */
  int(x: number): void {
    if (x < 0) {
      this.byte(45);
      this.uint(-x);
    } else this.uint(x);
  }

  /** A number exactly as JSON.stringify writes it (µs with at most 3 decimals quickly, anything else via String). */
  num(x: number): void {
    if (Number.isInteger(x) && x >= 0 && x < 2 ** 53) return this.uint(x);
    const n = Math.round(x * 1000);
    if (n / 1000 === x && n >= 0 && n < 1e15) {
      const int = Math.floor(n / 1000);
      let frac = n - int * 1000;
      this.uint(int);
      if (frac !== 0) {
        const buf = this.buf;
        buf[this.pos++] = 46;
        let digits = 3;
        if (frac % 100 === 0) {
          frac /= 100;
          digits = 1;
        } else if (frac % 10 === 0) {
          frac /= 10;
          digits = 2;
        }
        let p = this.pos + digits;
        this.pos = p;
        for (let i = 0; i < digits; i++) {
          const q = Math.floor(frac / 10);
          buf[--p] = 48 + frac - q * 10;
          frac = q;
        }
      }
      return;
    }
    this.ascii(String(x));
  }

  /** A string known to be ASCII. */
  ascii(s: string): void {
    if (this.pos + s.length + LINE_ROOM > this.buf.length) this.room(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text (UTF-8). */
  text(s: string): void {
    this.bytes(enc(s));
  }
}

// Pre-encoded fixed fragments.
const B = {
  seq: enc(`{"seq":`),
  icount: enc(`,"icount":`),
  vt: enc(`,"vt":`),
  kSyscall: enc(`,"kind":"syscall"`),
  kException: enc(`,"kind":"exception"`),
  kIrq: enc(`,"kind":"irq"`),
  kReturn: enc(`,"kind":"return"`),
  kIpc: enc(`,"kind":"ipc"`),
  kService: enc(`,"kind":"service"`),
  kSwitch: enc(`,"kind":"switch"`),
  kPagefault: enc(`,"kind":"pagefault"`),
  kExit: enc(`,"kind":"exit"`),
  kSpawn: enc(`,"kind":"spawn"`),
  cplFrom: enc(`,"cpl_from":`),
  cplTo0Eip: enc(`,"cpl_to":0,"eip":`),
  from0To: enc(`,"cpl_from":0,"cpl_to":`),
  eip: enc(`,"eip":`),
  args: enc(`,"args":[`),
  errorCode: enc(`,"error_code":`),
  cr2: enc(`,"cr2":`),
  insn: enc(`,"insn":`),
  ret: enc(`,"ret":`),
  ipcOp: IPC_OPS.map((o) => enc(`,"op":"${o}","src":`)),
  dst: enc(`,"dst":`),
  bytes: enc(`,"bytes":`),
  svcOp: SERVICE_OPS.map((o) => enc(`,"op":"${o}","service":`)),
  type: enc(`,"type":`),
  result: enc(`,"result":`),
  from: enc(`,"from":`),
  to: enc(`,"to":`),
  reason: enc(`,"reason":`),
  addr: enc(`,"addr":`),
  outcome: PAGEFAULT_OUTCOMES.map((o) => enc(`,"outcome":"${o}"}\n`)),
  status: enc(`,"status":`),
  vector: enc(`,"vector":`),
  signal: enc(`,"signal":`),
  report: enc(`,"report":`),
  parent: enc(`,"parent":`),
  argv: enc(`,"argv":`),
  null: enc("null"),
  end: enc("}\n"),
};

/** Formats one chunk's records; returns the next sequence number. */
function formatChunk(o: JsonlWriter, names: NameTables, bytes: ArrayBuffer, c: Chunk, seq: number): number {
  const u = new Uint32Array(bytes);
  const i32 = new Int32Array(bytes);
  const f = new Float64Array(bytes);
  const side = c.side;
  for (let i = 0; i < c.count; i++, seq++) {
    names.advance(seq);
    const w = i * WORDS;
    const head = u[w]!;
    const kind = head & 0xff;
    const cpl = (head >>> 8) & 0xff;
    const pid = (head >>> 16) - 1;
    const eip = u[w + 1]!;
    o.bytes(B.seq);
    o.uint(seq);
    o.bytes(B.icount);
    o.num(f[(w >> 1) + 1]!);
    o.bytes(B.vt);
    o.num(f[(w >> 1) + 2]!);
    switch (kind) {
      case K.syscall:
        o.bytes(B.kSyscall);
        o.bytes(names.pid(pid));
        o.bytes(B.cplFrom);
        o.uint(cpl);
        o.bytes(B.cplTo0Eip);
        o.uint(eip);
        o.bytes(names.nr(u[w + 6]!));
        o.bytes(B.args);
        o.uint(u[w + 7]!);
        o.byte(44);
        o.uint(u[w + 8]!);
        o.byte(44);
        o.uint(u[w + 9]!);
        o.byte(44);
        o.uint(u[w + 10]!);
        o.byte(44);
        o.uint(u[w + 11]!);
        o.byte(93); // ]
        o.bytes(B.end);
        break;
      case K.exception: {
        const v = u[w + 6]!;
        o.bytes(B.kException);
        o.bytes(names.pid(pid));
        o.bytes(B.cplFrom);
        o.uint(cpl);
        o.bytes(B.cplTo0Eip);
        o.uint(eip);
        o.bytes(names.vector(v));
        o.bytes(B.errorCode);
        o.uint(u[w + 7]!);
        if (v === 14) {
          o.bytes(B.cr2);
          o.uint(u[w + 8]!);
        }
        const insn = side[i];
        if (insn !== undefined) {
          o.bytes(B.insn);
          o.text(JSON.stringify(insn));
        }
        o.bytes(B.end);
        break;
      }
      case K.irq:
        o.bytes(B.kIrq);
        o.bytes(names.pid(pid));
        o.bytes(B.cplFrom);
        o.uint(cpl);
        o.bytes(B.cplTo0Eip);
        o.uint(eip);
        o.bytes(names.irq(u[w + 6]!));
        o.bytes(B.end);
        break;
      case K.ret:
      case K.retSyscall:
        o.bytes(B.kReturn);
        o.bytes(names.pid(pid));
        o.bytes(B.from0To);
        o.uint(cpl);
        o.bytes(B.eip);
        o.uint(eip);
        if (kind === K.retSyscall) {
          o.bytes(B.ret);
          o.int(i32[w + 6]!);
        }
        o.bytes(B.end);
        break;
      case K.ipc: {
        const src = u[w + 7]!, dst = u[w + 8]!;
        o.bytes(B.kIpc);
        o.bytes(names.pid(pid));
        o.bytes(B.ipcOp[u[w + 6]!]!);
        if (src === 0) o.bytes(B.null);
        else o.uint(src - 1);
        o.bytes(B.dst);
        if (dst === 0) o.bytes(B.null);
        else o.uint(dst - 1);
        o.bytes(B.bytes);
        o.uint(u[w + 9]!);
        o.bytes(B.end);
        break;
      }
      case K.service: {
        const op = u[w + 6]!;
        o.bytes(B.kService);
        o.bytes(names.pid(pid));
        o.bytes(B.svcOp[op]!);
        o.bytes(names.service(u[w + 7]!));
        o.bytes(op === 0 ? B.type : B.result);
        o.int(i32[w + 8]!);
        o.bytes(B.bytes);
        o.uint(u[w + 9]!);
        o.bytes(B.end);
        break;
      }
      case K.switch_: {
        const from = u[w + 6]!, to = u[w + 7]!;
        o.bytes(B.kSwitch);
        o.bytes(names.pid(pid));
        o.bytes(B.from);
        if (from === 0) o.bytes(B.null);
        else o.uint(from - 1);
        o.bytes(B.to);
        if (to === 0) o.bytes(B.null);
        else o.uint(to - 1);
        o.bytes(B.reason);
        o.bytes(names.reason(u[w + 8]!));
        o.bytes(B.end);
        break;
      }
      case K.pagefault:
        o.bytes(B.kPagefault);
        o.bytes(names.pid(pid));
        o.bytes(B.addr);
        o.uint(u[w + 6]!);
        o.bytes(B.eip);
        o.uint(u[w + 7]!);
        o.bytes(B.errorCode);
        o.uint(u[w + 8]!);
        o.bytes(B.outcome[u[w + 9]!]!);
        break;
      case K.exit: {
        const nulls = u[w + 6]!;
        o.bytes(B.kExit);
        o.bytes(names.pid(pid));
        o.bytes(B.status);
        if (nulls & 1) o.bytes(B.null);
        else o.int(i32[w + 7]!);
        o.bytes(B.vector);
        if (nulls & 2) o.bytes(B.null);
        else o.int(i32[w + 8]!);
        o.bytes(B.signal);
        if (nulls & 4) o.bytes(B.null);
        else o.int(i32[w + 9]!);
        o.bytes(B.report);
        const report = side[i];
        if (report === undefined) o.bytes(B.null);
        else o.text(JSON.stringify(report));
        o.bytes(B.end);
        break;
      }
      case K.spawn: {
        const parent = u[w + 6]!;
        o.bytes(B.kSpawn);
        o.bytes(names.pid(pid));
        o.bytes(B.parent);
        if (parent === 0) o.bytes(B.null);
        else o.uint(parent - 1);
        o.bytes(B.argv);
        o.text(JSON.stringify(side[i]));
        o.bytes(B.end);
        break;
      }
      default: {
        const [k, fields] = side[i] as [string, Record<string, unknown>];
        let tail = `,"kind":${JSON.stringify(k)}`;
        tail += pid < 0 ? `,"pid":null,"proc":null` : `,"pid":${pid},"proc":${JSON.stringify(names.procName(pid))}`;
        for (const key in fields) tail += `,${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
        o.text(tail);
        o.bytes(B.end);
      }
    }
    o.lineDone();
  }
  return seq;
}
