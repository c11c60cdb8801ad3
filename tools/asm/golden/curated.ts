// Emits the curated conformance sources into tests/data/asm-golden/curated/.
// Every file is accepted by NASM 2.16 (`nasm -f bin`); generate.ts records NASM's bytes for them.
// Dev-only: run with `npx tsx tools/asm/golden/curated.ts`.
import { mkdirSync, writeFileSync, readdirSync, unlinkSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

type Bits = 16 | 32;

const here = dirname(fileURLToPath(import.meta.url));
export const CURATED_DIR = join(here, "../../../tests/data/asm-golden/curated");

export const R8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
export const R16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
export const R32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
export const SREG = ["es", "cs", "ss", "ds", "fs", "gs"];
export const CC = [
  "o", "no", "b", "c", "nae", "ae", "nb", "nc", "e", "z", "ne", "nz", "be", "na", "a", "nbe",
  "s", "ns", "p", "pe", "np", "po", "l", "nge", "ge", "nl", "le", "ng", "g", "nle",
];

/** 16-bit addressing forms (all ModRM rm values, each with no/d8/d16 displacement). */
export function ea16(): string[] {
  const bases = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];
  const out: string[] = [];
  for (const b of bases) {
    out.push(`[${b}]`, `[${b}+5]`, `[${b}-1]`, `[${b}+127]`, `[${b}-128]`, `[${b}+128]`, `[${b}-129]`, `[${b}+0x1234]`);
  }
  out.push("[si+bx]", "[di+bp+2]", "[0x1234]", "[0]", "[0xffff]", "[bp+0]");
  return out;
}

/** 32-bit addressing forms: base/index/scale/disp8/disp32, no-base, esp/ebp bases. */
export function ea32(): string[] {
  const out: string[] = [];
  for (const b of R32) out.push(`[${b}]`, `[${b}+4]`, `[${b}-128]`, `[${b}+127]`, `[${b}+128]`, `[${b}-129]`, `[${b}+0x12345678]`);
  for (const i of R32) {
    if (i === "esp") continue;
    for (const s of [1, 2, 4, 8]) {
      out.push(`[eax+${i}*${s}]`, `[esp+${i}*${s}+8]`, `[ebp+${i}*${s}]`, `[ebx+${i}*${s}-0x100]`);
      if (i !== "ebp") out.push(`[${i}*${s}+0x1000]`);
    }
  }
  out.push("[0x12345678]", "[0]", "[0xffffffff]", "[ebx*2]", "[ecx*3]", "[edx*5+4]", "[esi*9-8]", "[edi*1]",
    "[ecx+ebx]", "[esp+ebp]", "[ebp+esp]", "[ebp+0]", "[esp+0]", "[4*eax+ebx]", "[ebx+eax*4+ecx-ecx]");
  return out;
}

function regsOf(size: 8 | 16 | 32): string[] { return size === 8 ? R8 : size === 16 ? R16 : R32; }
const KW: Record<number, string> = { 8: "byte", 16: "word", 32: "dword" };

/** A representative subset of EAs for instructions other than mov (keeps files small). */
function someEA(bits: Bits): string[] {
  return bits === 16
    ? ["[bx]", "[bp+si+4]", "[di-200]", "[0x1234]", "[es:bx+di]", "[bp]", "[ebx+ecx*4]"]
    : ["[eax]", "[esp+8]", "[ebp-4]", "[ebx+esi*4+0x1000]", "[0x12345678]", "[fs:ecx]", "[edx*8]", "[bx+si]"];
}

