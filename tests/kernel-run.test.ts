// The walking skeleton as a user sees it: `ringside run` on real programs, its exit status,
// its output, and the trace it writes.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTrace, prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-run-"));

describe("ringside run", () => {
  it("runs the classic Linux i386 hello world unchanged: prints, exits 42", () => {
    const r = ringside(["run", prog("hello42.asm")]);
    expect(r.stdout).toBe("Hello, World!\n");
    expect(r.code).toBe(42);
    expect(r.stderr).toContain("[pid 1 hello42] exit 42");
  });

  it("traces write and exit as syscalls from ring 3, each write followed by a return to ring 3", () => {
    const file = path.join(tmp, "hello.jsonl");
    const r = ringside(["run", prog("hello42.asm"), "--trace", file]);
    expect(r.code).toBe(42);
    const [header, ...events] = parseTrace(readFileSync(file, "utf8"));
    expect(header).toMatchObject({ trace: "ringside", version: 2 }); // the default schema version
    events.forEach((e, i) => expect(e.seq).toBe(i));
    // The first entry into ring 3 is visible.
    const firstRing3 = events.findIndex((e) => e.kind === "return" && e.cpl_to === 3);
    expect(firstRing3).toBeGreaterThanOrEqual(0);
    expect(events[firstRing3]).toMatchObject({ pid: 1, proc: "hello42", cpl_from: 0 });
    const syscalls = events.filter((e) => e.kind === "syscall");
    expect(syscalls.map((e) => e.name)).toEqual(["write", "exit"]);
    for (const s of syscalls) expect(s).toMatchObject({ cpl_from: 3, cpl_to: 0, pid: 1 });
    expect(syscalls[0]).toMatchObject({ nr: 4, args: [1, expect.any(Number), 14, 0, 0] });
    const w = events.indexOf(syscalls[0]!);
    // `run` is monolithic by default: the write is served by the in-kernel console inside the call.
    expect(events[w + 1]).toMatchObject({ kind: "service", op: "request", service: "console", type: 1, bytes: 14, pid: 1 });
    expect(events[w + 2]).toMatchObject({ kind: "service", op: "reply", service: "console", result: 14, bytes: 0, pid: 1 });
    expect(events[w + 3]).toMatchObject({ kind: "return", cpl_from: 0, cpl_to: 3, ret: 14, pid: 1 });
    expect(events.at(-1)).toMatchObject({ kind: "halt", reason: "exit", status: 42 });
    // icount and vt never go backwards.
    for (let i = 1; i < events.length; i++) expect(events[i]!.icount as number).toBeGreaterThanOrEqual(events[i - 1]!.icount as number);
  });

  it("produces byte-identical traces on two runs", () => {
    const a = path.join(tmp, "a.jsonl");
    const b = path.join(tmp, "b.jsonl");
    expect(ringside(["run", prog("hello42.asm"), "--trace", a]).code).toBe(42);
    expect(ringside(["run", prog("hello42.asm"), "--trace", b]).code).toBe(42);
    const ta = readFileSync(a);
    expect(ta.length).toBeGreaterThan(200);
    expect(readFileSync(b).equals(ta)).toBe(true);
  });

  it("passes arguments in the Linux i386 initial-stack layout", () => {
    const r = ringside(["run", prog("args.asm"), "--", "one", "two words"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("args\none\ntwo words\n");
  });

  it("returns -EFAULT for write() with kernel, unmapped and overlong buffers, and the program continues", () => {
    const r = ringside(["run", prog("badwrite.asm")]);
    expect(r.stdout).toBe("ok\n");
    expect(r.code).toBe(3);
  });

  it("stops a runaway program at --max-instructions with exit 124", () => {
    const r = ringside(["run", prog("spin.asm"), "--max-instructions", "2000000"]);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/stopped after \d+ instructions \(--max-instructions 2000000\)/);
  });

  it("rejects a missing file, bad assembly and a bad ELF with a clear message and no stack trace", () => {
    const missing = ringside(["run", path.join(tmp, "nope.asm")]);
    expect(missing.code).toBe(2); // EXIT.USAGE: nothing run (docs/cli.md)
    expect(missing.stderr).toContain("no such file");
    const badAsm = path.join(tmp, "bad.asm");
    writeFileSync(badAsm, "section .text\nglobal _start\n_start:\n  frobnicate eax\n");
    const asm = ringside(["run", badAsm]);
    expect(asm.code).toBe(1);
    expect(asm.stderr).toMatch(/bad\.asm:4:\d+: error:/);
    const badElf = path.join(tmp, "bad.elf");
    const bytes = readFileSync(prog("../elf/hello42.elf"));
    bytes.writeUInt16LE(62, 18); // e_machine = x86-64
    writeFileSync(badElf, bytes);
    const elf = ringside(["run", badElf]);
    expect(elf.code).toBe(2);
    expect(elf.stderr).toContain("bad ELF file: e_machine is 62, expected 3 (EM_386)");
    for (const r of [missing, asm, elf]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("writes a text trace with --trace-format text", () => {
    const file = path.join(tmp, "hello.txt");
    const r = ringside(["run", prog("hello42.asm"), "--trace", file, "--trace-format", "text"]);
    expect(r.code).toBe(42);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/3→0.*write/);
    expect(text).toMatch(/0→3/);
  });
});

describe("ringside boot", () => {
  it.skipIf(solutionCut("ipc"))("boots the default image (npm start) into the shell, which runs the hello program from /bin", () => {
    const r = ringside(["boot", "--input", "hello\nexit 5\n"]);
    expect(r.stdout).toMatch(/^Welcome to ringside\..*\n\$ hello\nHello, World!\n\$ exit 5\n$/s);
    expect(r.code).toBe(5);
  });
});
