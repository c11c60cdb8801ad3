// Independent checks of machine code with iced-x86, used by tests/asm-roundtrip and tests/asm-semantic
// (and by selfcheck.ts, which validates these checks against NASM's own output).
import {
  Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction, Mnemonic, OpKind, Register, MemorySizeExt,
  MemorySizeOptions, Code,
} from "iced-x86";

export type SemEntry = (number | string)[];

const MASK: Record<number, bigint> = { 8: 0xffn, 16: 0xffffn, 32: 0xffffffffn, 64: 0xffffffffffffffffn };
const regName = (r: Register) => Register[r].toLowerCase();
const GPR = [
  ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
  ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
  ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"],
];
const gprIndex = (r: string) => { for (const t of GPR.slice(1)) { const i = t.indexOf(r); if (i >= 0) return i; } return -1; };

/** One decoded operand in the sidecar's notation (see random.ts). */
function actualOperand(ins: Instruction, k: number, bits: number): string {
  const kind = ins.opKind(k);
  switch (kind) {
    case OpKind.Register: return regName(ins.opRegister(k));
    case OpKind.Memory: {
      const terms = new Map<string, number>();
      const add = (r: Register, n: number) => { if (r !== Register.None) terms.set(regName(r), (terms.get(regName(r)) ?? 0) + n); };
      add(ins.memoryBase, 1);
      add(ins.memoryIndex, ins.memoryIndexScale);
      const regs = [ins.memoryBase, ins.memoryIndex].filter((r) => r !== Register.None);
      const asize = regs.length ? (regName(regs[0]).startsWith("e") ? 32 : 16) : ins.memoryDisplSize === 2 ? 16 : ins.memoryDisplSize === 4 ? 32 : bits;
      const t = [...terms].sort().map(([r, n]) => (n === 1 ? r : `${r}*${n}`)).join("+");
      const disp = BigInt.asUintN(64, ins.memoryDisplacement) & MASK[asize];
      const size = MemorySizeExt.size(ins.memorySize) * 8;
      return `m${size}:${regName(ins.memorySegment)}:${asize}:${t}:${disp}`;
    }
    case OpKind.NearBranch16: case OpKind.NearBranch32: return `@0x${ins.nearBranchTarget.toString(16)}`;
    case OpKind.FarBranch16: return `far:${ins.farBranchSelector}:${ins.farBranch16}`;
    case OpKind.FarBranch32: return `far:${ins.farBranchSelector}:${ins.farBranch32 >>> 0}`;
    case OpKind.Immediate8: case OpKind.Immediate8_2nd: case OpKind.Immediate16: case OpKind.Immediate32:
    case OpKind.Immediate8to16: case OpKind.Immediate8to32:
      return `imm:${BigInt.asUintN(64, ins.immediate(k))}`;
    default: return `kind:${OpKind[kind]}`;
  }
}

/** Normalises "m<size>:<seg>:<a>:<terms>:<disp>" so that [ecx*2] equals NASM's split [ecx+ecx]. */
function normMem(m: string): { size: number; seg: string; a: number; terms: string; disp: bigint } {
  const [sz, seg, a, terms, disp] = m.slice(1).split(":");
  const map = new Map<string, number>();
  for (const t of terms ? terms.split("+") : []) {
    const [r, s] = t.split("*");
    map.set(r, (map.get(r) ?? 0) + (s ? Number(s) : 1));
  }
  const norm = [...map].sort().map(([r, n]) => (n === 1 ? r : `${r}*${n}`)).join("+");
  return { size: Number(sz), seg, a: Number(a), terms: norm, disp: BigInt(disp) };
}

function operandMatches(exp: string, act: string, symbols: Map<string, number>, looseGpr: boolean): boolean {
  if (exp.startsWith("i")) {
    if (!act.startsWith("imm:")) return false;
    const [b, v] = exp.slice(1).split(":");
    return (BigInt(act.slice(4)) & MASK[Number(b)]) === BigInt(v);
  }
  if (exp.startsWith("m")) {
    if (!act.startsWith("m")) return false;
    const e = normMem(exp), a = normMem(act);
    return e.seg === a.seg && e.a === a.a && e.terms === a.terms && e.disp === a.disp && (e.size === 0 || e.size === a.size);
  }
  if (exp.startsWith("@")) {
    const v = symbols.get(exp.slice(1));
    return v !== undefined && act === `@0x${v.toString(16)}`;
  }
  if (exp === act) return true;
  return looseGpr && gprIndex(exp) >= 0 && gprIndex(exp) === gprIndex(act);
}

export interface SemanticResult { checked: number; mismatches: string[] }

/**
 * Decodes `bytes` and checks the n-th instruction against the n-th sidecar entry: mnemonic, lock/rep
 * prefixes, registers, normalised memory operands (terms, displacement, address size, effective segment,
 * access size), immediates and branch targets (label values from `symbols`).
 */
