// Lexer: turns one NASM source line into tokens (identifiers, numbers, strings, operators).
import { AsmError } from "./diagnostics.ts";

export type TokKind = "id" | "num" | "str" | "op";

/** One token. `col` is 1-based; for strings `bytes` holds the decoded contents. */
export interface Token {
  kind: TokKind;
  text: string; // identifier / operator text (identifiers keep their case)
  col: number;
  value?: number; // numbers
  big?: bigint; // numbers beyond 2^53, exactly
  bytes?: number[]; // strings
}

const OPS3 = ["<<<", ">>>", "<=>"];
const OPS2 = ["<<", ">>", "//", "%%", "&&", "||", "^^", "==", "!=", "<>", "<=", ">="];
const OPS1 = "+-*/%&|^~!=<>()[],:?{}";

// character classes by char code: 1 = identifier start, 2 = identifier char
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || "_.?@".includes(ch)) CLASS[c] = 3;
  else if ((ch >= "0" && ch <= "9") || "$#~".includes(ch)) CLASS[c] = 2;
}

/** True if `c` may start an identifier. */
export function isIdStart(c: string): boolean {
  const k = c.charCodeAt(0);
  return k < 128 && (CLASS[k] & 1) !== 0;
}

/** True if `c` may continue an identifier. */
export function isIdChar(c: string): boolean {
  const k = c.charCodeAt(0);
  return k < 128 && CLASS[k] !== 0;
}

/** True if char code `k` may continue an identifier. */
function idCode(k: number): boolean {
  return k < 128 && CLASS[k] !== 0;
}

/** Returns the index where the line's `;` comment starts (outside strings), or the line length. */
export function commentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ";") return i;
    if (c === "'" || c === '"' || c === "`") {
      const j = skipString(line, i);
      if (j < 0) return line.length;
      i = j - 1;
    }
  }
  return line.length;
}

/** Returns the index just past the string starting at `i`, or -1 if it is unterminated. */
export function skipString(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (q === "`" && s[j] === "\\") {
      j++;
      continue;
    }
    if (s[j] === q) return j + 1;
  }
  return -1;
}

/** Decodes a backquoted string body with C-style escapes into bytes (UTF-8 for \u). */
function decodeBackquote(body: string, col: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      pushUtf8(out, body.codePointAt(i)!);
      if (body.codePointAt(i)! > 0xffff) i++;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, "\\": 92, "'": 39, '"': 34, "`": 96, "?": 63 };
    if (e in simple) out.push(simple[e]);
    else if (e === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!m) throw new AsmError("invalid \\x escape in string", col);
      out.push(parseInt(m[0], 16));
      i += m[0].length;
    } else if (e >= "0" && e <= "7") {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
      out.push(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw new AsmError(`invalid \\${e} escape in string`, col);
      pushUtf8(out, parseInt(h, 16));
      i += n;
    } else throw new AsmError(`unknown escape '\\${e ?? ""}' in string`, col);
  }
  return out;
}

/** Appends the UTF-8 encoding of code point `cp`. */
function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Parses a NASM numeric literal (0x/0h/$ hex, h/x suffix, 0b/b/y binary, 0o/q/o octal, d/t decimal). */
export function parseNumber(raw: string, col: number): number {
  if (/^[0-9]+$/.test(raw)) return Number(raw);
  let s = raw.replace(/_/g, "").toLowerCase();
  let base = 10;
  if (/^[0-9][0-9a-f]*h$/.test(s)) {
    base = 16;
    s = s.slice(0, -1);
  } else if (s.startsWith("$")) {
    base = 16;
    s = s.slice(1);
  } else if (/^0[xh]/.test(s)) {
    base = 16;
    s = s.slice(2);
  } else if (/^0[by]/.test(s) && !/h$/.test(s)) {
    base = 2;
    s = s.slice(2);
  } else if (/^0[oq]/.test(s)) {
    base = 8;
    s = s.slice(2);
  } else if (/^0[dt]/.test(s)) {
    s = s.slice(2);
  } else if (/[hx]$/.test(s)) {
    base = 16;
    s = s.slice(0, -1);
  } else if (/[qo]$/.test(s)) {
    base = 8;
    s = s.slice(0, -1);
  } else if (/[by]$/.test(s)) {
    base = 2;
    s = s.slice(0, -1);
  } else if (/[dt]$/.test(s)) {
    s = s.slice(0, -1);
  }
  const digits = base === 16 ? /^[0-9a-f]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) throw new AsmError(`invalid number '${raw}'`, col);
  if (base === 10) return Number(s);
  const v = parseInt(s, base);
  return v;
}

