// ringside lab, used as a new user would: list the labs, make a handout and grade it there (a
// partial score, each failure with a replay command that works), grade the project (full score,
// Gradescope and JUnit files), and grade a submission that also edited the trace recorder (that
// edit is ignored, and the user is told so). Skipped inside a handout (the solutions are cut there).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrace, ringside, ROOT } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-lab-cli-"));
const handout = path.join(tmp, "handout");

/** Runs the handout's own `ringside`. */
function inHandout(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(handout, "tools", "cli", "ringside.js"), ...args], { cwd: handout, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(solutionCut())("ringside lab", () => {
  beforeAll(() => {
    const r = ringside(["lab", "handout", "syscall", "lazy", "-o", handout, "--from-worktree", "--link-modules"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("lab list: every lab with title, points, the files to edit and the grading time", () => {
    const r = ringside(["lab", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^syscall +System calls: uptime and sysinfo\n +20 points, 5 tests, about \d+ s to grade\n +edit: kernel\/sys\/info.ts, labs\/syscall\/sysinfo.asm/m);
    expect(r.stdout).toMatch(/^lazy +Demand paging.*\n +25 points, 6 tests.*\n +edit: kernel\/user-memory.ts, kernel\/sys\/mem.ts/m);
  });

  it("a handout: LAB.md, a git repository with one commit, the solutions cut (stubs that say so)", () => {
    expect(readFileSync(path.join(handout, "LAB.md"), "utf8")).toContain("labs/lazy/README.md");
    const log = spawnSync("git", ["log", "--oneline"], { cwd: handout, encoding: "utf8" }).stdout.trim().split("\n");
    expect(log).toHaveLength(1);
    const info = readFileSync(path.join(handout, "kernel", "sys", "info.ts"), "utf8");
    expect(info).toContain("export const sysUptime: SyscallHandler = () => -E.NOSYS;");
    expect(info).not.toMatch(/LAB syscall: (BEGIN|HANDOUT|END)|Math\.floor\(k\.nowMs\(\)\)/);
    expect(readFileSync(path.join(handout, "kernel", "user-memory.ts"), "utf8")).toContain("TODO(lab lazy)");
  });

  it("grading the handout gives a partial score; every failure has a replay command that writes its trace", () => {
    const r = inHandout(["lab", "grade", "lazy"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/type-check .* ok/);
    expect(r.stdout).toMatch(/PASS +past-break +3\/3/);
    expect(r.stdout).toMatch(/FAIL +heap-on-touch +0\/5/);
    expect(r.stdout).toMatch(/Score: 3\/25/);
    const replays = [...r.stdout.matchAll(/replay: (npx ringside run .*)$/gm)].map((m) => m[1]!);
    expect(replays.length).toBe(5);
    expect(r.stdout).toContain("trace, events");
    // The first replay, run as printed, replays the run and writes its trace.
    const words = replays[0]!.split(" ").slice(2);
    expect(words.slice(0, 2)).toEqual(["run", "labs/lazy/tests/touch.asm"]);
    inHandout(words);
    const trace = path.join(handout, words[words.indexOf("--trace") + 1]!);
    expect(existsSync(trace)).toBe(true);
    expect(parseTrace(readFileSync(trace, "utf8")).some((e) => e.kind === "exit" && e.pid === 1 && e.proc === "touch")).toBe(true);
  }, 120_000);

  it("grading the project gives full score, with a valid Gradescope results.json and a JUnit file", () => {
    const gs = path.join(tmp, "results.json");
    const junit = path.join(tmp, "junit.xml");
    const r = ringside(["lab", "grade", "syscall", "--gradescope", gs, "--junit", junit]);
    expect(r.stdout).toMatch(/Score: 20\/20/);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(gs, "utf8")) as Record<string, unknown>;
    expect(typeof res.score).toBe("number");
    expect(res.score).toBe(20);
    expect(typeof res.output).toBe("string");
    const tests = res.tests as Record<string, unknown>[];
    expect(tests).toHaveLength(5);
    for (const t of tests) {
      expect(typeof t.name).toBe("string");
      expect(typeof t.score).toBe("number");
      expect(typeof t.max_score).toBe("number");
      expect(typeof t.output).toBe("string");
      expect(t.score).toBe(t.max_score);
      if ("visibility" in t) expect(["hidden", "after_due_date", "after_published", "visible"]).toContain(t.visibility);
    }
    expect(tests.reduce((s, t) => s + (t.score as number), 0)).toBe(res.score);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="lab syscall" tests="5" failures="0"/);
  }, 120_000);

  it("--submission takes only the lab's files: an edit of the trace recorder is ignored, and the user is told", () => {
    const sub = path.join(tmp, "submission");
    cpSync(handout, sub, { recursive: true, filter: (src) => !src.includes("node_modules") && !src.includes(`${path.sep}.git`) && !src.includes(`${path.sep}build`) });
    // The student's work: the lab's two files (here, the solution).
    for (const f of ["kernel/user-memory.ts", "kernel/sys/mem.ts"]) writeFileSync(path.join(sub, f), readFileSync(path.join(ROOT, f), "utf8"));
    // …and a recorder that would break every run if it were used.
    const rec = path.join(sub, "kernel", "trace", "recorder.ts");
    writeFileSync(rec, 'throw new Error("tampered");\n' + readFileSync(rec, "utf8"));
    const gs = path.join(tmp, "sub-results.json");
    const r = ringside(["lab", "grade", "lazy", "--submission", sub, "--gradescope", gs]);
    expect(r.stdout).toMatch(/taking kernel\/user-memory.ts, kernel\/sys\/mem.ts/);
    expect(r.stdout).toMatch(/ignored \(not part of lab lazy.*\n(.*\n)*  kernel\/trace\/recorder.ts \(changed\)/);
    expect(r.stdout).toMatch(/Score: 25\/25/);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(gs, "utf8")) as { score: number; output: string };
    expect(res.score).toBe(25);
    expect(res.output).toContain("kernel/trace/recorder.ts (changed)");
  }, 180_000);

  it("report paths that cannot be written are refused before grading; grading from outside the checkout says which tree it grades", () => {
    const dirAsFile = ringside(["lab", "grade", "syscall", "--gradescope", tmp]);
    expect([dirAsFile.code, dirAsFile.stdout, dirAsFile.stderr]).toEqual([2, "", `ringside lab grade: --gradescope ${tmp}: is a directory\n`]);
    const noFolder = ringside(["lab", "grade", "syscall", "--junit", "/nonexistent/dir/j.xml"]);
    expect([noFolder.code, noFolder.stdout, noFolder.stderr]).toEqual([2, "", "ringside lab grade: --junit /nonexistent/dir/j.xml: no folder /nonexistent/dir\n"]);
    const outside = ringside(["lab", "grade", "syscall", "--test", "uptime"], { cwd: tmp });
    expect(outside.stderr).toBe(`ringside lab grade: note: grading the checkout at ${ROOT} (this ringside's own; the current folder is outside it)\n`);
    expect(outside.stdout).toMatch(/Score: 3\/3/);
  }, 120_000);

  it("a syntax error in the file a student edits is one line with its place, exit 1, not a stack trace", () => {
    const file = path.join(handout, "kernel", "sys", "info.ts");
    const before = readFileSync(file, "utf8");
    const line = before.split("\n").length;
    try {
      writeFileSync(file, before + "export const x = (;\n");
      const r = inHandout(["lab", "grade", "syscall"]);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, "", `kernel/sys/info.ts:${line}:19: error: Unexpected ";"\nringside: its TypeScript sources do not compile (1 error); nothing was run\n`]);
    } finally {
      writeFileSync(file, before);
    }
  }, 180_000);

  it("--submission without the lab's files grades them as handed out, not as the project's solution", () => {
    const empty = path.join(tmp, "empty-submission");
    mkdirSync(empty);
    const r = ringside(["lab", "grade", "syscall", "--submission", empty]);
    expect(r.stdout).toContain("taking nothing (none of the lab's files is there)\nnot in the submission (graded as handed out): kernel/sys/info.ts, labs/syscall/sysinfo.asm\n");
    expect(r.stdout).toMatch(/Score: 0\/20/);
    expect(r.code).toBe(1);
  }, 180_000);

  it("grades a submission from a copy of the project without .git, as the Gradescope bundle unpacks it", () => {
    const bundle = path.join(tmp, "bundle");
    expect(spawnSync("sh", ["-c", `mkdir -p "$0" && git archive --format=tar HEAD | tar -x -C "$0"`, bundle], { cwd: ROOT }).status).toBe(0);
    symlinkSync(path.join(ROOT, "node_modules"), path.join(bundle, "node_modules"), "dir");
    const sub = path.join(tmp, "loose-files");
    mkdirSync(sub);
    for (const f of ["kernel/sys/info.ts", "labs/syscall/sysinfo.asm"]) writeFileSync(path.join(sub, path.basename(f)), readFileSync(path.join(ROOT, f)));
    const r = spawnSync(process.execPath, [path.join(bundle, "tools", "cli", "ringside.js"), "lab", "grade", "syscall", "--submission", sub], { cwd: bundle, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, timeout: 170_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("taking kernel/sys/info.ts (from info.ts), labs/syscall/sysinfo.asm (from sysinfo.asm)\n");
    expect(r.stdout).toMatch(/Score: 20\/20/);
    expect(r.status).toBe(0);
  }, 180_000);
});
