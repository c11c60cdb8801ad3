// Regenerates the committed generated files (servers/lib/ringside.inc). Run with `npm run gen`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ringsideInclude } from "../../kernel/abi-include.ts";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = path.join(root, "servers", "lib", "ringside.inc");
writeFileSync(target, ringsideInclude());
console.log(`wrote ${path.relative(root, target)}`);
