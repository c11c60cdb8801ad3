// The assembler's limits (hardening item 13, 21): input that would exhaust memory or the stack, or that
// NASM refuses, gets a file:line:col diagnostic — never a crash, an "internal assembler error" or
// silent output.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assemble, formatDiagnostic } from "../tools/asm/index.ts";
import { ringside } from "./helpers/cli.ts";

/** Assembles `src` as t.asm and returns its error lines (file:line:col: error: message). */
function errors(src: string): string[] {
  const r = assemble(src, { file: "t.asm", format: "bin" });
  expect(r.ok).toBe(false);
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
}

describe("asm limits", () => {
  it("times of constant data is worked out once: 30 M bytes in seconds, the same bytes as one at a time", () => {
    const t0 = performance.now();
    const big = assemble("bits 32\ntimes 30000000 db 7\ndb 1\n", { file: "t.asm", format: "bin" });
    expect(performance.now() - t0).toBeLessThan(10_000); // one evaluation per byte took about 30 s
    expect(big.ok).toBe(true);
    expect([big.bytes.length, big.bytes[0], big.bytes[29_999_999], big.bytes[30_000_000]]).toEqual([30_000_001, 7, 7, 1]);
    const mixed = assemble('bits 32\nstart: times 3 db "ab", 1\ntimes 2 dw 0x1234\ntimes 5 db $-start\n', { file: "t.asm", format: "bin" });
    expect(Buffer.from(mixed.bytes).toString("hex")).toBe("616201616201616201341234120d0d0d0d0d"); // NASM: `$` is the line's start in every repetition
  });

  it("a section that holds bytes stops at 64 MiB, before taking the memory (resb, times); .bss may reserve more", () => {
    expect(errors("bits 32\nresb 4000000000\n")).toEqual(["t.asm:2:1: section '.text' would be 4000000000 bytes, more than 64 MiB (reserve space in a nobits section such as .bss instead)"]);
    expect(errors("bits 32\ntimes 100000 resb 100000\n")).toEqual(["t.asm:2:1: section '.text' would be 67200000 bytes, more than 64 MiB (reserve space in a nobits section such as .bss instead)"]);
    const bss = assemble("section .text\nglobal _start\n_start: ret\nsection .bss\nresb 400000000\n", { file: "t.asm", format: "elf" });
    expect(bss.ok).toBe(true);
  });

  it("an exponential %define is refused at its line instead of exhausting the heap", () => {
    let src = "";
    for (let i = 0; i < 70; i++) src += `%define m${i} m${i + 1} m${i + 1}\n`;
    src += "%define m70 1\n  dd m0\n";
    const e = errors(src);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^t\.asm:72:3: single-line macro expansion is too large: expanding 'm\d+' makes the line longer than 1 MiB/);
  });

  it("100 000-deep expressions are errors at the column where the limit is crossed", () => {
    expect(errors(`dd ${"(".repeat(100_000)}1${")".repeat(100_000)}\n`)).toEqual([
      "t.asm:1:260: expression is nested too deeply (more than 256 levels of parentheses, unary operators or '?:')",
    ]);
    expect(errors(`dd ${"-".repeat(100_000)}1\n`)).toEqual([
      "t.asm:1:260: expression is nested too deeply (more than 256 levels of parentheses, unary operators or '?:')",
    ]);
    expect(errors(`dd 1${"+1".repeat(100_000)}\n`)).toEqual(["t.asm:1:4101: expression is too long: more than 2048 operators in one chain"]);
    expect(errors(`dd 1${" ? 1 : 1".repeat(300)}\n`)[0]).toMatch(/^t\.asm:1:\d+: expression is nested too deeply/);
  });

  it("expressions just inside the limits assemble to the right value", () => {
    const r = assemble(
      `bits 32\ndd ${"(".repeat(256)}7${")".repeat(256)}\ndd 1${"+1".repeat(2047)}\ndd ${"-".repeat(255)}5\nmov eax, [ebx+1${"+1".repeat(2000)}]\n`,
      { file: "t.asm" },
    );
    expect(r.diagnostics).toEqual([]);
    expect(Array.from(r.bytes.subarray(0, 12))).toEqual([7, 0, 0, 0, 0, 8, 0, 0, 0xfb, 0xff, 0xff, 0xff]);
    expect(Array.from(r.bytes.subarray(12))).toEqual([0x8b, 0x83, 0xd1, 0x07, 0, 0]); // mov eax, [ebx+2001]
  });

  it("a circular equ is refused, like NASM, naming the cycle; a chain of equ's still resolves", () => {
    expect(errors("a equ b\nb equ a\nc equ c+1\nd equ 5\ne equ d*2\ndd a, e\n")).toEqual([
      "t.asm:1:1: symbol 'a' is defined in terms of itself (a -> b -> a): a circular equ has no value",
      "t.asm:2:1: symbol 'b' is defined in terms of itself (a -> b -> a): a circular equ has no value",
      "t.asm:3:1: symbol 'c' is defined in terms of itself (c -> c): a circular equ has no value",
    ]);
    const ok = assemble("a equ b+1\nb equ c*2\nc equ 3\ndd a\n", { file: "t.asm" });
    expect(ok.diagnostics).toEqual([]);
    expect(Array.from(ok.bytes)).toEqual([7, 0, 0, 0]);
  });

  it("x87, MMX, SSE and 64-bit registers are named as unsupported, not as undefined symbols", () => {
    expect(errors("bits 32\nfld st0\nmov rax, 1\npush r8\nadd eax, xmm0\n")).toEqual([
      "t.asm:2:5: 'st0' is an x87 register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)",
      "t.asm:3:5: 'rax' is a 64-bit register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)",
      "t.asm:4:6: 'r8' is a 64-bit register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)",
      "t.asm:5:10: 'xmm0' is an SSE/AVX register; this assembler supports the 16/32-bit x86 integer subset only (no x87, MMX, SSE or 64-bit registers)",
    ]);
  });

  it("a diagnostic on a very long line shows a window around the column, caret under it", () => {
    const r = assemble(`dd 1${"+1".repeat(3000)}\n`, { file: "t.asm" });
    const [head, src, caret] = formatDiagnostic(r.diagnostics[0]!).split("\n");
    expect(head).toBe("t.asm:1:4101: error: expression is too long: more than 2048 operators in one chain");
    expect(src!.length).toBeLessThan(140);
    expect(src!.startsWith("  ...") && src!.endsWith("...")).toBe(true);
    expect(src![caret!.length - 1]).toBe("+"); // the operator at column 4101
  });

  it("the CLI reports an exponential %define as one clear error (exit 1), no crash", () => {
    let src = "";
    for (let i = 0; i < 64; i++) src += `%define m${i} m${i + 1} m${i + 1}\n`;
    src += "%define m64 1\ndd m0\n";
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-asm-limits-"));
    writeFileSync(path.join(dir, "exp.asm"), src);
    const r = ringside(["asm", "exp.asm"], { cwd: dir });
    expect(r.stderr).toMatch(/^exp\.asm:66:1: error: single-line macro expansion is too large/);
    expect(existsSync(path.join(dir, "exp.bin"))).toBe(false);
    expect(r.stderr).toContain("ringside asm: 1 error; no output written\n");
    expect(r.code).toBe(1);
  });
});
