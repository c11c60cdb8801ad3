// Expressions: NASM operator precedence, parsed once into a tree and evaluated on every pass.
import { AsmError } from "./diagnostics.ts";
import type { Token } from "./lexer.ts";
import { lookupRegister, type RegInfo } from "./registers.ts";

export type Expr =
  | { t: "num"; v: number; big?: bigint }
  | { t: "sym"; name: string; col: number }
  | { t: "here" }
  | { t: "base" }
  | { t: "reg"; reg: RegInfo; col: number }
  | { t: "un"; op: string; a: Expr; col: number }
  | { t: "bin"; op: string; a: Expr; b: Expr; col: number }
  | { t: "cond"; c: Expr; a: Expr; b: Expr };

/** A value: a number, how many section-relative (relocatable) terms it carries, and register terms. */
export interface Value {
  v: number;
  rel: number; // 0 = absolute constant; otherwise depends on where a section is placed
  unknown?: boolean; // depends on a symbol not yet defined in this pass
  regs?: RegTerm[]; // register * coefficient terms (only inside [ ])
}

/** A register term of an address: register, coefficient, and whether it was written with `*`. */
export type RegTerm = [RegInfo, number, boolean?];

/** What an evaluation needs from the assembler: symbol values and the current location. */
export interface EvalContext {
  lookup(name: string, col: number): Value; // throws AsmError if undefined and the pass is final
  here(): number; // $
  sectionBase(): number; // $$
}

/** A cursor over a token list, shared by the expression and statement parsers. */
export class TokenStream {
  pos = 0;
  constructor(readonly toks: Token[], readonly endCol: number) {}
  peek(o = 0): Token | undefined {
    return this.toks[this.pos + o];
  }
  next(): Token | undefined {
    return this.toks[this.pos++];
  }
  atEnd(): boolean {
    return this.pos >= this.toks.length;
  }
  isOp(text: string, o = 0): boolean {
    const t = this.toks[this.pos + o];
    return t !== undefined && t.kind === "op" && t.text === text;
  }
  isKw(word: string, o = 0): boolean {
    const t = this.toks[this.pos + o];
    return t !== undefined && t.kind === "id" && t.text.toLowerCase() === word;
  }
  col(): number {
    const t = this.toks[this.pos];
    return t ? t.col : this.endCol;
  }
  expectOp(text: string): void {
    if (!this.isOp(text)) throw new AsmError(`expected '${text}'`, this.col());
    this.pos++;
  }
}

const BIN_LEVELS: string[][] = [
  ["||"],
  ["^^"],
  ["&&"],
  ["=", "==", "!=", "<>", "<", "<=", ">", ">=", "<=>"],
  ["|"],
  ["^"],
  ["&"],
  ["<<", ">>", "<<<", ">>>"],
  ["+", "-"],
  ["*", "/", "//", "%", "%%"],
];
/** Each binary operator's precedence level (its index in BIN_LEVELS). */
const BIN_LEVEL = new Map(BIN_LEVELS.flatMap((ops, n) => ops.map((op) => [op, n] as const)));

/** The deepest nesting of parentheses, unary operators and `?:` the assembler accepts (each level costs parser recursion). */
export const MAX_EXPR_NESTING = 256;
/** The deepest expression tree it accepts (a chain `a && b && …` is one level per operator): bounds evaluation's recursion. */
export const MAX_EXPR_DEPTH = 2048;

/** Parses an expression at the stream's position; `qualify` turns `.local` names into full names.
 *  Guarantees bounded nesting and tree depth (MAX_EXPR_NESTING, MAX_EXPR_DEPTH): beyond them, an AsmError at the column. */
export function parseExpr(ts: TokenStream, qualify: (name: string) => string): Expr {
  return parseExprAt(ts, qualify, 0);
}

/** The depth of each parsed operator node (leaves are 0): bounds the recursion of evaluate() and friends. */
const treeDepth = new WeakMap<Expr, number>();

/** parseExpr for a subexpression inside `outer` levels of parentheses, unary operators or `?:`
 *  (each costs parser recursion, so they are bounded before recursing). */
