// Instruction selection: picks the shortest NASM-compatible encoding of one instruction.
// Behind the small `InstructionSelector` interface; this implementation filters iced-x86's Code table.
import iced from "iced-x86";
import { AsmError } from "./diagnostics.ts";
import { registerOf, type RegInfo } from "./registers.ts";

const { Code, CodeExt, Encoder, Instruction, MemoryOperand, MemorySizeExt, Mnemonic, OpCodeOperandKind: K, EncodingKind, Register, RepPrefixKind } = iced;
type IcedInstruction = InstanceType<typeof Instruction>;
type IcedEncoder = InstanceType<typeof Encoder>;

/** A fully evaluated operand, as the selector sees it. */
export type ROperand =
  | { k: "reg"; reg: RegInfo }
  | {
      k: "mem";
      size: number; // bits, 0 = not specified
      far: boolean;
      seg?: RegInfo;
      base?: RegInfo;
      index?: RegInfo;
      scale: number;
      disp: number;
      dispRel: boolean; // relocatable displacement: always full width (like NASM)
      dispSize: number; // 0 = smallest, else forced bytes (1, 2, 4)
      addr: 16 | 32;
    }
  | { k: "imm"; value: number; rel: boolean; unknown?: boolean; size: number; strict: boolean; jump?: "short" | "near" | "far" }
  | { k: "far"; sel: number; off: number; size: number };

export interface InsnRequest {
  mnem: string; // lower case
  bits: 16 | 32;
  prefixes: string[]; // lower case: rep, repe, repne, lock, o16, o32, a16, a32, es, cs, ...
  ops: ROperand[];
  address: number; // where the instruction starts (used by relative branches)
  allowShort: boolean; // branch may be short if the target is in range
  final: boolean; // report range errors (earlier passes only size things)
}

export interface Encoded {
  bytes: Uint8Array;
  branch?: "short" | "near"; // which form a relative branch took
  warnings?: string[];
}

/** What the layout needs from instruction selection; a hand-written table could implement it too. */
export interface InstructionSelector {
  isMnemonic(name: string): boolean;
  encode(req: InsnRequest): Encoded;
}

interface Row {
  code: number;
  name: string;
  kinds: number[];
  opSize: number;
  addrSize: number;
  memBits: number;
  immWidth: number; // width of the immediate operand, 0 if none
  accImm: boolean; // AL/AX/EAX short form with an immediate (loses ties, NASM rule 4)
}

const CC: Record<string, string> = {
  o: "o", no: "no", b: "b", c: "b", nae: "b", ae: "ae", nb: "ae", nc: "ae", e: "e", z: "e", ne: "ne", nz: "ne",
  be: "be", na: "be", a: "a", nbe: "a", s: "s", ns: "ns", p: "p", pe: "p", np: "np", po: "np",
  l: "l", nge: "l", ge: "ge", nl: "ge", le: "le", ng: "le", g: "g", nle: "g",
};

// NASM names whose meaning follows `bits` (rule 9) or that are spelled differently in iced.
const ALIASES: Record<string, string[]> = {
  sal: ["shl"], retn: ["ret"], loopz: ["loope"], loopnz: ["loopne"], icebp: ["int1"], fwait: ["wait"],
  pusha: ["pusha", "pushad"], pushaw: ["pusha"], popa: ["popa", "popad"], popaw: ["popa"],
  pushf: ["pushf", "pushfd"], pushfw: ["pushf"], popf: ["popf", "popfd"], popfw: ["popf"],
  iret: ["iret", "iretd"], iretw: ["iret"],
};
const SIZE_FROM_BITS = new Set(["pusha", "popa", "pushf", "popf", "iret"]);
// Explicit-size spellings: name → [iced mnemonic, operand size].
const SIZED: Record<string, [string, number]> = {
  retfw: ["retf", 16], retfd: ["retf", 32], retnw: ["ret", 16], retnd: ["ret", 32], retw: ["ret", 16], retd: ["ret", 32],
};

// Loads of a selector-like 16-bit value that NASM encodes without 66 from a 16-bit register (rule 1).
const WIDEN_R16 = new Set(["Mov_Sreg_r32m16", "Ltr_r32m16", "Lldt_r32m16", "Lmsw_r32m16", "Verr_r32m16", "Verw_r32m16", "Arpl_r32m16_r32"]);

