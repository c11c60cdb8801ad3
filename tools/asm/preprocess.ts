// Preprocessor: %define/%assign, %macro, %rep, %include, %if family. Runs once and yields plain lines.
import { AsmError, type DiagnosticSink, type SourceLoc } from "./diagnostics.ts";
import { commentStart, isIdChar, isIdStart, skipString, tokenize } from "./lexer.ts";
import { evaluate, parseExpr, TokenStream, type Value } from "./expr.ts";

/** A line ready for the parser, with where it came from. */
export interface PLine {
  text: string;
  loc: SourceLoc;
}

export interface PreprocessOptions {
  file: string;
  includePaths: string[];
  defines: Record<string, string>;
  readFile: (path: string) => Uint8Array | undefined;
}

interface Define {
  params?: string[]; // undefined = no parameter list
  body: string;
}

interface MacroDef {
  name: string;
  nmin: number;
  nmax: number; // Infinity when greedy
  greedy: boolean;
  defaults: string[];
  body: PLine[];
}

interface Frame {
  macro: MacroDef;
  args: string[];
  id: number;
}

/** A %macro or %rep block whose body lines are being collected (discard: inside a false %if). */
interface Block {
  kind: "macro" | "rep";
  nest: number;
  body: PLine[];
  start: PLine;
  def?: MacroDef;
  count?: number;
  ci?: boolean;
  discard?: boolean;
}

interface Cond {
  active: boolean; // this branch is being assembled
  done: boolean; // some branch of this %if was taken
  parentActive: boolean;
  seenElse: boolean;
  loc: SourceLoc;
}