function parseExprAt(ts: TokenStream, qualify: (name: string) => string, outer: number): Expr {
  const depthOf = (e: Expr): number => treeDepth.get(e) ?? 0;
  const tooDeep = (col: number): AsmError =>
    new AsmError(`expression is nested too deeply (more than ${MAX_EXPR_NESTING} levels of parentheses, unary operators or '?:')`, col);
  const node = (e: Expr, d: number, col: number): Expr => {
    if (d > MAX_EXPR_DEPTH) throw new AsmError(`expression is too long: more than ${MAX_EXPR_DEPTH} operators in one chain`, col);
    treeDepth.set(e, d);
    return e;
  };
  // precedence climbing: the same left-associative trees as one function per level, in one stack frame per operator level actually used
  const level = (min: number): Expr => {
    let a = unary();
    for (;;) {
      const t = ts.peek();
      const n = t && t.kind === "op" ? (BIN_LEVEL.get(t.text) ?? -1) : -1;
      if (n < min) return a;
      ts.next();
      const b = level(n + 1);
      a = node({ t: "bin", op: t!.text, a, b, col: t!.col }, Math.max(depthOf(a), depthOf(b)) + 1, t!.col);
    }
  };
  const unary = (): Expr => {
    let t = ts.peek();
    // a run of prefix operators is read in a loop (not by recursion), so its length is checked before it can overflow the stack
    const ops: Token[] = [];
    while (t && t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "~" || t.text === "!")) {
      ops.push(t);
      if (outer + ops.length > MAX_EXPR_NESTING) throw tooDeep(t.col);
      ts.next();
      t = ts.peek();
    }
    let e = primary(outer + ops.length);
    for (let k = ops.length - 1; k >= 0; k--) e = node({ t: "un", op: ops[k]!.text, a: e, col: ops[k]!.col }, depthOf(e) + 1, ops[k]!.col);
    return e;
  };
  const primary = (d: number): Expr => {
    const t = ts.next();
    if (!t) throw new AsmError("expected an expression", ts.endCol);
    if (t.kind === "num") return t.big !== undefined ? { t: "num", v: t.value!, big: t.big } : { t: "num", v: t.value! };
    if (t.kind === "str") return { t: "num", v: charConst(t.bytes!, t.col) };
    if (t.kind === "op" && t.text === "(") {
      if (d + 1 > MAX_EXPR_NESTING) throw tooDeep(t.col);
      const e = parseExprAt(ts, qualify, d + 1);
      ts.expectOp(")");
      return e;
    }
    if (t.kind === "id") {
      if (t.text === "$") return { t: "here" };
      if (t.text === "$$") return { t: "base" };
      const reg = lookupRegister(t.text);
      if (reg) return { t: "reg", reg, col: t.col };
      return { t: "sym", name: qualify(t.text), col: t.col };
    }
    throw new AsmError(`unexpected '${t.text}' in expression`, t.col);
  };
  const cond = (d: number): Expr => {
    const c = level(0);
    if (!ts.isOp("?")) return c;
    const q = ts.next()!;
    if (d + 1 > MAX_EXPR_NESTING) throw tooDeep(q.col);
    const a = cond(d + 1);
    ts.expectOp(":");
    const b = cond(d + 1);
    return node({ t: "cond", c, a, b }, Math.max(depthOf(c), depthOf(a), depthOf(b)) + 1, q.col);
  };
  return cond(outer);
}

/** Converts a string used as a number ('ab') to its little-endian value (at most 8 bytes). */
export function charConst(bytes: number[], col: number): number {
  if (bytes.length > 8) throw new AsmError("character constant is longer than 8 bytes", col);
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 256 + bytes[i];
  return v;
}

/** Converts a 64-bit result to a JS number; values beyond 2^53 keep only their low 32 bits
 *  (exact for everything a 16/32-bit program can emit, see docs/asm.md). */
function i64(x: bigint): number {
  const v = BigInt.asIntN(64, x);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : Number(BigInt.asIntN(32, v));
}