export function semanticCheck(bytes: Uint8Array, bits: 16 | 32, org: number, sem: SemEntry[], symbols: Map<string, number>,
  source?: string[], maxReport = 20): SemanticResult {
  const dec = new Decoder(bits, bytes, DecoderOptions.None);
  dec.ip = BigInt(org);
  const ins = new Instruction();
  const fmt = new Formatter(FormatterSyntax.Nasm);
  const mismatches: string[] = [];
  let checked = 0;
  try {
    for (const e of sem) {
      const line = e[0] as number;
      const src = source ? source[line - 1]?.trim() : "";
      if (!dec.canDecode) { mismatches.push(`line ${line}: ${src}: no more instructions in the output`); break; }
      const off = Number(dec.ip) - org;
      dec.decodeOut(ins);
      checked++;
      const words = String(e[1]).split(" ");
      const mnem = words.pop()!;
      const problems: string[] = [];
      const actM = Mnemonic[ins.mnemonic].toLowerCase();
      if (ins.code === Code.INVALID) problems.push("invalid instruction");
      // `xchg eax,eax` / `xchg ax,ax` is encoded 90 (nop)
      const nopXchg = mnem === "xchg" && actM === "nop" && e[2] === e[3] && gprIndex(String(e[2])) === 0;
      if (actM !== mnem && !nopXchg) problems.push(`mnemonic ${actM}, expected ${mnem}`);
      const wantLock = words.includes("lock"), wantRep = words.includes("rep") || words.includes("repe"), wantRepne = words.includes("repne");
      if (ins.hasLockPrefix !== wantLock) problems.push(wantLock ? "missing lock prefix" : "unexpected lock prefix");
      if (ins.hasRepePrefix !== wantRep) problems.push(wantRep ? "missing rep/repe prefix" : "unexpected rep/repe prefix");
      if (ins.hasRepnePrefix !== wantRepne) problems.push(wantRepne ? "missing repne prefix" : "unexpected repne prefix");
      if (!ins.isStringInstruction && ins.mnemonic !== Mnemonic.Xlatb && !nopXchg && problems.length === 0) {
        const exp = e.slice(2).map(String);
        const act: string[] = [];
        for (let k = 0; k < ins.opCount; k++) act.push(actualOperand(ins, k, bits));
        // iced reports rm16 register operands of these as 32-bit registers in 32-bit code
        const loose = ["lar", "lsl", "ltr", "lldt", "lmsw", "verr", "verw", "arpl", "str", "sldt", "smsw"].includes(mnem) || act.some((a) => ["es", "cs", "ss", "ds", "fs", "gs"].includes(a));
        if (exp.length !== act.length) problems.push(`operand count ${act.length}, expected ${exp.length}`);
        else if (mnem === "xchg" || mnem === "test") {
          const ok = (exp[0] === act[0] || operandMatches(exp[0], act[0], symbols, loose)) && operandMatches(exp[1], act[1], symbols, loose)
            || operandMatches(exp[0], act[1], symbols, loose) && operandMatches(exp[1], act[0], symbols, loose);
          if (!ok) problems.push(`operands ${act.join(", ")}; expected ${exp.join(", ")} (either order)`);
        } else {
          exp.forEach((x, k) => { if (!operandMatches(x, act[k], symbols, loose)) problems.push(`operand ${k + 1} is ${act[k]}, expected ${x}`); });
        }
      }
      if (problems.length) {
        const hex = Buffer.from(bytes.subarray(off, off + ins.length)).toString("hex");
        if (mismatches.length < maxReport) mismatches.push(`line ${line}: ${src}\n    decoded @0x${(off + org).toString(16)} [${hex}] as "${fmt.format(ins)}": ${problems.join("; ")}`);
        else if (mismatches.length === maxReport) mismatches.push("... (further mismatches not shown)");
      }
    }
    if (dec.canDecode && mismatches.length === 0) mismatches.push(`output has bytes after the last instruction (offset 0x${(Number(dec.ip) - org).toString(16)})`);
  } finally {
    ins.free(); fmt.free(); dec.free();
  }
  return { checked, mismatches };
}

/**
 * Disassembles `bytes` into NASM source that should assemble back to the same bytes:
 * `bits`/`org` header, one instruction per line, branch targets as absolute addresses.
 */
