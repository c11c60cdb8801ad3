// Streaming trace reader: lines in bounded memory, header check, per-event validation with messages
// that name the file and line. Never holds more than one chunk (plus one partial line) in memory.
// Every schema version it reads (1 and 2) comes out as the same normalized events (decode.ts).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { UserError } from "../errors.ts";
import { errnoText } from "../host-files.ts";
import { EventDecoder } from "./decode.ts";
import { fastParse, fastParseCompact } from "./fast-parse.ts";
import { TRACE_VERSION, type TraceEvent, type TraceHeader } from "./schema.ts";

const CHUNK = 1 << 20; // bytes read at a time
const MAX_LINE = 64 << 20; // a longer "line" means the file is not a trace

/** A bad line: `where` is "file:line", `what` says what is wrong with it. */
export class TraceLineError extends UserError {
  constructor(readonly file: string, readonly line: number, readonly what: string, exitCode = 1) {
    super(`${file}:${line}: ${what}`, exitCode);
    this.name = "TraceLineError";
  }
}

/** Reads a file (or "-" for stdin) as batches of complete lines; guarantees line numbers by counting. */
export class LineReader {
  /** Number of lines handed out so far (the last line of the last batch has this number). */
  lineNo = 0;
  /** True when the file's last line had no terminating newline (it may be truncated). */
  lastLineUnterminated = false;
  private readonly it: AsyncIterator<Buffer>;
  private carry: Buffer | null = null;
  private done = false;

  constructor(readonly path: string) {
    const stream = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next batch of lines (without "\n"), or null at end of file. */
  async next(): Promise<string[] | null> {
    while (!this.done) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.it.next();
      } catch (err) {
        throw new UserError(`${this.path}: cannot read: ${(err as Error).message}`, 2);
      }
      if (r.done) {
        this.done = true;
        if (this.carry && this.carry.length > 0) {
          const text = this.carry.toString("utf8");
          this.carry = null;
          this.lastLineUnterminated = true;
          this.lineNo++;
          return [stripCR(text)];
        }
        return null;
      }
      const chunk = r.value;
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        this.carry = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
        if (this.carry.length > MAX_LINE) {
          throw new TraceLineError(this.path, this.lineNo + 1, `line longer than ${MAX_LINE >> 20} MiB: not a trace`);
        }
        continue;
      }
      const head = this.carry ? Buffer.concat([this.carry, chunk.subarray(0, nl)]) : chunk.subarray(0, nl);
      this.carry = nl + 1 < chunk.length ? chunk.subarray(nl + 1) : null;
      const lines = head.toString("utf8").split("\n");
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      this.lineNo += lines.length;
      return lines;
    }
    return null;
  }

  /** Stops reading early (e.g. `--to` reached). */
  async close(): Promise<void> {
    this.done = true;
    await this.it.return?.();
  }
}

function stripCR(s: string): string {
  return s.endsWith("\r") ? s.slice(0, -1) : s;
}

/** Throws a UserError unless `path` names a readable regular file (or is "-"): a FIFO or a device is refused at once, never read. */
export async function checkTraceFile(path: string): Promise<void> {
  if (path === "-") return;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UserError(`${path}: is a directory, not a trace file`, 2);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file (a device, FIFO or socket); give a trace file`, 2);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot open trace: ${errnoText(err)}`, 2);
  }
}

/** Parses and checks line 1; refuses other files and newer schema versions. */
export function parseHeader(path: string, text: string | undefined): TraceHeader {
  if (text === undefined || text.trim() === "") {
    throw new TraceLineError(path, 1, `empty trace: expected the header line {"trace":"ringside","version":${TRACE_VERSION},...}`, 2);
  }
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch (err) {
    throw new TraceLineError(path, 1, `not a ringside trace: header is not JSON (${(err as Error).message})`, 2);
  }
  if (typeof h !== "object" || h === null || (h as Record<string, unknown>).trace !== "ringside") {
    throw new TraceLineError(path, 1, 'not a ringside trace: the header lacks "trace":"ringside"', 2);
  }
  const hdr = h as TraceHeader;
  if (!Number.isInteger(hdr.version) || hdr.version < 1) {
    throw new TraceLineError(path, 1, `header "version" must be a positive integer, got ${JSON.stringify(hdr.version)}`, 2);
  }
  if (hdr.version > TRACE_VERSION) {
    throw new TraceLineError(
      path,
      1,
      `trace schema version ${hdr.version} is newer than this ringside understands (version ${TRACE_VERSION}); upgrade ringside`,
      2,
    );
  }
  if (typeof hdr.ipms !== "number" || !(hdr.ipms > 0)) {
    throw new TraceLineError(path, 1, `header "ipms" must be a positive number, got ${JSON.stringify(hdr.ipms)}`, 2);
  }
  return hdr;
}

