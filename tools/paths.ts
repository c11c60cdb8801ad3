// Where the repository's files are, whether running from source (tsx) or from the bundled CLI
// (build/cli/): the nearest ancestor directory whose package.json is ringside's.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ringside") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the ringside repository root");
    dir = up;
  }
}

/** The repository root. */
export const ROOT = findRoot();
/** Resolves a path relative to the repository root. */
export const fromRoot = (...parts: string[]): string => path.join(ROOT, ...parts);
