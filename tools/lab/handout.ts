// Handouts: a complete, installable copy of the project with some labs' solutions cut out
// (docs/labs.md "Handouts"). The copy is the committed tree (`git archive HEAD`) — or, for
// `lab check` and tests, the tracked and untracked-but-not-ignored files of the working tree — with
// every marked region of the cut labs replaced by its handout text, LAB.md at the root (the lab's
// README), a `.ringside-handout.json` naming the cut labs (tests that need a cut solution skip
// themselves), and a git repository with one commit.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyLabs, commentPrefix, findRegions } from "./markers.ts";
import { labNames, LabError } from "./labs.ts";

import { HANDOUT_MARKER } from "./cut.ts";

export interface HandoutOptions {
  /** "head": the committed tree (default); "worktree": the files as they are now (tracked + untracked, not ignored). */
  from?: "head" | "worktree";
  /** Symlink node_modules from the source tree instead of leaving `npm install` to the student. */
  linkModules?: boolean;
  /** Make a git repository with one commit (default true); with `all`, one branch per lab. */
  git?: boolean;
  /** One branch per lab (every lab cut in each; LAB.md is that lab's README). */
  all?: boolean;
}

export interface HandoutResult {
  dir: string;
  labs: string[];
  /** Files whose marked regions were cut. */
  cutFiles: string[];
  branches: string[];
}

const git = (cwd: string, args: string[], input?: Buffer | string): Buffer =>
  execFileSync("git", args, { cwd, input, maxBuffer: 1 << 30, stdio: ["pipe", "pipe", "pipe"] });

/** True if `root` is a git work tree. An autograder bundle's copy of the project is not: its files are the committed tree. */
const isRepository = (root: string): boolean => existsSync(path.join(root, ".git"));

/** Every file under `dir` (repository-style paths), leaving out .git, node_modules and build at the top. */
export function plainFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (!rel && (e.name === ".git" || e.name === "node_modules" || e.name === "build")) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...plainFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Copies the committed tree of `root` into the empty or absent `dir` (outside a repository: the files there); returns its paths. */
export function copyCommittedTree(root: string, dir: string): string[] {
  return copyTree(root, dir, "head");
}

/** Repository paths of the files a handout starts from. */
function sourceFiles(root: string, from: "head" | "worktree"): string[] {
  if (!isRepository(root)) return plainFiles(root);
  const args = from === "head" ? ["ls-tree", "-r", "-z", "--name-only", "HEAD"] : ["ls-files", "-z", "--cached", "--others", "--exclude-standard"];
  return git(root, args)
    .toString("utf8")
    .split("\0")
    .filter((f) => f.length > 0 && (from === "head" || existsSync(path.join(root, f))));
}

/** Copies the source files into `dir` (which must be empty or absent). */
function copyTree(root: string, dir: string, from: "head" | "worktree"): string[] {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length) throw new LabError(`${dir} is not empty`);
  if (from === "head" && isRepository(root)) {
    execFileSync("sh", ["-c", `git archive --format=tar HEAD | tar -x -C "$0"`, dir], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    return sourceFiles(root, "head");
  }
  const files = sourceFiles(root, "worktree");
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
  return files;
}

/**
 * Applies the labs to every marked file under `dir` (the `files` listed): regions of labs in `cut`
 * get their handout text, others lose their markers. Checks that every marked file is one the lab
 * lists as edited. Returns the files that changed.
 */
export function cutLabs(dir: string, files: string[], cut: ReadonlySet<string>, edits: ReadonlyMap<string, readonly string[]>): string[] {
  const changed: string[] = [];
  for (const f of files) {
    if (!commentPrefix(f)) continue;
    const file = path.join(dir, f);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (!text.includes("LAB ")) continue;
    const regions = findRegions(f, text);
    if (!regions.length) continue;
    for (const r of regions) {
      const e = edits.get(r.lab);
      if (!e) throw new LabError(`${f}:${r.begin}: markers of lab ${r.lab}, which has no labs/${r.lab}/grader.ts`);
      if (!e.includes(f)) throw new LabError(`${f}:${r.begin}: markers of lab ${r.lab}, but labs/${r.lab}/grader.ts does not list ${f} among the files a student edits`);
    }
    writeFileSync(file, applyLabs(f, text, cut));
    if (regions.some((r) => cut.has(r.lab))) changed.push(f);
  }
  return changed;
}

