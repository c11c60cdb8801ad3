// Operands: parsing `[seg:base+index*scale+disp]`, registers, immediates and `sel:off`, and turning
// them into concrete values for one pass (including NASM's effective-address normalisation).
import { AsmError } from "./diagnostics.ts";
import { evaluate, hasRegister, parseExpr, type EvalContext, type Expr, type RegTerm, type TokenStream } from "./expr.ts";
import { lookupRegister, type RegInfo } from "./registers.ts";
import type { ROperand } from "./select.ts";

/** An operand as written; expressions are evaluated per pass by `resolveOperand`. */
export type Operand =
  | { k: "reg"; reg: RegInfo; col: number }
  | { k: "mem"; size: number; far: boolean; seg?: RegInfo; addr: Expr; dispSize: number; nosplit: boolean; col: number }
  | { k: "imm"; e: Expr; size: number; strict: boolean; jump?: "short" | "near" | "far"; col: number }
  | { k: "far"; sel: Expr; off: Expr; size: number; col: number };

export const SIZE_WORDS: Record<string, number> = { byte: 8, word: 16, dword: 32, qword: 64, tword: 80, oword: 128 };

/** Parses one operand at the stream position (stops before `,` or end of line). */
export function parseOperand(ts: TokenStream, qualify: (n: string) => string): Operand {
  const col = ts.col();
  let size = 0;
  let strict = false;
  let jump: "short" | "near" | "far" | undefined;
  for (;;) {
    const t = ts.peek();
    if (!t || t.kind !== "id") break;
    const w = t.text.toLowerCase();
    if (w in SIZE_WORDS) size = SIZE_WORDS[w];
    else if (w === "strict") strict = true;
    else if (w === "short" || w === "near" || w === "far") jump = w;
    else break;
    ts.next();
  }
  if (ts.isOp("[")) {
    ts.next();
    let dispSize = 0;
    let nosplit = false;
    let seg: RegInfo | undefined;
    for (;;) {
      const t = ts.peek();
      if (t && t.kind === "id" && SIZE_WORDS[t.text.toLowerCase()] !== undefined) {
        dispSize = SIZE_WORDS[t.text.toLowerCase()] / 8;
        ts.next();
        continue;
      }
      if (t && t.kind === "id" && ["nosplit", "abs", "rel"].includes(t.text.toLowerCase())) {
        if (t.text.toLowerCase() === "nosplit") nosplit = true;
        ts.next();
        continue;
      }
      const r = t && t.kind === "id" ? lookupRegister(t.text) : undefined;
      if (r && r.cls === "sreg" && ts.isOp(":", 1)) {
        seg = r;
        ts.next();
        ts.next();
        continue;
      }
      break;
    }
    const addr = parseExpr(ts, qualify);
    ts.expectOp("]");
    return { k: "mem", size, far: jump === "far", seg, addr, dispSize, nosplit, col };
  }
  const t = ts.peek();
  if (t && t.kind === "id") {
    const r = lookupRegister(t.text);
    const after = ts.peek(1);
    if (r && (!after || (after.kind === "op" && after.text === ","))) {
      ts.next();
      if (size && size !== (r.cls === "r8" ? 8 : r.cls === "r16" ? 16 : r.cls === "r32" ? 32 : size))
        throw new AsmError(`size keyword does not match register '${r.name}'`, col);
      return { k: "reg", reg: r, col };
    }
  }
  const e = parseExpr(ts, qualify);
  if (ts.isOp(":")) {
    ts.next();
    const off = parseExpr(ts, qualify);
    return { k: "far", sel: e, off, size, col };
  }
  if (hasRegister(e)) throw new AsmError("registers may only appear inside [ ] here", col);
  return { k: "imm", e, size, strict, jump, col };
}

/**
 * Evaluates an operand for this pass. Unknown (forward) values become 0 until a later pass. An
 * `a16`/`a32` prefix (`addrPrefix`) sets the address size of a memory operand, as in NASM.
 */
export function resolveOperand(op: Operand, ctx: EvalContext, bits: 16 | 32, addrPrefix?: 16 | 32): ROperand {
  switch (op.k) {
    case "reg":
      return { k: "reg", reg: op.reg };
    case "imm": {
      const v = evaluate(op.e, ctx);
      return { k: "imm", value: v.unknown ? 0 : v.v, rel: v.rel !== 0 && !v.unknown, unknown: v.unknown, size: op.size, strict: op.strict, jump: op.jump };
    }
    case "far": {
      const s = evaluate(op.sel, ctx);
      const o = evaluate(op.off, ctx);
      return { k: "far", sel: s.v, off: o.v, size: op.size };
    }
    case "mem":
      return resolveMem(op, ctx, bits, addrPrefix);
  }
}

