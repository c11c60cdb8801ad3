// Compares two traces event by event in bounded memory and reports the first divergence with a few
// events of context on both sides. Events are compared normalized (decode.ts), so traces of the same
// run in schema versions 1 and 2 are identical; lines equal as text in traces of the same version are
// equal, others are compared as JSON (key order ignored), so only a real difference in some value counts.
import { UserError } from "../errors.ts";
import { TextFormatter } from "./format-text.ts";
import { EventDecoder } from "./decode.ts";
import { checkEvent, checkTraceFile, LineReader, parseHeader, TraceLineError } from "./reader.ts";
import type { TraceEvent, TraceHeader } from "./schema.ts";

export interface DiffField {
  key: string;
  a: unknown;
  b: unknown;
}

export interface DiffResult {
  identical: boolean;
  events: number; // events compared equal before the divergence (or in total)
  notes: string[]; // differences that do not count (e.g. the header's "tool")
  divergence?: {
    seq: number | null; // seq of the first differing event (null: a header difference)
    line_a: number | null; // null: that trace had ended
    line_b: number | null;
    what: string; // one-line description
    fields: DiffField[];
    before: string[]; // common events just before, formatted
    after_a: string[]; // from the divergent event on, formatted
    after_b: string[];
  };
}

const HISTORY = 64; // lines kept to rebuild the formatter state (open entries) for the context

/** One side of the comparison: a line cursor over a trace file. */
class Side {
  private batch: string[] = [];
  private i = 0;
  private prev: TraceEvent | null = null;
  private events = 0;
  private dec = new EventDecoder(1);
  line = 0; // number of the line last returned
  /** The normalized event of the line last returned (null for the header). */
  event: TraceEvent | null = null;
  constructor(readonly path: string, readonly reader: LineReader) {}
  /** Reads the header line; its version says how the events are decoded. */
  async header(): Promise<TraceHeader> {
    const h = parseHeader(this.path, (await this.next()) ?? undefined);
    this.dec = new EventDecoder(h.version);
    return h;
  }
  /** The next non-blank line, or null at the end. After the header, guarantees the line is an event
   *  every trace tool accepts (its normalized form in `event`): otherwise a TraceLineError names the
   *  file and line (as `trace show` does). */
  async next(): Promise<string | null> {
    for (;;) {
      while (this.i >= this.batch.length) {
        const b = await this.reader.next();
        if (b === null) {
          if (this.reader.lastLineUnterminated && this.prev) throw new TraceLineError(this.path, this.line, "truncated event (the last line has no newline)");
          this.event = null;
          return null;
        }
        this.batch = b;
        this.i = 0;
      }
      const s = this.batch[this.i++];
      this.line++;
      if (s.length === 0) continue;
      if (this.events++ > 0) this.check(s);
      return s;
    }
  }
  /** Throws a line-numbered TraceLineError unless `s` is a well-formed event following the previous one. */
  private check(s: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(s);
    } catch {
      throw new TraceLineError(this.path, this.line, this.i === this.batch.length && this.reader.lastLineUnterminated ? "truncated event" : "invalid JSON");
    }
    ev = this.dec.decode(ev);
    const bad = checkEvent(ev, this.prev);
    if (bad) throw new TraceLineError(this.path, this.line, bad);
    this.prev = this.event = ev as TraceEvent;
  }
}

/** Keys whose values differ (by their JSON text), in the order they appear in `a` then `b`. */
export function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): DiffField[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const out: DiffField[] = [];
  for (const k of keys) {
    if (canonical(a[k]) !== canonical(b[k])) out.push({ key: k, a: a[k], b: b[k] });
  }
  return out;
}

function canonical(v: unknown): string {
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (typeof v === "object" && v !== null) {
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical((v as Record<string, unknown>)[k])).join(",") + "}";
  }
  return JSON.stringify(v);
}

