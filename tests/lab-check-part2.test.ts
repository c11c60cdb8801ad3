// `ringside lab check` for the part-2 labs (docs/labs.md): the handout builds, boots and fails exactly
// the tests that need the solution; the solution gets full score. Skipped inside a handout.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

/** Each lab, the handout's score, full score, and what the test shows. */
const LABS: [lab: string, handout: number, max: number, what: string][] = [
  ["sched", 0, 34, "the FCFS placeholder fails every test, the MLFQ scores full"],
  ["driver", 0, 22, "the -ENOSYS skeleton, the empty manifest line and the stub date fail every test; the rtc server scores full"],
  ["ipc", 2, 23, "the cut IPC core still runs the monolithic shape and fails every test that needs it; the kernel's IPC scores full"],
  ["recovery", 7, 23, "without the retry an in-flight disk request fails EIO; with it every write survives the crashes"],
];

describe.skipIf(solutionCut())("ringside lab check (part 2)", () => {
  for (const [lab, handout, max, what] of LABS) {
    it(`${lab}: ${what}`, () => {
      const r = ringside(["lab", "check", lab]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`lab ${lab}: handout graded ${handout}/${max} .*\\(each test that needs the solution fails\\)`));
      expect(r.stdout).toMatch(new RegExp(`lab ${lab}: solution graded ${max}/${max}`));
      expect(r.stdout).toMatch(/lab check: 1 labs ok/);
      expect(r.code).toBe(0);
    }, 120_000);
  }
});
