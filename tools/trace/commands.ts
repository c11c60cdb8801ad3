// The work behind each `ringside trace` subcommand, callable without the CLI (tests, other tools).
import { EventFilter, type FilterOptions } from "./filter.ts";
import { TextFormatter } from "./format-text.ts";
import { Output } from "./output.ts";
import { TraceReader, type ReadOptions } from "./reader.ts";
import { SummaryBuilder, type Summary } from "./summary.ts";

/** Prints bad-line warnings to stderr, at most `limit` of them, and a count at the end. */
export class WarningSink {
  /** Bad lines skipped. */
  count = 0;
  private shown = 0;
  constructor(private readonly limit = 20) {}
  /** Reports `msg`; `skipped` false: a warning about a line that was kept (events missing before it). */
  readonly warn = (msg: string, skipped = true): void => {
    if (skipped) this.count++;
    if (++this.shown <= this.limit) process.stderr.write(`ringside: warning: ${msg}\n`);
    else if (this.shown === this.limit + 1) process.stderr.write("ringside: warning: more bad lines; not showing them\n");
  };
  done(): void {
    if (this.count > 0) process.stderr.write(`ringside: skipped ${this.count} bad line${this.count === 1 ? "" : "s"}\n`);
  }
}

export interface ShowOptions extends FilterOptions {
  color?: boolean;
  json?: boolean;
  skipBad?: boolean;
}

/** `trace show`: one line per event passing the filters (or the event's JSON with `json`). Returns lines written. */
export async function showTrace(path: string, o: ShowOptions, out: Output = new Output()): Promise<number> {
  const warnings = new WarningSink();
  const reader = await TraceReader.open(path, { skipBad: o.skipBad, onWarning: warnings.warn });
  const filter = new EventFilter(pickFilter(o));
  const fmt = new TextFormatter({ color: o.color });
  const plain = filter.grep && o.color ? new TextFormatter({ color: false }) : null;
  let n = 0;
  await reader.forEach((ev) => {
    if (out.closed) return false;
    if (filter.pastEnd(ev)) return false;
    if (!filter.accept(ev)) {
      fmt.observe(ev);
      plain?.observe(ev);
      return;
    }
    let line: string;
    if (filter.grep) {
      const text = plain ? plain.format(ev) : fmt.format(ev);
      if (!filter.acceptText(text)) {
        if (plain) fmt.observe(ev);
        return;
      }
      line = o.json ? JSON.stringify(ev) : plain ? fmt.format(ev) : text;
    } else if (o.json) {
      fmt.observe(ev);
      line = JSON.stringify(ev);
    } else {
      line = fmt.format(ev);
    }
    out.write(line + "\n");
    n++;
  });
  await out.end();
  warnings.done();
  return n;
}

/** `trace summary`: aggregates the events passing the filters. */
export async function summarizeTrace(path: string, o: FilterOptions & { skipBad?: boolean }, readOpts: ReadOptions = {}): Promise<Summary> {
  const warnings = new WarningSink();
  const reader = await TraceReader.open(path, { skipBad: o.skipBad, onWarning: readOpts.onWarning ?? warnings.warn });
  const fo = pickFilter(o);
  const filter = new EventFilter(fo);
  const window = new EventFilter({ from: fo.from, to: fo.to });
  const b = new SummaryBuilder(reader.header);
  const fmt = filter.grep ? new TextFormatter() : null;
  if (filter.empty) {
    await reader.forEach((ev) => {
      b.observe(ev);
      b.count(ev);
    });
  } else {
    await reader.forEach((ev) => {
      if (filter.pastEnd(ev)) return false;
      if (window.accept(ev)) b.observe(ev);
      const ok = filter.accept(ev);
      if (fmt) {
        if (!ok) fmt.observe(ev);
        else if (filter.acceptText(fmt.format(ev))) b.count(ev);
      } else if (ok) b.count(ev);
    });
  }
  warnings.done();
  return b.result(reader.badLines);
}

/** The filter options out of a command's options object. */
export function pickFilter(o: FilterOptions): FilterOptions {
  const f: FilterOptions = {};
  for (const k of ["pid", "proc", "kind", "vector", "syscall", "ring", "from", "to", "grep"] as const) {
    if (o[k] !== undefined) f[k] = String(o[k]);
  }
  return f;
}