function fileMov(bits: Bits): string[] {
  const L: string[] = [];
  for (const size of [8, 16, 32] as const) {
    const R = regsOf(size);
    for (const a of R) for (const b of R) L.push(`mov ${a}, ${b}`);
  }
  const imms: Record<number, string[]> = {
    8: ["0", "1", "127", "128", "255", "-1", "-128", "'A'", "0x7f"],
    16: ["0", "1", "127", "128", "-128", "-129", "255", "256", "32767", "32768", "65535", "-1", "-32768", "'AB'"],
    32: ["0", "1", "127", "128", "-128", "-129", "65535", "65536", "0x7fffffff", "0x80000000", "0xffffffff", "-1", "-2147483648", "'ABCD'"],
  };
  for (const size of [8, 16, 32] as const) {
    for (const r of regsOf(size)) L.push(`mov ${r}, ${imms[size][0]}`);
    for (const imm of imms[size]) {
      L.push(`mov ${regsOf(size)[3]}, ${imm}`);
      L.push(`mov ${KW[size]} [${bits === 16 ? "bx+si" : "eax"}], ${imm}`);
      L.push(`mov ${KW[size]} [${bits === 16 ? "bp+0x100" : "ebp+0x100"}], ${imm}`);
    }
  }
  const reg = bits === 16 ? ["al", "ax", "eax"] : ["al", "ax", "eax"];
  for (const ea of bits === 16 ? ea16() : ea32()) {
    L.push(`mov ${reg[1]}, ${ea}`);
    L.push(`mov ${ea}, ${reg[2]}`);
    L.push(`mov cl, ${ea}`);
  }
  // moffs forms
  for (const [r, a] of [["al", "0x10"], ["ax", "0x1234"], ["eax", bits === 16 ? "0xfff0" : "0x12345678"]]) {
    L.push(`mov ${r}, [${a}]`, `mov [${a}], ${r}`, `mov ${r}, [es:${a}]`, `mov [fs:${a}], ${r}`, `mov ${r}, [ds:${a}]`);
  }
  L.push("mov al, [0]", "mov [0], ax");
  // segment register moves (copy NASM: no 66 when loading a sreg from r16 in bits 32)
  for (const s of SREG) {
    if (s !== "cs") L.push(`mov ${s}, ax`, `mov ${s}, eax`, `mov ${s}, [${bits === 16 ? "bx" : "ebx"}]`, `mov ${s}, word [0x100]`, `mov ${s}, dx`);
    L.push(`mov ax, ${s}`, `mov eax, ${s}`, `mov [${bits === 16 ? "bx" : "ebx"}], ${s}`, `mov word [0x200], ${s}`, `mov si, ${s}`);
  }
  for (const c of ["cr0", "cr2", "cr3", "cr4"]) for (const r of ["eax", "ebx", "edi"]) L.push(`mov ${r}, ${c}`, `mov ${c}, ${r}`);
  for (const d of ["dr0", "dr1", "dr2", "dr3", "dr6", "dr7"]) for (const r of ["eax", "esi"]) L.push(`mov ${r}, ${d}`, `mov ${d}, ${r}`);
  // movzx / movsx
  for (const op of ["movzx", "movsx"]) {
    for (const d of ["ax", "di", "eax", "ebp"]) for (const s of ["bl", "ah", "dh"]) L.push(`${op} ${d}, ${s}`);
    for (const d of ["eax", "esi"]) for (const s of ["bx", "sp", "di"]) L.push(`${op} ${d}, ${s}`);
    for (const ea of someEA(bits)) L.push(`${op} ax, byte ${ea}`, `${op} eax, byte ${ea}`, `${op} ecx, word ${ea}`);
  }
  // lea
  for (const ea of bits === 16 ? ea16().slice(0, 30) : ea32().slice(0, 60)) L.push(`lea ${bits === 16 ? "si" : "esi"}, ${ea}`);
  L.push("lea ax, [bx+si+3]", "lea eax, [ebx+ecx*8+3]", "lea eax, [eax*2]", "lea ecx, [ecx*5]", "lea dx, [ebx+4]", "lea eax, [bx+di]");
  // xchg
  for (const size of [8, 16, 32] as const) {
    const R = regsOf(size);
    for (const a of R) for (const b of R) L.push(`xchg ${a}, ${b}`);
    for (const ea of someEA(bits)) L.push(`xchg ${R[2]}, ${ea}`, `xchg ${ea}, ${R[5]}`, `lock xchg ${ea}, ${R[0]}`);
  }
  L.push("nop", "xchg ax, ax", "xchg eax, eax");
  for (const r of R32) L.push(`bswap ${r}`);
  // push / pop
  for (const r of [...R16, ...R32]) L.push(`push ${r}`, `pop ${r}`);
  for (const s of SREG) { L.push(`push ${s}`); if (s !== "cs") L.push(`pop ${s}`); }
  for (const ea of someEA(bits)) L.push(`push word ${ea}`, `push dword ${ea}`, `pop word ${ea}`, `pop dword ${ea}`);
  for (const imm of ["0", "1", "127", "128", "-128", "-129", "255", "0x1234", "-1", "0x7fff", "0x8000", "0xffff"]) {
    L.push(`push ${imm}`, `push word ${imm}`, `push dword ${imm}`);
  }
  L.push("push byte 5", "push byte -5", "push dword 0x12345678", "push strict word 1", "push strict dword 1");
  L.push("lahf", "sahf", "cbw", "cwde", "cwd", "cdq", "xlatb", "xlat", "es xlatb");
  return L;
}