/** Evaluates `e`; guarantees register terms only appear if `allowRegs` (memory operands). */
export function evaluate(e: Expr, ctx: EvalContext, allowRegs = false): Value {
  switch (e.t) {
    case "num":
      return { v: e.v, rel: 0 };
    case "sym":
      return ctx.lookup(e.name, e.col);
    case "here":
      return { v: ctx.here(), rel: 1 };
    case "base":
      return { v: ctx.sectionBase(), rel: 1 };
    case "reg":
      if (!allowRegs) throw new AsmError(`register '${e.reg.name}' is not allowed in this expression`, e.col);
      return { v: 0, rel: 0, regs: [[e.reg, 1]] };
    case "cond": {
      const c = evaluate(e.c, ctx);
      return c.v !== 0 ? evaluate(e.a, ctx, allowRegs) : evaluate(e.b, ctx, allowRegs);
    }
    case "un": {
      const a = evaluate(e.a, ctx, allowRegs);
      const unknown = a.unknown;
      switch (e.op) {
        case "-":
          return { v: -a.v, rel: -a.rel, unknown, regs: a.regs?.map(([r, k, m]) => [r, -k, m] as RegTerm) };
        case "+":
          return a;
        case "~":
          noRegs(a, e.col);
          return { v: i64(~BigInt(a.v)), rel: a.rel ? 1 : 0, unknown };
        default:
          noRegs(a, e.col);
          return { v: a.v === 0 ? 1 : 0, rel: 0, unknown };
      }
    }
    case "bin": {
      const a = evaluate(e.a, ctx, allowRegs);
      const b = evaluate(e.b, ctx, allowRegs);
      const unknown = a.unknown || b.unknown;
      if (e.op === "+" || e.op === "-") {
        const s = e.op === "+" ? 1 : -1;
        let regs = a.regs;
        if (b.regs) regs = (regs ?? []).concat(b.regs.map(([r, k, m]) => [r, s * k, m] as RegTerm));
        return { v: a.v + s * b.v, rel: a.rel + s * b.rel, unknown, regs };
      }
      if (e.op === "*" && (a.regs || b.regs)) {
        if (a.regs && b.regs) throw new AsmError("cannot multiply two registers", e.col);
        const [r, k] = a.regs ? [a, b] : [b, a];
        return { v: r.v * k.v, rel: 0, unknown, regs: r.regs!.map(([x, c]) => [x, c * k.v, true] as RegTerm) };
      }
      noRegs(a, e.col);
      noRegs(b, e.col);
      const rel = a.rel || b.rel ? 1 : 0;
      return { v: binop(e.op, a.v, b.v, e.col, unknown), rel, unknown };
    }
  }
}

/** Throws if a value carries register terms (only + - * may combine registers). */
function noRegs(v: Value, col: number): void {
  if (v.regs) throw new AsmError("invalid effective address: registers can only be added or scaled", col);
}

/** Applies a non-additive binary operator with NASM semantics (64-bit, / unsigned, // signed). */
function binop(op: string, a: number, b: number, col: number, unknown?: boolean): number {
  const small = (x: number) => x >= -0x80000000 && x <= 0x7fffffff;
  switch (op) {
    case "*": {
      const r = a * b;
      return Number.isSafeInteger(r) ? r : i64(BigInt(a) * BigInt(b));
    }
    case "/":
    case "//":
    case "%":
    case "%%": {
      if (b === 0) {
        if (unknown) return 0;
        throw new AsmError("division by zero", col);
      }
      if (op.length === 1 && (a < 0 || b < 0)) {
        const ua = BigInt.asUintN(64, BigInt(a));
        const ub = BigInt.asUintN(64, BigInt(b));
        return i64(op === "/" ? ua / ub : ua % ub);
      }
      return op === "/" || op === "//" ? Math.trunc(a / b) : a % b;
    }
    case "&":
      return small(a) && small(b) ? a & b : i64(BigInt(a) & BigInt(b));
    case "|":
      return small(a) && small(b) ? a | b : i64(BigInt(a) | BigInt(b));
    case "^":
      return small(a) && small(b) ? a ^ b : i64(BigInt(a) ^ BigInt(b));
    case "<<":
    case "<<<":
      return b >= 64 ? 0 : i64(BigInt(a) << BigInt(b));
    case ">>":
      return b >= 64 ? 0 : i64(BigInt.asUintN(64, BigInt(a)) >> BigInt(b));
    case ">>>":
      return i64(BigInt(a) >> BigInt(Math.min(b, 63)));
    case "=":
    case "==":
      return a === b ? 1 : 0;
    case "!=":
    case "<>":
      return a !== b ? 1 : 0;
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "<=>":
      return a > b ? 1 : 0; // what NASM 2.16 actually produces (its -1 case comes out as 0)
    case "&&":
      return a !== 0 && b !== 0 ? 1 : 0;
    case "||":
      return a !== 0 || b !== 0 ? 1 : 0;
    case "^^":
      return (a !== 0) !== (b !== 0) ? 1 : 0;
  }
  throw new AsmError(`unknown operator '${op}'`, col);
}

/** True if the value of `e` can change between passes (mentions a symbol, `$` or `$$`). */
export function isDynamic(e: Expr): boolean {
  switch (e.t) {
    case "sym":
    case "here":
    case "base":
      return true;
    case "un":
      return isDynamic(e.a);
    case "bin":
      return isDynamic(e.a) || isDynamic(e.b);
    case "cond":
      return isDynamic(e.c) || isDynamic(e.a) || isDynamic(e.b);
    default:
      return false;
  }
}

/** True if the expression mentions a register (so it must be a memory address, not a value). */
export function hasRegister(e: Expr): boolean {
  switch (e.t) {
    case "reg":
      return true;
    case "un":
      return hasRegister(e.a);
    case "bin":
      return hasRegister(e.a) || hasRegister(e.b);
    case "cond":
      return hasRegister(e.a) || hasRegister(e.b) || hasRegister(e.c);
    default:
      return false;
  }
}
