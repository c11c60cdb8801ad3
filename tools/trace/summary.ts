// Aggregates a trace in one streaming pass: counts by kind, vector, syscall and process; ring residency
// per process; transition rate; IPC by sender→receiver; top faulting EIPs. Memory grows only with the
// number of distinct processes, syscalls, vectors and faulting EIPs, never with the number of events.
import { formatRet, irqLabel, syscallName, vectorName } from "./names.ts";
import type { TraceEvent, TraceHeader } from "./schema.ts";
import { SymbolMap } from "./symbols.ts";

export interface Residency {
  ring3_instr: number;
  ring0_instr: number;
  idle_instr: number; // idle loop (ring 0, no process) — only on the <idle> row
  ring3_us: number;
  ring0_us: number;
  idle_us: number;
}

export interface ProcessRow extends Residency {
  pid: number | null;
  proc: string; // "<idle>" for pid null
  events: number;
  entries: number; // transitions into the kernel from (or on behalf of) this process
  returns: number; // transitions out of the kernel to this process (or to the idle loop)
  syscalls: number;
  exceptions: number;
  irqs: number;
}

export interface FaultRow {
  pid: number | null;
  proc: string;
  vector: string;
  eip: number;
  where: string; // "0x00401a2c <read_line+0x1c>"
  insn: string | null;
  count: number;
}

export interface Summary {
  trace: { version: number; mode: string; ipms: number; tool: string };
  events: number;
  first_seq: number | null;
  last_seq: number | null;
  vt_us: { first: number; last: number; span: number };
  icount: { first: number; last: number; span: number };
  halted: { reason: string; status: number | null } | null;
  by_kind: Record<string, number>;
  by_vector: Record<string, number>;
  by_syscall: Record<string, { count: number; errors: number; last_error: string | null }>;
  processes: ProcessRow[];
  transitions: { total: number; entries: number; returns: number; unattributed: number; per_virtual_second: number };
  ipc: { src: number | null; dst: number | null; pair: string; count: number; bytes: number }[];
  /** In-kernel service requests (monolithic mode), by client and service: requests and payload bytes both ways. */
  services: { client: number | null; service: string; pair: string; requests: number; bytes: number }[];
  top_faults: FaultRow[];
  bad_lines: number;
}

const MAX_FAULT_SITES = 100_000;

type Segment = "none" | "user" | "kernel" | "idle";

/** Streams events into a Summary. `observe` sees every event in the window (for ring residency); `count` the filtered ones. */
export class SummaryBuilder {
  private readonly procs = new Map<number | null, ProcessRow>();
  private readonly kinds = new Map<string, number>();
  private readonly vectors = new Map<string, number>();
  private readonly syscalls = new Map<string, { count: number; errors: number; last_error: string | null }>();
  private readonly ipc = new Map<string, { src: number | null; dst: number | null; pair: string; count: number; bytes: number }>();
  private readonly services = new Map<string, { client: number | null; service: string; pair: string; requests: number; bytes: number }>();
  private readonly faults = new Map<string, FaultRow>();
  private readonly symbols = new SymbolMap();
  /** The open kernel entry of each process (key: pid, -1 for idle): a syscall name, or null. */
  private readonly openSyscalls = new Map<number, string | null>();
  private events = 0;
  private entries = 0;
  private returns = 0;
  private unattributed = 0;
  private firstSeq: number | null = null;
  private lastSeq: number | null = null;
  private firstVt = 0;
  private lastVt = 0;
  private firstIcount = 0;
  private lastIcount = 0;
  private halted: Summary["halted"] = null;
  // residency state: what the CPU has been doing since (segIcount, segVt), and for whom
  private seg: Segment = "none";
  private segPid: number | null = null;
  private segIcount = 0;
  private segVt = 0;
  private segKernel: (number | null)[] = []; // pids of open kernel entries (innermost last)

  constructor(readonly header: TraceHeader) {}

  private row(pid: number | null, proc: string | null): ProcessRow {
    let r = this.procs.get(pid);
    if (!r) {
      r = {
        pid, proc: pid === null ? "<idle>" : detach(proc ?? "?"),
        events: 0, entries: 0, returns: 0, syscalls: 0, exceptions: 0, irqs: 0,
        ring3_instr: 0, ring0_instr: 0, idle_instr: 0, ring3_us: 0, ring0_us: 0, idle_us: 0,
      };
      this.procs.set(pid, r);
    } else if (pid !== null && proc !== null && r.proc !== proc) {
      r.proc = detach(proc); // exec changed the name: keep the latest
    }
    return r;
  }

