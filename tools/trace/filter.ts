// Event filters shared by `show`, `summary`, `export` and `report`, so that the same options select the
// same events everywhere (summary counts agree with `show | wc -l`).
import { UserError } from "../errors.ts";
import { parseVector, syscallName, syscallNumber } from "./names.ts";
import type { TraceEvent } from "./schema.ts";
import { EntryPairing } from "./pairing.ts";

/** The filter options as the CLI receives them (comma-separated lists allowed). */
export interface FilterOptions {
  pid?: string;
  proc?: string;
  kind?: string;
  vector?: string;
  syscall?: string;
  ring?: string;
  from?: string;
  to?: string;
  grep?: string;
}

/** A point in a trace: an event seq, or a virtual time in µs. */
export type Bound = { seq: number } | { vt: number };

/** "120" → seq 120; "1.5ms", "200us", "200µs", "0.3s" → virtual time. */
export function parseBound(s: string, opt: string): Bound {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|ms|us|µs)?\s*$/.exec(s);
  if (!m) throw new UserError(`${opt} ${JSON.stringify(s)}: expected an event seq (e.g. 120) or a virtual time (e.g. 1.5ms, 200us, 0.3s)`, 2);
  const n = Number(m[1]);
  if (!m[2]) {
    if (!Number.isInteger(n)) throw new UserError(`${opt} ${s}: a seq must be an integer (add a unit for a time: 1.5ms)`, 2);
    return { seq: n };
  }
  return { vt: n * (m[2] === "s" ? 1e6 : m[2] === "ms" ? 1e3 : 1) };
}

const list = (s: string | undefined): string[] | undefined =>
  s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter((x) => x.length > 0);

const RINGS: Record<string, string> = {
  "3→0": "3>0", "3->0": "3>0", "0→3": "0>3", "0->3": "0>3", "0→0": "0>0", "0->0": "0>0", "3": "3", "0": "0",
};

/**
 * Decides which events pass. Stateful: a `return` passes a --syscall/--vector filter when the entry it
 * returns from did, so call `accept` on every event in order.
 */
export class EventFilter {
  private readonly pids?: Set<number | null>;
  private readonly procs?: Set<string>;
  private readonly kinds?: Set<string>;
  private readonly vectors?: Set<number>;
  private readonly irqs?: Set<number>;
  private readonly syscalls?: { nrs: Set<number>; names: Set<string> };
  private readonly ring?: string;
  private readonly from?: Bound;
  private readonly to?: Bound;
  readonly grep?: RegExp;
  /** True when no option narrows anything. */
  readonly empty: boolean;
  /** Whether each open kernel entry passed --syscall/--vector (pairing.ts): its return passes with it. */
  private readonly open = new EntryPairing<boolean>();

  constructor(o: FilterOptions = {}) {
    const pids = list(o.pid);
    if (pids) {
      this.pids = new Set(
        pids.map((p) => {
          if (p === "idle" || p === "null" || p === "-") return null;
          if (!/^\d+$/.test(p)) throw new UserError(`--pid ${JSON.stringify(p)}: expected process ids like 2 or 2,3 (or "idle")`, 2);
          return Number(p);
        }),
      );
    }
    const procs = list(o.proc);
    if (procs) this.procs = new Set(procs);
    const kinds = list(o.kind);
    if (kinds) this.kinds = new Set(kinds);
    const vectors = list(o.vector);
    if (vectors) {
      this.vectors = new Set();
      this.irqs = new Set();
      for (const v of vectors) {
        const irq = /^irq\s*(\d+)$/i.exec(v);
        if (irq) {
          this.irqs.add(Number(irq[1]));
          continue;
        }
        const n = parseVector(v);
        if (n === undefined) throw new UserError(`--vector ${JSON.stringify(v)}: expected an exception vector (14, 0xe, #PF, PF) or an IRQ line (irq14)`, 2);
        this.vectors.add(n);
      }
    }
    const sys = list(o.syscall);
    if (sys) {
      this.syscalls = { nrs: new Set(), names: new Set() };
      for (const s of sys) {
        const nr = syscallNumber(s);
        if (nr !== undefined) this.syscalls.nrs.add(nr);
        this.syscalls.names.add(s);
      }
    }
    if (o.ring !== undefined) {
      const r = RINGS[o.ring.trim()];
      if (!r) throw new UserError(`--ring ${JSON.stringify(o.ring)}: expected 3→0 (3->0), 0→3 (0->3), 0→0 (0->0), 3 or 0`, 2);
      this.ring = r;
    }
    if (o.from !== undefined) this.from = parseBound(o.from, "--from");
    if (o.to !== undefined) this.to = parseBound(o.to, "--to");
    if (o.grep !== undefined) {
      try {
        this.grep = new RegExp(o.grep);
      } catch (err) {
        throw new UserError(`--grep ${JSON.stringify(o.grep)}: not a valid regular expression (${(err as Error).message})`, 2);
      }
    }
    this.empty = Object.values(o).every((v) => v === undefined);
  }

  /** True once `ev` lies beyond --to: no later event can pass, so readers may stop. */
  pastEnd(ev: TraceEvent): boolean {
    const t = this.to;
    if (!t) return false;
    return "seq" in t ? ev.seq > t.seq : ev.vt > t.vt;
  }

  /** Whether `ev` passes every option except --grep (which needs the event's text: see `acceptText`). */
  accept(ev: TraceEvent): boolean {
    const k = ev.kind;
    let entryMatch = true;
    if (k === "syscall" || k === "exception" || k === "irq") {
      entryMatch = this.entryMatches(ev);
      this.open.enter(ev.pid, entryMatch);
    } else if (k === "return") {
      entryMatch = this.open.leave(ev.pid) ?? !(this.syscalls || this.vectors);
    } else if (this.syscalls || this.vectors) {
      entryMatch = false;
    }
    if (!entryMatch) return false;
    if (this.from) {
      if ("seq" in this.from ? ev.seq < this.from.seq : ev.vt < this.from.vt) return false;
    }
    if (this.to && this.pastEnd(ev)) return false;
    if (this.pids && !this.pids.has(ev.pid)) return false;
    if (this.procs && !(ev.proc !== null && this.procs.has(ev.proc))) return false;
    if (this.kinds && !this.kinds.has(k)) return false;
    if (this.ring) {
      let r: string;
      if (k === "return") r = `0>${ev.cpl_to}`;
      else if (k === "syscall" || k === "exception" || k === "irq") r = `${ev.cpl_from}>0`;
      else return false;
      if (this.ring === "3" ? r === "0>0" : this.ring === "0" ? r !== "0>0" : r !== this.ring) return false;
    }
    return true;
  }

  /** Whether the event's text line passes --grep (true when there is no --grep). */
  acceptText(text: string): boolean {
    return this.grep ? this.grep.test(text) : true;
  }

  private entryMatches(ev: TraceEvent): boolean {
    if (this.syscalls || this.vectors) {
      let hit = false;
      if (this.syscalls && ev.kind === "syscall") {
        const nr = ev.nr ?? -1;
        hit = this.syscalls.nrs.has(nr) || this.syscalls.names.has(syscallName(nr, ev.name));
      }
      if (!hit && this.vectors && ev.kind === "exception") hit = this.vectors.has(ev.vector ?? -1);
      if (!hit && this.irqs && ev.kind === "irq") hit = this.irqs.has(ev.irq ?? -1);
      return hit;
    }
    return true;
  }
}
