// Diagnostics: where an error happened, what it was, and how it is printed (file:line:col + caret).

/** One message about the source, in the shape the public API promises. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: "error" | "warning";
  message: string;
  sourceLine: string;
}

/** A place in the source: the file and 1-based line a preprocessed line came from, and its text. */
export interface SourceLoc {
  file: string;
  line: number;
  text: string; // the original source line (what the caret points into)
  macro?: string; // name of the macro whose expansion produced this line, if any
}

/** Thrown inside the assembler to abort one line; always caught and turned into a Diagnostic. */
export class AsmError extends Error {
  constructor(message: string, readonly col = 0) {
    super(message);
  }
}

/** The AsmError for `err` if it is one, or a stack overflow turned into one (a line too complex to
 *  assemble is the user's problem, not an internal error); anything else is rethrown. */
export function asAsmError(err: unknown): AsmError {
  if (err instanceof AsmError) return err;
  if (err instanceof RangeError && /call stack/i.test(err.message)) return new AsmError("this line is too complex to assemble (nesting too deep); split it up");
  throw err;
}

/** Collects diagnostics; guarantees each (loc, col, message) appears once. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private seen = new Set<string>();
  errors = 0;

  /** Records a message at `loc` (1-based `col`, 0 = start of line); duplicates are dropped. */
  add(severity: "error" | "warning", loc: SourceLoc, col: number, message: string): void {
    const msg = loc.macro ? `${message} (in expansion of macro '${loc.macro}')` : message;
    const c = col > 0 ? col : firstNonBlankCol(loc.text);
    const key = `${loc.file}\0${loc.line}\0${c}\0${severity}\0${msg}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (severity === "error") this.errors++;
    this.list.push({ file: loc.file, line: loc.line, col: c, severity, message: msg, sourceLine: loc.text });
  }

  error(loc: SourceLoc, col: number, message: string): void {
    this.add("error", loc, col, message);
  }

  warning(loc: SourceLoc, col: number, message: string): void {
    this.add("warning", loc, col, message);
  }
}

/** Returns the 1-based column of the first non-blank character of `text` (1 if blank). */
function firstNonBlankCol(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}

/** Formats a diagnostic as `file:line:col: error: what`, then the source line and a caret under col. */
export function formatDiagnostic(d: Diagnostic): string {
  let src = d.sourceLine.replace(/\t/g, " ");
  let at = Math.max(0, d.col - 1);
  // a very long line is shown as a window around the column, with "..." where it is cut
  if (src.length > MAX_SHOWN) {
    const from = Math.max(0, Math.min(at - 40, src.length - MAX_SHOWN));
    const to = Math.min(src.length, from + MAX_SHOWN);
    src = (from > 0 ? "..." : "") + src.slice(from, to) + (to < src.length ? "..." : "");
    at = at - from + (from > 0 ? 3 : 0);
  }
  const caret = " ".repeat(at) + "^";
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n  ${src}\n  ${caret}`;
}

/** The most characters of a source line a diagnostic shows. */
const MAX_SHOWN = 120;
