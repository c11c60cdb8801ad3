// Regenerates the committed generated files (servers/lib/ringside.inc, servers/lib/rsfs.inc). Run with `npm run gen`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ringsideInclude } from "../../kernel/abi-include.ts";
import { rsfsInclude } from "../../kernel/fs/rsfs-include.ts";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
for (const [file, text] of [["ringside.inc", ringsideInclude()], ["rsfs.inc", rsfsInclude()]] as const) {
  const target = path.join(root, "servers", "lib", file);
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)}`);
}
