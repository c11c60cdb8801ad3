// `ringside fuzz` (hardening item 11): a small count of each target finds nothing, runs are
// deterministic, and a finding prints the command that replays it.
import { describe, expect, it } from "vitest";
import { fuzz, fuzzProgram, reproduction, rng, TARGETS } from "../tools/fuzz/index.ts";
import { ringside } from "./helpers/cli.ts";

describe("ringside fuzz", () => {
  const counts: Record<string, number> = { syscalls: 3, ipc: 2, elf: 20, image: 20, trace: 50, asm: 20 };
  for (const target of TARGETS) {
    it(`${target}: ${counts[target]} seeded runs, no panic, host error or hang`, async () => {
      const s = await fuzz(target, { count: counts[target]!, seed: 1, callsPerRun: 1000 });
      expect(s.findings.map(reproduction)).toEqual([]);
      expect(s.runs).toBe(counts[target]);
      if (target === "syscalls" || target === "ipc") expect(s.syscalls).toBe(counts[target]! * 1000);
    }, 60_000);
  }

  it("is deterministic: the same seed makes the same program and the same draws", () => {
    expect(fuzzProgram(7, 10, [4, 20])).toBe(fuzzProgram(7, 10, [4, 20]));
    const a = rng(5), b = rng(5);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(reproduction({ target: "elf", seed: 42, kind: "panic", detail: "" })).toBe("npx ringside fuzz elf --count 1 --seed 42");
  });

  it("the command prints a summary and refuses an unknown target", () => {
    const r = ringside(["fuzz", "trace", "--count", "5", "--seed", "3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("trace: runs 5  host errors 0  panics 0  hangs 0\n");
    const bad = ringside(["fuzz", "nothing"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("ringside fuzz: nothing: not a target");
  });
});