function fileEA(bits: Bits): string[] {
  const L: string[] = [];
  // in bits 16 an EA without a 32-bit register is a 16-bit EA (NASM truncates the displacement)
  const all = [...ea16(), ...ea32().filter((e) => bits === 32 || /e[a-d]x|e[sd]i|e[sb]p/.test(e))];
  for (const ea of all) {
    L.push(`add ${bits === 16 ? "ax" : "eax"}, ${ea}`);
    L.push(`sub ${ea}, dl`);
  }
  for (const s of SREG) {
    for (const ea of ["[bx+si]", "[bp+di+4]", "[bp]", "[0x1234]", "[eax]", "[ebp]", "[esp+4]", "[ebx+ecx*2+0x40]", bits === 32 ? "[0x12345678]" : "[0xfff0]", "[ebp+eax]"]) {
      L.push(`mov eax, [${s}:${ea.slice(1)}`);
      L.push(`inc byte [${s}:${ea.slice(1)}`);
    }
  }
  // segment override written as a prefix
  L.push("es mov ax, [bx]", "fs add eax, [ebx]", "gs inc dword [eax]");
  // address-size / operand-size prefixes written explicitly
  L.push("a16 nop", "a32 nop", "o16 nop", "o32 nop");
  // label-relative and expression EAs
  L.push("data1: dd 0", "mov eax, [data1]", "mov ax, [data1+2]", "mov [data1+ebx*4], eax", "mov [bx+data1], cl", "lea esi, [data1-4]");
  L.push("mov eax, [nosplit ebx*2]");
  L.push("mov eax, [byte ebx+0]", "mov eax, [dword ebx+4]", "mov eax, [dword eax]", "mov al, [word bx+1]", "mov eax, [byte bp+1]");
  return L;
}

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

