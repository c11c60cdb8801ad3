// Layout: runs the statements pass after pass until no symbol moves, then emits bytes in one more pass.
//
// Branch sizing follows NASM 2.16 exactly (asm/nasm.c pass loop, labels.c, jmp_match() in assemble.c),
// because its fixed point is not always the smallest one and byte-identical output needs the same one:
//  - within a pass, a symbol already defined in this pass has this pass's value; a symbol defined
//    further on has the value the previous pass gave it (NASM keeps one label table and overwrites a
//    label when its definition is reached). `$` is this pass's address.
//  - in pass 1 a forward symbol is unknown and a branch to it is assumed short.
//  - every pass decides short/near afresh from those values: a branch that grew can shrink again.
//  - passes repeat until a pass changes no symbol; NASM then runs two more identical passes.
// Section starts are only known after a pass (org, ELF placement), so a symbol carried over from the
// previous pass keeps its offset inside its section and takes this pass's section start.
import { AsmError, asAsmError, type DiagnosticSink, type SourceLoc } from "./diagnostics.ts";
import { evaluate, isDynamic, type EvalContext, type Expr, type Value } from "./expr.ts";
import { resolveOperand } from "./operands.ts";
import type { DataItem, Op, Stmt } from "./parse.ts";
import { alignUp, defaultSection, placeBin, type SectionInfo } from "./sections.ts";
import { placeElf } from "./elf.ts";
import { unsupportedRegister } from "./registers.ts";
import type { Encoded, InstructionSelector, ROperand } from "./select.ts";

/** A defined symbol. `rel` is 1 for addresses inside a section, 0 for absolute constants. */
export interface SymbolDef {
  name: string;
  value: number;
  rel: number;
  section?: string;
  kind: "label" | "equ";
  loc: SourceLoc;
  /** Internal: the section whose start (as used in the defining pass) is included in `value`. */
  base?: string;
}

/** What one statement produced in the final pass (for the listing). */
export interface Emitted {
  stmt: Stmt;
  section: string;
  offset: number; // offset inside its section
  bytes?: Uint8Array; // undefined for reservations
  reserved?: number;
}

export interface LayoutInput {
  stmts: Stmt[];
  format: "bin" | "elf";
  elfBase: number;
  selector: InstructionSelector;
  sink: DiagnosticSink;
  readBinary: (name: string, from: string) => Uint8Array | undefined;
  externs: Map<string, SourceLoc>;
}

export interface LayoutResult {
  sections: SectionInfo[];
  data: Map<string, Uint8Array>;
  symbols: Map<string, SymbolDef>;
  emitted: Emitted[];
}

// NASM iterates until no label moves and has no pass limit to speak of (it gives up only after 1000
// passes without progress); ringside freezes branch growth after STICKY_AFTER passes so that it always
// terminates. Real code needs a handful of passes; the densest curated branch test needs 26.
const STICKY_AFTER = 100; // after this many passes a branch that was near stays near
const MAX_PASSES = 150;
/** The most bytes a section that holds data (not nobits, like .bss) may have: its bytes are kept in memory. */
export const MAX_SECTION_BYTES = 64 * 1024 * 1024;

/** A growable byte buffer for one section. */
class ByteBuf {
  buf = new Uint8Array(256);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  push(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  /** Appends `count` copies of `b`. */
  repeat(b: Uint8Array, count: number): void {
    const n = b.length * count;
    this.ensure(n);
    if (b.length === 1) this.buf.fill(b[0]!, this.len, this.len + n);
    else for (let k = 0; k < count; k++) this.buf.set(b, this.len + k * b.length);
    this.len += n;
  }
}

/** Runs passes to a fixed point and returns sections, bytes and symbols; never throws on bad input. */
export function layout(inp: LayoutInput): LayoutResult {
  const { stmts, sink, selector } = inp;
  const n = stmts.length;
  const circular = reportEquCycles(stmts, sink);
  const longBranch = new Uint8Array(n);
  /** Statements whose `times` count was unknown in some pass (it names a label defined later): NASM refuses them. */
  const timesForward = new Uint8Array(n);
  // what the previous pass produced: its symbols, its placed sections, and the section starts it assumed
  let prevSyms: Map<string, SymbolDef> | undefined;
  let prevSections = new Map<string, SectionInfo>();
  let prevUsedStarts = new Map<string, number>();
  const binCache = new Map<string, Uint8Array | null>();
  // last encoding of each statement, keyed by its evaluated operands (and address, for branches)
  const memo: Array<{ sig: string; enc: Encoded; address: number; bits: number } | undefined> = new Array(n);
  // instructions whose operands mention no symbol, `$` or `$$` encode the same in every pass
  const staticInsn = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const op = stmts[i].op;
    if (op.k !== "insn" || stmts[i].times) continue;
    let fixed = true;
    for (const o of op.operands) {
      if (o.k === "imm" ? isDynamic(o.e) : o.k === "mem" ? isDynamic(o.addr) : o.k === "far" ? isDynamic(o.sel) || isDynamic(o.off) : false) fixed = false;
    }
    staticInsn[i] = fixed ? 1 : 0;
  }
  let result: LayoutResult | undefined;
  let converged = false;

