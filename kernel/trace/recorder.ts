// The trace recorder. Kernel entries and exits are written as fixed 48-byte records into a
// preallocated buffer on the hot path (no allocation, no formatting). Full buffers are kept in
// memory up to a limit and then spilled as raw bytes to a temporary file, so long runs use bounded
// memory; `finish()` formats everything to JSONL, in order, into the sink after the run.
// Schema: docs/trace.md (version 1).
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
  object, // a rare event stored as a preformatted tail in the side strings
  ipc,
  service,
}

const IPC_OPS = ["send", "receive", "reply", "notify"];
const SERVICE_OPS = ["request", "reply"];

// Record layout, in 32-bit words (12 words = 48 bytes):
//   w0 = kind | cpl << 8 | (pid + 1) << 16     w1 = eip
//   w2..w3 = icount (f64)                      w4..w5 = vt µs (f64)
//   w6..w11 = kind-specific words (syscall: nr, a0..a4; exception: vector, error, cr2; irq: line; ret)
const WORDS = 12;
const CAPACITY = 4096; // records per chunk
const CHUNK_BYTES = CAPACITY * WORDS * 4;
const MEMORY_LIMIT = 64 * 1024 * 1024; // chunks kept in memory before spilling to disk

export interface TraceHeader {
  ipms: number;
  mode: "monolithic" | "microkernel";
  tool: string;
}

interface Chunk {
  bytes: ArrayBuffer | undefined; // undefined once spilled
  count: number;
  strings: [number, string][]; // sparse side strings: [record index, text]
}

/** Records trace events; `sink` receives the formatted JSONL text in order when `finish()` runs. */
export class TraceRecorder {
  private buf = new ArrayBuffer(CHUNK_BYTES);
  private u32 = new Uint32Array(this.buf);
  private i32 = new Int32Array(this.buf);
  private f64 = new Float64Array(this.buf);
  private strings: [number, string][] = [];
  private count = 0;
  private readonly chunks: Chunk[] = [];
  private inMemory = 0;
  private stored = 0; // events in completed chunks
  private spillFd: number | undefined;
  private spillPath: string | undefined;
  private readonly procNames = new Map<number, string>();
  /** Process names in effect from event index `at` on. */
  private readonly nameChanges: { at: number; pid: number; name: string }[] = [];
  private finished = false;
  private seq = 0;
  private nextName = 0;
  /** Formatting caches: `,"pid":…,"proc":…` per pid, and `,"nr":…,"name":…` per syscall number. */
  private readonly pidJson = new Map<number, string>();
  private readonly nrJson = new Map<number, string>();
  /** Names of in-kernel services, by the index their `service` records carry. */
  private readonly serviceNames: string[] = [];