  /** Ends the current residency segment at `ev` and charges it to its process. */
  private close(ev: TraceEvent): void {
    if (this.seg === "none") return;
    const di = ev.icount - this.segIcount;
    const dt = ev.vt - this.segVt;
    const r = this.procs.get(this.segPid) ?? this.row(this.segPid, null);
    if (this.seg === "user") {
      r.ring3_instr += di;
      r.ring3_us += dt;
    } else if (this.seg === "kernel") {
      r.ring0_instr += di;
      r.ring0_us += dt;
    } else {
      r.idle_instr += di;
      r.idle_us += dt;
    }
  }

  private start(seg: Segment, pid: number | null, ev: TraceEvent): void {
    this.seg = seg;
    this.segPid = pid;
    this.segIcount = ev.icount;
    this.segVt = ev.vt;
  }

  /** Ring residency: call for every event inside the time window, in order (filtered or not). */
  observe(ev: TraceEvent): void {
    const k = ev.kind;
    if (k === "syscall" || k === "exception" || k === "irq") {
      this.close(ev);
      this.segKernel.push(ev.pid);
      if (this.segKernel.length > 64) this.segKernel.shift();
      this.start("kernel", ev.pid, ev);
    } else if (k === "return") {
      this.close(ev);
      this.segKernel.pop();
      if (ev.cpl_to === 3) this.start("user", ev.pid, ev);
      else if (this.segKernel.length > 0) this.start("kernel", this.segKernel[this.segKernel.length - 1], ev);
      else this.start("idle", null, ev);
    } else if (this.seg === "none") {
      this.start("kernel", null, ev); // before the first ring event: the kernel booting
    }
    if (k === "load" || k === "spawn") this.symbols.observe(ev);
    this.lastIcountSeen = ev.icount;
    this.lastVtSeen = ev.vt;
  }
  private lastIcountSeen = 0;
  private lastVtSeen = 0;

  /** Counts one event that passed the filters. */
  count(ev: TraceEvent): void {
    const k = ev.kind;
    if (this.firstSeq === null) {
      this.firstSeq = ev.seq;
      this.firstVt = ev.vt;
      this.firstIcount = ev.icount;
    }
    this.lastSeq = ev.seq;
    this.lastVt = ev.vt;
    this.lastIcount = ev.icount;
    this.events++;
    this.kinds.set(k, (this.kinds.get(k) ?? 0) + 1);
    const r = this.procs.get(ev.pid) ?? this.row(ev.pid, ev.proc);
    if (ev.pid !== null && ev.proc !== null && r.proc !== ev.proc) r.proc = detach(ev.proc);
    r.events++;
    switch (k) {
      case "syscall": {
        this.entries++;
        r.entries++;
        r.syscalls++;
        if (ev.pid === null && ev.cpl_from === 3) this.unattributed++;
        const name = syscallName(ev.nr ?? -1, ev.name);
        const s = this.syscalls.get(name);
        if (s) s.count++;
        else this.syscalls.set(detach(name), { count: 1, errors: 0, last_error: null });
        this.openSyscalls.set(ev.pid ?? -1, name);
        break;
      }
      case "exception":
      case "irq": {
        this.entries++;
        r.entries++;
        if (ev.pid === null && ev.cpl_from === 3) this.unattributed++;
        const label = k === "exception" ? vectorName(ev.vector ?? -1) : irqLabel(ev.irq ?? -1, ev.name);
        const n = this.vectors.get(label);
        this.vectors.set(n === undefined ? detach(label) : label, (n ?? 0) + 1);
        this.openSyscalls.set(ev.pid ?? -1, null);
        if (k === "irq") r.irqs++;
        else {
          r.exceptions++;
          this.fault(ev, label);
        }
        break;
      }
      case "return": {
        this.returns++;
        r.returns++;
        if (ev.pid === null && ev.cpl_to === 3) this.unattributed++;
        const key = ev.pid ?? -1;
        const name = this.openSyscalls.get(key);
        this.openSyscalls.delete(key);
        if (name && typeof ev.ret === "number" && ev.ret < 0 && ev.ret > -4096) {
          const s = this.syscalls.get(name);
          if (s) {
            s.errors++;
            s.last_error = formatRet(ev.ret).slice(2);
          }
        }
        break;
      }
      case "ipc": {
        // A message is counted once, at its send (or reply / notify); its `receive` event only adds
        // the bytes copied at delivery. A null src is the kernel (notifications).
        const src = typeof ev.src === "number" ? ev.src : null;
        const dst = typeof ev.dst === "number" ? ev.dst : null;
        const key = `${src}>${dst}`;
        let p = this.ipc.get(key);
        if (!p) {
          p = { src, dst, pair: detach(`${src ?? "kernel"}→${dst ?? "kernel"}`), count: 0, bytes: 0 };
          this.ipc.set(key, p);
        }
        if (ev.op !== "receive") p.count++;
        if (typeof ev.bytes === "number") p.bytes += ev.bytes;
        break;
      }
      case "service": {
        const client = ev.pid;
        const service = String(ev.service ?? "?");
        const key = `${client}>${service}`;
        let p = this.services.get(key);
        if (!p) {
          p = { client, service: detach(service), pair: detach(`${client ?? "kernel"}→${service}`), requests: 0, bytes: 0 };
          this.services.set(key, p);
        }
        if (ev.op === "request") p.requests++;
        if (typeof ev.bytes === "number") p.bytes += ev.bytes;
        break;
      }
      case "halt":
        this.halted = { reason: detach(String(ev.reason ?? "?")), status: typeof ev.status === "number" ? ev.status : null };
        break;
    }
  }