/** Exact value of a large literal (used by dq); falls back to the float value. */
function parseBig(raw: string): bigint | undefined {
  const s = raw.replace(/_/g, "").toLowerCase();
  try {
    if (/^0x[0-9a-f]+$/.test(s)) return BigInt(s);
    if (/^[0-9][0-9a-f]*h$/.test(s)) return BigInt("0x" + s.slice(0, -1));
    if (/^[0-9]+$/.test(s)) return BigInt(s);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Tokenizes `line` (comment already removed or not); `colBase` is added to columns. */
export function tokenize(line: string, colBase = 0): Token[] {
  const toks: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i];
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === ";") break;
    const col = i + 1 + colBase;
    if (c === "'" || c === '"' || c === "`") {
      const j = skipString(line, i);
      if (j < 0) throw new AsmError("unterminated string", col);
      const body = line.slice(i + 1, j - 1);
      let bytes: number[];
      if (c === "`") bytes = decodeBackquote(body, col);
      else {
        bytes = [];
        for (const ch of body) pushUtf8(bytes, ch.codePointAt(0)!);
      }
      toks.push({ kind: "str", text: line.slice(i, j), col, bytes });
      i = j;
      continue;
    }
    if ((c >= "0" && c <= "9") || (c === "$" && i + 1 < n && line[i + 1] >= "0" && line[i + 1] <= "9")) {
      let j = i + 1;
      while (j < n) {
        const k = line.charCodeAt(j);
        if (!((k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 36 || k === 46)) break;
        j++;
      }
      const raw = line.slice(i, j);
      if (raw.includes(".") || (/^[0-9]+e/i.test(raw) && !/h$/i.test(raw)))
        throw new AsmError(`floating-point constant '${raw}' is not supported`, col);
      const value = parseNumber(raw, col);
      const tok: Token = { kind: "num", text: raw, col, value };
      if (!Number.isSafeInteger(value)) tok.big = parseBig(raw);
      toks.push(tok);
      i = j;
      continue;
    }
    if (c === "$") {
      if (line[i + 1] === "$") {
        toks.push({ kind: "id", text: "$$", col });
        i += 2;
        continue;
      }
      if (i + 1 < n && isIdStart(line[i + 1])) {
        // $name: an identifier that would otherwise be a keyword
        let j = i + 1;
        while (j < n && isIdChar(line[j])) j++;
        toks.push({ kind: "id", text: line.slice(i + 1, j), col });
        i = j;
        continue;
      }
      toks.push({ kind: "id", text: "$", col });
      i++;
      continue;
    }
    if (c === "?" && !isIdChar(line[i + 1] ?? " ")) {
      toks.push({ kind: "op", text: "?", col });
      i++;
      continue;
    }
    if (isIdStart(c) || (c === "%" && line[i + 1] === "%" && isIdChar(line[i + 2] ?? ""))) {
      let j = c === "%" ? i + 2 : i + 1;
      while (j < n && idCode(line.charCodeAt(j))) j++;
      toks.push({ kind: "id", text: line.slice(i, j), col });
      i = j;
      continue;
    }
    const three = line.substr(i, 3);
    if (OPS3.includes(three)) {
      toks.push({ kind: "op", text: three, col });
      i += 3;
      continue;
    }
    const two = line.substr(i, 2);
    if (OPS2.includes(two)) {
      toks.push({ kind: "op", text: two, col });
      i += 2;
      continue;
    }
    if (OPS1.includes(c)) {
      toks.push({ kind: "op", text: c, col });
      i++;
      continue;
    }
    throw new AsmError(`unexpected character '${c}'`, col);
  }
  return toks;
}
