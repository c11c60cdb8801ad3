// Chrome Trace Event JSON (opens in Perfetto UI and chrome://tracing), written as the trace streams:
// one track per process with ring-3 time and kernel time as strictly nested slices (kernel entries that
// nest, nest), the idle loop on a "machine" track, IRQs as instants on an "IRQ lines" track, IPC as flow
// arrows, process names as metadata, timestamps = virtual time in µs.
import { EventFilter, type FilterOptions } from "./filter.ts";
import { entryLabel, TextFormatter } from "./format-text.ts";
import { formatRet, formatSyscall, hex32, irqLabel } from "./names.ts";
import { TraceReader, type ReadOptions } from "./reader.ts";
import type { TraceEvent } from "./schema.ts";
import { EntryPairing } from "./pairing.ts";

/** Where output goes: a function taking text pieces (buffered by the caller). */
export type Sink = (text: string) => void;

const MACHINE = 0; // Chrome pid of the machine track (idle loop, kernel work for no process, IRQ lines)
const IDLE_TID = 0;
const IRQ_TID = 1;

interface Open {
  name: string;
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  args: Record<string, unknown>;
}

const ts3 = (vt: number) => Math.round(vt * 1000) / 1000;

/** Streams one trace into Chrome Trace Event JSON. Feed events in order, then call `finish`. */
export class PerfettoWriter {
  private first = true;
  private readonly names = new Map<number, string>(); // chrome pid → process name
  private user: Open | null = null; // the open ring-3 (or idle) slice
  /** Open kernel slices: each process's own until its return (a blocked call spans the time it waited), the idle loop's until the CPU next returns (pairing.ts). */
  private readonly kernel = new EntryPairing<Open>();
  private readonly fmt = new TextFormatter();
  private flowId = 0;
  private lastVt = 0;
  slices = 0;
  instants = 0;
  flows = 0;

  constructor(private readonly out: Sink, meta: Record<string, unknown> = {}) {
    out(`{"displayTimeUnit":"ns","otherData":${JSON.stringify({ source: "ringside trace export", ...meta })},"traceEvents":[\n`);
  }

  private emit(o: Record<string, unknown>): void {
    this.out((this.first ? "" : ",\n") + JSON.stringify(o));
    this.first = false;
  }

  /** Chrome pid for a ringside pid (null: the machine track). */
  private track(pid: number | null, proc: string | null): number {
    if (pid === null) return MACHINE;
    const p = pid + 1;
    if (proc !== null && this.names.get(p) !== proc) this.names.set(p, proc);
    else if (!this.names.has(p)) this.names.set(p, `pid ${pid}`);
    return p;
  }

  private close(o: Open, vt: number): void {
    const ts = ts3(o.ts);
    this.emit({ name: o.name, cat: o.cat, ph: "X", ts, dur: Math.max(0, ts3(vt) - ts), pid: o.pid, tid: o.tid, args: o.args });
    this.slices++;
  }

  private closeUser(vt: number): void {
    if (this.user) this.close(this.user, vt);
    this.user = null;
  }