  for (let pass = 1; ; pass++) {
    const final = converged || pass > MAX_PASSES;
    const usedStarts = new Map<string, number>();
    const r = runPass(pass, final, usedStarts);
    if (final) {
      if (!converged) reportUnstable(pass, r);
      result = r;
      break;
    }
    // like NASM: another pass is needed while any symbol (or section placement) changed in this one
    converged = pass > 1 && sameSyms(prevSyms!, r.symbols) && sameSections(prevSections, r.sections);
    prevSyms = r.symbols;
    prevSections = new Map(r.sections.map((s) => [s.name, s]));
    prevUsedStarts = usedStarts;
  }
  return result!;

  /**
   * Called when the pass limit forced a final pass: if a symbol still moved in it, some encodings in
   * the output used stale addresses, so this reports an error (NASM: "unable to find valid values for
   * all labels"). A layout that only settled in the final pass is fine.
   */
  function reportUnstable(pass: number, r: LayoutResult): void {
    let moved: SymbolDef | undefined;
    for (const [name, s] of r.symbols) {
      const p = prevSyms?.get(name);
      if (!p || carriedValue(p) !== s.value || p.rel !== s.rel) {
        moved = s;
        break;
      }
    }
    if (!moved || circular) return; // a circular equ never settles; it has its own error
    sink.error(moved.loc, 0, `unable to find stable values for all labels after ${pass} passes ('${moved.name}' still moves; a size that depends on a later label or on \`$\` may oscillate)`);
  }

  /**
   * The value a symbol defined in the previous pass has in this one: its offset inside its section
   * is kept, its section start is the one this pass uses (the previous pass may have assumed another,
   * e.g. 0 before `org` placement in pass 1). Values without a section are returned unchanged.
   */
  function carriedValue(s: SymbolDef): number {
    if (!s.base) return s.value;
    const assumed = prevUsedStarts.get(s.base) ?? 0;
    const now = prevSections.get(s.base)?.start ?? 0;
    return s.value - assumed + now;
  }

