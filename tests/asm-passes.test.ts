// Branch sizing passes (docs/asm.md "Branch sizing"): labels are re-derived pass after pass until none
// moves; after pass 100 a near branch may no longer shrink, and labels still moving after pass 150 are an
// error ("unable to find stable values for all labels"). The pass count is not part of the public API,
// so these tests observe it through sources whose passes are known by construction:
//  - a growth chain of n forward jmps where each jmp becomes near only one pass after the next one did
//    (a forward jmp sees its target's address from the previous pass), so the jmps grow last to first,
//    one per pass, and the layout settles in pass n+1 (the assembler then runs a checking and a final
//    pass);
//  - a "clock": while such a chain grows, the address of its end label names the current pass, so
//    `times K * (end - $$ == value) ...` adds padding in exactly one chosen pass.
// Every output is checked by decoding the branches with iced-x86 and comparing with the symbol table.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decoder, DecoderOptions, FlowControl, Instruction } from "iced-x86";
import { assemble, formatDiagnostic, type AssembleResult } from "../tools/asm/index.ts";

const ROOT = join(import.meta.dirname, "..");
const FIX = join(ROOT, "tests/fixtures/asm-passes");

/** Assembles `src` as a flat binary and fails the test (showing the diagnostics) unless it is clean. */
function assembleClean(src: string, file = "<test>"): AssembleResult {
  const r = assemble(src, { file, format: "bin" });
  if (!r.ok || r.diagnostics.length) expect.fail(`${file} did not assemble cleanly:\n${r.diagnostics.map(formatDiagnostic).join("\n")}`);
  return r;
}

/** The symbol table of a result as name -> address. */
function symbolMap(r: AssembleResult): Map<string, number> {
  return new Map(r.symbols.map((s) => [s.name, s.value]));
}

/**
 * Decodes the one instruction at label `at` (the output starts at `org`); fails unless it is a direct
 * jmp/jcc. Returns its encoded length, its target address and its bytes in hex.
 */
function branchAt(r: AssembleResult, syms: Map<string, number>, at: string, org = 0): { len: number; target: number; hex: string } {
  const addr = syms.get(at);
  if (addr === undefined) expect.fail(`no symbol '${at}'`);
  const off = addr - org;
  const dec = new Decoder(32, r.bytes.subarray(off, off + 16), DecoderOptions.None);
  dec.ip = BigInt(addr);
  const ins = new Instruction();
  try {
    dec.decodeOut(ins);
    const fc = ins.flowControl;
    if (fc !== FlowControl.UnconditionalBranch && fc !== FlowControl.ConditionalBranch) expect.fail(`'${at}' at 0x${addr.toString(16)} is not a jmp/jcc`);
    return { len: ins.length, target: Number(ins.nearBranchTarget), hex: Buffer.from(r.bytes.subarray(off, off + ins.length)).toString("hex") };
  } finally {
    ins.free();
    dec.free();
  }
}

/** Asserts that the branch at label `at` decodes to a jump to label `to`; returns its length. */
function expectReaches(r: AssembleResult, syms: Map<string, number>, at: string, to: string, org = 0): number {
  const b = branchAt(r, syms, at, org);
  expect(b.target, `${at} (${b.hex}) should jump to ${to}`).toBe(syms.get(to));
  return b.len;
}

/**
 * A growth chain of `n` links named `<p>j1..` / `<p>t1..`: `<p>jK: jmp <p>tK` skips 125 bytes plus the
 * next jmp, so it is short (reach 127) only while the next jmp is short. The last jmp skips 125 bytes plus
 * `lastPad` (3 bytes: always near). Pass 1 assumes forward jumps short; pass 2 makes jmp n near, pass 3 jmp
 * n-1, ..., pass n+1 jmp 1. The chain's end label `<p>t<n>` is at 127*n + 3 + 3*(near jmps so far).
 */
function chain(p: string, n: number, lastPad = "  resb 3"): string[] {
  const lines: string[] = [];
  for (let k = 1; k <= n; k++) {
    lines.push(`${p}j${k}: jmp ${p}t${k}`);
    if (k > 1) lines.push(`${p}t${k - 1}:`);
    lines.push("  resb 125");
  }
  lines.push(lastPad, `${p}t${n}:`);
  return lines;
}

