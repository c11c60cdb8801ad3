// Seeded random program generator for the assembler's golden data (tests/data/asm-golden/random/).
// Each program is pure code (labels + instructions, one instruction per line) so that the n-th decoded
// instruction belongs to the n-th entry of its sidecar `<name>.sem.json`, which records what each line
// is meant to encode: [sourceLine, "prefix mnemonic", ...operands] with operands written as
//   "eax" / "ds"            a register
//   "i<bits>:<u>"           an immediate, value masked to <bits> (unsigned decimal)
//   "m<bits>:<seg>:<a>:<terms>:<disp>"  memory: access size (0 = not checked), effective segment,
//                           address size 16/32, "ebx+esi*4" base/index terms, displacement (unsigned)
//   "@<label>"              a near branch target;  "far:<sel>:<off>" a direct far target
// Dev-only: `npx tsx tools/asm/golden/random.ts` (deterministic; seeds are fixed below).
import { mkdirSync, writeFileSync, readdirSync, unlinkSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Xoshiro128 } from "../../../emulator/rng.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const RANDOM_DIR = join(here, "../../../tests/data/asm-golden/random");

/** xoshiro128** seeded through splitmix32 (a decent small PRNG; an LCG gave degenerate programs). */
export class Rng extends Xoshiro128 {
  u32(): number {
    return this.nextInt32() >>> 0;
  }
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
}
function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

type Bits = 16 | 32;
type Size = 8 | 16 | 32;
const R: Record<Size, string[]> = {
  8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
  16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
  32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
};
const KW: Record<number, string> = { 8: "byte", 16: "word", 32: "dword" };
const SREGS = ["es", "cs", "ss", "ds", "fs", "gs"];
/** condition-code spellings -> iced's canonical suffix */
const CCS: Record<string, string> = {
  o: "o", no: "no", b: "b", c: "b", nae: "b", ae: "ae", nb: "ae", nc: "ae", e: "e", z: "e", ne: "ne", nz: "ne",
  be: "be", na: "be", a: "a", nbe: "a", s: "s", ns: "ns", p: "p", pe: "p", np: "np", po: "np",
  l: "l", nge: "l", ge: "ge", nl: "ge", le: "le", ng: "le", g: "g", nle: "g",
};
const CC_NAMES = Object.keys(CCS);
const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const SHIFTS = ["rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"];

const mask = (v: number, bits: number) => (bits === 32 ? v >>> 0 : v & ((1 << bits) - 1));

interface Mem { text: string; sem: (size: number) => string }
interface Op { text: string; sem: string }

class Program {
  lines: string[] = [];
  sem: (number | string)[][] = [];
  forms = new Map<string, number>();
  labelCount = 0;
  constructor(public rng: Rng, public bits: Bits) {}

  emit(text: string, mnem: string, ops: string[], form: string): void {
    this.lines.push("    " + text);
    this.sem.push([this.lines.length, mnem, ...ops]);
    this.forms.set(form, (this.forms.get(form) ?? 0) + 1);
  }
  label(name: string): void { this.lines.push(`${name}:`); }

