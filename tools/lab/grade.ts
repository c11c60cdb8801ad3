// `ringside lab grade`: type-check what the student edits, run the lab's tests (one progress line
// each), report points and `Score: X/Y`, and write the machine-readable forms (JSON, JUnit XML,
// Gradescope results.json). With a submission, only the lab's editable files are taken from it onto
// a pristine copy of the project, which is graded by its own (trusted) command.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestResult } from "./grade-lib.ts";
import { LabError, loadLab } from "./labs.ts";
import { solutionCut } from "./cut.ts";
import { errnoText } from "../host-files.ts";

export interface GradeReport {
  lab: string;
  title: string;
  score: number;
  max: number;
  typecheck: { ok: boolean; seconds: number; output: string };
  tests: TestResult[];
  seconds: number;
  /** Files of a submission that were not taken (not editable in this lab). */
  ignored?: string[];
}

export interface GradeOptions {
  tests?: string[];
  json?: boolean;
  junit?: string;
  gradescope?: string;
  /** Also write the report as JSON to this file (what a parent `lab grade --submission` reads). */
  reportJson?: string;
  /** No text output (progress and report). */
  quiet?: boolean;
  /** Where progress and the text report go (default: stdout). */
  write?: (s: string) => void;
}

/** Type-checks the lab's editable TypeScript files and the grader (and everything they import). */
export function typecheck(root: string, lab: string, edits: string[]): { ok: boolean; seconds: number; output: string } {
  const t0 = performance.now();
  const files = [...edits.filter((f) => f.endsWith(".ts")), `labs/${lab}/grader.ts`];
  const cfg = path.join(root, "build", `tsconfig.lab-${lab}.json`);
  mkdirSync(path.dirname(cfg), { recursive: true });
  writeFileSync(cfg, JSON.stringify({ extends: "../tsconfig.json", compilerOptions: { noEmit: true }, include: [], files: files.map((f) => `../${f}`) }, null, 2));
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", cfg, "--pretty", "false"], { cwd: root, encoding: "utf8" });
  const output = (r.stdout + r.stderr).trim();
  return { ok: r.status === 0, seconds: (performance.now() - t0) / 1000, output };
}

const fmtS = (s: number) => `${s.toFixed(1)} s`;
const indent = (s: string, by = "      ") => s.split("\n").map((l) => by + l).join("\n");

/** Grades lab `name` in the tree at `root` (which must be this CLI's own tree). */
export async function gradeHere(root: string, name: string, opts: GradeOptions = {}): Promise<GradeReport> {
  const out = opts.write ?? ((s: string) => void process.stdout.write(s));
  const say = opts.json || opts.quiet ? () => {} : out;
  const t0 = performance.now();
  const { lab, runTests } = await loadLab(root, name);
  if (opts.tests?.length) for (const t of opts.tests) if (!lab.tests.some((x) => x.name === t)) throw new LabError(`lab ${name} has no test "${t}" (tests: ${lab.tests.map((x) => x.name).join(", ")})`);
  say(`lab ${lab.name}: ${lab.title}\n`);
  const skipped = lab.projectTests?.length ?? 0;
  if (skipped && solutionCut(name, root)) say(`  ${skipped} of the project's own tests and suites need this lab's solution and skip themselves in this handout (labs/${name}/grader.ts, projectTests)\n`);
  const tsEdits = lab.edits.filter((f) => f.endsWith(".ts"));
  say(tsEdits.length ? `  type-check ${tsEdits.join(", ")} and what they import … ` : `  type-check the grader (the lab's files are assembled by its tests) … `);
  const tc = typecheck(root, name, lab.edits);
  say(tc.ok ? `ok (${fmtS(tc.seconds)})\n` : `FAILED (${fmtS(tc.seconds)})\n${indent(tc.output, "    ")}\n`);
  let tests: TestResult[];
  if (!tc.ok) {
    // esbuild would strip the types and run the code anyway: a type error fails every test instead.
    const chosen = opts.tests?.length ? lab.tests.filter((t) => opts.tests!.includes(t.name)) : lab.tests;
    tests = chosen.map((t) => ({ name: t.name, title: t.title, points: 0, max: t.points, passed: false, needsSolution: t.needsSolution !== false, seconds: 0, output: `not run: the code does not type-check\n${tc.output}` }));
    for (const r of tests) say(`  FAIL  ${r.name.padEnd(16)} ${`0/${r.max}`.padStart(5)}   not run (type errors)\n`);
  } else {
    tests = await runTests(lab, opts.tests, (phase, i, n, t, r) => {
      if (phase === "start" || !r) return;
      say(`  ${r.passed ? "PASS" : "FAIL"}  ${t.name.padEnd(16)} ${`${r.points}/${r.max}`.padStart(5)}  ${fmtS(r.seconds).padStart(6)}  [${i + 1}/${n}] ${t.title}\n`);
      if (!r.passed) say(indent(r.output) + "\n");
    });
  }
  const score = tests.reduce((s, t) => s + t.points, 0);
  const max = tests.reduce((s, t) => s + t.max, 0);
  const report: GradeReport = { lab: lab.name, title: lab.title, score, max, typecheck: tc, tests, seconds: (performance.now() - t0) / 1000 };
  say(`Score: ${score}/${max}  (${fmtS(report.seconds)})\n`);
  writeReports(report, opts);
  if (opts.json) out(JSON.stringify(report, null, 2) + "\n");
  return report;
}

