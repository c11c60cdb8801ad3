// Parser: turns each preprocessed line into a statement (label, times, instruction or directive).
import { AsmError, asAsmError, type DiagnosticSink, type SourceLoc } from "./diagnostics.ts";
import { parseExpr, TokenStream, type Expr } from "./expr.ts";
import { tokenize, type Token } from "./lexer.ts";
import { parseOperand, type Operand } from "./operands.ts";
import type { PLine } from "./preprocess.ts";

export type DataItem = { k: "str"; bytes: number[] } | { k: "expr"; e: Expr; col: number };

export type Op =
  | { k: "none" }
  | { k: "insn"; mnem: string; col: number; prefixes: string[]; operands: Operand[] }
  | { k: "data"; unit: number; items: DataItem[] }
  | { k: "res"; unit: number; count: Expr; col: number }
  | { k: "equ"; e: Expr }
  | { k: "bits"; n: 16 | 32 }
  | { k: "org"; e: Expr; col: number }
  | { k: "section"; name: string; align?: number; nobits?: boolean }
  | { k: "absolute"; e: Expr }
  | { k: "align"; n: Expr; fill?: Stmt; b: boolean; col: number }
  | { k: "incbin"; file: string; skip?: Expr; len?: Expr; col: number }
  | { k: "struc"; name: string }
  | { k: "endstruc" }
  | { k: "istruc"; name: string }
  | { k: "at"; field: Expr; data?: Stmt; col: number }
  | { k: "iend" };

/** One source statement. `label` names are fully qualified (local labels include their parent). */
export interface Stmt {
  loc: SourceLoc;
  text: string; // the line after preprocessing (shown in the listing)
  label?: { name: string; col: number };
  times?: Expr;
  timesCol?: number;
  op: Op;
}

export interface ParseResult {
  stmts: Stmt[];
  globals: Map<string, SourceLoc>;
  externs: Map<string, SourceLoc>;
}

const PREFIXES = new Set(["rep", "repe", "repz", "repne", "repnz", "lock", "o16", "o32", "a16", "a32", "es", "cs", "ss", "ds", "fs", "gs", "wait"]);
const DATA: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10 };
const RES: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10 };
const DIRECTIVES = new Set([
  "bits", "use16", "use32", "org", "section", "segment", "global", "extern", "common", "align", "alignb", "incbin",
  "struc", "endstruc", "istruc", "at", "iend", "absolute", "cpu", "default", "times", "equ", "sectalign", "warning", "list",
]);

/** Parses all lines; guarantees one statement per line (errors become diagnostics, op "none"). */
export function parseProgram(lines: PLine[], isMnemonic: (m: string) => boolean, sink: DiagnosticSink): ParseResult {
  const stmts: Stmt[] = [];
  const globals = new Map<string, SourceLoc>();
  const externs = new Map<string, SourceLoc>();
  let scope = "";
  const qualify = (name: string) => (name.startsWith(".") && !name.startsWith("..") ? scope + name : name);
  const isKeyword = (w: string) => {
    const l = w.toLowerCase();
    return l in DATA || l in RES || DIRECTIVES.has(l) || PREFIXES.has(l) || isMnemonic(l);
  };

  for (const line of lines) {
    const st: Stmt = { loc: line.loc, text: line.text, op: { k: "none" } };
    stmts.push(st);
    try {
      let toks = tokenize(line.text);
      if (toks.length === 0) continue;
      // [directive ...] form
      if (toks[0].kind === "op" && toks[0].text === "[" && toks.length > 1 && toks[1].kind === "id" && DIRECTIVES.has(toks[1].text.toLowerCase())) {
        const last = toks[toks.length - 1];
        if (!(last.kind === "op" && last.text === "]")) throw new AsmError("expected ']'", last.col);
        toks = toks.slice(1, -1);
      }
      const ts = new TokenStream(toks, line.text.length + 1);
      // label
      const t0 = toks[0];
      if (t0.kind === "id" && (ts.isOp(":", 1) || (!isKeyword(t0.text) && (toks.length === 1 || (toks[1].kind === "id" && isKeyword(toks[1].text)))))) {
        const name = qualify(t0.text);
        st.label = { name, col: t0.col };
        if (!t0.text.startsWith(".") && !t0.text.startsWith("..@")) scope = t0.text;
        ts.next();
        if (ts.isOp(":")) ts.next();
      }
      if (ts.atEnd()) continue;
      if (ts.isKw("times")) {
        st.timesCol = ts.next()!.col;
        st.times = parseExpr(ts, qualify);
      }
      if (ts.atEnd()) throw new AsmError("expected an instruction after 'times'", ts.col());
      st.op = parseOp(ts, st, qualify, isMnemonic, globals, externs, () => scope, (s) => (scope = s));
      if (!ts.atEnd()) throw new AsmError(`unexpected '${ts.peek()!.text}'`, ts.col());
    } catch (thrown) {
      const err = asAsmError(thrown);
      sink.error(line.loc, err.col, err.message);
      st.op = { k: "none" };
      st.times = undefined;
    }
  }
  return { stmts, globals, externs };
}