  // ---- operands ----
  imm(size: Size): { text: string; value: number; raw: number } {
    const r = this.rng;
    let v: number;
    const k = r.int(10);
    if (k < 4) v = r.range(-128, 127);
    else if (k < 6) v = r.pick([0, 1, -1, 127, 128, -128, -129, 255, 256, 0x7fff, 0x8000, 0xffff, -32768, 0x7fffffff, -0x80000000, 0xffffffff, 0x10000]);
    else v = size === 32 ? r.u32() | 0 : size === 16 ? r.range(-32768, 65535) : r.range(-128, 255);
    // keep the literal inside the operand's range (NASM warns otherwise)
    if (size === 8 && (v < -128 || v > 255)) v = mask(v, 8);
    if (size === 16 && (v < -32768 || v > 65535)) v = mask(v, 16);
    if (size === 32 && (v < -0x80000000 || v > 0xffffffff)) v = v >>> 0;
    return { text: this.num(v), value: mask(v, size), raw: v };
  }
  num(v: number): string {
    const r = this.rng;
    if (v < 0) return r.chance(0.7) ? String(v) : `-0x${(-v).toString(16)}`;
    switch (r.int(6)) {
      case 0: case 1: return String(v);
      case 2: case 3: return `0x${v.toString(16)}`;
      case 4: return `0${v.toString(16)}h`;
      default: return v < 256 && v > 0 ? `0b${v.toString(2)}` : String(v);
    }
  }
  disp(kind: number, abits: 16 | 32): number {
    const r = this.rng;
    if (kind === 0) return 0;
    if (kind === 1) return r.range(-128, 127);
    return abits === 16 ? r.range(-32768, 32767) : r.chance(0.5) ? r.range(-100000, 100000) : r.u32() | 0;
  }
  mem(): Mem {
    const r = this.rng;
    const a32 = this.bits === 32 ? !r.chance(0.08) : r.chance(0.15);
    const seg = r.chance(0.15) ? r.pick(SREGS) : "";
    let terms: string[] = [];
    let text = "";
    let dflt = "ds";
    const needReg = a32 !== (this.bits === 32); // an EA of the other address size needs a register to say so
    let disp = 0;
    if (!a32) {
      const combos = [["bx", "si"], ["bx", "di"], ["bp", "si"], ["bp", "di"], ["si"], ["di"], ["bp"], ["bx"], []];
      const c = r.pick(needReg ? combos.slice(0, -1) : combos);
      disp = c.length === 0 ? r.range(0, 0xffff) : this.disp(r.int(3), 16);
      if (c.length === 1 && c[0] === "bp" && disp === 0 && r.chance(0.5)) disp = 0;
      terms = [...c];
      if (c[0] === "bp") dflt = "ss";
      const parts = c.length === 2 && r.chance(0.3) ? [c[1], c[0]] : [...c];
      text = parts.join("+");
      if (c.length === 0) text = this.num(disp);
      else if (disp !== 0) text += disp < 0 ? `-${-disp}` : `+${this.num(disp)}`;
      disp = mask(disp, 16);
    } else {
      const hasBase = needReg || !r.chance(0.15);
      const hasIndex = r.chance(0.45);
      const base = hasBase ? r.pick(R[32]) : "";
      let index = hasIndex ? r.pick(R[32].filter((x) => x !== "esp" && (hasBase || x !== "ebp"))) : "";
      const scale = hasIndex ? r.pick([1, 2, 4, 8]) : 1;
      if (index === "ebp" && base === "" ) index = "";
      disp = !hasBase && !index ? r.u32() | 0 : this.disp(r.int(3), 32);
      if (base === "ebp" || base === "esp") dflt = "ss";
      const parts: string[] = [];
      if (base) parts.push(base);
      if (index) parts.push(scale === 1 && base && r.chance(0.5) ? index : `${index}*${scale}`);
      if (index && base && r.chance(0.2) && parts[1].includes("*")) parts.reverse();
      text = parts.join("+");
      if (!base && !index) text = this.num(disp >>> 0);
      else if (disp !== 0) text += disp < 0 ? `-${-disp}` : `+${this.num(disp)}`;
      if (base) terms.push(base);
      if (index) terms.push(scale === 1 ? index : `${index}*${scale}`);
      disp = disp >>> 0;
    }
    const eseg = seg || dflt;
    const full = `[${seg ? seg + ":" : ""}${text}]`;
    const t = terms.join("+");
    return { text: full, sem: (size: number) => `m${size}:${eseg}:${a32 ? 32 : 16}:${t}:${disp}` };
  }
  reg(size: Size): Op { const x = this.rng.pick(R[size]); return { text: x, sem: x }; }
  size(): Size { return this.rng.pick([8, 16, 32, 32] as Size[]); }
  size1632(): 16 | 32 { return this.rng.chance(this.bits === 32 ? 0.7 : 0.35) ? 32 : 16; }