/** Writes the JUnit and Gradescope files the options ask for. */
export function writeReports(report: GradeReport, opts: GradeOptions): void {
  const write = (file: string, text: string) => {
    try {
      writeFileSync(file, text);
    } catch (e) {
      throw new LabError(`cannot write ${file}: ${errnoText(e)}`);
    }
  };
  if (opts.reportJson) write(opts.reportJson, JSON.stringify(report, null, 2) + "\n");
  if (opts.junit) write(opts.junit, junit(report));
  if (opts.gradescope) {
    mkdirSync(path.dirname(path.resolve(opts.gradescope)), { recursive: true });
    write(opts.gradescope, JSON.stringify(gradescope(report), null, 2) + "\n");
  }
}

const xml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");

/** JUnit XML: one testsuite, one testcase per test (a failure carries the grader's message). */
export function junit(r: GradeReport): string {
  const failures = r.tests.filter((t) => !t.passed).length;
  const cases = r.tests.map((t) => {
    const head = `  <testcase classname="lab.${xml(r.lab)}" name="${xml(t.name)}: ${xml(t.title)} (${t.max} points)" time="${t.seconds.toFixed(3)}"`;
    return t.passed ? `${head}/>` : `${head}>\n    <failure message="${xml(`0/${t.max} points`)}">${xml(t.output)}</failure>\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="lab ${xml(r.lab)}" tests="${r.tests.length}" failures="${failures}" time="${r.seconds.toFixed(3)}">\n${cases.join("\n")}\n  <system-out>${xml(`Score: ${r.score}/${r.max}`)}</system-out>\n</testsuite>\n`;
}

/** Gradescope's results.json (gradescope-autograders.readthedocs.io, "specs"). */
export function gradescope(r: GradeReport): { score: number; output: string; visibility: string; stdout_visibility: string; tests: { name: string; score: number; max_score: number; output: string; visibility: string }[] } {
  const lines = [`lab ${r.lab}: ${r.title} — Score: ${r.score}/${r.max}`];
  if (!r.typecheck.ok) lines.push("", "The code does not type-check:", r.typecheck.output);
  if (r.ignored?.length) lines.push("", "These files of the submission were not graded (only the lab's files are taken):", ...r.ignored.map((f) => `  ${f}`));
  return {
    score: r.score,
    output: lines.join("\n"),
    visibility: "visible",
    stdout_visibility: "visible",
    tests: r.tests.map((t) => ({ name: `${t.name}: ${t.title}`, score: t.points, max_score: t.max, output: t.passed ? "passed" : t.output, visibility: "visible" })),
  };
}

// ---- submissions ---------------------------------------------------------------------------------

/** How long grading one submission may take (every lab grades in well under a minute). */
const SUBMISSION_TIMEOUT_MS = 5 * 60_000;

/**
 * Grades a submission: a pristine handout-shaped copy of this project (committed tree) gets the lab's
 * editable files from `submission` (by repository path, or — for an upload of loose files — by
 * file name when that is unambiguous); every other file of the submission that differs is listed as
 * ignored. The copy is graded by its own command, so graders, test programs, the trace recorder and
 * the emulator are the project's.
 */
export async function gradeSubmission(root: string, name: string, submission: string, opts: GradeOptions): Promise<{ report: GradeReport; code: number }> {
  const out = opts.write ?? ((s: string) => void process.stdout.write(s));
  const say = opts.json ? () => {} : out;
  if (!existsSync(submission) || !statSync(submission).isDirectory()) throw new LabError(`--submission ${submission}: not a directory`);
  const { lab } = await loadLab(root, name);
  const { makeHandout } = await import("./handout.ts");
  const tmp = mkdtempSync(path.join(os.tmpdir(), `ringside-grade-${name}-`));
  try {
    const pristine = path.join(tmp, "tree");
    // The handout of this lab: what the student started from (to tell changed files from untouched ones).
    const handout = path.join(tmp, "handout");
    await makeHandout(root, [name], handout, { from: "head", git: false });
    // The committed tree (a git archive, or, in an autograder bundle, the files themselves: no .git there).
    const { copyCommittedTree, cutLabs, plainFiles } = await import("./handout.ts");
    const all = copyCommittedTree(root, pristine);
    const { labNames } = await import("./labs.ts");
    const edits = new Map<string, readonly string[]>();
    for (const l of labNames(root)) edits.set(l, (await loadLab(root, l)).lab.edits);
    cutLabs(pristine, all, new Set(), edits); // markers off, every solution in place
    const subFiles = plainFiles(submission);
    const byBase = new Map<string, string[]>();
    for (const f of subFiles) byBase.set(path.basename(f), [...(byBase.get(path.basename(f)) ?? []), f]);
    const taken: string[] = [];
    const missing: string[] = [];
    const used = new Set<string>();
    for (const e of lab.edits) {
      let src = subFiles.includes(e) ? e : undefined;
      if (!src && byBase.get(path.basename(e))?.length === 1) src = byBase.get(path.basename(e))![0];
      if (!src) {
        // Not handed in: graded as handed out (never with the solution the project holds).
        if (existsSync(path.join(handout, e))) copyFileSync(path.join(handout, e), path.join(pristine, e));
        else rmSync(path.join(pristine, e), { force: true });
        missing.push(e);
        continue;
      }
      copyFileSync(path.join(submission, src), path.join(pristine, e));
      taken.push(src === e ? e : `${e} (from ${src})`);
      used.add(src);
    }
    const ignored: string[] = [];
    for (const f of subFiles) {
      if (used.has(f) || f === "LAB.md" || f === ".ringside-handout.json") continue;
      const ref = path.join(handout, f);
      if (!existsSync(ref)) ignored.push(`${f} (not in the handout)`);
      else if (Buffer.compare(readFileSync(ref), readFileSync(path.join(submission, f))) !== 0) ignored.push(`${f} (changed)`);
    }
    say(`submission ${submission}: taking ${taken.length ? taken.join(", ") : "nothing (none of the lab's files is there)"}\n`);
    if (missing.length) say(`not in the submission (graded as handed out): ${missing.join(", ")}\n`);
    if (ignored.length) say(`ignored (not part of lab ${name}; graded with the project's own copy):\n${ignored.map((f) => `  ${f}`).join("\n")}\n`);
    if (existsSync(path.join(root, "node_modules"))) {
      const { symlinkSync } = await import("node:fs");
      symlinkSync(path.join(root, "node_modules"), path.join(pristine, "node_modules"), "dir");
    }
    reuseStubCache(root, pristine);
    const json = path.join(tmp, "report.json");
    const args = [path.join(pristine, "tools", "cli", "ringside.js"), "lab", "grade", name, "--report-json", json];
    for (const t of opts.tests ?? []) args.push("--test", t);
    if (opts.json) args.push("--quiet");
    const r = spawnSync(process.execPath, args, { cwd: pristine, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, timeout: SUBMISSION_TIMEOUT_MS });
    if (!opts.json) say(r.stdout);
    // A loop in the submitted kernel code never returns to the emulator, so no instruction budget stops it.
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") throw new LabError(`grading the submission did not finish in ${SUBMISSION_TIMEOUT_MS / 60_000} minutes: does its kernel code loop for ever?`);
    if (!existsSync(json)) throw new LabError(`grading the submission failed:\n${r.stdout}${r.stderr}`);
    const report = JSON.parse(readFileSync(json, "utf8")) as GradeReport;
    report.ignored = ignored;
    writeReports(report, { ...opts, reportJson: opts.reportJson });
    if (opts.json) out(JSON.stringify(report, null, 2) + "\n");
    return { report, code: report.score === report.max ? 0 : 1 };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Copies the stub cache (keyed by a hash of its sources, so always valid) into another tree's build/. */
export function reuseStubCache(root: string, dir: string): void {
  const build = path.join(root, "build");
  if (!existsSync(build)) return;
  for (const f of readdirSync(build).filter((n) => /^stub-.*\.json$/.test(n))) {
    mkdirSync(path.join(dir, "build"), { recursive: true });
    copyFileSync(path.join(build, f), path.join(dir, "build", f));
  }
}
