// Is this tree a handout, and which labs' solutions were cut from it? Tests that need a lab's
// solution skip themselves there: `it.skipIf(solutionCut("lazy"))(…)`. No imports beyond node:.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The marker file at a handout's root. */
export const HANDOUT_MARKER = ".ringside-handout.json";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The labs cut in the handout at `root` ([] when `root` is the project itself). */
export function handoutLabs(root: string = ROOT): string[] {
  const f = path.join(root, HANDOUT_MARKER);
  if (!existsSync(f)) return [];
  return (JSON.parse(readFileSync(f, "utf8")) as { labs: string[] }).labs;
}

/** True if this tree is a handout without lab `lab`'s solution (or, with no argument, a handout at all). */
export function solutionCut(lab?: string, root: string = ROOT): boolean {
  const labs = handoutLabs(root);
  return lab === undefined ? existsSync(path.join(root, HANDOUT_MARKER)) : labs.includes(lab);
}