  // ---- instruction families ----
  alu(): void {
    const r = this.rng, op = r.pick([...ALU, ...ALU, "test", "mov", "mov"]), s = this.size();
    const k = r.int(5);
    if (k === 0) { const a = this.reg(s), b = this.reg(s); this.emit(`${op} ${a.text}, ${b.text}`, op, [a.sem, b.sem], `${op} r${s},r${s}`); }
    else if (k === 1 && op !== "test") { const a = this.reg(s), m = this.mem(); this.emit(`${op} ${a.text}, ${m.text}`, op, [a.sem, m.sem(s)], `${op} r${s},m`); }
    else if (k <= 2) { const a = this.reg(s), m = this.mem(); this.emit(`${op} ${m.text}, ${a.text}`, op, [m.sem(s), a.sem], `${op} m,r${s}`); }
    else if (k === 3) {
      const a = this.reg(s), i = this.imm(s);
      this.emit(`${op} ${a.text}, ${i.text}`, op, [a.sem, `i${s}:${i.value}`], `${op} r${s},imm`);
    } else {
      const m = this.mem(), i = this.imm(s);
      const lock = op !== "cmp" && op !== "test" && op !== "mov" && r.chance(0.1) ? "lock " : "";
      this.emit(`${lock}${op} ${KW[s]} ${m.text}, ${i.text}`, lock + op, [m.sem(s), `i${s}:${i.value}`], `${op} m${s},imm`);
    }
  }
  movSpecial(): void {
    const r = this.rng, k = r.int(4);
    if (k === 0) { // moffs
      const s = this.size(), a = R[s][0];
      const seg = r.chance(0.3) ? r.pick(SREGS) : "";
      const addr = this.bits === 16 ? r.range(0, 0xffff) : r.u32();
      const m = `m${s}:${seg || "ds"}:${this.bits}::${addr}`;
      const t = `[${seg ? seg + ":" : ""}${this.num(addr)}]`;
      if (r.chance(0.5)) this.emit(`mov ${a}, ${t}`, "mov", [a, m], "mov acc,moffs");
      else this.emit(`mov ${t}, ${a}`, "mov", [m, a], "mov moffs,acc");
    } else if (k === 1) { // sreg
      const s = r.pick(SREGS.filter((x) => x !== "cs")), g = r.pick(SREGS);
      const j = r.int(4);
      if (j === 0) { const a = this.reg(r.pick([16, 32] as Size[])); this.emit(`mov ${s}, ${a.text}`, "mov", [s, a.sem], "mov sreg,r"); }
      else if (j === 1) { const a = this.reg(r.pick([16, 32] as Size[])); this.emit(`mov ${a.text}, ${g}`, "mov", [a.sem, g], "mov r,sreg"); }
      else if (j === 2) { const m = this.mem(); this.emit(`mov ${s}, ${r.chance(0.5) ? "word " : ""}${m.text}`, "mov", [s, m.sem(16)], "mov sreg,m"); }
      else { const m = this.mem(); this.emit(`mov ${r.chance(0.5) ? "word " : ""}${m.text}, ${g}`, "mov", [m.sem(16), g], "mov m,sreg"); }
    } else if (k === 2) { // mov m, r with size keyword, mov r, imm
      const s = this.size(), a = this.reg(s), i = this.imm(s);
      this.emit(`mov ${a.text}, ${i.text}`, "mov", [a.sem, `i${s}:${i.value}`], `mov r${s},imm`);
    } else { // control/debug registers
      const c = r.pick(["cr0", "cr2", "cr3", "cr4", "dr0", "dr1", "dr2", "dr3", "dr6", "dr7"]), a = this.reg(32);
      if (r.chance(0.5)) this.emit(`mov ${a.text}, ${c}`, "mov", [a.sem, c], "mov r32,crdr");
      else this.emit(`mov ${c}, ${a.text}`, "mov", [c, a.sem], "mov crdr,r32");
    }
  }
  unary(): void {
    const r = this.rng, op = r.pick(["not", "neg", "inc", "dec", "mul", "imul", "div", "idiv"]), s = this.size();
    if (r.chance(0.5)) { const a = this.reg(s); this.emit(`${op} ${a.text}`, op, [a.sem], `${op} r${s}`); }
    else {
      const m = this.mem(), lock = ["not", "neg", "inc", "dec"].includes(op) && r.chance(0.15) ? "lock " : "";
      this.emit(`${lock}${op} ${KW[s]} ${m.text}`, lock + op, [m.sem(s)], `${op} m${s}`);
    }
  }
  imul(): void {
    const r = this.rng, s = this.size1632(), a = this.reg(s), k = r.int(4);
    if (k === 0) { const b = this.reg(s); this.emit(`imul ${a.text}, ${b.text}`, "imul", [a.sem, b.sem], "imul r,r"); }
    else if (k === 1) { const m = this.mem(); this.emit(`imul ${a.text}, ${m.text}`, "imul", [a.sem, m.sem(s)], "imul r,m"); }
    else if (k === 2) {
      const b = r.chance(0.5) ? this.reg(s) : null, m = b ? null : this.mem(), i = this.imm(s);
      const src = b ? b.text : m!.text;
      this.emit(`imul ${a.text}, ${src}, ${i.text}`, "imul", [a.sem, b ? b.sem : m!.sem(s), `i${s}:${i.value}`], b ? "imul r,r,imm" : "imul r,m,imm");
    } else { const i = this.imm(s); this.emit(`imul ${a.text}, ${i.text}`, "imul", [a.sem, a.sem, `i${s}:${i.value}`], "imul r,imm"); }
  }
  shift(): void {
    const r = this.rng, op = r.pick(SHIFTS), s = this.size(), sop = op === "sal" ? "shl" : op;
    const dst = r.chance(0.5) ? this.reg(s) : null, m = dst ? null : this.mem();
    const dt = dst ? dst.text : `${KW[s]} ${m!.text}`, ds = dst ? dst.sem : m!.sem(s);
    const k = r.int(3);
    if (k === 0) this.emit(`${op} ${dt}, 1`, sop, [ds, "i8:1"], `${op} ${dst ? "r" : "m"},1`);
    else if (k === 1) this.emit(`${op} ${dt}, cl`, sop, [ds, "cl"], `${op} ${dst ? "r" : "m"},cl`);
    else { const n = r.range(0, 255); this.emit(`${op} ${dt}, ${n}`, sop, [ds, `i8:${n}`], `${op} ${dst ? "r" : "m"},imm`); }
  }
  shiftd(): void {
    const r = this.rng, op = r.pick(["shld", "shrd"]), s = this.size1632(), b = this.reg(s);
    const dst = r.chance(0.5) ? this.reg(s) : null, m = dst ? null : this.mem();
    const dt = dst ? dst.text : m!.text, ds = dst ? dst.sem : m!.sem(s);
    if (r.chance(0.5)) this.emit(`${op} ${dt}, ${b.text}, cl`, op, [ds, b.sem, "cl"], `${op} cl`);
    else { const n = r.range(0, 31); this.emit(`${op} ${dt}, ${b.text}, ${n}`, op, [ds, b.sem, `i8:${n}`], `${op} imm`); }
  }
  ext(): void {
    const r = this.rng, op = r.pick(["movzx", "movsx"]);
    const ds: Size = r.pick([16, 32]), ss: Size = ds === 16 ? 8 : r.pick([8, 16]);
    const a = this.reg(ds);
    if (r.chance(0.5)) { const b = this.reg(ss); this.emit(`${op} ${a.text}, ${b.text}`, op, [a.sem, b.sem], `${op} r${ds},r${ss}`); }
    else { const m = this.mem(); this.emit(`${op} ${a.text}, ${KW[ss]} ${m.text}`, op, [a.sem, m.sem(ss)], `${op} r${ds},m${ss}`); }
  }
  lea(): void { const a = this.reg(this.size1632()), m = this.mem(); this.emit(`lea ${a.text}, ${m.text}`, "lea", [a.sem, m.sem(0)], "lea"); }
  xchg(): void {
    const r = this.rng, s = this.size(), a = this.reg(s), k = r.int(3);
    if (k === 0) { const b = this.reg(s); this.emit(`xchg ${a.text}, ${b.text}`, "xchg", [a.sem, b.sem], `xchg r${s},r${s}`); }
    else { const m = this.mem(), lock = r.chance(0.3) ? "lock " : ""; if (k === 1) this.emit(`xchg ${a.text}, ${m.text}`, "xchg", [a.sem, m.sem(s)], "xchg r,m"); /* NASM: lock xchg r,m is "not lockable" */ else this.emit(`${lock}xchg ${m.text}, ${a.text}`, lock + "xchg", [m.sem(s), a.sem], "xchg m,r"); }
  }
  atomics(): void {
    const r = this.rng, op = r.pick(["xadd", "cmpxchg"]), s = this.size(), a = this.reg(s);
    if (r.chance(0.3)) { const b = this.reg(s); this.emit(`${op} ${b.text}, ${a.text}`, op, [b.sem, a.sem], `${op} r,r`); }
    else if (r.chance(0.2)) { const m = this.mem(); this.emit(`lock cmpxchg8b ${m.text}`, "lock cmpxchg8b", [m.sem(64)], "cmpxchg8b"); }
    else { const m = this.mem(), lock = r.chance(0.6) ? "lock " : ""; this.emit(`${lock}${op} ${m.text}, ${a.text}`, lock + op, [m.sem(s), a.sem], `${op} m,r`); }
  }
  bits_(): void {
    const r = this.rng, k = r.int(6), s = this.size1632();
    if (k <= 1) {
      const op = r.pick(["bt", "bts", "btr", "btc"]);
      const dst = r.chance(0.5) ? this.reg(s) : null, m = dst ? null : this.mem();
      const lock = !dst && op !== "bt" && r.chance(0.2) ? "lock " : "";
      if (r.chance(0.5)) { const b = this.reg(s); this.emit(`${lock}${op} ${dst ? dst.text : m!.text}, ${b.text}`, lock + op, [dst ? dst.sem : m!.sem(s), b.sem], `${op} rm,r`); }
      else { const n = r.range(0, 255); this.emit(`${lock}${op} ${dst ? dst.text : KW[s] + " " + m!.text}, ${n}`, lock + op, [dst ? dst.sem : m!.sem(s), `i8:${n}`], `${op} rm,imm`); }
    } else if (k === 2) {
      const op = r.pick(["bsf", "bsr"]), a = this.reg(s);
      if (r.chance(0.5)) { const b = this.reg(s); this.emit(`${op} ${a.text}, ${b.text}`, op, [a.sem, b.sem], `${op} r,r`); }
      else { const m = this.mem(); this.emit(`${op} ${a.text}, ${m.text}`, op, [a.sem, m.sem(s)], `${op} r,m`); }
    } else if (k === 3) {
      const cc = r.pick(CC_NAMES);
      if (r.chance(0.5)) { const a = this.reg(8); this.emit(`set${cc} ${a.text}`, "set" + CCS[cc], [a.sem], `set${cc} r8`); }
      else { const m = this.mem(); this.emit(`set${cc} ${r.chance(0.5) ? "byte " : ""}${m.text}`, "set" + CCS[cc], [m.sem(8)], `set${cc} m8`); }
    } else {
      const cc = r.pick(CC_NAMES), a = this.reg(s);
      if (r.chance(0.5)) { const b = this.reg(s); this.emit(`cmov${cc} ${a.text}, ${b.text}`, "cmov" + CCS[cc], [a.sem, b.sem], `cmov${cc} r,r`); }
      else { const m = this.mem(); this.emit(`cmov${cc} ${a.text}, ${m.text}`, "cmov" + CCS[cc], [a.sem, m.sem(s)], `cmov${cc} r,m`); }
    }
  }
  stack(): void {
    const r = this.rng, k = r.int(6), s = this.size1632();
    if (k <= 1) { const op = r.pick(["push", "pop"]), a = this.reg(s); this.emit(`${op} ${a.text}`, op, [a.sem], `${op} r${s}`); }
    else if (k === 2) { const op = r.pick(["push", "pop"]), m = this.mem(); this.emit(`${op} ${KW[s]} ${m.text}`, op, [m.sem(s)], `${op} m${s}`); }
    else if (k === 3) {
      // NASM: push imm without a size keyword uses the default operand size
      const kw = r.chance(0.5) ? "" : KW[s] + " ";
      const os = kw ? s : this.bits;
      let i = this.imm(r.chance(0.5) ? 8 : os);
      if (i.raw > 127 && i.raw < 256 && r.chance(0.5)) i = this.imm(os);
      this.emit(`push ${kw}${i.text}`, "push", [`i${os}:${mask(i.raw, os)}`], `push ${kw || "imm"}`);
    } else if (k === 4) {
      const g = r.pick(SREGS), op = g === "cs" ? "push" : r.pick(["push", "pop"]);
      this.emit(`${op} ${g}`, op, [g], `${op} sreg`);
    } else {
      this.emit(r.pick(["pushf", "popf", "pusha", "popa"]) + "", "", [], "");
      const last = this.sem[this.sem.length - 1], t = this.lines[this.lines.length - 1].trim();
      const d = this.bits === 32 ? "d" : "";
      last[1] = t === "pushf" ? "pushf" + d : t === "popf" ? "popf" + d : t === "pusha" ? "pusha" + d : "popa" + d;
      this.forms.delete(""); this.forms.set(t, (this.forms.get(t) ?? 0) + 1);
    }
  }
  misc(): void {
    const r = this.rng, k = r.int(10);
    if (k <= 2) {
      const m = r.pick(["clc", "stc", "cmc", "cld", "std", "cli", "sti", "nop", "lahf", "sahf", "cbw", "cwde", "cwd", "cdq", "leave", "hlt", "cpuid", "rdtsc", "int3", "into", "xlatb", "aaa", "aas", "daa", "das", "aam", "aad", "wbinvd", "clts", "rdmsr", "wrmsr", "ud2", "iret", "pushfd", "popfd", "pushad", "popad", "iretd"]);
      const canon = m === "iret" && this.bits === 32 ? "iretd" : m;
      const ops = m === "aam" || m === "aad" ? ["i8:10"] : [];
      this.emit(m, canon, ops, m);
    } else if (k <= 4) {
      const base = r.pick(["movs", "stos", "lods", "cmps", "scas", "ins", "outs"]), sz = r.pick(["b", "w", "d"]);
      const pre = base === "cmps" || base === "scas" ? r.pick(["", "repe ", "repne ", "repz ", "repnz "]) : r.pick(["", "rep "]);
      const canonPre = pre === "repz " ? "repe " : pre === "repnz " ? "repne " : pre;
      this.emit(`${pre}${base}${sz}`, canonPre + base + sz, [], `${pre}${base}${sz}`);
    } else if (k === 5) {
      const s: Size = r.pick([8, 16, 32]), a = R[s][0];
      if (r.chance(0.5)) { const p = r.range(0, 255); if (r.chance(0.5)) this.emit(`in ${a}, ${p}`, "in", [a, `i8:${p}`], "in acc,imm"); else this.emit(`out ${p}, ${a}`, "out", [`i8:${p}`, a], "out imm,acc"); }
      else if (r.chance(0.5)) this.emit(`in ${a}, dx`, "in", [a, "dx"], "in acc,dx"); else this.emit(`out dx, ${a}`, "out", ["dx", a], "out dx,acc");
    } else if (k === 6) {
      const n = r.range(0, 255);
      if (n === 3 && r.chance(0.5)) this.emit("int3", "int3", [], "int3"); else this.emit(`int ${n}`, "int", [`i8:${n}`], "int imm");
    } else if (k === 7) {
      const a = r.range(0, 0xffff), b = r.range(0, 31); this.emit(`enter ${a}, ${b}`, "enter", [`i16:${a}`, `i8:${b}`], "enter");
      const reg = this.reg(32); this.emit(`bswap ${reg.text}`, "bswap", [reg.sem], "bswap");
    } else if (k === 8) {
      const op = r.pick(["lgdt", "lidt", "sgdt", "sidt", "invlpg", "ltr", "lldt", "lmsw", "str", "sldt", "smsw", "verr", "verw"]);
      const m = this.mem();
      this.emit(`${op} ${m.text}`, op, [m.sem(["ltr", "lldt", "lmsw", "str", "sldt", "smsw", "verr", "verw"].includes(op) ? 16 : 0)], `${op} m`);
    } else {
      const op = r.pick(["ltr", "lldt", "lmsw", "verr", "verw", "str", "sldt", "smsw", "lar", "lsl", "arpl"]);
      const a = this.reg(16);
      if (op === "lar" || op === "lsl") { const d = this.reg(this.size1632()); const b = this.reg(16); this.emit(`${op} ${d.text}, ${b.text}`, op, [d.sem, b.sem], `${op} r,r16`); }
      else if (op === "arpl") { const b = this.reg(16); this.emit(`arpl ${a.text}, ${b.text}`, op, [a.sem, b.sem], "arpl"); }
      else this.emit(`${op} ${a.text}`, op, [a.sem], `${op} r16`);
    }
  }
}