  /** One pass over all statements. In the final pass bytes are produced and errors reported. */
  function runPass(pass: number, final: boolean, usedStarts: Map<string, number>): LayoutResult {
    const sections = new Map<string, SectionInfo>();
    const data = new Map<string, ByteBuf>();
    const symbols = new Map<string, SymbolDef>();
    const emitted: Emitted[] = [];
    let order = 0;
    let bits: 16 | 32 = 16;
    if (inp.format === "elf") bits = 32;
    let org: number | undefined;
    let orgSeen = false;
    let cur: SectionInfo;
    let absBase: number | undefined; // set while in an absolute/struc pseudo-section
    let absOff = 0;
    let strucName: string | undefined;
    let strucPrev: SectionInfo | undefined;
    const istrucs: Array<{ name: string; start: number; loc: SourceLoc }> = [];
    let stmtIndex = 0;

    const section = (name: string): SectionInfo => {
      let s = sections.get(name);
      if (!s) {
        s = defaultSection(name, inp.format, order++);
        const prev = prevSections.get(name);
        s.start = prev ? prev.start : 0;
        usedStarts.set(name, s.start);
        sections.set(name, s);
        data.set(name, new ByteBuf());
      }
      return s;
    };
    cur = section(".text");

    const offset = () => (absBase !== undefined ? absOff : cur.size);
    const curAddress = () => (absBase !== undefined ? absBase + absOff : cur.start + cur.size);
    /** Where the line being repeated by `times` starts: its `$` in every repetition, as in NASM. */
    let timesStart: number | undefined;

    const ctx: EvalContext = {
      lookup(name: string, col: number): Value {
        // NASM's rule: a symbol already defined in this pass has this pass's value; a symbol defined
        // further on has the value the previous pass gave it; in pass 1 it is unknown (and a branch
        // to it is assumed short)
        const s = symbols.get(name);
        if (s) return { v: s.value, rel: s.rel };
        const p = prevSyms?.get(name);
        if (p) return { v: carriedValue(p), rel: p.rel };
        if (final) {
          if (inp.externs.has(name)) throw new AsmError(`symbol '${name}' is declared extern, but ringside asm does not link: define it in this file`, col);
          throw new AsmError(unsupportedRegister(name) ?? `undefined symbol '${name}'`, col);
        }
        return { v: 0, rel: 0, unknown: true };
      },
      here: () => timesStart ?? curAddress(), // `$` is where this pass puts the line, like NASM
      sectionBase: () => (absBase !== undefined ? absBase : cur.start),
    };

    const define = (st: Stmt, name: string, value: number, rel: number, kind: "label" | "equ", col: number) => {
      const old = symbols.get(name);
      if (old) {
        if (final) sink.error(st.loc, col, `symbol '${name}' is already defined (first defined at ${old.loc.file}:${old.loc.line})`);
        return;
      }
      const base = rel && absBase === undefined ? cur.name : undefined;
      symbols.set(name, { name, value, rel, section: kind === "label" ? base : undefined, kind, loc: st.loc, base });
    };

    const emit = (st: Stmt, bytes: Uint8Array) => {
      if (absBase !== undefined) {
        if (final && bytes.length) sink.error(st.loc, 0, "cannot emit code or data inside struc/absolute (use resb/resw/resd)");
        absOff += bytes.length;
        return;
      }
      if (cur.nobits) {
        if (final && bytes.length) sink.warning(st.loc, 0, `code or data in nobits section '${cur.name}' is ignored`);
        return;
      }
      checkRoom(bytes.length);
      if (final) data.get(cur.name)!.push(bytes);
      cur.size += bytes.length;
    };

    const reserve = (n: number) => {
      if (absBase !== undefined) absOff += n;
      else {
        if (!cur.nobits) checkRoom(n);
        if (final && !cur.nobits) data.get(cur.name)!.zeros(n);
        cur.size += n;
      }
    };

    /** Refuses to grow the current (data-holding) section past MAX_SECTION_BYTES, in every pass (before any memory is taken). */
    const checkRoom = (n: number) => {
      if (cur.size + n > MAX_SECTION_BYTES) throw new AsmError(`section '${cur.name}' would be ${cur.size + n} bytes, more than ${MAX_SECTION_BYTES / 1048576} MiB (reserve space in a nobits section such as .bss instead)`, 0);
    };

    const evalConst = (e: Parameters<typeof evaluate>[0], what: string, col: number): number | undefined => {
      const v = evaluate(e, ctx);
      if (v.unknown) {
        if (final) throw new AsmError(`${what} must be known in this pass`, col);
        return undefined;
      }
      return v.v;
    };

    /** Assembles one operation (the part after label/times) once. */
    const doOp = (st: Stmt, op: Op, i: number): void => {
      switch (op.k) {
        case "none":
        case "equ":
          return;
        case "insn": {
          const fixed = staticInsn[i];
          const m0 = memo[i];
          if (fixed && m0 && m0.bits === bits && !m0.enc.branch && !(final && m0.enc.warnings)) {
            emit(st, m0.enc.bytes);
            return;
          }
          const ops: ROperand[] = [];
          const addrPrefix = op.prefixes.includes("a16") ? 16 : op.prefixes.includes("a32") ? 32 : undefined;
          for (let k = 0; k < op.operands.length; k++) ops.push(resolveOperand(op.operands[k], ctx, bits, addrPrefix));
          const address = curAddress();
          const sig = signature(ops, !longBranch[i], final, bits);
          const m = memo[i];
          if (m && m.sig === sig && (!m.enc.branch || m.address === address) && !(final && m.enc.warnings)) {
            emit(st, m.enc.bytes);
            return;
          }
          let enc;
          try {
            enc = selector.encode({ mnem: op.mnem, bits, prefixes: op.prefixes, ops, address, allowShort: !longBranch[i], final });
          } catch (e) {
            if (!(e instanceof AsmError)) throw e;
            const opCol = op.operands[0]?.col ?? op.col;
            const col = /jump|range|size not specified|byte/.test(e.message) ? opCol : op.col;
            throw new AsmError(e.message, e.col || col);
          }
          if (pass >= STICKY_AFTER && enc.branch === "near") longBranch[i] = 1;
          memo[i] = { sig, enc, address, bits };
          if (final && enc.warnings) for (const w of enc.warnings) sink.warning(st.loc, op.operands[0]?.col ?? op.col, w);
          emit(st, enc.bytes);
          return;
        }
        case "data":
          emit(st, dataBytes(st, op.unit, op.items));
          return;
        case "res": {
          const c = evalConst(op.count, "the reservation count", op.col) ?? 0;
          if (c < 0) throw new AsmError(`negative reservation count ${c}`, op.col);
          reserve(c * op.unit);
          return;
        }
        case "bits":
          bits = op.n;
          return;
        case "org": {
          if (inp.format === "elf") throw new AsmError("'org' is only meaningful with -f bin (use elfBase for ELF)", op.col);
          if (orgSeen) throw new AsmError("'org' given more than once", op.col);
          orgSeen = true;
          org = evalConst(op.e, "the org address", op.col) ?? 0;
          return;
        }
        case "section": {
          absBase = undefined;
          cur = section(op.name);
          if (op.align) cur.align = Math.max(cur.align, op.align);
          if (op.nobits !== undefined) cur.nobits = op.nobits;
          return;
        }
        case "absolute": {
          absBase = evalConst(op.e, "the absolute address", 0) ?? 0;
          absOff = 0;
          return;
        }
        case "struc": {
          strucPrev = absBase === undefined ? cur : strucPrev;
          strucName = op.name;
          absBase = 0;
          absOff = 0;
          define(st, op.name, 0, 0, "label", 0);
          return;
        }
        case "endstruc": {
          if (strucName === undefined) throw new AsmError("'endstruc' without 'struc'", 0);
          define(st, strucName + "_size", absOff, 0, "equ", 0);
          strucName = undefined;
          absBase = undefined;
          cur = strucPrev ?? cur;
          return;
        }
        case "istruc":
          istrucs.push({ name: op.name, start: offset(), loc: st.loc });
          return;
        case "at": {
          const top = istrucs[istrucs.length - 1];
          if (!top) throw new AsmError("'at' outside istruc", op.col);
          const f = evalConst(op.field, "the field offset", op.col);
          if (f !== undefined) {
            const pad = f - (offset() - top.start);
            if (pad < 0) {
              if (final) throw new AsmError("'at' field is before the current position (fields out of order?)", op.col);
            } else emit(st, new Uint8Array(pad));
          }
          if (op.data) doOp(st, op.data.op, i);
          return;
        }
        case "iend": {
          const top = istrucs.pop();
          if (!top) throw new AsmError("'iend' without 'istruc'", 0);
          const size = ctx.lookup(top.name + "_size", 0);
          if (!size.unknown) {
            const pad = size.v - (offset() - top.start);
            if (pad < 0) {
              if (final) throw new AsmError(`istruc data is larger than ${top.name}_size`, 0);
            } else emit(st, new Uint8Array(pad));
          }
          return;
        }
        case "align": {
          const a = evalConst(op.n, "the alignment", op.col);
          if (a === undefined) return;
          if (a <= 0 || (a & (a - 1)) !== 0) throw new AsmError(`alignment ${a} is not a power of two`, op.col);
          if (absBase === undefined) cur.align = Math.max(cur.align, a);
          const pad = (a - (offset() % a)) % a;
          if (op.b || (absBase === undefined && cur.nobits) || absBase !== undefined) {
            reserve(pad);
            return;
          }
          if (op.fill) for (let k = 0; k < pad; k++) doOp(st, op.fill.op, i);
          else emit(st, new Uint8Array(pad).fill(0x90));
          return;
        }
        case "incbin": {
          let bin = binCache.get(op.file + "\0" + st.loc.file);
          if (bin === undefined) {
            bin = inp.readBinary(op.file, st.loc.file) ?? null;
            binCache.set(op.file + "\0" + st.loc.file, bin);
          }
          if (!bin) throw new AsmError(`cannot open incbin file '${op.file}'`, op.col);
          const skip = op.skip ? (evalConst(op.skip, "the incbin offset", op.col) ?? 0) : 0;
          const len = op.len ? (evalConst(op.len, "the incbin length", op.col) ?? 0) : bin.length - skip;
          emit(st, bin.subarray(Math.max(0, skip), Math.max(0, skip) + Math.max(0, len)));
          return;
        }
      }
    };

    /** Encodes db/dw/dd/dq items into little-endian bytes, warning when values exceed the unit. */
    const dataBytes = (st: Stmt, unit: number, items: DataItem[]): Uint8Array => {
      const out: number[] = [];
      for (const it of items) {
        if (it.k === "str") {
          for (const b of it.bytes) out.push(b);
          const pad = (unit - (it.bytes.length % unit)) % unit;
          for (let k = 0; k < pad; k++) out.push(0);
          continue;
        }
        if (it.e.t === "num" && it.e.big !== undefined && unit === 8) {
          let b = BigInt.asUintN(64, it.e.big);
          for (let k = 0; k < 8; k++, b >>= 8n) out.push(Number(b & 0xffn));
          continue;
        }
        const v = evaluate(it.e, ctx);
        let x = v.unknown ? 0 : v.v;
        if (final && !v.unknown && unit <= 4) {
          const lim = 2 ** (unit * 8);
          if (x >= lim || x < -lim / 2) sink.warning(st.loc, it.col, `${unit === 1 ? "byte" : unit === 2 ? "word" : "dword"} data exceeds bounds (value ${x} does not fit in ${unit * 8} bits; it is truncated)`);
        }
        for (let k = 0; k < unit; k++) {
          if (k < 6) {
            out.push(((x % 256) + 256) % 256);
            x = Math.floor(x / 256);
          } else out.push(x < 0 ? 0xff : 0);
        }
      }
      return Uint8Array.from(out);
    };

    for (stmtIndex = 0; stmtIndex < n; stmtIndex++) {
      const st = stmts[stmtIndex];
      const here = curAddress();
      const startSize = absBase !== undefined ? absOff : cur.size;
      const startSection = cur;
      const startAbs = absBase !== undefined;
      try {
        if (st.label) {
          if (st.op.k === "equ") {
            const v = evaluate(st.op.e, ctx);
            define(st, st.label.name, v.unknown ? 0 : v.v, v.unknown ? 0 : v.rel ? 1 : 0, "equ", st.label.col);
          } else if (absBase !== undefined) define(st, st.label.name, absBase + absOff, 0, "label", st.label.col);
          else define(st, st.label.name, here, 1, "label", st.label.col);
        }
        let count = 1;
        if (st.times) {
          const v = evaluate(st.times, ctx);
          if (v.unknown) timesForward[stmtIndex] = 1;
          if (final && timesForward[stmtIndex]) throw new AsmError("non-constant argument supplied to TIMES (it uses a label defined later)", st.timesCol);
          if (v.unknown) count = 0;
          else {
            count = v.v;
            if (count < 0) {
              if (final) throw new AsmError(`TIMES value ${count} is negative`, st.timesCol);
              count = 0;
            }
            if (count > 100_000_000) throw new AsmError(`TIMES value ${count} is too large`, st.timesCol);
          }
        }
        const op = st.op;
        if (count > 1 && op.k === "data" && absBase === undefined && !cur.nobits && op.items.every((it) => it.k === "str" || it.e.t === "num")) {
          // `times N db 0` and the like: constant bytes, worked out once and repeated (not N evaluations)
          const bytes = dataBytes(st, op.unit, op.items);
          checkRoom(bytes.length * count);
          if (final) data.get(cur.name)!.repeat(bytes, count);
          cur.size += bytes.length * count;
        } else if (count > 1) {
          timesStart = here;
          for (let k = 0; k < count; k++) doOp(st, op, stmtIndex);
        } else if (count === 1) doOp(st, op, stmtIndex);
      } catch (err) {
        const e = asAsmError(err);
        if (final) sink.error(st.loc, e.col, e.message);
      }
      timesStart = undefined;
      if (final) {
        const inAbs = startAbs;
        const sec = startSection;
        const size = (inAbs ? absOff : sec === cur ? cur.size : sec.size) - startSize;
        if (st.op.k !== "none" || st.label) {
          const isRes = st.op.k === "res" || (st.op.k === "align" && (st.op.b || sec.nobits));
          if (inAbs || sec.nobits || isRes) emitted.push({ stmt: st, section: inAbs ? "" : sec.name, offset: startSize, reserved: size });
          else emitted.push({ stmt: st, section: sec.name, offset: startSize, bytes: data.get(sec.name)!.buf.slice(startSize, startSize + size) });
        }
      }
    }
    if (final) {
      if (istrucs.length) sink.error(istrucs[0].loc, 0, "'istruc' without 'iend'");
      if (strucName !== undefined) sink.error(stmts[n - 1]?.loc ?? { file: "", line: 0, text: "" }, 0, "'struc' without 'endstruc'");
    }
    const list = [...sections.values()].filter((s) => s.size > 0 || s.name === ".text");
    if (inp.format === "elf") placeElf(list, inp.elfBase);
    else placeBin(list, org ?? 0);
    // label values move with their section: keep `start` for the next pass
    for (const s of sections.values()) if (!list.includes(s)) s.start = 0;
    const out = new Map<string, Uint8Array>();
    for (const [name, b] of data) out.set(name, b.buf.subarray(0, b.len));
    return { sections: list, data: out, symbols, emitted };
  }
}