  private fault(ev: TraceEvent, label: string): void {
    const eip = ev.eip ?? 0;
    const key = `${ev.pid}:${label}:${eip}`;
    const f = this.faults.get(key);
    if (f) {
      f.count++;
      return;
    }
    if (this.faults.size >= MAX_FAULT_SITES) return;
    this.faults.set(key, {
      pid: ev.pid, proc: detach(ev.proc ?? "<idle>"), vector: detach(label), eip,
      where: detach(this.symbols.symbolize(ev.pid, eip)), insn: ev.insn === undefined ? null : detach(ev.insn), count: 1,
    });
  }

  /** The finished summary; `badLines` is the reader's count of skipped lines. */
  result(badLines = 0): Summary {
    // Charge the segment still open at the end of the trace up to the last event seen.
    if (this.seg !== "none") {
      this.close({ icount: this.lastIcountSeen, vt: this.lastVtSeen } as TraceEvent);
      this.seg = "none";
    }
    const span = this.lastVt - this.firstVt;
    const total = this.entries + this.returns;
    const sortDesc = <T>(m: Map<string, T>, n: (v: T) => number) =>
      Object.fromEntries([...m].sort((a, b) => n(b[1]) - n(a[1]) || (a[0] < b[0] ? -1 : 1)));
    const procs = [...this.procs.values()].sort((a, b) => (a.pid ?? -1) - (b.pid ?? -1));
    for (const p of procs) {
      p.ring3_us = round3(p.ring3_us);
      p.ring0_us = round3(p.ring0_us);
      p.idle_us = round3(p.idle_us);
    }
    return {
      trace: {
        version: this.header.version, mode: String(this.header.mode ?? "?"), ipms: this.header.ipms, tool: String(this.header.tool ?? "?"),
      },
      events: this.events,
      first_seq: this.firstSeq,
      last_seq: this.lastSeq,
      vt_us: { first: this.firstVt, last: this.lastVt, span: round3(span) },
      icount: { first: this.firstIcount, last: this.lastIcount, span: this.lastIcount - this.firstIcount },
      halted: this.halted,
      by_kind: sortDesc(this.kinds, (v) => v),
      by_vector: sortDesc(this.vectors, (v) => v),
      by_syscall: sortDesc(this.syscalls, (v) => v.count),
      processes: procs,
      transitions: {
        total, entries: this.entries, returns: this.returns, unattributed: this.unattributed,
        per_virtual_second: span > 0 ? Math.round((total / span) * 1e6) : 0,
      },
      ipc: [...this.ipc.values()].sort((a, b) => b.bytes - a.bytes || b.count - a.count),
      services: [...this.services.values()].sort((a, b) => b.bytes - a.bytes || b.requests - a.requests),
      top_faults: [...this.faults.values()].sort((a, b) => b.count - a.count || a.eip - b.eip).slice(0, 10),
      bad_lines: badLines,
    };
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A copy of `s` that does not keep the (large) line or chunk it was sliced from alive. */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, "utf8").toString("utf8");
}