/** Compares traces `pathA` and `pathB`; `context` events are shown on each side of a divergence. */
export async function diffTraces(pathA: string, pathB: string, context = 3): Promise<DiffResult> {
  await checkTraceFile(pathA);
  await checkTraceFile(pathB);
  if (pathA === "-" && pathB === "-") throw new UserError("trace diff: only one of the traces can be stdin (-)", 2);
  const A = new Side(pathA, new LineReader(pathA));
  const B = new Side(pathB, new LineReader(pathB));
  const ha = await A.header();
  const hb = await B.header();
  const notes: string[] = [];
  const hf = differingFields(ha, hb);
  const real = hf.filter((f) => f.key !== "tool" && f.key !== "version");
  if (hf.some((f) => f.key === "tool")) notes.push(`headers name different tools: ${JSON.stringify(ha.tool)} vs ${JSON.stringify(hb.tool)}`);
  if (ha.version !== hb.version) notes.push(`schema versions differ: ${ha.version} vs ${hb.version} (events compared as read)`);
  const sameVersion = ha.version === hb.version;
  if (real.length > 0) {
    return {
      identical: false,
      events: 0,
      notes,
      divergence: {
        seq: null, line_a: 1, line_b: 1, fields: real, before: [], after_a: [], after_b: [],
        what: "headers differ: " + real.map((f) => `${f.key} ${JSON.stringify(f.a)} vs ${JSON.stringify(f.b)}`).join(", "),
      },
    };
  }

  const symbolsOnly = new TextFormatter(); // state of everything older than `history`
  const history: TraceEvent[] = [];
  let events = 0;
  const remember = (ev: TraceEvent): void => {
    events++;
    history.push(ev);
    if (history.length > HISTORY) {
      const old = history.shift() as TraceEvent;
      if (old.kind === "load" || old.kind === "spawn") symbolsOnly.observe(old);
    }
  };
  for (;;) {
    const la = await A.next();
    const lb = await B.next();
    if (la === null && lb === null) return { identical: true, events, notes };
    let fields: DiffField[] = [];
    let what = "";
    if (la !== null && lb !== null) {
      const ea = A.event!;
      const eb = B.event!;
      if (sameVersion && la === lb) {
        remember(ea);
        continue;
      }
      fields = differingFields(ea, eb);
      if (fields.length === 0) {
        remember(ea);
        continue;
      }
      what = fields.map((f) => `${f.key}: ${JSON.stringify(f.a)} vs ${JSON.stringify(f.b)}`).join(", ");
    } else {
      what = la === null ? `${pathA} ends after ${events} events; ${pathB} continues` : `${pathB} ends after ${events} events; ${pathA} continues`;
    }
    // Divergence: rebuild formatter state from the history, then format the context.
    const common = symbolsOnly;
    const before: string[] = [];
    for (let i = 0; i < history.length; i++) {
      const ev = history[i]!;
      if (i >= history.length - context) before.push(common.format(ev));
      else common.observe(ev);
    }
    const side = async (s: Side, first: string | null): Promise<string[]> => {
      const f = common.clone();
      const out: string[] = [];
      let l = first;
      for (let n = 0; n < context + 1 && l !== null; n++) {
        out.push(f.format(s.event!));
        if (n < context) l = await s.next();
      }
      return out;
    };
    const seq = (la === null ? null : A.event!.seq) ?? (lb === null ? null : B.event!.seq);
    const result: DiffResult = {
      identical: false,
      events,
      notes,
      divergence: {
        seq, line_a: la === null ? null : A.line, line_b: lb === null ? null : B.line, what, fields,
        before, after_a: [], after_b: [],
      },
    };
    const d = result.divergence!;
    d.after_a = await side(A, la);
    d.after_b = await side(B, lb);
    await A.reader.close();
    await B.reader.close();
    return result;
  }
}

/** The diff as text for a terminal. */
export function formatDiff(r: DiffResult, pathA: string, pathB: string): string {
  const out: string[] = [];
  for (const n of r.notes) out.push(`note: ${n}`);
  if (r.identical) {
    out.push(`identical: ${r.events} events`);
    return out.join("\n") + "\n";
  }
  const d = r.divergence!;
  const where = d.seq === null ? "the header" : `seq ${d.seq}`;
  const lines = `${pathA}:${d.line_a ?? "end"}, ${pathB}:${d.line_b ?? "end"}`;
  out.push(`traces diverge at ${where} (${lines}) after ${r.events} identical events`);
  out.push(`  ${d.what}`);
  if (d.before.length) {
    out.push("", "  both:");
    for (const l of d.before) out.push(`    ${l}`);
  }
  if (d.seq === null) return out.join("\n") + "\n"; // the headers differ: no events were compared
  out.push("", `  < ${pathA}:`);
  for (const l of d.after_a) out.push(`  < ${l}`);
  if (d.after_a.length === 0) out.push("  < (end of trace)");
  out.push("", `  > ${pathB}:`);
  for (const l of d.after_b) out.push(`  > ${l}`);
  if (d.after_b.length === 0) out.push("  > (end of trace)");
  return out.join("\n") + "\n";
}