/** Parses what follows the label/times: an instruction, data, or directive. */
function parseOp(
  ts: TokenStream,
  st: Stmt,
  qualify: (n: string) => string,
  isMnemonic: (m: string) => boolean,
  globals: Map<string, SourceLoc>,
  externs: Map<string, SourceLoc>,
  getScope: () => string,
  setScope: (s: string) => void,
): Op {
  const t = ts.next()!;
  if (t.kind !== "id") throw new AsmError(`expected an instruction or directive, found '${t.text}'`, t.col);
  const w = t.text.toLowerCase();
  const rest = () => restText(ts);
  if (w in DATA) return { k: "data", unit: DATA[w], items: parseDataItems(ts, qualify) };
  if (w in RES) return { k: "res", unit: RES[w], count: parseExpr(ts, qualify), col: t.col };
  switch (w) {
    case "equ":
      if (!st.label) throw new AsmError("'equ' needs a label in front of it", t.col);
      return { k: "equ", e: parseExpr(ts, qualify) };
    case "bits": {
      const n = parseExpr(ts, qualify);
      if (n.t !== "num" || (n.v !== 16 && n.v !== 32)) throw new AsmError("bits must be 16 or 32", t.col);
      return { k: "bits", n: n.v };
    }
    case "use16":
      return { k: "bits", n: 16 };
    case "use32":
      return { k: "bits", n: 32 };
    case "org":
      return { k: "org", e: parseExpr(ts, qualify), col: t.col };
    case "section":
    case "segment": {
      const nt = ts.next();
      if (!nt || nt.kind !== "id") throw new AsmError("expected a section name", ts.col());
      let align: number | undefined;
      let nobits: boolean | undefined;
      while (!ts.atEnd()) {
        const a = ts.next()!;
        const aw = a.text.toLowerCase();
        if (aw === "align" && ts.isOp("=")) {
          ts.next();
          const v = ts.next();
          if (!v || v.kind !== "num") throw new AsmError("expected align=<number>", a.col);
          align = v.value;
        } else if (aw === "nobits") nobits = true;
        else if (aw === "progbits") nobits = false;
        else if (ts.isOp("=")) {
          ts.next();
          ts.next();
        }
      }
      return { k: "section", name: nt.text, align, nobits };
    }
    case "absolute":
      return { k: "absolute", e: parseExpr(ts, qualify) };
    case "global":
    case "extern":
    case "common": {
      while (!ts.atEnd()) {
        const n = ts.next()!;
        if (n.kind === "id") (w === "global" ? globals : externs).set(qualify(n.text), st.loc);
        if (ts.isOp(":")) {
          ts.next();
          ts.next();
        }
        if (ts.isOp(",")) ts.next();
      }
      return { k: "none" };
    }
    case "cpu":
    case "default":
    case "sectalign":
    case "warning":
    case "list":
      rest();
      return { k: "none" };
    case "align":
    case "alignb": {
      const n = parseExpr(ts, qualify);
      let fill: Stmt | undefined;
      if (ts.isOp(",")) {
        ts.next();
        const sub = new TokenStream(ts.toks.slice(ts.pos), ts.endCol);
        ts.pos = ts.toks.length;
        fill = { loc: st.loc, text: st.text, op: { k: "none" } };
        fill.op = parseOp(sub, fill, qualify, isMnemonic, globals, externs, getScope, setScope);
      }
      return { k: "align", n, fill, b: w === "alignb", col: t.col };
    }
    case "incbin": {
      const f = ts.next();
      if (!f || f.kind !== "str") throw new AsmError('expected incbin "file"', t.col);
      let skip: Expr | undefined;
      let len: Expr | undefined;
      if (ts.isOp(",")) {
        ts.next();
        skip = parseExpr(ts, qualify);
        if (ts.isOp(",")) {
          ts.next();
          len = parseExpr(ts, qualify);
        }
      }
      return { k: "incbin", file: new TextDecoder().decode(new Uint8Array(f.bytes!)), skip, len, col: f.col };
    }
    case "struc": {
      const n = ts.next();
      if (!n || n.kind !== "id") throw new AsmError("expected a structure name", t.col);
      while (!ts.atEnd()) ts.next();
      setScope(n.text);
      return { k: "struc", name: n.text };
    }
    case "endstruc":
      return { k: "endstruc" };
    case "istruc": {
      const n = ts.next();
      if (!n || n.kind !== "id") throw new AsmError("expected a structure name", t.col);
      return { k: "istruc", name: n.text };
    }
    case "at": {
      const field = parseExpr(ts, qualify);
      let data: Stmt | undefined;
      if (ts.isOp(",")) {
        ts.next();
        const sub = new TokenStream(ts.toks.slice(ts.pos), ts.endCol);
        ts.pos = ts.toks.length;
        data = { loc: st.loc, text: st.text, op: { k: "none" } };
        data.op = parseOp(sub, data, qualify, isMnemonic, globals, externs, getScope, setScope);
      }
      return { k: "at", field, data, col: t.col };
    }
    case "iend":
      return { k: "iend" };
  }
  // instruction with optional prefixes
  const prefixes: string[] = [];
  let mt: Token = t;
  let mw = w;
  while (PREFIXES.has(mw) && !(mw === "wait" && ts.atEnd())) {
    prefixes.push(mw);
    const n = ts.next();
    if (!n) {
      if (mw === "wait") break;
      return { k: "insn", mnem: prefixes.pop()!, col: mt.col, prefixes, operands: [] } as Op;
    }
    if (n.kind !== "id") throw new AsmError(`expected an instruction after prefix '${mw}'`, n.col);
    mt = n;
    mw = n.text.toLowerCase();
  }
  if (prefixes.length && !isMnemonic(mw) && !PREFIXES.has(mw)) throw new AsmError(`unknown instruction '${mt.text}'`, mt.col);
  if (!isMnemonic(mw)) throw new AsmError(`unknown instruction '${mt.text}'`, mt.col);
  const operands: Operand[] = [];
  if (!ts.atEnd()) {
    for (;;) {
      operands.push(parseOperand(ts, qualify));
      if (!ts.isOp(",")) break;
      ts.next();
    }
  }
  void getScope;
  return { k: "insn", mnem: mw, col: mt.col, prefixes, operands };
}

/** Parses db/dw/dd items: strings stand alone; anything else is an expression (char constants too). */
function parseDataItems(ts: TokenStream, qualify: (n: string) => string): DataItem[] {
  const items: DataItem[] = [];
  if (ts.atEnd()) throw new AsmError("expected data after the directive", ts.col());
  for (;;) {
    const t = ts.peek()!;
    const n = ts.peek(1);
    if (t.kind === "str" && (!n || (n.kind === "op" && n.text === ","))) {
      ts.next();
      items.push({ k: "str", bytes: t.bytes! });
    } else {
      const col = ts.col();
      items.push({ k: "expr", e: parseExpr(ts, qualify), col });
    }
    if (!ts.isOp(",")) break;
    ts.next();
    if (ts.atEnd()) break;
  }
  return items;
}

/** Consumes the rest of the statement. */
function restText(ts: TokenStream): void {
  ts.pos = ts.toks.length;
}