/**
 * `markdown` (written in the folder `from`) with its relative link targets rewritten to be relative to
 * the repository root, where LAB.md sits: `../../docs/abi.md` → `docs/abi.md`, `tests/x.asm` →
 * `labs/<lab>/tests/x.asm`. Absolute URLs and #anchors are left as they are.
 */
export function linksFromRoot(markdown: string, from: string): string {
  return markdown.replace(/\]\(([^)\s#][^)\s]*)\)/g, (whole, target: string) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("/")) return whole;
    return `](${path.posix.normalize(path.posix.join(from, target))})`;
  });
}

/** The LAB.md of a handout of several labs: an index of their READMEs. */
function labIndex(labs: { name: string; title: string }[]): string {
  return ["# Labs", "", "This copy of ringside is a handout of these labs; each one's instructions are in its README:", "", ...labs.map((l) => `- **${l.name}** — ${l.title}: [labs/${l.name}/README.md](labs/${l.name}/README.md) (grade it with \`npx ringside lab grade ${l.name}\`)`), ""].join("\n");
}

/** Makes a handout of `labs` from the tree at `root` into `dir`. */
export async function makeHandout(root: string, labs: string[], dir: string, opts: HandoutOptions = {}): Promise<HandoutResult> {
  const known = labNames(root);
  for (const l of labs) if (!known.includes(l)) throw new LabError(`no lab named "${l}" (labs: ${known.join(", ")})`);
  if (!labs.length) throw new LabError("name at least one lab (or --all)");
  const { loadLab } = await import("./labs.ts");
  const defs = new Map<string, { name: string; title: string; edits: readonly string[] }>();
  for (const name of known) defs.set(name, (await loadLab(root, name)).lab);
  const edits = new Map([...defs].map(([n, d]) => [n, d.edits] as const));

  const from = opts.from ?? "head";
  const files = copyTree(root, dir, from);
  const cut = new Set(labs);
  const cutFiles = cutLabs(dir, files, cut, edits);
  for (const l of labs) for (const f of defs.get(l)!.edits) if (!existsSync(path.join(dir, f))) throw new LabError(`lab ${l} lists ${f} among the files a student edits, but it is not in the ${from === "head" ? "committed tree" : "working tree"}`);

  const commit = from === "head" && isRepository(root) ? git(root, ["rev-parse", "HEAD"]).toString().trim() : from === "head" ? "files" : "worktree";
  writeFileSync(path.join(dir, HANDOUT_MARKER), JSON.stringify({ labs, from: commit }, null, 2) + "\n");
  const readme = (l: string) => linksFromRoot(readFileSync(path.join(dir, "labs", l, "README.md"), "utf8"), `labs/${l}`);
  writeFileSync(path.join(dir, "LAB.md"), labs.length === 1 ? readme(labs[0]!) : labIndex(labs.map((l) => defs.get(l)!)));
  // The stub cache is keyed by a hash of its sources: reuse it (it saves an assembly per handout).
  const build = path.join(root, "build");
  if (existsSync(build)) {
    for (const f of readdirSync(build).filter((n) => /^stub-.*\.json$/.test(n))) {
      mkdirSync(path.join(dir, "build"), { recursive: true });
      copyFileSync(path.join(build, f), path.join(dir, "build", f));
    }
  }

  const branches: string[] = [];
  if (opts.git !== false) {
    const id = ["-c", "user.name=ringside", "-c", "user.email=ringside@localhost", "-c", "commit.gpgsign=false"];
    rmSync(path.join(dir, ".git"), { recursive: true, force: true });
    git(dir, ["init", "-q", "-b", "main"]);
    git(dir, ["add", "-A"]);
    git(dir, [...id, "commit", "-q", "-m", `ringside handout: ${labs.join(", ")}`]);
    branches.push("main");
    if (opts.all) {
      for (const l of labs) {
        git(dir, ["checkout", "-q", "-b", l, "main"]);
        writeFileSync(path.join(dir, "LAB.md"), readme(l));
        git(dir, ["add", "LAB.md"]);
        git(dir, [...id, "commit", "-q", "-m", `lab ${l}: LAB.md is its handout`]);
        branches.push(l);
      }
      git(dir, ["checkout", "-q", "main"]);
    }
  }
  // After the commit: a symlink is not matched by .gitignore's "node_modules/".
  if (opts.linkModules && existsSync(path.join(root, "node_modules")) && !existsSync(path.join(dir, "node_modules"))) symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, labs, cutFiles, branches };
}

export { handoutLabs } from "./cut.ts";