const STRING_OPS: Record<string, [string, boolean]> = {
  movsb: ["createMovsb", true], movsw: ["createMovsw", true], movsd: ["createMovsd", true],
  cmpsb: ["createCmpsb", true], cmpsw: ["createCmpsw", true], cmpsd: ["createCmpsd", true],
  lodsb: ["createLodsb", true], lodsw: ["createLodsw", true], lodsd: ["createLodsd", true],
  outsb: ["createOutsb", true], outsw: ["createOutsw", true], outsd: ["createOutsd", true],
  stosb: ["createStosb", false], stosw: ["createStosw", false], stosd: ["createStosd", false],
  scasb: ["createScasb", false], scasw: ["createScasw", false], scasd: ["createScasd", false],
  insb: ["createInsb", false], insw: ["createInsw", false], insd: ["createInsd", false],
};

const PREFIX_BYTE: Record<string, number> = { o16: 0x66, o32: 0x66, a16: 0x67, a32: 0x67, es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };

const ALLOWED_KINDS = new Set<number>([
  K.farbr2_2, K.farbr4_2, K.mem_offs, K.mem, K.r8_or_mem, K.r16_or_mem, K.r32_or_mem, K.r8_reg, K.r8_opcode,
  K.r16_reg, K.r16_rm, K.r16_opcode, K.r32_reg, K.r32_rm, K.r32_opcode, K.seg_reg, K.cr_reg, K.dr_reg, K.tr_reg,
  K.es, K.cs, K.ss, K.ds, K.fs, K.gs, K.al, K.cl, K.ax, K.dx, K.eax, K.imm8, K.imm8_const_1, K.imm8sex16, K.imm8sex32,
  K.imm16, K.imm32, K.br16_1, K.br32_1, K.br16_2, K.br32_4,
]);
const IMM_WIDTH = new Map<number, number>([
  [K.imm8, 8], [K.imm8_const_1, 8], [K.imm8sex16, 8], [K.imm8sex32, 8], [K.imm16, 16], [K.imm32, 32],
]);
const BRANCH_KINDS = new Set<number>([K.br16_1, K.br32_1, K.br16_2, K.br32_4]);
const FIXED_REG = new Map<number, string>([
  [K.es, "es"], [K.cs, "cs"], [K.ss, "ss"], [K.ds, "ds"], [K.fs, "fs"], [K.gs, "gs"], [K.al, "al"], [K.cl, "cl"], [K.ax, "ax"], [K.dx, "dx"], [K.eax, "eax"],
]);