const BASE16 = new Set(["bx", "bp"]);
const INDEX16 = new Set(["si", "di"]);

/** Turns `[expr]` into base/index/scale/disp, copying NASM's EA splitting except for EBP/ESP. */
function resolveMem(op: Extract<Operand, { k: "mem" }>, ctx: EvalContext, bits: 16 | 32, addrPrefix?: 16 | 32): ROperand {
  const v = evaluate(op.addr, ctx, true);
  // keep registers as written ([ebp+ebp] is base+index); only merge a register that appears 3+ times
  let terms: RegTerm[] = (v.regs ?? []).map(([r, k, m]) => [r, k, m]);
  if (terms.length > 2) {
    const merged: RegTerm[] = [];
    for (const [r, k, m] of terms) {
      const t = merged.find((x) => x[0] === r);
      if (t) {
        t[1] += k;
        t[2] = true;
      } else merged.push([r, k, m]);
    }
    terms = merged;
  }
  const regs = terms.filter((t) => t[1] !== 0);
  const disp = v.unknown ? 0 : v.v;
  const dispRel = v.rel !== 0 && !v.unknown;
  const base: ROperand & { k: "mem" } = { k: "mem", size: op.size, far: op.far, seg: op.seg, scale: 1, disp, dispRel, dispSize: op.dispSize, addr: bits };
  const mixed = (): AsmError => new AsmError("impossible combination of address sizes", op.col);
  if (regs.length === 0) {
    if (op.dispSize === 2) base.addr = 16;
    else if (op.dispSize === 4) base.addr = 32;
    else if (addrPrefix !== undefined) base.addr = addrPrefix;
    if (addrPrefix !== undefined && base.addr !== addrPrefix) throw mixed();
    base.dispSize = 0;
    return base;
  }
  const cls = regs[0][0].cls;
  if (regs.some(([r]) => r.cls !== cls) || (cls !== "r16" && cls !== "r32")) throw new AsmError("invalid effective address", op.col);
  if (addrPrefix !== undefined && (cls === "r16" ? 16 : 32) !== addrPrefix) throw mixed();
  if (cls === "r16") {
    base.addr = 16;
    let b: RegInfo | undefined;
    let x: RegInfo | undefined;
    for (const [r, k] of regs) {
      if (k !== 1) throw new AsmError("invalid effective address: 16-bit addressing cannot scale registers", op.col);
      if (BASE16.has(r.name) && !b) b = r;
      else if (INDEX16.has(r.name) && !x) x = r;
      else throw new AsmError("invalid effective address: 16-bit addressing allows [bx|bp + si|di + disp]", op.col);
    }
    if (b) {
      base.base = b;
      base.index = x;
    } else base.base = x;
    return base;
  }
  base.addr = 32;
  if (regs.length > 2) throw new AsmError("invalid effective address: too many registers", op.col);
  if (regs.length === 1) {
    const [r, k] = regs[0];
    if (k === 1) base.base = r;
    else if (op.nosplit && (k === 2 || k === 4 || k === 8)) {
      base.index = r;
      base.scale = k;
    } else if (k === 2 && r.name !== "ebp" && r.name !== "esp") {
      base.base = r;
      base.index = r;
    } else if ((k === 3 || k === 5 || k === 9) && r.name !== "esp") {
      base.base = r;
      base.index = r;
      base.scale = k - 1;
    } else if (k === 2 || k === 4 || k === 8) {
      base.index = r;
      base.scale = k;
    } else throw new AsmError(`invalid effective address: scale ${k} is not 1, 2, 4 or 8`, op.col);
    if (base.index?.name === "esp") throw new AsmError("invalid effective address: esp cannot be an index", op.col);
    return base;
  }
  let [[r1, k1, m1], [r2, k2, m2]] = regs;
  // the scaled register is the index; with two plain ones, one written as `r*1` is the index
  if ((k1 !== 1 && k2 === 1) || (k1 === 1 && k2 === 1 && m1 && !m2)) [[r1, k1], [r2, k2]] = [[r2, k2], [r1, k1]];
  if (k1 !== 1) throw new AsmError("invalid effective address: only one register can be scaled", op.col);
  if (![1, 2, 4, 8].includes(k2)) throw new AsmError(`invalid effective address: scale ${k2} is not 1, 2, 4 or 8`, op.col);
  if (r2.name === "esp") {
    if (k2 !== 1) throw new AsmError("invalid effective address: esp cannot be an index", op.col);
    [r1, r2] = [r2, r1];
  }
  base.base = r1;
  base.index = r2;
  base.scale = k2;
  return base;
}
