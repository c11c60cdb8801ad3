// `ringside lab check` for every lab: the handout builds, boots and fails exactly the tests that need
// the solution; the solution gets full score. Skipped inside a handout.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

describe.skipIf(solutionCut())("ringside lab check", () => {
  it("the part-1 labs: the handout fails what needs the solution, the solution scores full", () => {
    // The part-2 labs are checked in tests/lab-check-part2.test.ts (a file of its own, run in parallel).
    const r = ringside(["lab", "check", "syscall", "lazy"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/lab syscall: handout graded 0\/20 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab syscall: solution graded 20\/20/);
    expect(r.stdout).toMatch(/lab lazy: handout graded 3\/25 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab lazy: solution graded 25\/25/);
    expect(r.stdout).toMatch(/lab check: 2 labs ok/);
    expect(r.code).toBe(0);
  }, 240_000);
});