/** Builds the mnemonic → candidate rows table from iced's Code enum (once per process). */
function buildTable(): Map<string, Row[]> {
  const table = new Map<string, Row[]>();
  const count = Object.keys(Code).length / 2;
  for (let code = 0; code < count; code++) {
    const name = Code[code];
    if (/_82$|_F6r1$|_F7r1$|^Sal_|^Jmpe|^Loadall|^Ud0|486|^Umov|^Xbts|^Ibts/.test(name)) continue;
    const oc = CodeExt.opCode(code);
    try {
      if (oc.encoding !== EncodingKind.Legacy || !(oc.mode16 || oc.mode32) || !oc.isInstruction) continue;
      const kinds: number[] = [];
      let ok = true;
      for (let i = 0; i < oc.opCount; i++) {
        const k = oc.opKind(i);
        if (!ALLOWED_KINDS.has(k)) ok = false;
        kinds.push(k);
      }
      if (!ok) continue;
      const mn = Mnemonic[oc.mnemonic].toLowerCase();
      const immKind = kinds.find((k) => IMM_WIDTH.has(k));
      const row: Row = {
        code,
        name,
        kinds,
        opSize: oc.operandSize,
        addrSize: oc.addressSize,
        memBits: MemorySizeExt.size(oc.memorySize) * 8,
        immWidth: immKind === undefined ? 0 : IMM_WIDTH.get(immKind)!,
        accImm: immKind !== undefined && kinds.some((k) => k === K.al || k === K.ax || k === K.eax),
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

/** Returns the iced Register for one of our registers. */
function icedReg(r: RegInfo | undefined): number {
  if (!r) return Register.None;
  return (Register as unknown as Record<string, number>)[r.name.toUpperCase()];
}

/** Does operand `op` fit operand kind `k` of `row`? (value-independent part of matching) */
function kindMatches(k: number, op: ROperand, row: Row, bits: number): boolean {
  switch (op.k) {
    case "reg": {
      const c = op.reg.cls;
      switch (k) {
        case K.r8_or_mem: case K.r8_reg: case K.r8_opcode:
          return c === "r8";
        case K.r16_or_mem: case K.r16_reg: case K.r16_rm: case K.r16_opcode:
          return c === "r16";
        case K.r32_or_mem:
          return c === "r32" || (c === "r16" && ((bits === 32 && WIDEN_R16.has(row.name)) || row.name === "Lar_r32_r32m16" || row.name === "Lsl_r32_r32m16"));
        case K.r32_reg:
          return c === "r32" || (c === "r16" && bits === 32 && WIDEN_R16.has(row.name));
        case K.r32_rm: case K.r32_opcode:
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
        return op.size === 0 || op.size === row.memBits || (row.memBits === 0 && !op.far);
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

type Fit = "ok" | "warn" | "no";

/** Checks an immediate value against an operand kind; returns the value iced should get. */
function immFit(k: number, op: Extract<ROperand, { k: "imm" }>): { fit: Fit; value: number; signed: boolean } {
  const v = op.value;
  switch (k) {
    case K.imm8_const_1:
      return { fit: v === 1 && !op.rel && op.size !== 8 ? "ok" : "no", value: 1, signed: true };
    case K.imm8sex16:
    case K.imm8sex32: {
      if (op.rel) return { fit: "no", value: 0, signed: true };
      const w = k === K.imm8sex16 ? ((v & 0xffff) << 16) >> 16 : v | 0;
      if (w >= -128 && w <= 127) return { fit: "ok", value: w, signed: true };
      return { fit: op.size === 8 ? "warn" : "no", value: ((v & 0xff) << 24) >> 24, signed: true };
    }
    case K.imm8:
      return { fit: v >= -128 && v <= 255 ? "ok" : "warn", value: v & 0xff, signed: false };
    case K.imm16:
      return { fit: v >= -65536 && v <= 65535 ? "ok" : "warn", value: v & 0xffff, signed: false };
    default:
      return { fit: v >= -0x100000000 && v <= 0xffffffff ? "ok" : "warn", value: v >>> 0, signed: false };
  }
}

/** Removes an operand-size prefix from the prefix area. */
function strip66(b: Uint8Array): Uint8Array {
  for (let i = 0; i < b.length - 1; i++) {
    if (b[i] === 0x66) return Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1)]);
    if (![0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67].includes(b[i])) break;
  }
  return b;
}

/** Reorders leading prefix bytes into NASM's order: lock/rep, segment, 66, 67. */
function nasmPrefixOrder(b: Uint8Array): Uint8Array {
  const rank = (x: number) => (x === 0xf0 || x === 0xf2 || x === 0xf3 ? 0 : x === 0x26 || x === 0x2e || x === 0x36 || x === 0x3e || x === 0x64 || x === 0x65 ? 1 : x === 0x66 ? 2 : x === 0x67 ? 3 : -1);
  let n = 0;
  while (n < b.length - 1 && rank(b[n]) >= 0) n++;
  if (n < 2) return b;
  const pre = Array.from(b.subarray(0, n)).sort((x, y) => rank(x) - rank(y));
  const out = new Uint8Array(b.length);
  out.set(pre, 0);
  out.set(b.subarray(n), n);
  return out;
}

/** The iced-backed selector. Caches candidate lists per operand shape and encodings per operand values. */
export class IcedSelector implements InstructionSelector {
  private table = buildTable();
  private encoders = new Map<number, IcedEncoder>();
  private shapeCache = new Map<string, Row[]>();
  private encodeCache = new Map<string, Encoded>();
  private branchTemplates = new Map<string, Uint8Array>();

  private mnemonicCache = new Map<string, boolean>();

  isMnemonic(name: string): boolean {
    let r = this.mnemonicCache.get(name);
    if (r === undefined) {
      r = this.isMnemonicUncached(name);
      this.mnemonicCache.set(name, r);
    }
    return r;
  }

  private isMnemonicUncached(name: string): boolean {
    const n = name.toLowerCase();
    return this.table.has(n) || n in ALIASES || n in SIZED || n in STRING_OPS || n === "xlatb" || n === "xlat" || this.ccName(n) !== undefined;
  }

  /** Maps NASM condition-code aliases (jz, setnae, cmovpe…) to iced's canonical mnemonic. */
  private ccName(n: string): string | undefined {
    for (const p of ["j", "set", "cmov"]) {
      if (n.startsWith(p)) {
        const cc = CC[n.slice(p.length)];
        if (cc) return p + cc;
      }
    }
    return undefined;
  }

  private encoder(bits: number): IcedEncoder {
    let e = this.encoders.get(bits);
    if (!e) {
      e = new Encoder(bits);
      this.encoders.set(bits, e);
    }
    return e;
  }

  /** Encodes one instruction; throws AsmError with a user-facing message if impossible. */
  encode(req: InsnRequest): Encoded {
    const key = this.valueKey(req);
    if (key !== undefined) {
      const hit = this.encodeCache.get(key);
      if (hit) return hit;
    }
    const res = this.encodeUncached(req);
    if (key !== undefined && !res.branch) this.encodeCache.set(key, res);
    return res;
  }

  /** A string identifying everything an encoding depends on (undefined: do not cache). */
  private valueKey(req: InsnRequest): string | undefined {
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
          if (o.jump !== undefined && o.jump !== "far") return undefined;
          s += `|i${o.value},${o.rel ? 1 : 0},${o.size},${o.strict ? 1 : 0},${o.jump ?? ""}`;
          break;
        case "far":
          s += `|f${o.sel},${o.off},${o.size}`;
          break;
      }
    }
    return s;
  }

  private encodeUncached(req: InsnRequest): Encoded {
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
    // aam/aad without an operand mean base 10
    if ((mnem === "aam" || mnem === "aad") && ops.length === 0) ops = [{ k: "imm", value: 10, rel: false, size: 0, strict: false }];
    // rule 9: imul r, imm means imul r, r, imm
    if (mnem === "imul" && ops.length === 2 && ops[0].k === "reg" && ops[1].k === "imm") ops = [ops[0], ops[0], ops[1]];
    if (ops.length === 2 && ops[0].k === "imm" && ops[1].k === "reg" && (ops[1].reg.name === "cx" || ops[1].reg.name === "ecx") && /^loop/.test(mnem)) {
      const a = ops[1].reg.name === "cx" ? "a16" : "a32";
      return this.encodeBranch({ ...req, ops: [ops[0]], prefixes: [...req.prefixes, a] }, names[0]);
    }
    const isBranch = ops.length === 1 && ops[0].k === "imm" && names.some((n) => this.table.get(n)?.some((r) => r.kinds.length === 1 && BRANCH_KINDS.has(r.kinds[0])));
    if (isBranch) return this.encodeBranch(req, names[0]);
    // xchg reg,reg: ModRM reg field holds the first operand (rule 6) — i.e. iced's operands swapped
    if (mnem === "xchg" && ops.length === 2 && ops[0].k === "reg" && ops[1].k === "reg") {
      const [a, b] = ops;
      const acc = (r: RegInfo) => r.name === "ax" || r.name === "eax";
      ops = acc(a.reg) && !acc(b.reg) ? [b, a] : acc(b.reg) ? [a, b] : [b, a];
      if (acc(a.reg) && acc(b.reg) && a.reg.name === b.reg.name) ops = [a, b];
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
    let best: { bytes: Uint8Array; score: number; warn?: string } | undefined;
    let firstErr: string | undefined;
    for (const row of rows) {
      let fit: Fit = "ok";
      const imms: { value: number; signed: boolean }[] = [];
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
      let bytes: Uint8Array;
      try {
        bytes = this.build(row, ops, imms, req);
      } catch (e) {
        firstErr ??= (e as Error).message;
        continue;
      }
      const score = (fit === "warn" ? 1000 : 0) + bytes.length * 4 + (row.accImm ? 1 : 0);
      if (!best || score < best.score) best = { bytes, score, warn: fit === "warn" ? `${row.immWidth === 8 ? "byte" : row.immWidth === 16 ? "word" : "dword"} value exceeds bounds` : undefined };
    }
    if (!best) {
      if (ops.some((o) => o.k === "imm" && o.size === 8)) throw new AsmError("immediate does not fit in a byte");
      throw new AsmError(`invalid combination of opcode and operands for '${mnem}'${firstErr ? ` (${firstErr})` : ""}`);
    }
    return { bytes: best.bytes, warnings: best.warn ? [best.warn] : undefined };
  }

  /** Candidate rows for the operand shape, with NASM's size rules applied (cached by shape). */
  private candidates(names: string[], ops: ROperand[], req: InsnRequest, sizeFromBits: boolean, forcedSize = 0): Row[] {
    let key = names.join("/") + "|" + req.bits + "|" + forcedSize;
    for (const o of ops) {
      if (o.k === "reg") key += "|r" + o.reg.name;
      else if (o.k === "mem") key += `|m${o.size},${o.far ? 1 : 0},${o.base || o.index ? 1 : 0},${o.dispSize}`;
      else if (o.k === "imm") key += `|i${o.size},${o.strict ? 1 : 0},${o.jump ?? ""}`;
      else key += `|f${o.size}`;
    }
    const hit = this.shapeCache.get(key);
    if (hit) return hit;
    const all: Row[] = [];
    for (const n of names) for (const r of this.table.get(n) ?? []) all.push(r);
    let rows = all.filter((r) => r.kinds.length === ops.length && r.kinds.every((k, i) => kindMatches(k, ops[i], r, req.bits)));
    const hasGp = ops.some((o) => o.k === "reg" && (o.reg.cls === "r8" || o.reg.cls === "r16" || o.reg.cls === "r32"));
    const sizedMem = ops.some((o) => o.k === "mem" && o.size !== 0);
    const sizelessMem = ops.some((o) => o.k === "mem" && o.size === 0 && !o.far);
    const imm = ops.find((o): o is Extract<ROperand, { k: "imm" }> => o.k === "imm");
    const far = ops.find((o): o is Extract<ROperand, { k: "far" }> => o.k === "far");
    if (imm && imm.size) {
      if (imm.strict || imm.size === 8) rows = rows.filter((r) => r.immWidth === imm.size || (imm.size === 8 && r.immWidth === 0));
      if (imm.size !== 8 && !hasGp && !sizedMem) {
        if (sizelessMem) rows = rows.filter((r) => r.memBits === imm.size);
        else rows = rows.filter((r) => r.opSize === imm.size || (r.opSize === 0 && r.immWidth === imm.size));
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
  private build(row: Row, ops: ROperand[], imms: { value: number; signed: boolean }[], req: InsnRequest): Uint8Array {
    const args: Array<{ t: "r"; v: number } | { t: "m"; v: InstanceType<typeof MemoryOperand> } | { t: "i"; v: number; s: boolean } | { t: "f"; sel: number; off: number }> = [];
    let ii = 0;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (o.k === "reg") {
        const reg = o.reg.cls === "r16" && (row.kinds[i] === K.r32_or_mem || row.kinds[i] === K.r32_reg) ? registerOf("r32", o.reg.num) : o.reg;
        args.push({ t: "r", v: icedReg(reg) });
      } else if (o.k === "mem") {
        const full = o.addr === 16 ? 2 : 4;
        const dsz = !o.base && !o.index ? full : o.dispSize ? o.dispSize : o.dispRel ? full : o.disp === 0 ? 0 : 1;
        const disp = o.addr === 16 ? o.disp & 0xffff : o.disp >>> 0;
        args.push({ t: "m", v: new MemoryOperand(icedReg(o.base), icedReg(o.index), o.scale, BigInt(disp), dsz, false, icedReg(o.seg)) });
      } else if (o.k === "imm") {
        const f = imms[ii++];
        args.push({ t: "i", v: f.value, s: f.signed });
      } else args.push({ t: "f", sel: o.sel & 0xffff, off: o.off >>> 0 });
    }
    let ins: IcedInstruction | undefined;
    let consumed = false; // Instruction.create* takes ownership of the MemoryOperand
    try {
      consumed = true;
      ins = this.create(row.code, args);
      this.applyPrefixes(ins, req);
      const b = this.finish(ins, req);
      // rule 1: loads of a selector-like value from a register never get 66
      if (WIDEN_R16.has(row.name) && ops.some((o) => o.k === "reg" && o.reg.cls === "r32") && req.bits === 16) return strip66(b);
      return b;
    } finally {
      ins?.free();
      if (!consumed) for (const a of args) if (a.t === "m") a.v.free();
    }
  }

  /** Calls the matching Instruction.create* for an operand shape. */
  private create(code: number, a: Array<{ t: string; v?: unknown; s?: boolean; sel?: number; off?: number }>): IcedInstruction {
    const shape = a.map((x) => x.t).join("");
    const I = Instruction as unknown as Record<string, (...x: unknown[]) => IcedInstruction>;
    const imm = (x: { v?: unknown; s?: boolean }) => x.v as number;
    const IU = (x: { s?: boolean }) => (x.s ? "I32" : "U32");
    switch (shape) {
      case "":
        return Instruction.create(code);
      case "r":
        return Instruction.createReg(code, a[0].v as number);
      case "m":
        return Instruction.createMem(code, a[0].v as never);
      case "i":
        return I["create" + IU(a[0])](code, imm(a[0]));
      case "f":
        return Instruction.createFarBranch(code, a[0].sel!, a[0].off!);
      case "rr":
        return Instruction.createRegReg(code, a[0].v as number, a[1].v as number);
      case "rm":
        return Instruction.createRegMem(code, a[0].v as number, a[1].v as never);
      case "mr":
        return Instruction.createMemReg(code, a[0].v as never, a[1].v as number);
      case "ri":
        return I["createReg" + IU(a[1])](code, a[0].v, imm(a[1]));
      case "mi":
        return I["createMem" + IU(a[1])](code, a[0].v, imm(a[1]));
      case "ir":
        return I["create" + IU(a[0]) + "Reg"](code, imm(a[0]), a[1].v);
      case "ii":
        return Instruction.createU32U32(code, imm(a[0]), imm(a[1]));
      case "rri":
        return I["createRegReg" + IU(a[2])](code, a[0].v, a[1].v, imm(a[2]));
      case "rmi":
        return I["createRegMem" + IU(a[2])](code, a[0].v, a[1].v, imm(a[2]));
      case "mri":
        return I["createMemReg" + IU(a[2])](code, a[0].v, a[1].v, imm(a[2]));
      case "mrr":
        return Instruction.createMemRegReg(code, a[0].v as never, a[1].v as number, a[2].v as number);
      case "rrr":
        return Instruction.createRegRegReg(code, a[0].v as number, a[1].v as number, a[2].v as number);
    }
    throw new AsmError("unsupported operand combination");
  }

  /** Sets lock/rep prefixes on an instruction. */
  private applyPrefixes(ins: IcedInstruction, req: InsnRequest): void {
    for (const p of req.prefixes) {
      if (p === "lock") ins.hasLockPrefix = true;
      else if (p === "rep" || p === "repe" || p === "repz") ins.hasRepePrefix = true;
      else if (p === "repne" || p === "repnz") ins.hasRepnePrefix = true;
    }
  }

  /** Encodes, adds raw prefixes (o16/a32/segment) iced did not emit, and applies NASM prefix order. */
  private finish(ins: IcedInstruction, req: InsnRequest, address = 0): Uint8Array {
    const enc = this.encoder(req.bits);
    try {
      enc.encode(ins, BigInt(address >>> 0));
    } catch (e) {
      enc.takeBuffer(); // what iced wrote before it gave up must not lead the next instruction's bytes
      throw e;
    }
    let b = enc.takeBuffer();
    const extra: number[] = [];
    for (const p of req.prefixes) {
      const x = PREFIX_BYTE[p];
      if (x === undefined) continue;
      const isSeg = x !== 0x66 && x !== 0x67;
      if (isSeg && ins.segmentPrefix !== Register.None) continue;
      const wanted16 = p === "o16" || p === "a16";
      const isOp = x === 0x66;
      // only emit an operand/address-size prefix if it changes the size from the default
      if (!isSeg && (wanted16 ? req.bits === 16 : req.bits === 32)) continue;
      let n = 0;
      let has = false;
      while (n < b.length && [0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67].includes(b[n])) {
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
  private encodeString(req: InsnRequest): Encoded {
    if (req.mnem === "xlatb" || req.mnem === "xlat") {
      const pre: number[] = [];
      for (const p of req.prefixes) if (PREFIX_BYTE[p] !== undefined && PREFIX_BYTE[p] !== 0x66) pre.push(PREFIX_BYTE[p]);
      return { bytes: nasmPrefixOrder(new Uint8Array([...pre, 0xd7])) };
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
    const I = Instruction as unknown as Record<string, (...x: unknown[]) => IcedInstruction>;
    const ins = hasSeg ? I[fn](addr, Register.None, rep) : I[fn](addr, rep);
    try {
      const p2 = req.prefixes.filter((p) => p !== "a16" && p !== "a32" && p !== "lock");
      const b = this.finish(ins, { ...req, prefixes: p2 });
      if (req.prefixes.includes("lock")) return { bytes: nasmPrefixOrder(new Uint8Array([0xf0, ...b])) };
      return { bytes: b };
    } finally {
      ins.free();
    }
  }

  /** Relative jmp/jcc/call/loop/jcxz: short if allowed and in range, else near. */
  private encodeBranch(req: InsnRequest, name: string): Encoded {
    const op = req.ops[0] as Extract<ROperand, { k: "imm" }>;
    const mnem = req.mnem;
    const bits = req.bits;
    let opBits: number = bits;
    if (op.size === 16 || op.size === 32) opBits = op.size;
    const rows = (this.table.get(name) ?? []).filter((r) => r.kinds.length === 1 && BRANCH_KINDS.has(r.kinds[0]) && r.opSize === opBits);
    let addrBits: number = bits;
    if (mnem === "jcxz") addrBits = 16;
    else if (mnem === "jecxz") addrBits = 32;
    else if (req.prefixes.includes("a16")) addrBits = 16;
    else if (req.prefixes.includes("a32")) addrBits = 32;
    const pick = (short: boolean) => rows.find((r) => (r.kinds[0] === K.br16_1 || r.kinds[0] === K.br32_1) === short && (r.addrSize === 0 || r.addrSize === addrBits));
    const shortRow = pick(true);
    const nearRow = pick(false);
    if (!shortRow && !nearRow) throw new AsmError(`invalid combination of opcode and operands for '${mnem}'`);
    const target = op.value;
    const fits = (row: Row) => {
      const len = this.branchTemplate(row, req).length;
      const d = target - (req.address + len);
      return d >= -128 && d <= 127;
    };
    let row: Row;
    if (op.jump === "short" || !nearRow) {
      row = shortRow!;
      if (!row) throw new AsmError(`'${mnem}' has no short form`);
      if (req.final && !op.unknown && !fits(row)) {
        const len = this.branchTemplate(row, req).length;
        throw new AsmError(`short jump is out of range (target is ${target - (req.address + len)} bytes away; the limit is -128..127)`);
      }
    } else if (op.jump === "near" || !shortRow || !req.allowShort || (!op.rel && !op.unknown)) {
      // NASM makes a jump short only to a target in a section: one to a plain number stays near.
      row = nearRow;
    }
    else row = op.unknown || fits(shortRow) ? shortRow : nearRow;
    const tpl = this.branchTemplate(row, req);
    const out = tpl.slice();
    const dsz = row.kinds[0] === K.br16_1 || row.kinds[0] === K.br32_1 ? 1 : row.kinds[0] === K.br16_2 ? 2 : 4;
    let d = target - (req.address + out.length);
    for (let i = 0; i < dsz; i++) {
      out[out.length - dsz + i] = d & 0xff;
      d = Math.floor(d / 256);
    }
    return { bytes: out, branch: row === shortRow ? "short" : "near" };
  }

  /** The encoding of a branch with displacement 0 (cached per code, bits and prefixes). */
  private branchTemplate(row: Row, req: InsnRequest): Uint8Array {
    const key = row.code + "|" + req.bits + "|" + req.prefixes.join(",");
    let t = this.branchTemplates.get(key);
    if (!t) {
      const dsz = row.kinds[0] === K.br16_1 || row.kinds[0] === K.br32_1 ? 1 : row.kinds[0] === K.br16_2 ? 2 : 4;
      // encode at 0x1000 with a target that makes the displacement small and positive
      let ins = Instruction.createBranch(row.code, 0x1000n + 0x10n);
      try {
        this.applyPrefixes(ins, req);
        t = this.finish(ins, { ...req, prefixes: req.prefixes.filter((p) => p !== "a16" && p !== "a32") }, 0x1000);
      } finally {
        ins.free();
      }
      t = t.slice();
      t.fill(0, t.length - dsz);
      this.branchTemplates.set(key, t);
      void (ins = undefined as never);
    }
    return t;
  }
}

let shared: IcedSelector | undefined;

/** The process-wide selector (iced tables are built once). */
export function defaultSelector(): IcedSelector {
  shared ??= new IcedSelector();
  return shared;
}