  constructor(
    private readonly sink: (text: string) => void,
    header: TraceHeader,
    private readonly syscallName: (nr: number) => string,
  ) {
    sink(`{"trace":"ringside","version":${TRACE_VERSION},"ipms":${header.ipms},"mode":${JSON.stringify(header.mode)},"tool":${JSON.stringify(header.tool)}}\n`);
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
    if (insn !== undefined) this.strings.push([this.count - 1, insn]);
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

  /** A rare event (load, spawn, exit, halt …): `fields` are serialised in insertion order after the common keys. */
  action(icount: number, vt: number, pid: number, kind: string, fields: Record<string, unknown>): void {
    let tail = `,"kind":${JSON.stringify(kind)}`;
    tail += pid < 0 ? `,"pid":null,"proc":null` : `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`;
    for (const [k, v] of Object.entries(fields)) tail += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    this.slot(K.object, icount, vt, pid, 0, 0);
    this.strings.push([this.count - 1, tail]);
  }

  /** Formats every recorded event, in order, into the sink (call once, after the run). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.procNames.clear();
    this.storeChunk();
    const scratch = new ArrayBuffer(CHUNK_BYTES);
    let pos = 0;
    for (const c of this.chunks) {
      let bytes = c.bytes;
      if (!bytes) {
        readSync(this.spillFd!, new Uint8Array(scratch), 0, CHUNK_BYTES, pos);
        pos += CHUNK_BYTES;
        bytes = scratch;
      }
      this.format(bytes, c);
    }
    this.chunks.length = 0;
    if (this.spillFd !== undefined) {
      closeSync(this.spillFd);
      unlinkSync(this.spillPath!);
      this.spillFd = undefined;
    }
  }

  /** Formats one chunk into the sink. */
  private format(bytes: ArrayBuffer, c: Chunk): void {
    const u = new Uint32Array(bytes);
    const i32 = new Int32Array(bytes);
    const f = new Float64Array(bytes);
    const side: (string | undefined)[] = new Array(c.count);
    for (const [i, s] of c.strings) side[i] = s;
    let out = "";
    for (let i = 0; i < c.count; i++) {
      while (this.nextName < this.nameChanges.length && this.nameChanges[this.nextName]!.at <= this.seq) {
        const n = this.nameChanges[this.nextName++]!;
        this.procNames.set(n.pid, n.name);
        this.pidJson.delete(n.pid);
      }
      const w = i * WORDS;
      const head = u[w]!;
      const kind = head & 0xff;
      const cpl = (head >>> 8) & 0xff;
      const pid = (head >>> 16) - 1;
      const eip = u[w + 1]!;
      let line = `{"seq":${this.seq++},"icount":${f[(w >> 1) + 1]},"vt":${f[(w >> 1) + 2]}`;
      switch (kind) {
        case K.syscall: {
          const nr = u[w + 6]!;
          let nrKeys = this.nrJson.get(nr);
          if (nrKeys === undefined) this.nrJson.set(nr, (nrKeys = `,"nr":${nr},"name":${JSON.stringify(this.syscallName(nr))}`));
          line += `,"kind":"syscall"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip}${nrKeys},"args":[${u[w + 7]},${u[w + 8]},${u[w + 9]},${u[w + 10]},${u[w + 11]}]}`;
          break;
        }
        case K.exception: {
          const v = u[w + 6]!;
          line += `,"kind":"exception"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip},"vector":${v},"name":${JSON.stringify(VECTOR_NAMES[v] ?? `#${v}`)},"error_code":${u[w + 7]}`;
          if (v === 14) line += `,"cr2":${u[w + 8]}`;
          const insn = side[i];
          if (insn !== undefined) line += `,"insn":${JSON.stringify(insn)}`;
          line += "}";
          break;
        }
        case K.irq: {
          const irq = u[w + 6]!;
          line += `,"kind":"irq"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip},"irq":${irq},"name":${JSON.stringify(IRQ_NAMES[irq] ?? `irq${irq}`)}}`;
          break;
        }
        case K.ret:
          line += `,"kind":"return"${this.pidKeys(pid)},"cpl_from":0,"cpl_to":${cpl},"eip":${eip}}`;
          break;
        case K.retSyscall:
          line += `,"kind":"return"${this.pidKeys(pid)},"cpl_from":0,"cpl_to":${cpl},"eip":${eip},"ret":${i32[w + 6]}}`;
          break;
        case K.ipc: {
          const src = u[w + 7]!, dst = u[w + 8]!;
          line += `,"kind":"ipc"${this.pidKeys(pid)},"op":"${IPC_OPS[u[w + 6]!]}","src":${src === 0 ? "null" : src - 1},"dst":${dst === 0 ? "null" : dst - 1},"bytes":${u[w + 9]}}`;
          break;
        }
        case K.service: {
          const op = u[w + 6]!;
          line += `,"kind":"service"${this.pidKeys(pid)},"op":"${SERVICE_OPS[op]}","service":${JSON.stringify(this.serviceNames[u[w + 7]!] ?? "?")},"${op === 0 ? "type" : "result"}":${i32[w + 8]},"bytes":${u[w + 9]}}`;
          break;
        }
        default:
          line += side[i] + "}";
      }
      out += line + "\n";
      if (out.length > 1 << 20) {
        this.sink(out);
        out = "";
      }
    }
    if (out) this.sink(out);
  }

  /** Moves the current buffer to the chunk list (spilling to disk past the memory limit). */
  private storeChunk(): void {
    if (this.count === 0) return;
    this.chunks.push({ bytes: this.buf, count: this.count, strings: this.strings });
    this.stored += this.count;
    this.inMemory += CHUNK_BYTES;
    if (this.inMemory > MEMORY_LIMIT) this.spillAll();
    this.buf = new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.strings = [];
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
      c.bytes = undefined;
    }
    this.inMemory = 0;
  }

  private slot(kind: number, icount: number, vt: number, pid: number, cpl: number, eip: number): number {
    if (this.count === CAPACITY) this.storeChunk();
    const w = this.count++ * WORDS;
    this.u32[w] = kind | (cpl << 8) | ((pid + 1) << 16);
    this.u32[w + 1] = eip;
    const f = this.f64;
    f[(w >> 1) + 1] = icount;
    f[(w >> 1) + 2] = vt;
    return w;
  }

  private pidKeys(pid: number): string {
    if (pid < 0) return `,"pid":null,"proc":null`;
    let keys = this.pidJson.get(pid);
    if (keys === undefined) this.pidJson.set(pid, (keys = `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`));
    return keys;
  }
}