/** Builds one program of about `n` instruction lines. */
export function generate(seed: number, bits: Bits, n: number, org: number): { text: string; sem: (number | string)[][]; forms: Map<string, number> } {
  const rng = new Rng(seed);
  const p = new Program(rng, bits);
  p.lines.push(`; random program: seed ${seed}, bits ${bits}; generated by tools/asm/golden/random.ts - do not edit`);
  p.lines.push(`bits ${bits}`, `org 0x${org.toString(16)}`);
  // label positions are decided up front so branches can target labels not yet emitted
  const labelAt: number[] = [];
  for (let i = 0; i < n; ) { labelAt.push(i); i += rng.range(1, 9); }
  const total = labelAt.length;
  let li = 0, local = 0;
  const families: [number, () => void][] = [
    [22, () => p.alu()], [6, () => p.movSpecial()], [7, () => p.unary()], [4, () => p.imul()], [7, () => p.shift()],
    [2, () => p.shiftd()], [4, () => p.ext()], [3, () => p.lea()], [3, () => p.xchg()], [3, () => p.atomics()],
    [7, () => p.bits_()], [6, () => p.stack()], [8, () => p.misc()],
  ];
  const wsum = families.reduce((a, f) => a + f[0], 0);
  const branch = () => {
    const k = rng.int(20);
    // distance in labels: mostly near, some around the 127-byte limit, some far
    const d = rng.chance(0.5) ? rng.range(1, 6) : rng.chance(0.6) ? rng.range(4, 40) : rng.range(20, 400);
    const back = rng.chance(0.45);
    const t = Math.max(0, Math.min(total - 1, back ? li - d : li - 1 + d));
    const lbl = `L${t}`;
    if (k < 9) { const cc = rng.pick(CC_NAMES); const near = rng.chance(0.05) ? "near " : ""; p.emit(`j${cc} ${near}${lbl}`, "j" + CCS[cc], ["@" + lbl], near ? "jcc near" : "jcc"); }
    else if (k < 13) { const near = rng.chance(0.05) ? "near " : ""; p.emit(`jmp ${near}${lbl}`, "jmp", ["@" + lbl], near ? "jmp near" : "jmp"); }
    else if (k < 15) p.emit(`call ${lbl}`, "call", ["@" + lbl], "call");
    else if (k < 16) {
      const s = p.size1632(), op = rng.pick(["jmp", "call"]);
      if (rng.chance(0.5) && s === bits) { const a = p.reg(s); p.emit(`${op} ${a.text}`, op, [a.sem], `${op} r`); }
      else { const m = p.mem(); p.emit(`${op} ${KW[s]} ${m.text}`, op, [m.sem(s)], `${op} m`); }
    } else if (k < 17) {
      const op = rng.pick(["jmp", "call"]);
      if (rng.chance(0.5)) { const sel = rng.range(0, 0xffff), off = bits === 16 ? rng.range(0, 0xffff) : rng.u32(); p.emit(`${op} ${sel}:${p.num(off)}`, op, [`far:${sel}:${off}`], `${op} far imm`); }
      else { const m = p.mem(); p.emit(`${op} far ${m.text}`, op, [m.sem(bits + 16)], `${op} far m`); }
    } else if (k < 18) {
      const op = rng.pick(["ret", "retf"]);
      if (rng.chance(0.5)) p.emit(op, op, [], op); else { const i = rng.range(0, 0xffff); p.emit(`${op} ${i}`, op, [`i16:${i}`], `${op} imm`); }
    } else {
      // loop / jcxz: short-only, so the target is a local label a few instructions away
      const op = rng.pick(["loop", "loope", "loopne", "loopz", "loopnz", "jcxz", "jecxz"]);
      const canon = op === "loopz" ? "loope" : op === "loopnz" ? "loopne" : op;
      const name = `.b${local++}`;
      const full = `L${li - 1}${name}`;
      const k2 = rng.range(0, 4);
      if (rng.chance(0.5)) { p.label(name); for (let j = 0; j < k2; j++) p.alu(); p.emit(`${op} ${name}`, canon, ["@" + full], op); }
      else { p.emit(`${op} ${name}`, canon, ["@" + full], op); for (let j = 0; j < k2; j++) p.alu(); p.label(name); }
    }
  };
  for (let i = 0; i < n; i++) {
    if (li < total && labelAt[li] === i) { p.label(`L${li}`); li++; }
    if (rng.chance(0.14)) { branch(); continue; }
    let x = rng.int(wsum);
    for (const [w, f] of families) { if (x < w) { f(); break; } x -= w; }
  }
  while (li < total) p.label(`L${li++}`);
  return { text: p.lines.join("\n") + "\n", sem: p.sem, forms: p.forms };
}

