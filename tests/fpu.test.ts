// Per-process x87/MMX/SSE state, switched lazily (kernel/fpu.ts): fork copies the parent's FPU state,
// two processes that take turns keep their own registers, a fresh process starts from FNINIT's state,
// and a process that never touches the FPU never traps for it.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-fpu-"));

const EXPECTED = [
  "fcw 895", // 0x037F: FNINIT's control word, in a fresh process
  "mxcsr 8064", // 0x1F80: MXCSR's reset value
  "child after fork:",
  "st0 111",
  "xmm0 286331153", // 0x11111111
  "fcw 639", // 0x027F: the parent's control word, copied by fork
  "mxcsr 32640", // 0x7F80
  "parent:",
  "st0 111", // not the child's 222, though the child used the FPU in between, 20 times
  "xmm0 286331153",
  "fcw 639",
  "mxcsr 32640",
  "child:",
  "st0 222",
  "xmm0 572662306", // 0x22222222
  "fcw 895", // its FNINIT
  "mxcsr 32640",
].join("\n") + "\n";

describe.each(["monolithic", "microkernel"])("FPU state per process (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("fork copies it, and two processes taking turns on the FPU each keep their own registers", () => {
    const file = path.join(tmp, `fpu-${mode}.jsonl`);
    const r = ringside(["run", "--mode", mode, prog("fpu.asm"), "--trace", file]);
    expect(r.stderr).not.toMatch(/killed/);
    expect(r.stdout).toBe(EXPECTED);
    expect(r.code).toBe(0);
    const events = parseTrace(readFileSync(file, "utf8"));
    const nm = events.filter((e) => e.kind === "exception" && e.vector === 7);
    const fpu = events.filter((e) => e.kind === "fpu");
    // Every #NM is explained by exactly one fpu event right after it, for the same process.
    expect(fpu.length).toBe(nm.length);
    for (const x of nm) {
      const next = events[events.indexOf(x) + 1]!;
      expect(next.kind).toBe("fpu");
      expect(next.pid).toBe(x.pid);
      expect(next.eip).toBe(x.eip);
    }
    // The first use finds the FPU empty; afterwards each claim saves the other process's registers.
    expect(fpu[0]!.from).toBe(-1);
    const pids = new Set(fpu.map((e) => e.pid));
    expect(pids.size).toBe(2);
    const handovers = fpu.filter((e) => e.from !== -1 && e.from !== e.pid);
    expect(handovers.length).toBeGreaterThanOrEqual(20); // the ping-pong: about one per turn
  });
});

it("a process that never touches the FPU takes no #NM", () => {
  const file = path.join(tmp, "hello.jsonl");
  const r = ringside(["run", prog("hello42.asm"), "--trace", file]);
  expect(r.code).toBe(42);
  const events = parseTrace(readFileSync(file, "utf8"));
  expect(events.some((e) => e.kind === "exception" && e.vector === 7)).toBe(false);
  expect(events.some((e) => e.kind === "fpu")).toBe(false);
});

it("trace show names the FPU handover", () => {
  const file = path.join(tmp, "fpu-monolithic.jsonl");
  const r = ringside(["trace", "show", file, "--kind", "fpu"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/fpu\s+at 0x[0-9a-f]{8} <_start\+0x2> FPU registers loaded/);
  expect(r.stdout).toMatch(/FPU registers saved for pid 1, loaded/);
});