const isU32 = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isCpl = (v: unknown): boolean => v === 0 || v === 3;

/** What is wrong with one parsed event (null if nothing). Checks only what tools rely on. */
export function checkEvent(e: unknown, prev: TraceEvent | null): string | null {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return "not a JSON object";
  const ev = e as TraceEvent;
  if (!Number.isInteger(ev.seq)) return missing(ev, "seq", "an integer");
  if (!Number.isInteger(ev.icount) || ev.icount < 0) return missing(ev, "icount", "a non-negative integer");
  if (typeof ev.vt !== "number" || !Number.isFinite(ev.vt)) return missing(ev, "vt", "a number");
  if (typeof ev.kind !== "string") return missing(ev, "kind", "a string");
  if (ev.pid === undefined || (ev.pid !== null && !Number.isInteger(ev.pid))) return missing(ev, "pid", "an integer or null");
  if (ev.proc === undefined || (ev.proc !== null && typeof ev.proc !== "string")) return missing(ev, "proc", "a string or null");
  if (prev) {
    if (ev.seq !== prev.seq + 1) return `seq ${ev.seq} follows seq ${prev.seq} (seq must count up by 1)`;
    if (ev.icount < prev.icount) return `icount ${ev.icount} is less than the previous event's ${prev.icount}`;
    if (ev.vt < prev.vt) return `vt ${ev.vt} is less than the previous event's ${prev.vt}`;
  }
  switch (ev.kind) {
    case "syscall":
    case "exception":
    case "irq":
      if (!isCpl(ev.cpl_from)) return missing(ev, "cpl_from", "0 or 3");
      if (!isU32(ev.eip)) return missing(ev, "eip", "an unsigned 32-bit integer");
      if (ev.kind === "syscall") {
        if (!Number.isInteger(ev.nr)) return missing(ev, "nr", "an integer");
        if (!Array.isArray(ev.args)) return missing(ev, "args", "an array of 5 integers");
      } else if (ev.kind === "exception") {
        if (!Number.isInteger(ev.vector) || (ev.vector as number) < 0 || (ev.vector as number) > 31) {
          return missing(ev, "vector", "an integer 0-31");
        }
      } else if (!Number.isInteger(ev.irq)) return missing(ev, "irq", "an integer 0-15");
      break;
    case "return":
      if (!isCpl(ev.cpl_to)) return missing(ev, "cpl_to", "0 or 3");
      if (!isU32(ev.eip)) return missing(ev, "eip", "an unsigned 32-bit integer");
      break;
    case "load":
      if (ev.symbols !== undefined && !Array.isArray(ev.symbols)) return missing(ev, "symbols", "an array");
      if (ev.segments !== undefined && !Array.isArray(ev.segments)) return missing(ev, "segments", "an array");
      break;
  }
  return null;
}

function missing(ev: TraceEvent, key: string, want: string): string {
  const v = (ev as Record<string, unknown>)[key];
  const kind = typeof ev.kind === "string" ? `${ev.kind} event` : "event";
  return v === undefined ? `${kind} lacks "${key}" (${want})` : `${kind}: "${key}" must be ${want}, got ${JSON.stringify(v)}`;
}

export interface ReadOptions {
  /** Continue past bad lines (reported through `onWarning`) instead of stopping at the first. */
  skipBad?: boolean;
  onWarning?: (message: string, skipped?: boolean) => void;
}

/** Per-event callback: return false to stop reading (e.g. past `--to`). */
export type EventSink = (ev: TraceEvent, line: number) => boolean | void;

/** An open trace: header already read and checked; `forEach` streams the validated events once. */
export class TraceReader {
  badLines = 0;
  events = 0;
  private resync = false;
  private constructor(
    readonly path: string,
    readonly header: TraceHeader,
    private readonly lines: LineReader,
    private pending: string[],
    private readonly opts: ReadOptions,
  ) {}