function fileAlu(bits: Bits): string[] {
  const L: string[] = [];
  const imm8 = ["0", "1", "-1", "127", "128", "-128", "-129", "255", "0x7f", "0x80", "0xff"];
  const imm16 = ["0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "0x7fff", "0x8000", "0xffff", "65535", "0xff80", "0xff7f", "-32768"];
  const imm32 = ["0", "1", "-1", "127", "128", "-128", "-129", "0xffff", "0x10000", "0x7fffffff", "0x80000000", "0xffffffff", "0xffffff80", "0xffffff7f"];
  for (const op of ALU) {
    for (const r of R8) L.push(`${op} ${r}, cl`, `${op} dh, ${r}`);
    for (const r of R16) L.push(`${op} ${r}, bx`);
    for (const r of R32) L.push(`${op} ${r}, esi`);
    for (const ea of someEA(bits)) {
      L.push(`${op} ${ea}, al`, `${op} ${ea}, cx`, `${op} ${ea}, edx`, `${op} ah, ${ea}`, `${op} si, ${ea}`, `${op} edi, ${ea}`);
      L.push(`${op} byte ${ea}, 5`, `${op} word ${ea}, 5`, `${op} dword ${ea}, 5`, `${op} word ${ea}, 300`, `${op} dword ${ea}, 300`);
    }
    for (const i of imm8) L.push(`${op} al, ${i}`, `${op} bl, ${i}`, `${op} byte [${bits === 16 ? "si" : "esi"}], ${i}`);
    for (const i of imm16) L.push(`${op} ax, ${i}`, `${op} cx, ${i}`, `${op} word [${bits === 16 ? "bx" : "ebx"}], ${i}`);
    for (const i of imm32) L.push(`${op} eax, ${i}`, `${op} ebp, ${i}`, `${op} dword [${bits === 16 ? "di" : "edi"}], ${i}`);
    L.push(`${op} ax, byte 1`, `${op} eax, byte -1`, `${op} ax, strict word 1`, `${op} eax, strict dword 1`, `${op} cx, word 2`);
    if (op !== "cmp") L.push(`lock ${op} [${bits === 16 ? "bx" : "ebx"}], ax`, `lock ${op} dword [${bits === 16 ? "bx" : "ebx"}], 7`, `lock ${op} byte [${bits === 16 ? "bx" : "ebx"}], 0x80`);
  }
  // test
  for (const r of R8) L.push(`test ${r}, bl`, `test ${r}, 0x81`);
  for (const r of R16) L.push(`test ${r}, dx`, `test ${r}, 0x1234`, `test ${r}, 1`);
  for (const r of R32) L.push(`test ${r}, ecx`, `test ${r}, 0x12345678`, `test ${r}, 1`);
  for (const ea of someEA(bits)) L.push(`test ${ea}, al`, `test ${ea}, bx`, `test ${ea}, esp`, `test al, ${ea}`, `test byte ${ea}, 1`, `test word ${ea}, 0xffff`, `test dword ${ea}, -1`);
  // one-operand ALU
  for (const op of ["not", "neg", "inc", "dec"]) {
    for (const r of [...R8, ...R16, ...R32]) L.push(`${op} ${r}`);
    for (const ea of someEA(bits)) L.push(`${op} byte ${ea}`, `${op} word ${ea}`, `${op} dword ${ea}`);
    L.push(`lock ${op} dword [${bits === 16 ? "bx" : "ebx"}]`);
  }
  // xadd / cmpxchg
  for (const op of ["xadd", "cmpxchg"]) {
    for (const [a, b] of [["al", "cl"], ["bh", "dl"], ["ax", "bx"], ["sp", "bp"], ["eax", "ecx"], ["esi", "edi"]]) L.push(`${op} ${a}, ${b}`);
    for (const ea of someEA(bits)) L.push(`${op} ${ea}, al`, `${op} ${ea}, dx`, `${op} ${ea}, ebp`, `lock ${op} ${ea}, ecx`);
  }
  for (const ea of someEA(bits)) L.push(`cmpxchg8b ${ea}`, `lock cmpxchg8b ${ea}`, `cmpxchg8b qword ${ea}`);
  return L;
}

function fileShift(bits: Bits): string[] {
  const L: string[] = [];
  for (const op of ["rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"]) {
    for (const r of ["al", "bh", "cx", "si", "eax", "ebp"]) L.push(`${op} ${r}, 1`, `${op} ${r}, cl`, `${op} ${r}, 2`, `${op} ${r}, 31`, `${op} ${r}, 0`, `${op} ${r}, 255`);
    for (const ea of someEA(bits)) {
      for (const kw of ["byte", "word", "dword"]) L.push(`${op} ${kw} ${ea}, 1`, `${op} ${kw} ${ea}, cl`, `${op} ${kw} ${ea}, 4`);
    }
    L.push(`${op} eax, byte 1`, `${op} eax, 1+0`);
  }
  for (const op of ["shld", "shrd"]) {
    for (const [a, b] of [["ax", "bx"], ["sp", "di"], ["eax", "ecx"], ["ebp", "esi"]]) L.push(`${op} ${a}, ${b}, 1`, `${op} ${a}, ${b}, 31`, `${op} ${a}, ${b}, cl`);
    for (const ea of someEA(bits)) L.push(`${op} ${ea}, dx, 4`, `${op} ${ea}, edx, cl`);
  }
  return L;
}

function fileMulDiv(bits: Bits): string[] {
  const L: string[] = [];
  for (const op of ["mul", "imul", "div", "idiv"]) {
    for (const r of [...R8, ...R16, ...R32]) L.push(`${op} ${r}`);
    for (const ea of someEA(bits)) L.push(`${op} byte ${ea}`, `${op} word ${ea}`, `${op} dword ${ea}`);
  }
  for (const [a, b] of [["ax", "bx"], ["sp", "bp"], ["eax", "ecx"], ["edi", "esp"], ["esi", "esi"]]) L.push(`imul ${a}, ${b}`);
  for (const ea of someEA(bits)) L.push(`imul cx, ${ea}`, `imul edx, ${ea}`, `imul ax, ${ea}, 3`, `imul eax, ${ea}, -200`, `imul ebx, dword ${ea}, 0x12345`);
  for (const imm of ["0", "1", "-1", "127", "128", "-128", "-129", "255", "0x7fff", "0xffff", "65535"]) {
    L.push(`imul ax, bx, ${imm}`, `imul cx, ${imm}`);
  }
  for (const imm of ["0", "1", "-1", "127", "128", "-128", "-129", "0x7fffffff", "0xffffffff", "0xffffff80"]) {
    L.push(`imul eax, ecx, ${imm}`, `imul ebp, ${imm}`, `imul esi, esi, ${imm}`);
  }
  L.push("imul eax, byte 3", "imul eax, ebx, byte 3", "imul ax, dx, strict word 3", "imul eax, ebx, strict dword 3");
  return L;
}

function fileBit(bits: Bits): string[] {
  const L: string[] = [];
  for (const op of ["bt", "bts", "btr", "btc"]) {
    for (const [a, b] of [["ax", "bx"], ["sp", "di"], ["eax", "ecx"], ["ebp", "esp"]]) L.push(`${op} ${a}, ${b}`);
    for (const r of ["cx", "edx"]) L.push(`${op} ${r}, 0`, `${op} ${r}, 31`, `${op} ${r}, 255`);
    for (const ea of someEA(bits)) L.push(`${op} ${ea}, ax`, `${op} ${ea}, esi`, `${op} word ${ea}, 3`, `${op} dword ${ea}, 200`);
    if (op !== "bt") L.push(`lock ${op} [${bits === 16 ? "bx" : "ebx"}], eax`, `lock ${op} dword [${bits === 16 ? "bx" : "ebx"}], 5`);
  }
  for (const op of ["bsf", "bsr"]) {
    for (const [a, b] of [["ax", "bx"], ["sp", "di"], ["eax", "ecx"], ["ebp", "esp"]]) L.push(`${op} ${a}, ${b}`);
    for (const ea of someEA(bits)) L.push(`${op} dx, ${ea}`, `${op} edx, ${ea}`);
  }
  for (const cc of CC) {
    for (const r of ["al", "bh", "dl"]) L.push(`set${cc} ${r}`);
    for (const ea of someEA(bits).slice(0, 3)) L.push(`set${cc} byte ${ea}`, `set${cc} ${ea}`);
    L.push(`cmov${cc} ax, bx`, `cmov${cc} esp, ebp`, `cmov${cc} eax, [${bits === 16 ? "bx+si" : "eax+ecx*4"}]`, `cmov${cc} di, word [${bits === 16 ? "bp" : "ebp"}]`);
  }
  return L;
}

function fileBranch(bits: Bits): string[] {
  const L: string[] = [];
  const sp = bits === 16 ? "sp" : "esp";
  L.push("top:");
  // short jumps, backwards and forwards
  for (const cc of CC) L.push(`j${cc} top`, `j${cc} fwd1`);
  L.push("jmp top", "jmp fwd1", "call top", "call fwd1", "jmp near fwd1", "jmp near top");
  L.push("fwd1:", "jmp short fwd2", "jmp near fwd2", "fwd2:");
  CC.forEach((cc, i) => L.push(`j${cc} short .s${i}`, `j${cc} near .s${i}`, `.s${i}:`, `j${cc} short .s${i}`, `j${cc} near .s${i}`));
  // a block that straddles the 127/128-byte boundary both ways
  for (let pad = 120; pad <= 132; pad++) {
    L.push(`.a${pad}: jz .b${pad}`, `times ${pad} nop`, `.b${pad}: jnz .a${pad}`, `jmp .a${pad}`, `jmp .c${pad}`, `times ${pad - 2} db 0x90`, `.c${pad}:`);
  }
  // backward exactly at the limits
  L.push("back1:", "times 126 nop", "jmp back1", "back2:", "times 125 nop", "jc back2", "back3:", "times 126 nop", "jc back3");
  L.push("back4:", "times 123 nop", "loop back4", "back5:", "times 124 nop", "loop back5");
  // jcxz / jecxz / loop family
  L.push("lp:", "jcxz lp", "jecxz lp", "loop lp", "loope lp", "loopz lp", "loopne lp", "loopnz lp", "loop lp, cx", "loop lp, ecx", "loope lp, ecx", "loopne lp, cx", "jcxz lp2", "loop lp2", "lp2:");
  // indirect near
  for (const r of bits === 16 ? ["ax", "bx", "sp", "di"] : ["eax", "ebx", "esp", "edi"]) L.push(`jmp ${r}`, `call ${r}`);
  L.push("jmp eax", "call ecx", "jmp ax", "call di");
  for (const ea of someEA(bits)) L.push(`jmp ${ea}`, `call ${ea}`, `jmp word ${ea}`, `call dword ${ea}`, `jmp near ${ea}`, `call near ${ea}`);
  // far
  L.push("jmp 0x08:farlbl", "jmp 0x10:0x1000", "call 0x08:farlbl", bits === 32 ? "call 0x18:0x12345" : "call 0x18:0x2345", "jmp word 0x08:0x1234", "jmp dword 0x08:0x1234", "call word 0x1234:0x5678", "call dword 0xffff:0xffffffff");
  L.push("farlbl:");
  for (const ea of someEA(bits)) L.push(`jmp far ${ea}`, `call far ${ea}`, `jmp far word ${ea}`, `call far dword ${ea}`);
  L.push("ret", "ret 0", "ret 8", "ret 0xffff", "retf", "retf 4", "retf 0x1234", "retn", "retn 2", "retw", "retd", "retfw", "retfd", "retfw 4", "retd 6");
  L.push("jmp $", "jmp $+2", "jmp $$", "call $+5", "jz $-10", "jmp short $", `push ${sp}`);
  // long forward jumps (near required)
  for (const cc of CC) L.push(`j${cc} far_end`);
  L.push("jmp far_end", "call far_end", "times 300 nop", "far_end:");
  for (const cc of CC.slice(0, 8)) L.push(`j${cc} far_end`);
  L.push("jmp far_end", "jmp top", "jz top", "loop far_end2", "far_end2:");
  return L;
}

function fileString(bits: Bits): string[] {
  const L: string[] = [];
  const ops = ["movs", "stos", "lods", "cmps", "scas", "ins", "outs"];
  for (const op of ops) {
    for (const sz of ["b", "w", "d"]) {
      const m = op + sz;
      L.push(m, `rep ${m}`);
      if (op === "cmps" || op === "scas") L.push(`repe ${m}`, `repz ${m}`, `repne ${m}`, `repnz ${m}`);
      if (op !== "stos" && op !== "scas" && op !== "ins") L.push(`fs ${m}`, `rep es ${m}`);
      L.push(`a16 ${m}`, `a32 ${m}`, `a32 rep ${m}`);
    }
  }
  L.push("o32 movsb");
  return L;
}

function fileSystem(bits: Bits): string[] {
  const L: string[] = [];
  L.push(..."cli sti clc stc cmc cld std hlt nop cpuid rdtsc rdmsr wrmsr wbinvd invd clts pushf popf pushfw popfw pushfd popfd pusha popa pushaw popaw pushad popad lahf sahf cbw cwde cwd cdq leave ud2 into int3 iret iretw iretd wait fwait".split(" "));
  for (const ea of someEA(bits)) {
    L.push(`lgdt ${ea}`, `lidt ${ea}`, `sgdt ${ea}`, `sidt ${ea}`, `invlpg ${ea}`, `ltr ${ea}`, `lldt ${ea}`, `lmsw ${ea}`, `str ${ea}`, `sldt ${ea}`, `smsw ${ea}`, `verr ${ea}`, `verw ${ea}`);
    L.push(`lar ax, ${ea}`, `lar eax, ${ea}`, `lsl cx, ${ea}`, `lsl ecx, ${ea}`, `bound ax, ${ea}`, `bound eax, ${ea}`, `arpl ${ea}, dx`);
    L.push(`ltr word ${ea}`, `lgdt [${ea.slice(1)}`);
  }
  for (const r of ["ax", "bx", "di"]) L.push(`ltr ${r}`, `lldt ${r}`, `lmsw ${r}`, `verr ${r}`, `verw ${r}`, `str ${r}`, `sldt ${r}`, `smsw ${r}`, `arpl ${r}, cx`, `lar ${r}, dx`, `lsl ${r}, dx`);
  for (const r of ["eax", "esi"]) L.push(`str ${r}`, `sldt ${r}`, `smsw ${r}`, `lar ${r}, ecx`, `lsl ${r}, ecx`, `lar ${r}, dx`, `lsl ${r}, dx`);
  for (const n of ["0", "1", "3", "0x10", "0x21", "0x80", "127", "128", "255"]) L.push(`int ${n}`);
  for (const [a, b] of [["0", "0"], ["16", "0"], ["0xffff", "31"], ["8", "1"], ["4", "2"]]) L.push(`enter ${a}, ${b}`);
  // in / out
  for (const p of ["0", "0x20", "0x60", "0x80", "0xff"]) L.push(`in al, ${p}`, `in ax, ${p}`, `in eax, ${p}`, `out ${p}, al`, `out ${p}, ax`, `out ${p}, eax`);
  L.push("in al, dx", "in ax, dx", "in eax, dx", "out dx, al", "out dx, ax", "out dx, eax");
  // BCD
  L.push("aaa", "aas", "daa", "das", "aam", "aad", "aam 16", "aad 8", "aam 10", "aad 10", "aam 0", "aad 255");
  return L;
}

function wrap(bits: Bits, body: string[], org = 0): string {
  const head = [`; curated: generated by tools/asm/golden/curated.ts - do not edit`, `bits ${bits}`];
  if (org) head.push(`org 0x${org.toString(16)}`);
  return [...head, ...body.map((l) => (l.endsWith(":") || /^[.\w]+:/.test(l) ? l : "  " + l))].join("\n") + "\n";
}

// ---------- directive / preprocessor files (hand-written) ----------

const DIR_DATA = `; curated: data directives
bits 32
org 0x1000
start:
  db 0, 1, 255, -1, -128, 'a', "b", 0x7f
  db "hello", 13, 10, 0
  db \`back\\tquoted\\n\\r\\0\\\\\\x41\\x7e\\101\\e\\a\\b\\f\\v\\'\\"\\\`\`, 0
  db \`\\u263a\\U0001F600\`
  db 'abc', 'de', 'f'
  dw 0, 1, 0xffff, -1, -32768, 'a', 'ab', "abc", start
  dd 0, 1, 0xffffffff, -1, 'abcd', "abcde", start, $, $$
  dw 'xy' + 1
  dd start - $$ + 4
  times 5 db 0xcc
  times 3 dw 0x1234
  times 2 dd 1, 2
  times 4 db 'ab'
  times 0 db 1
  times (16 - ($ - $$) % 16) % 16 db 0x55
  db 1
  align 4
  db 2
  align 16
  dw 3
  align 8, db 0xaa
  dd 4
  align 2
  align 4, dw 0xbbbb
lbl: db lbl - start
  db (lbl - $$) & 0xff, ((lbl - $$) >> 8) & 0xff
  dw end - start
  dd end
end:
`;

const DIR_BOOT = `; curated: a realistic boot sector
bits 16
org 0x7c00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [boot_drive], dl
    mov si, msg
.print:
    lodsb
    or al, al
    jz .done
    mov ah, 0x0e
    mov bx, 7
    int 0x10
    jmp .print
.done:
    mov ah, 0x02
    mov al, 4
    mov ch, 0
    mov cl, 2
    mov dh, 0
    mov dl, [boot_drive]
    mov bx, 0x8000
    int 0x13
    jc .done
    in al, 0x92
    or al, 2
    out 0x92, al
    cli
    lgdt [gdt_desc]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:pm_entry

gdt:
    dq 0
    dw 0xffff, 0
    db 0, 0x9a, 0xcf, 0
    dw 0xffff, 0
    db 0, 0x92, 0xcf, 0
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

bits 32
pm_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, 0x90000
    mov dword [0xb8000], 0x2f4b2f4f
    jmp 0x8000
.hang:
    hlt
    jmp .hang

boot_drive: db 0
msg: db "Booting ringside...", 13, 10, 0
    times 510 - ($ - $$) db 0
    dw 0xaa55
`;

const DIR_SECTIONS = `; curated: org, sections, reservations
bits 32
org 0x100000
section .text
start:
    mov eax, [counter]
    mov ebx, buffer
    mov ecx, buffer_end - buffer
    mov edx, table
    mov esi, [table + 4]
    lea edi, [words + 2]
    mov dword [scratch], eax
    mov [scratch + 4], bx
    ret
section .data
counter: dd 0x11223344
table: dd start, counter, buffer, 0
words: dw 1, 2, 3
msg: db "data", 0
section .bss
buffer: resb 64
buffer_end:
scratch: resd 4
more: resw 3
tail: resb 1
section .text
after:
    mov eax, tail
    mov ebx, more
    jmp start
`;

const DIR_RESB = `; curated: reservations in a code file (NASM zero-fills them in flat binaries)
bits 16
org 0
  db 1
  resb 3
  dw 2
  resw 2
  dd 3
  resd 1
  db 4
x: resb 5
  dw x
`;

const DIR_PREPROC = `; curated: preprocessor
bits 32
%define ONE 1
%define TWO (ONE + ONE)
%define REG eax
%define ADD(a, b) ((a) + (b))
%assign counter 0
%assign counter counter + 5
%xdefine XC counter
%assign counter counter + 1

  mov REG, TWO
  mov ebx, ADD(3, 4) * 2
  mov ecx, counter
  mov edx, XC
  db counter, XC

%macro pushall 0
  push eax
  push ebx
%endmacro
%macro popall 0
  pop ebx
  pop eax
%endmacro
%macro load 2
  mov %1, %2
%endmacro
%macro count 0-*
  db %0
%endmacro
%macro spin 1
%%again:
  dec %1
  jnz %%again
%endmacro
%macro rot 3
  db %3, %2, %1
%endmacro

  pushall
  load ecx, 10
  load dx, [ebx + 4]
  count
  count 1
  count 1, 2, 3
  spin ecx
  spin edx
  popall
  rot 1, 2, 3

%assign i 0
%rep 5
  db i * 3
%assign i i + 1
%endrep
%rep 3
  nop
%endrep

%if TWO == 2
  mov al, 1
%elif TWO == 3
  mov al, 2
%else
  mov al, 3
%endif
%if 0
  this would not assemble
%elif 1
  mov al, 4
%endif
%ifdef ONE
  mov bl, 1
%else
  mov bl, 2
%endif
%ifndef NOPE
  mov bl, 3
%endif
%undef ONE
%ifdef ONE
  mov bl, 4
%else
  mov bl, 5
%endif
%if counter > 5 && counter < 10
  db 0xee
%endif
%if (counter & 1) || 0
  db 0xef
%else
  db 0xf0
%endif
%ifidn REG, eax
  db 0xf1
%endif

%define STR "text"
  db STR, 0
`;

const DIR_STRUC = `; curated: struc, equ, $, $$, local labels
bits 32
org 0x2000

struc point
  .x: resd 1
  .y: resd 1
  .tag: resb 1
  .pad: resb 3
endstruc

struc hdr
  h_magic: resw 1
  h_len: resd 1
  h_name: resb 8
endstruc

SIZE equ 16
MASK equ SIZE - 1
COMBO equ (SIZE << 4) | MASK

main:
  mov eax, [ebx + point.y]
  mov ecx, point_size
  mov dl, [esi + point.tag]
  mov eax, [edi + h_len]
  mov ecx, hdr_size
  mov eax, SIZE
  and eax, MASK
  mov ebx, COMBO
  mov ecx, $
  mov edx, $$
  mov esi, $ - $$
.loop:
  dec ecx
  jnz .loop
  jmp .done
.done:
  call other
  ret
other:
.loop:
  inc eax
  cmp eax, 5
  jb .loop
  jmp main.loop
  jmp other.loop
..@special:
  nop
  mov eax, ..@special
p1:
  istruc point
    at point.x, dd 1
    at point.y, dd 2
    at point.tag, db 3
  iend
p2:
  dd p1 + point.y
  dd p2 - p1
here equ $
  dd here
`;

const DIR_NUMBERS = `; curated: number formats and operator precedence
bits 32
  dd 100, 0x64, 64h, 0h64, 0x_64, 0d100, 100d, 0t100
  dd 0b1100100, 1100100b, 0y1100100, 1100100y, 0b_0110_0100
  dd 144q, 144o, 0q144, 0o144
  dd $64, 0FFh, 0ffffffffh, 1_000_000
  dd 'a', 'ab', 'abc', 'abcd', "a", \`a\`, \`\\n\`
  dd -1, --1, -(-1), +5, ~0, ~1, !0, !5
  dd 1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3, 100 / 10 / 5, 17 % 5
  dd 1 << 2 + 3, (1 << 2) + 3, 256 >> 2 >> 1, 1 | 2 ^ 3 & 4, (1 | 2) ^ 3 & 4
  dd 6 & 3 | 8, 6 ^ 3 | 8, 1 + 2 << 3, 0xf0 | 0x0f & 0x3c
  dd -5 // 2, 5 // -2, -7 %% 3, 7 %% -3, 0xffffffff / 2, 7 % 3, 0x80000000 >> 4
  dd 2 * -3, - 2 * 3, ~1 + 1, -~1, ~-1
  dd 3 * 4 % 5, 3 + 4 % 5, 20 / 3 * 3
  dw 0x12345678 & 0xffff, -2
  db 300 & 0xff, -2, 1 << 7
`;

const DIR_RELOPS = `; curated: relational and logical operators in expressions
bits 32
  dd 3 < 5, 5 < 3, 3 <= 3, 3 > 2, 2 >= 3, 3 == 3, 3 = 3, 3 != 4, 3 <> 3, 5 <=> 3, 3 <=> 5, 4 <=> 4
  dd 1 && 0, 1 && 2, 0 || 0, 0 || 3, 1 ^^ 1, 1 ^^ 0
  dd 1 + 2 == 3, 1 < 2 == 1, 2 + 3 > 4 && 1
  dd 5 ? 7 : 9, 0 ? 7 : 9
; NASM evaluates in 64 bits: unsigned / % >> on negative numbers, then truncates (with a warning)
  dd -5 / 2, -7 % 3, -1 >> 1, -1 >>> 1, -16 >> 2, -16 >>> 2
`;

const DIR_INCLUDE = `; curated: %include (the included file lives next to this one)
bits 16
%include "inc_defs.inc"
  mov ax, INC_VALUE
  incmacro bx
  db INC_STR
`;
const INC_DEFS = `; included by dir-include.asm
%define INC_VALUE 0x4242
%macro incmacro 1
  inc %1
  inc %1
%endmacro
%define INC_STR "inc"
  nop
`;

export function curatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const bits of [16, 32] as Bits[]) {
    files[`ins${bits}-mov.asm`] = wrap(bits, fileMov(bits));
    files[`ins${bits}-ea.asm`] = wrap(bits, fileEA(bits));
    files[`ins${bits}-alu.asm`] = wrap(bits, fileAlu(bits));
    files[`ins${bits}-shift.asm`] = wrap(bits, fileShift(bits));
    files[`ins${bits}-muldiv.asm`] = wrap(bits, fileMulDiv(bits));
    files[`ins${bits}-bit.asm`] = wrap(bits, fileBit(bits));
    files[`ins${bits}-branch.asm`] = wrap(bits, fileBranch(bits), bits === 16 ? 0x7c00 : 0x100000);
    files[`ins${bits}-string.asm`] = wrap(bits, fileString(bits));
    files[`ins${bits}-system.asm`] = wrap(bits, fileSystem(bits));
  }
  files["dir-data.asm"] = DIR_DATA;
  files["dir-boot.asm"] = DIR_BOOT;
  files["dir-sections.asm"] = DIR_SECTIONS;
  files["dir-resb.asm"] = DIR_RESB;
  files["dir-preproc.asm"] = DIR_PREPROC;
  files["dir-struc.asm"] = DIR_STRUC;
  files["dir-numbers.asm"] = DIR_NUMBERS;
  files["dir-relops.asm"] = DIR_RELOPS;
  files["dir-include.asm"] = DIR_INCLUDE;
  files["inc_defs.inc"] = INC_DEFS;
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(CURATED_DIR, { recursive: true });
  for (const f of readdirSync(CURATED_DIR)) if (/\.(asm|inc)$/.test(f)) unlinkSync(join(CURATED_DIR, f));
  let lines = 0;
  for (const [name, text] of Object.entries(curatedFiles())) {
    writeFileSync(join(CURATED_DIR, name), text);
    lines += text.split("\n").length - 1;
  }
  console.log(`curated: ${Object.keys(curatedFiles()).length} files, ${lines} lines -> ${CURATED_DIR}`);
}
