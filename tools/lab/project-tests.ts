// The project's own tests that skip themselves in a handout: every `solutionCut("<lab>")` marker in
// tests/*.test.ts, found by reading the source (nothing is run). A marker sits on the line that
// declares the test or suite it skips — `it.skipIf(solutionCut("ipc"))("title", …)`,
// `describe.skipIf(…)("title", …)` — or, in an `it.for` test, on a `ctx.skip(solutionCut(…))` line
// right after the line that declares it (a marker anywhere else is not seen). The title is the string as written (a template literal's
// `${…}` parts included), which is what a lab's `projectTests` entry ends with.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface ProjectTestMarker {
  /** The lab whose solution the test needs. */
  lab: string;
  /** tests/<name>.test.ts */
  file: string;
  /** 1-based line of the marker. */
  line: number;
  /** The title of the test or suite it skips, as written. */
  title: string;
}

/** The first string literal that is an argument list's first element after `from` on `text` ("…" unescaped, `…` raw). */
function titleAfter(text: string, from: number): string | undefined {
  const re = /\)\(\s*(?:"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`)/g;
  re.lastIndex = from;
  const m = re.exec(text);
  if (!m) return undefined;
  return m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2];
}

/** Every solutionCut("<lab>") marker in the test files under `root`/tests. */
export function projectTestMarkers(root: string): ProjectTestMarker[] {
  const dir = path.join(root, "tests");
  const out: ProjectTestMarker[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".test.ts")).sort()) {
    const file = `tests/${name}`;
    const lines = readFileSync(path.join(dir, name), "utf8").split("\n");
    lines.forEach((text, i) => {
      const labs = [...text.matchAll(/solutionCut\("([a-z][a-z0-9-]*)"\)/g)].map((m) => m[1]!);
      if (!labs.length || !/^\s*(it|test|describe)\b|\bctx\.skip\(/.test(text)) return;
      let title: string | undefined;
      if (/\bctx\.skip\(/.test(text)) title = i > 0 ? titleAfter(lines[i - 1]!, 0) : undefined;
      else title = titleAfter(text, text.indexOf("solutionCut("));
      if (title === undefined) throw new Error(`${file}:${i + 1}: a solutionCut marker not on the line that declares a test or suite (or after an it.for line)`);
      for (const lab of new Set(labs)) out.push({ lab, file, line: i + 1, title });
    });
  }
  return out;
}

/** Does `entry` (a lab's projectTests line: "tests/x.test.ts › [suite › ]title") name `m`? */
export function namesMarker(entry: string, m: ProjectTestMarker): boolean {
  return entry === `${m.file} › ${m.title}` || (entry.startsWith(`${m.file} › `) && entry.endsWith(` › ${m.title}`));
}

/**
 * Tests that look as if they boot the microkernel shape but carry no `solutionCut("ipc")` marker
 * (nor sit in a suite that does): a test block, found by indentation, holding `ringside boot` (whose
 * default shape is the microkernel) without `--mode monolithic` on that line, or `--mode microkernel`.
 * A heuristic read of the source — a boot hidden in a helper is not seen — cheap enough for `npm test`.
 */
export function unmarkedMicrokernelTests(root: string): { file: string; line: number; text: string }[] {
  const dir = path.join(root, "tests");
  const out: { file: string; line: number; text: string }[] = [];
  const indent = (s: string) => s.length - s.trimStart().length;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".test.ts")).sort()) {
    const lines = readFileSync(path.join(dir, name), "utf8").split("\n");
    /** The last line of the block opened on line i (the first later line as indented or less that closes it). */
    const end = (i: number) => {
      for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trim() && indent(lines[j]!) <= indent(lines[i]!) && /^[})]/.test(lines[j]!.trim())) return j;
      return lines.length - 1;
    };
    const marked = new Set<number>();
    lines.forEach((text, i) => {
      if (/^\s*describe\b/.test(text) && /solutionCut\("ipc"\)/.test(text)) for (let j = i; j <= end(i); j++) marked.add(j);
    });
    lines.forEach((text, i) => {
      if (!/^\s*(it|test)\b[.(]/.test(text) || marked.has(i) || /solutionCut\("ipc"\)/.test(text) || /solutionCut\("ipc"\)/.test(lines[i + 1] ?? "")) return;
      for (let j = i; j <= end(i); j++) {
        const l = lines[j]!;
        if ((/\["boot"/.test(l) && !/"--mode",\s*"monolithic"/.test(l)) || /"--mode",\s*"microkernel"/.test(l)) {
          out.push({ file: `tests/${name}`, line: i + 1, text: text.trim() });
          break;
        }
      }
    });
  }
  return out;
}

/** The `projectTests` entries of labs/<lab>/grader.ts, read from its source (double-quoted strings). */
export function declaredProjectTests(root: string, lab: string): string[] {
  const src = readFileSync(path.join(root, "labs", lab, "grader.ts"), "utf8");
  const m = /\bprojectTests:\s*\[([\s\S]*?)\n\s*\],/.exec(src);
  if (!m) return [];
  return [...m[1]!.matchAll(/^\s*"((?:[^"\\]|\\.)*)",?\s*$/gm)].map((x) => JSON.parse(`"${x[1]}"`) as string);
}
