// Fault isolation under load, as `ringside torture` checks it: seeded faults (crash, exception, hang,
// a port it was not granted) strike the disk or the file server at random requests while a workload
// writes checksummed records. Every acknowledged record must be on the disk, fsck clean, no client
// hung — and a run replays exactly.
import { describe, expect, it } from "vitest";
import { solutionCut } from "../tools/lab/cut.ts";
import { faultFor, tortureRun, TORTURE_FAULTS } from "../tools/torture/index.ts";
import { ringside } from "./helpers/cli.ts";

describe("ringside torture", () => {
  it.skipIf(solutionCut("recovery") || solutionCut("ipc"))("8 seeded faults into disk and fs: 0 lost acknowledged writes, 0 fsck problems, 0 hung clients", () => {
    const r = ringside(["torture", "--runs", "8", "--seed", "3"]);
    expect(r.stdout, r.stderr).toMatch(/^runs 8 {2}faults 8 {2}acknowledged writes \d+ {2}lost 0 {2}fsck problems 0 {2}hung clients 0$/m);
    expect(r.code).toBe(0);
    const acked = Number(/acknowledged writes (\d+)/.exec(r.stdout)![1]);
    expect(acked).toBeGreaterThan(8 * 40); // most writes succeed: the servers come back
  }, 120_000);

  it("the faults are seeded: the same seed gives the same faults, over both targets and every kind", () => {
    const faults = Array.from({ length: 40 }, (_, i) => faultFor(5, i));
    expect(faults).toEqual(Array.from({ length: 40 }, (_, i) => faultFor(5, i)));
    expect(new Set(faults.map((f) => f.target))).toEqual(new Set(["disk", "fs"]));
    expect(new Set(faults.map((f) => f.fault))).toEqual(new Set(TORTURE_FAULTS));
  });

  it.skipIf(solutionCut("ipc"))("a run replays exactly (same acknowledgements, same outcome)", async () => {
    const a = await tortureRun(11, 2);
    const b = await tortureRun(11, 2);
    expect(b).toEqual(a);
    expect(a.lost).toEqual([]);
    expect(a.hung).toBe(false);
  }, 60_000);

  it("rejects bad options with a clear error", () => {
    const r = ringside(["torture", "--runs", "zero"]);
    expect(r.code).not.toBe(0); // the code itself is the CLI's usage-error code (docs/cli.md)
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^ringside torture: --runs needs an integer ≥ 1, not "zero"$/m);
  });
});