  /** Opens `path`, reads and checks its header. Throws UserError on a missing file or bad header. */
  static async open(path: string, opts: ReadOptions = {}): Promise<TraceReader> {
    await checkTraceFile(path);
    const lines = new LineReader(path);
    let first = await lines.next();
    while (first && first.length === 0) first = await lines.next();
    const header = parseHeader(path, first?.[0]);
    return new TraceReader(path, header, lines, first ? first.slice(1) : [], opts);
  }

  /** Calls `sink` for every valid event in file order. Bad lines throw, or are skipped with `skipBad`. */
  async forEach(sink: EventSink): Promise<void> {
    const lines = this.lines;
    let batch: string[] | null = this.pending;
    let lineNo = 2; // number of batch[0]
    let prev: TraceEvent | null = null;
    let stop = false;
    const dec = new EventDecoder(this.header.version);
    while (batch && !stop) {
      const n = batch.length;
      for (let i = 0; i < n; i++) {
        const text = batch[i];
        const line = lineNo + i;
        if (text.length === 0) continue; // blank lines carry nothing
        let ev: TraceEvent | undefined = dec.compact ? fastParseCompact(text, dec) : fastParse(text);
        if (ev !== undefined && prev !== null && !this.resync) {
          // The fast path has checked every key's type; only the ordering checks remain.
          if (ev.seq === prev.seq + 1 && ev.icount >= prev.icount && ev.vt >= prev.vt) {
            prev = ev;
            this.events++;
            if (sink(ev, line) === false) {
              stop = true;
              break;
            }
            continue;
          }
        }
        if (ev === undefined) try {
          ev = dec.decode(JSON.parse(text)) as TraceEvent;
        } catch (err) {
          const truncated = line === lines.lineNo && lines.lastLineUnterminated && i === n - 1;
          this.bad(line, truncated ? "truncated event: the file ends in the middle of this line" : `invalid JSON: ${(err as Error).message}`);
          continue;
        }
        // With --skip-bad, a seq that jumps ahead means lines are missing, not that this one is bad: it
        // is kept (with a warning), as is the next good event's own seq after a skipped line.
        const gap = this.opts.skipBad === true && prev !== null && ev.seq > prev.seq + 1 && ev.icount >= prev.icount && ev.vt >= prev.vt;
        const why = checkEvent(ev, gap || (this.resync && prev && ev.seq > prev.seq) ? null : prev);
        if (why === null && gap && !this.resync) this.opts.onWarning?.(`${this.path}:${line}: seq ${ev.seq} follows seq ${prev!.seq}: ${ev.seq - prev!.seq - 1} event${ev.seq - prev!.seq === 2 ? " is" : "s are"} missing before it`, false);
        if (why !== null) {
          this.bad(line, why);
          continue;
        }
        this.resync = false;
        prev = ev;
        this.events++;
        if (sink(ev, line) === false) {
          stop = true;
          break;
        }
      }
      if (stop) break;
      lineNo += n;
      batch = await lines.next();
    }
    if (stop) await lines.close();
  }

  private bad(line: number, what: string): void {
    if (!this.opts.skipBad) throw new TraceLineError(this.path, line, `${what} (use --skip-bad to continue past bad lines)`);
    this.badLines++;
    this.resync = true;
    this.opts.onWarning?.(`${this.path}:${line}: ${what} (skipped)`);
  }
}

/** Reads a whole trace into memory — for tests and small traces only. */
export async function readAll(path: string, opts: ReadOptions = {}): Promise<{ header: TraceHeader; events: TraceEvent[] }> {
  const r = await TraceReader.open(path, opts);
  const events: TraceEvent[] = [];
  await r.forEach((ev) => {
    events.push(ev);
  });
  return { header: r.header, events };
}

/**
 * Reads a whole trace held in memory (e.g. what a TraceRecorder just wrote) — for tests and small
 * traces. The header is checked as a file's is; events are normalized (any version reads the same)
 * but not validated. `name` is used in messages.
 */
export function readTraceText(text: string, name = "<trace>"): { header: TraceHeader; events: TraceEvent[] } {
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length && lines[i] === "") i++;
  const header = parseHeader(name, lines[i++]);
  const dec = new EventDecoder(header.version);
  const events: TraceEvent[] = [];
  for (; i < lines.length; i++) {
    if (lines[i] === "") continue;
    try {
      events.push(dec.decode(JSON.parse(lines[i]!)) as TraceEvent);
    } catch (err) {
      throw new TraceLineError(name, i + 1, `invalid JSON: ${(err as Error).message}`);
    }
  }
  return { header, events };
}
