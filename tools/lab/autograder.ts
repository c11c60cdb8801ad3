// `ringside lab autograder <lab> -o <zip>`: a Gradescope autograder bundle
// (gradescope-autograders.readthedocs.io, "specs"). The zip holds the project's committed tree under
// ringside/, `setup.sh` (installs Node.js and the npm dependencies into the image) and `run_autograder`
// (grades /autograder/submission with `lab grade --submission` and writes
// /autograder/results/results.json). Only the lab's editable files are taken from a submission.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab } from "./labs.ts";
import { zip, type ZipEntry } from "./zip.ts";

/** The Node.js major version setup.sh installs. */
const NODE_MAJOR = 22;

export function setupScript(): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl git
curl -fsSL https://deb.nodesource.com/setup_${NODE_MAJOR}.x | bash -
apt-get install -y --no-install-recommends nodejs
cd /autograder/source/ringside
npm ci --no-audit --no-fund
# Build the CLI bundle, the ring-0 stub and the default image once, so grading starts warm.
node tools/cli/ringside.js run servers/apps/hello.asm > /dev/null
`;
}

export function runScript(lab: string): string {
  return `#!/usr/bin/env bash
# Gradescope runs this for every submission; the result is /autograder/results/results.json.
set -uo pipefail
cd /autograder/source/ringside
mkdir -p /autograder/results
node tools/cli/ringside.js lab grade ${lab} --submission /autograder/submission --gradescope /autograder/results/results.json
status=$?
if [ ! -s /autograder/results/results.json ]; then
  printf '{"score":0,"output":"the grader could not run (exit %s); see the autograder output","tests":[]}\\n' "$status" > /autograder/results/results.json
fi
exit 0
`;
}

/** Writes the bundle for `lab` of the tree at `root` (its committed tree) to `file`. */
export async function writeAutograder(root: string, labName: string, file: string): Promise<{ files: number; bytes: number }> {
  await loadLab(root, labName); // a known lab whose grader builds
  const names = execFileSync("git", ["ls-tree", "-r", "-z", "--name-only", "HEAD"], { cwd: root, maxBuffer: 1 << 28 }).toString().split("\0").filter(Boolean);
  const entries: ZipEntry[] = [
    { name: "setup.sh", data: Buffer.from(setupScript()), mode: 0o755 },
    { name: "run_autograder", data: Buffer.from(runScript(labName)), mode: 0o755 },
  ];
  const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-autograder-"));
  try {
    execFileSync("sh", ["-c", `git archive --format=tar HEAD | tar -x -C "$0"`, tmp], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    for (const n of names) {
      const f = path.join(tmp, n);
      const st = statSync(f, { throwIfNoEntry: false });
      if (!st?.isFile()) continue; // a symlink or submodule: not part of the bundle
      entries.push({ name: `ringside/${n}`, data: readFileSync(f), mode: st.mode & 0o111 ? 0o755 : 0o644 });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const bytes = zip(entries);
  writeFileSync(file, bytes);
  return { files: entries.length, bytes: bytes.length };
}
