// Formatting a recorded trace: the binary records of kernel/trace/records.ts, chunk by chunk in the
// order recorded, into schema JSONL (docs/trace.md) — byte for byte what JSON.stringify would give.
// Version 2 (the default) leaves out what a reader derives (the process name except where it is
// given, syscall/exception/IRQ names, the constant ring of each transition); version 1 writes every
// key. Everything goes into one reused byte buffer (pre-encoded keys, digits written by hand), handed
// over a buffer at a time.
import { IRQ_NAMES, VECTOR_NAMES } from "../names.ts";
import { virtualUs } from "../../emulator/virtual-time.ts";
import { IPC_OPS, K, PAGEFAULT_OUTCOMES, SERVICE_OPS, TIME_TERMS, type Chunk } from "./records.ts";

/** The schema version written by default. */
export const TRACE_VERSION = 2;
/** The schema versions the recorder can write. */
export type TraceVersion = 1 | 2;

/** Formatted output is handed over in pieces of about this many bytes. */
const OUT_BYTES = 1 << 20;
const OUT_SLACK = 64 * 1024; // room past OUT_BYTES: any line of numbers and names fits

const utf8 = new TextEncoder();
const enc = (s: string): Uint8Array => utf8.encode(s);

/** A process name in effect from event `at` (its seq) on. */
export interface NameChange {
  at: number;
  pid: number;
  name: string;
}

/**
 * Formats the chunks of one recording, in the order recorded, handing the JSONL to `emit` as UTF-8
 * (a reused view: consume it before returning). The header line is the recorder's to write.
 */
export class TraceFormatter {
  private readonly out: OutBuffer;
  private readonly names: NameTables;
  private readonly at: FormatState = { ic: 0, vt: 0, sysPid: -1, sysEip: 0 };
  private seq = 0;

  constructor(
    version: TraceVersion,
    nameChanges: readonly NameChange[],
    syscallName: (nr: number) => string,
    serviceNames: readonly string[],
    reasons: readonly string[],
    emit: (bytes: Uint8Array) => void,
  ) {
    this.out = new OutBuffer(emit);
    this.names = new NameTables(version, nameChanges, syscallName, serviceNames, reasons);
  }

  /** Formats the next chunk: its records are in `bytes` (the chunk's own buffer, or its copy read back from disk). */
  chunk(bytes: ArrayBuffer, c: Chunk): void {
    this.seq = formatChunk(this.out, this.names, bytes, c, this.seq, this.at);
  }

  /** Hands over the lines not yet handed over (call once, after the last chunk). */
  end(): void {
    this.out.flush(this.out.pos);
  }
}

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
    private readonly changes: readonly NameChange[],
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
