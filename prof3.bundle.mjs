var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target2, all) => {
  for (var name in all)
    __defProp(target2, name, { get: all[name], enumerable: true });
};

// tools/paths.ts
import { existsSync, readFileSync as readFileSync2 } from "node:fs";
import path2 from "node:path";
import { fileURLToPath } from "node:url";
function findRoot() {
  let dir = path2.dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    const pkg = path2.join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync2(pkg, "utf8")).name === "ringside") return dir;
    const up = path2.dirname(dir);
    if (up === dir) throw new Error("cannot find the ringside repository root");
    dir = up;
  }
}
var ROOT, fromRoot;
var init_paths = __esm({
  "tools/paths.ts"() {
    "use strict";
    ROOT = findRoot();
    fromRoot = (...parts) => path2.join(ROOT, ...parts);
  }
});

// tools/asm/diagnostics.ts
function asAsmError(err) {
  if (err instanceof AsmError) return err;
  if (err instanceof RangeError && /call stack/i.test(err.message)) return new AsmError("this line is too complex to assemble (nesting too deep); split it up");
  throw err;
}
function firstNonBlankCol(text) {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}
function formatDiagnostic(d) {
  let src = d.sourceLine.replace(/\t/g, " ");
  let at = Math.max(0, d.col - 1);
  if (src.length > MAX_SHOWN) {
    const from = Math.max(0, Math.min(at - 40, src.length - MAX_SHOWN));
    const to = Math.min(src.length, from + MAX_SHOWN);
    src = (from > 0 ? "..." : "") + src.slice(from, to) + (to < src.length ? "..." : "");
    at = at - from + (from > 0 ? 3 : 0);
  }
  const caret = " ".repeat(at) + "^";
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}
  ${src}
  ${caret}`;
}
var AsmError, DiagnosticSink, MAX_SHOWN;
var init_diagnostics = __esm({
  "tools/asm/diagnostics.ts"() {
    "use strict";
    AsmError = class extends Error {
      constructor(message, col = 0) {
        super(message);
        this.col = col;
      }
      col;
    };
    DiagnosticSink = class {
      list = [];
      seen = /* @__PURE__ */ new Set();
      errors = 0;
      /** Records a message at `loc` (1-based `col`, 0 = start of line); duplicates are dropped. */
      add(severity, loc, col, message) {
        const msg = loc.macro ? `${message} (in expansion of macro '${loc.macro}')` : message;
        const c = col > 0 ? col : firstNonBlankCol(loc.text);
        const key = `${loc.file}\0${loc.line}\0${c}\0${severity}\0${msg}`;
        if (this.seen.has(key)) return;
        this.seen.add(key);
        if (severity === "error") this.errors++;
        this.list.push({ file: loc.file, line: loc.line, col: c, severity, message: msg, sourceLine: loc.text });
      }
      error(loc, col, message) {
        this.add("error", loc, col, message);
      }
      warning(loc, col, message) {
        this.add("warning", loc, col, message);
      }
    };
    MAX_SHOWN = 120;
  }
});

// tools/asm/sections.ts
function elfClass(s) {
  if (s.nobits) return "bss";
  const n = s.name.toLowerCase();
  if (n === ".text" || n.startsWith(".text.") || n === ".init" || n === ".fini") return "text";
  if (n === ".rodata" || n.startsWith(".rodata.") || n === ".rdata") return "rodata";
  return "data";
}
function defaultSection(name, format, order) {
  const n = name.toLowerCase();
  const nobits = n === ".bss" || n.startsWith(".bss.") || n === ".tbss";
  const align = format === "elf" && (n === ".text" || n.startsWith(".text.")) ? 16 : 4;
  return { name, nobits, align, order, size: 0, start: 0 };
}
function alignUp(x, a2) {
  return a2 <= 1 ? x : Math.ceil(x / a2) * a2;
}
function placeBin(sections, org) {
  const sorted = binOrder(sections);
  let addr = org;
  let first = true;
  for (const s of sorted) {
    addr = first ? addr : alignUp(addr, s.align);
    first = false;
    s.start = addr;
    addr += s.size;
  }
}
function binOrder(sections) {
  const rank = (s) => s.nobits ? 2 : s.name === ".text" ? 0 : 1;
  return [...sections].sort((a2, b) => rank(a2) - rank(b) || a2.order - b.order);
}
var init_sections = __esm({
  "tools/asm/sections.ts"() {
    "use strict";
  }
});

// tools/asm/elf.ts
function groups(sections) {
  const out = [];
  for (const seg of SEGMENTS) {
    const secs = sections.filter((s) => seg.cls.includes(elfClass(s))).sort((a2, b) => Number(a2.nobits) - Number(b.nobits) || a2.order - b.order);
    if (secs.some((s) => s.size > 0) || seg.cls[0] === "text" && secs.length) out.push({ flags: seg.flags, secs });
  }
  if (out.length === 0) out.push({ flags: 5, secs: [] });
  return out;
}
function plan(sections, base) {
  const gs = groups(sections);
  let off = EHDR + PHDR * gs.length;
  let vend = base;
  const phdrs = [];
  const fileOff = /* @__PURE__ */ new Map();
  for (let gi = 0; gi < gs.length; gi++) {
    const g = gs[gi];
    const segOff = gi === 0 ? 0 : off;
    const segV = gi === 0 ? base : alignUp(vend, PAGE2) + off % PAGE2;
    let v = gi === 0 ? base + off : segV;
    for (const s of g.secs) {
      if (!s.nobits) {
        off = alignUp(off, s.align);
        v = segV + (off - segOff);
        fileOff.set(s.name, off);
      } else v = alignUp(v, s.align);
      s.start = v;
      v += s.size;
      if (!s.nobits) off += s.size;
    }
    phdrs.push({ off: segOff, vaddr: segV, filesz: off - segOff, memsz: v - segV, flags: g.flags });
    vend = v;
  }
  for (const s of sections) if (!gs.some((g) => g.secs.includes(s))) s.start = base;
  return { groups: gs, phdrs, fileOff, end: off };
}
function placeElf(sections, base) {
  plan(sections, base);
}
function writeElf(sections, data, symbols, entry, base) {
  const p = plan(sections, base);
  const gs = p.groups;
  const phnum = gs.length;
  const fileOff = p.fileOff;
  const off = p.end;
  const shstr = new StrTab();
  const str = new StrTab();
  const secOrder = gs.flatMap((g) => g.secs);
  const shIndex = /* @__PURE__ */ new Map();
  secOrder.forEach((s, i) => shIndex.set(s.name, i + 1));
  const locals = symbols.filter((s) => !s.global);
  const globals = symbols.filter((s) => s.global);
  const symtab = [[0, 0, 0, 0, 0, 0]];
  for (const s of [...locals, ...globals]) {
    const shndx = s.section && shIndex.has(s.section) ? shIndex.get(s.section) : 65521;
    symtab.push([str.add(s.name), s.value >>> 0, 0, (s.global ? 1 : 0) << 4 | 0, 0, shndx]);
  }
  const symData = new Uint8Array(symtab.length * 16);
  const sv = new DataView(symData.buffer);
  symtab.forEach((e, i) => {
    sv.setUint32(i * 16, e[0], true);
    sv.setUint32(i * 16 + 4, e[1], true);
    sv.setUint32(i * 16 + 8, e[2], true);
    symData[i * 16 + 12] = e[3];
    symData[i * 16 + 13] = e[4];
    sv.setUint16(i * 16 + 14, e[5], true);
  });
  const strData = str.bytes();
  let tail = alignUp(off, 4);
  const symOff = tail;
  tail += symData.length;
  const strOff = tail;
  tail += strData.length;
  const names = secOrder.map((s) => shstr.add(s.name));
  const nSymtab = shstr.add(".symtab");
  const nStrtab = shstr.add(".strtab");
  const nShstr = shstr.add(".shstrtab");
  const shstrData = shstr.bytes();
  const shstrOff = tail;
  tail += shstrData.length;
  const shoff = alignUp(tail, 4);
  const shnum = secOrder.length + 4;
  const total = shoff + shnum * SHDR;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([127, 69, 76, 70, 1, 1, 1, 0], 0);
  v.setUint16(16, 2, true);
  v.setUint16(18, 3, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, entry >>> 0, true);
  v.setUint32(28, EHDR, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true);
  v.setUint16(40, EHDR, true);
  v.setUint16(42, PHDR, true);
  v.setUint16(44, phnum, true);
  v.setUint16(46, SHDR, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, shnum - 1, true);
  p.phdrs.forEach((ph, i) => {
    const o = EHDR + i * PHDR;
    v.setUint32(o, 1, true);
    v.setUint32(o + 4, ph.off, true);
    v.setUint32(o + 8, ph.vaddr >>> 0, true);
    v.setUint32(o + 12, ph.vaddr >>> 0, true);
    v.setUint32(o + 16, ph.filesz, true);
    v.setUint32(o + 20, ph.memsz, true);
    v.setUint32(o + 24, ph.flags, true);
    v.setUint32(o + 28, PAGE2, true);
  });
  for (const s of secOrder) {
    const d = data.get(s.name);
    if (!s.nobits && d) out.set(d.subarray(0, s.size), fileOff.get(s.name));
  }
  out.set(symData, symOff);
  out.set(strData, strOff);
  out.set(shstrData, shstrOff);
  const sh = (i, f) => f.forEach((x, k2) => v.setUint32(shoff + i * SHDR + k2 * 4, x >>> 0, true));
  sh(0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  secOrder.forEach((s, i) => {
    const cls = elfClass(s);
    const flags = 2 | (cls === "text" ? 4 : 0) | (cls === "data" || cls === "bss" ? 1 : 0);
    const o = s.nobits ? fileOff.get(s.name) ?? offAfter(fileOff, secOrder, s) : fileOff.get(s.name);
    sh(i + 1, [names[i], s.nobits ? 8 : 1, flags, s.start, o, s.size, 0, 0, s.align, 0]);
  });
  const k = secOrder.length + 1;
  sh(k, [nSymtab, 2, 0, 0, symOff, symData.length, k + 1, locals.length + 1, 4, 16]);
  sh(k + 1, [nStrtab, 3, 0, 0, strOff, strData.length, 0, 0, 1, 0]);
  sh(k + 2, [nShstr, 3, 0, 0, shstrOff, shstrData.length, 0, 0, 1, 0]);
  return out;
}
function offAfter(fileOff, secs, s) {
  let best = 0;
  for (const x of secs) {
    if (x === s) break;
    const o = fileOff.get(x.name);
    if (o !== void 0) best = o + x.size;
  }
  return best;
}
var PAGE2, EHDR, PHDR, SHDR, SEGMENTS, StrTab;
var init_elf = __esm({
  "tools/asm/elf.ts"() {
    "use strict";
    init_sections();
    PAGE2 = 4096;
    EHDR = 52;
    PHDR = 32;
    SHDR = 40;
    SEGMENTS = [
      { cls: ["text"], flags: 5 },
      { cls: ["rodata"], flags: 4 },
      { cls: ["data", "bss"], flags: 6 }
    ];
    StrTab = class {
      parts = [""];
      len = 1;
      index = /* @__PURE__ */ new Map();
      add(s) {
        const hit = this.index.get(s);
        if (hit !== void 0) return hit;
        const at = this.len;
        this.parts.push(s);
        this.len += new TextEncoder().encode(s).length + 1;
        this.index.set(s, at);
        return at;
      }
      bytes() {
        return new TextEncoder().encode(this.parts.join("\0") + "\0");
      }
    };
  }
});

// tools/asm/registers.ts
function lookupRegister(name) {
  if (name.length > 3 || name.length < 2) return void 0;
  return BY_NAME.get(name.toLowerCase());
}
function registerOf(cls, num) {
  return BY_NAME.get(TABLE[cls][num]);
}
function unsupportedRegister(name) {
  const n = name.toLowerCase();
  if (!UNSUPPORTED.has(n)) return void 0;
  const kind = n.startsWith("st") ? "x87" : n.startsWith("mm") ? "MMX" : n.startsWith("xmm") || n.startsWith("ymm") ? "SSE/AVX" : "64-bit";
  return `'${name}' is ${kind === "64-bit" ? "a" : "an"} ${kind} register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)`;
}
var TABLE, BY_NAME, UNSUPPORTED;
var init_registers = __esm({
  "tools/asm/registers.ts"() {
    "use strict";
    TABLE = {
      r8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
      r16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
      r32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
      sreg: ["es", "cs", "ss", "ds", "fs", "gs"],
      cr: ["cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7"],
      dr: ["dr0", "dr1", "dr2", "dr3", "dr4", "dr5", "dr6", "dr7"],
      tr: ["tr0", "tr1", "tr2", "tr3", "tr4", "tr5", "tr6", "tr7"]
    };
    BY_NAME = /* @__PURE__ */ new Map();
    for (const cls of Object.keys(TABLE))
      TABLE[cls].forEach((name, num) => BY_NAME.set(name, { name, cls, num }));
    UNSUPPORTED = /* @__PURE__ */ new Set([
      ...["st", "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"],
      ...["mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7"],
      ...Array.from({ length: 16 }, (_, i) => `xmm${i}`),
      ...Array.from({ length: 16 }, (_, i) => `ymm${i}`),
      ...["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "rip", "sil", "dil", "spl", "bpl"],
      ...Array.from({ length: 8 }, (_, i) => i + 8).flatMap((n) => [`r${n}`, `r${n}d`, `r${n}w`, `r${n}b`])
    ]);
  }
});

// tools/asm/expr.ts
function parseExpr(ts, qualify) {
  return parseExprAt(ts, qualify, 0);
}
function parseExprAt(ts, qualify, outer) {
  const depthOf = (e) => treeDepth.get(e) ?? 0;
  const tooDeep = (col) => new AsmError(`expression is nested too deeply (more than ${MAX_EXPR_NESTING} levels of parentheses, unary operators or '?:')`, col);
  const node = (e, d, col) => {
    if (d > MAX_EXPR_DEPTH) throw new AsmError(`expression is too long: more than ${MAX_EXPR_DEPTH} operators in one chain`, col);
    treeDepth.set(e, d);
    return e;
  };
  const level = (min) => {
    let a2 = unary();
    for (; ; ) {
      const t = ts.peek();
      const n = t && t.kind === "op" ? BIN_LEVEL.get(t.text) ?? -1 : -1;
      if (n < min) return a2;
      ts.next();
      const b = level(n + 1);
      a2 = node({ t: "bin", op: t.text, a: a2, b, col: t.col }, Math.max(depthOf(a2), depthOf(b)) + 1, t.col);
    }
  };
  const unary = () => {
    let t = ts.peek();
    const ops = [];
    while (t && t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "~" || t.text === "!")) {
      ops.push(t);
      if (outer + ops.length > MAX_EXPR_NESTING) throw tooDeep(t.col);
      ts.next();
      t = ts.peek();
    }
    let e = primary(outer + ops.length);
    for (let k = ops.length - 1; k >= 0; k--) e = node({ t: "un", op: ops[k].text, a: e, col: ops[k].col }, depthOf(e) + 1, ops[k].col);
    return e;
  };
  const primary = (d) => {
    const t = ts.next();
    if (!t) throw new AsmError("expected an expression", ts.endCol);
    if (t.kind === "num") return t.big !== void 0 ? { t: "num", v: t.value, big: t.big } : { t: "num", v: t.value };
    if (t.kind === "str") return { t: "num", v: charConst(t.bytes, t.col) };
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
  const cond = (d) => {
    const c = level(0);
    if (!ts.isOp("?")) return c;
    const q = ts.next();
    if (d + 1 > MAX_EXPR_NESTING) throw tooDeep(q.col);
    const a2 = cond(d + 1);
    ts.expectOp(":");
    const b = cond(d + 1);
    return node({ t: "cond", c, a: a2, b }, Math.max(depthOf(c), depthOf(a2), depthOf(b)) + 1, q.col);
  };
  return cond(outer);
}
function charConst(bytes2, col) {
  if (bytes2.length > 8) throw new AsmError("character constant is longer than 8 bytes", col);
  let v = 0;
  for (let i = bytes2.length - 1; i >= 0; i--) v = v * 256 + bytes2[i];
  return v;
}
function i64(x) {
  const v = BigInt.asIntN(64, x);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : Number(BigInt.asIntN(32, v));
}
function evaluate(e, ctx, allowRegs = false) {
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
      const a2 = evaluate(e.a, ctx, allowRegs);
      const unknown = a2.unknown;
      switch (e.op) {
        case "-":
          return { v: -a2.v, rel: -a2.rel, unknown, regs: a2.regs?.map(([r, k, m]) => [r, -k, m]) };
        case "+":
          return a2;
        case "~":
          noRegs(a2, e.col);
          return { v: i64(~BigInt(a2.v)), rel: a2.rel ? 1 : 0, unknown };
        default:
          noRegs(a2, e.col);
          return { v: a2.v === 0 ? 1 : 0, rel: 0, unknown };
      }
    }
    case "bin": {
      const a2 = evaluate(e.a, ctx, allowRegs);
      const b = evaluate(e.b, ctx, allowRegs);
      const unknown = a2.unknown || b.unknown;
      if (e.op === "+" || e.op === "-") {
        const s = e.op === "+" ? 1 : -1;
        let regs = a2.regs;
        if (b.regs) regs = (regs ?? []).concat(b.regs.map(([r, k, m]) => [r, s * k, m]));
        return { v: a2.v + s * b.v, rel: a2.rel + s * b.rel, unknown, regs };
      }
      if (e.op === "*" && (a2.regs || b.regs)) {
        if (a2.regs && b.regs) throw new AsmError("cannot multiply two registers", e.col);
        const [r, k] = a2.regs ? [a2, b] : [b, a2];
        return { v: r.v * k.v, rel: 0, unknown, regs: r.regs.map(([x, c]) => [x, c * k.v, true]) };
      }
      noRegs(a2, e.col);
      noRegs(b, e.col);
      const rel = a2.rel || b.rel ? 1 : 0;
      return { v: binop(e.op, a2.v, b.v, e.col, unknown), rel, unknown };
    }
  }
}
function noRegs(v, col) {
  if (v.regs) throw new AsmError("invalid effective address: registers can only be added or scaled", col);
}
function binop(op, a2, b, col, unknown) {
  const small = (x) => x >= -2147483648 && x <= 2147483647;
  switch (op) {
    case "*": {
      const r = a2 * b;
      return Number.isSafeInteger(r) ? r : i64(BigInt(a2) * BigInt(b));
    }
    case "/":
    case "//":
    case "%":
    case "%%": {
      if (b === 0) {
        if (unknown) return 0;
        throw new AsmError("division by zero", col);
      }
      if (op.length === 1 && (a2 < 0 || b < 0)) {
        const ua = BigInt.asUintN(64, BigInt(a2));
        const ub = BigInt.asUintN(64, BigInt(b));
        return i64(op === "/" ? ua / ub : ua % ub);
      }
      return op === "/" || op === "//" ? Math.trunc(a2 / b) : a2 % b;
    }
    case "&":
      return small(a2) && small(b) ? a2 & b : i64(BigInt(a2) & BigInt(b));
    case "|":
      return small(a2) && small(b) ? a2 | b : i64(BigInt(a2) | BigInt(b));
    case "^":
      return small(a2) && small(b) ? a2 ^ b : i64(BigInt(a2) ^ BigInt(b));
    case "<<":
    case "<<<":
      return b >= 64 ? 0 : i64(BigInt(a2) << BigInt(b));
    case ">>":
      return b >= 64 ? 0 : i64(BigInt.asUintN(64, BigInt(a2)) >> BigInt(b));
    case ">>>":
      return i64(BigInt(a2) >> BigInt(Math.min(b, 63)));
    case "=":
    case "==":
      return a2 === b ? 1 : 0;
    case "!=":
    case "<>":
      return a2 !== b ? 1 : 0;
    case "<":
      return a2 < b ? 1 : 0;
    case "<=":
      return a2 <= b ? 1 : 0;
    case ">":
      return a2 > b ? 1 : 0;
    case ">=":
      return a2 >= b ? 1 : 0;
    case "<=>":
      return a2 > b ? 1 : 0;
    // what NASM 2.16 actually produces (its -1 case comes out as 0)
    case "&&":
      return a2 !== 0 && b !== 0 ? 1 : 0;
    case "||":
      return a2 !== 0 || b !== 0 ? 1 : 0;
    case "^^":
      return a2 !== 0 !== (b !== 0) ? 1 : 0;
  }
  throw new AsmError(`unknown operator '${op}'`, col);
}
function isDynamic(e) {
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
function hasRegister(e) {
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
var TokenStream, BIN_LEVELS, BIN_LEVEL, MAX_EXPR_NESTING, MAX_EXPR_DEPTH, treeDepth;
var init_expr = __esm({
  "tools/asm/expr.ts"() {
    "use strict";
    init_diagnostics();
    init_registers();
    TokenStream = class {
      constructor(toks, endCol) {
        this.toks = toks;
        this.endCol = endCol;
      }
      toks;
      endCol;
      pos = 0;
      peek(o = 0) {
        return this.toks[this.pos + o];
      }
      next() {
        return this.toks[this.pos++];
      }
      atEnd() {
        return this.pos >= this.toks.length;
      }
      isOp(text, o = 0) {
        const t = this.toks[this.pos + o];
        return t !== void 0 && t.kind === "op" && t.text === text;
      }
      isKw(word, o = 0) {
        const t = this.toks[this.pos + o];
        return t !== void 0 && t.kind === "id" && t.text.toLowerCase() === word;
      }
      col() {
        const t = this.toks[this.pos];
        return t ? t.col : this.endCol;
      }
      expectOp(text) {
        if (!this.isOp(text)) throw new AsmError(`expected '${text}'`, this.col());
        this.pos++;
      }
    };
    BIN_LEVELS = [
      ["||"],
      ["^^"],
      ["&&"],
      ["=", "==", "!=", "<>", "<", "<=", ">", ">=", "<=>"],
      ["|"],
      ["^"],
      ["&"],
      ["<<", ">>", "<<<", ">>>"],
      ["+", "-"],
      ["*", "/", "//", "%", "%%"]
    ];
    BIN_LEVEL = new Map(BIN_LEVELS.flatMap((ops, n) => ops.map((op) => [op, n])));
    MAX_EXPR_NESTING = 256;
    MAX_EXPR_DEPTH = 2048;
    treeDepth = /* @__PURE__ */ new WeakMap();
  }
});

// tools/asm/operands.ts
function parseOperand(ts, qualify) {
  const col = ts.col();
  let size = 0;
  let strict = false;
  let jump;
  for (; ; ) {
    const t2 = ts.peek();
    if (!t2 || t2.kind !== "id") break;
    const w = t2.text.toLowerCase();
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
    let seg;
    for (; ; ) {
      const t2 = ts.peek();
      if (t2 && t2.kind === "id" && SIZE_WORDS[t2.text.toLowerCase()] !== void 0) {
        dispSize = SIZE_WORDS[t2.text.toLowerCase()] / 8;
        ts.next();
        continue;
      }
      if (t2 && t2.kind === "id" && ["nosplit", "abs", "rel"].includes(t2.text.toLowerCase())) {
        if (t2.text.toLowerCase() === "nosplit") nosplit = true;
        ts.next();
        continue;
      }
      const r = t2 && t2.kind === "id" ? lookupRegister(t2.text) : void 0;
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
    if (r && (!after || after.kind === "op" && after.text === ",")) {
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
function resolveOperand(op, ctx, bits) {
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
      return resolveMem(op, ctx, bits);
  }
}
function resolveMem(op, ctx, bits) {
  const v = evaluate(op.addr, ctx, true);
  let terms = (v.regs ?? []).map(([r, k, m]) => [r, k, m]);
  if (terms.length > 2) {
    const merged = [];
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
  const base = { k: "mem", size: op.size, far: op.far, seg: op.seg, scale: 1, disp, dispRel, dispSize: op.dispSize, addr: bits };
  if (regs.length === 0) {
    if (op.dispSize === 2) base.addr = 16;
    else if (op.dispSize === 4) base.addr = 32;
    base.dispSize = 0;
    return base;
  }
  const cls = regs[0][0].cls;
  if (regs.some(([r]) => r.cls !== cls) || cls !== "r16" && cls !== "r32") throw new AsmError("invalid effective address", op.col);
  if (cls === "r16") {
    base.addr = 16;
    let b;
    let x;
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
  if (k1 !== 1 && k2 === 1 || k1 === 1 && k2 === 1 && m1 && !m2) [[r1, k1], [r2, k2]] = [[r2, k2], [r1, k1]];
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
var SIZE_WORDS, BASE16, INDEX16;
var init_operands = __esm({
  "tools/asm/operands.ts"() {
    "use strict";
    init_diagnostics();
    init_expr();
    init_registers();
    SIZE_WORDS = { byte: 8, word: 16, dword: 32, qword: 64, tword: 80, oword: 128 };
    BASE16 = /* @__PURE__ */ new Set(["bx", "bp"]);
    INDEX16 = /* @__PURE__ */ new Set(["si", "di"]);
  }
});

// tools/asm/layout.ts
function layout(inp) {
  const { stmts, sink, selector } = inp;
  const n = stmts.length;
  const circular = reportEquCycles(stmts, sink);
  const longBranch = new Uint8Array(n);
  let prevSyms;
  let prevSections = /* @__PURE__ */ new Map();
  let prevUsedStarts = /* @__PURE__ */ new Map();
  const binCache = /* @__PURE__ */ new Map();
  const memo = new Array(n);
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
  let result;
  let converged = false;
  for (let pass = 1; ; pass++) {
    const final = converged || pass > MAX_PASSES;
    const usedStarts = /* @__PURE__ */ new Map();
    const r = runPass(pass, final, usedStarts);
    if (final) {
      if (!converged) reportUnstable(pass, r);
      result = r;
      break;
    }
    converged = pass > 1 && sameSyms(prevSyms, r.symbols) && sameSections(prevSections, r.sections);
    prevSyms = r.symbols;
    prevSections = new Map(r.sections.map((s) => [s.name, s]));
    prevUsedStarts = usedStarts;
  }
  return result;
  function reportUnstable(pass, r) {
    let moved;
    for (const [name, s] of r.symbols) {
      const p = prevSyms?.get(name);
      if (!p || carriedValue(p) !== s.value || p.rel !== s.rel) {
        moved = s;
        break;
      }
    }
    if (!moved || circular) return;
    sink.error(moved.loc, 0, `unable to find stable values for all labels after ${pass} passes ('${moved.name}' still moves; a size that depends on a later label or on \`$\` may oscillate)`);
  }
  function carriedValue(s) {
    if (!s.base) return s.value;
    const assumed = prevUsedStarts.get(s.base) ?? 0;
    const now = prevSections.get(s.base)?.start ?? 0;
    return s.value - assumed + now;
  }
  function runPass(pass, final, usedStarts) {
    const sections = /* @__PURE__ */ new Map();
    const data = /* @__PURE__ */ new Map();
    const symbols = /* @__PURE__ */ new Map();
    const emitted = [];
    let order = 0;
    let bits = 16;
    if (inp.format === "elf") bits = 32;
    let org;
    let orgSeen = false;
    let cur;
    let absBase;
    let absOff = 0;
    let strucName;
    let strucPrev;
    const istrucs = [];
    let stmtIndex = 0;
    const section = (name) => {
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
    const offset = () => absBase !== void 0 ? absOff : cur.size;
    const curAddress = () => absBase !== void 0 ? absBase + absOff : cur.start + cur.size;
    const ctx = {
      lookup(name, col) {
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
      here: curAddress,
      // `$` is this pass's address, like NASM
      sectionBase: () => absBase !== void 0 ? absBase : cur.start
    };
    const define = (st, name, value, rel, kind, col) => {
      const old = symbols.get(name);
      if (old) {
        if (final) sink.error(st.loc, col, `symbol '${name}' is already defined (first defined at ${old.loc.file}:${old.loc.line})`);
        return;
      }
      const base = rel && absBase === void 0 ? cur.name : void 0;
      symbols.set(name, { name, value, rel, section: kind === "label" ? base : void 0, kind, loc: st.loc, base });
    };
    const emit = (st, bytes2) => {
      if (absBase !== void 0) {
        if (final && bytes2.length) sink.error(st.loc, 0, "cannot emit code or data inside struc/absolute (use resb/resw/resd)");
        absOff += bytes2.length;
        return;
      }
      if (cur.nobits) {
        if (final && bytes2.length) sink.warning(st.loc, 0, `code or data in nobits section '${cur.name}' is ignored`);
        return;
      }
      if (final) data.get(cur.name).push(bytes2);
      cur.size += bytes2.length;
    };
    const reserve = (n2) => {
      if (absBase !== void 0) absOff += n2;
      else {
        if (final && !cur.nobits) data.get(cur.name).zeros(n2);
        cur.size += n2;
      }
    };
    const evalConst = (e, what, col) => {
      const v = evaluate(e, ctx);
      if (v.unknown) {
        if (final) throw new AsmError(`${what} must be known in this pass`, col);
        return void 0;
      }
      return v.v;
    };
    const doOp = (st, op, i) => {
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
          const ops = [];
          for (let k = 0; k < op.operands.length; k++) ops.push(resolveOperand(op.operands[k], ctx, bits));
          const address = curAddress();
          const sig = signature(ops, !longBranch[i], final, bits);
          const m = memo[i];
          if (m && m.sig === sig && (!m.enc.branch || m.address === address) && !(final && m.enc.warnings)) {
            emit(st, m.enc.bytes);
            return;
          }
          let enc2;
          try {
            enc2 = selector.encode({ mnem: op.mnem, bits, prefixes: op.prefixes, ops, address, allowShort: !longBranch[i], final });
          } catch (e) {
            if (!(e instanceof AsmError)) throw e;
            const opCol = op.operands[0]?.col ?? op.col;
            const col = /jump|range|size not specified|byte/.test(e.message) ? opCol : op.col;
            throw new AsmError(e.message, e.col || col);
          }
          if (pass >= STICKY_AFTER && enc2.branch === "near") longBranch[i] = 1;
          memo[i] = { sig, enc: enc2, address, bits };
          if (final && enc2.warnings) for (const w of enc2.warnings) sink.warning(st.loc, op.operands[0]?.col ?? op.col, w);
          emit(st, enc2.bytes);
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
          absBase = void 0;
          cur = section(op.name);
          if (op.align) cur.align = Math.max(cur.align, op.align);
          if (op.nobits !== void 0) cur.nobits = op.nobits;
          return;
        }
        case "absolute": {
          absBase = evalConst(op.e, "the absolute address", 0) ?? 0;
          absOff = 0;
          return;
        }
        case "struc": {
          strucPrev = absBase === void 0 ? cur : strucPrev;
          strucName = op.name;
          absBase = 0;
          absOff = 0;
          define(st, op.name, 0, 0, "label", 0);
          return;
        }
        case "endstruc": {
          if (strucName === void 0) throw new AsmError("'endstruc' without 'struc'", 0);
          define(st, strucName + "_size", absOff, 0, "equ", 0);
          strucName = void 0;
          absBase = void 0;
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
          if (f !== void 0) {
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
          const a2 = evalConst(op.n, "the alignment", op.col);
          if (a2 === void 0) return;
          if (a2 <= 0 || (a2 & a2 - 1) !== 0) throw new AsmError(`alignment ${a2} is not a power of two`, op.col);
          if (absBase === void 0) cur.align = Math.max(cur.align, a2);
          const pad = (a2 - offset() % a2) % a2;
          if (op.b || absBase === void 0 && cur.nobits || absBase !== void 0) {
            reserve(pad);
            return;
          }
          if (op.fill) for (let k = 0; k < pad; k++) doOp(st, op.fill.op, i);
          else emit(st, new Uint8Array(pad).fill(144));
          return;
        }
        case "incbin": {
          let bin = binCache.get(op.file + "\0" + st.loc.file);
          if (bin === void 0) {
            bin = inp.readBinary(op.file, st.loc.file) ?? null;
            binCache.set(op.file + "\0" + st.loc.file, bin);
          }
          if (!bin) throw new AsmError(`cannot open incbin file '${op.file}'`, op.col);
          const skip = op.skip ? evalConst(op.skip, "the incbin offset", op.col) ?? 0 : 0;
          const len = op.len ? evalConst(op.len, "the incbin length", op.col) ?? 0 : bin.length - skip;
          emit(st, bin.subarray(Math.max(0, skip), Math.max(0, skip) + Math.max(0, len)));
          return;
        }
      }
    };
    const dataBytes = (st, unit, items) => {
      const out2 = [];
      for (const it of items) {
        if (it.k === "str") {
          for (const b of it.bytes) out2.push(b);
          const pad = (unit - it.bytes.length % unit) % unit;
          for (let k = 0; k < pad; k++) out2.push(0);
          continue;
        }
        if (it.e.t === "num" && it.e.big !== void 0 && unit === 8) {
          let b = BigInt.asUintN(64, it.e.big);
          for (let k = 0; k < 8; k++, b >>= 8n) out2.push(Number(b & 0xffn));
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
            out2.push((x % 256 + 256) % 256);
            x = Math.floor(x / 256);
          } else out2.push(x < 0 ? 255 : 0);
        }
      }
      return Uint8Array.from(out2);
    };
    for (stmtIndex = 0; stmtIndex < n; stmtIndex++) {
      const st = stmts[stmtIndex];
      const here = curAddress();
      const startSize = absBase !== void 0 ? absOff : cur.size;
      const startSection = cur;
      const startAbs = absBase !== void 0;
      try {
        if (st.label) {
          if (st.op.k === "equ") {
            const v = evaluate(st.op.e, ctx);
            define(st, st.label.name, v.unknown ? 0 : v.v, v.unknown ? 0 : v.rel ? 1 : 0, "equ", st.label.col);
          } else if (absBase !== void 0) define(st, st.label.name, absBase + absOff, 0, "label", st.label.col);
          else define(st, st.label.name, here, 1, "label", st.label.col);
        }
        let count = 1;
        if (st.times) {
          const v = evaluate(st.times, ctx);
          if (v.unknown) count = 0;
          else {
            count = v.v;
            if (count < 0) {
              if (final) throw new AsmError(`TIMES value ${count} is negative`, st.timesCol);
              count = 0;
            }
            if (count > 1e8) throw new AsmError(`TIMES value ${count} is too large`, st.timesCol);
          }
        }
        for (let k = 0; k < count; k++) doOp(st, st.op, stmtIndex);
      } catch (err) {
        const e = asAsmError(err);
        if (final) sink.error(st.loc, e.col, e.message);
      }
      if (final) {
        const inAbs = startAbs;
        const sec = startSection;
        const size = (inAbs ? absOff : sec === cur ? cur.size : sec.size) - startSize;
        if (st.op.k !== "none" || st.label) {
          const isRes = st.op.k === "res" || st.op.k === "align" && (st.op.b || sec.nobits);
          if (inAbs || sec.nobits || isRes) emitted.push({ stmt: st, section: inAbs ? "" : sec.name, offset: startSize, reserved: size });
          else emitted.push({ stmt: st, section: sec.name, offset: startSize, bytes: data.get(sec.name).buf.slice(startSize, startSize + size) });
        }
      }
    }
    if (final) {
      if (istrucs.length) sink.error(istrucs[0].loc, 0, "'istruc' without 'iend'");
      if (strucName !== void 0) sink.error(stmts[n - 1]?.loc ?? { file: "", line: 0, text: "" }, 0, "'struc' without 'endstruc'");
    }
    const list = [...sections.values()].filter((s) => s.size > 0 || s.name === ".text");
    if (inp.format === "elf") placeElf(list, inp.elfBase);
    else placeBin(list, org ?? 0);
    for (const s of sections.values()) if (!list.includes(s)) s.start = 0;
    const out = /* @__PURE__ */ new Map();
    for (const [name, b] of data) out.set(name, b.buf.subarray(0, b.len));
    return { sections: list, data: out, symbols, emitted };
  }
}
function reportEquCycles(stmts, sink) {
  const equs = /* @__PURE__ */ new Map();
  for (const st of stmts) if (st.label && st.op.k === "equ" && !equs.has(st.label.name)) equs.set(st.label.name, st);
  if (equs.size === 0) return false;
  const uses = (e, out) => {
    const stack = [e];
    while (stack.length) {
      const x = stack.pop();
      if (x.t === "sym") {
        if (equs.has(x.name)) out.push(x.name);
      } else if (x.t === "un") stack.push(x.a);
      else if (x.t === "bin") stack.push(x.a, x.b);
      else if (x.t === "cond") stack.push(x.c, x.a, x.b);
    }
    return out;
  };
  const state = /* @__PURE__ */ new Map();
  const reported = /* @__PURE__ */ new Set();
  for (const root of equs.keys()) {
    if (state.has(root)) continue;
    const path6 = [{ name: root, next: uses(equs.get(root).op.e, []) }];
    state.set(root, 1);
    while (path6.length) {
      const top = path6[path6.length - 1];
      const to = top.next.pop();
      if (to === void 0) {
        state.set(top.name, 2);
        path6.pop();
        continue;
      }
      const s = state.get(to);
      if (s === 1) {
        const cycle = path6.slice(path6.findIndex((p) => p.name === to)).map((p) => p.name);
        const chain = [...cycle, to].join(" -> ");
        for (const name of cycle) {
          if (reported.has(name)) continue;
          reported.add(name);
          const st = equs.get(name);
          sink.error(st.loc, st.label.col, `symbol '${name}' is defined in terms of itself (${chain}): a circular equ has no value`);
        }
      } else if (s === void 0) {
        state.set(to, 1);
        path6.push({ name: to, next: uses(equs.get(to).op.e, []) });
      }
    }
  }
  return reported.size > 0;
}
function signature(ops, allowShort, final, bits) {
  let s = `${bits}${allowShort ? "s" : "n"}${final ? "f" : ""}`;
  for (const o of ops) {
    if (o.k === "imm") s += `|${o.value},${o.rel ? 1 : 0}${o.unknown ? "u" : ""}`;
    else if (o.k === "mem") s += `|${o.disp},${o.dispRel ? 1 : 0}`;
    else if (o.k === "far") s += `|${o.sel}:${o.off}`;
  }
  return s;
}
function sameSyms(a2, b) {
  if (a2.size !== b.size) return false;
  for (const [k, v] of a2) {
    const w = b.get(k);
    if (!w || w.value !== v.value || w.rel !== v.rel) return false;
  }
  return true;
}
function sameSections(a2, b) {
  if (a2.size !== b.length) return false;
  for (const s of b) {
    const t = a2.get(s.name);
    if (!t || t.start !== s.start || t.size !== s.size) return false;
  }
  return true;
}
var STICKY_AFTER, MAX_PASSES, ByteBuf;
var init_layout = __esm({
  "tools/asm/layout.ts"() {
    "use strict";
    init_diagnostics();
    init_expr();
    init_operands();
    init_sections();
    init_elf();
    init_registers();
    STICKY_AFTER = 100;
    MAX_PASSES = 150;
    ByteBuf = class {
      buf = new Uint8Array(256);
      len = 0;
      ensure(n) {
        if (this.len + n <= this.buf.length) return;
        let cap = this.buf.length * 2;
        while (cap < this.len + n) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(0, this.len));
        this.buf = nb;
      }
      push(b) {
        this.ensure(b.length);
        this.buf.set(b, this.len);
        this.len += b.length;
      }
      zeros(n) {
        this.ensure(n);
        this.buf.fill(0, this.len, this.len + n);
        this.len += n;
      }
    };
  }
});

// tools/asm/listing.ts
function formatListing(emitted, allLines) {
  const rows = [];
  const byLine = /* @__PURE__ */ new Map();
  for (const e of emitted) {
    const k = e.stmt.loc.file + "\0" + e.stmt.loc.line + "\0" + e.stmt.text;
    const l = byLine.get(k);
    if (l) l.push(e);
    else byLine.set(k, [e]);
  }
  const num = (n) => String(n).padStart(6, " ");
  const hex8 = (n) => (n >>> 0).toString(16).toUpperCase().padStart(8, "0");
  for (const src of allLines) {
    const k = src.file + "\0" + src.line + "\0" + src.text;
    const es = byLine.get(k);
    if (!es) {
      rows.push(`${num(src.line)} ${" ".repeat(8)} ${" ".repeat(BYTES_PER_ROW * 2 + 6)}${src.text}`);
      continue;
    }
    byLine.delete(k);
    for (const e of es) {
      if (e.reserved !== void 0) {
        const cell = e.reserved ? `<res ${hex8(e.reserved)}>` : "";
        rows.push(`${num(src.line)} ${e.reserved ? hex8(e.offset) : " ".repeat(8)} ${cell.padEnd(BYTES_PER_ROW * 2 + 6)}${src.text}`);
        continue;
      }
      const b = e.bytes ?? new Uint8Array(0);
      const hex3 = (from, to) => Array.from(b.subarray(from, to), (x) => x.toString(16).toUpperCase().padStart(2, "0")).join("");
      const first = Math.min(b.length, BYTES_PER_ROW);
      const more = b.length > first;
      const addr = b.length ? hex8(e.offset) : " ".repeat(8);
      rows.push(`${num(src.line)} ${addr} ${(hex3(0, first) + (more ? "-" : "")).padEnd(BYTES_PER_ROW * 2 + 6)}${src.text}`);
      for (let at = first; at < b.length; at += BYTES_PER_ROW) {
        const end = Math.min(b.length, at + BYTES_PER_ROW);
        rows.push(`${num(src.line)} ${hex8(e.offset + at)} ${hex3(at, end)}${end < b.length ? "-" : ""}`);
      }
    }
  }
  return rows.join("\n") + (rows.length ? "\n" : "");
}
function formatMap(symbols) {
  return symbols.map((s) => `${(s.value >>> 0).toString(16).toUpperCase().padStart(8, "0")} ${s.name}
`).join("");
}
var BYTES_PER_ROW;
var init_listing = __esm({
  "tools/asm/listing.ts"() {
    "use strict";
    BYTES_PER_ROW = 9;
  }
});

// tools/asm/lexer.ts
function isIdStart(c) {
  const k = c.charCodeAt(0);
  return k < 128 && (CLASS[k] & 1) !== 0;
}
function isIdChar(c) {
  const k = c.charCodeAt(0);
  return k < 128 && CLASS[k] !== 0;
}
function idCode(k) {
  return k < 128 && CLASS[k] !== 0;
}
function commentStart(line) {
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
function skipString(s, i) {
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
function decodeBackquote(body, col) {
  const out = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\") {
      pushUtf8(out, body.codePointAt(i));
      if (body.codePointAt(i) > 65535) i++;
      continue;
    }
    const e = body[++i];
    const simple = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, "\\": 92, "'": 39, '"': 34, "`": 96, "?": 63 };
    if (e in simple) out.push(simple[e]);
    else if (e === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!m) throw new AsmError("invalid \\x escape in string", col);
      out.push(parseInt(m[0], 16));
      i += m[0].length;
    } else if (e >= "0" && e <= "7") {
      const m = /^[0-7]{1,3}/.exec(body.slice(i));
      out.push(parseInt(m[0], 8) & 255);
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
function pushUtf8(out, cp) {
  if (cp < 128) out.push(cp);
  else if (cp < 2048) out.push(192 | cp >> 6, 128 | cp & 63);
  else if (cp < 65536) out.push(224 | cp >> 12, 128 | cp >> 6 & 63, 128 | cp & 63);
  else out.push(240 | cp >> 18, 128 | cp >> 12 & 63, 128 | cp >> 6 & 63, 128 | cp & 63);
}
function parseNumber(raw, col) {
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
function parseBig(raw) {
  const s = raw.replace(/_/g, "").toLowerCase();
  try {
    if (/^0x[0-9a-f]+$/.test(s)) return BigInt(s);
    if (/^[0-9][0-9a-f]*h$/.test(s)) return BigInt("0x" + s.slice(0, -1));
    if (/^[0-9]+$/.test(s)) return BigInt(s);
  } catch {
    return void 0;
  }
  return void 0;
}
function tokenize(line, colBase = 0) {
  const toks = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i];
    if (c === " " || c === "	" || c === "\r") {
      i++;
      continue;
    }
    if (c === ";") break;
    const col = i + 1 + colBase;
    if (c === "'" || c === '"' || c === "`") {
      const j = skipString(line, i);
      if (j < 0) throw new AsmError("unterminated string", col);
      const body = line.slice(i + 1, j - 1);
      let bytes2;
      if (c === "`") bytes2 = decodeBackquote(body, col);
      else {
        bytes2 = [];
        for (const ch of body) pushUtf8(bytes2, ch.codePointAt(0));
      }
      toks.push({ kind: "str", text: line.slice(i, j), col, bytes: bytes2 });
      i = j;
      continue;
    }
    if (c >= "0" && c <= "9" || c === "$" && i + 1 < n && line[i + 1] >= "0" && line[i + 1] <= "9") {
      let j = i + 1;
      while (j < n) {
        const k = line.charCodeAt(j);
        if (!(k >= 48 && k <= 57 || k >= 65 && k <= 90 || k >= 97 && k <= 122 || k === 95 || k === 36 || k === 46)) break;
        j++;
      }
      const raw = line.slice(i, j);
      if (raw.includes(".") || /^[0-9]+e/i.test(raw) && !/h$/i.test(raw))
        throw new AsmError(`floating-point constant '${raw}' is not supported`, col);
      const value = parseNumber(raw, col);
      const tok = { kind: "num", text: raw, col, value };
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
    if (isIdStart(c) || c === "%" && line[i + 1] === "%" && isIdChar(line[i + 2] ?? "")) {
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
var OPS3, OPS2, OPS1, CLASS;
var init_lexer = __esm({
  "tools/asm/lexer.ts"() {
    "use strict";
    init_diagnostics();
    OPS3 = ["<<<", ">>>", "<=>"];
    OPS2 = ["<<", ">>", "//", "%%", "&&", "||", "^^", "==", "!=", "<>", "<=", ">="];
    OPS1 = "+-*/%&|^~!=<>()[],:?{}";
    CLASS = new Uint8Array(128);
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      if (ch >= "a" && ch <= "z" || ch >= "A" && ch <= "Z" || "_.?@".includes(ch)) CLASS[c] = 3;
      else if (ch >= "0" && ch <= "9" || "$#~".includes(ch)) CLASS[c] = 2;
    }
  }
});

// tools/asm/parse.ts
function parseProgram(lines, isMnemonic, sink) {
  const stmts = [];
  const globals = /* @__PURE__ */ new Map();
  const externs = /* @__PURE__ */ new Map();
  let scope = "";
  const qualify = (name) => name.startsWith(".") && !name.startsWith("..") ? scope + name : name;
  const isKeyword = (w) => {
    const l = w.toLowerCase();
    return l in DATA || l in RES || DIRECTIVES.has(l) || PREFIXES2.has(l) || isMnemonic(l);
  };
  for (const line of lines) {
    const st = { loc: line.loc, text: line.text, op: { k: "none" } };
    stmts.push(st);
    try {
      let toks = tokenize(line.text);
      if (toks.length === 0) continue;
      if (toks[0].kind === "op" && toks[0].text === "[" && toks.length > 1 && toks[1].kind === "id" && DIRECTIVES.has(toks[1].text.toLowerCase())) {
        const last = toks[toks.length - 1];
        if (!(last.kind === "op" && last.text === "]")) throw new AsmError("expected ']'", last.col);
        toks = toks.slice(1, -1);
      }
      const ts = new TokenStream(toks, line.text.length + 1);
      const t0 = toks[0];
      if (t0.kind === "id" && (ts.isOp(":", 1) || !isKeyword(t0.text) && (toks.length === 1 || toks[1].kind === "id" && isKeyword(toks[1].text)))) {
        const name = qualify(t0.text);
        st.label = { name, col: t0.col };
        if (!t0.text.startsWith(".") && !t0.text.startsWith("..@")) scope = t0.text;
        ts.next();
        if (ts.isOp(":")) ts.next();
      }
      if (ts.atEnd()) continue;
      if (ts.isKw("times")) {
        st.timesCol = ts.next().col;
        st.times = parseExpr(ts, qualify);
      }
      if (ts.atEnd()) throw new AsmError("expected an instruction after 'times'", ts.col());
      st.op = parseOp(ts, st, qualify, isMnemonic, globals, externs, () => scope, (s) => scope = s);
      if (!ts.atEnd()) throw new AsmError(`unexpected '${ts.peek().text}'`, ts.col());
    } catch (thrown) {
      const err = asAsmError(thrown);
      sink.error(line.loc, err.col, err.message);
      st.op = { k: "none" };
      st.times = void 0;
    }
  }
  return { stmts, globals, externs };
}
function parseOp(ts, st, qualify, isMnemonic, globals, externs, getScope, setScope) {
  const t = ts.next();
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
      if (n.t !== "num" || n.v !== 16 && n.v !== 32) throw new AsmError("bits must be 16 or 32", t.col);
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
      let align;
      let nobits;
      while (!ts.atEnd()) {
        const a2 = ts.next();
        const aw = a2.text.toLowerCase();
        if (aw === "align" && ts.isOp("=")) {
          ts.next();
          const v = ts.next();
          if (!v || v.kind !== "num") throw new AsmError("expected align=<number>", a2.col);
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
        const n = ts.next();
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
      let fill;
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
      let skip;
      let len;
      if (ts.isOp(",")) {
        ts.next();
        skip = parseExpr(ts, qualify);
        if (ts.isOp(",")) {
          ts.next();
          len = parseExpr(ts, qualify);
        }
      }
      return { k: "incbin", file: new TextDecoder().decode(new Uint8Array(f.bytes)), skip, len, col: f.col };
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
      let data;
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
  const prefixes = [];
  let mt = t;
  let mw = w;
  while (PREFIXES2.has(mw) && !(mw === "wait" && ts.atEnd())) {
    prefixes.push(mw);
    const n = ts.next();
    if (!n) {
      if (mw === "wait") break;
      return { k: "insn", mnem: prefixes.pop(), col: mt.col, prefixes, operands: [] };
    }
    if (n.kind !== "id") throw new AsmError(`expected an instruction after prefix '${mw}'`, n.col);
    mt = n;
    mw = n.text.toLowerCase();
  }
  if (prefixes.length && !isMnemonic(mw) && !PREFIXES2.has(mw)) throw new AsmError(`unknown instruction '${mt.text}'`, mt.col);
  if (!isMnemonic(mw)) throw new AsmError(`unknown instruction '${mt.text}'`, mt.col);
  const operands = [];
  if (!ts.atEnd()) {
    for (; ; ) {
      operands.push(parseOperand(ts, qualify));
      if (!ts.isOp(",")) break;
      ts.next();
    }
  }
  void getScope;
  return { k: "insn", mnem: mw, col: mt.col, prefixes, operands };
}
function parseDataItems(ts, qualify) {
  const items = [];
  if (ts.atEnd()) throw new AsmError("expected data after the directive", ts.col());
  for (; ; ) {
    const t = ts.peek();
    const n = ts.peek(1);
    if (t.kind === "str" && (!n || n.kind === "op" && n.text === ",")) {
      ts.next();
      items.push({ k: "str", bytes: t.bytes });
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
function restText(ts) {
  ts.pos = ts.toks.length;
}
var PREFIXES2, DATA, RES, DIRECTIVES;
var init_parse = __esm({
  "tools/asm/parse.ts"() {
    "use strict";
    init_diagnostics();
    init_expr();
    init_lexer();
    init_operands();
    PREFIXES2 = /* @__PURE__ */ new Set(["rep", "repe", "repz", "repne", "repnz", "lock", "o16", "o32", "a16", "a32", "es", "cs", "ss", "ds", "fs", "gs", "wait"]);
    DATA = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10 };
    RES = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10 };
    DIRECTIVES = /* @__PURE__ */ new Set([
      "bits",
      "use16",
      "use32",
      "org",
      "section",
      "segment",
      "global",
      "extern",
      "common",
      "align",
      "alignb",
      "incbin",
      "struc",
      "endstruc",
      "istruc",
      "at",
      "iend",
      "absolute",
      "cpu",
      "default",
      "times",
      "equ",
      "sectalign",
      "warning",
      "list"
    ]);
  }
});

// tools/asm/preprocess.ts
function preprocess(source, opt, sink) {
  const out = [];
  const defines = /* @__PURE__ */ new Map();
  const idefines = /* @__PURE__ */ new Map();
  const macros = /* @__PURE__ */ new Map();
  const imacros = /* @__PURE__ */ new Map();
  let uniq = 0;
  let depth = 0;
  let expandedTotal = 0;
  for (const [k, v] of Object.entries(opt.defines)) defines.set(k, { body: v });
  const dirname = (p) => {
    const i = p.lastIndexOf("/");
    return i < 0 ? "" : p.slice(0, i + 1);
  };
  const splitLines = (text, file) => {
    const raw = text.split("\n");
    const lines = [];
    for (let i = 0; i < raw.length; i++) {
      let t = raw[i].endsWith("\r") ? raw[i].slice(0, -1) : raw[i];
      const start = i;
      while (t.endsWith("\\") && i + 1 < raw.length) t = t.slice(0, -1) + raw[++i].replace(/\r$/, "");
      lines.push({ text: t, loc: { file, line: start + 1, text: t } });
    }
    if (lines.length && lines[lines.length - 1].text === "") lines.pop();
    return lines;
  };
  const findFile = (name, from) => {
    const cands = name.startsWith("/") ? [name] : [dirname(from) + name, ...opt.includePaths.map((d) => (d.endsWith("/") ? d : d + "/") + name), name];
    for (const p of cands) {
      const data = opt.readFile(p);
      if (data) return { path: p, data };
    }
    return void 0;
  };
  const expandDefines = (text, loc) => {
    if (defines.size === 0 && idefines.size === 0) return text;
    let any = false;
    for (const w of text.match(ID_RE) ?? []) {
      if (defines.has(w) || idefines.size && idefines.has(w.toLowerCase())) {
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
            while (text[k] === " " || text[k] === "	") k++;
            if (text[k] === "(") {
              const { args, end } = splitParenArgs(text, k);
              if (args.length === d.params.length || d.params.length === 0 && args.length === 1 && args[0] === "") {
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
  const tooLarge = (name) => new AsmError(`single-line macro expansion is too large: expanding '${name}' makes the line longer than ${MAX_EXPANDED_LINE >> 20} MiB (a %define that repeats another one?)`, 0);
  const ppEval = (text, loc, col0) => {
    const ts = new TokenStream(tokenize(expandDefines(text, loc), col0), col0 + text.length);
    const e = parseExpr(ts, (s) => s);
    if (!ts.atEnd()) throw new AsmError(`unexpected '${ts.peek().text}' in expression`, ts.col());
    const ctx = {
      lookup(name, col) {
        throw new AsmError(`'${name}' is not defined in a preprocessor expression`, col);
      },
      here: () => {
        throw new AsmError("'$' cannot be used in a preprocessor expression", col0);
      },
      sectionBase: () => {
        throw new AsmError("'$$' cannot be used in a preprocessor expression", col0);
      }
    };
    return evaluate(e, ctx).v;
  };
  const substituteMacro = (text, f) => {
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
      let m;
      if (m = /^%([A-Za-z_.?@$][\w.?@$#~]*)/.exec(rest)) {
        res += `..@${f.id}.${m[1]}`;
        i += m[0].length;
      } else if ((m = /^\{?(\d+)\}?/.exec(rest)) && (rest[0] !== "{" || m[0].endsWith("}"))) {
        const k = Number(m[1]);
        res += k === 0 ? String(f.args.length) : f.args[k - 1] ?? "";
        i += m[0].length;
      } else if (rest.startsWith("+")) {
        res = res.replace(/\s+$/, "");
        i++;
        while (text[i + 1] === " " || text[i + 1] === "	") i++;
      } else res += c;
    }
    return res;
  };
  const run = (lines, frame) => {
    const conds = [];
    let collecting;
    const active = () => conds.length === 0 || conds[conds.length - 1].active;
    for (let li = 0; li < lines.length; li++) {
      if (fatal) return;
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
          collecting = void 0;
          if (c.discard) continue;
          if (c.kind === "macro") {
            c.def.body = c.body;
            const map = c.ci ? imacros : macros;
            const key = c.ci ? c.def.name.toLowerCase() : c.def.name;
            const list = (map.get(key) ?? []).filter((m) => m.nmin !== c.def.nmin || m.nmax !== c.def.nmax);
            list.push(c.def);
            map.set(key, list);
          } else {
            for (let r = 0; r < c.count && !exitRep; r++) {
              run(c.body, frame);
              if (out.length > MAX_LINES) throw new AsmError(`%rep produces too many lines (more than ${MAX_LINES})`, firstCol(c.start.loc.text));
            }
            exitRep = false;
          }
          continue;
        }
        collecting.body.push(line);
        continue;
      }
      try {
        if (dir.startsWith("if")) {
          const parentActive = active();
          let val = false;
          if (parentActive) val = condition(dir.slice(2), trimmed.slice(dm[0].length), loc, col0 + dm[0].length);
          conds.push({ active: parentActive && val, done: val, parentActive, seenElse: false, loc });
          continue;
        }
        if (dir.startsWith("elif")) {
          const c = conds[conds.length - 1];
          if (!c) throw new AsmError(`%${dir} without %if`, col0);
          if (c.seenElse) throw new AsmError(`%${dir} after %else`, col0);
          if (c.parentActive && !c.done) {
            const val = condition(dir.slice(4), trimmed.slice(dm[0].length), loc, col0 + dm[0].length);
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
          collecting = handleDirective(dir, trimmed.slice(dm[0].length), line, col0, col0 + dm[0].length, frame);
          continue;
        }
        if (trimmed.startsWith("%") && !trimmed.startsWith("%%")) {
          const m = /^%(\S*)/.exec(trimmed);
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
      collecting = void 0;
    }
    for (const c of conds) sink.error(c.loc, firstCol(c.loc.text), "unterminated %if (missing %endif)");
  };
  let exitRep = false;
  let fatal = false;
  const condition = (kind, rest, loc, col) => {
    let neg = false;
    if (kind.startsWith("n") && kind !== "num") {
      neg = true;
      kind = kind.slice(1);
    }
    let v;
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
        const [a2, b] = parts.map((p) => p.replace(/\s+/g, ""));
        v = kind === "idn" ? a2 === b : a2.toLowerCase() === b.toLowerCase();
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
  const handleDirective = (dir, rest, line, dirCol, restCol, frame) => {
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
        const params = m[2] !== void 0 ? m[3].split(",").map((s) => s.trim()).filter((s) => s) : void 0;
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
        let nmax = m[3] === void 0 ? nmin : m[3] === "*" ? Infinity : Number(m[3]);
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
          run(splitLines(new TextDecoder().decode(found.data), found.path), void 0);
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
          const k = (n % len + len) % len;
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
  const tryMacroCall = (text, line, frame) => {
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
      const parts = splitArgs(argText, maxN);
      args = parts;
    }
    for (let i = args.length; i < maxN && i - def.nmin < def.defaults.length; i++) {
      if (i >= def.nmin) args.push(def.defaults[i - def.nmin]);
    }
    if (depth >= MAX_MACRO_DEPTH) throw new AsmError(`macro recursion limit exceeded (${MAX_MACRO_DEPTH} nested expansions of '${name}' and others)`, col);
    depth++;
    try {
      const f = { macro: def, args, id: ++uniq };
      const body = def.body.map((b) => ({ text: b.text, loc: { ...line.loc, macro: line.loc.macro ?? name } }));
      run(body, f);
    } finally {
      depth--;
    }
    return true;
  };
  run(splitLines(source, opt.file), void 0);
  return out;
}
function splitArgs(text, limit = Infinity) {
  const out = [];
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
function splitParenArgs(text, open) {
  let depth = 0;
  const args = [];
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
function substituteParams(body, params, args) {
  if (params.length === 0) return body;
  return body.replace(/[A-Za-z_.?@$][\w.?@$#~]*/g, (w) => {
    const k = params.indexOf(w);
    return k >= 0 ? args[k] : w;
  });
}
function firstCol(text) {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}
var ID_RE, MAX_INCLUDE_DEPTH, MAX_MACRO_DEPTH, MAX_REP, MAX_LINES, MAX_EXPANDED_LINE, MAX_EXPANDED_TOTAL;
var init_preprocess = __esm({
  "tools/asm/preprocess.ts"() {
    "use strict";
    init_diagnostics();
    init_lexer();
    init_expr();
    ID_RE = /[A-Za-z_.?@$][\w.?@$#~]*/g;
    MAX_INCLUDE_DEPTH = 32;
    MAX_MACRO_DEPTH = 200;
    MAX_REP = 1e6;
    MAX_LINES = 1e6;
    MAX_EXPANDED_LINE = 1 << 20;
    MAX_EXPANDED_TOTAL = 256 << 20;
  }
});

// tools/asm/select.ts
import iced2 from "iced-x86";
function buildTable() {
  const table = /* @__PURE__ */ new Map();
  const count = Object.keys(Code).length / 2;
  for (let code2 = 0; code2 < count; code2++) {
    const name = Code[code2];
    if (/_82$|_F6r1$|_F7r1$|^Sal_|^Jmpe|^Loadall|^Ud0|486|^Umov|^Xbts|^Ibts/.test(name)) continue;
    const oc = CodeExt.opCode(code2);
    try {
      if (oc.encoding !== EncodingKind.Legacy || !(oc.mode16 || oc.mode32) || !oc.isInstruction) continue;
      const kinds = [];
      let ok = true;
      for (let i = 0; i < oc.opCount; i++) {
        const k = oc.opKind(i);
        if (!ALLOWED_KINDS.has(k)) ok = false;
        kinds.push(k);
      }
      if (!ok) continue;
      const mn = Mnemonic[oc.mnemonic].toLowerCase();
      const immKind = kinds.find((k) => IMM_WIDTH.has(k));
      const row = {
        code: code2,
        name,
        kinds,
        opSize: oc.operandSize,
        addrSize: oc.addressSize,
        memBits: MemorySizeExt.size(oc.memorySize) * 8,
        immWidth: immKind === void 0 ? 0 : IMM_WIDTH.get(immKind),
        accImm: immKind !== void 0 && kinds.some((k) => k === K.al || k === K.ax || k === K.eax)
      };
      const list = table.get(mn);
      if (list) list.push(row);
      else table.set(mn, [row]);
    } finally {
      oc.free();
    }
  }
  return table;
}
function icedReg(r) {
  if (!r) return Register.None;
  return Register[r.name.toUpperCase()];
}
function kindMatches(k, op, row, bits) {
  switch (op.k) {
    case "reg": {
      const c = op.reg.cls;
      switch (k) {
        case K.r8_or_mem:
        case K.r8_reg:
        case K.r8_opcode:
          return c === "r8";
        case K.r16_or_mem:
        case K.r16_reg:
        case K.r16_rm:
        case K.r16_opcode:
          return c === "r16";
        case K.r32_or_mem:
          return c === "r32" || c === "r16" && (bits === 32 && WIDEN_R16.has(row.name) || row.name === "Lar_r32_r32m16" || row.name === "Lsl_r32_r32m16");
        case K.r32_reg:
          return c === "r32" || c === "r16" && bits === 32 && WIDEN_R16.has(row.name);
        case K.r32_rm:
        case K.r32_opcode:
          return c === "r32";
        case K.seg_reg:
          return c === "sreg";
        case K.cr_reg:
          return c === "cr";
        case K.dr_reg:
          return c === "dr";
        case K.tr_reg:
          return c === "tr";
        default:
          return FIXED_REG.get(k) === op.reg.name;
      }
    }
    case "mem": {
      if (k === K.mem_offs) return !op.base && !op.index && !op.far && (op.size === 0 || op.size === row.memBits) && op.dispSize === 0;
      if (k === K.mem) {
        const isFarPtr = row.memBits !== 0 && /_m16(16|32)$/.test(row.name) && /^(Jmp|Call)_/.test(row.name);
        if (isFarPtr !== op.far) return false;
        if (op.far) return op.size === 0 || op.size === row.opSize;
        return op.size === 0 || op.size === row.memBits || row.memBits === 0 && !op.far;
      }
      if (op.far) return false;
      if (k === K.r8_or_mem || k === K.r16_or_mem || k === K.r32_or_mem) return op.size === 0 || op.size === row.memBits;
      return false;
    }
    case "imm":
      if (BRANCH_KINDS.has(k)) return op.jump !== "far";
      if (!IMM_WIDTH.has(k) || op.jump) return false;
      return true;
    case "far":
      return k === K.farbr2_2 || k === K.farbr4_2;
  }
}
function immFit(k, op) {
  const v = op.value;
  switch (k) {
    case K.imm8_const_1:
      return { fit: v === 1 && !op.rel && op.size !== 8 ? "ok" : "no", value: 1, signed: true };
    case K.imm8sex16:
    case K.imm8sex32: {
      if (op.rel) return { fit: "no", value: 0, signed: true };
      const w = k === K.imm8sex16 ? (v & 65535) << 16 >> 16 : v | 0;
      if (w >= -128 && w <= 127) return { fit: "ok", value: w, signed: true };
      return { fit: op.size === 8 ? "warn" : "no", value: (v & 255) << 24 >> 24, signed: true };
    }
    case K.imm8:
      return { fit: v >= -128 && v <= 255 ? "ok" : "warn", value: v & 255, signed: false };
    case K.imm16:
      return { fit: v >= -65536 && v <= 65535 ? "ok" : "warn", value: v & 65535, signed: false };
    default:
      return { fit: v >= -4294967296 && v <= 4294967295 ? "ok" : "warn", value: v >>> 0, signed: false };
  }
}
function strip66(b) {
  for (let i = 0; i < b.length - 1; i++) {
    if (b[i] === 102) return Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1)]);
    if (![240, 242, 243, 38, 46, 54, 62, 100, 101, 103].includes(b[i])) break;
  }
  return b;
}
function nasmPrefixOrder(b) {
  const rank = (x) => x === 240 || x === 242 || x === 243 ? 0 : x === 38 || x === 46 || x === 54 || x === 62 || x === 100 || x === 101 ? 1 : x === 102 ? 2 : x === 103 ? 3 : -1;
  let n = 0;
  while (n < b.length - 1 && rank(b[n]) >= 0) n++;
  if (n < 2) return b;
  const pre = Array.from(b.subarray(0, n)).sort((x, y) => rank(x) - rank(y));
  const out = new Uint8Array(b.length);
  out.set(pre, 0);
  out.set(b.subarray(n), n);
  return out;
}
function defaultSelector() {
  shared ??= new IcedSelector();
  return shared;
}
var Code, CodeExt, Encoder, Instruction, MemoryOperand, MemorySizeExt, Mnemonic, K, EncodingKind, Register, RepPrefixKind, CC, ALIASES, SIZE_FROM_BITS, SIZED, WIDEN_R16, STRING_OPS, PREFIX_BYTE, ALLOWED_KINDS, IMM_WIDTH, BRANCH_KINDS, FIXED_REG, IcedSelector, shared;
var init_select = __esm({
  "tools/asm/select.ts"() {
    "use strict";
    init_diagnostics();
    init_registers();
    ({ Code, CodeExt, Encoder, Instruction, MemoryOperand, MemorySizeExt, Mnemonic, OpCodeOperandKind: K, EncodingKind, Register, RepPrefixKind } = iced2);
    CC = {
      o: "o",
      no: "no",
      b: "b",
      c: "b",
      nae: "b",
      ae: "ae",
      nb: "ae",
      nc: "ae",
      e: "e",
      z: "e",
      ne: "ne",
      nz: "ne",
      be: "be",
      na: "be",
      a: "a",
      nbe: "a",
      s: "s",
      ns: "ns",
      p: "p",
      pe: "p",
      np: "np",
      po: "np",
      l: "l",
      nge: "l",
      ge: "ge",
      nl: "ge",
      le: "le",
      ng: "le",
      g: "g",
      nle: "g"
    };
    ALIASES = {
      sal: ["shl"],
      retn: ["ret"],
      loopz: ["loope"],
      loopnz: ["loopne"],
      icebp: ["int1"],
      fwait: ["wait"],
      pusha: ["pusha", "pushad"],
      pushaw: ["pusha"],
      popa: ["popa", "popad"],
      popaw: ["popa"],
      pushf: ["pushf", "pushfd"],
      pushfw: ["pushf"],
      popf: ["popf", "popfd"],
      popfw: ["popf"],
      iret: ["iret", "iretd"],
      iretw: ["iret"]
    };
    SIZE_FROM_BITS = /* @__PURE__ */ new Set(["pusha", "popa", "pushf", "popf", "iret"]);
    SIZED = {
      retfw: ["retf", 16],
      retfd: ["retf", 32],
      retnw: ["ret", 16],
      retnd: ["ret", 32],
      retw: ["ret", 16],
      retd: ["ret", 32]
    };
    WIDEN_R16 = /* @__PURE__ */ new Set(["Mov_Sreg_r32m16", "Ltr_r32m16", "Lldt_r32m16", "Lmsw_r32m16", "Verr_r32m16", "Verw_r32m16", "Arpl_r32m16_r32"]);
    STRING_OPS = {
      movsb: ["createMovsb", true],
      movsw: ["createMovsw", true],
      movsd: ["createMovsd", true],
      cmpsb: ["createCmpsb", true],
      cmpsw: ["createCmpsw", true],
      cmpsd: ["createCmpsd", true],
      lodsb: ["createLodsb", true],
      lodsw: ["createLodsw", true],
      lodsd: ["createLodsd", true],
      outsb: ["createOutsb", true],
      outsw: ["createOutsw", true],
      outsd: ["createOutsd", true],
      stosb: ["createStosb", false],
      stosw: ["createStosw", false],
      stosd: ["createStosd", false],
      scasb: ["createScasb", false],
      scasw: ["createScasw", false],
      scasd: ["createScasd", false],
      insb: ["createInsb", false],
      insw: ["createInsw", false],
      insd: ["createInsd", false]
    };
    PREFIX_BYTE = { o16: 102, o32: 102, a16: 103, a32: 103, es: 38, cs: 46, ss: 54, ds: 62, fs: 100, gs: 101 };
    ALLOWED_KINDS = /* @__PURE__ */ new Set([
      K.farbr2_2,
      K.farbr4_2,
      K.mem_offs,
      K.mem,
      K.r8_or_mem,
      K.r16_or_mem,
      K.r32_or_mem,
      K.r8_reg,
      K.r8_opcode,
      K.r16_reg,
      K.r16_rm,
      K.r16_opcode,
      K.r32_reg,
      K.r32_rm,
      K.r32_opcode,
      K.seg_reg,
      K.cr_reg,
      K.dr_reg,
      K.tr_reg,
      K.es,
      K.cs,
      K.ss,
      K.ds,
      K.fs,
      K.gs,
      K.al,
      K.cl,
      K.ax,
      K.dx,
      K.eax,
      K.imm8,
      K.imm8_const_1,
      K.imm8sex16,
      K.imm8sex32,
      K.imm16,
      K.imm32,
      K.br16_1,
      K.br32_1,
      K.br16_2,
      K.br32_4
    ]);
    IMM_WIDTH = /* @__PURE__ */ new Map([
      [K.imm8, 8],
      [K.imm8_const_1, 8],
      [K.imm8sex16, 8],
      [K.imm8sex32, 8],
      [K.imm16, 16],
      [K.imm32, 32]
    ]);
    BRANCH_KINDS = /* @__PURE__ */ new Set([K.br16_1, K.br32_1, K.br16_2, K.br32_4]);
    FIXED_REG = /* @__PURE__ */ new Map([
      [K.es, "es"],
      [K.cs, "cs"],
      [K.ss, "ss"],
      [K.ds, "ds"],
      [K.fs, "fs"],
      [K.gs, "gs"],
      [K.al, "al"],
      [K.cl, "cl"],
      [K.ax, "ax"],
      [K.dx, "dx"],
      [K.eax, "eax"]
    ]);
    IcedSelector = class {
      table = buildTable();
      encoders = /* @__PURE__ */ new Map();
      shapeCache = /* @__PURE__ */ new Map();
      encodeCache = /* @__PURE__ */ new Map();
      branchTemplates = /* @__PURE__ */ new Map();
      mnemonicCache = /* @__PURE__ */ new Map();
      isMnemonic(name) {
        let r = this.mnemonicCache.get(name);
        if (r === void 0) {
          r = this.isMnemonicUncached(name);
          this.mnemonicCache.set(name, r);
        }
        return r;
      }
      isMnemonicUncached(name) {
        const n = name.toLowerCase();
        return this.table.has(n) || n in ALIASES || n in SIZED || n in STRING_OPS || n === "xlatb" || n === "xlat" || this.ccName(n) !== void 0;
      }
      /** Maps NASM condition-code aliases (jz, setnae, cmovpe…) to iced's canonical mnemonic. */
      ccName(n) {
        for (const p of ["j", "set", "cmov"]) {
          if (n.startsWith(p)) {
            const cc = CC[n.slice(p.length)];
            if (cc) return p + cc;
          }
        }
        return void 0;
      }
      encoder(bits) {
        let e = this.encoders.get(bits);
        if (!e) {
          e = new Encoder(bits);
          this.encoders.set(bits, e);
        }
        return e;
      }
      /** Encodes one instruction; throws AsmError with a user-facing message if impossible. */
      encode(req) {
        const key = this.valueKey(req);
        if (key !== void 0) {
          const hit = this.encodeCache.get(key);
          if (hit) return hit;
        }
        const res = this.encodeUncached(req);
        if (key !== void 0 && !res.branch) this.encodeCache.set(key, res);
        return res;
      }
      /** A string identifying everything an encoding depends on (undefined: do not cache). */
      valueKey(req) {
        let s = req.mnem + "|" + req.bits + "|" + req.prefixes.join(",");
        for (const o of req.ops) {
          switch (o.k) {
            case "reg":
              s += "|r" + o.reg.name;
              break;
            case "mem":
              s += `|m${o.size},${o.far ? 1 : 0},${o.seg?.name ?? ""},${o.base?.name ?? ""},${o.index?.name ?? ""},${o.scale},${o.disp},${o.dispRel ? 1 : 0},${o.dispSize},${o.addr}`;
              break;
            case "imm":
              if (o.jump !== void 0 && o.jump !== "far") return void 0;
              s += `|i${o.value},${o.rel ? 1 : 0},${o.size},${o.strict ? 1 : 0},${o.jump ?? ""}`;
              break;
            case "far":
              s += `|f${o.sel},${o.off},${o.size}`;
              break;
          }
        }
        return s;
      }
      encodeUncached(req) {
        let mnem = req.mnem;
        if (mnem in STRING_OPS || mnem === "xlatb" || mnem === "xlat") {
          if (req.ops.length === 0 || mnem === "xlat") return this.encodeString(req);
          if (!this.table.has(mnem)) throw new AsmError(`'${mnem}' takes no operands`);
        }
        let forcedSize = 0;
        if (mnem in SIZED) [mnem, forcedSize] = SIZED[mnem];
        let names = ALIASES[mnem] ?? [this.ccName(mnem) ?? mnem];
        const sizeFromBits = SIZE_FROM_BITS.has(mnem);
        let ops = req.ops;
        if ((mnem === "aam" || mnem === "aad") && ops.length === 0) ops = [{ k: "imm", value: 10, rel: false, size: 0, strict: false }];
        if (mnem === "imul" && ops.length === 2 && ops[0].k === "reg" && ops[1].k === "imm") ops = [ops[0], ops[0], ops[1]];
        if (ops.length === 2 && ops[0].k === "imm" && ops[1].k === "reg" && (ops[1].reg.name === "cx" || ops[1].reg.name === "ecx") && /^loop/.test(mnem)) {
          const a2 = ops[1].reg.name === "cx" ? "a16" : "a32";
          return this.encodeBranch({ ...req, ops: [ops[0]], prefixes: [...req.prefixes, a2] }, names[0]);
        }
        const isBranch = ops.length === 1 && ops[0].k === "imm" && names.some((n) => this.table.get(n)?.some((r) => r.kinds.length === 1 && BRANCH_KINDS.has(r.kinds[0])));
        if (isBranch) return this.encodeBranch(req, names[0]);
        if (mnem === "xchg" && ops.length === 2 && ops[0].k === "reg" && ops[1].k === "reg") {
          const [a2, b] = ops;
          const acc = (r) => r.name === "ax" || r.name === "eax";
          ops = acc(a2.reg) && !acc(b.reg) ? [b, a2] : acc(b.reg) ? [a2, b] : [b, a2];
          if (acc(a2.reg) && acc(b.reg) && a2.reg.name === b.reg.name) ops = [a2, b];
        }
        let rows = this.candidates(names, ops, req, sizeFromBits, forcedSize);
        if (rows.length === 0 && (mnem === "xchg" || mnem === "test") && ops.length === 2) {
          ops = [ops[1], ops[0]];
          rows = this.candidates(names, ops, req, sizeFromBits, forcedSize);
        }
        if (rows.length === 0) {
          if (!names.some((n) => this.table.has(n))) throw new AsmError(`unknown instruction '${mnem}'`);
          throw new AsmError(`invalid combination of opcode and operands for '${mnem}'`);
        }
        let best;
        let firstErr;
        for (const row of rows) {
          let fit = "ok";
          const imms = [];
          for (let i = 0; i < ops.length; i++) {
            const o = ops[i];
            if (o.k === "imm") {
              const f = immFit(row.kinds[i], o);
              if (f.fit === "no") fit = "no";
              else if (f.fit === "warn" && fit === "ok") fit = "warn";
              imms.push(f);
            }
          }
          if (fit === "no") continue;
          let bytes2;
          try {
            bytes2 = this.build(row, ops, imms, req);
          } catch (e) {
            firstErr ??= e.message;
            continue;
          }
          const score = (fit === "warn" ? 1e3 : 0) + bytes2.length * 4 + (row.accImm ? 1 : 0);
          if (!best || score < best.score) best = { bytes: bytes2, score, warn: fit === "warn" ? `${row.immWidth === 8 ? "byte" : row.immWidth === 16 ? "word" : "dword"} value exceeds bounds` : void 0 };
        }
        if (!best) {
          if (ops.some((o) => o.k === "imm" && o.size === 8)) throw new AsmError("immediate does not fit in a byte");
          throw new AsmError(`invalid combination of opcode and operands for '${mnem}'${firstErr ? ` (${firstErr})` : ""}`);
        }
        return { bytes: best.bytes, warnings: best.warn ? [best.warn] : void 0 };
      }
      /** Candidate rows for the operand shape, with NASM's size rules applied (cached by shape). */
      candidates(names, ops, req, sizeFromBits, forcedSize = 0) {
        let key = names.join("/") + "|" + req.bits + "|" + forcedSize;
        for (const o of ops) {
          if (o.k === "reg") key += "|r" + o.reg.name;
          else if (o.k === "mem") key += `|m${o.size},${o.far ? 1 : 0},${o.base || o.index ? 1 : 0},${o.dispSize}`;
          else if (o.k === "imm") key += `|i${o.size},${o.strict ? 1 : 0},${o.jump ?? ""}`;
          else key += `|f${o.size}`;
        }
        const hit = this.shapeCache.get(key);
        if (hit) return hit;
        const all = [];
        for (const n of names) for (const r of this.table.get(n) ?? []) all.push(r);
        let rows = all.filter((r) => r.kinds.length === ops.length && r.kinds.every((k, i) => kindMatches(k, ops[i], r, req.bits)));
        const hasGp = ops.some((o) => o.k === "reg" && (o.reg.cls === "r8" || o.reg.cls === "r16" || o.reg.cls === "r32"));
        const sizedMem = ops.some((o) => o.k === "mem" && o.size !== 0);
        const sizelessMem = ops.some((o) => o.k === "mem" && o.size === 0 && !o.far);
        const imm = ops.find((o) => o.k === "imm");
        const far = ops.find((o) => o.k === "far");
        if (imm && imm.size) {
          if (imm.strict || imm.size === 8) rows = rows.filter((r) => r.immWidth === imm.size || imm.size === 8 && r.immWidth === 0);
          if (imm.size !== 8 && !hasGp && !sizedMem) {
            if (sizelessMem) rows = rows.filter((r) => r.memBits === imm.size);
            else rows = rows.filter((r) => r.opSize === imm.size || r.opSize === 0 && r.immWidth === imm.size);
          }
        }
        if (far && far.size) rows = rows.filter((r) => r.opSize === far.size);
        if (forcedSize) rows = rows.filter((r) => r.opSize === forcedSize);
        else if (!hasGp && !sizedMem && !(imm && imm.size && imm.size !== 8) && !(far && far.size)) {
          const byBits = rows.filter((r) => r.opSize === 0 || r.opSize === req.bits);
          if (byBits.length || sizeFromBits) rows = byBits;
        }
        if (sizelessMem && rows.length > 1) {
          const sizes = new Set(rows.map((r) => r.memBits));
          if (sizes.size > 1) throw new AsmError("operation size not specified (use byte, word or dword)");
        }
        this.shapeCache.set(key, rows);
        return rows;
      }
      /** Builds and encodes one candidate; the caller frees nothing (everything is freed here). */
      build(row, ops, imms, req) {
        const args = [];
        let ii = 0;
        for (let i = 0; i < ops.length; i++) {
          const o = ops[i];
          if (o.k === "reg") {
            const reg = o.reg.cls === "r16" && (row.kinds[i] === K.r32_or_mem || row.kinds[i] === K.r32_reg) ? registerOf("r32", o.reg.num) : o.reg;
            args.push({ t: "r", v: icedReg(reg) });
          } else if (o.k === "mem") {
            const full = o.addr === 16 ? 2 : 4;
            const dsz = !o.base && !o.index ? full : o.dispSize ? o.dispSize : o.dispRel ? full : o.disp === 0 ? 0 : 1;
            const disp = o.addr === 16 ? o.disp & 65535 : o.disp >>> 0;
            args.push({ t: "m", v: new MemoryOperand(icedReg(o.base), icedReg(o.index), o.scale, BigInt(disp), dsz, false, icedReg(o.seg)) });
          } else if (o.k === "imm") {
            const f = imms[ii++];
            args.push({ t: "i", v: f.value, s: f.signed });
          } else args.push({ t: "f", sel: o.sel & 65535, off: o.off >>> 0 });
        }
        let ins;
        let consumed = false;
        try {
          consumed = true;
          ins = this.create(row.code, args);
          this.applyPrefixes(ins, req);
          const b = this.finish(ins, req);
          if (WIDEN_R16.has(row.name) && ops.some((o) => o.k === "reg" && o.reg.cls === "r32") && req.bits === 16) return strip66(b);
          return b;
        } finally {
          ins?.free();
          if (!consumed) {
            for (const a2 of args) if (a2.t === "m") a2.v.free();
          }
        }
      }
      /** Calls the matching Instruction.create* for an operand shape. */
      create(code2, a2) {
        const shape = a2.map((x) => x.t).join("");
        const I = Instruction;
        const imm = (x) => x.v;
        const IU = (x) => x.s ? "I32" : "U32";
        switch (shape) {
          case "":
            return Instruction.create(code2);
          case "r":
            return Instruction.createReg(code2, a2[0].v);
          case "m":
            return Instruction.createMem(code2, a2[0].v);
          case "i":
            return I["create" + IU(a2[0])](code2, imm(a2[0]));
          case "f":
            return Instruction.createFarBranch(code2, a2[0].sel, a2[0].off);
          case "rr":
            return Instruction.createRegReg(code2, a2[0].v, a2[1].v);
          case "rm":
            return Instruction.createRegMem(code2, a2[0].v, a2[1].v);
          case "mr":
            return Instruction.createMemReg(code2, a2[0].v, a2[1].v);
          case "ri":
            return I["createReg" + IU(a2[1])](code2, a2[0].v, imm(a2[1]));
          case "mi":
            return I["createMem" + IU(a2[1])](code2, a2[0].v, imm(a2[1]));
          case "ir":
            return I["create" + IU(a2[0]) + "Reg"](code2, imm(a2[0]), a2[1].v);
          case "ii":
            return Instruction.createU32U32(code2, imm(a2[0]), imm(a2[1]));
          case "rri":
            return I["createRegReg" + IU(a2[2])](code2, a2[0].v, a2[1].v, imm(a2[2]));
          case "rmi":
            return I["createRegMem" + IU(a2[2])](code2, a2[0].v, a2[1].v, imm(a2[2]));
          case "mri":
            return I["createMemReg" + IU(a2[2])](code2, a2[0].v, a2[1].v, imm(a2[2]));
          case "mrr":
            return Instruction.createMemRegReg(code2, a2[0].v, a2[1].v, a2[2].v);
          case "rrr":
            return Instruction.createRegRegReg(code2, a2[0].v, a2[1].v, a2[2].v);
        }
        throw new AsmError("unsupported operand combination");
      }
      /** Sets lock/rep prefixes on an instruction. */
      applyPrefixes(ins, req) {
        for (const p of req.prefixes) {
          if (p === "lock") ins.hasLockPrefix = true;
          else if (p === "rep" || p === "repe" || p === "repz") ins.hasRepePrefix = true;
          else if (p === "repne" || p === "repnz") ins.hasRepnePrefix = true;
        }
      }
      /** Encodes, adds raw prefixes (o16/a32/segment) iced did not emit, and applies NASM prefix order. */
      finish(ins, req, address = 0) {
        const enc2 = this.encoder(req.bits);
        enc2.encode(ins, BigInt(address >>> 0));
        let b = enc2.takeBuffer();
        const extra = [];
        for (const p of req.prefixes) {
          const x = PREFIX_BYTE[p];
          if (x === void 0) continue;
          const isSeg = x !== 102 && x !== 103;
          if (isSeg && ins.segmentPrefix !== Register.None) continue;
          const wanted16 = p === "o16" || p === "a16";
          const isOp = x === 102;
          if (!isSeg && (wanted16 ? req.bits === 16 : req.bits === 32)) continue;
          let n = 0;
          let has = false;
          while (n < b.length && [240, 242, 243, 38, 46, 54, 62, 100, 101, 102, 103].includes(b[n])) {
            if (b[n] === x) has = true;
            n++;
          }
          void isOp;
          if (!has) extra.push(x);
        }
        if (extra.length) {
          const nb = new Uint8Array(b.length + extra.length);
          nb.set(extra, 0);
          nb.set(b, extra.length);
          b = nb;
        }
        return nasmPrefixOrder(b);
      }
      /** movsb/lodsd/… (no explicit operands) with rep prefixes; xlatb. */
      encodeString(req) {
        if (req.mnem === "xlatb" || req.mnem === "xlat") {
          const pre = [];
          for (const p of req.prefixes) if (PREFIX_BYTE[p] !== void 0 && PREFIX_BYTE[p] !== 102) pre.push(PREFIX_BYTE[p]);
          return { bytes: nasmPrefixOrder(new Uint8Array([...pre, 215])) };
        }
        const [fn, hasSeg] = STRING_OPS[req.mnem];
        let addr = req.bits;
        if (req.prefixes.includes("a16")) addr = 16;
        if (req.prefixes.includes("a32")) addr = 32;
        let rep = RepPrefixKind.None;
        for (const p of req.prefixes) {
          if (p === "rep" || p === "repe" || p === "repz") rep = RepPrefixKind.Repe;
          else if (p === "repne" || p === "repnz") rep = RepPrefixKind.Repne;
        }
        const I = Instruction;
        const ins = hasSeg ? I[fn](addr, Register.None, rep) : I[fn](addr, rep);
        try {
          const p2 = req.prefixes.filter((p) => p !== "a16" && p !== "a32" && p !== "lock");
          const b = this.finish(ins, { ...req, prefixes: p2 });
          if (req.prefixes.includes("lock")) return { bytes: nasmPrefixOrder(new Uint8Array([240, ...b])) };
          return { bytes: b };
        } finally {
          ins.free();
        }
      }
      /** Relative jmp/jcc/call/loop/jcxz: short if allowed and in range, else near. */
      encodeBranch(req, name) {
        const op = req.ops[0];
        const mnem = req.mnem;
        const bits = req.bits;
        let opBits = bits;
        if (op.size === 16 || op.size === 32) opBits = op.size;
        const rows = (this.table.get(name) ?? []).filter((r) => r.kinds.length === 1 && BRANCH_KINDS.has(r.kinds[0]) && r.opSize === opBits);
        let addrBits = bits;
        if (mnem === "jcxz") addrBits = 16;
        else if (mnem === "jecxz") addrBits = 32;
        else if (req.prefixes.includes("a16")) addrBits = 16;
        else if (req.prefixes.includes("a32")) addrBits = 32;
        const pick = (short) => rows.find((r) => (r.kinds[0] === K.br16_1 || r.kinds[0] === K.br32_1) === short && (r.addrSize === 0 || r.addrSize === addrBits));
        const shortRow = pick(true);
        const nearRow = pick(false);
        if (!shortRow && !nearRow) throw new AsmError(`invalid combination of opcode and operands for '${mnem}'`);
        const target2 = op.value;
        const fits = (row2) => {
          const len = this.branchTemplate(row2, req).length;
          const d2 = target2 - (req.address + len);
          return d2 >= -128 && d2 <= 127;
        };
        let row;
        if (op.jump === "short" || !nearRow) {
          row = shortRow;
          if (!row) throw new AsmError(`'${mnem}' has no short form`);
          if (req.final && !op.unknown && !fits(row)) {
            const len = this.branchTemplate(row, req).length;
            throw new AsmError(`short jump is out of range (target is ${target2 - (req.address + len)} bytes away; the limit is -128..127)`);
          }
        } else if (op.jump === "near" || !shortRow || !req.allowShort) row = nearRow;
        else row = op.unknown || fits(shortRow) ? shortRow : nearRow;
        const tpl = this.branchTemplate(row, req);
        const out = tpl.slice();
        const dsz = row.kinds[0] === K.br16_1 || row.kinds[0] === K.br32_1 ? 1 : row.kinds[0] === K.br16_2 ? 2 : 4;
        let d = target2 - (req.address + out.length);
        for (let i = 0; i < dsz; i++) {
          out[out.length - dsz + i] = d & 255;
          d = Math.floor(d / 256);
        }
        return { bytes: out, branch: row === shortRow ? "short" : "near" };
      }
      /** The encoding of a branch with displacement 0 (cached per code, bits and prefixes). */
      branchTemplate(row, req) {
        const key = row.code + "|" + req.bits + "|" + req.prefixes.join(",");
        let t = this.branchTemplates.get(key);
        if (!t) {
          const dsz = row.kinds[0] === K.br16_1 || row.kinds[0] === K.br32_1 ? 1 : row.kinds[0] === K.br16_2 ? 2 : 4;
          let ins = Instruction.createBranch(row.code, 0x1000n + 0x10n);
          try {
            this.applyPrefixes(ins, req);
            t = this.finish(ins, { ...req, prefixes: req.prefixes.filter((p) => p !== "a16" && p !== "a32") }, 4096);
          } finally {
            ins.free();
          }
          t = t.slice();
          t.fill(0, t.length - dsz);
          this.branchTemplates.set(key, t);
          void (ins = void 0);
        }
        return t;
      }
    };
  }
});

// tools/asm/index.ts
var asm_exports = {};
__export(asm_exports, {
  assemble: () => assemble,
  formatDiagnostic: () => formatDiagnostic
});
import * as fs from "node:fs";
function nodeReadFile(path6) {
  try {
    if (!fs.statSync(path6).isFile()) return void 0;
    return fs.readFileSync(path6);
  } catch {
    return void 0;
  }
}
function assemble(source, options = {}) {
  const file = options.file ?? "<input>";
  const sink = new DiagnosticSink();
  const format = options.format ?? "bin";
  const readFile = options.readFile ?? nodeReadFile;
  const includePaths = options.includePaths ?? [];
  try {
    const lines = preprocess(source, { file, includePaths, defines: options.defines ?? {}, readFile }, sink);
    const selector = defaultSelector();
    const parsed = parseProgram(lines, (m) => selector.isMnemonic(m), sink);
    const dirname = (p) => p.includes("/") ? p.slice(0, p.lastIndexOf("/") + 1) : "";
    const readBinary = (name, from) => {
      const cands = name.startsWith("/") ? [name] : [dirname(from) + name, ...includePaths.map((d) => (d.endsWith("/") ? d : d + "/") + name), name];
      for (const c of cands) {
        const d = readFile(c);
        if (d) return d;
      }
      return void 0;
    };
    const lay = layout({ stmts: parsed.stmts, format, elfBase: options.elfBase ?? 4194304, selector, sink, readBinary, externs: parsed.externs });
    const symbols = [];
    for (const s of lay.symbols.values()) {
      if (s.name.startsWith("..@")) continue;
      symbols.push(s.section ? { name: s.name, value: s.value, section: s.section } : { name: s.name, value: s.value });
    }
    symbols.sort((a2, b) => a2.value - b.value || (a2.name < b.name ? -1 : a2.name > b.name ? 1 : 0));
    for (const [g, loc] of parsed.globals) {
      if (!lay.symbols.has(g) && !parsed.externs.has(g)) sink.error(loc, 0, `global symbol '${g}' is not defined`);
    }
    let bytes2;
    let entry;
    if (format === "elf") {
      const start = lay.symbols.get("_start");
      if (!start) {
        const loc = lines[0]?.loc ?? { file, line: 1, text: "" };
        sink.error({ file, line: loc.file === file ? loc.line : 1, text: loc.file === file ? loc.text : "" }, 1, "no '_start' label: an ELF executable needs an entry point (add 'global _start' and '_start:')");
      } else entry = start.value;
      const elfSyms = [...lay.symbols.values()].filter((s) => !s.name.startsWith("..@")).map((s) => ({ name: s.name, value: s.value, section: s.section, global: parsed.globals.has(s.name) }));
      bytes2 = writeElf(lay.sections, lay.data, elfSyms, entry ?? 0, options.elfBase ?? 4194304);
    } else {
      const order = binOrder(lay.sections).filter((s) => !s.nobits);
      const start = order.length ? order[0].start : 0;
      const end = order.reduce((m, s) => Math.max(m, s.start + s.size), start);
      bytes2 = new Uint8Array(Math.max(0, end - start));
      for (const s of order) {
        const d = lay.data.get(s.name);
        if (d) bytes2.set(d.subarray(0, s.size), s.start - start);
      }
    }
    const ok = sink.errors === 0;
    let listing;
    let map;
    const result = {
      ok,
      bytes: ok ? bytes2 : new Uint8Array(0),
      symbols,
      entry,
      diagnostics: sortDiagnostics(sink.list)
    };
    Object.defineProperty(result, "listing", {
      enumerable: true,
      get: () => listing ??= formatListing(lay.emitted, lines.map((l) => ({ file: l.loc.file, line: l.loc.line, text: l.text })))
    });
    Object.defineProperty(result, "map", { enumerable: true, get: () => map ??= formatMap(symbols) });
    if (entry === void 0) delete result.entry;
    return result;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    sink.error({ file, line: 1, text: source.split("\n")[0] ?? "" }, 1, `internal assembler error: ${msg}`);
    return { ok: false, bytes: new Uint8Array(0), symbols: [], listing: "", map: "", diagnostics: sink.list };
  }
}
function sortDiagnostics(list) {
  return list.map((d, i) => ({ d, i })).sort((a2, b) => a2.d.file === b.d.file ? a2.d.line - b.d.line || a2.i - b.i : a2.i - b.i).map((x) => x.d);
}
var init_asm = __esm({
  "tools/asm/index.ts"() {
    "use strict";
    init_diagnostics();
    init_elf();
    init_layout();
    init_listing();
    init_parse();
    init_preprocess();
    init_sections();
    init_select();
  }
});

// tools/errors.ts
var EXIT, UserError;
var init_errors = __esm({
  "tools/errors.ts"() {
    "use strict";
    EXIT = {
      /** It worked (fsck: clean; trace diff: identical). */
      OK: 0,
      /** The command ran and its answer is "no": the source does not assemble, fsck found problems, the
       *  traces differ, a trace has a bad line. */
      FAILED: 1,
      /** The command could not do what was asked: a bad option or argument, a file that is missing,
       *  unreadable, not a regular file or not what it should be, an output that would overwrite an input,
       *  an image another session holds. Nothing was written. */
      USAGE: 2,
      /** ringside itself failed (a bug), or the machine deadlocked or panicked. */
      INTERNAL: 70,
      /** run/boot: the guest waited for input that will never come. */
      STOPPED: 75,
      /** run/boot: --max-instructions was reached. */
      MAX_INSTRUCTIONS: 124,
      /** run/boot: the first program was killed by exception vector v: 128 + v. */
      KILLED: 128
    };
    UserError = class extends Error {
      constructor(message, exitCode = EXIT.USAGE) {
        super(message);
        this.exitCode = exitCode;
        this.name = "UserError";
      }
      exitCode;
    };
  }
});

// tools/asm/program.ts
import path4 from "node:path";
async function assembleProgram(file, source) {
  const { assemble: assemble2, formatDiagnostic: formatDiagnostic2 } = await Promise.resolve().then(() => (init_asm(), asm_exports));
  const res = assemble2(source, { file, format: "elf", includePaths: [path4.dirname(file), SERVERS_LIB] });
  if (!res.ok) throw new UserError(res.diagnostics.map(formatDiagnostic2).join("\n"));
  return res.bytes;
}
var SERVERS_LIB;
var init_program = __esm({
  "tools/asm/program.ts"() {
    "use strict";
    init_errors();
    init_paths();
    SERVERS_LIB = fromRoot("servers", "lib");
  }
});

// emulator/machine.ts
import { readFileSync } from "node:fs";
import { V86 } from "v86";

// emulator/v86-internals.ts
import { createRequire } from "node:module";
import path from "node:path";
var WASM_OFFSET = {
  reg32: 64,
  // Int32 x8: eax ecx edx ebx esp ebp esi edi
  lastResult: 112,
  // Int32: lazily computed flags input (restore bug workaround)
  flags: 120,
  // Int32: EFLAGS (partly lazy)
  instructionPointer: 556,
  // Int32: linear EIP
  previousIp: 560,
  // Int32: linear EIP of the instruction being executed
  prefixes: 648,
  // Int32: prefixes of the instruction being decoded
  cr: 580,
  // Int32 x8: cr0..cr7
  cpl: 612,
  // Uint8
  inHlt: 616,
  // Uint8
  instructionCounter: 664
  // Uint32: retired instructions (updated at block exits)
};
var JIT_TABLE_BASE = 1024;
var require2 = createRequire(import.meta.url);
function v86WasmPath() {
  return path.join(path.dirname(require2.resolve("v86")), "v86.wasm");
}

// emulator/rng.ts
var Xoshiro128 = class {
  s = new Uint32Array(4);
  /** Seeds the state from one integer via splitmix32, so nearby seeds give unrelated streams. */
  constructor(seed) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = x + 2654435769 >>> 0;
      let z = x;
      z = Math.imul(z ^ z >>> 16, 2246822507) >>> 0;
      z = Math.imul(z ^ z >>> 13, 3266489909) >>> 0;
      this.s[i] = (z ^ z >>> 16) >>> 0;
    }
  }
  /** Returns the next value as a signed 32-bit integer. */
  nextInt32() {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9);
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result | 0;
  }
};
function rotl(x, k) {
  return x << k | x >>> 32 - k;
}

// emulator/rtc-clock.ts
var RTC_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
function onVirtualTime(nowMs, fn) {
  const real = Date.now;
  Date.now = () => RTC_EPOCH_MS + nowMs();
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}
function makeRtcDeterministic(cpu, nowMs) {
  const rtc = cpu.devices.rtc;
  const ports = cpu.io.ports;
  if (!rtc || typeof rtc.timer !== "function" || !ports?.[113]) return false;
  rtc.rtc_time = rtc.last_update = RTC_EPOCH_MS + nowMs();
  rtc.next_interrupt = 0;
  const timer = rtc.timer;
  rtc.timer = function(now, paused) {
    return onVirtualTime(nowMs, () => timer.call(this, now, paused));
  };
  const port = ports[113];
  const write8 = port.write8;
  port.write8 = function(...args) {
    return onVirtualTime(nowMs, () => write8.apply(this, args));
  };
  return true;
}

// emulator/v86-patches.ts
var PATCHED_SOURCES = {
  ideReadData: "function(a){if(this.data_pointer<this.data_end){y(this.data_pointer);var b=1===a?this.data[this.data_pointer]:\n2===a?this.data16[this.data_pointer>>>1]:this.data32[this.data_pointer>>>2];this.data_pointer+=a;this.data_pointer>=this.data_end&&this.read_end();return b}this.data_pointer+=a;return 0}",
  uartWriteData: 'function(a){this.line_control&128?this.baud_rate=this.baud_rate&\n-256|a:(y(a),this.ThrowInterrupt(2),this.modem_control&16?this.data_received(a):this.bus.send("serial"+this.com+"-output-byte",a))}',
  uartDataReceived: "function(a){y(a);this.input.push(a);this.lsr|=1;this.fifo_control&1?this.ThrowInterrupt(12):this.ThrowInterrupt(4)}",
  uartReadLsr: "function(){y(this.lsr);return this.lsr}",
  uartReadIir: "function(){var d=this.iir&15;y(this.iir);2===this.iir&&this.ClearInterrupt(2);this.fifo_control&1&&(d|=192);return d}",
  uartThrWrite: "function(d){this.write_data(d)}",
  ideReadBuffer: "function(a,b,c){const d=this.last_io_id++,e=new AbortController;this.in_progress_io_ids.set(d,e);this.buffer.get(a,b,f=>{this.cancelled_io_ids.delete(d)?this.in_progress_io_ids.has(d):(this.in_progress_io_ids.delete(d),c(f))},{signal:e.signal})}"
};
var unwrapped = (source) => source.replace(/\n/g, "");
var COM1 = 1016;
function ideReadData(a2) {
  if (this.data_pointer < this.data_end) {
    const b = a2 === 1 ? this.data[this.data_pointer] : a2 === 2 ? this.data16[this.data_pointer >>> 1] : this.data32[this.data_pointer >>> 2];
    this.data_pointer += a2;
    if (this.data_pointer >= this.data_end) this.read_end();
    return b;
  }
  this.data_pointer += a2;
  return 0;
}
function ideReadBuffer(a2, b, c) {
  const d = this.last_io_id++;
  let controller;
  let state = 0;
  this.buffer.get(
    a2,
    b,
    (f) => {
      if (state === 1) {
        if (this.cancelled_io_ids.delete(d)) return;
        this.in_progress_io_ids.delete(d);
      }
      state = 2;
      c(f);
    },
    {
      get signal() {
        return (controller ??= new AbortController()).signal;
      }
    }
  );
  if (state === 0) {
    state = 1;
    this.in_progress_io_ids.set(d, { abort: () => controller?.abort() });
  }
}
function uartWriteData(a2) {
  if (this.line_control & 128) {
    this.baud_rate = this.baud_rate & -256 | a2;
    return;
  }
  this.ThrowInterrupt(2);
  if (this.modem_control & 16) this.data_received(a2);
  else this.bus.send(this.ringsideOutputEvent ??= "serial" + this.com + "-output-byte", a2);
}
function uartDataReceived(a2) {
  this.input.push(a2);
  this.lsr |= 1;
  if (this.fifo_control & 1) this.ThrowInterrupt(12);
  else this.ThrowInterrupt(4);
}
function uartReadLsr() {
  return this.lsr;
}
function uartReadIir() {
  let d = this.iir & 15;
  if (this.iir === 2) this.ClearInterrupt(2);
  if (this.fifo_control & 1) d |= 192;
  return d;
}
function uartThrWrite(out) {
  return function(a2) {
    if (this.line_control & 128) {
      this.baud_rate = this.baud_rate & -256 | a2;
      return;
    }
    if ((this.ints & 4) === 0) this.ThrowInterrupt(2);
    if (this.modem_control & 16) this.data_received(a2);
    else out(a2);
  };
}
function applyDevicePatches(cpu, serialOut, missed = []) {
  const applied = [];
  const devices = cpu.devices;
  const ports = cpu.io.ports;
  const swap = (name, owner, key, fn) => {
    if (!owner) return;
    const cur = owner[key];
    if (cur === fn) applied.push(name);
    else if (typeof cur === "function" && unwrapped(cur.toString()) === unwrapped(PATCHED_SOURCES[name])) {
      owner[key] = fn;
      applied.push(name);
    } else missed.push(name);
  };
  const ide = devices.ide?.primary?.master;
  swap("ideReadData", ide ? Object.getPrototypeOf(ide) : void 0, "read_data", ideReadData);
  swap("ideReadBuffer", ide ? Object.getPrototypeOf(ide) : void 0, "read_buffer", ideReadBuffer);
  const uart = devices.uart0;
  const uartProto = uart ? Object.getPrototypeOf(uart) : void 0;
  swap("uartWriteData", uartProto, "write_data", uartWriteData);
  swap("uartDataReceived", uartProto, "data_received", uartDataReceived);
  if (uart && ports) {
    swap("uartReadLsr", ports[COM1 + 5], "read8", uartReadLsr);
    swap("uartReadIir", ports[COM1 + 2], "read8", uartReadIir);
    swap("uartThrWrite", ports[COM1], "write8", uartThrWrite(serialOut));
  }
  return applied;
}

// emulator/machine.ts
var DEFAULT_IPMS = 1e5;
var wasmModule;
var wasmCompiling;
var IDLE_WAIT_MS = 10;
var current;
var warnedPatches = false;
async function v86Wasm() {
  if (wasmModule) return wasmModule;
  const compiling = wasmCompiling;
  wasmCompiling = void 0;
  if (compiling) {
    try {
      wasmModule = await compiling;
    } catch {
    }
  }
  wasmModule ??= new WebAssembly.Module(readFileSync(v86WasmPath()));
  return wasmModule;
}
var Machine = class _Machine {
  deterministic;
  ipms;
  memoryBytes;
  emulator;
  cpu;
  memory;
  memBase = 0;
  /** Guest physical memory (rebuilt if wasm memory grows). */
  mem8 = new Uint8Array(0);
  /** Guest physical memory as 32-bit words (index = paddr >> 2). */
  mem32 = new Int32Array(0);
  /** General registers eax ecx edx ebx esp ebp esi edi. */
  reg32 = new Int32Array(0);
  cr = new Int32Array(0);
  flags = new Int32Array(0);
  state8 = new Uint8Array(0);
  counter = new Uint32Array(0);
  icountHigh = 0;
  icountLastLow = 0;
  idleMs = 0;
  /** Virtual time charged by the kernel's cost model (work the guest's instruction counter does not see). */
  chargedMs = 0;
  /** usAt's last question (icount, idle and charged ms) and answer. */
  usIcount = -1;
  usIdle = 0;
  usCharged = 0;
  usLast = 0;
  /**
   * Set by the kernel when the guest idles with nothing scheduled: only host input can wake it, so
   * idle passes of the main loop sleep (wall clock) instead of spinning. Interactive sessions only.
   */
  waitForInput = false;
  rng;
  pendingJit = [];
  serialListeners = [];
  inputQueue = [];
  maxInstructions;
  stopReason;
  faultHandler;
  lastPanic = "";
  resolveRun;
  destroyed = false;
  /** The device-path repairs applied to this machine's v86 (emulator/v86-patches.ts). */
  devicePatches = [];
  constructor(opts) {
    this.deterministic = opts.deterministic ?? true;
    this.ipms = opts.ipms ?? DEFAULT_IPMS;
    this.memoryBytes = opts.memoryBytes ?? 32 * 1024 * 1024;
    this.rng = new Xoshiro128(opts.seed ?? 1);
    this.maxInstructions = opts.maxInstructions ?? Infinity;
  }
  /** Builds the PC and loads the multiboot image; the CPU does not run until `run()`. */
  static async create(opts) {
    const m = new _Machine(opts);
    await m.boot(opts);
    return m;
  }
  async boot(opts) {
    await v86Wasm();
    const hda = opts.hda ?? new Uint8Array(512);
    const multiboot = opts.multiboot.slice().buffer;
    const emulator = new V86({
      wasm_fn: async (imports) => this.instantiate(imports),
      memory_size: this.memoryBytes,
      vga_memory_size: 256 * 1024,
      multiboot: { buffer: multiboot },
      hda: { buffer: hda.buffer.byteLength === hda.byteLength ? hda.buffer : hda.slice().buffer },
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      acpi: false,
      log_level: 0
    });
    this.emulator = emulator;
    let mainObj;
    Object.defineProperty(emulator, "v86", {
      configurable: true,
      enumerable: true,
      get: () => mainObj,
      set: (v) => {
        mainObj = v;
        current = this;
        if (this.deterministic) v.constructor.microtick = staticMicrotick;
      }
    });
    await new Promise((resolve) => emulator.add_listener("emulator-loaded", () => resolve()));
    const main = mainObj;
    this.cpu = main.cpu;
    this.memBase = this.cpu.mem8.byteOffset;
    this.refreshViews();
    const listeners = this.serialListeners;
    const serialOut = (byte) => {
      for (let i = 0; i < listeners.length; i++) listeners[i](byte);
    };
    const missed = [];
    this.devicePatches = applyDevicePatches(this.cpu, serialOut, missed);
    if (missed.length > 0 && !warnedPatches) {
      warnedPatches = true;
      process.emitWarning(`v86's ${missed.join(", ")} differ from the verified source: those device-path repairs are not applied (disk and console I/O run slower)`, { code: "RINGSIDE_V86_PATCH" });
    }
    if (this.deterministic) makeRtcDeterministic(this.cpu, () => this.nowMs());
    const realMainLoop = this.cpu.main_loop;
    this.cpu.main_loop = () => this.mainLoop(realMainLoop);
    emulator.add_listener("serial0-output-byte", serialOut);
  }
  /** Instantiates v86's wasm with the deterministic hooks wrapped around its imports. */
  async instantiate(imports) {
    const env = imports.env;
    const wasmLog = env.console_log_from_wasm;
    env.console_log_from_wasm = (offset, len) => {
      if (!this.memory) return wasmLog?.(offset, len);
      this.lastPanic = new TextDecoder().decode(new Uint8Array(this.memory.buffer, offset >>> 0, len >>> 0)).trim();
    };
    if (this.deterministic) {
      env.microtick = () => this.nowMs();
      env.get_rand_int = () => this.rng.nextInt32();
      env.codegen_finalize = (index, start, flags, ptr, len) => this.compileJit(index, start, flags, ptr >>> 0, len >>> 0);
    }
    const instance = await WebAssembly.instantiate(wasmModule, imports);
    this.memory = instance.exports.memory;
    this.counter = new Uint32Array(this.memory.buffer, WASM_OFFSET.instructionCounter, 1);
    return instance.exports;
  }
  /** Compiles a JIT module synchronously; it is installed at the next main-loop entry (a deterministic point). */
  compileJit(index, start, flags, ptr, len) {
    const code2 = new Uint8Array(this.memory.buffer, ptr, len).slice();
    const module = new WebAssembly.Module(code2);
    const inst = new WebAssembly.Instance(module, { e: this.cpu.jit_imports });
    this.pendingJit.push({ index, start, flags, fn: inst.exports.f });
  }
  installJit() {
    const table = this.cpu.wm.wasm_table;
    for (const j of this.pendingJit) {
      table.set(j.index + JIT_TABLE_BASE, j.fn);
      this.cpu.codegen_finalize_finished(j.index, j.start, j.flags);
    }
    this.pendingJit.length = 0;
  }
  /** Rebuilds the cached typed views (after construction or if wasm memory grew). */
  refreshViews() {
    const buf = this.memory.buffer;
    this.mem8 = new Uint8Array(buf, this.memBase, this.memoryBytes);
    this.mem32 = new Int32Array(buf, this.memBase, this.memoryBytes >>> 2);
    this.reg32 = new Int32Array(buf, WASM_OFFSET.reg32, 8);
    this.cr = new Int32Array(buf, WASM_OFFSET.cr, 8);
    this.flags = new Int32Array(buf, WASM_OFFSET.flags, 1);
    this.state8 = new Uint8Array(buf, 0, 1024);
    this.counter = new Uint32Array(buf, WASM_OFFSET.instructionCounter, 1);
  }
  /** Guarantees the cached views are live; call at every host entry (cheap). */
  ensureViews() {
    if (this.reg32.length === 0) this.refreshViews();
  }
  // ---- the run loop -------------------------------------------------------------------
  /** Wraps v86's main loop: installs JIT code, injects input, skips idle time, enforces limits. */
  mainLoop(real) {
    current = this;
    this.ensureViews();
    if (this.pendingJit.length) this.installJit();
    if (this.stopReason) return this.finish();
    if (this.trackIcount() >= this.maxInstructions) {
      this.stopReason = { kind: "max-instructions", icount: this.icount() };
      return this.finish();
    }
    this.deliverInput();
    let t;
    try {
      t = real();
    } catch (err) {
      const message = this.lastPanic || (err instanceof Error ? err.message : String(err));
      this.lastPanic = "";
      if (this.faultHandler?.(message)) return 0;
      this.stopReason ??= { kind: "emulator-fault", message };
      return this.finish();
    }
    if (this.stopReason) return this.finish();
    if (this.state8[WASM_OFFSET.inHlt]) {
      const interruptsOn = (this.flags[0] & 512) !== 0;
      if (!interruptsOn) {
        this.stopReason = { kind: "dead" };
        return this.finish();
      }
      if (this.deterministic) {
        const next = this.nextInputMs();
        const timer = t + 1e-3;
        const skip = next !== void 0 ? Math.max(0, Math.min(timer, next - this.nowMs())) : timer;
        if (this.inputQueue.length && this.inputQueue[0].atUs === void 0) return 0;
        this.idleMs += skip;
        return this.waitForInput && !this.inputQueue.length ? IDLE_WAIT_MS : 0;
      }
      return t;
    }
    return this.deterministic ? 0 : t;
  }
  finish() {
    const reason = this.stopReason;
    this.emulator.stop();
    const resolve = this.resolveRun;
    this.resolveRun = void 0;
    if (resolve) setImmediate(() => resolve(reason));
    return 0;
  }
  /** Runs the CPU until the kernel requests a stop, the instruction limit is hit, or the CPU dies. */
  run() {
    if (this.stopReason) return Promise.resolve(this.stopReason);
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      this.emulator.run();
    });
  }
  /** Asks the machine to stop at the next main-loop boundary (the kernel should also halt the CPU). */
  requestStop(detail) {
    this.stopReason ??= { kind: "requested", detail };
  }
  /** Releases the emulator (Node keeps running while one exists). */
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emulator.stop();
    this.emulator.destroy();
    if (current === this) current = void 0;
  }
  // ---- time ---------------------------------------------------------------------------
  /**
   * Guest instructions retired since start (exact at block boundaries; monotonic). Reads only: v86's
   * counter is 32 bits, and the main loop notes where it stands at every slice (trackIcount), far
   * fewer than 2^32 instructions apart, so a counter below the noted one has wrapped once since.
   */
  icount() {
    const low = this.counter[0];
    return (low < this.icountLastLow ? this.icountHigh + 4294967296 : this.icountHigh) + low;
  }
  /** Notes where v86's 32-bit counter stands (called at every slice of the main loop). */
  trackIcount() {
    const low = this.counter[0];
    if (low < this.icountLastLow) this.icountHigh += 4294967296;
    this.icountLastLow = low;
    return this.icountHigh + low;
  }
  /** Virtual time in ms: instructions / ipms plus idle time skipped while halted. */
  nowMs() {
    return this.icount() / this.ipms + this.idleMs + this.chargedMs;
  }
  /** Advances virtual time by `ms` of work done outside the guest (the kernel's cost model). */
  charge(ms) {
    this.chargedMs += ms;
  }
  /** Virtual ms charged so far by `charge`. */
  get charged() {
    return this.chargedMs;
  }
  /** Virtual time in µs, rounded to ns, for traces. */
  nowUs() {
    return this.usAt(this.icount());
  }
  /** Virtual time in µs (rounded to ns) at instruction count `icount` (from icount(), just read). */
  usAt(icount) {
    if (icount === this.usIcount && this.idleMs === this.usIdle && this.chargedMs === this.usCharged) return this.usLast;
    this.usIcount = icount;
    this.usIdle = this.idleMs;
    this.usCharged = this.chargedMs;
    return this.usLast = Math.round((icount / this.ipms + this.idleMs + this.chargedMs) * 1e6) / 1e3;
  }
  // ---- ports, IRQs, devices -------------------------------------------------------------
  /** Calls `fn(value)` synchronously inside every 32-bit `out` to `port` (the guest resumes after it returns). */
  onPortWrite32(port, fn) {
    this.cpu.io.register_write(port, this, void 0, void 0, fn);
  }
  /** Writes a byte to an I/O port of a JS-implemented device (UART, PIT, IDE; not the PIC). */
  portWrite8(port, value) {
    this.cpu.io.port_write8(port, value);
  }
  /** Reads a byte from an I/O port of a JS-implemented device. */
  portRead8(port) {
    return this.cpu.io.port_read8(port);
  }
  /** Writes a 16-bit word to an I/O port of a JS-implemented device (e.g. the IDE data port). */
  portWrite16(port, value) {
    this.cpu.io.port_write16(port, value & 65535);
  }
  /** Reads a 16-bit word from an I/O port of a JS-implemented device. */
  portRead16(port) {
    return this.cpu.io.port_read16(port) & 65535;
  }
  /** Writes a 32-bit doubleword to an I/O port of a JS-implemented device (the IDE data port takes them). */
  portWrite32(port, value) {
    this.cpu.io.port_write32(port, value | 0);
  }
  /** Reads a 32-bit doubleword (unsigned) from an I/O port of a JS-implemented device. */
  portRead32(port) {
    return this.cpu.io.port_read32(port) >>> 0;
  }
  /** Raises IRQ line `irq`; the guest takes it after the current instruction. */
  raiseIrq(irq) {
    this.cpu.device_raise_irq(irq);
  }
  /** Installs the handler for v86 panics (see EmulatorFaultHandler). */
  onEmulatorFault(fn) {
    this.faultHandler = fn;
  }
  /** Linear address of the instruction being executed (the faulting one, after a fault). */
  get previousIp() {
    return new Int32Array(this.memory.buffer, WASM_OFFSET.previousIp, 1)[0] >>> 0;
  }
  /** Makes the CPU start over at linear address `eip` with no pending prefixes (after repairing a fault). */
  restartInstructionAt(eip) {
    const buf = this.memory.buffer;
    new Int32Array(buf, WASM_OFFSET.instructionPointer, 1)[0] = eip | 0;
    new Int32Array(buf, WASM_OFFSET.prefixes, 1)[0] = 0;
  }
  /** Every byte the guest transmits on COM1. */
  onSerialOutput(fn) {
    this.serialListeners.push(fn);
  }
  /** Queues bytes for COM1 input: at a virtual time (µs), or, without one, the next time the guest idles. */
  queueSerialInput(bytes2, atUs) {
    this.inputQueue.push({ bytes: bytes2, atUs, device: "serial0-input" });
    if (atUs !== void 0) this.inputQueue.sort((a2, b) => (a2.atUs ?? Infinity) - (b.atUs ?? Infinity));
  }
  /** Queues PS/2 keyboard scancodes (set 1), delivered like serial input: at `atUs`, or when the guest idles. */
  queueKeyboardInput(scancodes, atUs) {
    this.inputQueue.push({ bytes: scancodes, atUs, device: "keyboard-code" });
    if (atUs !== void 0) this.inputQueue.sort((a2, b) => (a2.atUs ?? Infinity) - (b.atUs ?? Infinity));
  }
  /** True while queued input has not been delivered to the guest yet. */
  hasPendingInput() {
    return this.inputQueue.length > 0;
  }
  nextInputMs() {
    const head = this.inputQueue[0];
    return head?.atUs !== void 0 ? head.atUs / 1e3 : void 0;
  }
  deliverInput() {
    const head = this.inputQueue[0];
    if (!head) return;
    const due = head.atUs !== void 0 ? this.nowUs() >= head.atUs : this.state8[WASM_OFFSET.inHlt] !== 0;
    if (!due) return;
    this.inputQueue.shift();
    const bus = this.emulator.bus;
    for (const b of head.bytes) bus.send(head.device, b);
  }
  // ---- registers and memory ---------------------------------------------------------------
  /** CR2 (the last page-fault address). */
  get cr2() {
    return this.cr[2] >>> 0;
  }
  /** CR3 (the current page directory). */
  get cr3() {
    return this.cr[3] >>> 0;
  }
  /** Current privilege level. */
  get cpl() {
    return this.state8[WASM_OFFSET.cpl];
  }
  /** Reads an unsigned 32-bit little-endian word at a physical address (any alignment). */
  read32(paddr) {
    if ((paddr & 3) === 0) return this.mem32[paddr >>> 2] >>> 0;
    const m = this.mem8;
    return (m[paddr] | m[paddr + 1] << 8 | m[paddr + 2] << 16 | m[paddr + 3] << 24) >>> 0;
  }
  /** Writes a 32-bit word of data (not code) at a physical address. */
  write32(paddr, value) {
    if ((paddr & 3) === 0) {
      this.mem32[paddr >>> 2] = value | 0;
      return;
    }
    const m = this.mem8;
    m[paddr] = value;
    m[paddr + 1] = value >>> 8;
    m[paddr + 2] = value >>> 16;
    m[paddr + 3] = value >>> 24;
  }
  /** Writes bytes that may be executed: stale JIT code for the range is discarded. */
  writeCode(paddr, bytes2) {
    if (bytes2.length === 0) return;
    this.cpu.jit_dirty_cache(paddr, paddr + bytes2.length);
    this.mem8.set(bytes2, paddr);
  }
  /** Discards all cached linear→physical translations (after editing live page tables). */
  flushTlb() {
    this.cpu.full_clear_tlb();
  }
};
var wallClock = performance.now.bind(performance);
function staticMicrotick() {
  if (!current) return 0;
  return current.deterministic ? current.nowMs() : wallClock();
}

// emulator/ports.ts
var PortIo = class {
  constructor(machine) {
    this.machine = machine;
  }
  machine;
  /** Reads a byte from `port`. */
  inb(port) {
    return this.machine.portRead8(port) & 255;
  }
  /** Writes the low byte of `value` to `port`. */
  outb(port, value) {
    this.machine.portWrite8(port, value & 255);
  }
  /** Reads a 16-bit word from `port`. */
  inw(port) {
    return this.machine.portRead16(port);
  }
  /** Writes the low 16 bits of `value` to `port`. */
  outw(port, value) {
    this.machine.portWrite16(port, value);
  }
  /** Reads a 32-bit doubleword (unsigned) from `port`. */
  inl(port) {
    return this.machine.portRead32(port);
  }
  /** Writes `value` as a 32-bit doubleword to `port`. */
  outl(port, value) {
    this.machine.portWrite32(port, value);
  }
};

// kernel/drivers/pit.ts
var PIT_HZ = 1193181666e-3;
var PIT_MAX_MS = 65535 / (PIT_HZ / 1e3);
function pitOneShot(m, ms) {
  const count = Math.max(1, Math.min(65535, Math.ceil(ms * PIT_HZ / 1e3)));
  m.portWrite8(67, 48);
  m.portWrite8(64, count & 255);
  m.portWrite8(64, count >> 8);
}

// kernel/layout.ts
var MEM = {
  stubBase: 1048576,
  // the stub image (multiboot load address)
  switchBlock: 1114112,
  // host → stub: what to run next
  benchAnchor: 1116160,
  // bench machines only: the in-machine anchor's state (ANCHOR), in the switch block's page
  idleStackTop: 1122304,
  // the idle loop's stack (grows down from here)
  idt: 1122304,
  // 256 gates, filled by the stub at boot
  tss: 1126400,
  // the TSS: 104 bytes, then the I/O permission bitmap
  tssIomap: 1126504,
  // = tss + 104: 8192 bytes + a 0xFF terminator (1 bit per port, 1 = denied)
  fpuAreas: 1179648,
  // per-process x87/MMX/SSE save areas (FXSAVE format), one per kernel-stack slot
  fpuAreaSize: 512,
  kstackPool: 2097152,
  // per-process kernel stacks
  kstackSize: 8192,
  // 8 KiB each
  kstackCount: 256,
  kernelEnd: 4194304,
  // end of the kernel region; user space begins here
  userBase: 4194304,
  userTop: 3221225472
  // user space ends here (exclusive)
};
var SEL = {
  kcode: 8,
  kdata: 16,
  ucode: 27,
  udata: 35,
  tss: 40
};
var HYPERCALL_PORT = 1365;
var BENCH_NULL_PORT = 1367;
var HYPERCALL_BOOT = 0;
var FRAME = {
  gs: 0,
  fs: 4,
  es: 8,
  ds: 12,
  edi: 16,
  esi: 20,
  ebp: 24,
  espKernel: 28,
  // the value pushad saved (ignored by popad)
  ebx: 32,
  edx: 36,
  ecx: 40,
  eax: 44,
  vector: 48,
  errorCode: 52,
  eip: 56,
  cs: 60,
  eflags: 64,
  esp: 68,
  // only when cs RPL = 3
  ss: 72,
  // only when cs RPL = 3
  sizeRing3: 76,
  sizeRing0: 68
};
var SWITCH = {
  action: 0,
  // one of ACTION
  esp: 4,
  // kernel stack pointer of the trap frame to restore
  cr3: 8,
  // page directory to load (the stub skips the load if unchanged)
  esp0: 12,
  // TSS.esp0: kernel stack top for the next ring-3 → ring-0 entry
  picMask: 16,
  // desired PIC mask (bit n masks IRQ n); the stub applies changes
  fpu: 20,
  // FPU work before leaving (FPU_OP bits; 0 = none); the stub clears it when done
  fpuSave: 24,
  // FXSAVE the live x87/SSE registers to this save area (with FPU_OP.save)
  fpuLoad: 28,
  // then FXRSTOR them from this one (with FPU_OP.load)
  size: 32
};
var ANCHOR = {
  cur: 0,
  // the side on the CPU: 0 or 1
  esp: 4,
  // [2] each side's saved kernel ESP (its trap frame)
  cr3: 12,
  // [2] each side's page directory
  esp0: 20,
  // [2] each side's kernel stack top
  buf: 32,
  // 16 bytes in flight
  size: 48
};
var FPU_OP = {
  save: 1,
  load: 2,
  setTs: 4,
  // leave with CR0.TS set: the next FPU instruction traps
  clearTs: 8
  // leave with CR0.TS clear: the process on the CPU owns the FPU registers
};
var ACTION = {
  resume: 0,
  // restore the frame at SWITCH.esp and iret
  idle: 1,
  // sti; hlt in ring 0 until an interrupt
  halt: 2,
  // cli; hlt forever (the machine is stopping)
  fast: 3
  // return to the frame just saved: same process, nothing else changed (the syscall fast path)
};
var USER_VECTORS = [3, 4, 128];
var ERROR_CODE_VECTORS = [8, 10, 11, 12, 13, 14, 17];
var IRQ_BASE = 32;
var SYSCALL_VECTOR = 128;
function layoutInclude() {
  const hex3 = (n) => "0x" + n.toString(16).padStart(8, "0");
  const lines = ["; Generated from kernel/layout.ts by layoutInclude(). Do not edit.", ""];
  const group = (prefix, obj) => {
    for (const [k, v] of Object.entries(obj)) lines.push(`${prefix}_${snake(k)} equ ${hex3(v)}`);
    lines.push("");
  };
  group("MEM", MEM);
  group("SEL", SEL);
  group("FRAME", FRAME);
  group("SWITCH", SWITCH);
  group("ACTION", ACTION);
  group("FPU_OP", FPU_OP);
  group("ANCHOR", ANCHOR);
  lines.push(`HYPERCALL_PORT equ ${hex3(HYPERCALL_PORT)}`);
  lines.push(`BENCH_NULL_PORT equ ${hex3(BENCH_NULL_PORT)}`);
  lines.push(`IRQ_BASE equ ${hex3(IRQ_BASE)}`);
  lines.push(`SYSCALL_VECTOR equ ${hex3(SYSCALL_VECTOR)}`);
  lines.push("");
  lines.push("; is_user_vector(v) / has_error_code(v) as preprocessor conditions");
  lines.push(`%define IS_USER_VECTOR(v) (${USER_VECTORS.map((v) => `(v) == ${v}`).join(" || ")})`);
  lines.push(`%define HAS_ERROR_CODE(v) (${ERROR_CODE_VECTORS.map((v) => `(v) == ${v}`).join(" || ")})`);
  return lines.join("\n") + "\n";
}
function snake(name) {
  return name.replace(/[A-Z]+/g, (m) => "_" + m).toUpperCase().replace(/^_/, "");
}

// kernel/fpu.ts
var FCW_INIT = 895;
var MXCSR_INIT = 8064;
var FXSAVE_FCW = 0;
var FXSAVE_MXCSR = 24;
var FpuSwitch = class _FpuSwitch {
  constructor(m) {
    this.m = m;
  }
  m;
  /** The process whose state is in the FPU registers, or null (the registers hold nothing anyone needs). */
  owner = null;
  /** CR0.TS as it will be when the stub has done the pending work (it is set at boot). */
  tsSet = true;
  /** FPU_OP bits for the stub at this kernel exit (0: nothing to do). */
  pending = 0;
  /** Save areas that hold a process's state (slot → true); a fresh process starts from the initial image. */
  used = new Array(MEM.kstackCount).fill(false);
  sw = MEM.switchBlock >>> 2;
  /** The physical (identity-mapped) address of `p`'s save area. */
  static areaOf(p) {
    return MEM.fpuAreas + p.kstackSlot * MEM.fpuAreaSize;
  }
  /** The process whose registers the FPU holds (for tests and the trace). */
  get ownerPid() {
    return this.owner ? this.owner.pid : -1;
  }
  /**
   * #NM from ring 3: `p` used the FPU while another process (or nobody) owned it. Queues the save of
   * the owner's registers and the load of `p`'s (its initial image on first use); `p` becomes the owner.
   * Returns the pid whose state was saved, or -1.
   */
  claim(p) {
    const prev = this.owner;
    if (prev === p) {
      this.queue(FPU_OP.clearTs);
      return -1;
    }
    let op = FPU_OP.load | FPU_OP.clearTs;
    if (prev) {
      op |= FPU_OP.save;
      this.m.mem32[this.sw + (SWITCH.fpuSave >> 2)] = _FpuSwitch.areaOf(prev);
      this.used[prev.kstackSlot] = true;
    }
    const area = _FpuSwitch.areaOf(p);
    if (!this.used[p.kstackSlot]) this.writeInitial(area);
    this.used[p.kstackSlot] = true;
    this.m.mem32[this.sw + (SWITCH.fpuLoad >> 2)] = area;
    this.owner = p;
    this.queue(op);
    return prev ? prev.pid : -1;
  }
  /**
   * At every kernel exit to `next` (null: idle): TS must be clear exactly when `next` owns the FPU.
   * Writes the pending work to the switch block. Costs one compare when nothing changes.
   */
  leaveTo(next) {
    if (next) {
      const ts = this.owner !== next;
      if (ts !== this.tsSet) this.queue(ts ? FPU_OP.setTs : FPU_OP.clearTs);
    }
    if (this.pending !== 0) {
      this.m.mem32[this.sw + (SWITCH.fpu >> 2)] = this.pending;
      this.pending = 0;
    }
  }
  /**
   * fork: the child starts with the parent's FPU state. If the parent's state is live in the
   * registers, the stub saves it straight into the child's area at this exit; otherwise the parent's
   * area is copied (or the child starts fresh, as the parent would have).
   */
  forked(parent, child) {
    const area = _FpuSwitch.areaOf(child);
    if (this.owner === parent) {
      this.m.mem32[this.sw + (SWITCH.fpuSave >> 2)] = area;
      this.used[child.kstackSlot] = true;
      this.queue(FPU_OP.save | (this.tsSet ? FPU_OP.setTs : FPU_OP.clearTs));
    } else if (this.used[parent.kstackSlot]) {
      const from = _FpuSwitch.areaOf(parent);
      this.m.mem8.copyWithin(area, from, from + MEM.fpuAreaSize);
      this.used[child.kstackSlot] = true;
    } else {
      this.used[child.kstackSlot] = false;
    }
  }
  /** execve or exit: `p`'s FPU state is discarded; a new image starts from the initial state. */
  discard(p) {
    this.used[p.kstackSlot] = false;
    if (this.owner === p) this.owner = null;
  }
  /** Queues stub work; a later TS request overrides an earlier one. */
  queue(op) {
    if (op & (FPU_OP.setTs | FPU_OP.clearTs)) {
      this.pending &= ~(FPU_OP.setTs | FPU_OP.clearTs);
      this.tsSet = (op & FPU_OP.setTs) !== 0;
    }
    this.pending |= op;
  }
  /** Writes the initial FXSAVE image (FNINIT + reset MXCSR) to the area at `addr`. */
  writeInitial(addr) {
    this.m.mem8.fill(0, addr, addr + MEM.fpuAreaSize);
    this.m.mem8[addr + FXSAVE_FCW] = FCW_INIT & 255;
    this.m.mem8[addr + FXSAVE_FCW + 1] = FCW_INIT >> 8;
    this.m.mem32[addr + FXSAVE_MXCSR >>> 2] = MXCSR_INIT;
  }
};

// kernel/dispatcher.ts
var Dispatcher = class {
  constructor(m, policy, live, io, irqs, trace, idleEip, hooks, cost) {
    this.m = m;
    this.policy = policy;
    this.live = live;
    this.io = io;
    this.irqs = irqs;
    this.trace = trace;
    this.idleEip = idleEip;
    this.hooks = hooks;
    this.cost = cost;
    this.fpu = new FpuSwitch(m);
  }
  m;
  policy;
  live;
  io;
  irqs;
  trace;
  idleEip;
  hooks;
  cost;
  /** The process on the CPU (null while idle or in the kernel at boot). */
  current = null;
  /** Set when the current process must give up the CPU at this kernel exit; the value is the reason. */
  resched = null;
  /** The partner of a rendezvous made during this kernel entry (see `leave`). */
  handoff = null;
  /** The deadline (virtual ms) the PIT is armed for, or Infinity. */
  armed = Infinity;
  /** How many processes have an alarm set (so the common case skips looking for them). */
  alarmsSet = 0;
  sw = MEM.switchBlock;
  /** Whose x87/SSE registers the FPU holds, and the CR0.TS work for the stub (lazy switching). */
  fpu;
  /** The page directory the stub last loaded (an address-space switch is charged when it changes). */
  loadedPd = 0;
  /** Set when the current process's address space was replaced (execve): the exit must load CR3. */
  reload = false;
  /** True if the current process will keep the CPU at this kernel exit (the syscall fast path may be taken). */
  staysOn(p) {
    return this.current === p && this.resched === null && !this.irqs.dirty && !this.reload && this.fpu.pending === 0;
  }
  /** The current process's address space changed (execve): this exit takes the slow path (CR3 reload). */
  reloadAddressSpace() {
    this.reload = true;
  }
  /** Asks for a scheduling decision at this kernel exit ("start", "yield", "preempt", …). */
  requestReschedule(reason) {
    this.resched ??= reason;
  }
  /** The caller gives up the rest of its slice. */
  yieldCpu() {
    this.resched = "yield";
  }
  /** Blocks `p` (the caller) until `complete` is called for it. */
  block(p, wait) {
    p.state = "blocked";
    p.wait = wait;
  }
  /** Finishes a blocked call: `value` goes to the process's EAX and it becomes runnable. */
  complete(p, value) {
    this.m.mem32[p.frame + FRAME.eax >>> 2] = value;
    p.wait = null;
    if (p.state === "blocked") {
      p.state = "ready";
      const cur = this.current;
      if (cur && cur !== p && this.policy.preemptsOnWake(p, cur)) this.resched ??= "wake";
    }
  }
  /** Marks `p` (just made ready by a rendezvous with the current process) as the one to switch to. */
  handOffTo(p) {
    this.handoff = p;
  }
  /** Sets (ms > 0) or cancels (0) `p`'s alarm. */
  setAlarm(p, ms) {
    if (p.alarmAt !== Infinity) this.alarmsSet--;
    p.alarmAt = ms === 0 ? Infinity : this.m.nowMs() + ms;
    if (p.alarmAt !== Infinity) this.alarmsSet++;
  }
  /** The earliest virtual time something is scheduled to happen (a sleeper, an alarm), or Infinity. */
  nextWake() {
    let t = this.hooks.deadline?.() ?? Infinity;
    for (const p of this.live) {
      if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until < t) t = p.wait.until;
      if (this.alarmsSet > 0 && p.alarmAt < t) t = p.alarmAt;
    }
    return t;
  }
  /** IRQ0: wake sleepers, deliver alarms, end the slice if it is used up and the policy says so. */
  timerInterrupt() {
    const now = this.m.nowMs();
    this.armed = Infinity;
    for (const p of this.live) {
      if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until <= now) this.complete(p, 0);
    }
    if (this.alarmsSet > 0) {
      for (const p of this.live) {
        if (p.alarmAt <= now) {
          this.setAlarm(p, 0);
          this.hooks.alarm(p);
        }
      }
    }
    const cur = this.current;
    if (cur && cur.state === "running" && now - cur.sliceStart >= this.policy.sliceMs(cur)) {
      if (this.policy.preemptAtSliceEnd(cur)) this.resched ??= "preempt";
      else cur.sliceStart = now;
    }
  }
  /** Picks what runs next, switches to it, arms the timer and records the kernel exit. */
  leave() {
    const m = this.m;
    this.hooks.beforeLeave?.();
    if (this.hooks.halted()) return this.writeHalt();
    const prev = this.current;
    const reason = this.resched;
    this.resched = null;
    this.reload = false;
    const h = this.handoff;
    this.handoff = null;
    const handoff = h !== null && reason === null && prev !== null && prev.state === "blocked" && h.state === "ready" && this.policy.mayHandOff(h);
    const next = prev && prev.state === "running" && reason === null ? prev : handoff ? h : this.policy.pick(prev);
    if (this.irqs.dirty) {
      m.write32(this.sw + SWITCH.picMask, this.irqs.mask);
      this.irqs.dirty = false;
    }
    if (next !== prev && this.trace) {
      this.trace.switchTo(next ? next.pid : -1, prev ? prev.pid : -1, next ? next.pid : -1, switchReason(prev, reason));
    }
    if (!next) {
      if (this.live.length === 0) return this.hooks.allEnded();
      if (this.nextWake() === Infinity && !this.hooks.mayWake()) return;
      if (prev && prev.state === "running") prev.state = "ready";
      this.current = null;
      this.fpu.leaveTo(null);
      m.write32(this.sw + SWITCH.action, ACTION.idle);
      const wake = this.nextWake(), now = m.nowMs();
      if (m.deterministic && wake !== Infinity && wake - now > PIT_MAX_MS && !m.hasPendingInput()) m.charge(wake - now - 1);
      this.armTimer();
      if (this.trace) this.trace.ret(-1, 0, this.idleEip, void 0);
      return;
    }
    if (prev && prev !== next && prev.state === "running") prev.state = "ready";
    if (handoff) next.sliceStart = prev.sliceStart;
    else if (prev !== next || reason !== null) next.sliceStart = m.nowMs();
    next.state = "running";
    this.current = next;
    this.io.load(next);
    this.fpu.leaveTo(next);
    const returning = next.syscallOpen;
    next.syscallOpen = false;
    const sw = m.mem32, s = this.sw >>> 2;
    sw[s + (SWITCH.action >> 2)] = ACTION.resume;
    sw[s + (SWITCH.esp >> 2)] = next.frame;
    sw[s + (SWITCH.cr3 >> 2)] = next.as.pd;
    if (next.as.pd !== this.loadedPd) {
      if (this.loadedPd !== 0) this.cost?.addressSpaceSwitch();
      this.loadedPd = next.as.pd;
    }
    sw[s + (SWITCH.esp0 >> 2)] = next.kstackTop;
    if (!handoff) this.armTimer();
    if (this.trace) {
      const eip = m.read32(next.frame + FRAME.eip);
      this.trace.ret(next.pid, 3, eip, returning ? m.read32(next.frame + FRAME.eax) | 0 : void 0);
    }
  }
  /** Tells the stub to halt the machine. */
  writeHalt() {
    this.m.write32(this.sw + SWITCH.action, ACTION.halt);
  }
  /** Arms the one-shot PIT for the earliest of: the current slice's end, the next sleeper's wake-up or alarm. */
  armTimer() {
    const now = this.m.nowMs();
    let deadline = this.nextWake();
    if (this.current) deadline = Math.min(deadline, this.current.sliceStart + this.policy.sliceMs(this.current));
    if (deadline === Infinity || deadline >= this.armed) return;
    this.armed = deadline;
    pitOneShot(this.m, Math.min(PIT_MAX_MS, Math.max(1e-3, deadline - now)));
  }
};
function switchReason(prev, reason) {
  if (!prev) return reason ?? "wake";
  if (prev.state === "zombie") return "exit";
  if (prev.state === "blocked") return "block";
  return reason ?? "preempt";
}

// kernel/elf.ts
var ElfError = class extends Error {
};
var PT_LOAD = 1;
function isElf(bytes2) {
  return bytes2.length >= 4 && bytes2[0] === 127 && bytes2[1] === 69 && bytes2[2] === 76 && bytes2[3] === 70;
}
function parseElf(bytes2) {
  const size = bytes2.length;
  if (size < 52) throw new ElfError(`file is ${size} bytes, too short for an ELF header (52)`);
  if (!isElf(bytes2)) throw new ElfError("not an ELF file (bad magic)");
  const dv = new DataView(bytes2.buffer, bytes2.byteOffset, bytes2.byteLength);
  if (bytes2[4] !== 1) throw new ElfError(`EI_CLASS is ${bytes2[4]}, expected 1 (32-bit)`);
  if (bytes2[5] !== 1) throw new ElfError(`EI_DATA is ${bytes2[5]}, expected 1 (little-endian)`);
  if (bytes2[6] !== 1) throw new ElfError(`EI_VERSION is ${bytes2[6]}, expected 1`);
  const type = dv.getUint16(16, true);
  if (type !== 2) throw new ElfError(`e_type is ${type}, expected 2 (ET_EXEC: a static executable)`);
  const machine = dv.getUint16(18, true);
  if (machine !== 3) throw new ElfError(`e_machine is ${machine}, expected 3 (EM_386)`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const shoff = dv.getUint32(32, true);
  const ehsize = dv.getUint16(40, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  if (ehsize !== 52) throw new ElfError(`e_ehsize is ${ehsize}, expected 52`);
  if (phnum === 0) throw new ElfError("no program headers (e_phnum = 0)");
  if (phentsize !== 32) throw new ElfError(`e_phentsize is ${phentsize}, expected 32`);
  if (phnum > 64) throw new ElfError(`e_phnum is ${phnum}, more than the 64 supported`);
  if (phoff + phnum * 32 > size) throw new ElfError(`program headers (offset ${phoff}, ${phnum} entries) run past the end of the file (${size} bytes)`);
  const segments = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 32;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const seg = {
      offset: dv.getUint32(o + 4, true),
      vaddr: dv.getUint32(o + 8, true),
      filesz: dv.getUint32(o + 16, true),
      memsz: dv.getUint32(o + 20, true),
      flags: dv.getUint32(o + 24, true)
    };
    const where = `segment ${i} (vaddr 0x${hex(seg.vaddr)})`;
    if (seg.filesz > seg.memsz) throw new ElfError(`${where}: p_filesz ${seg.filesz} > p_memsz ${seg.memsz}`);
    if (seg.offset + seg.filesz > size) throw new ElfError(`${where}: file bytes [${seg.offset}, ${seg.offset + seg.filesz}) run past the end of the file (${size} bytes)`);
    if (seg.vaddr < MEM.userBase || seg.vaddr + seg.memsz > MEM.userTop || seg.vaddr + seg.memsz < seg.vaddr)
      throw new ElfError(`${where}: [0x${hex(seg.vaddr)}, 0x${hex(seg.vaddr + seg.memsz)}) is outside user space [0x${hex(MEM.userBase)}, 0x${hex(MEM.userTop)})`);
    if (seg.memsz > 64 * 1024 * 1024) throw new ElfError(`${where}: p_memsz ${seg.memsz} is larger than the 64 MiB limit`);
    for (const other of segments) {
      const lo = Math.max(pageDown(seg.vaddr), pageDown(other.vaddr));
      const hi = Math.min(pageUp(seg.vaddr + seg.memsz), pageUp(other.vaddr + other.memsz));
      if (lo < hi) throw new ElfError(`${where}: overlaps the page range of segment at 0x${hex(other.vaddr)}`);
    }
    segments.push(seg);
  }
  if (segments.length === 0) throw new ElfError("no PT_LOAD segments");
  const text = segments.find((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz);
  if (!text) throw new ElfError(`entry point 0x${hex(entry)} is not inside any loadable segment`);
  if (!(text.flags & 1)) throw new ElfError(`entry point 0x${hex(entry)} is in a segment that is not executable`);
  let symbols = [];
  if (shoff !== 0 && shnum !== 0 && shentsize === 40 && shoff + shnum * 40 <= size) symbols = readSymbols(bytes2, dv, shoff, shnum);
  return { entry, segments, symbols };
}
function readSymbols(bytes2, dv, shoff, shnum) {
  const out = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 40;
    if (dv.getUint32(o + 4, true) !== 2) continue;
    const off = dv.getUint32(o + 16, true);
    const sz = dv.getUint32(o + 20, true);
    const link = dv.getUint32(o + 24, true);
    if (link >= shnum || off + sz > bytes2.length) return [];
    const so = shoff + link * 40;
    const stroff = dv.getUint32(so + 16, true);
    const strsz = dv.getUint32(so + 20, true);
    if (stroff + strsz > bytes2.length) return [];
    for (let s = off + 16; s + 16 <= off + sz; s += 16) {
      const nameOff = dv.getUint32(s, true);
      const value = dv.getUint32(s + 4, true);
      const info = bytes2[s + 12];
      const shndx = dv.getUint16(s + 14, true);
      const type = info & 15;
      if (shndx === 0 || shndx >= 65280 || type > 2 || nameOff >= strsz) continue;
      let end = stroff + nameOff;
      while (end < stroff + strsz && bytes2[end] !== 0) end++;
      const name = new TextDecoder().decode(bytes2.subarray(stroff + nameOff, end));
      if (name) out.push({ name, addr: value });
    }
  }
  out.sort((a2, b) => a2.addr - b.addr || (a2.name < b.name ? -1 : 1));
  return out;
}
function hex(n) {
  return (n >>> 0).toString(16).padStart(8, "0");
}
function pageDown(n) {
  return Math.floor(n / 4096) * 4096;
}
function pageUp(n) {
  return Math.ceil(n / 4096) * 4096;
}

// kernel/frames.ts
var PAGE = 4096;
var FrameAllocator = class {
  /** Owns frames [MEM.kernelEnd, machine.memoryBytes). */
  constructor(machine) {
    this.machine = machine;
    const first = MEM.kernelEnd / PAGE;
    const last = Math.floor(machine.memoryBytes / PAGE);
    this.total = last - first;
    this.first = first;
    this.free = new Uint32Array(this.total);
    this.refs = new Uint16Array(this.total);
    for (let f = last - 1; f >= first; f--) this.free[this.top++] = f * PAGE;
  }
  machine;
  free;
  top = 0;
  total;
  /** References to each frame (index: frame number − first frame); 0 = free. */
  refs;
  first;
  /** Number of frames currently free. */
  get freeCount() {
    return this.top;
  }
  /** Returns a zeroed frame's physical address, or -1 when memory is exhausted. */
  alloc() {
    if (this.top === 0) return -1;
    const pa = this.free[--this.top];
    this.machine.mem8.fill(0, pa, pa + PAGE);
    this.refs[pa / PAGE - this.first] = 1;
    return pa;
  }
  /** Drops one reference to a frame obtained from alloc() (or shared); the last one frees it. */
  release(pa) {
    const i = pa / PAGE - this.first;
    if (i >= 0 && i < this.total && this.refs[i] > 1) {
      this.refs[i]--;
      return;
    }
    if (i >= 0 && i < this.total) this.refs[i] = 0;
    this.free[this.top++] = pa;
  }
  /** Adds a reference to an allocated frame (a second address space maps it: fork). */
  share(pa) {
    this.refs[pa / PAGE - this.first]++;
  }
  /** How many references an allocated frame has (1: one owner). */
  refCount(pa) {
    const i = pa / PAGE - this.first;
    return i >= 0 && i < this.total ? this.refs[i] : 0;
  }
};

// kernel/user-memory.ts
var STACK_MAX = 1024 * 1024;
var NO_PA = -1;
var BAD_BUFFER = -2;
function growable(p, page) {
  const inHeap = page + PAGE > p.brkStart && page < p.brk;
  const inStack = page >= MEM.userTop - STACK_MAX && page < MEM.userTop;
  return inHeap || inStack;
}
function pageFaultOutcome(p, errorCode, cr2) {
  if (errorCode & 1) return "killed";
  const page = Math.floor(cr2 / PAGE) * PAGE;
  if (!growable(p, page) || p.as.isMapped(page)) return "killed";
  return p.as.mapNew(page, true) >= 0 ? "mapped" : "out-of-memory";
}
function touchUser(p, va, len, write) {
  if (len <= 0) return true;
  const end = va + len;
  if (end > MEM.userTop || va < MEM.userBase) return false;
  for (let page = Math.floor(va / PAGE) * PAGE; page < end; page += PAGE) {
    if (p.as.translate(page, write) >= 0) continue;
    if (p.as.isMapped(page)) return false;
    if (!growable(p, page) || p.as.mapNew(page, true) < 0) return false;
  }
  return true;
}
function userBuffer(p, va, len, write) {
  if (len <= 0) return NO_PA;
  const onePage = (va & PAGE - 1) + len <= PAGE;
  if (onePage) {
    const pa = p.as.translate(va, write);
    if (pa >= 0) return pa;
  }
  if (!touchUser(p, va, len, write)) return BAD_BUFFER;
  return onePage ? p.as.translate(va, write) : NO_PA;
}

// kernel/faults.ts
var FAULT_CODE_VA = MEM.userTop - STACK_MAX - 16 * PAGE;
var FAULT_CODE = Uint8Array.of(
  15,
  11,
  // +0  ud2
  235,
  254,
  // +2  jmp $
  102,
  186,
  112,
  0,
  236,
  15,
  11,
  // +4 mov dx, 0x70; in al, dx; ud2
  144,
  144,
  144,
  144,
  144,
  // pad to +16
  96,
  // +16 pushad
  184,
  16,
  2,
  0,
  0,
  // mov eax, 0x210 (ipc_send)
  187,
  1,
  0,
  0,
  0,
  // mov ebx, 1 (init: no server may send to it)
  49,
  201,
  49,
  210,
  49,
  246,
  49,
  255,
  // xor ecx, edx, esi, edi
  205,
  128,
  // int 0x80
  97,
  // popad
  195
  // ret (to where the server was)
);
var FaultInjector = class {
  constructor(specs, seed, host) {
    this.host = host;
    this.pending = [...specs];
    this.rng = new Xoshiro128(seed ^ 1592654359);
  }
  host;
  pending;
  due = [];
  requests = /* @__PURE__ */ new Map();
  rng;
  /** True when no fault is left to strike (the common case costs one check). */
  get idle() {
    return this.pending.length === 0 && this.due.length === 0;
  }
  /** Service `name` receives a request: count it; a fault due at this request is queued. */
  request(name) {
    if (this.pending.length === 0) return;
    const n = (this.requests.get(name) ?? 0) + 1;
    this.requests.set(name, n);
    this.take((f) => f.target === name && "request" in f.when && f.when.request === n);
  }
  /**
   * Applies every due fault (called at each kernel exit and before an in-kernel service serves a
   * request). Returns true if service `serving` (when given) was struck dead by one: its request
   * must not be served.
   */
  strike(serving) {
    if (this.pending.length > 0) {
      const now = this.host.machine.nowUs();
      this.take((f) => "us" in f.when && now >= f.when.us);
    }
    let dead = false;
    while (this.due.length > 0) {
      const f = this.due.shift();
      if (this.apply(f) && f.target === serving) dead = true;
    }
    return dead;
  }
  take(match) {
    for (let i = 0; i < this.pending.length; ) {
      if (match(this.pending[i])) this.due.push(...this.pending.splice(i, 1));
      else i++;
    }
  }
  /** Applies one fault; true if the target can no longer serve (dead, panicked or hung). */
  apply(f) {
    const h = this.host;
    const m = h.machine;
    const record = (pid, detail) => h.trace?.action(pid, "fault", { target: f.target, fault: f.fault, when: f.when, ...detail });
    if (h.inKernel(f.target)) return this.applyInKernel(f, record);
    const p = h.serverProcess(f.target);
    if (!p) {
      record(-1, { outcome: "no such server running" });
      return false;
    }
    const tag = `[pid ${p.pid} ${p.name}]`;
    switch (f.fault) {
      case "crash":
        record(p.pid, { outcome: "killed" });
        h.kill(p, `${tag} killed by an injected fault (crash)`);
        return true;
      case "exception":
      case "hang":
      case "bad-io": {
        const off = f.fault === "exception" ? 0 : f.fault === "hang" ? 2 : 4;
        const ok = h.mapFaultCode(p, FAULT_CODE) && h.redirect(p, FAULT_CODE_VA + off);
        record(p.pid, { outcome: ok ? f.fault === "hang" ? "spins in ring 3" : "faults in ring 3 when it next runs" : "could not redirect" });
        return f.fault !== "bad-io" || ok;
      }
      case "bad-ipc": {
        const ok = h.mapFaultCode(p, FAULT_CODE) && h.redirect(p, FAULT_CODE_VA + 16, true);
        record(p.pid, { outcome: ok ? "sends to init without the right, then carries on" : "could not redirect" });
        return false;
      }
      case "wild-write": {
        const at = this.wildAddress(p);
        const word = this.rng.nextInt32();
        const ok = at !== void 0 && p.as.copyOut(at, Uint8Array.of(word, word >>> 8, word >>> 16, word >>> 24));
        record(p.pid, { outcome: ok ? "stored" : "no writable page", addr: at ?? null, value: word >>> 0 });
        return false;
      }
    }
  }
  /** A monolithic kernel's consequences: the fault is in ring 0. */
  applyInKernel(f, record) {
    const h = this.host;
    switch (f.fault) {
      case "crash":
      case "exception":
        record(-1, { outcome: "kernel panic" });
        h.stop("panic", `in-kernel service ${f.target}: injected ${f.fault} in ring 0 \u2014 a monolithic kernel cannot lose one driver, the whole machine stops`);
        return true;
      case "hang":
        record(-1, { outcome: "machine hangs" });
        h.stop("hang", `in-kernel service ${f.target}: injected hang in ring 0 \u2014 the kernel never returns, so nothing else can ever run`);
        return true;
      case "wild-write": {
        const span = MEM.kernelEnd - MEM.idt;
        const at = MEM.idt + ((this.rng.nextInt32() >>> 0) % span & ~3);
        const word = this.rng.nextInt32();
        h.machine.write32(at, word);
        record(-1, { outcome: "stored into kernel memory", addr: at, value: word >>> 0 });
        return false;
      }
      case "bad-io":
        h.machine.portWrite8(112, 143);
        record(-1, { outcome: "not stopped: ring 0 may touch any port" });
        return false;
      case "bad-ipc":
        record(-1, { outcome: "not stopped: in the kernel every call is allowed" });
        return false;
    }
  }
  /** A random writable address in `p`'s image or heap, or undefined. */
  wildAddress(p) {
    const lo = MEM.userBase, hi = Math.max(p.brk, lo + PAGE);
    for (let i = 0; i < 64; i++) {
      const va = lo + (this.rng.nextInt32() >>> 0) % (hi - lo) & ~3;
      if (p.as.translate(va, true) >= 0) return va;
    }
    return void 0;
  }
};

// kernel/cost-model.ts
var DEFAULT_COST_MODEL = Object.freeze({
  entryExitNs: 100,
  addressSpaceSwitchNs: 200,
  pageWalkNs: 30,
  copyNsPerByte: 0.1,
  messageNs: 60
});
var KEYS = Object.keys(DEFAULT_COST_MODEL);
var CostMeter = class {
  constructor(model, charge) {
    this.model = model;
    this.charge = charge;
  }
  model;
  charge;
  get on() {
    return this.model !== void 0;
  }
  entry() {
    if (this.model) this.charge(this.model.entryExitNs / 1e6);
  }
  addressSpaceSwitch() {
    if (this.model) this.charge(this.model.addressSpaceSwitchNs / 1e6);
  }
  /** A copy of `bytes` bytes across `pages` pages (each page one walk). */
  copy(bytes2, pages) {
    const m = this.model;
    if (m && bytes2 > 0) this.charge((bytes2 * m.copyNsPerByte + pages * m.pageWalkNs) / 1e6);
  }
  message() {
    if (this.model) this.charge(this.model.messageNs / 1e6);
  }
};
function pagesSpanned(va, len) {
  return len <= 0 ? 0 : (va + len - 1 >>> 12) - (va >>> 12) + 1;
}

// kernel/abi/errno.ts
var E = {
  PERM: 1,
  NOENT: 2,
  SRCH: 3,
  INTR: 4,
  IO: 5,
  NXIO: 6,
  E2BIG: 7,
  NOEXEC: 8,
  BADF: 9,
  CHILD: 10,
  AGAIN: 11,
  NOMEM: 12,
  ACCES: 13,
  FAULT: 14,
  BUSY: 16,
  EXIST: 17,
  NOTDIR: 20,
  ISDIR: 21,
  INVAL: 22,
  NFILE: 23,
  MFILE: 24,
  NOTTY: 25,
  NOSPC: 28,
  SPIPE: 29,
  PIPE: 32,
  RANGE: 34,
  DEADLK: 35,
  NAMETOOLONG: 36,
  NOSYS: 38,
  NOTEMPTY: 39,
  CONNREFUSED: 111
};

// kernel/names.ts
var VECTOR_NAMES = [
  "#DE",
  "#DB",
  "NMI",
  "#BP",
  "#OF",
  "#BR",
  "#UD",
  "#NM",
  "#DF",
  "#CSO",
  "#TS",
  "#NP",
  "#SS",
  "#GP",
  "#PF",
  "#15",
  "#MF",
  "#AC",
  "#MC",
  "#XM",
  "#VE",
  "#CP",
  "#22",
  "#23",
  "#24",
  "#25",
  "#26",
  "#27",
  "#HV",
  "#VC",
  "#SX",
  "#31"
];
var IRQ_NAMES = [
  "timer",
  "keyboard",
  "cascade",
  "com2",
  "com1",
  "lpt2",
  "floppy",
  "lpt1",
  "rtc",
  "irq9",
  "irq10",
  "irq11",
  "mouse",
  "fpu",
  "ata",
  "ata2"
];
var SIGNAL_FOR_VECTOR = {
  0: 8,
  // #DE → SIGFPE
  1: 5,
  // #DB → SIGTRAP
  3: 5,
  // #BP → SIGTRAP
  4: 11,
  // #OF → SIGSEGV
  5: 11,
  // #BR → SIGSEGV
  6: 4,
  // #UD → SIGILL
  7: 8,
  // #NM → SIGFPE
  11: 7,
  // #NP → SIGBUS
  12: 7,
  // #SS → SIGBUS
  13: 11,
  // #GP → SIGSEGV
  14: 11,
  // #PF → SIGSEGV
  16: 8,
  // #MF → SIGFPE
  17: 7
  // #AC → SIGBUS
};

// kernel/exec.ts
var USER_EFLAGS = 514;
function loadImage(image) {
  if (isElf(image)) {
    const elf = parseElf(image);
    return {
      entry: elf.entry,
      symbols: elf.symbols,
      segments: elf.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: s.flags, data: image.subarray(s.offset, s.offset + s.filesz) }))
    };
  }
  if (image.length === 0) throw new Error("empty program image");
  return { entry: MEM.userBase, symbols: [], segments: [{ vaddr: MEM.userBase, memsz: image.length, flags: 7, data: image }] };
}
function populate(as, image, argv, envp = []) {
  let end = MEM.userBase;
  for (const seg of image.segments) {
    const first = Math.floor(seg.vaddr / PAGE) * PAGE;
    for (let va = first; va < seg.vaddr + seg.memsz; va += PAGE) if (!as.isMapped(va) && as.mapNew(va, (seg.flags & 2) !== 0) < 0) return -E.NOMEM;
    as.poke(seg.vaddr, seg.data);
    end = Math.max(end, seg.vaddr + seg.memsz);
  }
  const sp = buildInitialStack(as, argv, envp);
  return sp < 0 ? sp : { end, sp };
}
var ARG_BYTES_MAX = 4 * PAGE;
var ARG_COUNT_MAX = 256;
function buildInitialStack(as, argv, envp) {
  const enc2 = new TextEncoder();
  const strings = [...argv, ...envp].map((a2) => enc2.encode(a2 + "\0"));
  const strBytes = strings.reduce((n, s) => n + s.length, 0);
  if (strBytes > ARG_BYTES_MAX || strings.length > ARG_COUNT_MAX) return -E.INVAL;
  let top = MEM.userTop - 16;
  const ptrs = [];
  for (const s of strings) {
    top -= s.length;
    ptrs.push(top);
  }
  top = (top & ~15) >>> 0;
  const words = [argv.length, ...ptrs.slice(0, argv.length), 0, ...ptrs.slice(argv.length), 0, 0, 0];
  const sp = top - words.length * 4;
  for (let va = Math.floor(sp / PAGE) * PAGE; va < MEM.userTop; va += PAGE) if (as.mapNew(va, true) < 0) return -E.NOMEM;
  const block = new Uint8Array(MEM.userTop - sp);
  const dv = new DataView(block.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  strings.forEach((s, i) => block.set(s, ptrs[i] - sp));
  if (!as.copyOut(sp, block)) return -E.NOMEM;
  return sp;
}
function writeInitialFrame(m, kstackTop, entry, sp) {
  const f = kstackTop - FRAME.sizeRing3;
  for (let o = 0; o < FRAME.sizeRing3; o += 4) m.write32(f + o, 0);
  for (const o of [FRAME.ds, FRAME.es, FRAME.fs, FRAME.gs, FRAME.ss]) m.write32(f + o, SEL.udata);
  m.write32(f + FRAME.eip, entry);
  m.write32(f + FRAME.cs, SEL.ucode);
  m.write32(f + FRAME.eflags, USER_EFLAGS);
  m.write32(f + FRAME.esp, sp);
  return f;
}
function flagString(flags) {
  return (flags & 4 ? "r" : "-") + (flags & 2 ? "w" : "-") + (flags & 1 ? "x" : "-");
}

// kernel/files.ts
var MAX_FDS = 16;
function retain(f) {
  f.refs = (f.refs ?? 1) + 1;
  return f;
}
function release(f) {
  const n = (f.refs ?? 1) - 1;
  f.refs = n;
  return n <= 0;
}
var FileTable = class _FileTable {
  fds = new Array(MAX_FDS).fill(null);
  /** Close-on-exec flags (bit n = descriptor n). */
  cloexec = 0;
  /** A table with 0, 1 and 2 open on the console. */
  static standard() {
    const t = new _FileTable();
    for (let fd = 0; fd < 3; fd++) t.fds[fd] = { server: "console", ino: 0, offset: 0, flags: fd === 0 ? 0 : 1, type: 0, size: 0 };
    return t;
  }
  /** The open file for `fd`, or undefined for a bad or closed descriptor. */
  get(fd) {
    return fd >= 0 && fd < MAX_FDS ? this.fds[fd] ?? void 0 : void 0;
  }
  /** True if a descriptor is free. */
  hasFree() {
    return this.fds.includes(null);
  }
  /** Installs `f` at the lowest free descriptor; returns it, or -EMFILE. */
  add(f) {
    const fd = this.fds.indexOf(null);
    if (fd < 0) return -E.MFILE;
    this.fds[fd] = f;
    return fd;
  }
  /** Closes `fd`; returns what was open there (the caller releases it). */
  remove(fd) {
    const f = this.get(fd);
    if (f) {
      this.fds[fd] = null;
      this.cloexec &= ~(1 << fd);
    }
    return f;
  }
  /** Installs `f` (already retained by the caller) at descriptor `fd`, which must be free. */
  put(fd, f) {
    this.fds[fd] = f;
    this.cloexec &= ~(1 << fd);
  }
  /** A copy for a forked child: the same descriptions (each retained once more), the same flags. */
  fork() {
    const t = new _FileTable();
    for (let fd = 0; fd < MAX_FDS; fd++) {
      const f = this.fds[fd];
      if (f) t.fds[fd] = retain(f);
    }
    t.cloexec = this.cloexec;
    return t;
  }
};

// kernel/io-permissions.ts
var IoPermissions = class {
  constructor(machine) {
    this.machine = machine;
  }
  machine;
  /** The process whose ports are open in the bitmap now. */
  loaded = null;
  /** Makes the bitmap grant exactly `p`'s declared ports (nothing for ordinary programs). */
  load(p) {
    if (p === this.loaded) return;
    if (this.loaded?.priv?.ports.length) this.set(this.loaded, true);
    this.loaded = null;
    if (p.priv?.ports.length) {
      this.set(p, false);
      this.loaded = p;
    }
  }
  /** Closes `p`'s ports if they are open (it ended). */
  forget(p) {
    if (this.loaded !== p) return;
    this.set(p, true);
    this.loaded = null;
  }
  set(p, denied) {
    const mem = this.machine.mem8;
    for (const [lo, hi] of p.priv.ports) {
      for (let port = lo; port <= hi; port++) {
        const a2 = MEM.tssIomap + (port >> 3);
        mem[a2] = denied ? mem[a2] | 1 << (port & 7) : mem[a2] & ~(1 << (port & 7));
      }
    }
  }
};

// kernel/protocol.ts
var IPC_MAX = 4096;
var ENDPOINT = { ANY: -1, HARDWARE: 0 };
var NOTIFY = { TIMER: 1 << 16, SERVER: 1 << 17, USER_MASK: 4294705152 };
var MSG = {
  NOTIFY: 65535,
  // a notification (source HARDWARE); w1 = the pending bits
  CON_WRITE: 1,
  // = DEV_WRITE: the console is a device
  CON_READ: 2,
  // = DEV_READ
  DEV_WRITE: 1,
  // a device's write: payload = the bytes; reply w0 = bytes taken or -errno
  DEV_READ: 2,
  // a device's read: w1 = the most bytes wanted; reply payload = the bytes, w0 = their count or -errno
  CON_INPUT: 3,
  CON_TCGETS: 4,
  // reply w0 = the line discipline's mode (c_lflag: ISIG 0x1, ICANON 0x2, ECHO 0x8)
  CON_TCSETS: 5,
  // w1 = the new mode, w2 = 1: discard typed input not yet read (TCSETSF); reply w0 = 0
  FS_OPEN: 16,
  FS_READ: 17,
  FS_WRITE: 18,
  FS_CLOSE: 19,
  FS_UNLINK: 20,
  FS_MKDIR: 21,
  FS_READDIR: 22,
  DISK_READ: 32,
  DISK_WRITE: 33,
  DISK_SIZE: 34,
  PIPE_CREATE: 48,
  // the pipe service (kernel/pipe.ts): reply w0 = pipe id
  PIPE_READ: 49,
  // w1 = id; reply capacity = count; reply w0 = bytes (0 = EOF), payload = them
  PIPE_WRITE: 50,
  // w1 = id, payload = bytes; reply w0 = bytes taken, 0 = "room now: write again", -EPIPE
  PIPE_CLOSE: 51
  // w1 = id, w2 = 0 read end / 1 write end; reply w0 = 0
};
var FS_FLAG = { PRIVILEGED: 1 };
var FS_APPEND = 4294967295;
var O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  ACCMODE: 3,
  CREAT: 64,
  EXCL: 128,
  TRUNC: 512,
  APPEND: 1024,
  DIRECTORY: 65536
};
var FTYPE = { FILE: 1, DIR: 2 };
var DT = { DIR: 4, REG: 8 };
var SEEK = { SET: 0, CUR: 1, END: 2 };
var PROCINFO = { pid: 0, ppid: 4, state: 8, nice: 12, name: 16, nameLen: 16, restarts: 32, size: 36 };
var SERVERINFO = {
  name: 0,
  nameLen: 16,
  pid: 16,
  restarts: 20,
  restartMax: 24,
  windowMs: 28,
  backoffMs: 32,
  heartbeatMs: 36,
  flags: 40,
  size: 48
};
var SERVERINFO_FLAGS = { SUPERVISOR: 1, DEVICE: 2, IN_KERNEL: 4 };
var PSTATE = { ready: 0, running: 1, blocked: 2, zombie: 3 };
var SECTOR = 512;

// kernel/syscall-contract.ts
var NO_RETURN = -4294967297;
var BLOCKED = -4294967298;

// kernel/ipc.ts
var IpcEndpoint = class {
  op = 0 /* none */;
  /** sending / awaiting: the other party. */
  peer = null;
  /** receiving: ANY, HARDWARE or a pid. */
  from = 0;
  /** The outgoing message (while sending). */
  w0 = 0;
  w1 = 0;
  w2 = 0;
  /**
   * Payload source: user memory [srcVa, srcVa+srcLen), or kernel bytes when srcKernel is set.
   * srcPa is its physical address when the kernel checked that it lies in one page, else NO_PA.
   */
  srcVa = 0;
  srcLen = 0;
  srcPa = NO_PA;
  srcKernel = null;
  /** Where an arriving payload goes (receive buffer, or the reply buffer of a call); bufPa as srcPa. */
  bufVa = 0;
  bufCap = 0;
  bufPa = NO_PA;
  /** A call (expects a reply) rather than a send. */
  isCall = false;
  /** Set when the kernel made this request on the process's behalf. */
  request = null;
  /** The reply of a kernel-made request goes here instead of [bufVa, bufVa+bufCap) (KernelRequest.into). */
  bufKernel = null;
  /** Processes blocked sending to this one, in arrival order. */
  queue = [];
  /** Pending notification bits. */
  pending = 0;
  /** The last process this one was allowed to send to (see `target` in sys/ipc.ts). */
  lastTarget = null;
  /** The kernel already sent this message again after its server died (it is not repeated twice). */
  resent = false;
  /** Stores the outgoing message: three words and its payload (user memory or kernel bytes). */
  setMessage(w0, w1, w2, srcVa, srcLen, srcPa, srcKernel) {
    this.resent = false;
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.srcVa = srcVa;
    this.srcLen = srcLen;
    this.srcPa = srcPa;
    this.srcKernel = srcKernel;
  }
  /** Where the next arriving payload (a message, or the reply to a call) goes. */
  setBuffer(va, cap, pa) {
    this.bufVa = va;
    this.bufCap = cap;
    this.bufPa = pa;
  }
};
var WAIT_IPC = Object.freeze({ kind: "ipc" });
var SMALL_COPY = 64;
var T_SEND = 0;
var T_RECEIVE = 1;
var T_REPLY = 2;
var T_NOTIFY = 3;
var Ipc = class {
  constructor(k) {
    this.k = k;
    this.tr = k.trace;
  }
  k;
  /** The kernel's trace recorder, or undefined while nothing is recorded (see Kernel.setTraceRecording). */
  tr;
  /**
   * Sends `s`'s message (already stored in s.ipc: words, payload source, call flag, reply buffer) to
   * `d`. Returns 0 when the send completed at once, BLOCKED-style `null` when `s` now waits, or -errno.
   */
  send(s, d) {
    if (d.state === "zombie") return -E.SRCH;
    if (this.wouldDeadlock(s, d)) return -E.DEADLK;
    const se = s.ipc, de = d.ipc;
    se.peer = d;
    this.k.cost?.message();
    if (d.state === "blocked" && de.op === 2 /* receiving */ && (de.from === ENDPOINT.ANY || de.from === s.pid)) {
      const bytes2 = this.copyPayload(s, d);
      this.traceIpc(s.pid, T_SEND, s.pid, d.pid, bytes2);
      this.deliver(s, d, bytes2, 0);
      return this.afterDelivery(s);
    }
    this.traceIpc(s.pid, T_SEND, s.pid, d.pid, 0);
    se.op = 1 /* sending */;
    de.queue.push(s);
    this.k.block(s, WAIT_IPC);
    return null;
  }
  /**
   * `r` receives from `from` (ANY, HARDWARE or a pid) into [buf, buf+cap). Returns the source
   * endpoint when something was waiting (registers written), or null when `r` now blocks.
   */
  receive(r, from, buf, cap, bufPa) {
    const re = r.ipc;
    re.setBuffer(buf, cap, bufPa);
    if (re.pending !== 0 && (from === ENDPOINT.ANY || from === ENDPOINT.HARDWARE)) return this.deliverNotification(r);
    if (from !== ENDPOINT.HARDWARE) {
      const q = re.queue;
      for (let i = 0; i < q.length; i++) {
        const s = q[i];
        if (from !== ENDPOINT.ANY && s.pid !== from) continue;
        q.splice(i, 1);
        const bytes2 = this.copyPayload(s, r);
        s.ipc.op = 0 /* none */;
        this.deliver(s, r, bytes2, bytes2);
        const result = this.afterDelivery(s);
        if (result !== null) this.k.complete(s, result);
        return s.pid;
      }
    }
    re.op = 2 /* receiving */;
    re.from = from;
    this.k.block(r, WAIT_IPC);
    return null;
  }
  /**
   * `r` replies to `c`, which must be awaiting a reply from `r`; the payload is [srcVa, srcVa+srcLen)
   * of `r` (srcPa: see NO_PA). Returns 0 or -errno; never blocks.
   */
  reply(r, c, w0, w1, w2, srcVa, srcLen, srcPa) {
    const ce = c.ipc;
    if (c.state !== "blocked" || ce.op !== 3 /* awaiting */ || ce.peer !== r) return -E.INVAL;
    const n = Math.min(srcLen, ce.bufCap);
    const into = ce.bufKernel;
    const bytes2 = n <= 0 ? 0 : into ? r.as.copyIn(srcVa, Math.min(n, into.length), into) ? Math.min(n, into.length) : 0 : srcPa >= 0 && ce.bufPa >= 0 ? this.copyPhys(ce.bufPa, srcPa, n) : this.copyUser(r, srcVa, c, ce.bufVa, n);
    ce.bufKernel = null;
    this.traceIpc(r.pid, T_REPLY, r.pid, c.pid, bytes2);
    const cost = this.k.cost;
    if (cost) {
      cost.message();
      cost.copy(bytes2, pagesSpanned(srcVa, bytes2) + pagesSpanned(ce.bufVa, bytes2));
    }
    ce.op = 0 /* none */;
    ce.peer = null;
    const req = ce.request;
    if (req) {
      ce.request = null;
      const result = req.done(w0, w1, w2, bytes2);
      if (result !== BLOCKED) this.k.complete(c, result);
    } else {
      this.setWords(c, w0, w1, w2, bytes2);
      this.k.complete(c, 0);
    }
    this.k.handOffTo(c);
    return 0;
  }
  /** ORs notification `bits` into `d`'s pending set and wakes it if it waits for them. */
  notify(src, d, bits) {
    if (d.state === "zombie") return;
    const de = d.ipc;
    de.pending |= bits;
    this.traceIpc(src < 0 ? d.pid : src, T_NOTIFY, src < 0 ? -1 : src, d.pid, 0);
    this.k.cost?.message();
    if (d.state === "blocked" && de.op === 2 /* receiving */ && (de.from === ENDPOINT.ANY || de.from === ENDPOINT.HARDWARE)) {
      de.op = 0 /* none */;
      this.k.complete(d, this.deliverNotification(d));
    }
  }
  /** Cleans up after `x` ended: its senders and callers get -ESRCH, it leaves any queue it was in. */
  processEnded(x, everyone) {
    const xe = x.ipc;
    if (xe.op === 1 /* sending */ && xe.peer) {
      const q = xe.peer.ipc.queue;
      const i = q.indexOf(x);
      if (i >= 0) q.splice(i, 1);
    }
    xe.op = 0 /* none */;
    xe.peer = null;
    for (const s of xe.queue) this.fail(s, -E.SRCH, x);
    xe.queue.length = 0;
    for (const c of everyone) if (c !== x && c.state === "blocked" && c.ipc.op === 3 /* awaiting */ && c.ipc.peer === x) this.fail(c, -E.SRCH, x);
  }
  // ---- internals ---------------------------------------------------------------------------------
  /** True if `s` sending to `d` would close a cycle of processes blocked on each other. */
  wouldDeadlock(s, d) {
    let x = d;
    for (let hops = 0; x && hops < 1024; hops++) {
      if (x === s) return true;
      if (x.state !== "blocked" || x.ipc.op !== 1 /* sending */ && x.ipc.op !== 3 /* awaiting */) return false;
      x = x.ipc.peer;
    }
    return false;
  }
  /** Completes a blocked sender/caller with an IPC error. */
  fail(p, err, ended) {
    const e = p.ipc;
    e.op = 0 /* none */;
    e.peer = null;
    if (ended && e.request && p.state === "blocked" && this.k.park?.(p, ended)) return;
    const req = e.request;
    e.request = null;
    e.bufKernel = null;
    if (p.state === "blocked") this.k.complete(p, req ? req.failed(err) : err);
  }
  /**
   * The message of `s` arrived at `d` (payload already copied: `bytes`, of which `tracedBytes` are
   * attributed to this receive event): `d`'s registers and state.
   */
  deliver(s, d, bytes2, tracedBytes) {
    const se = s.ipc, de = d.ipc;
    this.traceIpc(d.pid, T_RECEIVE, s.pid, d.pid, tracedBytes);
    this.k.delivered?.(d);
    this.setWords(d, se.w0, se.w1, se.w2, bytes2);
    if (d.state === "blocked" && de.op === 2 /* receiving */) {
      de.op = 0 /* none */;
      this.k.complete(d, s.pid);
      this.k.handOffTo(d);
    }
  }
  /** After delivery: a call now awaits its reply (null); a send completes (0). */
  afterDelivery(s) {
    const se = s.ipc;
    if (se.isCall) {
      se.op = 3 /* awaiting */;
      if (s.state !== "blocked") this.k.block(s, WAIT_IPC);
      return null;
    }
    se.op = 0 /* none */;
    se.peer = null;
    return 0;
  }
  /** Hands `r` its pending notifications; returns HARDWARE (the source). */
  deliverNotification(r) {
    const bits = r.ipc.pending;
    r.ipc.pending = 0;
    this.traceIpc(r.pid, T_RECEIVE, -1, r.pid, 0);
    this.setWords(r, MSG.NOTIFY, bits, 0, 0);
    return ENDPOINT.HARDWARE;
  }
  /** Copies the pending payload of `s` into `d`'s buffer (cut to its capacity); returns bytes copied. */
  copyPayload(s, d) {
    const se = s.ipc, de = d.ipc;
    const n = Math.min(se.srcLen, de.bufCap, IPC_MAX);
    if (n <= 0) return 0;
    this.k.cost?.copy(n, (se.srcKernel ? 0 : pagesSpanned(se.srcVa, n)) + pagesSpanned(de.bufVa, n));
    const k = se.srcKernel;
    if (k) return d.as.copyOut(de.bufVa, k.subarray(0, n)) ? n : 0;
    if (se.srcPa >= 0 && de.bufPa >= 0) return this.copyPhys(de.bufPa, se.srcPa, n);
    return this.copyUser(s, se.srcVa, d, de.bufVa, n);
  }
  /** Copies n bytes between two checked one-page buffers by physical address; returns n. */
  copyPhys(dpa, spa, n) {
    const m = this.k.machine;
    if (n > SMALL_COPY) m.mem8.copyWithin(dpa, spa, spa + n);
    else if (((dpa | spa | n) & 3) === 0) {
      const mem32 = m.mem32;
      for (let i = dpa >>> 2, j = spa >>> 2, end = dpa + n >>> 2; i < end; i++, j++) mem32[i] = mem32[j];
    } else {
      const mem = m.mem8;
      for (let i = 0; i < n; i++) mem[dpa + i] = mem[spa + i];
    }
    return n;
  }
  /** Copies n bytes between two address spaces page by page (no allocation); 0 if a page is missing. */
  copyUser(s, sva, d, dva, n) {
    const mem = this.k.machine.mem8;
    let done = 0;
    while (done < n) {
      const spa = s.as.translate(sva + done, false);
      const dpa = d.as.translate(dva + done, true);
      if (spa < 0 || dpa < 0) return done;
      const chunk = Math.min(n - done, PAGE - (spa & 4095), PAGE - (dpa & 4095));
      mem.copyWithin(dpa, spa, spa + chunk);
      done += chunk;
    }
    return done;
  }
  /** Writes a received message's words into the receiver's saved registers (ECX, EDX, EBP, EDI). */
  setWords(p, w0, w1, w2, bytes2) {
    const mem32 = this.k.machine.mem32;
    const f = p.frame >>> 2;
    mem32[f + (FRAME.ecx >> 2)] = w0;
    mem32[f + (FRAME.edx >> 2)] = w1;
    mem32[f + (FRAME.ebp >> 2)] = w2;
    mem32[f + (FRAME.edi >> 2)] = bytes2;
  }
  traceIpc(pid, op, src, dst, bytes2) {
    const tr = this.tr;
    if (!tr) return;
    tr.ipc(pid, op, src, dst, bytes2);
  }
};

// kernel/irq-routing.ts
var IrqRouter = class {
  constructor(notifyProcess) {
    this.notifyProcess = notifyProcess;
  }
  notifyProcess;
  owner = new Array(16).fill(null);
  /** The PIC mask the stub should apply (bit n masks IRQ n): the timer only, until owners ack. */
  mask = 65535 & ~1;
  /** Set when `mask` changed since the stub last applied it. */
  dirty = false;
  /** Makes `t` the owner of `irq` (the line stays masked until `t` acks it). */
  own(irq, t) {
    this.owner[irq] = t;
  }
  /** `t` ended: its lines lose their owner and are masked. */
  release(t) {
    for (let irq = 0; irq < 16; irq++) {
      if (this.owner[irq] !== t) continue;
      this.owner[irq] = null;
      this.setMasked(irq, true);
    }
  }
  /** IRQ 1–15 arrived: masked until its owner acks it, and delivered to the owner. */
  deliver(irq) {
    const t = this.owner[irq];
    this.setMasked(irq, true);
    if (!t) return;
    if ("pid" in t) this.notifyProcess(t, irq);
    else t.interrupt(irq);
  }
  /** The owner `t` has handled `irq`: unmask it (the first ack enables it). False if `t` does not own it. */
  ack(t, irq) {
    if (this.owner[irq] !== t) return false;
    this.setMasked(irq, false);
    return true;
  }
  setMasked(irq, masked) {
    let mask = masked ? this.mask | 1 << irq : this.mask & ~(1 << irq);
    mask = (mask & 65280) === 65280 ? mask | 4 : mask & ~4;
    if (mask === this.mask) return;
    this.mask = mask;
    this.dirty = true;
  }
};

// kernel/process.ts
var Process = class {
  constructor(pid, name, parent, as, kstackSlot, kstackTop, symbols) {
    this.pid = pid;
    this.name = name;
    this.parent = parent;
    this.as = as;
    this.kstackSlot = kstackSlot;
    this.kstackTop = kstackTop;
    this.symbols = symbols;
    this.pgid = pid;
  }
  pid;
  name;
  parent;
  as;
  kstackSlot;
  kstackTop;
  symbols;
  state = "ready";
  wait = null;
  /** Physical (= kernel virtual) address of the trap frame to resume from. */
  frame = 0;
  /** Exit status (exit code), or null when killed. */
  exitStatus = null;
  /** The exception vector that killed it, if any. */
  killVector = null;
  /** The signal that killed it (Linux numbering), if any. */
  killSignal = null;
  report = null;
  /** Virtual time (ms) when it last got the CPU. */
  sliceStart = 0;
  /** Nice value: -20 (highest priority) … 19 (lowest). */
  nice = 0;
  /** Program break: heap is [brkStart, brk); pages are mapped on first touch. */
  brkStart = 0;
  brk = 0;
  children = /* @__PURE__ */ new Set();
  /** IPC state: what it is blocked in, its pending message, its queue of senders, notifications. */
  ipc = new IpcEndpoint();
  /** The manifest entry this process runs as (a server), or null for an ordinary program. */
  priv = null;
  /**
   * May signal init and servers and set nice values below 0 (docs/abi.md, kill): a server with
   * kill=yes or supervise=yes, the manifest's shell with kill=yes and its descendants, the boot
   * programs (init, the programs given to `ringside run`) and their descendants.
   */
  killRight = false;
  /** Open files (null once it has ended). */
  files = null;
  /** In a system call whose return has not been traced yet (it blocked, or the CPU moved on). */
  syscallOpen = false;
  /** Virtual time (ms) of a pending `alarm`, or Infinity. */
  alarmAt = Infinity;
  /** Current working directory: absolute, normalised, no trailing slash (except "/"). */
  cwd = "/";
  /** Process group (set to the pid when the process is created without a parent to inherit from). */
  pgid = 0;
  /** Signals set to SIG_IGN (bit n = signal n); kept across exec, inherited by fork. */
  sigIgnored = 0;
  /** `<sym+0xoff>` for an address in this process's image, or "" when no symbol covers it. */
  symbolize(addr) {
    let best;
    for (const s of this.symbols) {
      if (s.addr > addr) break;
      best = s;
    }
    if (!best || addr - best.addr > 65536) return "";
    const off = addr - best.addr;
    return off ? `<${best.name}+0x${off.toString(16)}>` : `<${best.name}>`;
  }
  /** Linux wait status: exit code << 8, or the terminating signal in the low 7 bits. */
  waitStatus() {
    return this.killSignal !== null ? this.killSignal & 127 : ((this.exitStatus ?? 0) & 255) << 8;
  }
};
function waitMatches(pid, parent, child) {
  if (pid > 0) return child.pid === pid;
  if (pid === -1) return true;
  return child.pgid === (pid === 0 ? parent.pgid : -pid);
}

// kernel/proc-table.ts
var MAX_PROCS = 64;
var ProcessTable = class {
  /** Every process not yet reaped, by pid. */
  all = /* @__PURE__ */ new Map();
  /** Live processes (not zombies), in creation order. */
  live = [];
  next = 1;
  freeKstacks = [];
  constructor() {
    for (let i = MEM.kstackCount - 1; i >= 0; i--) this.freeKstacks.push(i);
  }
  /** The process with this pid (live or zombie), if any. */
  get(pid) {
    return this.all.get(pid);
  }
  /** Processes not yet reaped. */
  get size() {
    return this.all.size;
  }
  /** Every process not yet reaped (live and zombie). */
  values() {
    return this.all.values();
  }
  /** The next pid (never reused); allocates it. */
  allocPid() {
    return this.next++;
  }
  /** A free kernel-stack slot, or undefined when all are taken. */
  allocKstack() {
    return this.freeKstacks.pop();
  }
  /** Returns a kernel-stack slot to the pool. */
  freeKstack(slot) {
    this.freeKstacks.push(slot);
  }
  /** Adds a new live process. */
  add(p) {
    this.all.set(p.pid, p);
    this.live.push(p);
  }
  /** `p` ended: it stays in the table as a zombie until `remove`. */
  died(p) {
    const i = this.live.indexOf(p);
    if (i >= 0) this.live.splice(i, 1);
  }
  /** Drops `pid` from the table (reaped, or nobody will reap it). */
  remove(pid) {
    this.all.delete(pid);
  }
  /** The process with the smallest pid ≥ `pid`. */
  atOrAfter(pid) {
    let best;
    for (const p of this.all.values()) if (p.pid >= pid && (!best || p.pid < best.pid)) best = p;
    return best;
  }
};

// kernel/pipe.ts
var PIPE_SIZE = 16384;
var MAX_PIPES = 64;
var MAX_WAITERS = 64;
var PipeBuffer = class {
  constructor(capacity = PIPE_SIZE) {
    this.capacity = capacity;
    this.data = new Uint8Array(capacity);
  }
  capacity;
  data;
  head = 0;
  // next byte to read
  count = 0;
  /** Bytes queued. */
  get length() {
    return this.count;
  }
  /** Bytes that fit. */
  get room() {
    return this.capacity - this.count;
  }
  /** Appends as much of `src` as fits; returns how many bytes were taken. */
  write(src) {
    const n = Math.min(src.length, this.capacity - this.count);
    let tail = (this.head + this.count) % this.capacity;
    const first = Math.min(n, this.capacity - tail);
    for (let i = 0; i < first; i++) this.data[tail + i] = src[i];
    tail = 0;
    for (let i = first; i < n; i++) this.data[i - first] = src[i];
    this.count += n;
    return n;
  }
  /** Copies up to `max` of the oldest bytes into `dst` without consuming them; returns how many. */
  peek(dst, max) {
    const n = Math.min(max, this.count, dst.length);
    const first = Math.min(n, this.capacity - this.head);
    for (let i = 0; i < first; i++) dst[i] = this.data[this.head + i];
    for (let i = first; i < n; i++) dst[i] = this.data[i - first];
    return n;
  }
  /** Drops the `n` oldest bytes (n ≤ length). */
  consume(n) {
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
    if (this.count === 0) this.head = 0;
  }
};
var Pipe = class {
  buf = new PipeBuffer();
  readerOpen = true;
  writerOpen = true;
  /** Waiting readers (client pids) and their capacities, oldest first. */
  readers = new Int32Array(MAX_WAITERS);
  readerCap = new Uint32Array(MAX_WAITERS);
  nReaders = 0;
  /** Waiting writers (client pids), oldest first. */
  writers = new Int32Array(MAX_WAITERS);
  nWriters = 0;
};
function drop(list, caps, n, i) {
  list.copyWithin(i, i + 1, n);
  caps?.copyWithin(i, i + 1, n);
  return n - 1;
}
var PipeService = class {
  name = "pipe";
  irqs = [];
  env = null;
  /** Pipes by id (index); id 0 is never used. */
  pipes = new Array(MAX_PIPES + 1).fill(null);
  now = { w0: 0, w1: 0, w2: 0, payload: null };
  later = { w0: 0, w1: 0, w2: 0, payload: null };
  out = new Uint8Array(PIPE_SIZE);
  outLater = new Uint8Array(PIPE_SIZE);
  start(env) {
    this.env = env;
  }
  /** Pipes that exist (for tests). */
  get open() {
    return this.pipes.reduce((n, p) => n + (p ? 1 : 0), 0);
  }
  request(req) {
    switch (req.w0) {
      case MSG.PIPE_CREATE: {
        const id = this.pipes.indexOf(null, 1);
        if (id < 0) return this.answer(-E.NFILE);
        this.pipes[id] = new Pipe();
        return this.answer(id);
      }
      case MSG.PIPE_READ: {
        const p = this.pipe(req.w1);
        if (!p) return this.answer(-E.BADF);
        if (p.buf.length > 0) {
          const n = p.buf.peek(this.out, req.replyCap);
          p.buf.consume(n);
          this.wakeWriters(p);
          return this.answer(n, this.out.subarray(0, n));
        }
        if (!p.writerOpen) return this.answer(0);
        if (p.nReaders >= MAX_WAITERS) return this.answer(-E.AGAIN);
        p.readers[p.nReaders] = req.client;
        p.readerCap[p.nReaders++] = req.replyCap;
        return null;
      }
      case MSG.PIPE_WRITE: {
        const p = this.pipe(req.w1);
        if (!p) return this.answer(-E.BADF);
        if (!p.readerOpen) return this.answer(-E.PIPE);
        if (req.payload.length === 0) return this.answer(0);
        const n = p.buf.write(req.payload);
        if (n === 0) {
          if (p.nWriters >= MAX_WAITERS) return this.answer(-E.AGAIN);
          p.writers[p.nWriters++] = req.client;
          return null;
        }
        this.serveReaders(p);
        return this.answer(n);
      }
      case MSG.PIPE_CLOSE: {
        const id = req.w1;
        const p = this.pipe(id);
        if (!p) return this.answer(-E.BADF);
        if (req.w2 === 0) {
          p.readerOpen = false;
          while (p.nWriters > 0) this.wake(p.writers[--p.nWriters], -E.PIPE);
        } else {
          p.writerOpen = false;
          while (p.nReaders > 0) this.wake(p.readers[--p.nReaders], 0);
        }
        if (!p.readerOpen && !p.writerOpen) this.pipes[id] = null;
        return this.answer(0);
      }
      default:
        return this.answer(-E.NOSYS);
    }
  }
  interrupt(_irq) {
  }
  /** A waiting client ended: it leaves every waiting list. */
  cancel(client) {
    for (const p of this.pipes) {
      if (!p) continue;
      for (let i = p.nReaders - 1; i >= 0; i--) if (p.readers[i] === client) p.nReaders = drop(p.readers, p.readerCap, p.nReaders, i);
      for (let i = p.nWriters - 1; i >= 0; i--) if (p.writers[i] === client) p.nWriters = drop(p.writers, null, p.nWriters, i);
    }
  }
  pipe(id) {
    return id > 0 && id <= MAX_PIPES ? this.pipes[id] ?? null : null;
  }
  answer(w0, payload = null) {
    const r = this.now;
    r.w0 = w0;
    r.payload = payload;
    return r;
  }
  /** Answers a deferred request (w0 only). */
  wake(client, w0) {
    const r = this.later;
    r.w0 = w0;
    r.payload = null;
    this.env?.reply(client, r);
  }
  /** Hands queued bytes to waiting readers, oldest first (a reader that has gone away takes nothing). */
  serveReaders(p) {
    while (p.nReaders > 0 && p.buf.length > 0) {
      const client = p.readers[0];
      const n = p.buf.peek(this.outLater, p.readerCap[0]);
      p.nReaders = drop(p.readers, p.readerCap, p.nReaders, 0);
      const r = this.later;
      r.w0 = n;
      r.payload = this.outLater.subarray(0, n);
      if (this.env?.reply(client, r)) p.buf.consume(n);
    }
  }
  /** There is room: every waiting writer is told to write again (oldest first). */
  wakeWriters(p) {
    while (p.nWriters > 0 && p.buf.room > 0) {
      const client = p.writers[0];
      p.nWriters = drop(p.writers, null, p.nWriters, 0);
      this.wake(client, 0);
    }
  }
};

// kernel/signals.ts
var SIG = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31
};
var MAX_SIGNAL = 31;
var DEFAULT_IGNORE = 1 << SIG.CHLD | 1 << SIG.URG | 1 << SIG.WINCH | 1 << SIG.CONT | 1 << SIG.STOP | 1 << SIG.TSTP | 1 << SIG.TTIN | 1 << SIG.TTOU;
var UNBLOCKABLE = 1 << SIG.KILL | 1 << SIG.STOP;
var SIG_DFL = 0;
var SIG_IGN = 1;
function terminates(p, sig) {
  const bit = 1 << sig;
  if (bit & UNBLOCKABLE) return sig === SIG.KILL;
  return (p.sigIgnored & bit) === 0 && (DEFAULT_IGNORE & bit) === 0;
}
function ignorable(sig) {
  return sig >= 1 && sig <= MAX_SIGNAL && (1 << sig & UNBLOCKABLE) === 0;
}
function sendSignal(k, p, sig) {
  if (p.state === "zombie" || !terminates(p, sig)) return false;
  k.exitProcess(p, null, null, sig, null);
  return true;
}
function signalGroup(k, pgid, sig, sender) {
  const members = [];
  for (const p of k.liveProcesses()) if (p.pgid === pgid && !p.priv) members.push(p);
  if (sig !== 0) {
    for (const p of members) if (p !== sender) sendSignal(k, p, sig);
    if (sender && members.includes(sender)) sendSignal(k, sender, sig);
  }
  return members.length;
}

// kernel/path.ts
function resolvePath(cwd, path6) {
  const parts = [];
  const push = (s) => {
    for (const c of s.split("/")) {
      if (c === "" || c === ".") continue;
      if (c === "..") parts.pop();
      else parts.push(c);
    }
  };
  if (!path6.startsWith("/")) push(cwd);
  push(path6);
  const abs = "/" + parts.join("/");
  return abs !== "/" && path6.endsWith("/") ? abs + "/" : abs;
}

// kernel/sys/files.ts
var MAX_PATH = 255;
var MAX_COMPONENT = 27;
function ioError(err) {
  return err === -E.SRCH ? -E.IO : err;
}
var resultOnly = { done: (w0) => w0 | 0, failed: ioError };
function pathArg(p, ptr) {
  const s = p.as.readString(ptr >>> 0, MAX_PATH + 1);
  if (s === null) return p.as.readable(ptr >>> 0, 1) ? -E.NAMETOOLONG : -E.FAULT;
  if (s.length === 0) return -E.NOENT;
  const abs = resolvePath(p.cwd, s);
  if (abs.length > MAX_PATH) return -E.NAMETOOLONG;
  if (abs.split("/").some((c) => c.length > MAX_COMPONENT)) return -E.NAMETOOLONG;
  return new TextEncoder().encode(abs + "\0");
}
var DEV = "/dev/";
function deviceName(path6) {
  const s = new TextDecoder().decode(path6.subarray(0, path6.length - 1));
  if (!s.startsWith(DEV)) return null;
  const name = s.slice(DEV.length);
  return name.length > 0 && !name.includes("/") ? name : null;
}
var sysRead = (k, p, fd, buf, count) => {
  const t = p.files;
  const f = t?.get(fd);
  if (!f) return -E.BADF;
  if ((count | 0) < 0) return -E.INVAL;
  if (count === 0) return 0;
  if ((f.flags & O.ACCMODE) === O.WRONLY) return -E.BADF;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, true)) return -E.FAULT;
  if (f.server === "pipe") return k.serviceRequest(p, "pipe", MSG.PIPE_READ, f.ino, 0, null, buf >>> 0, n, resultOnly);
  if (f.server !== "fs") return k.serviceRequest(p, f.server, MSG.DEV_READ, n, 0, null, buf >>> 0, n, resultOnly);
  if (f.type === FTYPE.DIR) return -E.ISDIR;
  return k.serviceRequest(p, "fs", MSG.FS_READ, f.ino, f.offset, null, buf >>> 0, n, {
    // The server cannot see the count (it is the reply capacity): it may send more than fit. What
    // the caller got is what arrived; the offset moves by that much (the server keeps no state).
    done: (w0, _w1, _w2, bytes2) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const got = Math.min(w0, bytes2);
      f.offset += got;
      return got;
    },
    failed: ioError
  });
};
var sysWrite = (k, p, fd, buf, count) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if ((count | 0) < 0) return -E.INVAL;
  if (count === 0) return 0;
  if ((f.flags & O.ACCMODE) === O.RDONLY) return -E.BADF;
  if (f.server === "pipe") return k.touchUser(p, buf >>> 0, count, false) ? pipeWrite(k, p, f.ino, buf >>> 0, count, 0) : -E.FAULT;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, false)) return -E.FAULT;
  const payload = { va: buf >>> 0, len: n };
  if (f.server !== "fs") return k.serviceRequest(p, f.server, MSG.DEV_WRITE, 0, 0, payload, 0, 0, resultOnly);
  const at = f.flags & O.APPEND ? FS_APPEND : f.offset;
  return k.serviceRequest(p, "fs", MSG.FS_WRITE, f.ino, at, payload, 0, 0, {
    done: (w0, w1, w2) => {
      if ((w0 | 0) >= 0) {
        f.offset = (w2 >>> 0) + w0;
        f.size = w1 >>> 0;
      }
      return w0 | 0;
    },
    failed: ioError
  });
};
var sysOpen = (k, p, pathPtr, flags) => {
  const t = p.files;
  if (!t) return -E.NOSYS;
  const path6 = pathArg(p, pathPtr);
  if (typeof path6 === "number") return path6;
  if (!t.hasFree()) return -E.MFILE;
  const dev = deviceName(path6);
  if (dev !== null) {
    if (!k.isDevice(dev)) return -E.NOENT;
    if (!k.serviceRunning(dev)) return -E.NXIO;
    return t.add({ server: dev, ino: 0, offset: 0, flags, type: 0, size: 0 });
  }
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, flags, privileged(p), path6, 0, 0, {
    done: (w0, w1, w2) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const f = { server: "fs", ino: w0, offset: 0, flags, type: w2, size: w1 >>> 0 };
      return t.add(f);
    },
    failed: ioError
  });
};
function pipeWrite(k, p, id, buf, n, done) {
  return k.serviceRequest(p, "pipe", MSG.PIPE_WRITE, id, 0, { va: buf + done, len: Math.min(n - done, IPC_MAX) }, 0, 0, {
    done: (w0) => {
      const r = w0 | 0;
      if (r === -E.PIPE) {
        sendSignal(k, p, SIG.PIPE);
        return done > 0 ? done : r;
      }
      if (r < 0) return done > 0 ? done : r;
      if (done + r >= n) return done + r;
      return pipeWrite(k, p, id, buf, n, done + r);
    },
    failed: ioError
  });
}
var sysClose = (k, p, fd) => {
  const f = p.files?.remove(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs") {
    k.closeFile(p, f);
    return 0;
  }
  if (!release(f)) return 0;
  return k.serviceRequest(p, "fs", MSG.FS_CLOSE, f.ino, 0, null, 0, 0, resultOnly);
};
function removeCall(dir) {
  return (k, p, pathPtr) => {
    if (!p.files) return -E.NOSYS;
    const path6 = pathArg(p, pathPtr);
    if (typeof path6 === "number") return path6;
    return k.serviceRequest(p, "fs", MSG.FS_UNLINK, dir ? 1 : 0, privileged(p), path6, 0, 0, resultOnly);
  };
}
var sysUnlink = removeCall(false);
var sysRmdir = removeCall(true);
var sysMkdir = (k, p, pathPtr) => {
  if (!p.files) return -E.NOSYS;
  const path6 = pathArg(p, pathPtr);
  if (typeof path6 === "number") return path6;
  return k.serviceRequest(p, "fs", MSG.FS_MKDIR, 0, privileged(p), path6, 0, 0, resultOnly);
};
var sysLseek = (k, p, fd, offset, whence) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs") return -E.SPIPE;
  const seek = (base2) => {
    const pos = base2 + (offset | 0);
    if (pos < 0 || pos > 2147483647) return -E.INVAL;
    f.offset = pos;
    return pos;
  };
  if (whence === SEEK.END && f.type === FTYPE.FILE) {
    return k.serviceRequest(p, "fs", MSG.FS_READ, f.ino, 4294967295, null, 0, 0, {
      done: (w0, w1) => {
        if ((w0 | 0) < 0) return w0 | 0;
        f.size = w1 >>> 0;
        return seek(f.size);
      },
      failed: ioError
    });
  }
  const base = whence === SEEK.SET ? 0 : whence === SEEK.CUR ? f.offset : whence === SEEK.END ? f.size : NaN;
  if (Number.isNaN(base)) return -E.INVAL;
  return seek(base);
};
var sysGetdents = (k, p, fd, buf, count) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs" || f.type !== FTYPE.DIR) return -E.NOTDIR;
  if ((count | 0) <= 0) return -E.INVAL;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, true)) return -E.FAULT;
  return k.serviceRequest(p, "fs", MSG.FS_READDIR, f.ino, f.offset, null, buf >>> 0, n, {
    done: (w0, w1, _w2, bytes2) => {
      if ((w0 | 0) < 0) return w0 | 0;
      if (bytes2 >= w0) {
        f.offset = w1 >>> 0;
        return w0;
      }
      const got = new Uint8Array(bytes2);
      if (!p.as.copyIn(buf >>> 0, bytes2, got)) return -E.FAULT;
      const dv = new DataView(got.buffer);
      let pos = 0, next = f.offset;
      while (pos + 10 <= bytes2) {
        const reclen = dv.getUint16(pos + 8, true);
        if (reclen < 12 || pos + reclen > bytes2) break;
        next = dv.getUint32(pos + 4, true);
        pos += reclen;
      }
      if (pos === 0) return -E.INVAL;
      f.offset = next;
      return pos;
    },
    failed: ioError
  });
};
function privileged(p) {
  return p.priv ? FS_FLAG.PRIVILEGED : 0;
}

// kernel/sys/proc.ts
var MAX_PATH2 = 255;
var MAX_ARGS = 64;
var MAX_ARG_BYTES = 4096;
var WNOHANG = 1;
var sysExit = (k, p, status) => {
  k.exitProcess(p, status & 255, null, null, null);
  return NO_RETURN;
};
var sysGetpid = (_k, p) => p.pid;
var sysGetppid = (_k, p) => p.parent ?? 0;
var sysSpawn = (k, p, pathPtr, argvPtr) => {
  const path6 = p.as.readString(pathPtr >>> 0, MAX_PATH2);
  if (path6 === null) return -E.FAULT;
  const argv = readArgv(p, argvPtr);
  if (typeof argv === "number") return argv;
  return k.spawnModule(path6, argv.length ? argv : [path6], p);
};
function readArgv(p, argvPtr) {
  const argv = [];
  if (argvPtr === 0) return argv;
  let bytes2 = 0;
  for (let i = 0; ; i++) {
    if (i > MAX_ARGS) return -E.INVAL;
    const ptr = p.as.readWord((argvPtr >>> 0) + i * 4);
    if (ptr === void 0) return -E.FAULT;
    if (ptr === 0) break;
    const arg = p.as.readString(ptr, MAX_ARG_BYTES);
    if (arg === null) return -E.FAULT;
    bytes2 += arg.length + 1;
    if (bytes2 > MAX_ARG_BYTES) return -E.INVAL;
    argv.push(arg);
  }
  return argv;
}
var sysWaitpid = (k, p, pid, statusPtr, options) => {
  if (options & ~WNOHANG) return -E.INVAL;
  pid |= 0;
  if (statusPtr !== 0 && !p.as.readable(statusPtr >>> 0, 4)) return -E.FAULT;
  let zombie;
  let any = false;
  for (const c of p.children) {
    const q = k.process(c);
    if (!q || !waitMatches(pid, p, q)) continue;
    any = true;
    if (q.state === "zombie") {
      zombie = q;
      break;
    }
  }
  if (!any) return -E.CHILD;
  if (zombie) return k.reap(p, zombie, statusPtr >>> 0);
  if (options & WNOHANG) return 0;
  k.block(p, { kind: "child", pid, statusPtr: statusPtr >>> 0 });
  return BLOCKED;
};
var sysWait4 = (k, p, pid, statusPtr, options, rusage) => {
  if (rusage !== 0 && (!k.touchUser(p, rusage >>> 0, 72, true) || !p.as.copyOut(rusage >>> 0, new Uint8Array(72)))) return -E.FAULT;
  return sysWaitpid(k, p, pid, statusPtr, options, 0, 0);
};
var sysKill = (k, p, pid, sig) => {
  if (sig < 0 || sig > MAX_SIGNAL) return -E.INVAL;
  pid |= 0;
  if (pid > 0) {
    const target2 = k.process(pid);
    if (!target2 || target2.state === "zombie") return -E.SRCH;
    if (target2 !== p && isProtected(target2) && !p.killRight) return -E.PERM;
    if (sig !== 0) sendSignal(k, target2, sig);
  } else if (pid === -1) {
    for (const q of [...k.liveProcesses()]) if (q !== p && q.pid !== 1 && !q.priv && sig !== 0) sendSignal(k, q, sig);
  } else if (signalGroup(k, pid === 0 ? p.pgid : -pid, sig, p) === 0) return -E.SRCH;
  return p.state === "zombie" ? NO_RETURN : 0;
};
function isProtected(q) {
  return q.pid === 1 || q.priv !== null;
}
function isSelfOrDescendant(k, p, q) {
  for (let c = q, n = 0; c && n < 1024; n++) {
    if (c === p) return true;
    c = c.parent === null ? void 0 : k.process(c.parent);
  }
  return false;
}
var sysSetpriority = (k, p, which, who, nice) => {
  if (which !== 0) return -E.INVAL;
  const target2 = who === 0 ? p : k.process(who);
  if (!target2 || target2.state === "zombie") return -E.SRCH;
  const n = Math.max(-20, Math.min(19, nice | 0));
  if (!p.killRight) {
    if (!isSelfOrDescendant(k, p, target2)) return -E.PERM;
    if (n < 0 || n < target2.nice) return -E.ACCES;
  }
  target2.nice = n;
  k.requestReschedule("priority");
  return 0;
};

// kernel/sys/unix.ts
var MAX_IMAGE = 4 * 1024 * 1024;
var O_CLOEXEC = 524288;
var TCGETS = 21505;
var TCSETS = 21506;
var TCSETSW = 21507;
var TCSETSF = 21508;
var TIOCGPGRP = 21519;
var TIOCSPGRP = 21520;
var TERMIOS_SIZE = 36;
var TERMIOS_LFLAG = 12;
var TERMIOS_CC = 17;
var TERMIOS_CC_VALUES = [[0, 3], [2, 127], [3, 21], [4, 4], [5, 0], [6, 1], [14, 23]];
function ioError2(err) {
  return err === -E.SRCH ? -E.IO : err;
}
var sysFork = (k, p) => k.fork(p);
var sysExecve = (k, p, pathPtr, argvPtr, envpPtr) => {
  const path6 = pathArg(p, pathPtr);
  if (typeof path6 === "number") return path6;
  const argv = readArgv(p, argvPtr);
  if (typeof argv === "number") return argv === -E.INVAL ? -E.E2BIG : argv;
  const envp = readArgv(p, envpPtr);
  if (typeof envp === "number") return envp === -E.INVAL ? -E.E2BIG : envp;
  let text = 0;
  for (const s of argv) text += s.length + 1;
  for (const s of envp) text += s.length + 1;
  if (text > ARG_BYTES_MAX) return -E.E2BIG;
  const full = new TextDecoder().decode(path6.subarray(0, path6.length - 1));
  const name = full.slice(full.lastIndexOf("/") + 1) || full;
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, O.RDONLY, 0, path6, 0, 0, {
    done: (ino, size, type) => {
      if ((ino | 0) < 0) return ino | 0;
      size >>>= 0;
      if (type === FTYPE.DIR) return -E.ACCES;
      if (size === 0) return -E.NOEXEC;
      if (size > MAX_IMAGE) return -E.NOMEM;
      return readImage(k, p, ino, new Uint8Array(size), 0, (bytes2) => k.exec(p, name, bytes2, argv, envp));
    },
    failed: ioError2
  });
};
function readImage(k, p, ino, into, at, then) {
  const cap = Math.min(IPC_MAX, into.length - at);
  return k.serviceRequest(p, "fs", MSG.FS_READ, ino, at, null, 0, cap, {
    into: into.subarray(at, at + cap),
    done: (w0, _w1, _w2, bytes2) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const got = Math.min(w0, bytes2);
      const end = at + got;
      if (at === 0 && !isElf(into.subarray(0, end))) return -E.NOEXEC;
      if (got === 0 || end >= into.length) return then(into.subarray(0, end));
      return readImage(k, p, ino, into, end, then);
    },
    failed: ioError2
  });
}
function pipeCall(k, p, fdsPtr, flags) {
  const t = p.files;
  if (!t) return -E.NOSYS;
  if (flags & ~O_CLOEXEC) return -E.INVAL;
  if (!k.touchUser(p, fdsPtr >>> 0, 8, true)) return -E.FAULT;
  if (t.fds.filter((f) => f === null).length < 2) return -E.MFILE;
  return k.serviceRequest(p, "pipe", MSG.PIPE_CREATE, 0, 0, null, 0, 0, {
    done: (id) => {
      if ((id | 0) < 0) return id | 0;
      const end = (mode) => ({ server: "pipe", ino: id, offset: 0, flags: mode, type: 0, size: 0 });
      const r = t.add(end(O.RDONLY));
      const w = t.add(end(O.WRONLY));
      if (flags & O_CLOEXEC) t.cloexec |= 1 << r | 1 << w;
      if (!p.as.writeWord(fdsPtr >>> 0, r) || !p.as.writeWord((fdsPtr >>> 0) + 4, w)) {
        for (const fd of [r, w]) k.closeFile(p, t.remove(fd));
        return -E.FAULT;
      }
      return 0;
    },
    failed: ioError2
  });
}
var sysPipe = (k, p, fdsPtr) => pipeCall(k, p, fdsPtr, 0);
var sysPipe2 = (k, p, fdsPtr, flags) => pipeCall(k, p, fdsPtr, flags);
var sysDup = (_k, p, fd) => {
  const t = p.files;
  const f = t?.get(fd);
  if (!t || !f) return -E.BADF;
  if (!t.hasFree()) return -E.MFILE;
  return t.add(retain(f));
};
var sysDup2 = (k, p, oldfd, newfd) => {
  const t = p.files;
  const f = t?.get(oldfd);
  if (!t || !f) return -E.BADF;
  if (newfd < 0 || newfd >= MAX_FDS) return -E.BADF;
  if (newfd === oldfd) return newfd;
  const old = t.remove(newfd);
  if (old) k.closeFile(p, old);
  t.put(newfd, retain(f));
  return newfd;
};
var sysChdir = (k, p, pathPtr) => {
  const path6 = pathArg(p, pathPtr);
  if (typeof path6 === "number") return path6;
  let dir = new TextDecoder().decode(path6.subarray(0, path6.length - 1));
  if (dir.length > 1 && dir.endsWith("/")) dir = dir.slice(0, -1);
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, O.RDONLY | O.DIRECTORY, 0, path6, 0, 0, {
    done: (ino, _size, type) => {
      if ((ino | 0) < 0) return ino | 0;
      if (type !== FTYPE.DIR) return -E.NOTDIR;
      p.cwd = dir;
      return 0;
    },
    failed: ioError2
  });
};
var sysGetcwd = (k, p, buf, size) => {
  const bytes2 = new TextEncoder().encode(p.cwd + "\0");
  if ((size | 0) < 0) return -E.INVAL;
  if (size < bytes2.length) return -E.RANGE;
  if (!k.touchUser(p, buf >>> 0, bytes2.length, true) || !p.as.copyOut(buf >>> 0, bytes2)) return -E.FAULT;
  return bytes2.length;
};
var sysGetpgid = (k, p, pid) => {
  if ((pid | 0) < 0) return -E.SRCH;
  const q = pid === 0 ? p : k.process(pid);
  if (!q) return -E.SRCH;
  return q.pgid;
};
var sysGetpgrp = (_k, p) => p.pgid;
function groupExists(k, pgid) {
  for (const q of k.liveProcesses()) if (q.pgid === pgid) return true;
  return false;
}
var sysSetpgid = (k, p, pid, pgid) => {
  if ((pid | 0) < 0 || (pgid | 0) < 0) return -E.INVAL;
  const q = pid === 0 ? p : k.process(pid);
  if (!q || q.state === "zombie" || q !== p && q.parent !== p.pid) return -E.SRCH;
  const g = pgid === 0 ? q.pid : pgid;
  if (g !== q.pid && !groupExists(k, g)) return -E.PERM;
  q.pgid = g;
  return 0;
};
var sysIoctl = (k, p, fd, request, arg) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "console") return -E.NOTTY;
  switch (request >>> 0) {
    case TIOCGPGRP:
      return p.as.writeWord(arg >>> 0, k.foregroundGroup) ? 0 : -E.FAULT;
    case TIOCSPGRP: {
      const g = p.as.readWord(arg >>> 0);
      if (g === void 0) return -E.FAULT;
      if ((g | 0) < 0) return -E.INVAL;
      if (!groupExists(k, g)) return -E.SRCH;
      k.foregroundGroup = g;
      return 0;
    }
    case TCGETS:
      return termiosGet(k, p, arg >>> 0);
    case TCSETS:
    case TCSETSW:
      return termiosSet(k, p, arg >>> 0, false);
    case TCSETSF:
      return termiosSet(k, p, arg >>> 0, true);
    default:
      return -E.NOTTY;
  }
};
function termiosGet(k, p, va) {
  if (!k.touchUser(p, va, TERMIOS_SIZE, true)) return -E.FAULT;
  return k.serviceRequest(p, "console", MSG.CON_TCGETS, 0, 0, null, 0, 0, {
    done: (lflag) => {
      if ((lflag | 0) < 0) return lflag | 0;
      const t = new Uint8Array(TERMIOS_SIZE);
      new DataView(t.buffer).setUint32(TERMIOS_LFLAG, lflag >>> 0, true);
      for (const [i, v] of TERMIOS_CC_VALUES) t[TERMIOS_CC + i] = v;
      return k.touchUser(p, va, TERMIOS_SIZE, true) && p.as.copyOut(va, t) ? 0 : -E.FAULT;
    },
    failed: ioError2
  });
}
function termiosSet(k, p, va, flush) {
  if (!k.touchUser(p, va, TERMIOS_SIZE, false)) return -E.FAULT;
  const lflag = p.as.readWord(va + TERMIOS_LFLAG);
  if (lflag === void 0) return -E.FAULT;
  return k.serviceRequest(p, "console", MSG.CON_TCSETS, lflag >>> 0, flush ? 1 : 0, null, 0, 0, {
    done: (w0) => (w0 | 0) < 0 ? w0 | 0 : 0,
    failed: ioError2
  });
}
function setDisposition(p, sig, handler) {
  const old = p.sigIgnored & 1 << sig ? SIG_IGN : SIG_DFL;
  if (handler === SIG_IGN) p.sigIgnored |= 1 << sig;
  else if (handler === SIG_DFL) p.sigIgnored &= ~(1 << sig);
  else return -E.INVAL;
  return old;
}
var sysSignal = (_k, p, sig, handler) => {
  if (!ignorable(sig)) return -E.INVAL;
  return setDisposition(p, sig, handler >>> 0);
};
var sysRtSigaction = (k, p, sig, act, oact, sigsetsize) => {
  if (sigsetsize !== 8 || sig < 1 || sig > MAX_SIGNAL) return -E.INVAL;
  const old = p.sigIgnored & 1 << sig ? SIG_IGN : SIG_DFL;
  if (act !== 0) {
    const h = p.as.readWord(act >>> 0);
    if (h === void 0) return -E.FAULT;
    if (!ignorable(sig)) return -E.INVAL;
    if (h !== SIG_DFL && h !== SIG_IGN) return -E.INVAL;
  }
  if (oact !== 0) {
    const rec = new Uint8Array(20);
    rec[0] = old;
    if (!k.touchUser(p, oact >>> 0, 20, true) || !p.as.copyOut(oact >>> 0, rec)) return -E.FAULT;
  }
  if (act !== 0) setDisposition(p, sig, p.as.readWord(act >>> 0));
  return 0;
};
var sysSignalFg = (k, p, sig) => {
  if (!p.priv) return -E.PERM;
  if (sig < 1 || sig > MAX_SIGNAL) return -E.INVAL;
  return signalForeground(k, sig);
};
function signalForeground(k, sig) {
  const g = k.foregroundGroup;
  return g > 0 ? signalGroup(k, g, sig, null) : 0;
}

// kernel/sched/priority-rr.ts
var QUANTUM_MS = 10;
var runnable = (p) => p.state === "ready" || p.state === "running";
var PriorityRoundRobin = class {
  name = "priority-rr";
  /** Every schedulable process in creation order: the round-robin ring. */
  ring = [];
  add(p) {
    this.ring.push(p);
  }
  remove(p) {
    const i = this.ring.indexOf(p);
    if (i >= 0) this.ring.splice(i, 1);
  }
  /** Among runnable processes with the best nice value, the first after `prev` in ring order. */
  pick(prev) {
    const ring = this.ring, n = ring.length;
    let best = Infinity;
    for (const p of ring) if (runnable(p) && p.nice < best) best = p.nice;
    if (best === Infinity) return null;
    const start = prev ? ring.indexOf(prev) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = ring[(start + i) % n];
      if (runnable(p) && p.nice === best) return p;
    }
    return null;
  }
  preemptsOnWake(woken, current2) {
    return woken.nice < current2.nice;
  }
  /** Preempt only if another ready process has priority at least as good. */
  preemptAtSliceEnd(current2) {
    for (const q of this.ring) if (q !== current2 && q.state === "ready" && q.nice <= current2.nice) return true;
    return false;
  }
  /** Hand off unless another ready process has a strictly better priority. */
  mayHandOff(to) {
    for (const q of this.ring) if (q !== to && q.state === "ready" && q.nice < to.nice) return false;
    return true;
  }
  sliceMs(_p) {
    return QUANTUM_MS;
  }
  /** A child inherits its parent's nice value; a server's children start at 0. */
  initialNice(parent) {
    return parent && !parent.priv ? parent.nice : 0;
  }
};

// kernel/services.ts
var SERVER_NICE = -5;
var REQUEST = 0;
var REPLY = 1;
var Services = class {
  constructor(m, available, ports, ipc, dispatcher, irqs, trace, beforeServe, cost, halted = () => false) {
    this.m = m;
    this.available = available;
    this.ipc = ipc;
    this.dispatcher = dispatcher;
    this.irqs = irqs;
    this.trace = trace;
    this.beforeServe = beforeServe;
    this.cost = cost;
    this.halted = halted;
    this.env = {
      ports,
      reply: (client, r) => this.deferredReply(client, r),
      service: (name) => this.facades.get(name) ?? this.inKernel.get(name),
      irqAck: (irq) => {
        const owner = irq >= 0 && irq < 16 ? this.irqService[irq] : void 0;
        if (owner) this.irqs.ack(owner, irq);
      },
      nowMs: () => m.nowMs(),
      signalForeground: (sig) => this.onSignalForeground(sig)
    };
  }
  m;
  available;
  ipc;
  dispatcher;
  irqs;
  trace;
  beforeServe;
  cost;
  halted;
  /** Running ring-3 servers, by name. */
  servers = /* @__PURE__ */ new Map();
  /** Started in-kernel services, by name. */
  inKernel = /* @__PURE__ */ new Map();
  /** The in-kernel services with a pid (started by init), in pid order. */
  tasks = [];
  pending = /* @__PURE__ */ new Map();
  scratch = new Uint8Array(IPC_MAX);
  traceIds = /* @__PURE__ */ new Map();
  /**
   * What other in-kernel services see of a disk when faults may be injected: the same service, with a
   * block device that counts each transfer as a request to it (so `disk:crash@5` means the same in
   * both shapes).
   */
  facades = /* @__PURE__ */ new Map();
  /** The started in-kernel service that owns each IRQ line. */
  irqService = new Array(16);
  env;
  /** What `env.signalForeground` does (the kernel sets it: signal the foreground process group). */
  onSignalForeground = () => 0;
  /** True if an in-kernel implementation of `name` exists (started or not). */
  hasInKernel(name) {
    return this.available.has(name);
  }
  /**
   * Starts the in-kernel service `name` (once): it takes its IRQ lines and initialises its device.
   * With a pid it is listed as a service task of `parent`. Returns false if there is no such service.
   */
  startInKernel(name, pid, parent) {
    const s = this.available.get(name);
    if (!s || this.inKernel.has(name)) return false;
    this.inKernel.set(name, s);
    if (this.trace) this.traceIds.set(s, this.trace.nameService(name));
    for (const irq of s.irqs) {
      this.irqs.own(irq, s);
      this.irqService[irq] = s;
    }
    if (pid !== null) {
      this.tasks.push({ pid, parent, state: "blocked", nice: SERVER_NICE, name, service: s });
      this.trace?.nameProcess(pid, name);
      this.trace?.action(pid, "spawn", { parent, argv: [name], in_kernel: true });
    }
    const dev = s.blockDevice;
    const check = this.beforeServe;
    if (dev && check) {
      const blockDevice = {
        sectors: 0,
        read: (lba, count, into) => !check(name) && dev.read(lba, count, into),
        write: (lba, data) => !check(name) && dev.write(lba, data)
      };
      Object.defineProperty(blockDevice, "sectors", { get: () => dev.sectors });
      this.facades.set(name, {
        name: s.name,
        irqs: s.irqs,
        blockDevice,
        start: () => {
        },
        request: (r) => check(name) ? { w0: -E.SRCH, w1: 0, w2: 0, payload: null } : s.request(r),
        interrupt: (irq) => s.interrupt(irq)
      });
    }
    s.start(this.env);
    return true;
  }
  /** True if `name` is running (as a server process or in the kernel). */
  running(name) {
    return this.servers.has(name) || this.inKernel.has(name);
  }
  /** `p` is now the running ring-3 server `name`. */
  registerServer(name, p) {
    this.servers.set(name, p);
  }
  /** The running ring-3 server `name`, if any. */
  serverProcess(name) {
    return this.servers.get(name);
  }
  /** The endpoint (pid) of service `name`: its server process or its service task; -ESRCH if none. */
  endpoint(name) {
    const p = this.servers.get(name);
    if (p) return p.pid;
    const t = this.tasks.find((x) => x.name === name);
    return t ? t.pid : -E.SRCH;
  }
  /** The service task with the smallest pid ≥ `pid`. */
  taskAtOrAfter(pid) {
    return this.tasks.find((t) => t.pid >= pid);
  }
  /** True if `pid` is an in-kernel service task. */
  isTask(pid) {
    return this.tasks.some((t) => t.pid === pid);
  }
  /** `p` ended: a server leaves the directory; a client's deferred request is cancelled. */
  processEnded(p) {
    if (p.priv && this.servers.get(p.priv.name) === p) this.servers.delete(p.priv.name);
    const w = this.pending.get(p.pid);
    if (w) {
      this.pending.delete(p.pid);
      w.service.cancel?.(p.pid);
    }
  }
  /**
   * Sends a request to service `name` on behalf of `p` and blocks `p` until the reply (a ring-3
   * server: by IPC; an in-kernel service: by a direct call, traced as `service` events). Returns
   * BLOCKED, or the call's result when it finished at once.
   */
  request(p, name, w0, w1, w2, payload, replyVa, replyCap, req) {
    const d = this.servers.get(name);
    if (d) return this.requestByIpc(p, d, w0, w1, w2, payload, replyVa, replyCap, req);
    const s = this.inKernel.get(name);
    if (!s) return req.failed(-E.SRCH);
    if (this.beforeServe?.(name)) return req.failed(-E.SRCH);
    let bytes2;
    if (payload instanceof Uint8Array) bytes2 = payload;
    else if (payload && payload.len > 0) {
      const n = Math.min(payload.len, IPC_MAX);
      if (!p.as.copyIn(payload.va, n, this.scratch)) return req.failed(-E.FAULT);
      bytes2 = this.scratch.subarray(0, n);
    } else bytes2 = this.scratch.subarray(0, 0);
    this.traceService(p.pid, REQUEST, s, w0, bytes2.length);
    const cost = this.cost;
    if (cost) {
      cost.message();
      cost.copy(bytes2.length, payload instanceof Uint8Array || !payload ? 0 : pagesSpanned(payload.va, bytes2.length));
    }
    const r = s.request({ client: p.pid, w0, w1, w2, payload: bytes2, replyCap });
    if (r) return this.finish(p, s, r, replyVa, replyCap, req);
    this.pending.set(p.pid, { client: p, service: s, replyVa, replyCap, req });
    this.dispatcher.block(p, { kind: "service", name });
    return BLOCKED;
  }
  /** A request to a ring-3 server: the caller's IPC endpoint carries it (kernel-made call). */
  requestByIpc(p, d, w0, w1, w2, payload, replyVa, replyCap, req) {
    const e = p.ipc;
    if (payload instanceof Uint8Array) e.setMessage(w0, w1, w2, 0, payload.length, NO_PA, payload);
    else e.setMessage(w0, w1, w2, payload ? payload.va : 0, payload ? payload.len : 0, NO_PA, null);
    e.setBuffer(replyVa, replyCap, NO_PA);
    e.isCall = true;
    e.request = req;
    e.bufKernel = req.into ?? null;
    const r = this.ipc.send(p, d);
    if (r === null) return BLOCKED;
    e.request = null;
    e.bufKernel = null;
    return req.failed(r);
  }
  /** Copies a reply's payload to the client (cut to its capacity), traces it, and returns the call's result. */
  finish(p, s, r, replyVa, replyCap, req) {
    let bytes2 = 0;
    const data = r.payload;
    const into = req.into;
    if (data && data.length > 0 && into) {
      bytes2 = Math.min(data.length, replyCap, into.length);
      into.set(bytes2 === data.length ? data : data.subarray(0, bytes2));
    } else if (data && data.length > 0 && replyCap > 0) {
      const n = Math.min(data.length, replyCap);
      bytes2 = p.as.copyOut(replyVa, n === data.length ? data : data.subarray(0, n)) ? n : 0;
    }
    this.traceService(p.pid, REPLY, s, r.w0, bytes2);
    this.cost?.copy(bytes2, pagesSpanned(replyVa, bytes2));
    return req.done(r.w0, r.w1, r.w2, bytes2);
  }
  /** An in-kernel service answers a deferred request; false if the client no longer waits. */
  deferredReply(client, r) {
    const w = this.pending.get(client);
    if (!w) return false;
    this.pending.delete(client);
    const p = w.client;
    if (p.state !== "blocked" || p.wait?.kind !== "service") return false;
    const result = this.finish(p, w.service, r, w.replyVa, w.replyCap, w.req);
    if (result !== BLOCKED) this.dispatcher.complete(p, result);
    return true;
  }
  traceService(pid, op, s, type, bytes2) {
    const tr = this.trace;
    if (!tr || this.halted()) return;
    tr.service(pid, op, this.traceIds.get(s) ?? 0, type, bytes2);
  }
};

// kernel/disasm.ts
import { createRequire as createRequire2 } from "node:module";
var iced;
var formatter;
function disassembleOne(bytes2, eip, bitness = 32) {
  if (bytes2.length === 0) return void 0;
  iced ??= createRequire2(import.meta.url)("iced-x86");
  formatter ??= new iced.Formatter(iced.FormatterSyntax.Nasm);
  const decoder = new iced.Decoder(bitness, bytes2, iced.DecoderOptions.None);
  decoder.ip = BigInt(eip >>> 0);
  const insn = decoder.decode();
  try {
    if (insn.isInvalid) return void 0;
    return formatter.format(insn);
  } finally {
    insn.free();
    decoder.free();
  }
}

// kernel/abi/syscall-table.ts
var a = (name, kind) => ({ name, kind });
var call = (nr, name, implemented, ...args) => ({ nr, name, args, implemented });
var YES = true;
var NO = false;
var IPC_OUT = [a("dst", "int"), a("w0", "hex"), a("w1", "hex"), a("buf", "ptr")];
var SYSCALL_TABLE = [
  call(1, "exit", YES, a("status", "int")),
  call(2, "fork", YES),
  call(3, "read", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(4, "write", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(5, "open", YES, a("path", "str"), a("flags", "hex"), a("mode", "oct")),
  call(6, "close", YES, a("fd", "int")),
  call(7, "waitpid", YES, a("pid", "int"), a("status", "ptr"), a("options", "hex")),
  call(8, "creat", NO, a("path", "str"), a("mode", "oct")),
  call(10, "unlink", YES, a("path", "str")),
  call(11, "execve", YES, a("path", "str"), a("argv", "ptr"), a("envp", "ptr")),
  call(12, "chdir", YES, a("path", "str")),
  call(13, "time", NO, a("t", "ptr")),
  call(19, "lseek", YES, a("fd", "int"), a("offset", "int"), a("whence", "int")),
  call(20, "getpid", YES),
  call(37, "kill", YES, a("pid", "int"), a("sig", "int")),
  call(39, "mkdir", YES, a("path", "str"), a("mode", "oct")),
  call(40, "rmdir", YES, a("path", "str")),
  call(41, "dup", YES, a("fd", "int")),
  call(42, "pipe", YES, a("fds", "ptr")),
  call(45, "brk", YES, a("addr", "ptr")),
  call(48, "signal", YES, a("sig", "int"), a("handler", "ptr")),
  call(54, "ioctl", YES, a("fd", "int"), a("cmd", "hex"), a("arg", "hex")),
  call(57, "setpgid", YES, a("pid", "int"), a("pgid", "int")),
  call(63, "dup2", YES, a("oldfd", "int"), a("newfd", "int")),
  call(64, "getppid", YES),
  call(65, "getpgrp", YES),
  call(90, "mmap", NO, a("args", "ptr")),
  call(91, "munmap", NO, a("addr", "ptr"), a("len", "uint")),
  call(97, "setpriority", YES, a("which", "int"), a("who", "int"), a("nice", "int")),
  call(114, "wait4", YES, a("pid", "int"), a("status", "ptr"), a("options", "hex"), a("rusage", "ptr")),
  call(122, "uname", NO, a("buf", "ptr")),
  call(132, "getpgid", YES, a("pid", "int")),
  call(141, "getdents", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(158, "sched_yield", YES),
  call(162, "nanosleep", YES, a("req", "ptr"), a("rem", "ptr")),
  call(174, "rt_sigaction", YES, a("sig", "int"), a("act", "ptr"), a("oact", "ptr"), a("sigsetsize", "uint")),
  call(183, "getcwd", YES, a("buf", "ptr"), a("size", "uint")),
  call(192, "mmap2", NO, a("addr", "ptr"), a("len", "uint"), a("prot", "hex"), a("flags", "hex"), a("fd", "int")),
  call(224, "gettid", NO),
  call(243, "set_thread_area", NO, a("u_info", "ptr")),
  call(252, "exit_group", YES, a("status", "int")),
  call(331, "pipe2", YES, a("fds", "ptr"), a("flags", "hex")),
  call(512, "spawn", YES, a("path", "str"), a("argv", "ptr")),
  call(513, "spawn_image", YES, a("image", "ptr"), a("len", "uint"), a("argv", "ptr"), a("name", "str")),
  call(528, "ipc_send", YES, ...IPC_OUT, a("len", "uint")),
  call(529, "ipc_receive", YES, a("from", "int"), a("w0", "unused"), a("w1", "unused"), a("buf", "ptr"), a("cap", "uint")),
  call(530, "ipc_reply", YES, ...IPC_OUT, a("len", "uint")),
  call(531, "ipc_call", YES, ...IPC_OUT, a("lens", "lencap")),
  call(532, "ipc_reply_recv", YES, ...IPC_OUT, a("lens", "lencap")),
  call(533, "ipc_notify", YES, a("dst", "int"), a("bits", "hex")),
  call(534, "ipc_lookup", YES, a("name", "str")),
  call(544, "irq_ack", YES, a("irq", "int")),
  call(545, "alarm", YES, a("ms", "uint")),
  call(546, "signal_fg", YES, a("sig", "int")),
  call(560, "procinfo", YES, a("pid", "int"), a("buf", "ptr")),
  call(561, "server_info", YES, a("index", "int"), a("buf", "ptr")),
  call(562, "uptime", YES),
  call(563, "sysinfo", YES, a("buf", "ptr"))
];
var byNr = new Map(SYSCALL_TABLE.map((s) => [s.nr, s]));
var byName = new Map(SYSCALL_TABLE.map((s) => [s.name, s]));
var IMPLEMENTED_SYSCALLS = SYSCALL_TABLE.filter((s) => s.implemented);
var UNIMPLEMENTED_SYSCALLS = SYSCALL_TABLE.filter((s) => !s.implemented);
function syscallTableName(nr) {
  return byNr.get(nr)?.name ?? "unknown";
}

// kernel/sys/mem.ts
var HEAP_MAX = 16 * 1024 * 1024;
var sysBrk = (k, p, addr) => {
  const a2 = addr >>> 0;
  if (a2 === 0 || a2 < p.brkStart) return p.brk;
  if (a2 > p.brkStart + HEAP_MAX) return -E.NOMEM;
  const oldTop = Math.ceil(p.brk / PAGE) * PAGE;
  const newTop = Math.ceil(a2 / PAGE) * PAGE;
  if (newTop < oldTop) {
    for (let va = newTop; va < oldTop; va += PAGE) p.as.unmap(va);
    k.flushTlb();
  }
  p.brk = a2;
  return a2;
};

// kernel/sys/sched.ts
var sysSchedYield = (k, p) => {
  k.yieldCpu(p);
  return 0;
};
var sysNanosleep = (k, p, reqPtr, remPtr) => {
  const sec = p.as.readWord(reqPtr >>> 0);
  const nsec = p.as.readWord((reqPtr >>> 0) + 4);
  if (sec === void 0 || nsec === void 0) return -E.FAULT;
  if ((sec | 0) < 0 || nsec >= 1e9) return -E.INVAL;
  if (remPtr !== 0 && !(p.as.writeWord(remPtr >>> 0, 0) && p.as.writeWord((remPtr >>> 0) + 4, 0))) return -E.FAULT;
  const ms = sec * 1e3 + nsec / 1e6;
  if (ms === 0) return 0;
  k.block(p, { kind: "sleep", until: k.nowMs() + ms });
  return BLOCKED;
};

// kernel/sys/ipc.ts
var MAX_NAME = 15;
function ebp(k, p) {
  return k.savedRegister(p, FRAME.ebp);
}
function target(k, p, ep) {
  const last = p.ipc.lastTarget;
  if (last !== null && last.pid === ep && last.state !== "zombie") return last;
  const d = ep > 0 ? k.process(ep) : void 0;
  if (!d || d.state === "zombie") return -E.SRCH;
  if (!p.priv || !d.priv || !(p.priv.send.includes(d.priv.name) || p.priv.supervisor || d.priv.supervisor)) return -E.PERM;
  p.ipc.lastTarget = d;
  return d;
}
function checkBuffers(k, p, buf, len, cap) {
  const e = p.ipc;
  if (len <= cap) {
    e.bufPa = k.userBuffer(p, buf, cap, true);
    e.srcPa = len === 0 ? NO_PA : e.bufPa !== BAD_BUFFER ? e.bufPa : k.userBuffer(p, buf, len, false);
  } else {
    e.srcPa = k.userBuffer(p, buf, len, false);
    e.bufPa = k.userBuffer(p, buf, cap, true);
  }
}
function sendMessage(k, p, dst, w0, w1, w2, buf, len, call2, cap) {
  const d = target(k, p, dst);
  if (typeof d === "number") return d;
  if (len > IPC_MAX || cap > IPC_MAX) return -E.INVAL;
  checkBuffers(k, p, buf, len, cap);
  const e = p.ipc;
  if (e.srcPa === BAD_BUFFER || e.bufPa === BAD_BUFFER) return -E.FAULT;
  e.setMessage(w0, w1, w2, buf, len, e.srcPa, null);
  e.setBuffer(buf, cap, e.bufPa);
  e.isCall = call2;
  e.request = null;
  const r = k.ipc.send(p, d);
  return r === null ? BLOCKED : r;
}
function badSource(k, from) {
  if (from === ENDPOINT.ANY || from === ENDPOINT.HARDWARE) return 0;
  const s = from > 0 ? k.process(from) : void 0;
  return !s || s.state === "zombie" ? -E.SRCH : 0;
}
function receiveMessage(k, p, from, buf, cap, bufPa) {
  const r = k.ipc.receive(p, from, buf, cap, bufPa);
  return r === null ? BLOCKED : r;
}
function replyMessage(k, p, dst, w0, w1, w2, buf, len, bufPa) {
  const c = dst > 0 ? k.process(dst) : void 0;
  if (!c || c.state === "zombie") return -E.SRCH;
  if (len > IPC_MAX) return -E.INVAL;
  if (bufPa === BAD_BUFFER) return -E.FAULT;
  return k.ipc.reply(p, c, w0, w1, w2, buf, len, bufPa);
}
var sysIpcSend = (k, p, dst, w0, w1, buf, len) => sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len >>> 0, false, 0);
var sysIpcReceive = (k, p, from, _w0, _w1, buf, cap) => {
  const err = badSource(k, from | 0);
  if (err) return err;
  if ((cap | 0) < 0) return -E.INVAL;
  const c = Math.min(cap, IPC_MAX);
  const pa = k.userBuffer(p, buf >>> 0, c, true);
  if (pa === BAD_BUFFER) return -E.FAULT;
  return receiveMessage(k, p, from | 0, buf >>> 0, c, pa);
};
var sysIpcReply = (k, p, dst, w0, w1, buf, len) => {
  len >>>= 0;
  const pa = len <= IPC_MAX ? k.userBuffer(p, buf >>> 0, len, false) : NO_PA;
  return replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len, pa);
};
var sysIpcCall = (k, p, dst, w0, w1, buf, lens) => sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, lens & 65535, true, lens >>> 16);
var sysIpcReplyRecv = (k, p, dst, w0, w1, buf, lens) => {
  buf >>>= 0;
  const len = lens & 65535, cap = Math.min(lens >>> 16, IPC_MAX);
  checkBuffers(k, p, buf, len <= IPC_MAX ? len : 0, cap);
  const e = p.ipc;
  const bufPa = e.bufPa;
  if (dst !== 0) replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf, len, e.srcPa);
  if (bufPa === BAD_BUFFER) return -E.FAULT;
  return receiveMessage(k, p, ENDPOINT.ANY, buf, cap, bufPa);
};
var sysIpcNotify = (k, p, dst, bits) => {
  if (bits === 0 || (bits & ~NOTIFY.USER_MASK) !== 0) return -E.INVAL;
  const d = target(k, p, dst | 0);
  if (typeof d === "number") return d;
  k.ipc.notify(p.pid, d, bits >>> 0);
  return 0;
};
var sysIpcLookup = (k, p, namePtr) => {
  const name = p.as.readString(namePtr >>> 0, MAX_NAME + 1);
  if (name === null) return -E.FAULT;
  return k.serviceEndpoint(name);
};

// kernel/sys/irq.ts
var sysIrqAck = (k, p, irq) => {
  if (irq >>> 0 > 15) return -E.INVAL;
  return k.irqAck(p, irq) ? 0 : -E.PERM;
};
var sysAlarm = (k, p, ms) => {
  if ((ms | 0) < 0) return -E.INVAL;
  k.setAlarm(p, ms);
  return 0;
};

// kernel/sys/image.ts
var MAX_IMAGE2 = 4 * 1024 * 1024;
var MAX_NAME2 = 27;
var sysSpawnImage = (k, p, imagePtr, len, argvPtr, namePtr) => {
  len >>>= 0;
  if (len === 0 || len > MAX_IMAGE2) return -E.NOEXEC;
  const bytes2 = new Uint8Array(len);
  if (!p.as.copyIn(imagePtr >>> 0, len, bytes2)) return -E.FAULT;
  const name = p.as.readString(namePtr >>> 0, MAX_NAME2 + 1);
  if (name === null) return -E.FAULT;
  const argv = readArgv(p, argvPtr);
  if (typeof argv === "number") return argv;
  return k.spawnImage(name || "?", bytes2, argv.length ? argv : [name], p);
};
var sysProcinfo = (k, p, pid, buf) => {
  const q = k.processAtOrAfter(pid | 0);
  if (!q) return 0;
  const rec = new Uint8Array(PROCINFO.size);
  const dv = new DataView(rec.buffer);
  dv.setUint32(PROCINFO.pid, q.pid, true);
  dv.setUint32(PROCINFO.ppid, q.parent ?? 0, true);
  dv.setUint32(PROCINFO.state, PSTATE[q.state], true);
  dv.setInt32(PROCINFO.nice, q.nice, true);
  rec.set(new TextEncoder().encode(q.name).subarray(0, PROCINFO.nameLen - 1), PROCINFO.name);
  dv.setUint32(PROCINFO.restarts, k.restarts(q.name), true);
  if (!k.touchUser(p, buf >>> 0, PROCINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return q.pid;
};
var sysServerInfo = (k, p, index, buf) => {
  if ((index | 0) < 0) return -E.INVAL;
  const s = k.serverInfo(index | 0);
  if (!s) return 0;
  const rec = new Uint8Array(SERVERINFO.size);
  const dv = new DataView(rec.buffer);
  rec.set(new TextEncoder().encode(s.priv.name).subarray(0, SERVERINFO.nameLen - 1), SERVERINFO.name);
  dv.setUint32(SERVERINFO.pid, s.pid, true);
  dv.setUint32(SERVERINFO.restarts, s.restarts, true);
  dv.setUint32(SERVERINFO.restartMax, s.priv.restart?.max ?? 0, true);
  dv.setUint32(SERVERINFO.windowMs, s.priv.restart?.windowMs ?? 0, true);
  dv.setUint32(SERVERINFO.backoffMs, s.priv.backoffMs, true);
  dv.setUint32(SERVERINFO.heartbeatMs, s.priv.heartbeatMs, true);
  const flags = (s.priv.supervisor ? SERVERINFO_FLAGS.SUPERVISOR : 0) | (s.priv.device ? SERVERINFO_FLAGS.DEVICE : 0) | (s.inKernel ? SERVERINFO_FLAGS.IN_KERNEL : 0);
  dv.setUint32(SERVERINFO.flags, flags, true);
  if (!k.touchUser(p, buf >>> 0, SERVERINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return 1;
};

// kernel/sys/info.ts
var SYSINFO = {
  /** virtual milliseconds since boot (what uptime returns) */
  uptimeMs: 0,
  /** free physical memory in bytes (free 4 KiB frames × 4096) */
  freeMem: 4,
  /** processes alive (not zombies), in-kernel service tasks included: what `ps` lists */
  procs: 8,
  size: 12
};
function freeMemory(k) {
  const frames = "freeFrames" in k ? Number(k.freeFrames) : 0;
  return frames * PAGE;
}
function processCount(k) {
  let n = 0;
  for (let q = k.processAtOrAfter(1); q; q = k.processAtOrAfter(q.pid + 1)) if (q.state !== "zombie") n++;
  return n;
}
var sysUptime = (k) => Math.floor(k.nowMs());
var sysSysinfo = (k, p, buf) => {
  const rec = new Uint8Array(SYSINFO.size);
  const dv = new DataView(rec.buffer);
  dv.setUint32(SYSINFO.uptimeMs, Math.floor(k.nowMs()) >>> 0, true);
  dv.setUint32(SYSINFO.freeMem, freeMemory(k) >>> 0, true);
  dv.setUint32(SYSINFO.procs, processCount(k), true);
  if (!k.touchUser(p, buf >>> 0, SYSINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return 0;
};

// kernel/syscalls.ts
var HANDLERS = {
  exit: sysExit,
  read: sysRead,
  write: sysWrite,
  open: sysOpen,
  close: sysClose,
  waitpid: sysWaitpid,
  unlink: sysUnlink,
  lseek: sysLseek,
  getpid: sysGetpid,
  kill: sysKill,
  mkdir: sysMkdir,
  rmdir: sysRmdir,
  brk: sysBrk,
  getppid: sysGetppid,
  setpriority: sysSetpriority,
  getdents: sysGetdents,
  sched_yield: sysSchedYield,
  nanosleep: sysNanosleep,
  spawn: sysSpawn,
  spawn_image: sysSpawnImage,
  ipc_send: sysIpcSend,
  ipc_receive: sysIpcReceive,
  ipc_reply: sysIpcReply,
  ipc_call: sysIpcCall,
  ipc_reply_recv: sysIpcReplyRecv,
  ipc_notify: sysIpcNotify,
  ipc_lookup: sysIpcLookup,
  irq_ack: sysIrqAck,
  alarm: sysAlarm,
  procinfo: sysProcinfo,
  server_info: sysServerInfo,
  fork: sysFork,
  execve: sysExecve,
  chdir: sysChdir,
  dup: sysDup,
  pipe: sysPipe,
  signal: sysSignal,
  ioctl: sysIoctl,
  setpgid: sysSetpgid,
  dup2: sysDup2,
  getpgrp: sysGetpgrp,
  wait4: sysWait4,
  getpgid: sysGetpgid,
  rt_sigaction: sysRtSigaction,
  getcwd: sysGetcwd,
  exit_group: sysExit,
  pipe2: sysPipe2,
  signal_fg: sysSignalFg,
  uptime: sysUptime,
  sysinfo: sysSysinfo
};
var SYSCALLS = IMPLEMENTED_SYSCALLS.map((s) => {
  const handler = HANDLERS[s.name];
  if (!handler) throw new Error(`kernel/syscalls.ts: no handler for implemented call ${s.name} (${s.nr})`);
  return { nr: s.nr, name: s.name, handler };
});
for (const name of Object.keys(HANDLERS)) {
  if (!SYSCALLS.some((s) => s.name === name)) throw new Error(`kernel/syscalls.ts: handler ${name} is not an implemented call of the ABI table`);
}
var byNumber = [];
for (const s of SYSCALLS) byNumber[s.nr] = s;
function syscallByNumber(nr) {
  return nr >= 0 && nr < byNumber.length ? byNumber[nr] : void 0;
}
function syscallName(nr) {
  return syscallTableName(nr);
}

// kernel/trap.ts
var KernelPanic = class extends Error {
};
var DEVICE_NOT_AVAILABLE = 7;
var SIGSYS = 31;
var Traps = class {
  constructor(m, api, dispatcher, irqs, repair, trace, hooks, cost) {
    this.m = m;
    this.api = api;
    this.dispatcher = dispatcher;
    this.irqs = irqs;
    this.repair = repair;
    this.trace = trace;
    this.hooks = hooks;
    this.cost = cost;
  }
  m;
  api;
  dispatcher;
  irqs;
  repair;
  trace;
  hooks;
  cost;
  /** Dispatches one trap whose frame is at `f`, then decides what runs next. */
  handle(f) {
    const m = this.m;
    const mem32 = m.mem32;
    const fi = f >>> 2;
    const vector = mem32[fi + (FRAME.vector >> 2)];
    const cplFrom = mem32[fi + (FRAME.cs >> 2)] & 3;
    const eip = mem32[fi + (FRAME.eip >> 2)] >>> 0;
    const d = this.dispatcher;
    const cur = cplFrom === 3 ? d.current : null;
    if (cur) cur.frame = f;
    const pid = cur ? cur.pid : -1;
    const tr = this.trace;
    const cost = this.cost;
    if (vector === SYSCALL_VECTOR && cur) {
      const nr = mem32[fi + (FRAME.eax >> 2)] >>> 0;
      const a0 = mem32[fi + (FRAME.ebx >> 2)], a1 = mem32[fi + (FRAME.ecx >> 2)], a2 = mem32[fi + (FRAME.edx >> 2)];
      const a3 = mem32[fi + (FRAME.esi >> 2)], a4 = mem32[fi + (FRAME.edi >> 2)];
      if (tr) tr.syscall(pid, 3, eip, nr, a0, a1, a2, a3, a4);
      cost?.entry();
      const def = syscallByNumber(nr);
      let ret;
      try {
        ret = def ? def.handler(this.api, cur, a0, a1, a2, a3, a4) : -E.NOSYS;
      } catch (err) {
        if (err instanceof KernelPanic) throw err;
        if (cur.state !== "zombie") {
          const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          this.hooks.exitProcess(cur, null, null, SIGSYS, `[pid ${cur.pid} ${cur.name}] killed by signal ${SIGSYS}: the kernel failed in ${def?.name ?? nr} (${what})`);
        }
        return d.leave();
      }
      if (ret === NO_RETURN || cur.state === "zombie") return d.leave();
      cur.syscallOpen = true;
      if (ret === BLOCKED) return d.leave();
      mem32[fi + (FRAME.eax >> 2)] = ret;
      if (d.staysOn(cur) && !this.hooks.halted()) {
        m.write32(MEM.switchBlock + SWITCH.action, ACTION.fast);
        m.write32(MEM.switchBlock + SWITCH.esp, f);
        if (tr) {
          if (cost) tr.ret(pid, 3, eip, ret);
          else tr.syscallReturned(ret);
        }
        cur.syscallOpen = false;
        return;
      }
      return d.leave();
    }
    if (vector >= IRQ_BASE && vector < IRQ_BASE + 16) {
      const irq = vector - IRQ_BASE;
      if (tr) tr.irq(pid, cplFrom, eip, irq);
      cost?.entry();
      if (irq === 0) d.timerInterrupt();
      else this.irqs.deliver(irq);
      return d.leave();
    }
    if (vector < 32) {
      let errorCode = mem32[fi + (FRAME.errorCode >> 2)] >>> 0;
      const fixed = vector === 13 && cur ? this.repair.takeErrorCode(cur.pid, eip) : void 0;
      if (fixed !== void 0) {
        errorCode = fixed;
        mem32[fi + (FRAME.errorCode >> 2)] = errorCode;
      }
      const cr2 = vector === 14 ? m.cr2 : 0;
      const insn = cur ? instructionAt(cur, eip) : void 0;
      if (tr) tr.exception(pid, cplFrom, eip, vector, errorCode, cr2, insn);
      cost?.entry();
      if (!cur) throw new KernelPanic(`${VECTOR_NAMES[vector]} in ring 0 at 0x${hex2(eip)} (error code 0x${errorCode.toString(16)})`);
      if (vector === DEVICE_NOT_AVAILABLE) {
        const from = d.fpu.claim(cur);
        tr?.action(cur.pid, "fpu", { eip, from });
        return d.leave();
      }
      if (vector === 14) {
        const cow = (errorCode & 3) === 3 ? cur.as.breakCow(cr2) : null;
        const outcome = cow ?? pageFaultOutcome(cur, errorCode, cr2);
        tr?.action(cur.pid, "pagefault", { addr: cr2, eip, error_code: errorCode, outcome });
        if (outcome === "mapped" || outcome === "copied" || outcome === "reclaimed") return d.leave();
      }
      const report = killReport(cur, vector, errorCode, eip, cr2, insn);
      this.hooks.exitProcess(cur, null, vector, SIGNAL_FOR_VECTOR[vector] ?? 11, report);
      return d.leave();
    }
    if (tr) tr.irq(pid, cplFrom, eip, vector - IRQ_BASE);
    d.leave();
  }
};
function killReport(p, vector, errorCode, eip, cr2, insn) {
  const sym = p.symbolize(eip);
  let line = `[pid ${p.pid} ${p.name}] killed by ${VECTOR_NAMES[vector]} (vector ${vector}) error_code=0x${errorCode.toString(16)}`;
  if (vector === 14) line += ` cr2=0x${hex2(cr2)}`;
  line += ` at eip=0x${hex2(eip)}${sym ? " " + sym : ""}: ${insn ?? "(instruction unreadable)"}`;
  return line;
}
function instructionAt(p, eip) {
  const bytes2 = new Uint8Array(15);
  let n = 0;
  while (n < 15 && p.as.copyIn(eip + n, 1, bytes2.subarray(n, n + 1))) n++;
  return disassembleOne(bytes2.subarray(0, n), eip);
}
function hex2(n) {
  return (n >>> 0).toString(16).padStart(8, "0");
}

// kernel/v86-repair.ts
var PREFIXES = /* @__PURE__ */ new Set([38, 46, 54, 62, 100, 101, 102, 103, 240, 242, 243]);
var KERNEL_PROBE = 4096;
var IretRepair = class {
  constructor(m) {
    this.m = m;
  }
  m;
  /** A #GP the kernel provoked: the error code a real CPU would give, for that pid and eip. */
  pending;
  /**
   * Called when v86 panics while `p` (the current process, or null) runs. Returns true if the fault
   * was an `iret` in ring 3 that is now turned into a #GP; false if the run cannot continue.
   */
  repair(p) {
    const m = this.m;
    m.ensureViews();
    if (!p || m.cpl !== 3) return false;
    const eip = m.previousIp;
    const code2 = new Uint8Array(15);
    let n = 0;
    while (n < 15 && p.as.copyIn(eip + n, 1, code2.subarray(n, n + 1))) n++;
    let i = 0, o16 = false;
    for (; i < n && PREFIXES.has(code2[i]); i++) if (code2[i] === 102) o16 = true;
    if (i >= n || code2[i] !== 207) return false;
    const csAddr = (m.reg32[4] >>> 0) + (o16 ? 2 : 4);
    const cs = new Uint8Array(2);
    const again = this.pending !== void 0 && this.pending.pid === p.pid && this.pending.eip === eip;
    if (!again && p.as.copyIn(csAddr, 2, cs) && p.as.copyOut(csAddr, Uint8Array.of(SEL.kcode | 3, 0))) {
      this.pending = { pid: p.pid, eip, errorCode: (cs[0] | cs[1] << 8) & 65532 };
    } else {
      this.pending = void 0;
      m.reg32[4] = KERNEL_PROBE;
    }
    m.restartInstructionAt(eip);
    return true;
  }
  /** For a #GP of `pid` at `eip`: the real error code if the kernel provoked it (consumed), else undefined. */
  takeErrorCode(pid, eip) {
    const fix = this.pending;
    if (!fix || fix.pid !== pid || fix.eip !== eip) return void 0;
    this.pending = void 0;
    return fix.errorCode;
  }
};

// kernel/vm.ts
var PTE = { P: 1, W: 2, U: 4, G: 256, COW: 512 };
var FRAME_MASK = 4294963200;
function buildKernelPageTable(machine, frames) {
  const pt = frames.alloc();
  if (pt < 0) throw new Error("out of memory building the kernel page table");
  for (let i = 1; i < 1024; i++) machine.write32(pt + i * 4, i * PAGE | PTE.P | PTE.W | PTE.G);
  return pt;
}
var AddressSpace = class {
  /** Creates a directory whose first 4 MiB are the shared kernel mapping. Throws ENOMEM-style on exhaustion. */
  constructor(machine, frames, kernelPt) {
    this.machine = machine;
    this.frames = frames;
    const pd = frames.alloc();
    if (pd < 0) throw new OutOfMemory();
    this.pd = pd;
    machine.write32(pd, kernelPt | PTE.P | PTE.W);
  }
  machine;
  frames;
  pd;
  tables = [];
  /** user pages mapped (vaddr → frame), for freeing */
  pages = 0;
  /** Maps one user page at `va` to a fresh zeroed frame; returns its physical address or -1 (no memory). */
  mapNew(va, writable) {
    const pte = this.pteAddr(va, true);
    if (pte < 0) return -1;
    const old = this.machine.read32(pte);
    if (old & PTE.P) return -1;
    const frame = this.frames.alloc();
    if (frame < 0) return -1;
    this.machine.write32(pte, frame | PTE.P | PTE.U | (writable ? PTE.W : 0));
    this.pages++;
    return frame;
  }
  /** Unmaps the user page at `va` (if mapped) and frees its frame; callers flush the TLB if the space is live. */
  unmap(va) {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return;
    const e = this.machine.read32(pte);
    if (!(e & PTE.P)) return;
    this.machine.write32(pte, 0);
    this.frames.release(e & FRAME_MASK);
    this.pages--;
  }
  /** Reads a NUL-terminated string of at most `max` bytes from user memory; null if unreadable or too long. */
  readString(va, max) {
    const bytes2 = [];
    const mem = this.machine.mem8;
    for (let i = 0; i <= max; i++) {
      const pa = this.translate(va + i, false);
      if (pa < 0) return null;
      const b = mem[pa];
      if (b === 0) return new TextDecoder().decode(Uint8Array.from(bytes2));
      bytes2.push(b);
    }
    return null;
  }
  /** Reads a 32-bit word from user memory; undefined if unreadable. */
  readWord(va) {
    if (va & 3) {
      const b = new Uint8Array(4);
      if (!this.copyIn(va, 4, b)) return void 0;
      return (b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24) >>> 0;
    }
    const pa = this.translate(va, false);
    return pa < 0 ? void 0 : this.machine.read32(pa);
  }
  /** Writes a 32-bit word to user memory; false if not user-writable. */
  writeWord(va, value) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.copyOut(va, b);
  }
  /** True if the page containing `va` is mapped (present). */
  isMapped(va) {
    const pte = this.pteAddr(va, false);
    return pte >= 0 && (this.machine.read32(pte) & PTE.P) !== 0;
  }
  /** Changes the writable bit of a mapped user page (callers flush the TLB if the space is live). */
  protect(va, writable) {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return;
    const e = this.machine.read32(pte);
    if (!(e & PTE.P)) return;
    this.machine.write32(pte, writable ? e | PTE.W : e & ~PTE.W);
  }
  /**
   * Makes this (fresh) space a copy-on-write copy of `src` (fork): every user page of `src` is
   * mapped here to the same frame; writable pages become read-only + COW in both. Returns false if
   * memory ran out (the caller destroys this space). The caller flushes the TLB (src is live).
   */
  cloneFrom(src) {
    const m = this.machine;
    for (let di = MEM.userBase >>> 22; di < MEM.userTop >>> 22; di++) {
      const pde = m.read32(src.pd + di * 4);
      if (!(pde & PTE.P)) continue;
      const spt = pde & FRAME_MASK;
      for (let i = 0; i < 1024; i++) {
        let e = m.read32(spt + i * 4);
        if (!(e & PTE.P)) continue;
        if (e & PTE.W) {
          e = e & ~PTE.W | PTE.COW;
          m.write32(spt + i * 4, e);
        }
        const pte = this.pteAddr((di << 22 | i << 12) >>> 0, true);
        if (pte < 0) return false;
        m.write32(pte, e);
        this.frames.share(e & FRAME_MASK);
        this.pages++;
      }
    }
    return true;
  }
  /**
   * A write to the copy-on-write page at `va`: the page gets a frame of its own ("copied"), or, when
   * no other space shares its frame any more, simply becomes writable again ("reclaimed"). Returns
   * null if `va` is not a COW page, "out-of-memory" if no frame is left. Flushes the TLB.
   */
  breakCow(va) {
    const pte = this.pteAddr(va, false);
    if (pte < 0) return null;
    const m = this.machine;
    const e = m.read32(pte);
    if ((e & (PTE.P | PTE.COW)) !== (PTE.P | PTE.COW)) return null;
    const old = e & FRAME_MASK;
    let outcome = "reclaimed";
    let frame = old;
    if (this.frames.refCount(old) > 1) {
      frame = this.frames.alloc();
      if (frame < 0) return "out-of-memory";
      m.writeCode(frame, m.mem8.subarray(old, old + PAGE));
      this.frames.release(old);
      outcome = "copied";
    }
    m.write32(pte, (frame | e & 4095 | PTE.W) & ~PTE.COW);
    m.flushTlb?.();
    return outcome;
  }
  /** Number of user pages mapped. */
  get pageCount() {
    return this.pages;
  }
  /**
   * Translates a user virtual address as ring 3 would see it: returns the physical address, or -1
   * if the page is absent, supervisor-only, or read-only when `write` is asked.
   */
  translate(va, write) {
    va >>>= 0;
    if (va < MEM.userBase || va >= MEM.userTop) return -1;
    const m = this.machine;
    const pde = m.read32(this.pd + (va >>> 22) * 4);
    if ((pde & (PTE.P | PTE.U)) !== (PTE.P | PTE.U)) return -1;
    const pte = m.read32((pde & FRAME_MASK) + (va >>> 12 & 1023) * 4);
    if ((pte & (PTE.P | PTE.U)) !== (PTE.P | PTE.U)) return -1;
    if (write && !(pte & PTE.W)) {
      if (!(pte & PTE.COW)) return -1;
      const r = this.breakCow(va);
      return r === "copied" || r === "reclaimed" ? this.translate(va, write) : -1;
    }
    return (pte & FRAME_MASK | va & 4095) >>> 0;
  }
  /** Copies `len` bytes from user memory at `va` into `out`; false if any byte is not user-readable. */
  copyIn(va, len, out) {
    const mem = this.machine.mem8;
    let done = 0;
    while (done < len) {
      const pa = this.translate(va + done, false);
      if (pa < 0) return false;
      const n = Math.min(len - done, PAGE - (pa & 4095));
      out.set(mem.subarray(pa, pa + n), done);
      done += n;
    }
    return true;
  }
  /** Checks that [va, va+len) is user-readable (true) without copying. */
  readable(va, len) {
    if (len === 0) return true;
    if (va + len > MEM.userTop || va + len < va) return false;
    for (let p = va & ~4095; p < va + len; p += PAGE) if (this.translate(Math.max(p, va), false) < 0) return false;
    return true;
  }
  /** Copies bytes into user memory at `va`; false if any byte is not user-writable (nothing is partially trusted). */
  copyOut(va, bytes2) {
    const mem = this.machine.mem8;
    let done = 0;
    while (done < bytes2.length) {
      const pa = this.translate(va + done, true);
      if (pa < 0) return false;
      const n = Math.min(bytes2.length - done, PAGE - (pa & 4095));
      mem.set(bytes2.subarray(done, done + n), pa);
      done += n;
    }
    return true;
  }
  /** Writes bytes into user pages regardless of their writable bit (the loader's view); false if unmapped. */
  poke(va, bytes2) {
    let done = 0;
    while (done < bytes2.length) {
      const pte = this.pteAddr(va + done, false);
      if (pte < 0) return false;
      if (this.machine.read32(pte) & PTE.COW && this.breakCow(va + done) === "out-of-memory") return false;
      const e = this.machine.read32(pte);
      if (!(e & PTE.P)) return false;
      const pa = (e & FRAME_MASK) + (va + done & 4095);
      const n = Math.min(bytes2.length - done, PAGE - (pa & 4095));
      this.machine.writeCode(pa, bytes2.subarray(done, done + n));
      done += n;
    }
    return true;
  }
  /**
   * Returns every frame (user pages, page tables, the directory) to the allocator. With
   * `keepDirectory` the directory frame is left to the caller to release: while the CPU may still
   * run on this directory (an exit or exec inside the process's own kernel entry) the frame must not
   * be handed out again — the stub still switches away on it.
   */
  destroy(keepDirectory = false) {
    const m = this.machine;
    for (const pt of this.tables) {
      for (let i = 0; i < 1024; i++) {
        const e = m.read32(pt + i * 4);
        if (e & PTE.P) this.frames.release(e & FRAME_MASK);
      }
      this.frames.release(pt);
    }
    this.tables.length = 0;
    this.pages = 0;
    if (keepDirectory) {
      for (let i = 0; i < 1024; i++) m.write32(this.pd + i * 4, i === 0 ? m.read32(this.pd) : 0);
    } else this.frames.release(this.pd);
  }
  /** Address of the PTE for `va` (creating its page table when `create`), or -1. */
  pteAddr(va, create) {
    va >>>= 0;
    if (va < MEM.userBase || va >= MEM.userTop) return -1;
    const m = this.machine;
    const pdeAddr = this.pd + (va >>> 22) * 4;
    let pde = m.read32(pdeAddr);
    if (!(pde & PTE.P)) {
      if (!create) return -1;
      const pt = this.frames.alloc();
      if (pt < 0) return -1;
      this.tables.push(pt);
      pde = pt | PTE.P | PTE.W | PTE.U;
      m.write32(pdeAddr, pde);
    }
    return (pde & FRAME_MASK) + (va >>> 12 & 1023) * 4;
  }
};
var OutOfMemory = class extends Error {
  constructor() {
    super("out of physical memory");
  }
};

// kernel/kernel.ts
var IGNORE_REPLY = { done: () => 0, failed: () => 0 };
var PARK_MS = 2e3;
var Kernel = class _Kernel {
  machine;
  ipc;
  mode;
  frames;
  kernelPt = 0;
  /** The recorder the kernel was created with, if any. */
  recorder;
  /** The recorder while recording, undefined while paused or without one (setTraceRecording). */
  trace;
  procs = new ProcessTable();
  dispatcher;
  irqs;
  services;
  traps;
  repair;
  io;
  boots;
  modules = /* @__PURE__ */ new Map();
  results = [];
  halted;
  opts;
  firstPid = 1;
  framesAtBoot = 0;
  /** Servers the kernel started itself (startServices): they do not keep a run alive. */
  daemons = /* @__PURE__ */ new Set();
  /** Manifest servers started at least once, and how often each was started again. */
  everStarted = /* @__PURE__ */ new Set();
  restartCount = /* @__PURE__ */ new Map();
  faults;
  /** Kernel-made requests whose server died with them in flight, waiting for its restart (oldest first). */
  parked = [];
  /** Page directories of ended (or exec'd) address spaces, freed at the next kernel entry (see AddressSpace.destroy). */
  lateDirectories = [];
  /** The console's foreground process group (tcsetpgrp); 0 = none. */
  foregroundGroup = 0;
  constructor(machine, opts, boots, modules) {
    this.machine = machine;
    this.opts = opts;
    this.trace = this.recorder = opts.trace;
    opts.trace?.attachClock(machine);
    this.mode = opts.mode ?? (opts.manifest ? "microkernel" : "monolithic");
    this.boots = boots;
    for (const m of [...boots, ...modules]) if (!this.modules.has(m.spec.name)) this.modules.set(m.spec.name, m.image);
    this.frames = new FrameAllocator(machine);
    this.io = new IoPermissions(machine);
    this.repair = new IretRepair(machine);
    const cost = opts.costModel ? new CostMeter(opts.costModel, (ms) => machine.charge(ms)) : void 0;
    this.ipc = new Ipc({
      machine,
      trace: this.trace,
      cost,
      block: (p, w) => this.dispatcher.block(p, w),
      complete: (p, v) => this.dispatcher.complete(p, v),
      handOffTo: (p) => this.dispatcher.handOffTo(p),
      delivered: (d) => {
        if (this.faults && d.priv) this.faults.request(d.priv.name);
      },
      park: (p, server) => this.park(p, server)
    });
    if (opts.faults?.length) this.faults = this.faultInjector(opts.faults, opts.seed ?? 1);
    this.irqs = new IrqRouter((p, irq) => this.ipc.notify(-1, p, 1 << irq));
    this.dispatcher = new Dispatcher(machine, opts.policy ?? new PriorityRoundRobin(), this.procs.live, this.io, this.irqs, this.trace, opts.stub.symbols.get("idle") ?? 0, {
      halted: () => this.halted !== void 0,
      allEnded: () => this.halt("exit"),
      mayWake: () => this.mayWake(),
      alarm: (p) => this.ipc.notify(-1, p, NOTIFY.TIMER),
      beforeLeave: () => {
        if (this.faults && !this.faults.idle) this.faults.strike();
        if (this.parked.length > 0) this.expireParked();
      },
      deadline: () => this.parked.length > 0 ? this.parked[0].deadline : Infinity
    }, cost);
    const available = new Map((opts.services ?? []).map((s) => [s.name, s]));
    if (!available.has("pipe")) available.set("pipe", new PipeService());
    this.services = new Services(machine, available, new PortIo(machine), this.ipc, this.dispatcher, this.irqs, this.trace, (name) => {
      const f = this.faults;
      if (!f || f.idle) return false;
      f.request(name);
      return f.strike(name);
    }, cost, () => this.halted !== void 0);
    this.services.onSignalForeground = (sig) => signalForeground(this, sig);
    this.traps = new Traps(machine, this, this.dispatcher, this.irqs, this.repair, this.trace, {
      halted: () => this.halted !== void 0,
      exitProcess: (p, s, v, sig, r) => this.exitProcess(p, s, v, sig, r)
    }, cost);
    machine.onPortWrite32(HYPERCALL_PORT, (v) => this.hypercall(v));
    machine.onEmulatorFault(() => this.repair.repair(this.dispatcher.current));
    if (opts.onConsole) machine.onSerialOutput(opts.onConsole);
  }
  /** Validates the programs, builds the machine and loads the stub; nothing runs until `run()`. */
  static async create(opts) {
    const boots = opts.programs.map((spec) => ({ spec, image: loadImage(spec.image) }));
    const modules = (opts.modules ?? []).map((spec) => ({ spec, image: loadImage(spec.image) }));
    const machine = await Machine.create({
      multiboot: opts.stub.bytes,
      memoryBytes: opts.memoryBytes,
      deterministic: opts.deterministic,
      seed: opts.seed,
      maxInstructions: opts.maxInstructions,
      hda: opts.hda
    });
    return new _Kernel(machine, opts, boots, modules);
  }
  /**
   * Boots and runs until the machine stops (every program ended, init exited, the instruction limit,
   * a panic or a deadlock). The trace recorder's owner calls its `finish()` afterwards.
   */
  async run() {
    const stop = await this.machine.run();
    return this.finish(stop);
  }
  /** Powers the machine off from the host (an interactive user quit): the run ends with reason "shutdown". */
  powerOff() {
    if (!this.halted) this.halt("shutdown");
  }
  /**
   * For measurement (the benchmarks compare traced and untraced chunks of one run on one machine):
   * stops (false) or resumes (true) recording into the recorder the kernel was created with. While
   * stopped the kernel runs exactly as an untraced one. Events in between are not recorded, so the
   * recorder's output is no longer a whole-run trace. Without a recorder, nothing changes.
   */
  setTraceRecording(on) {
    const tr = on ? this.recorder : void 0;
    this.trace = tr;
    this.traps.trace = tr;
    this.dispatcher.trace = tr;
    this.services.trace = tr;
    this.ipc.tr = tr;
  }
  /** Frees the emulator. */
  destroy() {
    this.machine.destroy();
  }
  /**
   * The machine's state in words, for a debugger stop (`--break-at`): virtual time, instructions,
   * which process runs, and `pid`'s saved registers (its trap frame) and symbolized eip.
   */
  describeState(pid) {
    const m = this.machine;
    const cur = this.dispatcher.current;
    const lines = [`vt ${m.nowUs()} \xB5s, ${m.icount()} instructions; on the CPU: ${cur ? `[pid ${cur.pid} ${cur.name}]` : "idle or the kernel"}`];
    const p = pid >= 0 ? this.procs.get(pid) : cur ?? void 0;
    if (p && p.frame) {
      const r = (off) => "0x" + (m.read32(p.frame + off) >>> 0).toString(16).padStart(8, "0");
      const eip = m.read32(p.frame + FRAME.eip) >>> 0;
      lines.push(`[pid ${p.pid} ${p.name}] ${p.state}${p.wait ? ` (${p.wait.kind})` : ""}, nice ${p.nice}, brk 0x${p.brk.toString(16)}`);
      lines.push(`  eip ${r(FRAME.eip)} ${p.symbolize(eip)}  esp ${r(FRAME.esp)}  eflags ${r(FRAME.eflags)}  cs ${r(FRAME.cs)}`);
      lines.push(`  eax ${r(FRAME.eax)}  ebx ${r(FRAME.ebx)}  ecx ${r(FRAME.ecx)}  edx ${r(FRAME.edx)}`);
      lines.push(`  esi ${r(FRAME.esi)}  edi ${r(FRAME.edi)}  ebp ${r(FRAME.ebp)}`);
    }
    return lines.join("\n");
  }
  /** Frames currently free in the physical allocator. */
  get freeFrames() {
    return this.frames.freeCount + this.lateDirectories.length;
  }
  /** Free frames right after boot set up the kernel page table (before any process existed). */
  get freeFramesAtBoot() {
    return this.framesAtBoot;
  }
  // ---- KernelApi ------------------------------------------------------------------------------
  nowMs() {
    return this.machine.nowMs();
  }
  savedRegister(p, off) {
    return this.machine.mem32[p.frame + off >>> 2];
  }
  process(pid) {
    return this.procs.get(pid);
  }
  processAtOrAfter(pid) {
    const p = this.procs.atOrAfter(pid);
    const t = this.services.taskAtOrAfter(pid);
    return !t ? p : !p ? t : p.pid < t.pid ? p : t;
  }
  block(p, wait) {
    this.dispatcher.block(p, wait);
  }
  complete(p, value) {
    this.dispatcher.complete(p, value);
  }
  yieldCpu(_p) {
    this.dispatcher.yieldCpu();
  }
  requestReschedule(reason) {
    this.dispatcher.requestReschedule(reason);
  }
  setAlarm(p, ms) {
    this.dispatcher.setAlarm(p, ms);
  }
  irqAck(p, irq) {
    return this.irqs.ack(p, irq);
  }
  serviceEndpoint(name) {
    return this.services.endpoint(name);
  }
  serviceRunning(name) {
    return this.services.running(name);
  }
  restarts(name) {
    return this.restartCount.get(name) ?? 0;
  }
  serverInfo(index) {
    const priv = this.opts.manifest?.servers[index];
    if (!priv) return void 0;
    const pid = this.services.endpoint(priv.name);
    return { priv, pid: pid > 0 ? pid : 0, restarts: this.restarts(priv.name), inKernel: this.inKernel(priv.name) };
  }
  isDevice(name) {
    if (name === "console") return true;
    return this.opts.manifest?.servers.some((s) => s.name === name && s.device) ?? false;
  }
  serviceRequest(p, name, w0, w1, w2, payload, replyVa, replyCap, req) {
    return this.services.request(p, name, w0, w1, w2, payload, replyVa, replyCap, req);
  }
  touchUser(p, va, len, write) {
    return touchUser(p, va, len, write);
  }
  userBuffer(p, va, len, write) {
    return userBuffer(p, va, len, write);
  }
  flushTlb() {
    this.machine.flushTlb();
  }
  /**
   * Starts boot module `name` as a child of `parent`; returns the pid or -errno. A manifest server
   * gets its privileges — or, when its service runs in the kernel in this mode, the in-kernel service
   * starts and gets a pid as a service task. Only init and the supervisor may start a server, and
   * only one instance of each runs at a time; starting one again is a restart (traced).
   */
  spawnModule(name, argv, parent) {
    const priv = this.opts.manifest?.servers.find((s) => s.name === name);
    if (priv) {
      if (parent.pid !== this.firstPid && !parent.priv?.supervisor) return -E.PERM;
      if (this.services.running(name)) return -E.BUSY;
      if (this.inKernel(name)) {
        if (this.procs.size >= MAX_PROCS) return -E.AGAIN;
        const pid = this.procs.allocPid();
        this.services.startInKernel(name, pid, parent.pid);
        this.serverStarted(name, pid);
        return pid;
      }
    }
    const image = this.modules.get(name);
    if (!image) return -E.NOENT;
    const p = this.spawn(name, image, argv, parent);
    if (typeof p === "number") return p;
    if (priv) {
      this.grant(p, priv);
      if (this.opts.startServices) this.daemons.add(p);
      this.serverStarted(name, p.pid);
    }
    return p.pid;
  }
  /**
   * A server with a restart policy died while `p` waited on a kernel-made request to it (a POSIX
   * call): while a supervisor runs, the request is kept and sent once more to the restarted server —
   * file requests name their inode and offset, so repeating one is safe (docs/recovery.md says which
   * are not idempotent) — or fails with EIO after PARK_MS of virtual time, or if it kills the
   * restarted server too.
   */
  park(p, server) {
    const priv = server.priv;
    if (!priv?.restart || priv.supervisor || this.halted || p.ipc.resent) return false;
    const sup = this.opts.manifest?.servers.find((s) => s.supervisor);
    if (!sup || this.services.endpoint(sup.name) <= 0) return false;
    this.parked.push({ p, name: priv.name, deadline: this.machine.nowMs() + PARK_MS });
    p.wait = { kind: "service", name: priv.name };
    return true;
  }
  /** Sends the parked requests for `name` to its restarted server `d`. */
  resendParked(name, d) {
    for (let i = 0; i < this.parked.length; ) {
      const w = this.parked[i];
      if (w.name !== name) {
        i++;
        continue;
      }
      this.parked.splice(i, 1);
      const p = w.p;
      if (p.state !== "blocked" || !p.ipc.request) continue;
      p.wait = null;
      p.ipc.resent = true;
      const r = this.ipc.send(p, d);
      if (r !== null) this.failParked(p, r);
    }
  }
  /** Fails parked requests whose server did not come back in time (EIO to the caller). */
  expireParked() {
    const now = this.machine.nowMs();
    while (this.parked.length > 0 && this.parked[0].deadline <= now) {
      const w = this.parked.shift();
      if (w.p.state === "blocked" && w.p.ipc.request) this.failParked(w.p, -E.SRCH);
    }
  }
  failParked(p, err) {
    const req = p.ipc.request;
    p.ipc.request = null;
    p.state = "blocked";
    this.dispatcher.complete(p, req ? req.failed(err) : err);
  }
  /** Counts a server's start: any start after the first is a restart, recorded in the trace. */
  serverStarted(name, pid) {
    if (!this.everStarted.has(name)) {
      this.everStarted.add(name);
      return;
    }
    const n = (this.restartCount.get(name) ?? 0) + 1;
    this.restartCount.set(name, n);
    const m = this.machine;
    this.trace?.action(pid, "restart", { name, count: n });
    const restarted = this.procs.get(pid);
    if (restarted) this.resendParked(name, restarted);
  }
  spawnImage(name, bytes2, argv, parent) {
    if (!isElf(bytes2)) return -E.NOEXEC;
    let image;
    try {
      image = loadImage(bytes2);
    } catch (e) {
      if (e instanceof ElfError || e instanceof Error) return -E.NOEXEC;
      throw e;
    }
    const p = this.spawn(name, image, argv, parent);
    return typeof p === "number" ? p : p.pid;
  }
  liveProcesses() {
    return this.procs.live;
  }
  /** fork(2): the child shares every page copy-on-write, every open file description, cwd, group and ignored signals. */
  fork(p) {
    const m = this.machine;
    const room = this.newProcessRoom();
    if (typeof room === "number") return room;
    const { slot, as } = room;
    const ok = as.cloneFrom(p.as);
    m.flushTlb();
    if (!ok) {
      as.destroy();
      this.procs.freeKstack(slot);
      return -E.NOMEM;
    }
    const pid = this.procs.allocPid();
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const c = new Process(pid, p.name, p.pid, as, slot, kstackTop, p.symbols);
    c.brkStart = p.brkStart;
    c.brk = p.brk;
    c.nice = p.nice;
    c.killRight = p.killRight;
    c.files = p.files ? p.files.fork() : null;
    c.cwd = p.cwd;
    c.pgid = p.pgid;
    c.sigIgnored = p.sigIgnored;
    c.frame = kstackTop - FRAME.sizeRing3;
    m.mem8.copyWithin(c.frame, p.frame, p.frame + FRAME.sizeRing3);
    m.write32(c.frame + FRAME.eax, 0);
    c.syscallOpen = true;
    this.dispatcher.fpu.forked(p, c);
    p.children.add(pid);
    this.procs.add(c);
    this.dispatcher.policy.add(c);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, c.name);
      tr.action(pid, "spawn", { parent: p.pid, argv: [c.name], fork: true });
    }
    return pid;
  }
  exec(p, name, bytes2, argv, envp) {
    const m = this.machine;
    if (!isElf(bytes2)) return -E.NOEXEC;
    let image;
    try {
      image = loadImage(bytes2);
    } catch (e) {
      if (e instanceof ElfError || e instanceof Error) return -E.NOEXEC;
      throw e;
    }
    const as = this.newAddressSpace();
    if (!as) return -E.NOMEM;
    const built = populate(as, image, argv, envp);
    if (typeof built === "number") {
      as.destroy();
      return built === -E.INVAL ? -E.E2BIG : built;
    }
    const t = p.files;
    if (t && t.cloexec) {
      for (let fd = 0; fd < MAX_FDS; fd++) {
        if (!(t.cloexec & 1 << fd)) continue;
        const f = t.remove(fd);
        if (f) this.closeFile(p, f);
      }
    }
    this.retire(p.as);
    this.dispatcher.fpu.discard(p);
    p.as = as;
    p.name = name;
    p.symbols = image.symbols;
    p.brkStart = p.brk = built.end;
    p.frame = writeInitialFrame(m, p.kstackTop, image.entry, built.sp);
    if (this.dispatcher.current === p) this.dispatcher.reloadAddressSpace();
    if (this.trace) {
      this.trace.nameProcess(p.pid, name);
      this.traceLoad(p.pid, name, image);
    }
    return 0;
  }
  /** The trace's `load` event: `image` now runs in process `pid`. */
  traceLoad(pid, name, image) {
    const m = this.machine;
    this.trace?.action(pid, "load", {
      path: name,
      entry: image.entry,
      segments: image.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: flagString(s.flags) })),
      symbols: image.symbols
    });
  }
  /** A fresh address space, or null when no frame is left for its directory. */
  newAddressSpace() {
    try {
      return new AddressSpace(this.machine, this.frames, this.kernelPt);
    } catch (e) {
      if (e instanceof OutOfMemory) return null;
      throw e;
    }
  }
  /** What a new process needs first: a table entry's room, a kernel stack slot and an address space; or -errno. */
  newProcessRoom() {
    if (this.procs.size >= MAX_PROCS) return -E.AGAIN;
    const slot = this.procs.allocKstack();
    if (slot === void 0) return -E.AGAIN;
    const as = this.newAddressSpace();
    if (as) return { slot, as };
    this.procs.freeKstack(slot);
    return -E.NOMEM;
  }
  /** Frees an address space the CPU may still be running on: its directory only at the next kernel entry. */
  retire(as) {
    as.destroy(true);
    this.lateDirectories.push(as.pd);
  }
  closeFile(p, f) {
    if (!release(f) || f.server !== "pipe") return;
    this.services.request(p, "pipe", MSG.PIPE_CLOSE, f.ino, (f.flags & O.ACCMODE) === O.RDONLY ? 0 : 1, null, 0, 0, IGNORE_REPLY);
  }
  reap(parent, child, statusPtr) {
    if (statusPtr !== 0 && !parent.as.writeWord(statusPtr, child.waitStatus())) return -E.FAULT;
    parent.children.delete(child.pid);
    this.procs.remove(child.pid);
    return child.pid;
  }
  /**
   * Ends a process — with an exit status, or killed by `vector` / `signal` — frees its memory and
   * kernel stack, hands its children to nobody, and lets a waiting parent reap it.
   */
  exitProcess(p, status, vector, signal, report) {
    const m = this.machine;
    if (p.state === "zombie") return;
    p.state = "zombie";
    p.wait = null;
    p.exitStatus = status;
    p.killVector = vector;
    p.killSignal = status === null ? signal : null;
    p.report = report;
    if (report && this.opts.onReport) this.opts.onReport(report);
    this.trace?.action(p.pid, "exit", { status, vector, signal: p.killSignal, report });
    this.results.push({ pid: p.pid, name: p.name, status, vector, signal: p.killSignal, report });
    this.procs.died(p);
    this.dispatcher.policy.remove(p);
    this.ipc.processEnded(p, this.procs.values());
    this.services.processEnded(p);
    const files = p.files;
    if (files) for (let fd = 0; fd < MAX_FDS; fd++) {
      const f = files.remove(fd);
      if (f) this.closeFile(p, f);
    }
    if (p.priv) {
      this.irqs.release(p);
      this.io.forget(p);
      if (!p.priv.supervisor) this.notifySupervisor();
    }
    p.files = null;
    this.dispatcher.setAlarm(p, 0);
    this.daemons.delete(p);
    if (!this.opts.startServices && this.opts.manifest && p.pid === this.firstPid) this.halt("shutdown");
    else if (this.daemons.size > 0 && this.procs.live.every((q) => this.daemons.has(q))) this.halt("exit");
    this.retire(p.as);
    this.dispatcher.fpu.discard(p);
    this.procs.freeKstack(p.kstackSlot);
    for (const c of p.children) {
      const child = this.procs.get(c);
      if (!child) continue;
      child.parent = null;
      if (child.state === "zombie") this.procs.remove(c);
    }
    p.children.clear();
    const parent = p.parent !== null ? this.procs.get(p.parent) : void 0;
    if (!parent) this.procs.remove(p.pid);
    else if (parent.state === "blocked" && parent.wait?.kind === "child" && waitMatches(parent.wait.pid, parent, p)) {
      this.dispatcher.complete(parent, this.reap(parent, p, parent.wait.statusPtr));
    }
  }
  // ---- the hypercall --------------------------------------------------------------------------
  /** Entered synchronously from the stub's `out`: handle one kernel entry, then fill the switch block. */
  hypercall(value) {
    this.machine.ensureViews();
    if (this.machine.cpl !== 0) return;
    this.machine.waitForInput = false;
    const late = this.lateDirectories;
    while (late.length > 0) this.frames.release(late.pop());
    if (this.halted) return this.dispatcher.writeHalt();
    try {
      if (value === HYPERCALL_BOOT) return this.boot();
      this.traps.handle(value >>> 0);
    } catch (err) {
      this.halt("panic", err instanceof Error ? err.message : String(err));
    }
  }
  /** The boot hypercall: page tables, the first processes (and services), then the first switch to ring 3. */
  boot() {
    const m = this.machine;
    this.kernelPt = buildKernelPageTable(m, this.frames);
    this.framesAtBoot = this.frames.freeCount;
    m.write32(MEM.switchBlock + SWITCH.picMask, this.irqs.mask);
    for (const { spec, image } of this.boots) {
      const p = this.spawn(spec.name, image, spec.argv ?? [spec.name], null);
      if (p === -E.NOMEM) {
        const kib = image.segments.reduce((n, s) => n + Math.ceil(s.memsz / 4096) * 4, 0);
        return this.halt("idle", `cannot start ${spec.name}: its segments need ${kib} KiB, more than the machine's free memory (${Math.floor(this.machine.memoryBytes / 1048576)} MiB in all; error -ENOMEM)`);
      }
      if (typeof p === "number") throw new KernelPanic(`cannot start ${spec.name}: error ${p}`);
    }
    this.firstPid = this.procs.live[0]?.pid ?? 1;
    this.startBootServices();
    m.write32(MEM.switchBlock + SWITCH.cr3, this.procs.live[0]?.as.pd ?? this.kernelPt);
    this.dispatcher.requestReschedule("start");
    this.dispatcher.leave();
  }
  /**
   * The services the kernel starts itself: with `startServices`, every declared server (ring-3, or
   * in the kernel when its service runs there) and every other in-kernel service; otherwise an
   * in-kernel console when no console server will run (programs still print).
   */
  startBootServices() {
    const declared = this.opts.manifest?.servers ?? [];
    if (this.inKernel("pipe")) this.services.startInKernel("pipe", null, null);
    if (this.opts.startServices) {
      const ring3 = declared.filter((s) => !s.supervisor && !this.inKernel(s.name));
      for (const priv of declared) {
        if (this.inKernel(priv.name) || priv.supervisor && ring3.length === 0) continue;
        const image = this.modules.get(priv.name);
        if (!image) throw new KernelPanic(`cannot start server ${priv.name}: no program for it`);
        const p = this.spawn(priv.name, image, [priv.name], null);
        if (typeof p === "number") throw new KernelPanic(`cannot start server ${priv.name}: error ${p}`);
        this.grant(p, priv);
        this.serverStarted(priv.name, p.pid);
        this.daemons.add(p);
      }
      for (const s of this.opts.services ?? []) if (this.inKernel(s.name)) this.services.startInKernel(s.name, null, null);
      return;
    }
    if (!declared.some((s) => s.name === "console")) this.services.startInKernel("console", null, null);
    if (!this.opts.manifest) for (const s of this.opts.services ?? []) this.services.startInKernel(s.name, null, null);
  }
  /** True if service `name` runs in the kernel in this mode. */
  inKernel(name) {
    if (!this.services.hasInKernel(name)) return false;
    if (this.mode === "monolithic") return true;
    return !(this.opts.manifest?.servers.some((s) => s.name === name) ?? false);
  }
  /** Creates a process running `image`; returns it, or -errno. */
  spawn(name, image, argv, parent) {
    const m = this.machine;
    const room = this.newProcessRoom();
    if (typeof room === "number") return room;
    const { slot, as } = room;
    const built = populate(as, image, argv);
    if (typeof built === "number") {
      as.destroy();
      this.procs.freeKstack(slot);
      return built;
    }
    const pid = this.procs.allocPid();
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const p = new Process(pid, name, parent ? parent.pid : null, as, slot, kstackTop, image.symbols);
    p.brkStart = p.brk = built.end;
    if (parent) {
      parent.children.add(pid);
      p.pgid = parent.pgid;
      p.cwd = parent.cwd;
      p.sigIgnored = parent.sigIgnored;
    }
    const shell = this.opts.manifest?.shell;
    const fromInit = parent !== null && shell !== void 0 && parent.pid === this.firstPid;
    const shellName = shell?.program.slice(shell.program.lastIndexOf("/") + 1);
    p.killRight = !parent || (fromInit ? shell.kill === true && name === shellName : parent.killRight);
    p.nice = this.dispatcher.policy.initialNice(parent);
    p.files = FileTable.standard();
    p.frame = writeInitialFrame(m, kstackTop, image.entry, built.sp);
    this.procs.add(p);
    this.dispatcher.policy.add(p);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, name);
      tr.action(pid, "spawn", { parent: p.parent, argv });
      this.traceLoad(pid, name, image);
    }
    return p;
  }
  /** The fault injector and what it may do to the system. */
  faultInjector(specs, seed) {
    const m = this.machine;
    const k = this;
    return new FaultInjector(specs, seed, {
      machine: m,
      get trace() {
        return k.trace;
      },
      serverProcess: (name) => this.services.serverProcess(name),
      inKernel: (name) => this.inKernel(name) && this.services.running(name),
      kill: (p, report) => this.exitProcess(p, null, null, 9, report),
      stop: (reason, message) => this.halt(reason, message),
      redirect: (p, eip, returnHere) => {
        if (p.state === "zombie") return false;
        const f = p.frame;
        if (returnHere) {
          const sp = m.read32(f + FRAME.esp) - 4 >>> 0;
          const old = m.read32(f + FRAME.eip);
          if (!p.as.copyOut(sp, Uint8Array.of(old, old >>> 8, old >>> 16, old >>> 24))) return false;
          m.write32(f + FRAME.esp, sp);
        }
        m.write32(f + FRAME.eip, eip);
        return true;
      },
      mapFaultCode: (p, code2) => {
        if (!p.as.isMapped(FAULT_CODE_VA) && p.as.mapNew(FAULT_CODE_VA, false) < 0) return false;
        return p.as.poke(FAULT_CODE_VA, code2);
      }
    });
  }
  /** Tells the running supervisor (the reincarnation server), if any, that a server ended. */
  notifySupervisor() {
    const sup = this.opts.manifest?.servers.find((s) => s.supervisor);
    const pid = sup ? this.services.endpoint(sup.name) : -1;
    const p = pid > 0 ? this.procs.get(pid) : void 0;
    if (p && p.state !== "zombie") this.ipc.notify(-1, p, NOTIFY.SERVER);
  }
  /** Gives a freshly started server its manifest privileges: IRQs, I/O ports, send rights. */
  grant(p, priv) {
    p.priv = priv;
    p.killRight = priv.kill === true || priv.supervisor;
    p.nice = SERVER_NICE;
    this.services.registerServer(priv.name, p);
    for (const irq of priv.irqs) this.irqs.own(irq, p);
  }
  // ---- stopping -------------------------------------------------------------------------------
  /**
   * Nothing runs and no timer is due: decides whether to idle (input may still come) or to stop.
   * Returns true to idle; otherwise it has halted the machine.
   */
  mayWake() {
    const interactive = this.opts.manifest !== void 0 && !this.opts.startServices || this.opts.onIdle !== void 0;
    if (!interactive) {
      this.halt("deadlock", `every process is blocked and nothing can wake them: ${this.whoWaits()}`);
      return false;
    }
    if (this.machine.hasPendingInput()) return true;
    if (!this.opts.onIdle) {
      this.machine.waitForInput = true;
      return true;
    }
    if (this.opts.onIdle()) return true;
    this.halt("idle", `every process waits and no more input will come: ${this.whoWaits()}`);
    return false;
  }
  halt(reason, panic) {
    const m = this.machine;
    this.halted = { reason, panic };
    this.trace?.action(-1, "halt", { reason, status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : null });
    this.dispatcher.writeHalt();
    m.requestStop(reason);
  }
  /** "[pid 3 sh] waits for …; …" for every live process. */
  whoWaits() {
    return this.procs.live.map((p) => {
      const w = p.wait;
      let what = p.state;
      if (w?.kind === "child") what = `waits for child ${w.pid}`;
      else if (w?.kind === "service") what = `waits for the ${w.name} service`;
      else if (w?.kind === "ipc") {
        const e = p.ipc;
        what = e.op === 1 /* sending */ ? `sends to ${e.peer?.pid}` : e.op === 3 /* awaiting */ ? `awaits a reply from ${e.peer?.pid}` : "receives";
      }
      return `[pid ${p.pid} ${p.name}] ${what}`;
    }).join("; ");
  }
  firstStatus() {
    const r = this.results.find((x) => x.pid === this.firstPid);
    if (!r) return 0;
    if (r.status !== null) return r.status;
    if (r.vector !== null) return 128 + r.vector;
    return 128 + (r.signal ?? 0);
  }
  finish(stop) {
    const m = this.machine;
    let reason;
    if (this.halted) reason = this.halted.reason;
    else if (stop.kind === "max-instructions") {
      reason = "max-instructions";
      this.trace?.action(-1, "halt", { reason, status: null });
    } else {
      reason = stop.kind === "emulator-fault" ? "panic" : "dead";
      this.trace?.action(-1, "halt", { reason: "panic", status: null });
    }
    const cur = this.dispatcher.current;
    const emu = stop.kind === "emulator-fault" ? `the emulator (v86) cannot continue${cur ? ` in [pid ${cur.pid} ${cur.name}]` : ""}: ${stop.message}` : void 0;
    const still = this.procs.live.filter((p) => !this.daemons.has(p)).map((p) => ({ pid: p.pid, name: p.name, status: null, vector: null, signal: null, report: null }));
    return {
      reason,
      status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : reason === "max-instructions" ? 124 : 70,
      processes: [...this.results, ...still].sort((a2, b) => a2.pid - b.pid),
      icount: m.icount(),
      vtUs: m.nowUs(),
      panic: this.halted?.panic ?? emu ?? (reason === "dead" ? "the CPU halted with interrupts disabled" : void 0)
    };
  }
};

// kernel/service.ts
function reply(w0, w1 = 0, w2 = 0, payload = null) {
  return { w0, w1, w2, payload };
}

// kernel/drivers/line-discipline.ts
var LINE_MAX = 256;
var READY_MAX = 2048;
var NREADERS = 8;
var HIST_N = 16;
var EOF_MARK = 4;
var BS = 8;
var TAB = 9;
var LF = 10;
var CR = 13;
var CTRL_C = 3;
var DEL = 127;
var BEL = 7;
var ESC = 27;
var SP = 32;
var CTRL_A = 1;
var CTRL_E = 5;
var CTRL_U = 21;
var CTRL_W = 23;
var ISIG = 1;
var ICANON = 2;
var ECHO = 8;
var LFLAG_DEFAULT = ISIG | ICANON | ECHO;
var READ_QUEUED = 1;
var isCont = (b) => (b & 192) === 128;
var LineDiscipline = class {
  constructor(echo, deliver, interrupt = () => {
  }) {
    this.echo = echo;
    this.deliver = deliver;
    this.interrupt = interrupt;
  }
  echo;
  deliver;
  interrupt;
  line = new Uint8Array(LINE_MAX);
  lineLen = 0;
  cursor = 0;
  ready = new Uint8Array(READY_MAX);
  readyLen = 0;
  rdPid = new Int32Array(NREADERS);
  rdCnt = new Uint32Array(NREADERS);
  rdN = 0;
  /** Escape parsing: 0 none, 1 after ESC, 2 after ESC [ or ESC O; the numeric parameter. */
  esc = 0;
  escParam = 0;
  /** History: HIST_N lines, oldest first; histPos = the entry shown (histN = the new line). */
  hist = new Uint8Array(HIST_N * LINE_MAX);
  histLen = new Uint16Array(HIST_N);
  histN = 0;
  histPos = 0;
  /** The new line, kept while the history is browsed. */
  draft = new Uint8Array(LINE_MAX);
  draftLen = 0;
  /** c_lflag: ISIG | ICANON | ECHO. */
  lflag = LFLAG_DEFAULT;
  /** Bytes of completed input (lines and end marks) waiting for readers. */
  get queued() {
    return this.readyLen;
  }
  /** Characters in the line being edited. */
  get editing() {
    return this.lineLen;
  }
  /** Readers waiting, oldest first (a copy, for tests and traces). */
  readers() {
    return Array.from(this.rdPid.subarray(0, this.rdN));
  }
  /** The cursor's byte offset in the line being edited. */
  get at() {
    return this.cursor;
  }
  /** Sets the c_lflag bits (ISIG, ICANON, ECHO; others are dropped); the line being edited is discarded. */
  setMode(lflag) {
    this.lflag = lflag & (ISIG | ICANON | ECHO);
    this.lineLen = this.cursor = 0;
    this.esc = 0;
    this.histPos = this.histN;
  }
  /** Discards the typed input no reader has taken yet (completed lines, raw bytes, end marks). */
  flushInput() {
    this.readyLen = 0;
  }
  /** Runs the discipline on one typed byte: echoes, edits, and serves readers when a line or end mark completes. */
  input(byte) {
    let c = byte & 255;
    if ((this.lflag & ICANON) === 0) {
      if (c === CTRL_C && (this.lflag & ISIG) !== 0) {
        this.interrupt();
        return;
      }
      this.out(c);
      this.line[0] = c;
      this.queueInput(this.line, 1);
      this.serveReaders();
      return;
    }
    if (this.esc !== 0) {
      if (this.escape(c)) return;
    }
    if (c === CR) c = LF;
    if (c === LF) {
      this.outRange(this.cursor, this.lineLen);
      this.out(LF);
      this.remember();
      this.line[this.lineLen] = LF;
      this.queueInput(this.line, this.lineLen + 1);
      this.lineLen = this.cursor = 0;
      this.serveReaders();
    } else if (c === BS || c === DEL) {
      if (this.cursor > 0) this.erase(this.prevChar(this.cursor), this.cursor);
    } else if (c === CTRL_C && (this.lflag & ISIG) !== 0) {
      this.lineLen = this.cursor = 0;
      this.histPos = this.histN;
      this.out(94);
      this.out(67);
      this.out(LF);
      this.interrupt();
    } else if (c === EOF_MARK) {
      if (this.lineLen !== 0) return;
      this.line[0] = EOF_MARK;
      this.queueInput(this.line, 1);
      this.serveReaders();
    } else if (c === ESC) {
      this.esc = 1;
      this.escParam = 0;
    } else if (c === CTRL_A) {
      this.home();
    } else if (c === CTRL_E) {
      this.end();
    } else if (c === CTRL_U) {
      if (this.cursor > 0) this.erase(0, this.cursor);
    } else if (c === CTRL_W) {
      let q = this.cursor;
      while (q > 0 && (this.line[q - 1] === SP || this.line[q - 1] === TAB)) q--;
      while (q > 0 && this.line[q - 1] !== SP && this.line[q - 1] !== TAB) q--;
      if (q < this.cursor) this.erase(q, this.cursor);
    } else if (c === TAB || c >= SP) {
      this.insert(c);
    }
  }
  /** One byte of an escape sequence: true if it was taken, false if it ended the sequence and must be processed. */
  escape(c) {
    if (c < SP || c === DEL) {
      this.esc = 0;
      return false;
    }
    if (this.esc === 1) {
      this.esc = c === 91 || c === 79 ? 2 : 0;
      return true;
    }
    if (c >= 48 && c <= 57) {
      if (this.escParam < 1e3) this.escParam = this.escParam * 10 + (c - 48);
      return true;
    }
    if (c < 64) return true;
    this.esc = 0;
    let key = c;
    if (c === 126) key = [0, 72, 0, 51, 70, 0, 0, 72, 70][this.escParam] ?? 0;
    if (key === 65) this.histUp();
    else if (key === 66) this.histDown();
    else if (key === 67) {
      if (this.cursor < this.lineLen) {
        const r = this.nextChar(this.cursor);
        this.outRange(this.cursor, r);
        this.cursor = r;
      }
    } else if (key === 68) {
      if (this.cursor > 0) {
        const q = this.prevChar(this.cursor);
        this.backs(this.cols(q, this.cursor));
        this.cursor = q;
      }
    } else if (key === 72) this.home();
    else if (key === 70) this.end();
    else if (key === 51) {
      if (this.cursor < this.lineLen) this.erase(this.cursor, this.nextChar(this.cursor));
    }
    return true;
  }
  /** Echoes one byte (if ECHO is on). */
  out(b) {
    if ((this.lflag & ECHO) !== 0) this.echo(b);
  }
  /** Echoes line[from, to). */
  outRange(from, to) {
    for (let i = from; i < to; i++) this.out(this.line[i]);
  }
  /** Echoes n "\b" (cursor left n columns). */
  backs(n) {
    for (let i = 0; i < n; i++) this.out(BS);
  }
  /** Columns of line[from, to): its bytes that are not UTF-8 continuation bytes. */
  cols(from, to) {
    let n = 0;
    for (let i = from; i < to; i++) if (!isCont(this.line[i])) n++;
    return n;
  }
  /** The start of the character before offset p (> 0). */
  prevChar(p) {
    do
      p--;
    while (p > 0 && isCont(this.line[p]));
    return p;
  }
  /** The end of the character at offset p (< lineLen). */
  nextChar(p) {
    do
      p++;
    while (p < this.lineLen && isCont(this.line[p]));
    return p;
  }
  home() {
    this.backs(this.cols(0, this.cursor));
    this.cursor = 0;
  }
  end() {
    this.outRange(this.cursor, this.lineLen);
    this.cursor = this.lineLen;
  }
  /** Inserts byte c at the cursor (a bell if the line is full). */
  insert(c) {
    if (this.lineLen >= LINE_MAX - 1) {
      this.out(BEL);
      return;
    }
    const at = this.cursor;
    this.line.copyWithin(at + 1, at, this.lineLen);
    this.line[at] = c;
    this.lineLen++;
    this.cursor++;
    this.out(c);
    if (this.cursor === this.lineLen) return;
    if (c >= 192) return;
    if (isCont(c)) {
      let s = at;
      while (s > 0 && isCont(this.line[s])) s--;
      const lead = this.line[s];
      const need = lead >= 240 ? 4 : lead >= 224 ? 3 : lead >= 192 ? 2 : 1;
      if (this.cursor - s < need) return;
    }
    this.outRange(this.cursor, this.lineLen);
    this.backs(this.cols(this.cursor, this.lineLen));
  }
  /** Erases line[q, r) (the cursor is at q or r): redraws the tail and blanks the freed columns. */
  erase(q, r) {
    const gone = this.cols(q, r);
    this.backs(this.cols(q, this.cursor));
    this.line.copyWithin(q, r, this.lineLen);
    this.lineLen -= r - q;
    this.cursor = q;
    this.outRange(q, this.lineLen);
    for (let i = 0; i < gone; i++) this.out(SP);
    this.backs(this.cols(q, this.lineLen) + gone);
  }
  /** Shows `len` bytes of `src` as the line instead of the current one; the cursor goes to its end. */
  replace(src, len) {
    const old = this.cols(0, this.lineLen);
    this.backs(this.cols(0, this.cursor));
    this.line.set(src.subarray(0, len));
    this.lineLen = this.cursor = len;
    this.outRange(0, len);
    const now = this.cols(0, len);
    if (old > now) {
      for (let i = now; i < old; i++) this.out(SP);
      this.backs(old - now);
    }
  }
  histUp() {
    if (this.histPos === 0) return;
    if (this.histPos === this.histN) {
      this.draft.set(this.line.subarray(0, this.lineLen));
      this.draftLen = this.lineLen;
    }
    this.histPos--;
    this.replace(this.hist.subarray(this.histPos * LINE_MAX), this.histLen[this.histPos]);
  }
  histDown() {
    if (this.histPos === this.histN) return;
    this.histPos++;
    if (this.histPos === this.histN) this.replace(this.draft, this.draftLen);
    else this.replace(this.hist.subarray(this.histPos * LINE_MAX), this.histLen[this.histPos]);
  }
  /** Adds the line (not empty, not the newest entry again) to the history; browsing starts over. */
  remember() {
    const n = this.lineLen;
    this.histPos = this.histN;
    if (n === 0) return;
    if (this.histN > 0 && this.histLen[this.histN - 1] === n) {
      const base = (this.histN - 1) * LINE_MAX;
      let same = true;
      for (let i = 0; i < n; i++) if (this.hist[base + i] !== this.line[i]) same = false;
      if (same) return;
    }
    if (this.histN === HIST_N) {
      this.hist.copyWithin(0, LINE_MAX);
      this.histLen.copyWithin(0, 1);
      this.histN--;
    }
    this.hist.set(this.line.subarray(0, n), this.histN * LINE_MAX);
    this.histLen[this.histN] = n;
    this.histN++;
    this.histPos = this.histN;
  }
  /**
   * A read of at most `count` bytes (unsigned) by `reader`: returns 0 for a zero count, -EAGAIN if
   * NREADERS already wait, else READ_QUEUED — the reader joined the FIFO and the FIFO was served
   * (the reader may already have had its answer through the sink).
   */
  read(reader, count) {
    const cnt = count >>> 0;
    if (cnt === 0) return 0;
    if (this.rdN >= NREADERS) return -E.AGAIN;
    this.rdPid[this.rdN] = reader;
    this.rdCnt[this.rdN] = cnt;
    this.rdN++;
    this.serveReaders();
    return READ_QUEUED;
  }
  /** Forgets every waiting read of `reader` (it ended); the input stays. */
  cancel(reader) {
    let j = 0;
    for (let i = 0; i < this.rdN; i++) {
      if (this.rdPid[i] === reader) continue;
      this.rdPid[j] = this.rdPid[i];
      this.rdCnt[j] = this.rdCnt[i];
      j++;
    }
    this.rdN = j;
  }
  /** Appends `len` bytes of `src` to the input queue, or drops them all if they do not fit. */
  queueInput(src, len) {
    if (this.readyLen + len > READY_MAX) return;
    for (let i = 0; i < len; i++) this.ready[this.readyLen + i] = src[i];
    this.readyLen += len;
  }
  /** While a reader waits and input is queued, answers the oldest reader from the head of the input. */
  serveReaders() {
    while (this.rdN > 0 && this.readyLen > 0) {
      let send, consume;
      if ((this.lflag & ICANON) === 0) {
        send = consume = Math.min(this.readyLen, this.rdCnt[0]);
      } else if (this.ready[0] === EOF_MARK) {
        send = 0;
        consume = 1;
      } else {
        let n = 0;
        do
          n++;
        while (this.ready[n - 1] !== LF && n < this.readyLen);
        send = consume = Math.min(n, this.rdCnt[0]);
      }
      const reader = this.rdPid[0];
      this.popReader();
      if (this.deliver(reader, this.ready.subarray(0, send))) {
        this.ready.copyWithin(0, consume, this.readyLen);
        this.readyLen -= consume;
      }
    }
  }
  /** Drops the oldest waiting reader. */
  popReader() {
    this.rdN--;
    this.rdPid.copyWithin(0, 1, this.rdN + 1);
    this.rdCnt.copyWithin(0, 1, this.rdN + 1);
  }
};

// kernel/drivers/console.ts
var CON_TCGETS = MSG.CON_TCGETS;
var CON_TCSETS = MSG.CON_TCSETS;
var COM12 = 1016;
var UART_RBR = COM12 + 0;
var UART_IER = COM12 + 1;
var UART_FCR = COM12 + 2;
var UART_LCR = COM12 + 3;
var UART_MCR = COM12 + 4;
var UART_LSR = COM12 + 5;
var LSR_DR = 1;
var LSR_THRE = 32;
var CON_IRQ = 4;
var UART_FIFO = 16;
var THRE_POLLS = 1e5;
var DRAIN_MAX = 65536;
var ConsoleService = class {
  name = "console";
  irqs = [CON_IRQ];
  /** The line discipline (exposed for tests and inspection). */
  discipline;
  env;
  ports;
  /** Bytes that may still go into the transmit FIFO before THRE must be seen again. */
  fifoRoom = 0;
  /** The client of the CON_READ being handled (-1: none), and its reply if it was served at once. */
  current = -1;
  currentReply = null;
  /** The immediate reply's payload (the discipline's queue moves on once the line is consumed). */
  readBuf = new Uint8Array(READY_MAX);
  constructor() {
    this.discipline = new LineDiscipline(
      (byte) => this.putc(byte),
      (reader, data) => this.deliver(reader, data),
      () => this.interruptForeground()
    );
  }
  /** Ctrl-C: SIGINT for the foreground process group (the kernel's call; nothing if it has none). */
  interruptForeground() {
    this.env?.signalForeground?.(2);
  }
  /** Programs the UART, takes what it already holds, and enables IRQ 4. */
  start(env) {
    this.env = env;
    this.ports = env.ports;
    this.uartInit();
    this.drain();
    env.irqAck(CON_IRQ);
  }
  /** Serves one MSG.CON_* request (see the header); null = the read waits for a line. */
  request(req) {
    switch (req.w0) {
      case MSG.CON_WRITE: {
        const p = req.payload;
        for (let i = 0; i < p.length; i++) this.putc(p[i]);
        return reply(p.length);
      }
      case MSG.CON_READ: {
        this.current = req.client;
        this.currentReply = null;
        const r = this.discipline.read(req.client, req.w1);
        const served = this.currentReply;
        this.current = -1;
        this.currentReply = null;
        return r === READ_QUEUED ? served : reply(r);
      }
      case MSG.CON_INPUT:
        this.discipline.input(req.w1 & 255);
        return reply(0);
      case CON_TCGETS:
        return reply(this.discipline.lflag);
      case CON_TCSETS:
        this.discipline.setMode(req.w1);
        if (req.w2 === 1) this.discipline.flushInput();
        return reply(0);
      default:
        return reply(-E.NOSYS);
    }
  }
  /** IRQ 4: runs the discipline on every received byte, then unmasks the line. */
  interrupt(irq) {
    if (irq !== CON_IRQ) return;
    this.drain();
    this.env?.irqAck(CON_IRQ);
  }
  /** A waiting reader ended: it is forgotten (typed input stays for the next reader). */
  cancel(client) {
    this.discipline.cancel(client);
  }
  /** COM1: 115200 baud 8N1, FIFOs on and cleared, DTR/RTS/OUT2, receive-data interrupt only. */
  uartInit() {
    const p = this.ports;
    p.outb(UART_IER, 0);
    p.outb(UART_LCR, 128);
    p.outb(UART_RBR, 1);
    p.outb(UART_IER, 0);
    p.outb(UART_LCR, 3);
    p.outb(UART_FCR, 199);
    p.outb(UART_MCR, 11);
    p.outb(UART_IER, 1);
    this.fifoRoom = 0;
  }
  /** Reads and processes every byte the UART holds (while LSR.DR; at most DRAIN_MAX). */
  drain() {
    const p = this.ports;
    for (let n = 0; n < DRAIN_MAX && (p.inb(UART_LSR) & LSR_DR) !== 0; n++) this.discipline.input(p.inb(UART_RBR));
  }
  /** Sends one byte through THR, after THRE when the FIFO may be full. Allocates nothing. */
  putc(byte) {
    const p = this.ports;
    if (this.fifoRoom === 0) {
      for (let n = 0; n < THRE_POLLS && (p.inb(UART_LSR) & LSR_THRE) === 0; n++) ;
      this.fifoRoom = UART_FIFO;
    }
    p.outb(UART_RBR, byte);
    this.fifoRoom--;
  }
  /** Hands a line (or end of input) to a reader: the current CON_READ's reply, or a deferred reply. */
  deliver(reader, data) {
    if (reader === this.current) {
      this.readBuf.set(data);
      this.currentReply = reply(data.length, 0, 0, this.readBuf.subarray(0, data.length));
      return true;
    }
    return this.env !== void 0 && this.env.reply(reader, reply(data.length, 0, 0, data));
  }
};

// kernel/drivers/disk.ts
var ATA_DATA = 496;
var ATA_COUNT = 498;
var ATA_LBA0 = 499;
var ATA_LBA1 = 500;
var ATA_LBA2 = 501;
var ATA_DRIVE = 502;
var ATA_STATUS = 503;
var ATA_CTRL = 1014;
var ST_ERR = 1;
var ST_DRQ = 8;
var ST_DF = 32;
var ST_BSY = 128;
var CMD_READ = 32;
var CMD_WRITE = 48;
var CMD_READ_MULTIPLE = 196;
var CMD_WRITE_MULTIPLE = 197;
var CMD_SET_MULTIPLE = 198;
var CMD_IDENTIFY = 236;
var DISK_IRQ = 14;
var DISK_MAX_COUNT = 8;
var CMD_MAX_COUNT = 256;
var DISK_MULTIPLE = DISK_MAX_COUNT;
var DISK_POLL_LIMIT = 1e5;
var LBA28_LIMIT = 1 << 28;
var DiskService = class {
  name = "disk";
  irqs = [DISK_IRQ];
  /** The disk's size in sectors (0: no usable disk). */
  sectors = 0;
  /** Sectors per DRQ block (and per interrupt): DISK_MULTIPLE once SET MULTIPLE MODE succeeded, else 1. */
  perBlock = 1;
  cmdRead = CMD_READ;
  cmdWrite = CMD_WRITE;
  /** IDENTIFY's word 47, low byte: the most sectors per DRQ block READ/WRITE MULTIPLE can use (0: none). */
  maxMultiple = 0;
  /** Whole-sector access for the in-kernel file system (same drive, same commands). */
  blockDevice;
  env;
  ports;
  pollLimit;
  /** Read data (DISK_READ replies; IDENTIFY). */
  buf = new Uint8Array(IPC_MAX);
  /** buf's first n sectors, for n = 1..DISK_MAX_COUNT (reply payloads without allocating). */
  views = [];
  constructor(opts = {}) {
    this.pollLimit = opts.pollLimit ?? DISK_POLL_LIMIT;
    for (let n = 1; n <= DISK_MAX_COUNT; n++) this.views.push(this.buf.subarray(0, n * SECTOR));
    const self = this;
    this.blockDevice = {
      get sectors() {
        return self.sectors;
      },
      read: (lba, count, into) => this.blockRead(lba, count, into),
      write: (lba, data) => this.blockWrite(lba, data)
    };
  }
  /** Enables IRQ 14 and the drive's interrupt, and learns the disk's size (0 if there is no usable drive). */
  start(env) {
    this.env = env;
    this.ports = env.ports;
    env.irqAck(DISK_IRQ);
    this.perBlock = 1;
    this.cmdRead = CMD_READ;
    this.cmdWrite = CMD_WRITE;
    this.maxMultiple = 0;
    this.sectors = this.identify();
    if (this.sectors > 0 && this.maxMultiple >= DISK_MULTIPLE) this.setMultiple();
  }
  /** Serves one MSG.DISK_* request at once (transfers complete synchronously; see the header). */
  request(req) {
    switch (req.w0) {
      case MSG.DISK_READ: {
        const lba = req.w1 >>> 0, count = req.w2 >>> 0;
        if (!this.valid(lba, count)) return reply(-E.INVAL);
        if (!this.transfer(false, lba, count, this.buf, 0)) return reply(-E.IO);
        return reply(count * SECTOR, 0, 0, this.views[count - 1]);
      }
      case MSG.DISK_WRITE: {
        const lba = req.w1 >>> 0, count = req.w2 >>> 0;
        if (!this.valid(lba, count) || req.payload.length < count * SECTOR) return reply(-E.INVAL);
        if (!this.transfer(true, lba, count, req.payload, 0)) return reply(-E.IO);
        return reply(count * SECTOR);
      }
      case MSG.DISK_SIZE:
        return reply(this.sectors);
      default:
        return reply(-E.NOSYS);
    }
  }
  /** IRQ 14: reads the status register (lowers the drive's interrupt request) and unmasks the line. */
  interrupt(irq) {
    if (irq !== DISK_IRQ) return;
    this.ports.inb(ATA_STATUS);
    this.env.irqAck(DISK_IRQ);
  }
  /** True if `count` (1–8) sectors from `lba` lie on the disk. */
  valid(lba, count) {
    return count >= 1 && count <= DISK_MAX_COUNT && lba < this.sectors && count <= this.sectors - lba;
  }
  /** BlockDevice.read: `count` sectors from `lba` into `into`; false if out of range or on a device error. */
  blockRead(lba, count, into) {
    if (!this.inRange(lba, count) || into.length < count * SECTOR) return false;
    for (let done = 0; done < count; done += CMD_MAX_COUNT) {
      if (!this.transfer(false, lba + done, Math.min(CMD_MAX_COUNT, count - done), into, done * SECTOR)) return false;
    }
    return true;
  }
  /** BlockDevice.write: `data` (whole sectors) at `lba`; false if out of range, not whole sectors, or on a device error. */
  blockWrite(lba, data) {
    const count = data.length / SECTOR;
    if (!Number.isInteger(count) || !this.inRange(lba, count)) return false;
    for (let done = 0; done < count; done += CMD_MAX_COUNT) {
      if (!this.transfer(true, lba + done, Math.min(CMD_MAX_COUNT, count - done), data, done * SECTOR)) return false;
    }
    return true;
  }
  /** True if the whole sectors [lba, lba + count) lie on the disk (count 0: any lba ≤ size). */
  inRange(lba, count) {
    return Number.isInteger(lba) && lba >= 0 && count >= 0 && lba + count <= this.sectors;
  }
  /** disk.asm's disk_init: nIEN = 0, select the master, IDENTIFY; the size in sectors, or 0. */
  identify() {
    const p = this.ports;
    p.outb(ATA_CTRL, 0);
    p.outb(ATA_DRIVE, 160);
    const st = p.inb(ATA_CTRL);
    if (st === 255 || st === 0) return 0;
    if (!this.waitNotBusy()) return 0;
    p.outb(ATA_STATUS, CMD_IDENTIFY);
    if (!this.waitDrq()) return 0;
    this.pioIn(this.buf, 0, 1);
    const b = this.buf;
    this.maxMultiple = b[94];
    const words6061 = (b[120] | b[121] << 8 | b[122] << 16 | b[123] << 24) >>> 0;
    return Math.min(words6061, LBA28_LIMIT);
  }
  /** disk.asm's set_multiple: SET MULTIPLE MODE with DISK_MULTIPLE; on success transfers use READ/WRITE MULTIPLE. */
  setMultiple() {
    const p = this.ports;
    if (!this.waitNotBusy()) return;
    p.outb(ATA_COUNT, DISK_MULTIPLE);
    p.outb(ATA_STATUS, CMD_SET_MULTIPLE);
    if (!this.waitNotBusy() || (p.inb(ATA_CTRL) & (ST_ERR | ST_DF)) !== 0) return;
    this.perBlock = DISK_MULTIPLE;
    this.cmdRead = CMD_READ_MULTIPLE;
    this.cmdWrite = CMD_WRITE_MULTIPLE;
  }
  /**
   * Runs the read (or, `write`, the write) command chosen at start for `count` (1–256) sectors at
   * `lba`, moving the data to or from `data` at `offset` one DRQ block (perBlock sectors, fewer at
   * the end) at a time. False if the drive stays busy, reports ERR/DF, or never asks for data.
   */
  transfer(write, lba, count, data, offset) {
    const p = this.ports;
    if (!this.waitNotBusy()) return false;
    p.outb(ATA_DRIVE, 224 | lba >>> 24 & 15);
    p.outb(ATA_COUNT, count & 255);
    p.outb(ATA_LBA0, lba & 255);
    p.outb(ATA_LBA1, lba >>> 8 & 255);
    p.outb(ATA_LBA2, lba >>> 16 & 255);
    p.outb(ATA_STATUS, write ? this.cmdWrite : this.cmdRead);
    for (let s = 0; s < count; s += this.perBlock) {
      if (!this.waitDrq()) return false;
      const at = offset + s * SECTOR, n = Math.min(this.perBlock, count - s);
      if (!write) {
        this.pioIn(data, at, n);
      } else {
        this.pioOut(data, at, n);
        if (!this.waitNotBusy()) return false;
        if ((p.inb(ATA_CTRL) & (ST_ERR | ST_DF)) !== 0) return false;
      }
    }
    return true;
  }
  /** Polls the alternate status until BSY clears; false after pollLimit polls. */
  waitNotBusy() {
    const p = this.ports;
    for (let n = 0; n < this.pollLimit; n++) if ((p.inb(ATA_CTRL) & ST_BSY) === 0) return true;
    return false;
  }
  /** Polls the alternate status until the drive wants data (DRQ, not BSY); false on ERR/DF or after pollLimit polls. */
  waitDrq() {
    const p = this.ports;
    for (let n = 0; n < this.pollLimit; n++) {
      const st = p.inb(ATA_CTRL);
      if ((st & ST_BSY) !== 0) continue;
      if ((st & (ST_ERR | ST_DF)) !== 0) return false;
      if ((st & ST_DRQ) !== 0) return true;
    }
    return false;
  }
  /** Reads `n` sectors from the data port into `into` at `at` (128 32-bit reads each). Allocates nothing. */
  pioIn(into, at, n) {
    const p = this.ports;
    for (let i = at, end = at + n * SECTOR; i < end; i += 4) {
      const v = p.inl(ATA_DATA);
      into[i] = v;
      into[i + 1] = v >>> 8;
      into[i + 2] = v >>> 16;
      into[i + 3] = v >>> 24;
    }
  }
  /** Writes `n` sectors from `data` at `at` to the data port (128 32-bit writes each). Allocates nothing. */
  pioOut(data, at, n) {
    const p = this.ports;
    for (let i = at, end = at + n * SECTOR; i < end; i += 4) {
      p.outl(ATA_DATA, data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
    }
  }
};

// kernel/drivers/keyboard.ts
var KBD_DATA = 96;
var KBD_STATUS = 100;
var ST_OUTFULL = 1;
var ST_INFULL = 2;
var ST_AUX = 32;
var KBD_IRQ = 1;
var POLL_LIMIT = 1e5;
var SC_LCTRL = 29;
var SC_LSHIFT = 42;
var SC_RSHIFT = 54;
var SC_CAPS = 58;
var SC_E0 = 224;
var KEYMAP = bytes("\0\x1B1234567890-=\b	qwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ");
var KEYMAP_SHIFT = bytes('\0\x1B!@#$%^&*()_+\b	QWERTYUIOP{}\n\0ASDFGHJKL:"~\0|ZXCVBNM<>?\0*\0 ');
var KEY_SEQ = 256;
var E0_KEYS = { 72: 65, 80: 66, 77: 67, 75: 68, 71: 72, 79: 70, 83: 51 };
function bytes(s) {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
var Set1Translator = class {
  /** bit 0 left, bit 1 right */
  shift = 0;
  ctrl = 0;
  caps = false;
  prefix = false;
  /** Feeds one scan code: the character it makes (0–0x7f), KEY_SEQ | x for a cursor key, or -1 for none. Allocates nothing. */
  feed(code2) {
    const c = code2 & 255;
    if (c === SC_E0) {
      this.prefix = true;
      return -1;
    }
    const key = c & 127;
    const released = (c & 128) !== 0;
    if (this.prefix) {
      this.prefix = false;
      if (key === SC_LCTRL) {
        this.ctrl = released ? this.ctrl & ~2 : this.ctrl | 2;
        return -1;
      }
      if (released) return -1;
      if (key === 28) return 10;
      if (key === 53) return 47;
      const x = E0_KEYS[key];
      return x === void 0 ? -1 : KEY_SEQ | x;
    }
    if (key === SC_LSHIFT || key === SC_RSHIFT) {
      const bit = key === SC_LSHIFT ? 1 : 2;
      this.shift = released ? this.shift & ~bit : this.shift | bit;
      return -1;
    }
    if (key === SC_LCTRL) {
      this.ctrl = released ? this.ctrl & ~1 : this.ctrl | 1;
      return -1;
    }
    if (released) return -1;
    if (key === SC_CAPS) {
      this.caps = !this.caps;
      return -1;
    }
    if (key >= KEYMAP.length) return -1;
    let ch = (this.shift !== 0 ? KEYMAP_SHIFT : KEYMAP)[key];
    if (ch === 0) return -1;
    const lower = ch | 32;
    if (lower >= 97 && lower <= 122) {
      if (this.caps) ch ^= 32;
      if (this.ctrl !== 0) ch &= 31;
    }
    return ch;
  }
};
var KeyboardService = class {
  name = "keyboard";
  irqs = [KBD_IRQ];
  /** The scan code translation (exposed for tests and inspection). */
  translator = new Set1Translator();
  env;
  ports;
  inputReq = { client: 0, w0: MSG.CON_INPUT, w1: 0, w2: 0, payload: new Uint8Array(0), replyCap: 0 };
  /** Enables the keyboard (configuration byte, scanning) and IRQ 1. */
  start(env) {
    this.env = env;
    this.ports = env.ports;
    this.kbdInit();
    env.irqAck(KBD_IRQ);
  }
  /**
   * The keyboard serves no requests: -ENOSYS. (Its ring-3 counterpart receives only from HARDWARE,
   * so a sender would wait forever; no manifest entry may send to it.)
   */
  request(_req) {
    return reply(-E.NOSYS);
  }
  /** IRQ 1: translates every waiting keyboard byte and sends its character to the console, then unmasks the line. */
  interrupt(irq) {
    if (irq !== KBD_IRQ) return;
    const p = this.ports;
    for (let n = 0; n < POLL_LIMIT; n++) {
      const st = p.inb(KBD_STATUS);
      if ((st & ST_OUTFULL) === 0) break;
      const code2 = p.inb(KBD_DATA);
      if ((st & ST_AUX) !== 0) continue;
      const ch = this.translator.feed(code2);
      if (ch >= KEY_SEQ) {
        this.sendChar(27);
        this.sendChar(91);
        this.sendChar(ch & 255);
        if ((ch & 255) === 51) this.sendChar(126);
      } else if (ch >= 0) this.sendChar(ch);
    }
    this.env.irqAck(KBD_IRQ);
  }
  /** Sends one character to the console service as CON_INPUT (dropped if there is no console). */
  sendChar(ch) {
    const console = this.env.service("console");
    if (!console) return;
    this.inputReq.w1 = ch;
    console.request(this.inputReq);
  }
  /** The 8042 setup of keyboard.asm's kbd_init (bounded waits; leftovers discarded). */
  kbdInit() {
    this.flushOutput();
    this.writeCommand(32);
    let config = this.readData();
    if (config < 0) config = 5;
    config = (config | 1) & ~16;
    this.writeCommand(96);
    this.writeData(config);
    this.writeData(244);
    this.readData();
    this.flushOutput();
  }
  /** Discards every byte waiting in the output buffer (at most POLL_LIMIT). */
  flushOutput() {
    const p = this.ports;
    for (let n = 0; n < POLL_LIMIT && (p.inb(KBD_STATUS) & ST_OUTFULL) !== 0; n++) p.inb(KBD_DATA);
  }
  /** Waits (at most POLL_LIMIT polls) until the controller can take a byte. */
  waitInputEmpty() {
    const p = this.ports;
    for (let n = 0; n < POLL_LIMIT && (p.inb(KBD_STATUS) & ST_INFULL) !== 0; n++) ;
  }
  /** Sends a controller command to port 0x64. */
  writeCommand(cmd) {
    this.waitInputEmpty();
    this.ports.outb(KBD_STATUS, cmd);
  }
  /** Sends a byte to port 0x60 (to the keyboard, or a command's argument). */
  writeData(value) {
    this.waitInputEmpty();
    this.ports.outb(KBD_DATA, value);
  }
  /** The next byte of the output buffer, or -1 if none came within POLL_LIMIT polls. */
  readData() {
    const p = this.ports;
    for (let n = 0; n < POLL_LIMIT; n++) if ((p.inb(KBD_STATUS) & ST_OUTFULL) !== 0) return p.inb(KBD_DATA);
    return -1;
  }
};

// kernel/fs/errors.ts
var ImageError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "ImageError";
  }
};
var NoSpaceError = class extends ImageError {
  constructor(message) {
    super(message);
    this.name = "NoSpaceError";
  }
};
var DeviceError = class extends ImageError {
  constructor(message) {
    super(message);
    this.name = "DeviceError";
  }
};

// kernel/fs/layout.ts
var BLOCK_SIZE = 4096;
var SECTOR_SIZE = 512;
var SECTORS_PER_BLOCK = BLOCK_SIZE / SECTOR_SIZE;
var MAGIC = 1397117778;
var VERSION = 1;
var INODE_SIZE = 64;
var INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
var DIRENT_SIZE = 32;
var DIRENTS_PER_BLOCK = BLOCK_SIZE / DIRENT_SIZE;
var NAME_MAX = 27;
var NDIRECT = 12;
var NINDIRECT = BLOCK_SIZE / 4;
var MAX_BLOCKS = NDIRECT + NINDIRECT;
var MAX_FILE_SIZE = MAX_BLOCKS * BLOCK_SIZE;
var ROOT_INODE = 1;
var TYPE_FREE = 0;
var TYPE_FILE = 1;
var TYPE_DIR = 2;
var BITS_PER_BLOCK = BLOCK_SIZE * 8;
var SB = {
  magic: 0,
  version: 4,
  blockSize: 8,
  totalBlocks: 12,
  bitmapStart: 16,
  bitmapBlocks: 20,
  inodeStart: 24,
  inodeBlocks: 28,
  inodeCount: 32,
  dataStart: 36,
  rootInode: 40,
  reserved: 44
};
var INODE = { type: 0, links: 2, size: 4, direct: 8, indirect: 56, reserved: 60 };
function layoutFor(totalBlocks, inodeCount) {
  const bitmapBlocks = Math.ceil(totalBlocks / BITS_PER_BLOCK);
  const inodeBlocks = Math.ceil(inodeCount / INODES_PER_BLOCK);
  const inodeStart = 1 + bitmapBlocks;
  return {
    totalBlocks,
    bitmapStart: 1,
    bitmapBlocks,
    inodeStart,
    inodeBlocks,
    inodeCount,
    dataStart: inodeStart + inodeBlocks,
    rootInode: ROOT_INODE
  };
}
function encodeSuperblock(sb, block0) {
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const put2 = (off, x) => v.setUint32(off, x, true);
  put2(SB.magic, MAGIC);
  put2(SB.version, VERSION);
  put2(SB.blockSize, BLOCK_SIZE);
  put2(SB.totalBlocks, sb.totalBlocks);
  put2(SB.bitmapStart, sb.bitmapStart);
  put2(SB.bitmapBlocks, sb.bitmapBlocks);
  put2(SB.inodeStart, sb.inodeStart);
  put2(SB.inodeBlocks, sb.inodeBlocks);
  put2(SB.inodeCount, sb.inodeCount);
  put2(SB.dataStart, sb.dataStart);
  put2(SB.rootInode, sb.rootInode);
}
function checkSuperblock(block0, imageBytes) {
  if (block0 === null || imageBytes < BLOCK_SIZE) return { problems: [`image is ${imageBytes} bytes, too small for a superblock (${BLOCK_SIZE})`] };
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const u322 = (off) => v.getUint32(off, true);
  const magic = u322(SB.magic);
  if (magic !== MAGIC) return { problems: [`superblock: bad magic 0x${magic.toString(16).padStart(8, "0")} (an RSFS image starts with "RSFS")`] };
  const problems = [];
  if (u322(SB.version) !== VERSION) problems.push(`superblock: version ${u322(SB.version)}, expected ${VERSION}`);
  if (u322(SB.blockSize) !== BLOCK_SIZE) problems.push(`superblock: block_size ${u322(SB.blockSize)}, expected ${BLOCK_SIZE}`);
  const totalBlocks = u322(SB.totalBlocks);
  const inodeCount = u322(SB.inodeCount);
  const fits = Math.floor(imageBytes / BLOCK_SIZE);
  if (totalBlocks !== fits) problems.push(`superblock: total_blocks ${totalBlocks}, but the image holds ${fits} blocks`);
  if (inodeCount === 0 || inodeCount % INODES_PER_BLOCK !== 0) problems.push(`superblock: inode_count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
  const want = layoutFor(totalBlocks, inodeCount);
  const fields = [
    ["bitmap_start", SB.bitmapStart, want.bitmapStart],
    ["bitmap_blocks", SB.bitmapBlocks, want.bitmapBlocks],
    ["inode_start", SB.inodeStart, want.inodeStart],
    ["inode_blocks", SB.inodeBlocks, want.inodeBlocks],
    ["data_start", SB.dataStart, want.dataStart],
    ["root_inode", SB.rootInode, want.rootInode]
  ];
  for (const [name, off, expected] of fields) {
    if (u322(off) !== expected) problems.push(`superblock: ${name} ${u322(off)}, expected ${expected}`);
  }
  if (want.dataStart > totalBlocks) problems.push(`superblock: the metadata (${want.dataStart} blocks) does not fit in ${totalBlocks} blocks`);
  if (block0.subarray(SB.reserved, BLOCK_SIZE).some((b) => b !== 0)) problems.push("superblock: reserved bytes (44\u20134095 of block 0) are not zero");
  return problems.length > 0 ? { problems } : { sb: want, problems };
}
function mountableSuperblock(block0, diskSectors) {
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const u322 = (off) => v.getUint32(off, true);
  if (u322(SB.magic) !== MAGIC || u322(SB.version) !== VERSION || u322(SB.blockSize) !== BLOCK_SIZE || u322(SB.rootInode) !== ROOT_INODE) return void 0;
  const totalBlocks = u322(SB.totalBlocks);
  const inodeCount = u322(SB.inodeCount);
  if (totalBlocks >= 1 << 28 || totalBlocks * SECTORS_PER_BLOCK > diskSectors) return void 0;
  if (inodeCount === 0 || inodeCount % INODES_PER_BLOCK !== 0) return void 0;
  const want = layoutFor(totalBlocks, inodeCount);
  if (u322(SB.bitmapStart) !== want.bitmapStart || u322(SB.bitmapBlocks) !== want.bitmapBlocks || u322(SB.inodeStart) !== want.inodeStart) return void 0;
  if (u322(SB.inodeBlocks) !== want.inodeBlocks || u322(SB.dataStart) !== want.dataStart || want.dataStart >= totalBlocks) return void 0;
  return want;
}

// kernel/fs/inode.ts
var Inode = class {
  /** The inode's number (its index in the inode table). */
  ino = 0;
  /** The 64 bytes as on the disk. */
  raw = new Uint8Array(INODE_SIZE);
  view = new DataView(this.raw.buffer);
  /** 0 free, 1 regular file, 2 directory (anything else: a damaged inode). */
  get type() {
    return this.view.getUint16(INODE.type, true);
  }
  /** Directory entries naming it: 1 while in use. */
  get links() {
    return this.view.getUint16(INODE.links, true);
  }
  /** Size in bytes. */
  get size() {
    return this.view.getUint32(INODE.size, true);
  }
  set size(bytes2) {
    this.view.setUint32(INODE.size, bytes2, true);
  }
  /** The indirect block's number (0 = none). */
  get indirect() {
    return this.view.getUint32(INODE.indirect, true);
  }
  set indirect(block) {
    this.view.setUint32(INODE.indirect, block, true);
  }
  /** The reserved word (0 in a sound inode). */
  get reserved() {
    return this.view.getUint32(INODE.reserved, true);
  }
  /** Block number of direct pointer k (0 = a hole). */
  direct(k) {
    return this.view.getUint32(INODE.direct + 4 * k, true);
  }
  /** Sets direct pointer k. */
  setDirect(k, block) {
    this.view.setUint32(INODE.direct + 4 * k, block, true);
  }
  /** Makes this a new inode `ino`: `type`, links 1, everything else 0 (TYPE_FREE: all zero). */
  init(ino, type) {
    this.ino = ino;
    this.raw.fill(0);
    if (type !== TYPE_FREE) {
      this.view.setUint16(INODE.type, type, true);
      this.view.setUint16(INODE.links, 1, true);
    }
    return this;
  }
};

// kernel/fs/block-cache.ts
function isMapped(device) {
  return typeof device.map === "function";
}
var DEFAULT_SLOTS = 16;
var BlockCache = class {
  device;
  /** Whole 4 KiB blocks on the device. */
  blocks;
  mapped;
  views = [];
  slotBlock;
  slotUse;
  slotData;
  clock = 0;
  scratch = new Uint8Array(BLOCK_SIZE);
  /** A cache of `slots` blocks over `device` (none if the device is mapped). */
  constructor(device, slots = DEFAULT_SLOTS) {
    this.device = device;
    this.blocks = Math.floor(device.sectors / SECTORS_PER_BLOCK);
    this.mapped = isMapped(device) ? device : null;
    const n = this.mapped ? 0 : slots;
    this.slotBlock = new Int32Array(n).fill(-1);
    this.slotUse = new Float64Array(n);
    this.slotData = Array.from({ length: n }, () => new Uint8Array(BLOCK_SIZE));
  }
  /**
   * Block b's 4096 bytes (read on a miss). The buffer stays valid until `slots` other blocks have
   * been fetched; change it only together with `sync`. Throws DeviceError if the read fails.
   */
  get(b) {
    if (this.mapped) return this.view(b);
    const slot = this.find(b);
    if (slot >= 0) return this.slotData[slot];
    const claimed = this.claim(b);
    const data = this.slotData[claimed];
    this.slotBlock[claimed] = -1;
    if (!this.device.read(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, data)) throw new DeviceError(`disk read of block ${b} failed`);
    this.slotBlock[claimed] = b;
    return data;
  }
  /** Block b as zeros, not read: the caller fills it and writes all of it with `sync(b, buf, 0, BLOCK_SIZE)`. */
  fresh(b) {
    if (this.mapped) return this.view(b).fill(0);
    const slot = this.find(b);
    return this.slotData[slot >= 0 ? slot : this.claim(b)].fill(0);
  }
  /** Writes bytes [from, to) of block b's buffer (from get/fresh) to the device: the sectors holding them. */
  sync(b, buf, from, to) {
    if (this.mapped || to <= from) return;
    const first = Math.floor(from / SECTOR_SIZE);
    const last = Math.floor((to - 1) / SECTOR_SIZE);
    this.writeSectors(b * SECTORS_PER_BLOCK + first, buf.subarray(first * SECTOR_SIZE, (last + 1) * SECTOR_SIZE));
  }
  /** Forgets block b (it was freed, or written around the cache). */
  drop(b) {
    const slot = this.find(b);
    if (slot >= 0) {
      this.slotBlock[slot] = -1;
      this.slotUse[slot] = 0;
    }
  }
  /** Forgets every block (after a device error, or before reading what others may have changed). */
  reset() {
    this.slotBlock.fill(-1);
    this.slotUse.fill(0);
  }
  /** Copies bytes [off, off+len) of data block b into `into` at `at`, around the cache. */
  readData(b, off, len, into, at) {
    if (this.mapped) return void into.set(this.view(b).subarray(off, off + len), at);
    if (off === 0 && len === BLOCK_SIZE) return this.readSectors(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, into.subarray(at, at + BLOCK_SIZE));
    const first = Math.floor(off / SECTOR_SIZE);
    const last = Math.floor((off + len - 1) / SECTOR_SIZE);
    this.readSectors(b * SECTORS_PER_BLOCK + first, last - first + 1, this.scratch);
    into.set(this.scratch.subarray(off - first * SECTOR_SIZE, off - first * SECTOR_SIZE + len), at);
  }
  /**
   * Writes `data` at byte `off` of data block b, around the cache. A `fresh` block (just allocated)
   * is written whole, zeros around the data; an old one has the sectors the data only partly
   * covers read, patched and written back.
   */
  writeData(b, off, data, fresh) {
    this.drop(b);
    if (this.mapped) {
      const view = this.view(b);
      if (fresh) view.fill(0);
      return void view.set(data, off);
    }
    const lba = b * SECTORS_PER_BLOCK;
    if (off === 0 && data.length === BLOCK_SIZE) return this.writeSectors(lba, data);
    if (fresh) {
      this.scratch.fill(0);
      this.scratch.set(data, off);
      return this.writeSectors(lba, this.scratch);
    }
    const first = Math.floor(off / SECTOR_SIZE);
    const last = Math.floor((off + data.length - 1) / SECTOR_SIZE);
    const count = last - first + 1;
    const start = off - first * SECTOR_SIZE;
    if (start % SECTOR_SIZE !== 0 || (off + data.length) % SECTOR_SIZE !== 0) this.readSectors(lba + first, count, this.scratch);
    this.scratch.set(data, start);
    this.writeSectors(lba + first, this.scratch.subarray(0, count * SECTOR_SIZE));
  }
  /** Every byte of the device (a snapshot to restore a failed edit from), read 8 sectors at a time. */
  snapshot() {
    if (this.mapped) return this.mapped.map(0, this.device.sectors).slice();
    const out = new Uint8Array(this.device.sectors * SECTOR_SIZE);
    for (let lba = 0; lba < this.device.sectors; lba += SECTORS_PER_BLOCK) {
      const n = Math.min(SECTORS_PER_BLOCK, this.device.sectors - lba);
      this.readSectors(lba, n, out.subarray(lba * SECTOR_SIZE, (lba + n) * SECTOR_SIZE));
    }
    return out;
  }
  /** Puts back a snapshot taken with `snapshot`. */
  restore(bytes2) {
    this.reset();
    if (this.mapped) return void this.mapped.map(0, this.device.sectors).set(bytes2);
    for (let lba = 0; lba * SECTOR_SIZE < bytes2.length; lba += SECTORS_PER_BLOCK) {
      this.writeSectors(lba, bytes2.subarray(lba * SECTOR_SIZE, Math.min(bytes2.length, (lba + SECTORS_PER_BLOCK) * SECTOR_SIZE)));
    }
  }
  /** Block b's live view on a mapped device (made once per block). */
  view(b) {
    let v = this.views[b];
    if (v === void 0) {
      if (!(b >= 0 && b < this.blocks)) throw new DeviceError(`block ${b} is not on the disk (${this.blocks} blocks)`);
      v = this.mapped.map(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK);
      this.views[b] = v;
    }
    return v;
  }
  /** The slot holding block b, stamped as just used; -1 if none. */
  find(b) {
    for (let s = 0; s < this.slotBlock.length; s++) {
      if (this.slotBlock[s] === b) {
        this.slotUse[s] = ++this.clock;
        return s;
      }
    }
    return -1;
  }
  /** The least recently used slot, now holding block b (its contents stale). */
  claim(b) {
    if (!(b >= 0 && b < this.blocks)) throw new DeviceError(`block ${b} is not on the disk (${this.blocks} blocks)`);
    let slot = 0;
    for (let s = 1; s < this.slotUse.length; s++) if (this.slotUse[s] < this.slotUse[slot]) slot = s;
    this.slotBlock[slot] = b;
    this.slotUse[slot] = ++this.clock;
    return slot;
  }
  /** Reads `count` sectors from `lba` into `into`; DeviceError if the device refuses. */
  readSectors(lba, count, into) {
    if (!this.device.read(lba, count, into)) throw new DeviceError(`disk read of ${count} sectors at ${lba} failed`);
  }
  /** Writes whole sectors at `lba`; DeviceError if the device refuses. */
  writeSectors(lba, data) {
    if (!this.device.write(lba, data)) throw new DeviceError(`disk write of ${data.length / SECTOR_SIZE} sectors at ${lba} failed`);
  }
};

// kernel/fs/fsck.ts
var fromUtf8 = new TextDecoder();
function nameLength(raw) {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw.length : nul;
}
function printable(raw) {
  return JSON.stringify(fromUtf8.decode(raw));
}
function u32(bytes2, off) {
  return (bytes2[off] | bytes2[off + 1] << 8 | bytes2[off + 2] << 16 | bytes2[off + 3] << 24) >>> 0;
}
function fsck(fs2) {
  const { problems } = checkSuperblock(fs2.imageBytes >= BLOCK_SIZE ? fs2.readMetaBlock(0) : null, fs2.imageBytes);
  if (problems.length > 0) return problems;
  const sb = fs2.superblock;
  const p = [];
  const N = sb.inodeCount;
  const T = sb.totalBlocks;
  const paths = /* @__PURE__ */ new Map([[ROOT_INODE, "/"]]);
  const label = (i) => paths.has(i) ? `inode ${i} (${paths.get(i)})` : `inode ${i}`;
  const rootType = fs2.inodeType(ROOT_INODE);
  if (rootType !== TYPE_DIR) p.push(`inode 1 (/): the root is not a directory (type ${rootType})`);
  else {
    const queue = [ROOT_INODE];
    while (queue.length > 0) {
      const dir = queue.shift();
      const dirPath = paths.get(dir);
      const seen = /* @__PURE__ */ new Set();
      fs2.forEachEntry(fs2.readInode(dir), (slot, child, raw) => {
        const len = nameLength(raw);
        const name = fromUtf8.decode(raw.subarray(0, len));
        const childPath = (dirPath === "/" ? "/" : dirPath + "/") + name;
        const bad = len === 0 || len > NAME_MAX || raw.subarray(0, len).includes(47) || raw.subarray(len).some((b) => b !== 0);
        if (bad) p.push(`${dirPath}: entry ${slot}: bad name ${printable(raw.subarray(0, Math.min(len, DIRENT_SIZE - 4)))}`);
        else if (seen.has(name)) p.push(`${dirPath}: entry ${slot}: duplicate name "${name}"`);
        seen.add(name);
        if (child >= N) return void p.push(`${childPath}: entry names inode ${child}, past the inode table (${N} inodes)`);
        const t = fs2.inodeType(child);
        if (t === TYPE_FREE) return void p.push(`${childPath}: entry names inode ${child}, which is free`);
        if (paths.has(child)) return void p.push(`inode ${child}: reachable more than once (${paths.get(child)} and ${childPath})`);
        paths.set(child, childPath);
        if (t === TYPE_DIR) queue.push(child);
      }, true);
    }
  }
  const owner = new Int32Array(T);
  const claim = (b, ino, what) => {
    if (b < sb.dataStart || b >= T) return void p.push(`${label(ino)}: ${what} ${b} is outside the data region (${sb.dataStart}\u2013${T - 1})`);
    if (owner[b] !== 0) return void p.push(`block ${b}: used by both ${label(owner[b])} and ${label(ino)}`);
    owner[b] = ino;
    if (!fs2.isBlockUsed(b)) p.push(`block ${b}: used by ${label(ino)} but marked free in the bitmap`);
  };
  if (fs2.inodeType(0) !== TYPE_FREE) p.push("inode 0: in use (inode 0 is never used)");
  for (let i = 1; i < N; i++) {
    const t = fs2.inodeType(i);
    if (t === TYPE_FREE) continue;
    if (t !== TYPE_FILE && t !== TYPE_DIR) {
      p.push(`${label(i)}: bad type ${t}`);
      continue;
    }
    if (!paths.has(i)) p.push(`inode ${i}: in use but not reachable from /`);
    const inode = fs2.readInode(i);
    if (inode.links !== 1) p.push(`${label(i)}: links ${inode.links}, expected 1`);
    if (inode.reserved !== 0) p.push(`${label(i)}: reserved field is not 0`);
    const size = inode.size;
    if (size > MAX_FILE_SIZE) p.push(`${label(i)}: size ${size} is larger than the largest file (${MAX_FILE_SIZE})`);
    if (t === TYPE_DIR && size % DIRENT_SIZE !== 0) p.push(`${label(i)}: directory size ${size} is not a multiple of ${DIRENT_SIZE}`);
    const nb = Math.ceil(Math.min(size, MAX_FILE_SIZE) / BLOCK_SIZE);
    for (let k = 0; k < NDIRECT; k++) {
      const b = inode.direct(k);
      if (b === 0) continue;
      if (k >= nb) p.push(`${label(i)}: block pointer ${k} past the file size is ${b}, not 0`);
      claim(b, i, "block");
    }
    const ind = inode.indirect;
    if (ind === 0) continue;
    if (nb <= NDIRECT) p.push(`${label(i)}: indirect block ${ind} past the file size, not 0`);
    const inRange = ind >= sb.dataStart && ind < T;
    claim(ind, i, "indirect block");
    if (!inRange) continue;
    for (let j = 0; j < NINDIRECT; j++) {
      const b = u32(fs2.readMetaBlock(ind), 4 * j);
      if (b === 0) continue;
      if (NDIRECT + j >= nb) p.push(`${label(i)}: block pointer ${NDIRECT + j} past the file size is ${b}, not 0`);
      claim(b, i, "block");
    }
  }
  for (let b = 0; b < sb.dataStart; b++) if (!fs2.isBlockUsed(b)) p.push(`block ${b}: metadata block marked free in the bitmap`);
  for (let b = sb.dataStart; b < T; b++) if (fs2.isBlockUsed(b) && owner[b] === 0) p.push(`block ${b}: marked in use but nothing uses it`);
  let pastEnd = 0;
  for (let b = T; b < sb.bitmapBlocks * BITS_PER_BLOCK; b++) if (!fs2.isBlockUsed(b)) pastEnd++;
  if (pastEnd > 0) p.push(`bitmap: ${pastEnd} bits past total_blocks (${T}) are not set`);
  return p;
}

// kernel/fs/memory-device.ts
var MemoryBlockDevice = class {
  bytes;
  sectors;
  /** Wraps `bytes` without copying. */
  constructor(bytes2) {
    this.bytes = bytes2;
    this.sectors = Math.floor(bytes2.length / SECTOR);
  }
  /** Copies `count` sectors from `lba` into `into`; false if the range is not on the device. */
  read(lba, count, into) {
    if (!this.inRange(lba, count) || into.length < count * SECTOR) return false;
    into.set(this.bytes.subarray(lba * SECTOR, (lba + count) * SECTOR));
    return true;
  }
  /** Copies `data` (whole sectors) to sector `lba`; false if it is not whole sectors on the device. */
  write(lba, data) {
    if (data.length % SECTOR !== 0 || !this.inRange(lba, data.length / SECTOR)) return false;
    this.bytes.set(data, lba * SECTOR);
    return true;
  }
  /** The device's own bytes of `count` sectors from `lba` (a live view: writes to it are writes to the disk). */
  map(lba, count) {
    if (!this.inRange(lba, count)) throw new RangeError(`sectors ${lba}+${count} are not on a ${this.sectors}-sector device`);
    return this.bytes.subarray(lba * SECTOR, (lba + count) * SECTOR);
  }
  /** Whether sectors lba … lba+count-1 exist. */
  inRange(lba, count) {
    return Number.isInteger(lba) && Number.isInteger(count) && lba >= 0 && count >= 0 && lba + count <= this.sectors;
  }
};

// kernel/fs/rsfs.ts
var REPAIR_INODES = 32768;
var DEFAULT_SIZE = 8 * 1024 * 1024;
var DEFAULT_INODES = 256;
var utf8 = new TextEncoder();
var fromUtf82 = new TextDecoder();
function splitPath(path6) {
  if (typeof path6 !== "string") throw new ImageError("a path must be a string");
  const names = path6.split("/").filter((n) => n.length > 0);
  for (const n of names) {
    const len = utf8.encode(n).length;
    if (n === "." || n === "..") throw new ImageError(`bad path "${path6}": RSFS has no "." or ".." entries`);
    if (n.includes("\0")) throw new ImageError(`bad path "${path6}": a name cannot contain NUL`);
    if (len > NAME_MAX) throw new ImageError(`bad path "${path6}": "${n}" is ${len} bytes, longer than ${NAME_MAX}`);
  }
  return names;
}
function nameLength2(raw) {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw.length : nul;
}
var Rsfs = class _Rsfs {
  device;
  superblock;
  /** Metadata blocks, written through. */
  cache;
  /** No block below this one is free (keeps first-fit allocation cheap). */
  freeHint;
  /** Set by `lookup`: the entry index of the match. */
  foundSlot = -1;
  /** Set by `bmapAlloc`: whether the block it returned was just allocated (its contents stale). */
  allocatedNew = false;
  freeList = [];
  /** Wraps a device whose superblock has already been checked. */
  constructor(device, sb) {
    this.device = device;
    this.superblock = sb;
    this.cache = new BlockCache(device);
    this.freeHint = sb.dataStart;
  }
  // ---- making and opening ------------------------------------------------------------------
  /** An empty in-memory file system of totalBytes (a multiple of 4096) with `inodeCount` inodes. */
  static format(totalBytes = DEFAULT_SIZE, inodeCount = DEFAULT_INODES) {
    if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0 || totalBytes % BLOCK_SIZE !== 0) {
      throw new ImageError(`image size ${totalBytes} is not a positive multiple of ${BLOCK_SIZE} bytes`);
    }
    if (totalBytes / BLOCK_SIZE > 4294967295) throw new ImageError(`image size ${totalBytes} is too large`);
    return _Rsfs.mkfs(new MemoryBlockDevice(new Uint8Array(totalBytes)), inodeCount);
  }
  /**
   * Writes an empty file system with `inodeCount` inodes and an empty root over the whole device
   * (superblock, bitmap and inode table; the data region is left as it is).
   */
  static mkfs(device, inodeCount = DEFAULT_INODES) {
    if (!Number.isSafeInteger(inodeCount) || inodeCount <= 0 || inodeCount % INODES_PER_BLOCK !== 0) {
      throw new ImageError(`inode count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
    }
    const totalBytes = Math.floor(device.sectors * SECTOR_SIZE / BLOCK_SIZE) * BLOCK_SIZE;
    const sb = layoutFor(totalBytes / BLOCK_SIZE, inodeCount);
    if (sb.dataStart >= sb.totalBlocks) {
      throw new ImageError(`an image of ${totalBytes} bytes is too small for ${inodeCount} inodes (needs more than ${sb.dataStart} blocks)`);
    }
    const fs2 = new _Rsfs(device, sb);
    for (let b = 0; b < sb.dataStart; b++) {
      const block = fs2.cache.fresh(b);
      if (b === 0) encodeSuperblock(sb, block);
      if (b >= sb.bitmapStart && b < sb.bitmapStart + sb.bitmapBlocks) {
        const first = (b - sb.bitmapStart) * BITS_PER_BLOCK;
        for (let bit = 0; bit < BITS_PER_BLOCK; bit++) {
          const blk = first + bit;
          if (blk < sb.dataStart || blk >= sb.totalBlocks) block[bit >> 3] |= 1 << (bit & 7);
        }
      }
      fs2.cache.sync(b, block, 0, BLOCK_SIZE);
    }
    fs2.writeInode(new Inode().init(ROOT_INODE, TYPE_DIR));
    return fs2;
  }
  /** Wraps an image in memory (no copy); ImageError if its superblock is not exactly RSFS v1. */
  static open(bytes2) {
    if (!(bytes2 instanceof Uint8Array)) throw new ImageError("an image must be a Uint8Array");
    return _Rsfs.mount(new MemoryBlockDevice(bytes2));
  }
  /**
   * The file system on `device`. "strict": ImageError unless the superblock is exactly RSFS v1 for
   * the device's size; "server": mounts what servers/fs.asm mounts (ImageError otherwise) and, as the
   * file server does, repairs what a crash may have leaked (`repair`). A failed read is a DeviceError.
   */
  static mount(device, rule = "strict") {
    const imageBytes = device instanceof MemoryBlockDevice ? device.bytes.length : device.sectors * SECTOR_SIZE;
    const block0 = imageBytes >= BLOCK_SIZE ? new BlockCache(device, 1).get(0) : null;
    if (rule === "strict") {
      const { sb: sb2, problems } = checkSuperblock(block0, imageBytes);
      if (!sb2) throw new ImageError(`not an RSFS v1 image: ${problems[0]}`);
      return new _Rsfs(device, sb2);
    }
    const sb = block0 ? mountableSuperblock(block0, device.sectors) : void 0;
    if (!sb) throw new ImageError("not an RSFS v1 file system the file server can mount");
    const fs2 = new _Rsfs(device, sb);
    if (fs2.inodeType(ROOT_INODE) !== TYPE_DIR) throw new ImageError("the root inode is not a directory");
    fs2.repair();
    return fs2;
  }
  /** fsck for raw bytes: superblock problems when it cannot even be opened, else `fsck()`. */
  static check(bytes2) {
    const device = new MemoryBlockDevice(bytes2);
    const { sb, problems } = checkSuperblock(bytes2.length >= BLOCK_SIZE ? bytes2.subarray(0, BLOCK_SIZE) : null, bytes2.length);
    return sb ? new _Rsfs(device, sb).fsck() : problems;
  }
  /** The size the image's superblock is checked against: the device's whole sectors (a memory image: its length). */
  get imageBytes() {
    return this.device instanceof MemoryBlockDevice ? this.device.bytes.length : this.device.sectors * SECTOR_SIZE;
  }
  /** The whole image, when the device is memory (MemoryBlockDevice); edits happen in place. */
  get bytes() {
    if (this.device instanceof MemoryBlockDevice) return this.device.bytes;
    throw new ImageError("this file system is on a block device, not an image in memory");
  }
  // ---- the host library's operations (paths as strings; every problem an ImageError) ----------
  /** The contents of the file at `path`; ImageError if it is missing or a directory. */
  readFile(path6) {
    const inode = this.readInode(this.resolve(path6));
    if (inode.type === TYPE_DIR) throw new ImageError(`${path6}: is a directory`);
    if (inode.size > MAX_FILE_SIZE) throw new ImageError(`corrupt image: inode ${inode.ino} has size ${inode.size}, larger than any RSFS file`);
    const out = new Uint8Array(inode.size);
    this.readAt(inode, 0, out);
    return out;
  }
  /** Creates or replaces the file at `path` (creating parent directories) with `data`. */
  writeFile(path6, data) {
    const names = splitPath(path6);
    if (names.length === 0) throw new ImageError(`${path6}: is a directory`);
    if (!(data instanceof Uint8Array)) throw new ImageError(`${path6}: data must be a Uint8Array`);
    if (data.length > MAX_FILE_SIZE) throw new ImageError(`${path6}: ${data.length} bytes is larger than the largest RSFS file (${MAX_FILE_SIZE} bytes)`);
    const dataBlocks = Math.ceil(data.length / BLOCK_SIZE);
    const needBlocks = dataBlocks + (dataBlocks > NDIRECT ? 1 : 0) + names.length;
    this.atomically(path6, needBlocks, names.length, () => {
      const parent = this.makeDirs(path6, names.slice(0, -1));
      const name = utf8.encode(names.at(-1));
      const found = this.lookup(parent, name);
      let file;
      if (found !== 0) {
        file = this.readInode(found);
        if (file.type === TYPE_DIR) throw new ImageError(`${path6}: is a directory`);
        this.truncate(file);
      } else {
        file = this.create(parent, name, TYPE_FILE);
      }
      if (this.writeAt(file, 0, data) < data.length) throw new NoSpaceError(this.fullMessage());
    });
  }
  /** Makes the directory `path` and any missing parents; fine if it already exists. */
  mkdir(path6) {
    const names = splitPath(path6);
    this.atomically(path6, names.length, names.length, () => void this.makeDirs(path6, names));
  }
  /** The entries of the directory at `path`, in on-disk (slot) order. */
  list(path6) {
    const dir = this.readInode(this.resolve(path6));
    if (dir.type !== TYPE_DIR) throw new ImageError(`${path6}: not a directory`);
    const out = [];
    this.forEachEntry(dir, (_slot, child, raw) => {
      out.push(this.entryFor(fromUtf82.decode(raw.subarray(0, nameLength2(raw))), child));
    });
    return out;
  }
  /** What `path` names, or undefined if nothing does (ImageError only for a malformed path). */
  stat(path6) {
    const names = splitPath(path6);
    let ino = ROOT_INODE;
    for (const n of names) {
      const dir = this.readInode(ino);
      if (dir.type !== TYPE_DIR) return void 0;
      ino = this.lookup(dir, utf8.encode(n));
      if (ino === 0) return void 0;
    }
    return this.entryFor(names.length === 0 ? "/" : names.at(-1), ino);
  }
  /** Removes the file (or empty directory) at `path`, freeing its blocks and inode. */
  unlink(path6) {
    const names = splitPath(path6);
    if (names.length === 0) throw new ImageError(`${path6}: cannot remove the root directory`);
    const parent = this.readInode(this.resolveNames(path6, names.slice(0, -1)));
    if (parent.type !== TYPE_DIR) throw new ImageError(`${path6}: not a directory`);
    const found = this.lookup(parent, utf8.encode(names.at(-1)));
    if (found === 0) throw new ImageError(`${path6}: no such file or directory`);
    const slot = this.foundSlot;
    const victim = this.readInode(found);
    if (victim.type === TYPE_DIR && !this.isEmptyDir(victim)) throw new ImageError(`${path6}: directory not empty`);
    this.remove(parent, slot, victim);
  }
  /** Counts of free blocks and inodes. */
  statfs() {
    const sb = this.superblock;
    let freeBlocks = 0;
    for (let b = sb.dataStart; b < sb.totalBlocks; b++) if (!this.isBlockUsed(b)) freeBlocks++;
    let freeInodes = 0;
    for (let i = 1; i < sb.inodeCount; i++) if (this.inodeType(i) === TYPE_FREE) freeInodes++;
    return { totalBlocks: sb.totalBlocks, dataStart: sb.dataStart, freeBlocks, inodeCount: sb.inodeCount, freeInodes };
  }
  /** [] when the image is consistent (docs/image.md "Consistency"), else one line per problem. */
  fsck() {
    this.cache.reset();
    return fsck(this);
  }
  /**
   * The file server's repair at mount (servers/fs/repair.inc; docs/image.md "Crash safety"): frees
   * what a server killed in the middle of a request can leave behind — inodes no entry reaches, block
   * pointers past a file's size, blocks marked in use that nothing uses — and marks used blocks that
   * are marked free. Mark and sweep from the root; on a consistent image it writes nothing. Pointers
   * outside the data region (damage, not a crash) are left alone and count as holes. Returns how many
   * inodes, pointers and bitmap bits it changed.
   */
  repair() {
    const sb = this.superblock;
    const done = { inodes: 0, pointers: 0, bits: 0 };
    const N = sb.inodeCount;
    if (N > REPAIR_INODES) return done;
    const inData = (b) => b >= sb.dataStart && b < sb.totalBlocks ? b : 0;
    const blocksOf = (inode) => Math.ceil(Math.min(inode.size, MAX_FILE_SIZE) / BLOCK_SIZE);
    const u322 = (bytes2, at) => (bytes2[at] | bytes2[at + 1] << 8 | bytes2[at + 2] << 16 | bytes2[at + 3] << 24) >>> 0;
    const bmap = (inode, idx) => {
      if (idx < NDIRECT) return inData(inode.direct(idx));
      if (idx >= MAX_BLOCKS) return 0;
      const ind = inData(inode.indirect);
      return ind === 0 ? 0 : inData(u322(this.cache.get(ind), 4 * (idx - NDIRECT)));
    };
    const isInUse = (t) => t === TYPE_FILE || t === TYPE_DIR;
    const mark = new Uint8Array(N);
    const seen = new Uint8Array(N);
    mark[ROOT_INODE] = 1;
    for (let more = true; more; ) {
      more = false;
      for (let i = 1; i < N; i++) {
        if (!mark[i] || seen[i]) continue;
        seen[i] = 1;
        const dir = this.readInode(i);
        if (dir.type !== TYPE_DIR) continue;
        const entries = Math.floor(Math.min(dir.size, MAX_FILE_SIZE) / DIRENT_SIZE);
        for (let e = 0; e < entries; e++) {
          const b = bmap(dir, Math.floor(e / DIRENTS_PER_BLOCK));
          if (b === 0) {
            e |= DIRENTS_PER_BLOCK - 1;
            continue;
          }
          const child = u322(this.cache.get(b), e % DIRENTS_PER_BLOCK * DIRENT_SIZE);
          if (child === 0 || child >= N || mark[child]) continue;
          const t = this.inodeType(child);
          if (!isInUse(t)) continue;
          if (t === TYPE_DIR) more = true;
          mark[child] = 1;
        }
      }
    }
    for (let i = 1; i < N; i++) {
      const inode = this.readInode(i);
      if (!isInUse(inode.type)) continue;
      if (!mark[i]) {
        this.writeInode(inode.init(i, TYPE_FREE));
        done.inodes++;
        continue;
      }
      const nb = blocksOf(inode);
      let changed = false;
      for (let k = nb; k < NDIRECT; k++) {
        if (inode.direct(k) === 0) continue;
        inode.setDirect(k, 0);
        changed = true;
        done.pointers++;
      }
      if (inode.indirect !== 0) {
        if (nb <= NDIRECT) {
          inode.indirect = 0;
          changed = true;
          done.pointers++;
        } else if (inData(inode.indirect) !== 0) {
          const list = this.cache.get(inode.indirect);
          let lo = BLOCK_SIZE, hi = 0;
          for (let j = nb - NDIRECT; j < NINDIRECT; j++) {
            if (u322(list, 4 * j) === 0) continue;
            list.fill(0, 4 * j, 4 * j + 4);
            lo = Math.min(lo, 4 * j);
            hi = 4 * j + 4;
            done.pointers++;
          }
          if (hi > lo) this.cache.sync(inode.indirect, list, lo, hi);
        }
      }
      if (changed) this.writeInode(inode);
    }
    for (let first = 0; first < sb.totalBlocks; first += BITS_PER_BLOCK) {
      const end = Math.min(first + BITS_PER_BLOCK, sb.totalBlocks);
      const ref = new Uint8Array(BLOCK_SIZE);
      const set = (b) => {
        if (inData(b) !== 0 && b >= first && b < end) ref[b - first >> 3] |= 1 << (b - first & 7);
      };
      for (let i = 1; i < N; i++) {
        if (!mark[i]) continue;
        const inode = this.readInode(i);
        const nb = blocksOf(inode);
        for (let k = 0; k < Math.min(nb, NDIRECT); k++) set(inode.direct(k));
        if (nb <= NDIRECT || inData(inode.indirect) === 0) continue;
        set(inode.indirect);
        const list = this.cache.get(inode.indirect);
        for (let j = 0; j < nb - NDIRECT; j++) set(u322(list, 4 * j));
      }
      const bmBlock = sb.bitmapStart + first / BITS_PER_BLOCK;
      const bm = this.cache.get(bmBlock);
      let lo = BLOCK_SIZE, hi = 0;
      for (let b = Math.max(first, sb.dataStart); b < end; b++) {
        const bit = b - first, mask = 1 << (bit & 7);
        if ((bm[bit >> 3] & mask) === (ref[bit >> 3] & mask)) continue;
        bm[bit >> 3] ^= mask;
        lo = Math.min(lo, bit >> 3);
        hi = (bit >> 3) + 1;
        done.bits++;
      }
      if (hi > lo) this.cache.sync(bmBlock, bm, lo, hi);
    }
    if (done.bits > 0) this.freeHint = sb.dataStart;
    return done;
  }
  // ---- blocks and inodes (the file server's operations) -------------------------------------
  /** Block b's 4096 bytes, read through the cache (valid until 16 other blocks are read; do not change). */
  readMetaBlock(b) {
    return this.cache.get(b);
  }
  /** Forgets every cached block and restarts first fit at data_start (after a device error). */
  forgetCache() {
    this.cache.reset();
    this.freeHint = this.superblock.dataStart;
  }
  /** Whether block b is marked in use in the bitmap. */
  isBlockUsed(b) {
    const bm = this.cache.get(this.superblock.bitmapStart + Math.floor(b / BITS_PER_BLOCK));
    const bit = b % BITS_PER_BLOCK;
    return (bm[bit >> 3] & 1 << (bit & 7)) !== 0;
  }
  /** The lowest free block at or above data_start, marked in use on the disk; 0 if the disk is full. */
  allocBlock() {
    const { totalBlocks, bitmapStart } = this.superblock;
    let b = this.freeHint;
    while (b < totalBlocks) {
      const bmBlock = bitmapStart + Math.floor(b / BITS_PER_BLOCK);
      const bm = this.cache.get(bmBlock);
      const end = Math.min(totalBlocks, (Math.floor(b / BITS_PER_BLOCK) + 1) * BITS_PER_BLOCK);
      for (; b < end; b++) {
        const bit = b % BITS_PER_BLOCK;
        if ((bit & 7) === 0 && bm[bit >> 3] === 255 && b + 8 <= end) {
          b += 7;
          continue;
        }
        if ((bm[bit >> 3] & 1 << (bit & 7)) === 0) {
          bm[bit >> 3] |= 1 << (bit & 7);
          this.cache.sync(bmBlock, bm, bit >> 3, (bit >> 3) + 1);
          this.freeHint = b + 1;
          return b;
        }
      }
    }
    this.freeHint = totalBlocks;
    return 0;
  }
  /** Marks data blocks free (one write per bitmap block touched) and forgets them in the cache. */
  freeBlocks(blocks) {
    const { bitmapStart } = this.superblock;
    let bmBlock = -1, lo = BLOCK_SIZE, hi = -1;
    let bm = null;
    for (const b of blocks) {
      this.cache.drop(b);
      if (b < this.freeHint) this.freeHint = b;
      const want = bitmapStart + Math.floor(b / BITS_PER_BLOCK);
      if (want !== bmBlock) {
        if (bm && hi >= lo) this.cache.sync(bmBlock, bm, lo, hi + 1);
        bmBlock = want;
        lo = BLOCK_SIZE;
        hi = -1;
      }
      bm = this.cache.get(bmBlock);
      const bit = b % BITS_PER_BLOCK;
      bm[bit >> 3] &= ~(1 << (bit & 7));
      lo = Math.min(lo, bit >> 3);
      hi = Math.max(hi, bit >> 3);
    }
    if (bm && hi >= lo) this.cache.sync(bmBlock, this.cache.get(bmBlock), lo, hi + 1);
  }
  /** The type of inode `ino` (0 free, 1 file, 2 directory); ImageError past the inode table. */
  inodeType(ino) {
    const bytes2 = this.cache.get(this.inodeBlock(ino));
    const at = ino % INODES_PER_BLOCK * INODE_SIZE + INODE.type;
    return bytes2[at] | bytes2[at + 1] << 8;
  }
  /** Inode `ino` as it is on the disk, into `into` (a new Inode if not given); ImageError past the table. */
  readInode(ino, into = new Inode()) {
    const at = ino % INODES_PER_BLOCK * INODE_SIZE;
    into.raw.set(this.cache.get(this.inodeBlock(ino)).subarray(at, at + INODE_SIZE));
    into.ino = ino;
    return into;
  }
  /** Writes the inode to the inode table (one sector). */
  writeInode(inode) {
    const block = this.inodeBlock(inode.ino);
    const at = inode.ino % INODES_PER_BLOCK * INODE_SIZE;
    const bytes2 = this.cache.get(block);
    bytes2.set(inode.raw, at);
    this.cache.sync(block, bytes2, at, at + INODE_SIZE);
  }
  /** The lowest free inode number (≥ 1), not yet marked; 0 if none is free. */
  allocInode() {
    for (let i = 1; i < this.superblock.inodeCount; i++) if (this.inodeType(i) === TYPE_FREE) return i;
    return 0;
  }
  /** Disk block of the file's block `idx` (0 = a hole); ImageError past the largest file or for a corrupt pointer. */
  bmap(inode, idx) {
    if (idx < NDIRECT) return this.checkBlock(inode.direct(idx), inode.ino);
    if (idx >= MAX_BLOCKS) throw new ImageError(`corrupt image: inode ${inode.ino} has a block ${idx} past the largest file`);
    const ind = this.checkBlock(inode.indirect, inode.ino);
    if (ind === 0) return 0;
    const bytes2 = this.cache.get(ind);
    const at = 4 * (idx - NDIRECT);
    return this.checkBlock((bytes2[at] | bytes2[at + 1] << 8 | bytes2[at + 2] << 16 | bytes2[at + 3] << 24) >>> 0, inode.ino);
  }
  /**
   * The file's block `idx` (< MAX_BLOCKS), allocating it — and the indirect block, written zeroed,
   * right before the first block it lists — if it is a hole; `allocatedNew` says whether it was (its
   * contents are then stale: the caller writes all of it). 0 if the disk is full, with nothing
   * changed. Changes the in-memory inode (the caller writes it) and the indirect block on the disk.
   */
  bmapAlloc(inode, idx) {
    this.allocatedNew = false;
    const existing = this.bmap(inode, idx);
    if (existing !== 0) return existing;
    if (idx < NDIRECT) {
      const b2 = this.allocBlock();
      if (b2 === 0) return 0;
      inode.setDirect(idx, b2);
      this.allocatedNew = true;
      return b2;
    }
    let newIndirect = false;
    if (inode.indirect === 0) {
      const ind = this.allocBlock();
      if (ind === 0) return 0;
      inode.indirect = ind;
      newIndirect = true;
      this.cache.sync(ind, this.cache.fresh(ind), 0, BLOCK_SIZE);
    }
    const b = this.allocBlock();
    if (b === 0) {
      if (newIndirect) {
        this.freeBlocks([inode.indirect]);
        inode.indirect = 0;
      }
      return 0;
    }
    const list = this.cache.get(inode.indirect);
    const at = 4 * (idx - NDIRECT);
    list[at] = b & 255;
    list[at + 1] = b >>> 8 & 255;
    list[at + 2] = b >>> 16 & 255;
    list[at + 3] = b >>> 24;
    this.cache.sync(inode.indirect, list, at, at + 4);
    this.allocatedNew = true;
    return b;
  }
  /** Frees every block the inode uses (data and indirect), sets its size and pointers to 0 and writes it. */
  truncate(inode) {
    const blocks = this.freeList;
    blocks.length = 0;
    for (let k = 0; k < NDIRECT; k++) {
      const b = this.checkBlock(inode.direct(k), inode.ino);
      if (b === 0) continue;
      blocks.push(b);
      inode.setDirect(k, 0);
    }
    const ind = this.checkBlock(inode.indirect, inode.ino);
    if (ind !== 0) {
      for (let j = 0; j < NINDIRECT; j++) {
        const bytes2 = this.cache.get(ind);
        const b = (bytes2[4 * j] | bytes2[4 * j + 1] << 8 | bytes2[4 * j + 2] << 16 | bytes2[4 * j + 3] << 24) >>> 0;
        if (b !== 0) blocks.push(this.checkBlock(b, inode.ino));
      }
      blocks.push(ind);
      inode.indirect = 0;
    }
    if (blocks.length === 0 && inode.size === 0) return;
    inode.size = 0;
    this.writeInode(inode);
    this.freeBlocks(blocks);
  }
  /**
   * Reads file bytes from `offset` into `into` (up to its length, to the end of the file); holes
   * read as zeros. Returns the bytes read.
   */
  readAt(inode, offset, into) {
    if (inode.size <= offset) return 0;
    const count = Math.min(inode.size - offset, into.length);
    for (let pos = 0; pos < count; ) {
      const at = offset + pos;
      const inBlock = at % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - inBlock, count - pos);
      const b = this.bmap(inode, Math.floor(at / BLOCK_SIZE));
      if (b === 0) into.fill(0, pos, pos + n);
      else this.cache.readData(b, inBlock, n, into, pos);
      pos += n;
    }
    return count;
  }
  /**
   * Writes `data` at `offset`, filling holes and growing the file, and writes the inode. Returns
   * the bytes written: short if the disk filled up (or at the largest file size). NoSpaceError if
   * nothing fit.
   */
  writeAt(inode, offset, data) {
    if (data.length === 0) return 0;
    if (offset >= MAX_FILE_SIZE) throw new NoSpaceError(`inode ${inode.ino}: offset ${offset} is past the largest RSFS file`);
    const count = Math.min(data.length, MAX_FILE_SIZE - offset);
    let pos = 0;
    while (pos < count) {
      const at = offset + pos;
      const inBlock = at % BLOCK_SIZE;
      const b = this.bmapAlloc(inode, Math.floor(at / BLOCK_SIZE));
      if (b === 0) break;
      const n = Math.min(BLOCK_SIZE - inBlock, count - pos);
      this.cache.writeData(b, inBlock, data.subarray(pos, pos + n), this.allocatedNew);
      pos += n;
      if (offset + pos > inode.size) inode.size = offset + pos;
    }
    if (pos === 0) throw new NoSpaceError(this.fullMessage());
    this.writeInode(inode);
    return pos;
  }
  /**
   * Calls fn(slot, ino, rawName28) for each used slot of a directory, in order. With `lenient`
   * (fsck), a corrupt block pointer is skipped (fsck reports it elsewhere) instead of throwing.
   */
  forEachEntry(dir, fn, lenient = false) {
    const slots = Math.floor(Math.min(dir.size, MAX_FILE_SIZE) / DIRENT_SIZE);
    for (let s = 0; s < slots; s += DIRENTS_PER_BLOCK) {
      let b;
      try {
        b = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      } catch (e) {
        if (lenient && e instanceof ImageError && !(e instanceof DeviceError)) continue;
        throw e;
      }
      if (b === 0) continue;
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const bytes2 = this.cache.get(b);
        const at = k * DIRENT_SIZE;
        const ino = (bytes2[at] | bytes2[at + 1] << 8 | bytes2[at + 2] << 16 | bytes2[at + 3] << 24) >>> 0;
        if (ino !== 0) fn(s + k, ino, bytes2.subarray(at + 4, at + DIRENT_SIZE));
      }
    }
  }
  /** The inode number of the entry called `name` in `dir` (0 if none); `foundSlot` = its index. */
  lookup(dir, name) {
    let hit = 0;
    this.foundSlot = -1;
    const slots = dir.size / DIRENT_SIZE;
    for (let s = 0; s < slots && hit === 0; s += DIRENTS_PER_BLOCK) {
      const b = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      if (b === 0) continue;
      const bytes2 = this.cache.get(b);
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const at = k * DIRENT_SIZE;
        const ino = (bytes2[at] | bytes2[at + 1] << 8 | bytes2[at + 2] << 16 | bytes2[at + 3] << 24) >>> 0;
        if (ino !== 0 && sameName(bytes2, at + 4, name)) {
          this.foundSlot = s + k;
          hit = ino;
          break;
        }
      }
    }
    return hit;
  }
  /**
   * Puts (name → ino) in the first empty slot of `dir`, else in a new slot at its end (writing the
   * directory inode when it grows or gains a block). NoSpaceError, nothing changed, if a block is
   * needed and none is free or the directory is as large as a file can be.
   */
  addEntry(dir, name, ino) {
    const slots = dir.size / DIRENT_SIZE;
    let slot = -1;
    for (let s = 0; s < slots && slot < 0; s += DIRENTS_PER_BLOCK) {
      const b2 = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      if (b2 === 0) {
        slot = s;
        break;
      }
      const bytes3 = this.cache.get(b2);
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const at2 = k * DIRENT_SIZE;
        if ((bytes3[at2] | bytes3[at2 + 1] | bytes3[at2 + 2] | bytes3[at2 + 3]) === 0) {
          slot = s + k;
          break;
        }
      }
    }
    if (slot < 0) {
      slot = Math.floor(slots);
      if (slot >= MAX_BLOCKS * DIRENTS_PER_BLOCK) throw new NoSpaceError(`inode ${dir.ino}: the directory is full`);
    }
    const b = this.bmapAlloc(dir, Math.floor(slot / DIRENTS_PER_BLOCK));
    if (b === 0) throw new NoSpaceError(this.fullMessage());
    const fresh = this.allocatedNew;
    const bytes2 = fresh ? this.cache.fresh(b) : this.cache.get(b);
    const at = slot % DIRENTS_PER_BLOCK * DIRENT_SIZE;
    bytes2.fill(0, at, at + DIRENT_SIZE);
    bytes2[at] = ino & 255;
    bytes2[at + 1] = ino >>> 8 & 255;
    bytes2[at + 2] = ino >>> 16 & 255;
    bytes2[at + 3] = ino >>> 24;
    bytes2.set(name, at + 4);
    if (fresh) this.cache.sync(b, bytes2, 0, BLOCK_SIZE);
    else this.cache.sync(b, bytes2, at, at + DIRENT_SIZE);
    const end = (slot + 1) * DIRENT_SIZE;
    const grows = end > dir.size;
    if (grows) dir.size = end;
    if (grows || fresh) this.writeInode(dir);
  }
  /** Zeroes entry `slot` of `dir` on the disk. */
  clearEntry(dir, slot) {
    const b = this.bmap(dir, Math.floor(slot / DIRENTS_PER_BLOCK));
    if (b === 0) return;
    const bytes2 = this.cache.get(b);
    const at = slot % DIRENTS_PER_BLOCK * DIRENT_SIZE;
    bytes2.fill(0, at, at + DIRENT_SIZE);
    this.cache.sync(b, bytes2, at, at + DIRENT_SIZE);
  }
  /** Whether the directory has no entry in use. */
  isEmptyDir(dir) {
    let empty = true;
    this.forEachEntry(dir, () => void (empty = false));
    return empty;
  }
  /**
   * A new empty inode of `type` entered in `parent` under `name` (which the caller found missing).
   * NoSpaceError, nothing changed, if no inode or no block is free.
   */
  create(parent, name, type) {
    const ino = this.allocInode();
    if (ino === 0) throw new NoSpaceError(`no free inodes left in the image (${this.superblock.inodeCount})`);
    const inode = new Inode().init(ino, type);
    this.writeInode(inode);
    try {
      this.addEntry(parent, name, ino);
    } catch (e) {
      this.writeInode(new Inode().init(ino, TYPE_FREE));
      throw e;
    }
    return inode;
  }
  /** Removes `victim`, the entry `slot` of `parent`: empties the entry, frees its blocks, zeroes the inode. */
  remove(parent, slot, victim) {
    this.clearEntry(parent, slot);
    this.truncate(victim);
    this.writeInode(victim.init(victim.ino, TYPE_FREE));
  }
  // ---- internals ---------------------------------------------------------------------------
  /** Runs an edit of `path`; if free space might not suffice, restores the image when the edit fails. */
  atomically(path6, needBlocks, needInodes, edit) {
    const st = this.statfs();
    if (st.freeBlocks >= needBlocks && st.freeInodes >= needInodes) return this.withPath(path6, edit);
    const saved = this.cache.snapshot();
    const hint = this.freeHint;
    try {
      this.withPath(path6, edit);
    } catch (e) {
      this.cache.restore(saved);
      this.freeHint = hint;
      throw e;
    }
  }
  /** Runs `edit`, naming `path` in a NoSpaceError it throws. */
  withPath(path6, edit) {
    try {
      edit();
    } catch (e) {
      if (e instanceof NoSpaceError) throw new NoSpaceError(`${path6}: ${e.message}`);
      throw e;
    }
  }
  /** The message for a full disk. */
  fullMessage() {
    return `no space left in the image (all ${this.superblock.totalBlocks} blocks in use)`;
  }
  /** The inode-table block holding inode `ino`; ImageError past the inode table. */
  inodeBlock(ino) {
    if (!(ino >= 0 && ino < this.superblock.inodeCount)) throw new ImageError(`corrupt image: inode ${ino} is past the inode table`);
    return this.superblock.inodeStart + Math.floor(ino / INODES_PER_BLOCK);
  }
  /** b itself if it is 0 or in the data region; otherwise ImageError (a corrupt pointer). */
  checkBlock(b, ino) {
    if (b !== 0 && (b < this.superblock.dataStart || b >= this.superblock.totalBlocks)) {
      throw new ImageError(`corrupt image: inode ${ino} points at block ${b}, outside the data region`);
    }
    return b;
  }
  /** Walks `names` from the root, creating missing directories; returns the last one. */
  makeDirs(path6, names) {
    let dir = this.readInode(ROOT_INODE);
    for (let i = 0; i < names.length; i++) {
      const name = utf8.encode(names[i]);
      const found = this.lookup(dir, name);
      if (found !== 0) {
        const next = this.readInode(found);
        if (next.type !== TYPE_DIR) throw new ImageError(`${path6}: /${names.slice(0, i + 1).join("/")} is not a directory`);
        dir = next;
        continue;
      }
      dir = this.create(dir, name, TYPE_DIR);
    }
    return dir;
  }
  /** The inode `path` names; ImageError if any part is missing. */
  resolve(path6) {
    return this.resolveNames(path6, splitPath(path6));
  }
  /** The inode reached by walking `names` from the root; ImageError naming `path` if missing. */
  resolveNames(path6, names) {
    let ino = ROOT_INODE;
    for (let i = 0; i < names.length; i++) {
      const dir = this.readInode(ino);
      if (dir.type !== TYPE_DIR) throw new ImageError(`${path6}: /${names.slice(0, i).join("/")} is not a directory`);
      ino = this.lookup(dir, utf8.encode(names[i]));
      if (ino === 0) throw new ImageError(`${path6}: no such file or directory`);
    }
    return ino;
  }
  /** A DirEntry for inode `ino`; ImageError if the inode is not in use. */
  entryFor(name, ino) {
    const inode = ino < this.superblock.inodeCount ? this.readInode(ino) : null;
    const type = inode ? inode.type : TYPE_FREE;
    if (type !== TYPE_FILE && type !== TYPE_DIR) throw new ImageError(`corrupt image: "${name}" names inode ${ino}, which is not in use`);
    return { name, ino, type: type === TYPE_DIR ? "dir" : "file", size: inode.size };
  }
};
function sameName(bytes2, at, name) {
  if (name.length < DIRENT_SIZE - 4 && bytes2[at + name.length] !== 0) return false;
  for (let i = 0; i < name.length; i++) if (bytes2[at + i] !== name[i]) return false;
  return true;
}

// kernel/fs/fs-service.ts
var SLASH = 47;
var DIRENT_NAME = 10;
function bootDenied(req) {
  if (req.w2 >>> 0 & FS_FLAG.PRIVILEGED) return false;
  const p = req.payload;
  let i = 0;
  while (i < p.length && p[i] === SLASH) i++;
  const boot = [98, 111, 111, 116];
  for (let j = 0; j < 4; j++) if (p[i + j] !== boot[j]) return false;
  const next = i + 4 < p.length ? p[i + 4] : 0;
  return next === 0 || next === SLASH;
}
var FsService = class {
  name = "fs";
  irqs = [];
  env = null;
  /** The mounted file system; null until a mount succeeds (and after a device error). */
  fs = null;
  diskName;
  /** The reply payload (READ data, READDIR records). */
  out = new Uint8Array(IPC_MAX);
  /** resolve: the directory holding the path's last component (fs.asm's mi_p). */
  parent = new Inode();
  /** The inode a request is about (fs.asm's mi_a). */
  node = new Inode();
  /** resolve: the last component, the path is "/" itself, a '/' follows the last component. */
  lastName = new Uint8Array(0);
  isRoot = false;
  trailingSlash = false;
  /** A file service that will use the block device of the service called `diskName`. */
  constructor(diskName = "disk") {
    this.diskName = diskName;
  }
  /** Remembers the kernel's environment and mounts if the disk is usable (else the first request retries). */
  start(env) {
    this.env = env;
    try {
      this.mount();
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
    }
  }
  /** Serves one FS_* request at once (never deferred): w0 = result or -errno, w1, w2, payload. */
  request(req) {
    const type = req.w0 >>> 0;
    if (type < MSG.FS_OPEN || type > MSG.FS_READDIR) return reply(-E.NOSYS);
    try {
      const fs2 = this.fs ?? this.mount();
      switch (type) {
        case MSG.FS_OPEN:
          return this.open(fs2, req);
        case MSG.FS_READ:
          return this.read(fs2, req);
        case MSG.FS_WRITE:
          return this.write(fs2, req);
        case MSG.FS_CLOSE:
          return reply(0);
        case MSG.FS_UNLINK:
          return this.unlink(fs2, req);
        case MSG.FS_MKDIR:
          return this.mkdir(fs2, req);
        default:
          return this.readdir(fs2, req);
      }
    } catch (e) {
      if (e instanceof NoSpaceError) return reply(-E.NOSPC);
      if (e instanceof DeviceError) this.fs = null;
      if (e instanceof ImageError) return reply(-E.IO);
      throw e;
    }
  }
  /** The file service has no interrupts. */
  interrupt(_irq) {
  }
  /** Whether a file system is mounted now. */
  get mounted() {
    return this.fs !== null;
  }
  // ---- the requests ------------------------------------------------------------------------
  /** FS_OPEN: w1 = flags, payload = path → w0 = inode, w1 = size, w2 = type (1 file, 2 directory). */
  open(fs2, req) {
    const flags = req.w1 >>> 0;
    if (flags & (O.ACCMODE | O.CREAT | O.TRUNC) && bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs2, req.payload);
    if (err < 0) return reply(err);
    const ino = this.isRoot ? ROOT_INODE : fs2.lookup(this.parent, this.lastName);
    if (ino === 0) {
      if (!(flags & O.CREAT) || flags & O.DIRECTORY) return reply(-E.NOENT);
      if (this.trailingSlash) return reply(-E.ISDIR);
      const made = fs2.create(this.parent, this.lastName, TYPE_FILE);
      return reply(made.ino, 0, FTYPE.FILE);
    }
    if ((flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL)) return reply(-E.EXIST);
    const node = fs2.readInode(ino, this.node);
    if (node.type === TYPE_DIR) {
      if (flags & (O.ACCMODE | O.TRUNC | O.CREAT)) return reply(-E.ISDIR);
      return reply(ino, node.size, FTYPE.DIR);
    }
    if (node.type !== TYPE_FILE) return reply(-E.IO);
    if (flags & O.DIRECTORY || this.trailingSlash) return reply(-E.NOTDIR);
    if (flags & O.TRUNC) fs2.truncate(node);
    return reply(ino, node.size, FTYPE.FILE);
  }
  /** FS_READ: w1 = inode, w2 = offset → w0 = bytes (up to IPC_MAX, to the end of the file), w1 = the file's size, payload = them. */
  read(fs2, req) {
    const node = this.handle(fs2, req.w1);
    if (node === null) return reply(-E.BADF);
    if (node.type === TYPE_DIR) return reply(-E.ISDIR);
    const n = fs2.readAt(node, req.w2 >>> 0, this.out);
    return reply(n, node.size, 0, this.out.subarray(0, n));
  }
  /**
   * FS_WRITE: w1 = inode, w2 = offset (FS_APPEND: the current size), payload = data → w0 = bytes
   * written (short: the disk filled), w1 = new size, w2 = the offset used.
   */
  write(fs2, req) {
    const node = this.handle(fs2, req.w1);
    if (node === null) return reply(-E.BADF);
    if (node.type === TYPE_DIR) return reply(-E.ISDIR);
    const data = req.payload.length > IPC_MAX ? req.payload.subarray(0, IPC_MAX) : req.payload;
    const at = req.w2 >>> 0 === FS_APPEND ? node.size : req.w2 >>> 0;
    const n = fs2.writeAt(node, at, data);
    return reply(n, node.size, at);
  }
  /** FS_UNLINK: w1 = 0 (a file) or not 0 (an empty directory), payload = path → w0 = 0. */
  unlink(fs2, req) {
    if (bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs2, req.payload);
    if (err < 0) return reply(err);
    if (this.isRoot) return reply(-E.BUSY);
    const ino = fs2.lookup(this.parent, this.lastName);
    if (ino === 0) return reply(-E.NOENT);
    const slot = fs2.foundSlot;
    const node = fs2.readInode(ino, this.node);
    if (req.w1 !== 0) {
      if (node.type !== TYPE_DIR) return reply(-E.NOTDIR);
      if (!fs2.isEmptyDir(node)) return reply(-E.NOTEMPTY);
    } else {
      if (node.type === TYPE_DIR) return reply(-E.ISDIR);
      if (node.type !== TYPE_FILE) return reply(-E.IO);
      if (this.trailingSlash) return reply(-E.NOTDIR);
    }
    fs2.remove(this.parent, slot, node);
    return reply(0);
  }
  /** FS_MKDIR: payload = path → w0 = 0. The new directory is empty (size 0, no blocks). */
  mkdir(fs2, req) {
    if (bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs2, req.payload);
    if (err < 0) return reply(err);
    if (this.isRoot || fs2.lookup(this.parent, this.lastName) !== 0) return reply(-E.EXIST);
    fs2.create(this.parent, this.lastName, TYPE_DIR);
    return reply(0);
  }
  /**
   * FS_READDIR: w1 = a directory inode, w2 = entry index → w0 = bytes of linux_dirent records (as
   * many whole records as fit in IPC_MAX; d_off = the next entry's index), w1 = the index to
   * continue from. Empty slots are skipped.
   */
  readdir(fs2, req) {
    const dir = this.handle(fs2, req.w1);
    if (dir === null) return reply(-E.BADF);
    if (dir.type !== TYPE_DIR) return reply(-E.NOTDIR);
    const entries = Math.floor(dir.size / DIRENT_SIZE);
    const out = this.out;
    let idx = req.w2 >>> 0;
    let pos = 0;
    for (; idx < entries; idx++) {
      const b = fs2.bmap(dir, Math.floor(idx / DIRENTS_PER_BLOCK));
      if (b === 0) continue;
      const block = fs2.readMetaBlock(b);
      const at = idx % DIRENTS_PER_BLOCK * DIRENT_SIZE;
      const ino = (block[at] | block[at + 1] << 8 | block[at + 2] << 16 | block[at + 3] << 24) >>> 0;
      if (ino === 0) continue;
      let len = 0;
      while (len < NAME_MAX && block[at + 4 + len] !== 0) len++;
      const reclen = len + DIRENT_NAME + 2 + 3 & ~3;
      if (pos + reclen > IPC_MAX) break;
      out[pos] = ino & 255;
      out[pos + 1] = ino >>> 8 & 255;
      out[pos + 2] = ino >>> 16 & 255;
      out[pos + 3] = ino >>> 24;
      const next = idx + 1;
      out[pos + 4] = next & 255;
      out[pos + 5] = next >>> 8 & 255;
      out[pos + 6] = next >>> 16 & 255;
      out[pos + 7] = next >>> 24;
      out[pos + 8] = reclen & 255;
      out[pos + 9] = reclen >>> 8;
      out.fill(0, pos + DIRENT_NAME, pos + reclen);
      out.set(block.subarray(at + 4, at + 4 + len), pos + DIRENT_NAME);
      out[pos + reclen - 1] = this.direntType(fs2, ino);
      pos += reclen;
    }
    return reply(pos, idx, 0, out.subarray(0, pos));
  }
  // ---- helpers -----------------------------------------------------------------------------
  /** Mounts the disk service's block device as fs.asm would; ImageError (→ -EIO) if it cannot. */
  mount() {
    this.fs = null;
    const device = this.env?.service(this.diskName)?.blockDevice;
    if (!device) throw new ImageError(`no "${this.diskName}" service with a block device`);
    this.fs = Rsfs.mount(device, "server");
    return this.fs;
  }
  /** The inode a client's handle names (into `node`), or null (-EBADF) if out of range or free. */
  handle(fs2, w) {
    const ino = w >>> 0;
    if (ino === 0 || ino >= fs2.superblock.inodeCount) return null;
    const node = fs2.readInode(ino, this.node);
    return node.type === TYPE_FREE ? null : node;
  }
  /** d_type for an entry naming `ino`: DT_DIR, DT_REG, or 0 (DT_UNKNOWN) for a damaged entry. */
  direntType(fs2, ino) {
    if (ino >= fs2.superblock.inodeCount) return 0;
    const t = fs2.inodeType(ino);
    return t === TYPE_DIR ? DT.DIR : t === TYPE_FILE ? DT.REG : 0;
  }
  /**
   * Walks the path in `payload` (up to its first NUL) from the root, as fs.asm's `resolve`: leaves
   * the directory holding the last component in `parent`, that component in `lastName`, and sets
   * `isRoot` and `trailingSlash`. Returns 0, or -ENOENT (empty path, or a directory on the way is
   * missing), -ENOTDIR (one is a file), -ENAMETOOLONG (a component over 27 bytes).
   */
  resolve(fs2, payload) {
    const nul = payload.indexOf(0);
    const end = Math.min(nul < 0 ? payload.length : nul, IPC_MAX);
    if (end === 0) return -E.NOENT;
    this.isRoot = false;
    this.trailingSlash = false;
    fs2.readInode(ROOT_INODE, this.parent);
    let i = 0;
    while (i < end && payload[i] === SLASH) i++;
    if (i === end) {
      this.isRoot = true;
      return 0;
    }
    for (; ; ) {
      const start = i;
      while (i < end && payload[i] !== SLASH) i++;
      if (i - start > NAME_MAX) return -E.NAMETOOLONG;
      const name = payload.subarray(start, i);
      let j = i;
      while (j < end && payload[j] === SLASH) j++;
      if (j === end) {
        this.lastName = name;
        this.trailingSlash = j !== i;
        return 0;
      }
      const ino = fs2.lookup(this.parent, name);
      if (ino === 0) return -E.NOENT;
      if (fs2.readInode(ino, this.parent).type !== TYPE_DIR) return -E.NOTDIR;
      i = j;
    }
  }
};

// tools/build/stub.ts
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync as readFileSync4, renameSync, writeFileSync } from "node:fs";
import path3 from "node:path";
init_paths();
var STUB_SOURCE = fromRoot("boot", "stub.asm");
var STUB_CACHE_DIR = fromRoot("build");
var CACHE_FORMAT = 1;
var cache = /* @__PURE__ */ new Map();
async function buildStub(opts = {}) {
  const variant = opts.benchVector ? "bench" : "std";
  const source = opts.source ?? STUB_SOURCE;
  const text = readFileSync4(source, "utf8");
  const include = layoutInclude();
  const key = createHash("sha256").update(`${CACHE_FORMAT}\0${variant}\0${text}\0${include}`).digest("hex");
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = opts.cacheDir === void 0 ? STUB_CACHE_DIR : opts.cacheDir;
  const file = dir === null ? void 0 : path3.join(dir, `stub-${variant}.json`);
  if (file) {
    const disk = readCache(file, key);
    if (disk) {
      cache.set(key, disk);
      return disk;
    }
  }
  const built = await assembleStub(source, text, include, opts.benchVector === true);
  cache.set(key, built);
  if (file) writeCache(file, key, built);
  return built;
}
async function assembleStub(source, text, include, benchVector) {
  const { assemble: assemble2, formatDiagnostic: formatDiagnostic2 } = await Promise.resolve().then(() => (init_asm(), asm_exports));
  const inc = new TextEncoder().encode(include);
  const res = assemble2(text, {
    file: source,
    format: "bin",
    defines: benchVector ? { BENCH_NULL_VECTOR: "1" } : {},
    readFile: (p) => path3.basename(p) === "layout.inc" ? inc : tryRead(p)
  });
  if (!res.ok) throw new Error("the ring-0 stub does not assemble:\n" + res.diagnostics.map(formatDiagnostic2).join("\n"));
  return { bytes: res.bytes, symbols: new Map(res.symbols.map((s) => [s.name, s.value])) };
}
function readCache(file, key) {
  try {
    const c = JSON.parse(readFileSync4(file, "utf8"));
    if (c.key !== key) return void 0;
    return { bytes: new Uint8Array(Buffer.from(c.bytes, "base64")), symbols: new Map(c.symbols) };
  } catch {
    return void 0;
  }
}
function writeCache(file, key, stub) {
  try {
    mkdirSync(path3.dirname(file), { recursive: true });
    const body = { key, bytes: Buffer.from(stub.bytes).toString("base64"), symbols: [...stub.symbols] };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, file);
  } catch {
  }
}
function tryRead(p) {
  try {
    return readFileSync4(p);
  } catch {
    return void 0;
  }
}

// tools/build/kernel.ts
function inKernelServices(withDisk) {
  const services = [new ConsoleService(), new KeyboardService()];
  if (withDisk) services.push(new DiskService(), new FsService());
  return services;
}
async function createKernel(opts) {
  const { benchVector, stub, ...rest } = opts;
  return Kernel.create({ ...rest, stub: stub ?? await buildStub({ benchVector }), services: inKernelServices(opts.hda !== void 0) });
}

// kernel/manifest.ts
var ManifestError = class extends Error {
};
var KERNEL_PORTS = [
  [32, 33, "the master PIC"],
  [64, 67, "the PIT"],
  [160, 161, "the slave PIC"],
  [1365, 1368, "the hypercall port"]
];
var NAME = /^[A-Za-z0-9_.-]{1,15}$/;
function parseManifest(text, file = "/boot/manifest") {
  const servers = [];
  let init;
  let shell;
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const fail = (msg) => {
      throw new ManifestError(`${file}:${i + 1}: ${msg}`);
    };
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const [keyword, name, program, ...rest] = line.split(/\s+/);
    if (!name || !program) fail(`expected "<server|init|shell> <name> <program> \u2026", got "${line}"`);
    if (!NAME.test(name)) fail(`bad name "${name}" (1\u201315 letters, digits, _ . -)`);
    if (!program.startsWith("/")) fail(`the program must be an absolute path in the image, got "${program}"`);
    if (keyword === "init" || keyword === "shell") {
      let kill = false;
      for (const item of rest) {
        if (keyword === "shell" && (item === "kill=yes" || item === "kill=no")) kill = item === "kill=yes";
        else fail(keyword === "init" ? "init takes no privileges" : `the shell takes only kill=yes|no, got "${item}"`);
      }
      if (keyword === "init") init ? fail("a second init line") : init = { name, program };
      else shell ? fail("a second shell line") : shell = { name, program, ...kill ? { kill } : {} };
      return;
    }
    if (keyword !== "server") fail(`unknown keyword "${keyword}" (expected server, init or shell)`);
    if (servers.some((s2) => s2.name === name)) fail(`server "${name}" is declared twice`);
    const s = { name, program, irqs: [], ports: [], send: [], device: false, supervisor: false, restart: null, backoffMs: 0, heartbeatMs: 0 };
    for (const item of rest) {
      const eq = item.indexOf("=");
      const key = item.slice(0, eq), value = item.slice(eq + 1);
      if (eq < 0 || !value) fail(`expected key=value, got "${item}"`);
      for (const v of value.split(",")) {
        if (key === "irq") {
          const n = parseNumber2(v);
          if (n === void 0 || n < 0 || n > 15 || n === 0 || n === 2) fail(`bad irq "${v}" (1, 3\u201315; 0 is the kernel's timer, 2 the cascade)`);
          if (servers.some((o) => o.irqs.includes(n)) || s.irqs.includes(n)) fail(`irq ${n} is owned twice`);
          s.irqs.push(n);
        } else if (key === "ports") {
          const [a2, b] = v.split("-");
          const lo = parseNumber2(a2), hi = b === void 0 ? lo : parseNumber2(b);
          if (lo === void 0 || hi === void 0 || lo > hi || hi > 65535) fail(`bad port range "${v}"`);
          const owned = KERNEL_PORTS.find(([a3, b2]) => lo <= b2 && a3 <= hi);
          if (owned) fail(`ports "${v}" include ${owned[2]} (0x${owned[0].toString(16)}-0x${owned[1].toString(16)}), which the kernel keeps`);
          s.ports.push([lo, hi]);
        } else if (key === "send") {
          if (!NAME.test(v)) fail(`bad server name "${v}" in send=`);
          s.send.push(v);
        } else if (key === "dev" || key === "supervise" || key === "kill") {
          if (v !== "yes" && v !== "no") fail(`bad ${key} "${v}" (yes or no)`);
          if (key === "dev") s.device = v === "yes";
          else if (key === "kill") s.kill = v === "yes";
          else s.supervisor = v === "yes";
        } else if (key === "restart") {
          const m = /^(\d+)\/(\d+)$/.exec(v);
          if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) fail(`bad restart "${v}" (<max restarts>/<window in ms>, e.g. 5/10000)`);
          s.restart = { max: Number(m[1]), windowMs: Number(m[2]) };
        } else if (key === "backoff" || key === "heartbeat") {
          const n = /^\d+$/.test(v) ? Number(v) : NaN;
          if (!(n >= 0 && n <= 36e5)) fail(`bad ${key} "${v}" (virtual ms, 0 to 3600000)`);
          if (key === "backoff") s.backoffMs = n;
          else s.heartbeatMs = n;
        } else fail(`unknown privilege "${key}" (irq, ports, send, dev, supervise, kill, restart, backoff, heartbeat)`);
      }
    }
    servers.push(s);
  });
  if (servers.filter((x) => x.supervisor).length > 1) throw new ManifestError(`${file}: more than one server has supervise=yes`);
  if (!init) throw new ManifestError(`${file}: no init line`);
  if (!shell) throw new ManifestError(`${file}: no shell line`);
  for (const s of servers) for (const d of s.send) if (!servers.some((o) => o.name === d)) throw new ManifestError(`${file}: server "${s.name}" may send to "${d}", which is not declared`);
  return { servers, init, shell };
}
function parseNumber2(s) {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) return void 0;
  return Number(s);
}

// tools/bench/microkernel.ts
init_program();

// tools/image/default.ts
init_paths();
init_errors();
var DEFAULT_IMAGE_BYTES = 8 * 1024 * 1024;
var DEFAULT_IMAGE_PATH = fromRoot("build", "ringside.img");

// tools/bench/anchor.ts
var anchorPartner = (client, work = "") => `
%include "ulib.inc"
section .data
c_name db "${client}", 0
section .text
global _start
_start:
    SYSCALL SYS_ipc_lookup, c_name
    sub esp, 16                     ; the buffer, on the stack
    mov dword [esp], 0              ; its page is present and writable before ring 0 writes to it
    mov ebx, eax
    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, esp
    mov edi, 16 | (16 << 16)
    int 0x80
.next:
    cmp eax, SYS_ipc_call           ; the anchor resumes it with EAX as it was; the kernel completes
    jne .done                       ; the call (-ESRCH) only once the client has ended
${work}
    int 0x83                        ; ESI = the buffer
    jmp .next
.done:
    mov ebx, 0
    call ulib_exit
`;
var ANCHOR_TRIP = "    lea esi, [esp + 8]\n    int 0x83";
function armAnchor(k, client, partner) {
  const ps = k.liveProcesses();
  const c = ps.find((x) => x.name === client), p = ps.find((x) => x.name === partner);
  if (!c || !p || p.state !== "blocked" || c !== ps.find((x) => x.state === "running")) {
    throw new Error(`the anchor cannot be armed: ${client} ${c?.state}, ${partner} ${p?.state}`);
  }
  const m = k.machine, a2 = MEM.benchAnchor;
  m.write32(a2 + ANCHOR.cur, 0);
  m.write32(a2 + ANCHOR.cr3, c.as.pd);
  m.write32(a2 + ANCHOR.cr3 + 4, p.as.pd);
  m.write32(a2 + ANCHOR.esp0, c.kstackTop);
  m.write32(a2 + ANCHOR.esp0 + 4, p.kstackTop);
  m.write32(a2 + ANCHOR.esp + 4, p.frame);
  m.write32(p.frame + FRAME.eflags, m.read32(p.frame + FRAME.eflags) & ~512);
}

// tools/bench/chunks.ts
init_program();

// kernel/trace/recorder.ts
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import os from "node:os";
import path5 from "node:path";
var TRACE_VERSION = 2;
var IPC_OPS = ["send", "receive", "reply", "notify"];
var SERVICE_OPS = ["request", "reply"];
var SWITCH_REASONS = ["start", "preempt", "yield", "block", "exit", "wake", "priority"];
var PAGEFAULT_OUTCOMES = ["mapped", "killed", "out-of-memory", "copied", "reclaimed"];
var MAX_RECORD = 5 + 8;
var CHUNK_WORDS = 48 * 1024;
var CHUNK_BYTES = CHUNK_WORDS * 4;
var MEMORY_LIMIT = 64 * 1024 * 1024;
var OUT_BYTES = 1 << 20;
var OUT_SLACK = 64 * 1024;
var NO_CLOCK = {
  icount: () => {
    throw new Error("trace recorder: no clock attached (TraceRecorder.attachClock)");
  },
  usAt: () => 0
};
var utf82 = new TextEncoder();
var enc = (s) => utf82.encode(s);
var F64 = new Float64Array(1);
var F64_WORDS = new Uint32Array(F64.buffer);
var TraceRecorder = class {
  constructor(sink, header, syscallName2, opts = {}) {
    this.sink = sink;
    this.syscallName = syscallName2;
    this.byteSink = opts.bytes;
    this.breakAt = opts.breakAt ?? -1;
    this.onBreak = opts.onBreak;
    this.clock = opts.clock ?? NO_CLOCK;
    this.version = opts.version ?? TRACE_VERSION;
    if (this.version !== 1 && this.version !== 2) throw new Error(`trace schema version ${String(this.version)} cannot be written (1 or 2)`);
    this.buf = new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    const text = `{"trace":"ringside","version":${this.version},"ipms":${header.ipms},"mode":${JSON.stringify(header.mode)},"tool":${JSON.stringify(header.tool)}}
`;
    if (this.byteSink) this.byteSink(enc(text));
    else sink(text);
  }
  sink;
  syscallName;
  buf;
  u32;
  i32;
  /** The next free word of the current chunk, and its events so far. */
  w = 0;
  count = 0;
  side = [];
  clock;
  /** The instant of the last time record (icount -1: none yet in this chunk). */
  ic = -1;
  vt = 0;
  /** The pid and eip of the last syscall entry recorded (for syscallReturned). */
  sysPid = -1;
  sysEip = 0;
  chunks = [];
  /** Chunk buffers free for reuse (spilled or formatted). */
  pool = [];
  inMemory = 0;
  stored = 0;
  // events in completed chunks
  spillFd;
  spillPath;
  procNames = /* @__PURE__ */ new Map();
  /** Process names in effect from event index `at` on. */
  nameChanges = [];
  finished = false;
  /** Names of in-kernel services, by the index their `service` records carry. */
  serviceNames = [];
  reasons = SWITCH_REASONS.slice();
  /** The seq at which `onBreak` is called (-1: never). */
  breakAt;
  onBreak;
  byteSink;
  /** The schema version this recorder writes. */
  version;
  /** Reads event instants from `clock` from now on (the kernel attaches its machine). */
  attachClock(clock) {
    this.clock = clock;
  }
  /** Events recorded so far. */
  get events() {
    return this.stored + this.count;
  }
  /** Names process `pid` for the events that follow (call before its first event). */
  nameProcess(pid, name) {
    this.nameChanges.push({ at: this.events, pid, name });
    this.procNames.set(pid, name);
  }
  syscall(pid, cplFrom, eip, nr, a0, a1, a2, a3, a4) {
    const w = this.slot(1 /* syscall */, cplFrom, pid, 8);
    const u = this.u32;
    u[w + 1] = eip;
    u[w + 2] = nr;
    u[w + 3] = a0;
    u[w + 4] = a1;
    u[w + 5] = a2;
    u[w + 6] = a3;
    u[w + 7] = a4;
    this.sysPid = pid;
    this.sysEip = eip;
  }
  /**
   * The return to ring 3 from the syscall entry recorded last, at the same instant, to the same
   * eip: the kernel's fast path (no event between them may have changed the instant, so not with a
   * cost model charging the entry). Cheaper than `ret`: the clock is not read.
   */
  syscallReturned(ret) {
    let w = this.w;
    if (w > CHUNK_WORDS - MAX_RECORD || this.ic < 0) return this.ret(this.sysPid, 3, this.sysEip, ret);
    if (this.stored + this.count === this.breakAt) this.onBreak?.(this.breakAt, this.sysPid);
    this.w = w + 3;
    this.count++;
    const u = this.u32;
    u[w] = 5 /* retSyscall */ | 3 << 8 | this.sysPid + 1 << 16;
    u[w + 1] = this.sysEip;
    this.i32[w + 2] = ret;
  }
  exception(pid, cplFrom, eip, vector, errorCode, cr2, insn) {
    const w = this.slot(2 /* exception */, cplFrom, pid, 5);
    const u = this.u32;
    u[w + 1] = eip;
    u[w + 2] = vector;
    u[w + 3] = errorCode;
    u[w + 4] = cr2;
    if (insn !== void 0) this.side[this.count - 1] = insn;
  }
  irq(pid, cplFrom, eip, line) {
    const w = this.slot(3 /* irq */, cplFrom, pid, 3);
    this.u32[w + 1] = eip;
    this.u32[w + 2] = line;
  }
  /** A kernel exit to ring `cplTo`; after a syscall pass `ret` (else undefined). */
  ret(pid, cplTo, eip, ret) {
    if (ret === void 0) {
      const w = this.slot(4 /* ret */, cplTo, pid, 2);
      this.u32[w + 1] = eip;
    } else {
      const w = this.slot(5 /* retSyscall */, cplTo, pid, 3);
      this.u32[w + 1] = eip;
      this.i32[w + 2] = ret;
    }
  }
  /** An IPC operation (op: 0 send, 1 receive, 2 reply, 3 notify); src/dst -1 = the kernel (null). */
  ipc(pid, op, src, dst, bytes2) {
    const w = this.slot(7 /* ipc */, op, pid, 3);
    this.u32[w + 1] = src + 1 | dst + 1 << 16;
    this.u32[w + 2] = bytes2;
  }
  /** Registers an in-kernel service name; returns the index `service` records carry. */
  nameService(name) {
    const i = this.serviceNames.indexOf(name);
    return i >= 0 ? i : this.serviceNames.push(name) - 1;
  }
  /**
   * A request to an in-kernel service (op 0) or its reply (op 1), at the kernel boundary: `pid` is
   * the client, `service` the index from `nameService`, `type` the request's w0 (request) or the
   * reply's w0 (reply), `bytes` the payload bytes copied.
   */
  service(pid, op, service, type, bytes2) {
    const w = this.slot(8 /* service */, op, pid, 4);
    const u = this.u32;
    u[w + 1] = service;
    this.i32[w + 2] = type;
    u[w + 3] = bytes2;
  }
  /** The CPU moves from `from` to `to` (-1 = idle/boot, null in the trace); `pid` is `to`. */
  switchTo(pid, from, to, reason) {
    const w = this.slot(9 /* switch_ */, code(this.reasons, reason), pid, 2);
    this.u32[w + 1] = from + 1 | to + 1 << 16;
  }
  /** A page fault's outcome (follows its #PF exception event). */
  pageFault(pid, addr, eip, errorCode, outcome) {
    const w = this.slot(10 /* pagefault */, code(PAGEFAULT_OUTCOMES, outcome), pid, 4);
    const u = this.u32;
    u[w + 1] = addr;
    u[w + 2] = eip;
    u[w + 3] = errorCode;
  }
  /** Process `pid` ended (null: not applicable); `report` is kept by reference, serialised later. */
  exited(pid, status, vector, signal, report) {
    const w = this.slot(11 /* exit */, (status === null ? 1 : 0) | (vector === null ? 2 : 0) | (signal === null ? 4 : 0), pid, 4);
    const i = this.i32;
    i[w + 1] = status ?? 0;
    i[w + 2] = vector ?? 0;
    i[w + 3] = signal ?? 0;
    if (report !== null) this.side[this.count - 1] = report;
  }
  /** Process `pid` was created by `parent` (null: none) with `argv` (kept by reference: do not mutate it). */
  spawned(pid, parent, argv) {
    const w = this.slot(12 /* spawn */, 0, pid, 2);
    this.u32[w + 1] = parent === null ? 0 : parent + 1;
    this.side[this.count - 1] = argv;
  }
  /**
   * A kernel action (load, spawn, exit, halt …): `fields` are serialised in insertion order after
   * the common keys, when the trace is formatted, so they must not be mutated afterwards. The
   * frequent shapes (switch, pagefault, exit, spawn) are stored as binary records.
   */
  action(pid, kind, fields) {
    let n = 0;
    for (const _ in fields) n++;
    const f = fields;
    if (kind === "switch" && n === 3 && isPidOrNull(f.from) && isPidOrNull(f.to) && typeof f.reason === "string") {
      return this.switchTo(pid, f.from ?? -1, f.to ?? -1, f.reason);
    }
    if (kind === "pagefault" && n === 4 && isU32(f.addr) && isU32(f.eip) && isU32(f.error_code) && PAGEFAULT_OUTCOMES.includes(f.outcome)) {
      return this.pageFault(pid, f.addr, f.eip, f.error_code, f.outcome);
    }
    if (kind === "exit" && n === 4 && isI32OrNull(f.status) && isI32OrNull(f.vector) && isI32OrNull(f.signal) && (f.report === null || typeof f.report === "string")) {
      return this.exited(pid, f.status, f.vector, f.signal, f.report);
    }
    if (kind === "spawn" && n === 2 && isPidOrNull(f.parent) && Array.isArray(f.argv) && f.argv.every((a2) => typeof a2 === "string")) {
      return this.spawned(pid, f.parent, f.argv);
    }
    this.slot(6 /* object */, 0, pid, 1);
    this.side[this.count - 1] = [kind, fields];
  }
  /** Formats every recorded event, in order, into the sink (call once, after the run). */
  finish() {
    if (this.finished) return;
    this.finished = true;
    this.procNames.clear();
    this.storeChunk();
    const out = new OutBuffer((b) => this.byteSink ? this.byteSink(b) : this.sink(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8")));
    const names = new NameTables(this.version, this.nameChanges, this.syscallName, this.serviceNames, this.reasons);
    const at = { ic: 0, vt: 0 };
    let pos = 0;
    let seq = 0;
    for (const c of this.chunks) {
      let bytes2 = c.bytes;
      if (!bytes2) {
        bytes2 = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
        readSync(this.spillFd, new Uint8Array(bytes2), 0, CHUNK_BYTES, pos);
        pos += CHUNK_BYTES;
      }
      seq = formatChunk(out, names, bytes2, c, seq, at);
      c.bytes = void 0;
      this.pool.push(bytes2);
    }
    out.flush(out.pos);
    this.chunks.length = 0;
    this.pool.length = 0;
    if (this.spillFd !== void 0) {
      closeSync(this.spillFd);
      unlinkSync(this.spillPath);
      this.spillFd = void 0;
    }
  }
  /** Moves the current buffer to the chunk list (spilling to disk past the memory limit). */
  storeChunk() {
    if (this.w === 0) return;
    this.chunks.push({ bytes: this.buf, words: this.w, count: this.count, side: this.side });
    this.stored += this.count;
    this.inMemory += CHUNK_BYTES;
    if (this.inMemory > MEMORY_LIMIT) this.spillAll();
    this.buf = this.pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
    this.u32 = new Uint32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.side = [];
    this.count = 0;
    this.w = 0;
    this.ic = -1;
  }
  spillAll() {
    if (this.spillFd === void 0) {
      this.spillPath = path5.join(os.tmpdir(), `ringside-trace-${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
      this.spillFd = openSync(this.spillPath, "w+");
    }
    for (const c of this.chunks) {
      if (!c.bytes) continue;
      writeSync(this.spillFd, new Uint8Array(c.bytes));
      this.pool.push(c.bytes);
      c.bytes = void 0;
    }
    this.inMemory = 0;
  }
  /**
   * Room for an event record of `words` words, after a time record if the clock moved since the
   * last one; writes the record's first word and returns its index.
   */
  slot(kind, b, pid, words) {
    if (this.w > CHUNK_WORDS - MAX_RECORD) this.storeChunk();
    if (this.stored + this.count === this.breakAt) this.onBreak?.(this.breakAt, pid);
    const c = this.clock;
    const ic = c.icount();
    const vt = c.usAt(ic);
    let w = this.w;
    if (ic !== this.ic || vt !== this.vt) {
      this.ic = ic;
      this.vt = vt;
      const u = this.u32;
      u[w] = 13 /* time */;
      F64[0] = ic;
      u[w + 1] = F64_WORDS[0];
      u[w + 2] = F64_WORDS[1];
      F64[0] = vt;
      u[w + 3] = F64_WORDS[0];
      u[w + 4] = F64_WORDS[1];
      w += 5;
    }
    this.w = w + words;
    this.count++;
    this.u32[w] = kind | b << 8 | pid + 1 << 16;
    return w;
  }
};
function code(table, s) {
  for (let i = 0; i < table.length; i++) if (table[i] === s) return i;
  return table.push(s) - 1;
}
var isU32 = (x) => typeof x === "number" && x >>> 0 === x;
var isI32OrNull = (x) => x === null || typeof x === "number" && (x | 0) === x && !Object.is(x, -0);
var isPidOrNull = (x) => x === null || isU32(x) && x < 65535;
var DIGIT_PAIRS = (() => {
  const d = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    d[2 * i] = 48 + (i / 10 | 0);
    d[2 * i + 1] = 48 + i % 10;
  }
  return d;
})();
function put(buf, p, b) {
  const n = b.length;
  if (n > 10) {
    if (p + n <= buf.length) buf.set(b, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) buf[p + i] = b[i];
  return p + n;
}
function putU32(buf, p, v) {
  if (v < 10) {
    buf[p] = 48 + v;
    return p + 1;
  }
  if (v < 2147483648) return putI31(buf, p, v | 0);
  let q = p + 10;
  while (v >= 100) {
    const d = v / 100 >>> 0;
    const r = v - d * 100 << 1;
    buf[--q] = DIGIT_PAIRS[r + 1];
    buf[--q] = DIGIT_PAIRS[r];
    v = d;
  }
  buf[--q] = DIGIT_PAIRS[(v << 1) + 1];
  buf[--q] = DIGIT_PAIRS[v << 1];
  return p + 10;
}
function putI31(buf, p, v) {
  const n = v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  let q = p + n;
  while (v >= 100) {
    const d = v / 100 | 0;
    const r = v - d * 100 << 1;
    buf[--q] = DIGIT_PAIRS[r + 1];
    buf[--q] = DIGIT_PAIRS[r];
    v = d;
  }
  if (v >= 10) {
    buf[--q] = DIGIT_PAIRS[(v << 1) + 1];
    buf[--q] = DIGIT_PAIRS[v << 1];
  } else buf[--q] = 48 + v;
  return p + n;
}
function putSeqKey(buf, p) {
  buf[p] = 123;
  buf[p + 1] = 34;
  buf[p + 2] = 115;
  buf[p + 3] = 101;
  buf[p + 4] = 113;
  buf[p + 5] = 34;
  buf[p + 6] = 58;
  return p + 7;
}
function putIcountKey(buf, p) {
  buf[p] = 44;
  buf[p + 1] = 34;
  buf[p + 2] = 105;
  buf[p + 3] = 99;
  buf[p + 4] = 111;
  buf[p + 5] = 117;
  buf[p + 6] = 110;
  buf[p + 7] = 116;
  buf[p + 8] = 34;
  buf[p + 9] = 58;
  return p + 10;
}
function putVtKey(buf, p) {
  buf[p] = 44;
  buf[p + 1] = 34;
  buf[p + 2] = 118;
  buf[p + 3] = 116;
  buf[p + 4] = 34;
  buf[p + 5] = 58;
  return p + 6;
}
function putPid(buf, p, code2) {
  if (code2 !== 0) return putU32(buf, p, code2 - 1);
  buf[p] = 110;
  buf[p + 1] = 117;
  buf[p + 2] = 108;
  buf[p + 3] = 108;
  return p + 4;
}
function putDstKey(buf, p) {
  buf[p] = 44;
  buf[p + 1] = 34;
  buf[p + 2] = 100;
  buf[p + 3] = 115;
  buf[p + 4] = 116;
  buf[p + 5] = 34;
  buf[p + 6] = 58;
  return p + 7;
}
function putBytesKey(buf, p) {
  buf[p] = 44;
  buf[p + 1] = 34;
  buf[p + 2] = 98;
  buf[p + 3] = 121;
  buf[p + 4] = 116;
  buf[p + 5] = 101;
  buf[p + 6] = 115;
  buf[p + 7] = 34;
  buf[p + 8] = 58;
  return p + 9;
}
function putRetKey(buf, p) {
  buf[p] = 44;
  buf[p + 1] = 34;
  buf[p + 2] = 114;
  buf[p + 3] = 101;
  buf[p + 4] = 116;
  buf[p + 5] = 34;
  buf[p + 6] = 58;
  return p + 7;
}
function putEnd(buf, p) {
  buf[p] = 125;
  buf[p + 1] = 10;
  return p + 2;
}
function put9(buf, p, v) {
  let q = p + 9;
  for (let i = 0; i < 4; i++) {
    const d = v / 100 >>> 0;
    const r = v - d * 100 << 1;
    buf[--q] = DIGIT_PAIRS[r + 1];
    buf[--q] = DIGIT_PAIRS[r];
    v = d;
  }
  buf[--q] = 48 + v;
  return p + 9;
}
function putUint(buf, p, v) {
  if (v < 4294967296) return putU32(buf, p, v);
  const hi = Math.floor(v / 1e9);
  return put9(buf, putU32(buf, p, hi), v - hi * 1e9);
}
function putI32(buf, p, v) {
  if (v >= 0) return putU32(buf, p, v);
  buf[p] = 45;
  return putU32(buf, p + 1, -v);
}
function putNum(buf, p, x) {
  if ((x | 0) === x && x >= 0) return putU32(buf, p, x);
  if (x >= 0 && x < 9007199254740992 && Math.floor(x) === x) return putUint(buf, p, x);
  const n = Math.round(x * 1e3);
  if (n >= 1e3 && n < 2147483648 && n / 1e3 === x) {
    const e = putI31(buf, p, n);
    const f1 = buf[e - 3], f2 = buf[e - 2], f3 = buf[e - 1];
    buf[e - 3] = 46;
    buf[e - 2] = f1;
    if (f3 !== 48) {
      buf[e - 1] = f2;
      buf[e] = f3;
      return e + 1;
    }
    if (f2 !== 48) {
      buf[e - 1] = f2;
      return e;
    }
    return e - 1;
  }
  if (n / 1e3 === x && n >= 0 && n < 1e15) {
    const int = n < 2147483648 ? n / 1e3 | 0 : Math.floor(n / 1e3);
    p = int < 2147483648 ? putU32(buf, p, int) : putUint(buf, p, int);
    const frac = n - int * 1e3 | 0;
    const d0 = frac / 100 | 0;
    const r = frac - d0 * 100;
    const d1 = r / 10 | 0;
    const d2 = r - d1 * 10;
    buf[p] = 46;
    buf[p + 1] = 48 + d0;
    if (d2 !== 0) {
      buf[p + 2] = 48 + d1;
      buf[p + 3] = 48 + d2;
      return p + 4;
    }
    if (d1 !== 0) {
      buf[p + 2] = 48 + d1;
      return p + 3;
    }
    return p + 2;
  }
  const s = String(x);
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}
var H_SYSCALL = 0;
var H_EXCEPTION = 4;
var H_IRQ = 8;
var H_RETURN = 12;
var H_IPC = 16;
var H_SERVICE = 20;
var H_SWITCH = 22;
var H_PAGEFAULT = 23;
var H_EXIT = 24;
var H_SPAWN = 25;
var H_IPC_DST = 26;
var HEADS = 30;
function ringKeys(v2, entry, cpl) {
  if (v2) return entry ? `,"cpl_from":${cpl},"eip":` : `,"cpl_to":${cpl},"eip":`;
  return entry ? `,"cpl_from":${cpl},"cpl_to":0,"eip":` : `,"cpl_from":0,"cpl_to":${cpl},"eip":`;
}
function headTail(v2, i) {
  if (i < H_RETURN) return [["syscall", "exception", "irq"][i >> 2], ringKeys(v2, true, i & 3)];
  if (i < H_IPC) return ["return", ringKeys(v2, false, i & 3)];
  if (i < H_SERVICE) return ["ipc", `,"op":"${IPC_OPS[i - H_IPC]}","src":`];
  if (i >= H_IPC_DST) return ["ipc", `,"op":"${IPC_OPS[i - H_IPC_DST]}","dst":`];
  if (i < H_SWITCH) return ["service", `,"op":"${SERVICE_OPS[i - H_SERVICE]}","service":`];
  return [["switch", "pagefault", "exit", "spawn"][i - H_SWITCH], [`,"from":`, `,"addr":`, `,"status":`, `,"parent":`][i - H_SWITCH]];
}
var NameTables = class {
  constructor(version, changes, syscallName2, serviceNames, reasons) {
    this.changes = changes;
    this.syscallName = syscallName2;
    this.serviceNames = serviceNames;
    this.reasons = reasons;
    this.v2 = version === 2;
    this.nextAt = changes.length ? changes[0].at : Infinity;
  }
  changes;
  syscallName;
  serviceNames;
  reasons;
  procNames = /* @__PURE__ */ new Map();
  /** Version 2: names in effect but not yet written, by pid. */
  unwritten = /* @__PURE__ */ new Map();
  /** Version 2: unwritten.size, as a plain field (read on every line). */
  unwrittenCount = 0;
  /** Version 2: the name last written for each pid. */
  written = /* @__PURE__ */ new Map();
  /** Line heads by pid + 1 (0: no process), each row HEADS long, filled on first use. */
  heads = [];
  nrs = [];
  bigNrs = /* @__PURE__ */ new Map();
  vectors = [];
  irqs = [];
  strs = /* @__PURE__ */ new Map();
  reasonEnds = [];
  /** Version 2: derived keys are left out. */
  v2;
  next = 0;
  /** The seq at which the next process name takes effect (Infinity: none left). */
  nextAt;
  frag(text) {
    return enc(text);
  }
  /** Applies the process names in effect from event `seq` on. */
  advance(seq) {
    const ch = this.changes;
    while (this.next < ch.length && ch[this.next].at <= seq) {
      const n = ch[this.next++];
      this.procNames.set(n.pid, n.name);
      if (!this.v2) this.heads[n.pid + 1] = void 0;
      else if (this.written.get(n.pid) === n.name) this.unwritten.delete(n.pid);
      else this.unwritten.set(n.pid, n.name);
      this.unwrittenCount = this.unwritten.size;
    }
    this.nextAt = this.next < ch.length ? ch[this.next].at : Infinity;
  }
  /** Version 2: true while `pid`'s line must carry its name (a cheap test: usually nothing is unwritten). */
  named(pid) {
    return this.unwrittenCount !== 0 && this.unwritten.has(pid);
  }
  /** Version 2: the line about `pid` that carried its name is complete (call after every line while `unwrittenCount` is not 0). */
  settle(pid) {
    const name = this.unwritten.get(pid);
    if (name === void 0) return;
    this.unwritten.delete(pid);
    this.unwrittenCount = this.unwritten.size;
    this.written.set(pid, name);
  }
  /** Head `i` (H_…) of a line about `pid` (-1: none). */
  head(pid, i) {
    if (this.named(pid)) return this.buildHead(pid, i);
    const row = this.heads[pid + 1] ?? (this.heads[pid + 1] = new Array(HEADS).fill(void 0));
    return row[i] ?? (row[i] = this.buildHead(pid, i));
  }
  /** The head of an entry or exit line whose ring is not 0–3 (never from a real CPU): built each time. */
  oddHead(pid, kind, cpl, entry) {
    return this.frag(`,"kind":"${kind}"${this.pidText(pid)}${ringKeys(this.v2, entry, cpl)}`);
  }
  pidText(pid) {
    if (pid < 0) return this.v2 ? `,"pid":null` : `,"pid":null,"proc":null`;
    if (this.v2) return this.named(pid) ? `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid))}` : `,"pid":${pid}`;
    return `,"pid":${pid},"proc":${JSON.stringify(this.procNames.get(pid) ?? null)}`;
  }
  buildHead(pid, i) {
    const [kind, tail] = headTail(this.v2, i);
    return this.frag(`,"kind":"${kind}"${this.pidText(pid)}${tail}`);
  }
  /** `,"nr":…,"name":…,"args":[` for syscall `nr` (version 2: no name). */
  nr(nr) {
    if (nr < 1024) return this.nrs[nr] ?? (this.nrs[nr] = this.nrText(nr));
    let b = this.bigNrs.get(nr);
    if (b === void 0) this.bigNrs.set(nr, b = this.nrText(nr));
    return b;
  }
  nrText(nr) {
    return this.frag(this.v2 ? `,"nr":${nr},"args":[` : `,"nr":${nr},"name":${JSON.stringify(this.syscallName(nr))},"args":[`);
  }
  /** `,"vector":…,"name":…,"error_code":` (vectors are 0–255; version 2: no name). */
  vector(v) {
    return this.vectors[v] ?? (this.vectors[v] = this.frag(`,"vector":${v}${this.v2 ? "" : `,"name":${JSON.stringify(VECTOR_NAMES[v] ?? `#${v}`)}`},"error_code":`));
  }
  /** `,"irq":…,"name":…}\n` (lines are 0–255; version 2: no name). */
  irq(line) {
    return this.irqs[line] ?? (this.irqs[line] = this.frag(`,"irq":${line}${this.v2 ? "" : `,"name":${JSON.stringify(IRQ_NAMES[line] ?? `irq${line}`)}`}}
`));
  }
  /** A JSON string literal, encoded (cached: for the small sets of names). */
  str(s) {
    let b = this.strs.get(s);
    if (b === void 0) this.strs.set(s, b = this.frag(JSON.stringify(s)));
    return b;
  }
  service(i) {
    return this.str(this.serviceNames[i] ?? "?");
  }
  /** `,"reason":…}\n` for switch reason code `i`. */
  reasonEnd(i) {
    return this.reasonEnds[i] ?? (this.reasonEnds[i] = this.frag(`,"reason":${JSON.stringify(this.reasons[i])}}
`));
  }
  /** `,"pid":…,"proc":…` as text (for rare events). */
  pidJson(pid) {
    return this.pidText(pid);
  }
};
var OutBuffer = class {
  constructor(emit) {
    this.emit = emit;
  }
  emit;
  buf = new Uint8Array(OUT_BYTES + OUT_SLACK);
  pos = 0;
  /** Hands over [0, p) (whole lines); the next line starts at 0. */
  flush(p) {
    if (p > 0) this.emit(this.buf.subarray(0, p));
    this.pos = 0;
    return 0;
  }
  /** Makes the buffer hold at least `p + n` bytes, keeping [0, p). */
  grow(p, n) {
    const bigger = new Uint8Array(p + n + OUT_SLACK);
    bigger.set(this.buf.subarray(0, p));
    return this.buf = bigger;
  }
};
var B = {
  type: enc(`,"type":`),
  result: enc(`,"result":`),
  to: enc(`,"to":`),
  eip: enc(`,"eip":`),
  errorCode: enc(`,"error_code":`),
  cr2: enc(`,"cr2":`),
  insn: enc(`,"insn":`),
  outcome: PAGEFAULT_OUTCOMES.map((o) => enc(`,"outcome":"${o}"}
`)),
  vector: enc(`,"vector":`),
  signal: enc(`,"signal":`),
  report: enc(`,"report":`),
  argv: enc(`,"argv":`),
  null: enc("null")
};
function formatChunk(out, names, bytes2, c, seq, at) {
  const u = new Uint32Array(bytes2);
  const i32 = new Int32Array(bytes2);
  const side = c.side;
  let buf = out.buf;
  let p = out.pos;
  let ic = at.ic, vt = at.vt;
  let i = 0;
  for (let w = 0; w < c.words; ) {
    const head = u[w];
    const kind = head & 255;
    if (kind === 13 /* time */) {
      F64_WORDS[0] = u[w + 1];
      F64_WORDS[1] = u[w + 2];
      ic = F64[0];
      F64_WORDS[0] = u[w + 3];
      F64_WORDS[1] = u[w + 4];
      vt = F64[0];
      w += 5;
      continue;
    }
    if (seq >= names.nextAt) names.advance(seq);
    if (p >= OUT_BYTES) p = out.flush(p);
    const start = p;
    const b = head >>> 8 & 255;
    const pid = (head >>> 16) - 1;
    p = putSeqKey(buf, p);
    p = putU32(buf, p, seq);
    p = putIcountKey(buf, p);
    p = putNum(buf, p, ic);
    p = putVtKey(buf, p);
    p = putNum(buf, p, vt);
    let next;
    switch (kind) {
      case 1 /* syscall */:
        p = put(buf, p, b < 4 ? names.head(pid, H_SYSCALL + b) : names.oddHead(pid, "syscall", b, true));
        p = putU32(buf, p, u[w + 1]);
        p = put(buf, p, names.nr(u[w + 2]));
        p = putU32(buf, p, u[w + 3]);
        buf[p++] = 44;
        p = putU32(buf, p, u[w + 4]);
        buf[p++] = 44;
        p = putU32(buf, p, u[w + 5]);
        buf[p++] = 44;
        p = putU32(buf, p, u[w + 6]);
        buf[p++] = 44;
        p = putU32(buf, p, u[w + 7]);
        buf[p] = 93;
        buf[p + 1] = 125;
        buf[p + 2] = 10;
        p += 3;
        next = w + 8;
        break;
      case 4 /* ret */:
      case 5 /* retSyscall */:
        p = put(buf, p, b < 4 ? names.head(pid, H_RETURN + b) : names.oddHead(pid, "return", b, false));
        p = putU32(buf, p, u[w + 1]);
        if (kind === 5 /* retSyscall */) {
          p = putRetKey(buf, p);
          p = putI32(buf, p, i32[w + 2]);
          next = w + 3;
        } else next = w + 2;
        p = putEnd(buf, p);
        break;
      case 7 /* ipc */: {
        const pair = u[w + 1];
        const src = pair & 65535, dst = pair >>> 16;
        if (names.v2 && src === pid + 1) {
          p = put(buf, p, names.head(pid, H_IPC_DST + b));
          p = putPid(buf, p, dst);
        } else {
          p = put(buf, p, names.head(pid, H_IPC + b));
          p = putPid(buf, p, src);
          if (!names.v2 || dst !== pid + 1) {
            p = putDstKey(buf, p);
            p = putPid(buf, p, dst);
          }
        }
        p = putBytesKey(buf, p);
        p = putU32(buf, p, u[w + 2]);
        p = putEnd(buf, p);
        next = w + 3;
        break;
      }
      case 9 /* switch_ */: {
        const pair = u[w + 1];
        const from = pair & 65535, to = pair >>> 16;
        p = put(buf, p, names.head(pid, H_SWITCH));
        p = putPid(buf, p, from);
        if (!names.v2 || to !== pid + 1) {
          p = put(buf, p, B.to);
          p = putPid(buf, p, to);
        }
        p = put(buf, p, names.reasonEnd(b));
        next = w + 2;
        break;
      }
      case 3 /* irq */:
        p = put(buf, p, b < 4 ? names.head(pid, H_IRQ + b) : names.oddHead(pid, "irq", b, true));
        p = putU32(buf, p, u[w + 1]);
        p = put(buf, p, names.irq(u[w + 2]));
        next = w + 3;
        break;
      case 8 /* service */:
        p = put(buf, p, names.head(pid, H_SERVICE + b));
        p = put(buf, p, names.service(u[w + 1]));
        p = put(buf, p, b === 0 ? B.type : B.result);
        p = putI32(buf, p, i32[w + 2]);
        p = putBytesKey(buf, p);
        p = putU32(buf, p, u[w + 3]);
        p = putEnd(buf, p);
        next = w + 4;
        break;
      case 10 /* pagefault */:
        p = put(buf, p, names.head(pid, H_PAGEFAULT));
        p = putU32(buf, p, u[w + 1]);
        p = put(buf, p, B.eip);
        p = putU32(buf, p, u[w + 2]);
        p = put(buf, p, B.errorCode);
        p = putU32(buf, p, u[w + 3]);
        p = put(buf, p, B.outcome[b]);
        next = w + 4;
        break;
      case 2 /* exception */: {
        const v = u[w + 2];
        p = put(buf, p, b < 4 ? names.head(pid, H_EXCEPTION + b) : names.oddHead(pid, "exception", b, true));
        p = putU32(buf, p, u[w + 1]);
        p = put(buf, p, names.vector(v));
        p = putU32(buf, p, u[w + 3]);
        if (v === 14) {
          p = put(buf, p, B.cr2);
          p = putU32(buf, p, u[w + 4]);
        }
        const insn = side[i];
        if (insn !== void 0) {
          p = put(buf, p, B.insn);
          [buf, p] = putText(out, buf, p, JSON.stringify(insn));
        }
        p = putEnd(buf, p);
        next = w + 5;
        break;
      }
      case 11 /* exit */: {
        p = put(buf, p, names.head(pid, H_EXIT));
        p = b & 1 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 1]);
        p = put(buf, p, B.vector);
        p = b & 2 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 2]);
        p = put(buf, p, B.signal);
        p = b & 4 ? put(buf, p, B.null) : putI32(buf, p, i32[w + 3]);
        p = put(buf, p, B.report);
        const report = side[i];
        if (report === void 0) p = put(buf, p, B.null);
        else [buf, p] = putText(out, buf, p, JSON.stringify(report));
        p = putEnd(buf, p);
        next = w + 4;
        break;
      }
      case 12 /* spawn */: {
        const parent = u[w + 1];
        p = put(buf, p, names.head(pid, H_SPAWN));
        p = parent === 0 ? put(buf, p, B.null) : putU32(buf, p, parent - 1);
        p = put(buf, p, B.argv);
        [buf, p] = putText(out, buf, p, JSON.stringify(side[i]));
        p = putEnd(buf, p);
        next = w + 2;
        break;
      }
      default: {
        const [k, fields] = side[i];
        let tail = `,"kind":${JSON.stringify(k)}${names.pidJson(pid)}`;
        for (const key in fields) tail += `,${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
        [buf, p] = putText(out, buf, p, tail);
        p = putEnd(buf, p);
        next = w + 1;
      }
    }
    if (p > buf.length) {
      buf = out.grow(start, 2 * (p - start));
      p = start;
      continue;
    }
    if (names.unwrittenCount !== 0) names.settle(pid);
    w = next;
    i++;
    seq++;
  }
  at.ic = ic;
  at.vt = vt;
  out.pos = p;
  return seq;
}
function putText(out, buf, p, s) {
  const b = enc(s);
  if (p + b.length + OUT_SLACK > buf.length) buf = out.grow(p, b.length + OUT_SLACK);
  return [buf, put(buf, p, b)];
}

// tools/bench/chunks.ts
var CHUNK = Number(process.env.RINGSIDE_BENCH_IPC_CHUNK ?? 1e4);
var ROUNDS = 10;
var WARM = 5e4;
var MARK_END = "e";
function chunkClient(kinds, parts = {}) {
  const marks = kinds.map((k) => k.mark).join("") + MARK_END;
  const chunk = (n) => kinds.map((k, i) => `    SYSCALL SYS_write, 1, marks + ${i}, 1
    mov edx, ${n}
    call kind${i}
`).join("");
  const loops = kinds.map(
    (k, i) => `kind${i}:
${k.keepEdx ? "    push edx\n" : ""}${k.call}
${k.keepEdx ? "    pop edx\n" : ""}${k.check ? "    test eax, eax\n    jnz fail\n" : ""}    dec edx
    jnz kind${i}
    ret`
  ).join("\n");
  return `
%include "ulib.inc"
section .data
marks db "${marks}"
${parts.data ?? ""}
section .bss
rounds resd 1
${parts.bss ?? ""}
section .text
global _start
_start:
${parts.setup ?? ""}
${chunk(WARM)}
    mov dword [rounds], ${ROUNDS}
.round:
${chunk(CHUNK)}
    dec dword [rounds]
    jnz .round
    SYSCALL SYS_write, 1, marks + ${kinds.length}, 1
    mov ebx, 0
    call ulib_exit
${loops}
fail:
    mov ebx, 1
    call ulib_exit
`;
}
function initSpawning(names) {
  return `
%include "ulib.inc"
section .data
${names.map((n, i) => `name${i} db "${n}", 0`).join("\n")}
status dd 0
section .text
global _start
_start:
${names.map((_, i) => `    SYSCALL SYS_spawn, name${i}, 0`).join("\n")}
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    shr ebx, 8
    call ulib_exit
`;
}
var asm = (name, src) => assembleProgram(`${name}.asm`, src);
async function chunkedRun(spec) {
  const programs = await Promise.all(spec.programs.map(async (p) => ({ name: p.name, image: await asm(p.name, p.source) })));
  const modules = await Promise.all((spec.modules ?? []).map(async (p) => ({ name: p.name, image: await asm(p.name, p.source) })));
  const times = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  let open = "", last = 0, k;
  const trace = new TraceRecorder(() => {
  }, { ipms: 1e5, mode: spec.manifest ? "microkernel" : "monolithic", tool: "bench" }, syscallName, { bytes: () => {
  } });
  k = await createKernel({
    programs,
    modules,
    manifest: spec.manifest ? parseManifest(spec.manifest) : void 0,
    benchVector: spec.benchVector,
    trace,
    onIdle: () => false,
    onConsole: (b) => {
      const now = performance.now();
      if (open) {
        if (seen.has(open)) {
          let a2 = times.get(open);
          if (!a2) times.set(open, a2 = []);
          a2.push((now - last) / CHUNK * 1e6);
        } else seen.add(open);
      }
      open = String.fromCharCode(b);
      if (k) {
        k.setTraceRecording(open !== open.toLowerCase());
        spec.onMark?.(k, open);
      }
      last = performance.now();
    }
  });
  k.setTraceRecording(false);
  if (spec.benchVector) k.machine.onPortWrite32(BENCH_NULL_PORT, () => {
  });
  const r = await k.run();
  k.destroy();
  if (r.reason !== "exit" && r.reason !== "shutdown" || r.status !== 0 || open !== MARK_END) {
    throw new Error(`chunked bench run failed: ${r.reason} status ${r.status} last mark ${JSON.stringify(open)} ${r.panic ?? ""}`);
  }
  return times;
}

// tools/bench/microkernel.ts
var FILE_BYTES = 1024 * 1024;
var SERVER = `
%include "ringside.inc"
section .bss
buf resb 16
section .text
global _start
_start:
    xor ebx, ebx
.loop:
    mov eax, SYS_ipc_reply_recv
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80
    mov ebx, eax
    jmp .loop
`;
var GETPID = { mark: "g", call: "    mov eax, SYS_getpid\n    int 0x80" };
var NULL_IRET = { mark: "n", call: "    int 0x81" };
var NULL_HOST = { mark: "h", call: "    int 0x84" };
var IPC_TRIP = `    mov ebx, [peer]
    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80`;
function ipcRun(only) {
  const kinds = [GETPID, NULL_IRET, NULL_HOST, { mark: "t", call: IPC_TRIP, keepEdx: true, check: true }, { mark: "a", call: ANCHOR_TRIP, keepEdx: true }, { mark: "T", call: IPC_TRIP, keepEdx: true, check: true }];
  const client = chunkClient(
    kinds.filter((k) => only === void 0 || only.includes(k.mark)),
    {
      data: 's_name db "s", 0',
      bss: "peer resd 1\nbuf resb 16",
      // the partner's message says it is parked; it is never answered. 16 bytes of stack for the anchor.
      setup: "    mov dword [buf], 0\n    SYSCALL SYS_ipc_receive, -1, 0, 0, buf, 16\n    SYSCALL SYS_ipc_lookup, s_name\n    mov [peer], eax\n    sub esp, 16"
    }
  );
  return chunkedRun({
    programs: [{ name: "init", source: initSpawning(["s", "p", "c"]) }],
    modules: [{ name: "s", source: SERVER }, { name: "p", source: anchorPartner("c") }, { name: "c", source: client }],
    manifest: "server s /s\nserver p /p send=c\nserver c /c send=s\ninit init /init\nshell sh /bin/sh\n",
    benchVector: true,
    onMark: (k, mark) => {
      if (mark === "a") armAnchor(k, "c", "p");
    }
  });
}
var READER = `
%include "ulib.inc"
section .data
path db "/home/big.bin", 0
s db "S"
e db "E"
section .bss
buf resb 4096
section .text
global _start
_start:
    SYSCALL SYS_write, 1, s, 1
    SYSCALL SYS_open, path, 0, 0
    mov esi, eax
    xor ebp, ebp
.loop:
    SYSCALL SYS_read, esi, buf, 4096
    test eax, eax
    jle .done
    add ebp, eax
    jmp .loop
.done:
    SYSCALL SYS_write, 1, e, 1
    xor ebx, ebx
    cmp ebp, ${FILE_BYTES}
    setne bl
    call ulib_exit
`;

// ../../tmp/prof3.mts
await ipcRun("t");
await ipcRun("t");
await ipcRun("t");
