// The trace recorder. Kernel entries and exits are written into a preallocated Float64Array on the
// hot path (no allocation, no formatting). A full buffer is spilled as raw binary to a temporary
// file (bounded memory on long runs); `finish()` formats everything to JSONL, in order, into the
// sink after the run. Schema: docs/trace.md (version 1).
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
  object, // a rare event stored as a preformatted tail in `objects`
}

const SLOTS = 12; // kind, icount, vt, pid, cpl, eip, a0..a5
const CAPACITY = 4096;

export interface TraceHeader {
  ipms: number;
  mode: "monolithic" | "microkernel";
  tool: string;
}

/** Records trace events; `sink` receives formatted JSONL text in order. */
export class TraceRecorder {
  private readonly buf = new Float64Array(CAPACITY * SLOTS);
  private readonly objects: (string | undefined)[] = new Array(CAPACITY);
  private count = 0;
  private seq = 0;
  private spilled = 0; // events in the spill file
  private spillFd: number | undefined;
  private spillPath: string | undefined;
  /** Side strings of each spilled chunk, as sparse [index, text] pairs. */
  private readonly spillObjects: [number, string][][] = [];
  private readonly procNames = new Map<number, string>();
  /** Process names in effect from event index `at` on. */
  private readonly nameChanges: { at: number; pid: number; name: string }[] = [];
  private finished = false;
  /** Events recorded so far. */
  get events(): number {
    return this.spilled + this.count;
  }

  constructor(
    private readonly sink: (text: string) => void,
    header: TraceHeader,
    private readonly syscallName: (nr: number) => string,
  ) {
    sink(`{"trace":"ringside","version":${TRACE_VERSION},"ipms":${header.ipms},"mode":${JSON.stringify(header.mode)},"tool":${JSON.stringify(header.tool)}}\n`);
  }

  /** Names process `pid` for the events that follow (call before its first event). */
  nameProcess(pid: number, name: string): void {
    this.nameChanges.push({ at: this.events, pid, name });
    this.procNames.set(pid, name);
  }

  syscall(icount: number, vt: number, pid: number, cplFrom: number, eip: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number): void {
    const b = this.buf;
    const o = this.slot(K.syscall, icount, vt, pid, cplFrom, eip);
    b[o + 6] = nr >>> 0; b[o + 7] = a0 >>> 0; b[o + 8] = a1 >>> 0; b[o + 9] = a2 >>> 0; b[o + 10] = a3 >>> 0; b[o + 11] = a4 >>> 0;
  }

  exception(icount: number, vt: number, pid: number, cplFrom: number, eip: number, vector: number, errorCode: number, cr2: number, insn: string | undefined): void {
    const b = this.buf;
    const o = this.slot(K.exception, icount, vt, pid, cplFrom, eip);
    b[o + 6] = vector; b[o + 7] = errorCode >>> 0; b[o + 8] = cr2 >>> 0;
    this.objects[this.count - 1] = insn;
  }

  irq(icount: number, vt: number, pid: number, cplFrom: number, eip: number, line: number): void {
    const o = this.slot(K.irq, icount, vt, pid, cplFrom, eip);
    this.buf[o + 6] = line;
  }

  /** A kernel exit to ring `cplTo`; after a syscall pass `ret` (else undefined). */
  ret(icount: number, vt: number, pid: number, cplTo: number, eip: number, ret: number | undefined): void {
    const o = this.slot(ret === undefined ? K.ret : K.retSyscall, icount, vt, pid, cplTo, eip);
    if (ret !== undefined) this.buf[o + 6] = ret | 0;
  }

  /** A rare event (load, spawn, exit, halt …): `fields` are serialised in insertion order after the common keys. */
  action(icount: number, vt: number, pid: number, kind: string, fields: Record<string, unknown>): void {
    let tail = `,"kind":${JSON.stringify(kind)}`;
    tail += pid < 0 ? `,"pid":null,"proc":null` : `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`;
    for (const [k, v] of Object.entries(fields)) tail += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    this.slot(K.object, icount, vt, pid, 0, 0);
    this.objects[this.count - 1] = tail;
  }