/** A plain-text table: header row, rule, rows; numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const w = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const right = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[-\d.,%]+$/.test(String(r[i]))));
  const fmt = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  return [fmt(headers), w.map((n) => "-".repeat(n)).join("  "), ...cells.map(fmt)].join("\n");
}

const pct = (part: number, whole: number) => (whole > 0 ? ((100 * part) / whole).toFixed(1) + "%" : "-");
const us = (x: number) => (x >= 1e6 ? (x / 1e6).toFixed(3) + "s" : x >= 1e3 ? (x / 1e3).toFixed(3) + "ms" : x.toFixed(1) + "µs");

/** The summary as human-readable tables. */
export function formatSummary(s: Summary): string {
  const out: string[] = [];
  out.push(
    `trace v${s.trace.version} (${s.trace.mode}, ${s.trace.ipms} instr/ms, ${s.trace.tool}): ${s.events} events` +
      (s.first_seq !== null ? `, seq ${s.first_seq}..${s.last_seq}` : "") +
      `, ${us(s.vt_us.span)} virtual, ${s.icount.span} instructions` +
      (s.halted ? `; halted: ${s.halted.reason}${s.halted.status !== null ? ` status ${s.halted.status}` : ""}` : "; no halt event (trace cut short?)") +
      (s.bad_lines ? `; ${s.bad_lines} bad lines skipped` : ""),
  );
  out.push("", "Events by kind", table(["kind", "count"], Object.entries(s.by_kind)));
  if (Object.keys(s.by_vector).length) out.push("", "Exceptions and IRQs", table(["vector", "count"], Object.entries(s.by_vector)));
  if (Object.keys(s.by_syscall).length) {
    out.push("", "Syscalls", table(["syscall", "count", "errors", "last error"], Object.entries(s.by_syscall).map(([n, v]) => [n, v.count, v.errors, v.last_error ?? ""])));
  }
  const totUs = s.processes.reduce((a, p) => a + p.ring3_us + p.ring0_us + p.idle_us, 0);
  const totIn = s.processes.reduce((a, p) => a + p.ring3_instr + p.ring0_instr + p.idle_instr, 0);
  out.push(
    "",
    "Processes (ring residency: guest instructions and virtual time; kernel time is charged to the process that entered)",
    table(
      ["pid", "proc", "events", "entries", "returns", "syscalls", "exc", "irqs", "ring3 instr", "ring0 instr", "ring3 time", "ring0 time", "idle time", "share"],
      s.processes.map((p) => [
        p.pid === null ? "-" : p.pid, p.proc, p.events, p.entries, p.returns, p.syscalls, p.exceptions, p.irqs,
        p.ring3_instr, p.ring0_instr + p.idle_instr, us(p.ring3_us), us(p.ring0_us), p.idle_us ? us(p.idle_us) : "", pct(p.ring3_us + p.ring0_us + p.idle_us, totUs),
      ]),
    ),
  );
  out.push(
    "",
    `Transitions: ${s.transitions.total} (${s.transitions.entries} entries, ${s.transitions.returns} returns), ` +
      `${s.transitions.per_virtual_second} per virtual second; ${s.transitions.unattributed} not attributed to a process; ` +
      `${totIn} instructions accounted`,
  );
  if (s.ipc.length) out.push("", "IPC by sender→receiver", table(["pair", "messages", "bytes"], s.ipc.map((p) => [p.pair, p.count, p.bytes])));
  if (s.services.length) out.push("", "In-kernel service requests by client→service", table(["pair", "requests", "bytes"], s.services.map((p) => [p.pair, p.requests, p.bytes])));
  if (s.top_faults.length) {
    out.push("", "Top faulting EIPs", table(["count", "vector", "pid", "proc", "eip", "instruction"], s.top_faults.map((f) => [f.count, f.vector, f.pid ?? "-", f.proc, f.where, f.insn ?? ""])));
  }
  return out.join("\n") + "\n";
}
