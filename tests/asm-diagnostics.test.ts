// Diagnostics: every user error is reported as file:line:col + message + source line + caret,
// all errors of a pass are reported, and assemble() never throws.
import { describe, expect, it } from "vitest";
import { assemble, formatDiagnostic, type AssembleOptions } from "../tools/asm/index.ts";

/** Assembles `src` as t.asm and returns the errors (and warnings) as formatted text. */
function diags(src: string, opts: AssembleOptions = {}) {
  const r = assemble(src, { file: "t.asm", readFile: () => undefined, ...opts });
  return { r, errors: r.diagnostics.filter((d) => d.severity === "error"), warnings: r.diagnostics.filter((d) => d.severity === "warning") };
}

/** Expects exactly one error at line:col whose message matches `re`. */
function oneError(src: string, line: number, col: number, re: RegExp, opts: AssembleOptions = {}) {
  const { r, errors } = diags(src, opts);
  expect(r.ok).toBe(false);
  expect(r.bytes.length).toBe(0);
  expect(errors.length, errors.map(formatDiagnostic).join("\n")).toBe(1);
  expect(errors[0].message).toMatch(re);
  expect([errors[0].line, errors[0].col]).toEqual([line, col]);
  return errors[0];
}

describe("asm diagnostics", () => {
  it("unknown mnemonic", () => {
    const d = oneError("bits 32\n  movx eax, 1\n", 2, 3, /unknown instruction 'movx'/);
    expect(formatDiagnostic(d)).toBe("t.asm:2:3: error: unknown instruction 'movx'\n    movx eax, 1\n    ^");
  });

  it("bad operand combination", () => {
    oneError("bits 32\n  mov eax, bl\n", 2, 3, /invalid combination of opcode and operands/);
  });

  it("size not specified", () => {
    oneError("bits 32\n  mov [eax], 1\n", 2, 7, /operation size not specified/);
    oneError("bits 32\n  inc [eax]\n", 2, 7, /operation size not specified/);
  });

  it("undefined symbol", () => {
    oneError("bits 32\n  mov eax, nowhere\n", 2, 12, /undefined symbol 'nowhere'/);
  });

  it("extern symbols cannot be used (nothing is linked)", () => {
    oneError("extern puts\n  call puts\n", 2, 8, /declared extern.*does not link/);
  });

  it("duplicate symbol", () => {
    oneError("a: nop\na: nop\n", 2, 1, /symbol 'a' is already defined \(first defined at t.asm:1\)/);
  });

  it("out-of-range jcxz and forced short jump", () => {
    oneError("bits 32\n  jcxz far_away\n  times 200 nop\nfar_away: nop\n", 2, 8, /short jump is out of range/);
    oneError("bits 32\n  jmp short x\n  times 200 nop\nx:\n", 2, 7, /short jump is out of range/);
    oneError("bits 16\n  loop x\n  times 128 nop\nx:\n", 2, 8, /short jump is out of range/);
  });

  it("out-of-range data and immediates warn and truncate (like NASM)", () => {
    const { r, warnings } = diags("db 300\nmov al, 256\n");
    expect(r.ok).toBe(true);
    expect(Buffer.from(r.bytes).toString("hex")).toBe("2cb000");
    expect(warnings.map((w) => [w.line, w.message])).toEqual([
      [1, expect.stringMatching(/byte data exceeds bounds/)],
      [2, expect.stringMatching(/byte value exceeds bounds/)],
    ]);
  });

  it("macro argument count mismatch", () => {
    oneError("%macro two 2\n  db %1, %2\n%endmacro\n  two 1\n", 4, 3, /macro 'two' expects 2 parameters, got 1/);
  });

  it("missing include and incbin files", () => {
    oneError('%include "missing.inc"\n', 1, 10, /cannot open include file 'missing.inc'/);
    oneError('incbin "missing.bin"\n', 1, 8, /cannot open incbin file 'missing.bin'/);
  });

  it("unterminated string", () => {
    oneError("db 'abc\n", 1, 4, /unterminated string/);
  });

  it("unterminated %if", () => {
    oneError("%if 1\ndb 1\n", 1, 1, /unterminated %if/);
  });

  it("macro recursion limit", () => {
    const { r, errors } = diags("%macro r 0\n r\n%endmacro\n r\n");
    expect(r.ok).toBe(false);
    expect(errors.some((e) => /macro recursion limit exceeded/.test(e.message))).toBe(true);
  });

  it("include recursion limit", () => {
    const src = '%include "self.asm"\n';
    const { r, errors } = diags(src, { readFile: (p) => (p.endsWith("self.asm") ? new TextEncoder().encode(src) : undefined) });
    expect(r.ok).toBe(false);
    expect(errors.some((e) => /%include nesting too deep/.test(e.message))).toBe(true);
  });

  it("ELF needs _start", () => {
    oneError("section .text\nnop\n", 1, 1, /no '_start' label/, { format: "elf" });
  });

  it("reports every error of the pass, in source order", () => {
    const { errors } = diags("bits 32\n  movx eax, 1\n  mov eax, bl\n  mov [eax], 1\n  jmp nowhere\n");
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });

  it("never throws on garbage", () => {
    for (const src of ["\u0000\u0001", "[[[[", "%macro", "times -1 db 0", "mov eax, [eax*3+ebx*2]", "db 1/0", "%rep 99999999999\n%endrep", ")(", "org", "section"]) {
      const r = assemble(src, { readFile: () => undefined });
      expect(r.ok).toBe(false);
      for (const d of r.diagnostics) expect(formatDiagnostic(d)).toMatch(/^<input>:\d+:\d+: (error|warning): /);
    }
  });
});