  /** Adds one event. */
  add(ev: TraceEvent): void {
    const k = ev.kind;
    const vt = ev.vt;
    this.lastVt = vt;
    const text = this.fmt.format(ev);
    if (k === "syscall" || k === "exception" || k === "irq") {
      this.closeUser(vt);
      const pid = this.track(ev.pid, ev.proc);
      const args: Record<string, unknown> = { seq: ev.seq, icount: ev.icount, from_ring: ev.cpl_from, eip: this.fmt.symbolMap.symbolize(ev.pid, ev.eip ?? 0) };
      if (k === "syscall") args.call = formatSyscall(ev.nr ?? -1, ev.args, ev.name);
      if (k === "exception") {
        args.error_code = ev.error_code;
        if (typeof ev.cr2 === "number") args.cr2 = hex32(ev.cr2);
        if (ev.insn) args.insn = ev.insn;
      }
      const name = k === "syscall" ? `syscall ${entryLabel(ev)}` : entryLabel(ev);
      const stale = this.kernel.own(ev.pid);
      if (stale) this.close(stale, vt); // its return is not in the events read (a filter, a cut trace)
      this.kernel.enter(ev.pid, { name, cat: k, pid, tid: pid === MACHINE ? IDLE_TID : pid, ts: vt, args });
      if (k === "irq") {
        this.emit({ name: irqLabel(ev.irq ?? -1, ev.name), cat: "irq", ph: "i", s: "t", ts: ts3(vt), pid: MACHINE, tid: IRQ_TID, args: { seq: ev.seq, interrupted: ev.pid === null ? "idle loop" : `${ev.proc}-${ev.pid} in ring ${ev.cpl_from}` } });
        this.instants++;
      }
      return;
    }
    if (k === "return") {
      // The CPU leaves the kernel: the idle loop's entry (say an IRQ that woke a process) ends at any
      // return; a process's own entry only at its own (a process that blocked is still in it).
      const idle = this.kernel.own(null);
      this.kernel.drop(null);
      if (idle && ev.pid !== null) this.close(idle, vt);
      const o = ev.pid === null ? idle : this.kernel.leave(ev.pid);
      if (o) {
        if (typeof ev.ret === "number") o.args.ret = formatRet(ev.ret).slice(2);
        o.args.return_seq = ev.seq;
        o.args.instructions = ev.icount - (o.args.icount as number);
        this.close(o, vt);
      }
      this.closeUser(vt);
      const pid = this.track(ev.cpl_to === 3 ? ev.pid : null, ev.proc);
      this.user = ev.cpl_to === 3
        ? { name: "ring 3", cat: "user", pid, tid: pid, ts: vt, args: { seq: ev.seq, eip: this.fmt.symbolMap.symbolize(ev.pid, ev.eip ?? 0) } }
        : { name: "idle", cat: "idle", pid: MACHINE, tid: IDLE_TID, ts: vt, args: { seq: ev.seq } };
      return;
    }
    if (k === "ipc") {
      const src = typeof ev.src === "number" ? ev.src : ev.pid;
      const dst = typeof ev.dst === "number" ? ev.dst : null;
      const id = ++this.flowId & 0x7fffffff;
      const sp = this.track(src, src === ev.pid ? ev.proc : null);
      const dp = this.track(dst, null);
      const name = `ipc ${ev.op ?? ""}`.trim();
      this.emit({ name, cat: "ipc", ph: "s", id, ts: ts3(vt), pid: sp, tid: sp === MACHINE ? IDLE_TID : sp, args: { seq: ev.seq, bytes: ev.bytes } });
      this.emit({ name, cat: "ipc", ph: "f", id, ts: ts3(vt), pid: dp, tid: dp === MACHINE ? IDLE_TID : dp });
      this.flows++;
      return;
    }
    // Kernel actions and unknown kinds: instants on the process's track.
    const pid = this.track(ev.pid, ev.proc);
    const detail = text.slice(text.indexOf(ev.kind, 30) + ev.kind.length).trim();
    this.emit({ name: k, cat: "kernel", ph: "i", s: "t", ts: ts3(vt), pid, tid: pid === MACHINE ? IDLE_TID : pid, args: { seq: ev.seq, detail } });
    this.instants++;
  }

  /** Closes open slices at the last event's time, writes the metadata and ends the JSON. */
  finish(): void {
    for (const o of this.kernel.values()) this.close(o, this.lastVt);
    this.closeUser(this.lastVt);
    const meta = (name: string, pid: number, tid: number, args: Record<string, unknown>) => this.emit({ name, ph: "M", pid, tid, args });
    meta("process_name", MACHINE, IDLE_TID, { name: "machine" });
    meta("process_sort_index", MACHINE, IDLE_TID, { sort_index: 0 });
    meta("thread_name", MACHINE, IDLE_TID, { name: "idle loop / kernel (no process)" });
    meta("thread_name", MACHINE, IRQ_TID, { name: "IRQ lines" });
    for (const [pid, name] of [...this.names].sort((a, b) => a[0] - b[0])) {
      meta("process_name", pid, pid, { name: `${name} (pid ${pid - 1})` });
      meta("process_sort_index", pid, pid, { sort_index: pid });
      meta("thread_name", pid, pid, { name });
    }
    this.out("\n]}\n");
  }
}

/** Exports `path` (events passing `filter`) to Chrome Trace Event JSON through `sink`. */
export async function exportPerfetto(path: string, sink: Sink, o: FilterOptions = {}, read: ReadOptions = {}): Promise<PerfettoWriter> {
  const reader = await TraceReader.open(path, read);
  const filter = new EventFilter(o);
  const w = new PerfettoWriter(sink, { trace: path, mode: reader.header.mode, ipms: reader.header.ipms });
  await reader.forEach((ev) => {
    if (filter.pastEnd(ev)) return false;
    if (filter.empty || filter.accept(ev)) w.add(ev);
  });
  w.finish();
  return w;
}