/**
 * Asserts that every jmp of a settled chain (starting at address `base`, output starting at `org`) is near,
 * reaches its target, and that each label sits right behind the next jmp.
 */
function expectChainSettled(r: AssembleResult, p: string, n: number, base = 0, org = 0): void {
  const syms = symbolMap(r);
  for (let k = 1; k <= n; k++) {
    expect(expectReaches(r, syms, `${p}j${k}`, `${p}t${k}`, org), `${p}j${k} should be near`).toBe(5);
    expect(syms.get(`${p}j${k}`)).toBe(base + 130 * (k - 1));
  }
  for (let k = 1; k < n; k++) expect(syms.get(`${p}t${k}`)).toBe(syms.get(`${p}j${k + 1}`)! + 5);
  expect(syms.get(`${p}t${n}`)).toBe(base + 130 * n + 3);
}

/** The single error of a failed result, checked to be the documented pass-limit error and not a crash. */
function expectUnstableError(r: AssembleResult): string {
  expect(r.ok).toBe(false);
  expect(r.bytes.length).toBe(0);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map(formatDiagnostic)).toHaveLength(1);
  const msg = errors[0].message;
  expect(msg).toMatch(/^unable to find stable values for all labels after 151 passes \('[\w.]+' still moves; a size that depends on a later label or on `\$` may oscillate\)$/);
  expect(msg).not.toMatch(/internal assembler error|\n\s+at |\.ts:\d+/);
  return msg;
}

/**
 * A pass probe for a source `src` (with `org` at `org`): `src` followed by an `n`-link growth chain whose
 * last jmp becomes near only once every label of `src` has its final address (a `times` over `==` tests
 * of all of them). If `src`'s labels first all reach their final addresses in pass k, the chain grows in
 * passes k+1 .. k+n, so the whole source assembles within the 150-pass limit exactly when k + n <= 150.
 */
function probe(src: string, n: number, org = 0): string {
  const alone = assembleClean(src, "probe-subject");
  const conds = alone.symbols.filter((s) => s.section).map((s) => `((${s.name} - $$) == ${s.value - org})`);
  const trigger = `  times 3 * (${["1", ...conds].join(" && ")}) nop`;
  return [src, ...chain("probe_", n, trigger), ""].join("\n");
}

describe("asm: branch sizing needs more than 100 passes", () => {
  it("a 149-link growth chain settles in pass 150 (151 passes) and assembles; every jmp is near and reaches its target", () => {
    const r = assembleClean(["bits 32", ...chain("", 149), ""].join("\n"), "chain149");
    expect(r.bytes.length).toBe(149 * 130 + 3);
    expectChainSettled(r, "", 149);
  });

  it("a 150-link chain still moves after pass 150: the documented error, naming a moving label (the pass limit is exactly 150)", () => {
    const r = assemble(["bits 32", ...chain("", 150), ""].join("\n"), { file: "chain150" });
    const msg = expectUnstableError(r);
    // what still moves is the front of the chain, whose jmps have not grown yet
    expect(msg).toMatch(/'(j[1-2]|t1)' still moves/);
  });

  it("a jmp or jz whose size oscillates forever (NASM gives up after 1004 passes) is frozen near after pass 100 and reaches its target", () => {
    for (const [file, hex] of [["oscillating-jmp.asm", "e97c000000"], ["oscillating-jcc.asm", "0f847b000000"]]) {
      const r = assembleClean(readFileSync(join(FIX, file), "utf8"), file);
      const syms = symbolMap(r);
      expect(syms.get("L"), file).toBe(129);
      expectReaches(r, syms, "start", "L");
      // near although a short jump would reach L: the frozen size, not the smallest one
      expect(branchAt(r, syms, "start").hex, file).toBe(hex);
      expect(r.bytes[129], file).toBe(0xc3);
    }
  });

  it("the freeze starts at pass 100: a branch near only in pass 99 shrinks back (as in NASM); one near only in pass 100 stays near", () => {
    // a 101-link chain is the clock: its end label c_t101 is at 12830 + 3*(p-1) in pass p (2 <= p <= 102).
    // x skips 124 bytes plus 8 more only in pass P; it sees that (a forward reference) in pass P+1 and
    // goes near for that one pass (with the chain still shifting x by 3 a pass, 124 + 8 - 3 > 127).
    const gadget = (P: number) =>
      ["bits 32", ...chain("c_", 101), "x: jmp y", "  resb 124", `  times 8 * ((c_t101 - $$) == ${12830 + 3 * (P - 1)}) nop`, "y: ret", ""].join("\n");
    const shapes: string[] = [];
    for (const P of [98, 99]) {
      const r = assembleClean(gadget(P), `gadget-P${P}`);
      expectChainSettled(r, "c_", 101);
      const syms = symbolMap(r);
      expectReaches(r, syms, "x", "y");
      shapes.push(branchAt(r, syms, "x").hex);
    }
    expect(shapes).toEqual(["eb7c", "e97c000000"]);
  });
});

