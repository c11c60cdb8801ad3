// `ringside lab check`: for each lab, make its handout in a temporary folder and grade it there — it
// must type-check and boot, every test that needs the solution must fail and every other test pass —
// then grade the solution in this tree, which must get full score. (seL4's tutorials check their
// exercises this way.) node_modules is symlinked into the handout; nothing is installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { GradeReport } from "./grade.ts";
import { makeHandout } from "./handout.ts";
import { labNames, LabError } from "./labs.ts";

export interface LabCheck {
  lab: string;
  ok: boolean;
  problems: string[];
  handoutScore: string;
  solutionScore: string;
  handoutSeconds: number;
  solutionSeconds: number;
}

/** Grades lab `lab` with the command of the tree at `dir`; the report (or throws with its output). */
function gradeIn(dir: string, lab: string): GradeReport {
  const json = path.join(dir, "build", `check-${lab}-${process.pid}.json`);
  const r = spawnSync(process.execPath, [path.join(dir, "tools", "cli", "ringside.js"), "lab", "grade", lab, "--quiet", "--report-json", json], { cwd: dir, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  if (!existsSync(json)) throw new LabError(`grading lab ${lab} in ${dir} produced no report (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const report = JSON.parse(readFileSync(json, "utf8")) as GradeReport;
  rmSync(json, { force: true });
  return report;
}

/** Checks the labs (default: all) of the tree at `root`; `say` gets one line per step. */
export async function checkLabs(root: string, labs: string[], say: (s: string) => void, opts: { keep?: boolean } = {}): Promise<LabCheck[]> {
  const names = labs.length ? labs : labNames(root);
  for (const l of names) if (!labNames(root).includes(l)) throw new LabError(`no lab named "${l}" (labs: ${labNames(root).join(", ")})`);
  const out: LabCheck[] = [];
  for (const lab of names) {
    const problems: string[] = [];
    const tmp = mkdtempSync(path.join(os.tmpdir(), `ringside-check-${lab}-`));
    const dir = path.join(tmp, "handout");
    let handoutScore = "-";
    let handoutSeconds = 0;
    try {
      const h = await makeHandout(root, [lab], dir, { from: "worktree", linkModules: true, git: false });
      say(`lab ${lab}: handout in ${dir} (${h.cutFiles.length} files cut: ${h.cutFiles.join(", ")})\n`);
      const boot = spawnSync(process.execPath, [path.join(dir, "tools", "cli", "ringside.js"), "run", "servers/apps/hello.asm"], { cwd: dir, encoding: "utf8" });
      if (boot.status !== 0 || !boot.stdout.includes("Hello, World!")) problems.push(`the handout does not build and boot: ringside run servers/apps/hello.asm exited ${boot.status}\n${boot.stdout}${boot.stderr}`);
      const t0 = performance.now();
      const r = gradeIn(dir, lab);
      handoutSeconds = (performance.now() - t0) / 1000;
      handoutScore = `${r.score}/${r.max}`;
      if (!r.typecheck.ok) problems.push(`the handout does not type-check:\n${r.typecheck.output}`);
      for (const t of r.tests) {
        if (t.needsSolution && t.passed) problems.push(`test ${t.name} passes in the handout, without the solution (mark it needsSolution: false if that is meant)`);
        if (!t.needsSolution && !t.passed) problems.push(`test ${t.name} (needsSolution: false) fails in the handout:\n${t.output}`);
        if (t.needsSolution && !t.passed && t.output.startsWith("the grader failed")) problems.push(`test ${t.name} crashed the grader in the handout (a test must fail with an assertion):\n${t.output}`);
      }
      say(`lab ${lab}: handout graded ${handoutScore} in ${handoutSeconds.toFixed(1)} s${r.tests.every((t) => t.passed !== t.needsSolution) ? " (each test that needs the solution fails)" : ""}\n`);
    } catch (e) {
      problems.push((e as Error).message);
    } finally {
      if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
    }
    const t1 = performance.now();
    let solutionScore = "-";
    try {
      const s = gradeIn(root, lab);
      solutionScore = `${s.score}/${s.max}`;
      if (s.score !== s.max) problems.push(`the solution scores ${solutionScore}:\n${s.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.output}`).join("\n")}`);
      if (!s.typecheck.ok) problems.push(`the solution does not type-check:\n${s.typecheck.output}`);
    } catch (e) {
      problems.push((e as Error).message);
    }
    const solutionSeconds = (performance.now() - t1) / 1000;
    say(`lab ${lab}: solution graded ${solutionScore} in ${solutionSeconds.toFixed(1)} s\n`);
    for (const p of problems) say(`lab ${lab}: PROBLEM: ${p}\n`);
    say(`lab ${lab}: ${problems.length ? "FAILED" : "ok"}\n`);
    out.push({ lab, ok: problems.length === 0, problems, handoutScore, solutionScore, handoutSeconds, solutionSeconds });
  }
  return out;
}
