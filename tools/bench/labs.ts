// Lab grading time: `ringside lab grade <lab>` for every lab, as a student runs it (type-check, the
// grader's build, every test), wall seconds per lab. lab_grade_s_max is the slowest lab; the goal
// (docs/labs.md) is that no lab takes more than 15 s to grade.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { labNames } from "../lab/labs.ts";
import { ROOT } from "../paths.ts";
import type { Bench, BenchResult } from "./types.ts";

export const labsBench: Bench = {
  name: "labs",
  async run(): Promise<BenchResult[]> {
    const times: string[] = [];
    let max = 0;
    let worst = "";
    for (const lab of labNames(ROOT)) {
      const json = path.join(ROOT, "build", `bench-lab-${lab}.json`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "cli", "ringside.js"), "lab", "grade", lab, "--quiet", "--report-json", json], { cwd: ROOT, encoding: "utf8" });
      const s = (performance.now() - t0) / 1000;
      const report = existsSync(json) ? (JSON.parse(readFileSync(json, "utf8")) as { score: number; max: number }) : undefined;
      rmSync(json, { force: true });
      times.push(`${lab} ${s.toFixed(1)} s (${report ? `${report.score}/${report.max}` : `no report, exit ${r.status}`})`);
      if (s > max) {
        max = s;
        worst = lab;
      }
    }
    return [
      {
        id: "lab_grade_s_max",
        value: Number(max.toFixed(2)),
        unit: "s",
        goal: "≤ 15",
        ok: max <= 15,
        detail: `slowest: ${worst}; each lab: ${times.join(", ")} (wall time of \`ringside lab grade\`, type-check included)`,
      },
    ];
  },
};