const ID_RE = /[A-Za-z_.?@$][\w.?@$#~]*/g;
const MAX_INCLUDE_DEPTH = 32;
const MAX_MACRO_DEPTH = 200;
const MAX_REP = 1_000_000;
const MAX_LINES = 1_000_000;
/** The longest line single-line macro expansion may produce (a %define that doubles itself would exhaust memory). */
const MAX_EXPANDED_LINE = 1 << 20;
/** All text single-line macro expansion may produce in one assembly. */
const MAX_EXPANDED_TOTAL = 256 << 20;

/** Expands the preprocessor language; guarantees every problem lands in `sink` and nothing throws. */
export function preprocess(source: string, opt: PreprocessOptions, sink: DiagnosticSink): PLine[] {
  const out: PLine[] = [];
  const defines = new Map<string, Define>();
  const idefines = new Map<string, Define>(); // case-insensitive, keyed lower-case
  const macros = new Map<string, MacroDef[]>();
  const imacros = new Map<string, MacroDef[]>();
  let uniq = 0;
  let depth = 0;
  let expandedTotal = 0;

  for (const [k, v] of Object.entries(opt.defines)) defines.set(k, { body: v });

  const dirname = (p: string) => {
    const i = p.lastIndexOf("/");
    return i < 0 ? "" : p.slice(0, i + 1);
  };

  /** Splits a file into physical lines, joining `\`-continued lines. */
  const splitLines = (text: string, file: string): PLine[] => {
    const raw = text.split("\n");
    const lines: PLine[] = [];
    for (let i = 0; i < raw.length; i++) {
      let t = raw[i].endsWith("\r") ? raw[i].slice(0, -1) : raw[i];
      const start = i;
      while (t.endsWith("\\") && i + 1 < raw.length) t = t.slice(0, -1) + raw[++i].replace(/\r$/, "");
      lines.push({ text: t, loc: { file, line: start + 1, text: t } });
    }
    if (lines.length && lines[lines.length - 1].text === "") lines.pop();
    return lines;
  };

  /** Resolves an include/incbin name the way NASM does: including file's dir, then -I dirs, then as given. */
  const findFile = (name: string, from: string): { path: string; data: Uint8Array } | undefined => {
    const cands = name.startsWith("/") ? [name] : [dirname(from) + name, ...opt.includePaths.map((d) => (d.endsWith("/") ? d : d + "/") + name), name];
    for (const p of cands) {
      const data = opt.readFile(p);
      if (data) return { path: p, data };
    }
    return undefined;
  };

  /** Replaces single-line macros in `text` until nothing more expands (bounded). */
  const expandDefines = (text: string, loc: SourceLoc): string => {
    if (defines.size === 0 && idefines.size === 0) return text;
    // fast path: no identifier on the line names a macro
    let any = false;
    for (const w of text.match(ID_RE) ?? []) {
      if (defines.has(w) || (idefines.size && idefines.has(w.toLowerCase()))) {
        any = true;
        break;
      }
    }
    if (!any) return text;
    for (let round = 0; round < 64; round++) {
      let changed = false;
      let res = "";
      let i = 0;
      const n = text.length;
      while (i < n) {
        const c = text[i];
        if (c === ";") {
          res += text.slice(i);
          break;
        }
        if (c === "'" || c === '"' || c === "`") {
          const j = skipString(text, i);
          const e = j < 0 ? n : j;
          res += text.slice(i, e);
          i = e;
          continue;
        }
        if (isIdStart(c) && !(i > 0 && (isIdChar(text[i - 1]) || text[i - 1] === "%"))) {
          let j = i + 1;
          while (j < n && isIdChar(text[j])) j++;
          const name = text.slice(i, j);
          const d = defines.get(name) ?? idefines.get(name.toLowerCase());
          if (d) {
            if (!d.params) {
              res += d.body;
              i = j;
              changed = true;
              if (res.length > MAX_EXPANDED_LINE) throw tooLarge(name);
              continue;
            }
            let k = j;
            while (text[k] === " " || text[k] === "\t") k++;
            if (text[k] === "(") {
              const { args, end } = splitParenArgs(text, k);
              if (args.length === d.params.length || (d.params.length === 0 && args.length === 1 && args[0] === "")) {
                res += substituteParams(d.body, d.params, args);
                i = end;
                changed = true;
                if (res.length > MAX_EXPANDED_LINE) throw tooLarge(name);
                continue;
              }
            }
          }
          res += name;
          i = j;
          continue;
        }
        res += c;
        i++;
      }
      text = res;
      if (!changed) return text;
      expandedTotal += text.length;
      if (expandedTotal > MAX_EXPANDED_TOTAL) throw new AsmError(`single-line macros expand to too much text (more than ${MAX_EXPANDED_TOTAL >> 20} MiB in all)`, firstCol(loc.text));
    }
    throw new AsmError("single-line macro expansion is too deep (recursive %define?)", firstCol(loc.text));
  };

  /** The error for a line whose expansion outgrew MAX_EXPANDED_LINE while expanding `name`. */
  const tooLarge = (name: string): AsmError =>
    new AsmError(`single-line macro expansion is too large: expanding '${name}' makes the line longer than ${MAX_EXPANDED_LINE >> 20} MiB (a %define that repeats another one?)`, 0);

  /** Evaluates a preprocessor expression (%if, %assign, %rep): numbers and defines only. */
  const ppEval = (text: string, loc: SourceLoc, col0: number): number => {
    const ts = new TokenStream(tokenize(expandDefines(text, loc), col0), col0 + text.length);
    const e = parseExpr(ts, (s) => s);
    if (!ts.atEnd()) throw new AsmError(`unexpected '${ts.peek()!.text}' in expression`, ts.col());
    const ctx = {
      lookup(name: string, col: number): Value {
        throw new AsmError(`'${name}' is not defined in a preprocessor expression`, col);
      },
      here: () => {
        throw new AsmError("'$' cannot be used in a preprocessor expression", col0);
      },
      sectionBase: () => {
        throw new AsmError("'$$' cannot be used in a preprocessor expression", col0);
      },
    };
    return evaluate(e, ctx).v;
  };

  /** Substitutes %0, %N, %{N}, %%label in a macro body line using the frame's current arguments. */
  const substituteMacro = (text: string, f: Frame): string => {
    if (!text.includes("%")) return text;
    let res = "";
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "'" || c === '"' || c === "`") {
        const j = skipString(text, i);
        const e = j < 0 ? text.length : j;
        res += text.slice(i, e);
        i = e - 1;
        continue;
      }
      if (c !== "%") {
        res += c;
        continue;
      }
      const rest = text.slice(i + 1);
      let m: RegExpExecArray | null;
      if ((m = /^%([A-Za-z_.?@$][\w.?@$#~]*)/.exec(rest))) {
        res += `..@${f.id}.${m[1]}`;
        i += m[0].length;
      } else if ((m = /^\{?(\d+)\}?/.exec(rest)) && (rest[0] !== "{" || m[0].endsWith("}"))) {
        const k = Number(m[1]);
        res += k === 0 ? String(f.args.length) : (f.args[k - 1] ?? "");
        i += m[0].length;
      } else if (rest.startsWith("+")) {
        res = res.replace(/\s+$/, "");
        i++;
        while (text[i + 1] === " " || text[i + 1] === "\t") i++;
      } else res += c;
    }
    return res;
  };

  /**
   * Processes lines in order; conditionals must balance within one call (a file or a body). In a
   * %rep body (`repBody`), %exitrep skips the rest of it, as NASM does; a macro expanded in the body
   * still runs to its end.
   */
  const run = (lines: PLine[], frame: Frame | undefined, repBody = false): void => {
    const conds: Cond[] = [];
    let collecting: Block | undefined;
    const active = () => conds.length === 0 || conds[conds.length - 1].active;

    for (let li = 0; li < lines.length; li++) {
      if (fatal) return; // a fatal error deeper down (inside a macro call) stops every level
      if (exitRep && repBody) return;
      const line = lines[li];
      let text = frame ? substituteMacro(line.text, frame) : line.text;
      const loc = line.loc;
      const trimmed = text.trimStart();
      const col0 = text.length - trimmed.length + 1;
      const dm = /^%([a-z]+)\b/i.exec(trimmed);
      const dir = dm ? dm[1].toLowerCase() : "";

      if (collecting) {
        const opens = collecting.kind === "macro" ? dir === "macro" || dir === "imacro" : dir === "rep";
        const closes = collecting.kind === "macro" ? dir === "endmacro" || dir === "endm" : dir === "endrep" || dir === "endr";
        if (opens) collecting.nest++;
        if (closes && collecting.nest-- === 0) {
          const c = collecting;
          collecting = undefined;
          if (c.discard) continue;
          if (c.kind === "macro") {
            c.def!.body = c.body;
            const map = c.ci ? imacros : macros;
            const key = c.ci ? c.def!.name.toLowerCase() : c.def!.name;
            const list = (map.get(key) ?? []).filter((m) => m.nmin !== c.def!.nmin || m.nmax !== c.def!.nmax);
            list.push(c.def!);
            map.set(key, list);
          } else {
            repDepth++;
            try {
              for (let r = 0; r < c.count! && !exitRep; r++) {
                run(c.body, frame, true);
                if (out.length > MAX_LINES) throw new AsmError(`%rep produces too many lines (more than ${MAX_LINES})`, firstCol(c.start.loc.text));
              }
            } finally {
              repDepth--;
              exitRep = false;
            }
          }
          continue;
        }
        collecting.body.push(line);
        continue;
      }

      try {
        // conditionals are tracked even in inactive regions
        if (dir.startsWith("if")) {
          const parentActive = active();
          let val = false;
          if (parentActive) val = condition(dir.slice(2), trimmed.slice(dm![0].length), loc, col0 + dm![0].length);
          conds.push({ active: parentActive && val, done: val, parentActive, seenElse: false, loc });
          continue;
        }
        if (dir.startsWith("elif")) {
          const c = conds[conds.length - 1];
          if (!c) throw new AsmError(`%${dir} without %if`, col0);
          if (c.seenElse) throw new AsmError(`%${dir} after %else`, col0);
          if (c.parentActive && !c.done) {
            const val = condition(dir.slice(4), trimmed.slice(dm![0].length), loc, col0 + dm![0].length);
            c.active = val;
            c.done = val;
          } else c.active = false;
          continue;
        }
        if (dir === "else") {
          const c = conds[conds.length - 1];
          if (!c) throw new AsmError("%else without %if", col0);
          if (c.seenElse) throw new AsmError("%else after %else", col0);
          c.seenElse = true;
          c.active = c.parentActive && !c.done;
          c.done = true;
          continue;
        }
        if (dir === "endif") {
          if (!conds.pop()) throw new AsmError("%endif without %if", col0);
          continue;
        }
        if (!active()) {
          if (dir === "macro" || dir === "imacro" || dir === "rep")
            collecting = { kind: dir === "rep" ? "rep" : "macro", nest: 0, body: [], start: line, discard: true };
          continue;
        }
        if (dir) {
          collecting = handleDirective(dir, trimmed.slice(dm![0].length), line, col0, col0 + dm![0].length, frame);
          continue;
        }
        if (trimmed.startsWith("%") && !trimmed.startsWith("%%")) {
          const m = /^%(\S*)/.exec(trimmed)!;
          throw new AsmError(`unknown preprocessor directive '%${m[1]}'`, col0);
        }
        text = expandDefines(text, loc);
        if (tryMacroCall(text, line, frame)) continue;
        out.push({ text, loc });
        if (out.length > MAX_LINES) throw new AsmError(`source expands to too many lines (more than ${MAX_LINES}; a macro that calls itself or another one more than once?)`, col0);
      } catch (err) {
        if (!(err instanceof AsmError)) throw err;
        sink.error(loc, err.col, err.message);
        if (err.message.includes("recursion") || err.message.includes("too deep") || err.message.includes("too many") || err.message.startsWith("single-line macro")) {
          fatal = true;
        }
      }
      if (fatal) return;
    }
    if (collecting) {
      const what = collecting.kind === "macro" ? "%macro without %endmacro" : "%rep without %endrep";
      sink.error(collecting.start.loc, firstCol(collecting.start.loc.text), what);
      collecting = undefined;
    }
    for (const c of conds) sink.error(c.loc, firstCol(c.loc.text), "unterminated %if (missing %endif)");
  };
  let exitRep = false;
  let repDepth = 0; // %rep bodies being run
  let fatal = false;

  /** Evaluates the condition of %if<kind> (kind "" = expression, "def", "ndef", "idn", "idni", ...). */
  const condition = (kind: string, rest: string, loc: SourceLoc, col: number): boolean => {
    let neg = false;
    if (kind.startsWith("n") && kind !== "num") {
      neg = true;
      kind = kind.slice(1);
    }
    let v: boolean;
    switch (kind) {
      case "":
        v = ppEval(rest, loc, col) !== 0;
        break;
      case "def": {
        const name = rest.trim();
        if (!name) throw new AsmError("%ifdef needs a name", col);
        v = defines.has(name) || idefines.has(name.toLowerCase());
        break;
      }
      case "macro": {
        const name = rest.trim().split(/\s+/)[0];
        v = macros.has(name) || imacros.has(name.toLowerCase());
        break;
      }
      case "idn":
      case "idni": {
        const parts = splitArgs(expandDefines(rest, loc));
        if (parts.length !== 2) throw new AsmError(`%if${kind} needs two comma-separated arguments`, col);
        const [a, b] = parts.map((p) => p.replace(/\s+/g, ""));
        v = kind === "idn" ? a === b : a.toLowerCase() === b.toLowerCase();
        break;
      }
      case "num":
        v = /^\s*[0-9$][0-9a-z_$]*\s*$/i.test(expandDefines(rest, loc));
        break;
      case "str":
        v = /^\s*(['"`]).*\1\s*$/.test(expandDefines(rest, loc));
        break;
      case "id":
        v = /^\s*[A-Za-z_.?@$][\w.?@$#~]*\s*$/.test(expandDefines(rest, loc));
        break;
      case "empty":
        v = expandDefines(rest, loc).trim() === "";
        break;
      default:
        throw new AsmError(`unknown conditional '%if${neg ? "n" : ""}${kind}'`, col);
    }
    return neg ? !v : v;
  };

  /** Executes one non-conditional directive. */
  const handleDirective = (dir: string, rest: string, line: PLine, dirCol: number, restCol: number, frame: Frame | undefined): Block | undefined => {
    const loc = line.loc;
    switch (dir) {
      case "define":
      case "xdefine":
      case "idefine":
      case "xidefine": {
        const m = /^\s*([A-Za-z_.?@$][\w.?@$#~]*)(\(([^)]*)\))?\s?(.*)$/.exec(rest);
        if (!m) throw new AsmError(`%${dir} needs a macro name`, restCol);
        let body = m[4].slice(0, commentStart(m[4])).trim();
        if (dir.startsWith("x")) body = expandDefines(body, loc);
        const params = m[2] !== undefined ? m[3].split(",").map((s) => s.trim()).filter((s) => s) : undefined;
        if (dir.includes("i")) idefines.set(m[1].toLowerCase(), { params, body });
        else defines.set(m[1], { params, body });
        return;
      }
      case "undef": {
        const name = rest.trim();
        defines.delete(name);
        idefines.delete(name.toLowerCase());
        return;
      }
      case "assign":
      case "iassign": {
        const m = /^\s*([A-Za-z_.?@$][\w.?@$#~]*)\s+(.*)$/.exec(rest);
        if (!m) throw new AsmError(`%${dir} needs a name and a value`, restCol);
        const v = ppEval(m[2].slice(0, commentStart(m[2])), loc, restCol + rest.indexOf(m[2]));
        if (dir === "iassign") idefines.set(m[1].toLowerCase(), { body: String(v) });
        else defines.set(m[1], { body: String(v) });
        return;
      }
      case "macro":
      case "imacro": {
        const spec = rest.slice(0, commentStart(rest)).trim();
        const m = /^([A-Za-z_.?@$][\w.?@$#~]*)\s+(\d+)(?:\s*-\s*(\d+|\*))?(\+)?(?:\.nolist)?\s*(?:,?\s*(.*))?$/.exec(spec);
        if (!m) throw new AsmError("expected '%macro name nparams[-max][+] [defaults]'", restCol);
        const nmin = Number(m[2]);
        const greedy = m[4] === "+";
        let nmax = m[3] === undefined ? nmin : m[3] === "*" ? Infinity : Number(m[3]);
        const defaults = m[5] ? splitArgs(m[5]) : [];
        return { kind: "macro", nest: 0, body: [], start: line, def: { name: m[1], nmin, nmax, greedy, defaults, body: [] }, ci: dir === "imacro" };
      }
      case "endmacro":
      case "endm":
        throw new AsmError(`%${dir} without %macro`, dirCol);
      case "rep": {
        const count = ppEval(rest.slice(0, commentStart(rest)), loc, restCol);
        if (count > MAX_REP) throw new AsmError(`%rep count ${count} is too large`, restCol);
        return { kind: "rep", nest: 0, body: [], start: line, count: Math.max(0, count) };
      }
      case "endrep":
      case "endr":
        throw new AsmError("%endrep without %rep", dirCol);
      case "exitrep":
        if (repDepth === 0) throw new AsmError("%exitrep outside %rep", dirCol);
        exitRep = true;
        return;
      case "include": {
        const m = /^\s*(["'<])(.*?)["'>]/.exec(rest);
        if (!m) throw new AsmError('expected %include "file"', restCol);
        if (depth >= MAX_INCLUDE_DEPTH) throw new AsmError(`%include nesting too deep (more than ${MAX_INCLUDE_DEPTH} levels; recursive include?)`, restCol);
        const found = findFile(m[2], loc.file);
        if (!found) throw new AsmError(`cannot open include file '${m[2]}'`, restCol + m.index + 1);
        depth++;
        try {
          run(splitLines(new TextDecoder().decode(found.data), found.path), undefined);
        } finally {
          depth--;
        }
        return;
      }
      case "rotate": {
        if (!frame) throw new AsmError("%rotate outside a macro", dirCol);
        const n = ppEval(rest, loc, restCol);
        const len = frame.args.length;
        if (len) {
          const k = ((n % len) + len) % len;
          frame.args = frame.args.slice(k).concat(frame.args.slice(0, k));
        }
        return;
      }
      case "error":
      case "fatal":
        sink.error(loc, dirCol, rest.trim().replace(/^(["'])(.*)\1$/, "$2"));
        return;
      case "warning":
        sink.warning(loc, dirCol, rest.trim().replace(/^(["'])(.*)\1$/, "$2"));
        return;
      case "line":
      case "pragma":
        return;
      default:
        throw new AsmError(`unknown preprocessor directive '%${dir}'`, dirCol);
    }
  };


  /** If `text` invokes a multi-line macro, expands it and returns true. */
  const tryMacroCall = (text: string, line: PLine, frame: Frame | undefined): boolean => {
    if (macros.size === 0 && imacros.size === 0) return false;
    const m = /^\s*(?:([A-Za-z_.?@$][\w.?@$#~]*)\s*:\s*)?([A-Za-z_.?@$][\w.?@$#~]*)(?=\s|$|;)(.*)$/.exec(text);
    if (!m) return false;
    const name = m[2];
    const defs = macros.get(name) ?? imacros.get(name.toLowerCase());
    if (!defs) return false;
    if (m[1]) out.push({ text: m[1] + ":", loc: line.loc });
    const argText = m[3].slice(0, commentStart(m[3])).trim();
    let args = argText === "" ? [] : splitArgs(argText);
    const def = defs.find((d) => args.length >= d.nmin && (args.length <= d.nmax || d.greedy)) ?? defs.find((d) => d.greedy && args.length >= d.nmin);
    const col = text.indexOf(name) + 1;
    if (!def) {
      const d = defs[0];
      const want = d.nmin === d.nmax ? `${d.nmin}` : d.nmax === Infinity ? `at least ${d.nmin}` : `${d.nmin} to ${d.nmax}`;
      throw new AsmError(`macro '${name}' expects ${want} parameter${d.nmax === 1 ? "" : "s"}, got ${args.length}`, col);
    }
    const maxN = def.nmax === Infinity ? Math.max(def.nmin, args.length) : def.nmax;
    if (def.greedy && args.length > maxN) {
      // the last parameter takes the rest of the line, commas included
      const parts = splitArgs(argText, maxN);
      args = parts;
    }
    for (let i = args.length; i < maxN && i - def.nmin < def.defaults.length; i++) {
      if (i >= def.nmin) args.push(def.defaults[i - def.nmin]);
    }
    if (depth >= MAX_MACRO_DEPTH) throw new AsmError(`macro recursion limit exceeded (${MAX_MACRO_DEPTH} nested expansions of '${name}' and others)`, col);
    depth++;
    try {
      const f: Frame = { macro: def, args, id: ++uniq };
      const body = def.body.map((b) => ({ text: b.text, loc: { ...line.loc, macro: line.loc.macro ?? name } }));
      run(body, f);
    } finally {
      depth--;
    }
    return true;
  };

  run(splitLines(source, opt.file), undefined);
  return out;
}

/** Splits `text` at top-level commas (quotes and {braces} protect); braces are stripped. */
export function splitArgs(text: string, limit = Infinity): string[] {
  const out: string[] = [];
  let cur = "";
  let brace = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === "'" || c === '"' || c === "`") && brace === 0) {
      const j = skipString(text, i);
      const e = j < 0 ? text.length : j;
      cur += text.slice(i, e);
      i = e - 1;
      continue;
    }
    if (c === "{") {
      if (brace++ === 0) continue;
    } else if (c === "}") {
      if (--brace === 0) continue;
    } else if (c === "," && brace === 0 && out.length < limit - 1) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Splits `name(a, b)` arguments starting at the `(` at index `open`; returns args and end index. */
function splitParenArgs(text: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  const args: string[] = [];
  let cur = "";
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") {
      const j = skipString(text, i);
      const e = j < 0 ? text.length : j;
      cur += text.slice(i, e);
      i = e - 1;
      continue;
    }
    if (c === "(") {
      if (depth++ === 0) continue;
    } else if (c === ")") {
      if (--depth === 0) {
        args.push(cur.trim());
        return { args, end: i + 1 };
      }
    } else if (c === "," && depth === 1) {
      args.push(cur.trim());
      cur = "";
      continue;
    }
    cur += c;
  }
  return { args: [], end: text.length };
}

/** Replaces whole-word parameter names in a %define body with the call's arguments. */
function substituteParams(body: string, params: string[], args: string[]): string {
  if (params.length === 0) return body;
  return body.replace(/[A-Za-z_.?@$][\w.?@$#~]*/g, (w) => {
    const k = params.indexOf(w);
    return k >= 0 ? args[k] : w;
  });
}

/** 1-based column of the first non-blank character. */
function firstCol(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}
