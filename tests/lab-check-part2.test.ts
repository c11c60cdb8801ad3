// `ringside lab check` for the part-2 labs (docs/labs.md): the handout builds, boots and fails exactly
// the tests that need the solution; the solution gets full score. Skipped inside a handout.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

describe.skipIf(solutionCut())("ringside lab check (part 2)", () => {
  it("sched: the FCFS placeholder fails every test, the MLFQ scores full", () => {
    const r = ringside(["lab", "check", "sched"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/lab sched: handout graded 0\/28 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab sched: solution graded 28\/28/);
    expect(r.stdout).toMatch(/lab check: 1 labs ok/);
    expect(r.code).toBe(0);
  }, 120_000);

  it("driver: the -ENOSYS skeleton, the empty manifest line and the stub date fail every test; the rtc server scores full", () => {
    const r = ringside(["lab", "check", "driver"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/lab driver: handout graded 0\/22 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab driver: solution graded 22\/22/);
    expect(r.code).toBe(0);
  }, 120_000);

  it("ipc: the cut IPC core still runs the monolithic shape and fails every test that needs it; the kernel's IPC scores full", () => {
    const r = ringside(["lab", "check", "ipc"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/lab ipc: handout graded 2\/23 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab ipc: solution graded 23\/23/);
    expect(r.code).toBe(0);
  }, 120_000);

  it("recovery: without the retry an in-flight disk request fails EIO; with it every write survives the crashes", () => {
    const r = ringside(["lab", "check", "recovery"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/lab recovery: handout graded 7\/23 .*\(each test that needs the solution fails\)/);
    expect(r.stdout).toMatch(/lab recovery: solution graded 23\/23/);
    expect(r.code).toBe(0);
  }, 120_000);
});