  /** Formats every recorded event, in order, into the sink (call once, after the run). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.procNames.clear();
    this.nextName = 0;
    if (this.spillFd !== undefined) {
      const chunk = new Float64Array(CAPACITY * SLOTS);
      const bytes = new Uint8Array(chunk.buffer);
      let pos = 0;
      const objects: (string | undefined)[] = new Array(CAPACITY);
      for (const pairs of this.spillObjects) {
        readSync(this.spillFd, bytes, 0, bytes.length, pos);
        pos += bytes.length;
        objects.fill(undefined);
        for (const [i, text] of pairs) objects[i] = text;
        this.format(chunk, objects, CAPACITY);
      }
      closeSync(this.spillFd);
      unlinkSync(this.spillPath!);
      this.spillFd = undefined;
    }
    this.format(this.buf, this.objects, this.count);
    this.count = 0;
  }

  private nextName = 0;

  /** Formats `n` records of `b` (with their side strings) into the sink. */
  private format(b: Float64Array, objects: (string | undefined)[], n: number): void {
    let out = "";
    for (let i = 0; i < n; i++) {
      while (this.nextName < this.nameChanges.length && this.nameChanges[this.nextName]!.at <= this.seq) {
        const c = this.nameChanges[this.nextName++]!;
        this.procNames.set(c.pid, c.name);
      }
      const o = i * SLOTS;
      const kind = b[o]!;
      const pid = b[o + 3]!;
      const cpl = b[o + 4]!;
      const eip = b[o + 5]!;
      let line = `{"seq":${this.seq++},"icount":${b[o + 1]},"vt":${b[o + 2]}`;
      switch (kind) {
        case K.syscall: {
          const nr = b[o + 6]!;
          line += `,"kind":"syscall"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip},"nr":${nr},"name":${JSON.stringify(this.syscallName(nr))},"args":[${b[o + 7]},${b[o + 8]},${b[o + 9]},${b[o + 10]},${b[o + 11]}]}`;
          break;
        }
        case K.exception: {
          const v = b[o + 6]!;
          line += `,"kind":"exception"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip},"vector":${v},"name":${JSON.stringify(VECTOR_NAMES[v] ?? `#${v}`)},"error_code":${b[o + 7]}`;
          if (v === 14) line += `,"cr2":${b[o + 8]}`;
          const insn = objects[i];
          if (insn !== undefined) line += `,"insn":${JSON.stringify(insn)}`;
          line += "}";
          break;
        }
        case K.irq: {
          const irq = b[o + 6]!;
          line += `,"kind":"irq"${this.pidKeys(pid)},"cpl_from":${cpl},"cpl_to":0,"eip":${eip},"irq":${irq},"name":${JSON.stringify(IRQ_NAMES[irq] ?? `irq${irq}`)}}`;
          break;
        }
        case K.ret:
          line += `,"kind":"return"${this.pidKeys(pid)},"cpl_from":0,"cpl_to":${cpl},"eip":${eip}}`;
          break;
        case K.retSyscall:
          line += `,"kind":"return"${this.pidKeys(pid)},"cpl_from":0,"cpl_to":${cpl},"eip":${eip},"ret":${b[o + 6]}}`;
          break;
        default:
          line += objects[i] + "}";
      }
      out += line + "\n";
      if (out.length > 1 << 20) {
        this.sink(out);
        out = "";
      }
    }
    if (out) this.sink(out);
  }

  /** Moves the full buffer to the spill file (raw bytes; its side strings stay in memory). */
  private spill(): void {
    if (this.spillFd === undefined) {
      this.spillPath = path.join(os.tmpdir(), `ringside-trace-${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
      this.spillFd = openSync(this.spillPath, "w+");
    }
    writeSync(this.spillFd, new Uint8Array(this.buf.buffer));
    const pairs: [number, string][] = [];
    for (let i = 0; i < CAPACITY; i++) {
      const o = this.objects[i];
      if (o !== undefined) {
        pairs.push([i, o]);
        this.objects[i] = undefined;
      }
    }
    this.spillObjects.push(pairs);
    this.spilled += this.count;
    this.count = 0;
  }

  private slot(kind: number, icount: number, vt: number, pid: number, cpl: number, eip: number): number {
    if (this.count === CAPACITY) this.spill();
    const o = this.count++ * SLOTS;
    const b = this.buf;
    b[o] = kind; b[o + 1] = icount; b[o + 2] = vt; b[o + 3] = pid; b[o + 4] = cpl; b[o + 5] = eip >>> 0;
    return o;
  }

  private pidKeys(pid: number): string {
    if (pid < 0) return `,"pid":null,"proc":null`;
    return `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`;
  }
}