export const RANDOM_FILES: { name: string; seed: number; bits: Bits; n: number; org: number }[] = [];
for (let i = 0; i < 6; i++) RANDOM_FILES.push({ name: `rand16-${i}`, seed: 0x16000 + i * 7919, bits: 16, n: 4500, org: i % 2 ? 0x7c00 : 0 });
for (let i = 0; i < 8; i++) RANDOM_FILES.push({ name: `rand32-${i}`, seed: 0x32000 + i * 104729, bits: 32, n: 4500, org: i % 2 ? 0x100000 : 0x1000 });

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(RANDOM_DIR, { recursive: true });
  for (const f of readdirSync(RANDOM_DIR)) unlinkSync(join(RANDOM_DIR, f));
  const forms = new Map<string, number>();
  const mnems = new Set<string>();
  let lines = 0, instrs = 0;
  for (const f of RANDOM_FILES) {
    const g = generate(f.seed, f.bits, f.n, f.org);
    writeFileSync(join(RANDOM_DIR, f.name + ".asm"), g.text);
    writeFileSync(join(RANDOM_DIR, f.name + ".sem.json"), "[\n" + g.sem.map((e) => JSON.stringify(e)).join(",\n") + "\n]\n");
    lines += g.text.split("\n").length - 1;
    instrs += g.sem.length;
    for (const [k, v] of g.forms) forms.set(k, (forms.get(k) ?? 0) + v);
    for (const e of g.sem) mnems.add(String(e[1]).split(" ").pop()!);
  }
  console.log(`random: ${RANDOM_FILES.length} files, ${lines} lines, ${instrs} instructions, ${mnems.size} distinct mnemonics, ${forms.size} distinct forms`);
  const sorted = [...forms].sort((a, b) => b[1] - a[1]);
  console.log("most common:", sorted.slice(0, 8).map(([k, v]) => `${k}=${v}`).join(" "));
  console.log("rarest:", sorted.slice(-8).map(([k, v]) => `${k}=${v}`).join(" "));
}
