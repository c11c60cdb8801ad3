// `ringside asm` end to end: output files, defaults, listing/map, -I/-D, and error reporting.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

/** Runs the CLI in `cwd`. */
function cli(args: string[], cwd: string) {
  const p = spawnSync(process.execPath, [join(ROOT, "tools/cli/ringside.js"), "asm", ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

describe("ringside asm (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ringside-asm-cli-"));
  mkdirSync(join(dir, "inc"));
  writeFileSync(join(dir, "inc", "k.inc"), "KVAL equ 0x1234\n");
  writeFileSync(join(dir, "prog.asm"), '%include "k.inc"\nbits 32\nstart: mov eax, KVAL\n  db X\n  jmp start\n');
  writeFileSync(join(dir, "bad.asm"), "bits 32\n  movx eax, 1\n  mov [eax], 1\n");
  writeFileSync(join(dir, "hello.asm"), readFileSync(join(ROOT, "tests/fixtures/asm/hello.asm")));

  it("writes <name>.bin by default, with -I and -D, listing and map", () => {
    const r = cli(["prog.asm", "-I", "inc", "-D", "X=7", "-l", "prog.lst", "--map", "prog.map"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Buffer.from(readFileSync(join(dir, "prog.bin"))).toString("hex")).toBe("b83412000007ebf8");
    const lst = readFileSync(join(dir, "prog.lst"), "utf8");
    expect(lst).toMatch(/^\s+3 00000000 B834120000\s+start: mov eax, KVAL$/m);
    expect(lst).toMatch(/^\s+5 00000006 EBF8\s+jmp start$/m);
    expect(readFileSync(join(dir, "prog.map"), "utf8")).toBe("00000000 start\n00001234 KVAL\n");
  });

  it("-o and -f elf produce an executable ELF (default name: input without extension)", () => {
    const r = cli(["hello.asm", "-f", "elf"], dir);
    expect(r.status).toBe(0);
    const elf = readFileSync(join(dir, "hello"));
    expect(Array.from(elf.subarray(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    const r2 = cli(["hello.asm", "-f", "elf", "-o", "out.elf"], dir);
    expect(r2.status).toBe(0);
    expect(existsSync(join(dir, "out.elf"))).toBe(true);
  });

  it("prints every error as file:line:col + source + caret, exits 1, no stack trace, no output file", () => {
    const r = cli(["bad.asm"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("bad.asm:2:3: error: unknown instruction 'movx'\n    movx eax, 1\n    ^\n");
    expect(r.stderr).toContain("bad.asm:3:7: error: operation size not specified");
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(join(dir, "bad.bin"))).toBe(false);
  });

  it("reports a missing input file cleanly", () => {
    const r = cli(["nope.asm"], dir);
    expect(r.status).toBe(2); // EXIT.USAGE: nothing done (docs/cli.md)
    expect(r.stderr).toMatch(/cannot read nope\.asm/);
  });
});