export function disassembleForNasm(bytes: Uint8Array, bits: 16 | 32, org: number): string[] {
  const dec = new Decoder(bits, bytes, DecoderOptions.None);
  dec.ip = BigInt(org);
  const fmt = new Formatter(FormatterSyntax.Nasm);
  fmt.showBranchSize = true;
  fmt.showUselessPrefixes = true;
  fmt.hexPrefix = "0x";
  fmt.hexSuffix = "";
  fmt.uppercaseHex = false;
  fmt.branchLeadingZeros = false;
  fmt.displacementLeadingZeros = false;
  fmt.leadingZeros = false;
  fmt.smallHexNumbersInDecimal = false;
  fmt.addLeadingZeroToHexNumbers = false;
  fmt.signedImmediateOperands = false;
  fmt.nasmShowSignExtendedImmediateSize = true;
  fmt.memorySizeOptions = MemorySizeOptions.Default;
  const ins = new Instruction();
  const out = [`bits ${bits}`, `org 0x${org.toString(16)}`];
  try {
    while (dec.canDecode) {
      const off = Number(dec.ip) - org;
      dec.decodeOut(ins);
      const hex = Buffer.from(bytes.subarray(off, off + ins.length)).toString("hex");
      out.push(`${toNasm(ins, fmt, bits, bytes.subarray(off, off + ins.length))} ; ${hex}`);
    }
  } finally {
    ins.free(); fmt.free(); dec.free();
  }
  return out;
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
const IMM8_ALT = new Set([Mnemonic.Add, Mnemonic.Or, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Cmp, Mnemonic.Imul, Mnemonic.Push]);
const SHIFT_IMM = /^(rol|ror|rcl|rcr|shl|sal|shr|sar) /;

/** iced's NASM-flavoured text, adjusted where NASM would read it differently. */
function toNasm(ins: Instruction, fmt: Formatter, bits: number, raw: Uint8Array): string {
  let t = fmt.format(ins);
  const pre: number[] = [];
  for (const b of raw) { if (!PREFIXES.has(b)) break; pre.push(b); }
  const kinds = Array.from({ length: ins.opCount }, (_, k) => ins.opKind(k));
  const hasMem = kinds.includes(OpKind.Memory);
  // 3E on an indirect branch is shown as `notrack`; NASM spells it as a DS override
  if (t.startsWith("notrack ")) {
    t = t.slice(8);
    if (!/\[ds:/.test(t)) t = t.replace("[", "[ds:");
  }
  // immediates NASM would shrink to the sign-extended imm8 form unless told `strict`
  if (IMM8_ALT.has(ins.mnemonic)) {
    for (let k = 0; k < ins.opCount; k++) {
      const kind = kinds[k];
      if (kind !== OpKind.Immediate16 && kind !== OpKind.Immediate32) continue;
      const v = Number(BigInt.asIntN(kind === OpKind.Immediate16 ? 16 : 32, ins.immediate(k)));
      if (v < -128 || v > 127) continue;
      const kw = kind === OpKind.Immediate16 ? "word" : "dword";
      const m = /^(.*[ ,])((?:word |dword )?)([^ ,]+)$/.exec(t)!;
      t = `${m[1]}strict ${kw} ${m[3]}`;
    }
  }
  // displacement sizes NASM would not pick by itself, and base-less indexes NASM would split
  if (hasMem) {
    const regs = [ins.memoryBase, ins.memoryIndex].filter((r) => r !== Register.None);
    const a16 = regs.length ? regName(regs[0]).length === 2 : ins.memoryDisplSize === 2;
    const ds = ins.memoryDisplSize;
    const disp = Number(BigInt.asIntN(a16 ? 16 : 32, ins.memoryDisplacement));
    let hint = "";
    if (regs.length === 0) hint = (a16 ? 16 : 32) === bits ? "" : a16 ? "word " : "dword ";
    else if (ds === 1 && disp === 0) hint = "byte ";
    else if (ds >= 2 && disp >= -128 && disp <= 127 && !(ins.memoryBase === Register.None)) hint = a16 ? "word " : "dword ";
    if (ins.memoryBase === Register.None && ins.memoryIndex !== Register.None) hint += "nosplit ";
    if (hint) t = t.replace(/\[((?:[a-z]s:)?)/, `[${hint}$1`);
    if (ds === 1 && disp === 0) t = t.replace(/\]/, "+0]");
  }
  // NASM warns "not lockable" for `lock xchg reg,[mem]`; the memory-first spelling is the same instruction
  if (ins.mnemonic === Mnemonic.Xchg && ins.hasLockPrefix) t = t.replace(/xchg (\w+),(\[.*\])$/, "xchg $2,$1");
  // `shl r/m, imm8` with 1 would become the D1 form
  if (SHIFT_IMM.test(t) && kinds[kinds.length - 1] === OpKind.Immediate8 && ins.immediate(kinds.length - 1) === 1n && ins.opCode.op1Kind !== undefined
    && (raw[pre.length] === 0xc0 || raw[pre.length] === 0xc1)) {
    t = t.replace(/,0x1$/, ",byte 0x1");
  }
  // iced omits `near` on jmp rel16/rel32; without it NASM would be free to pick the short form
  if ((ins.code === Code.Jmp_rel16 || ins.code === Code.Jmp_rel32_32) && !/ near /.test(t)) t = t.replace(/^(.*?jmp) /, "$1 near ");
  // prefixes that change nothing the text shows
  const isStr = ins.isStringInstruction || ins.mnemonic === Mnemonic.Xlatb;
  if (pre.includes(0x67) && !hasMem && !isStr && !ins.isLoop && !ins.isLoopcc && !ins.isJcxShort) t = (bits === 16 ? "a32 " : "a16 ") + t;
  if (pre.includes(0x66) && (ins.code === Code.Nopd || (isStr && /b( |$)/.test(t.split(" ").pop()!)))) t = (bits === 16 ? "o32 " : "o16 ") + t;
  return t;
}
