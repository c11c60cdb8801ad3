// Directives and preprocessor: expected bytes were produced by NASM 2.16 during development
// (nasm is not needed to run these tests).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { assemble } from "../tools/asm/index.ts";

const FIX = join(import.meta.dirname, "fixtures/asm");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Assembles a fixture file the way the CLI would (includes relative to the fixture dir). */
function asmFile(name: string) {
  return assemble(readFileSync(join(FIX, name), "utf8"), { file: join(FIX, name) });
}

/** Assembles inline source and fails with the diagnostics if it does not assemble. */
function ok(src: string, opts = {}) {
  const r = assemble(src, opts);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(r.ok).toBe(true);
  return r;
}

describe("asm directives and preprocessor (NASM-identical bytes)", () => {
  it("%define, %assign, %macro (params, %%local, defaults, %0), %rep, %if/%elif/%else, %ifdef/%undef", () => {
    const r = asmFile("macros.asm");
    expect(r.ok).toBe(true);
    expect(hex(r.bytes)).toBe("b805000000bb050000005053eb0190eb0190b808000000b8030000000340404000010203aa0102");
  });

  it("db/dw/dd/dq, strings and escapes, times, align (nop fill and explicit fill), number formats, operators, struc/istruc", () => {
    const r = asmFile("data.asm");
    expect(r.ok).toBe(true);
    expect(hex(r.bytes)).toBe(
      "61626364650a410001ffff610034120001775634126162636411000000887766554433221190909011ffffff10000000020000000800000003000000100000000c0000000f0000004200000003000000fdffffff01000000100000000f000000020000000700000005000000ffffffff010000000e00000014000000010000000000000001000000880188010200040005000600",
    );
    const sym = (n: string) => r.symbols.find((s) => s.name === n)?.value;
    expect(sym("start")).toBe(0x100);
    expect(sym("point_size")).toBe(4);
    expect(sym("point.y")).toBe(2);
  });

  it("%include and incbin resolve relative to the including file", () => {
    const r = asmFile("include.asm");
    expect(r.ok).toBe(true);
    expect(hex(r.bytes)).toBe("b842000000070203040102030405");
  });

  it("a boot sector + protected-mode kernel mix of ~100 instructions matches NASM", () => {
    const r = asmFile("boot-pm.asm");
    expect(r.ok).toBe(true);
    expect(r.bytes.length).toBe(289);
    expect(createHash("sha256").update(r.bytes).digest("hex")).toBe("ceecf632785994b0c7598b5109baa86c9adc657af0c124f4683a2133d1ec4b3f");
  });

  it("16-bit real-mode forms", () => {
    const r = ok("bits 16\n  mov eax, [bx+si+4]\n  lea di, [bp-2]\n  push es\n  int 0x13\n  jmp 0x0000:0x7c00\n  rep movsb\n  loop $\n");
    expect(hex(r.bytes)).toBe("668b40048d7efe06cd13ea007c0000f3a4e2fe");
  });

  it("NASM encoding choices: sreg loads without 66, imm wrap, 83 over accumulator form, f3 66 order, xchg, moffs", () => {
    const r = ok("bits 32\nmov ds, ax\nmov ax, ds\nand cx, 65535\nor ax, 1\nrep movsw\nxchg ebx, eax\nxchg ecx, edx\nmov eax, [0x1234]\niret\npusha\nimul eax, 5\n");
    expect(hex(r.bytes)).toBe("8ed8668cd86683e1ff6683c801f366a59387caa134120000cf606bc005");
  });

  it("branches start short and grow only when needed; far jumps and jcxz", () => {
    const r = ok("bits 32\nstart: jmp fwd\ntimes 127 nop\nfwd: jz start\njmp 0x08:start\njecxz fwd\n");
    expect(hex(r.bytes.subarray(0, 2))).toBe("eb7f");
    expect(hex(r.bytes.subarray(129))).toBe("0f8479ffffffea000000000800e3f1");
  });

  it("labels: local labels, $ and $$, equ, symbols sorted by value", () => {
    const r = ok("org 0x7c00\nmain:\n.a: jmp .a\nlen equ $ - main\nother:\n.a: dw $$, other.a, main.a\n");
    expect(hex(r.bytes)).toBe("ebfe007c027c007c");
    expect(r.symbols.map((s) => s.name)).toEqual(["len", "main", "main.a", "other", "other.a"]);
  });

  it("-D defines and sections in a flat binary (.data after .text, aligned; .bss not stored)", () => {
    const r = ok("section .data\nd: db X\nsection .bss\nb: resb 16\nsection .text\nt: mov eax, d\nmov ebx, b\n", { defines: { X: "9" } });
    expect(hex(r.bytes)).toBe("66b80c00000066bb1000000009");
    const v = (n: string) => r.symbols.find((s) => s.name === n)!.value;
    expect(v("t")).toBe(0);
    expect(v("d") % 4).toBe(0);
    expect(v("b")).toBeGreaterThan(v("d"));
    expect(r.bytes[v("d")]).toBe(9);
  });

  it("a16/a32 set the address size of a memory operand; a register of the other size is refused", () => {
    const src = "bits 32\na16 mov eax, [0x1000]\na16 mov al, [0x10]\na16 mov eax, [bx]\nbits 16\na32 mov ax, [0x1000]\na32 mov ax, [ebx]\n";
    expect(hex(ok(src).bytes)).toBe("67a1001067a01000678b0767a100100000678b03");
    const bad = assemble("bits 32\na16 mov eax, [ebx]\n", {});
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.map((d) => d.message)).toEqual(["impossible combination of address sizes"]);
  });

  it("%exitrep ends the %rep at once (a macro expanded in the body runs to its end); outside %rep it is an error", () => {
    const src = "%rep 3\ndb 1\n%exitrep\ndb 2\n%endrep\n%assign i 0\n%rep 10\ndb i\n%if i==3\n%exitrep\n%endif\n%assign i i+1\n%endrep\n" +
      "%macro stop 0\n%exitrep\ndb 9\n%endmacro\n%rep 2\ndb 7\nstop\ndb 8\n%endrep\ndb 0xaa\n";
    expect(hex(ok(src).bytes)).toBe("01000102030709aa");
    expect(assemble("db 1\n%exitrep\n", {}).diagnostics.map((d) => d.message)).toEqual(["%exitrep outside %rep"]);
  });

  it("$ is the start of a times line in every repetition", () => {
    const src = "bits 32\ndb 0\ntimes 3 db $-$$\nx: times 2 dd $\ntimes 2 jmp $\ntimes 2 jmp short x\ndd $, $\n";
    expect(hex(ok(src).bytes)).toBe("000101010400000004000000ebfeebfcebf2ebf01400000014000000");
  });

  it("a times count that uses a label defined later is refused, as NASM refuses it", () => {
    const r = assemble("times x db 0\nx: db 1\n", {});
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["non-constant argument supplied to TIMES (it uses a label defined later)"]);
    expect(hex(ok("start: db 1\ntimes 4-($-$$) db 0\nx: times x-start db 2\n").bytes)).toBe("0100000002020202"); // earlier labels and $ are fine (NASM's bytes)
  });

  it("a jump to a plain number is near (NASM shortens only jumps to a target in a section)", () => {
    const src = "org 0x7c00\nbits 16\nentry equ 0x7c00\nstart:\njmp entry\njz entry\njmp start\njmp $+2\nloop start\njmp short 0x7c00\n" +
      "later equ start\njmp later\nbits 32\njmp 0x7c00\njnz fwd\nfwd:\n";
    expect(hex(ok(src).bytes)).toBe("e9fdff0f84f9ffebf7eb00e2f3ebf1ebefe9eaffffff7500");
  });

  it("an instruction that cannot be encoded leaves nothing behind for the next one, in this assembly or a later one", () => {
    const bad = assemble("bits 16\nmov ax, [dword bx]\ncpuid\ncpuid\ncpuid\ntimes 10-($-$$) db 0\n", {});
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.filter((d) => d.severity === "error")).toHaveLength(1); // not also a "TIMES value is negative"
    for (let i = 0; i < 3; i++) {
      expect(assemble("bits 16\njmp [dword bx]\n", {}).ok).toBe(false);
      expect(hex(ok("bits 16\ncpuid\n").bytes)).toBe("0fa2");
    }
  });
});