describe("asm: a layout that can never settle", () => {
  const file = join(FIX, "never-settles.asm");

  it("is reported through the API as the pass-limit error naming the moving label", () => {
    const r = assemble(readFileSync(file, "utf8"), { file: "never-settles.asm" });
    const msg = expectUnstableError(r);
    expect(msg).toContain("'L' still moves");
    const d = r.diagnostics[0];
    expect([d.file, d.line]).toEqual(["never-settles.asm", 11]);
  });

  it("makes `ringside asm` exit 1 with a one-line diagnostic, no stack trace and no output file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringside-asm-passes-"));
    const out = join(dir, "never.bin");
    const p = spawnSync(process.execPath, [join(ROOT, "tools/cli/ringside.js"), "asm", "-o", out, file], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(p.status).toBe(1);
    expect(p.stdout).toBe("");
    expect(p.stderr).toMatch(/never-settles\.asm:11:1: error: unable to find stable values for all labels after 151 passes \('L' still moves/);
    expect(p.stderr).toContain("ringside asm: 1 error; no output written");
    expect(p.stderr).not.toMatch(/\n\s+at |Error:|internal assembler error/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("asm: an ordinary branch-dense program is unaffected", () => {
  const src = readFileSync(join(FIX, "dense.asm"), "utf8");

  it("assembles byte-identically to NASM, and every jmp/jcc reaches its label (short and near mixed)", () => {
    const r = assembleClean(src, "dense.asm");
    expect(Buffer.from(r.bytes).equals(readFileSync(join(FIX, "dense.bin")))).toBe(true);
    const syms = symbolMap(r);
    const lens = new Map<number, number>();
    let branches = 0;
    for (const m of src.matchAll(/^(b\d+): j\w+ (d\d+)$/gm)) {
      const len = expectReaches(r, syms, m[1], m[2], 0x1000);
      lens.set(len, (lens.get(len) ?? 0) + 1);
      branches++;
    }
    expect(branches).toBe(300);
    expect(lens.get(2)).toBeGreaterThan(50); // short jmp/jcc
    expect((lens.get(5) ?? 0) + (lens.get(6) ?? 0)).toBeGreaterThan(50); // near jmp/jcc
  });

  it("settles within 10 passes, far from the freeze at 100 (pass probe, calibrated on a 12-link chain that settles in pass 13)", () => {
    // calibration: a subject whose labels are final from pass 13 on fits with a 137-link probe, not a 138-link one
    const slow = ["bits 32", ...chain("s_", 12)].join("\n");
    expect(assemble(probe(slow, 137)).ok).toBe(true);
    expectUnstableError(assemble(probe(slow, 138)));
    // the dense program: all its labels are final by pass 10
    const r = assembleClean(probe(src, 140, 0x1000), "dense-probe");
    const nasm = readFileSync(join(FIX, "dense.bin"));
    expect(Buffer.from(r.bytes.subarray(0, nasm.length)).equals(nasm)).toBe(true);
    expectChainSettled(r, "probe_", 140, 0x1000 + nasm.length, 0x1000);
  });
});