/** Reports every `equ` that is defined in terms of itself, directly or through other equ's (NASM
 *  refuses these; left alone they would settle silently at 0). One error per symbol on a cycle; true if any. */
function reportEquCycles(stmts: Stmt[], sink: DiagnosticSink): boolean {
  const equs = new Map<string, Stmt>();
  for (const st of stmts) if (st.label && st.op.k === "equ" && !equs.has(st.label.name)) equs.set(st.label.name, st);
  if (equs.size === 0) return false;
  const uses = (e: Expr, out: string[]): string[] => {
    const stack = [e];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.t === "sym") {
        if (equs.has(x.name)) out.push(x.name);
      } else if (x.t === "un") stack.push(x.a);
      else if (x.t === "bin") stack.push(x.a, x.b);
      else if (x.t === "cond") stack.push(x.c, x.a, x.b);
    }
    return out;
  };
  // depth-first search with an explicit stack; 1 = on the current path, 2 = done
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  for (const root of equs.keys()) {
    if (state.has(root)) continue;
    const path: { name: string; next: string[] }[] = [{ name: root, next: uses((equs.get(root)!.op as { e: Expr }).e, []) }];
    state.set(root, 1);
    while (path.length) {
      const top = path[path.length - 1]!;
      const to = top.next.pop();
      if (to === undefined) {
        state.set(top.name, 2);
        path.pop();
        continue;
      }
      const s = state.get(to);
      if (s === 1) {
        const cycle = path.slice(path.findIndex((p) => p.name === to)).map((p) => p.name);
        const chain = [...cycle, to].join(" -> ");
        for (const name of cycle) {
          if (reported.has(name)) continue;
          reported.add(name);
          const st = equs.get(name)!;
          sink.error(st.loc, st.label!.col, `symbol '${name}' is defined in terms of itself (${chain}): a circular equ has no value`);
        }
      } else if (s === undefined) {
        state.set(to, 1);
        path.push({ name: to, next: uses((equs.get(to)!.op as { e: Expr }).e, []) });
      }
    }
  }
  return reported.size > 0;
}

/** A compact string of everything an instruction's encoding can depend on in one pass. */
function signature(ops: ROperand[], allowShort: boolean, final: boolean, bits: number): string {
  let s = `${bits}${allowShort ? "s" : "n"}${final ? "f" : ""}`;
  for (const o of ops) {
    if (o.k === "imm") s += `|${o.value},${o.rel ? 1 : 0}${o.unknown ? "u" : ""}`;
    else if (o.k === "mem") s += `|${o.disp},${o.dispRel ? 1 : 0}`;
    else if (o.k === "far") s += `|${o.sel}:${o.off}`;
  }
  return s;
}

/** True if two symbol tables define the same names with the same values. */
function sameSyms(a: Map<string, SymbolDef>, b: Map<string, SymbolDef>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.value !== v.value || w.rel !== v.rel) return false;
  }
  return true;
}

/** True if sections kept their start addresses and sizes. */
function sameSections(a: Map<string, SectionInfo>, b: SectionInfo[]): boolean {
  if (a.size !== b.length) return false;
  for (const s of b) {
    const t = a.get(s.name);
    if (!t || t.start !== s.start || t.size !== s.size) return false;
  }
  return true;
}

void alignUp;
