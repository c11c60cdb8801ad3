// Round trip: assemble -> decode with iced -> print as NASM -> re-assemble must give identical bytes.
// Runs over the curated instruction files and a subset of the random programs.
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { assemble, formatDiagnostic } from "../tools/asm/index.ts";
import { disassembleForNasm } from "../tools/asm/golden/oracle.ts";

const GOLDEN = join(import.meta.dirname, "data/asm-golden");
const files = [
  ...readdirSync(join(GOLDEN, "curated")).filter((f) => /^ins(16|32)-.*\.asm$/.test(f)).sort().map((f) => join("curated", f)),
  ...["rand16-0", "rand16-3", "rand32-0", "rand32-5"].map((f) => join("random", f + ".asm")),
];

function header(src: string): { bits: 16 | 32; org: number } {
  return { bits: /^bits 16/m.test(src) ? 16 : 32, org: parseInt(/^org (\S+)/m.exec(src)?.[1] ?? "0") };
}

describe("asm round trip through iced", () => {
  for (const rel of files) {
    it(rel, () => {
      const src = readFileSync(join(GOLDEN, rel), "utf8");
      const { bits, org } = header(src);
      const first = assemble(src, { file: rel, format: "bin" });
      if (!first.ok) expect.fail(`${rel}: does not assemble:\n${first.diagnostics.slice(0, 10).map(formatDiagnostic).join("\n")}`);
      const text = disassembleForNasm(first.bytes, bits, org);
      const second = assemble(text.join("\n") + "\n", { file: rel + ".disasm", format: "bin" });
      if (!second.ok) {
        const shown = second.diagnostics.filter((d) => d.severity === "error").slice(0, 10)
          .map((d) => `${formatDiagnostic(d)}\n    (disassembly line ${d.line}: ${text[d.line - 1]})`);
        expect.fail(`${rel}: iced's disassembly of our output does not re-assemble:\n${shown.join("\n")}`);
      }
      const a = first.bytes, b = second.bytes;
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      if (i < a.length || a.length !== b.length) {
        // find the disassembled instruction covering offset i (each line ends with "; <hex bytes>")
        let off = 0, k = 2;
        for (; k < text.length; k++) { const n = text[k].split("; ").pop()!.length / 2; if (off + n > i) break; off += n; }
        expect.fail(`${rel}: re-assembly differs at offset 0x${i.toString(16)} (${a.length} vs ${b.length} bytes)\n` +
          `  instruction: ${text[k]}\n  re-assembled as: ${Buffer.from(b.subarray(off, off + (text[k]?.split("; ").pop()!.length ?? 0) / 2 + 4)).toString("hex")}`);
      }
    });
  }
});
