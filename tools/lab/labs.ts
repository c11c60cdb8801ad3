// Finding and loading labs. A lab is a folder labs/<lab>/ with README.md (the handout), grader.ts
// (its tests, `defineLab`) and the programs its tests run. A grader is bundled with esbuild into
// build/lab-<lab>.mjs together with the grading library, so the library's classes are the grader's.
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Lab, LabTest, TestResult } from "./grade-lib.ts";

/** What a loaded grader module gives: the lab, and the library's test runner (from the same bundle). */
export interface LoadedLab {
  lab: Lab;
  runTests(lab: Lab, only: string[] | undefined, progress: (phase: "start" | "end", i: number, n: number, t: LabTest, r?: TestResult) => void): Promise<TestResult[]>;
}

/** The labs of the tree at `root`, sorted by name. */
export function labNames(root: string): string[] {
  const dir = path.join(root, "labs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "grader.ts")))
    .map((e) => e.name)
    .sort();
}

export class LabError extends Error {}

/** Bundles and imports labs/<name>/grader.ts of the tree at `root`. */
export async function loadLab(root: string, name: string): Promise<LoadedLab> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(path.join(root, "labs", name, "grader.ts"))) {
    const known = labNames(root);
    throw new LabError(`no lab named "${name}"${known.length ? ` (labs: ${known.join(", ")})` : ""}`);
  }
  const { build } = await import("esbuild");
  const out = path.join(root, "build", `lab-${name}.mjs`);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await build({
    stdin: {
      contents: `export { default } from "./labs/${name}/grader.ts";\nexport { runTests } from "./tools/lab/grade-lib.ts";\n`,
      resolveDir: root,
      sourcefile: `lab-${name}-entry.ts`,
      loader: "ts",
    },
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "silent",
  }).catch((e: Error) => {
    throw new LabError(`cannot build the grader of lab ${name}: ${e.message}`);
  });
  renameSync(tmp, out);
  const mod = (await import(`${pathToFileURL(out).href}?t=${Date.now()}`)) as { default: Lab; runTests: LoadedLab["runTests"] };
  if (!mod.default?.tests) throw new LabError(`labs/${name}/grader.ts must export default defineLab({...})`);
  return { lab: mod.default, runTests: mod.runTests };
}

/** The repository root of the tree the running CLI belongs to. */
export async function cliRoot(): Promise<string> {
  return (await import("../paths.ts")).ROOT;
}
