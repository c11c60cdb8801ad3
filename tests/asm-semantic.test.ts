// Semantic check: decode every instruction our assembler emits for the random programs and compare it
// with what the generator meant (tests/data/asm-golden/random/*.sem.json): mnemonic, lock/rep prefixes,
// registers, memory operands (base/index/scale/displacement, address size, effective segment, access
// size), immediates and branch targets.
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { assemble, formatDiagnostic } from "../tools/asm/index.ts";
import { semanticCheck, type SemEntry } from "../tools/asm/golden/oracle.ts";

const DIR = join(import.meta.dirname, "data/asm-golden/random");
const names = readdirSync(DIR).filter((f) => f.endsWith(".asm")).sort();

describe("asm semantic check (random programs)", () => {
  it("has data", () => expect(names.length).toBeGreaterThan(0));
  for (const name of names) {
    it(name, () => {
      const src = readFileSync(join(DIR, name), "utf8");
      const sem: SemEntry[] = JSON.parse(readFileSync(join(DIR, name.replace(/\.asm$/, ".sem.json")), "utf8"));
      const bits = /^bits 16/m.test(src) ? 16 : 32;
      const org = parseInt(/^org (\S+)/m.exec(src)?.[1] ?? "0");
      const r = assemble(src, { file: name, format: "bin" });
      if (!r.ok) expect.fail(`${name}: does not assemble:\n${r.diagnostics.slice(0, 10).map(formatDiagnostic).join("\n")}`);
      const symbols = new Map(r.symbols.map((s) => [s.name, s.value]));
      const missing = sem.flatMap((e) => e.slice(2)).filter((o) => String(o).startsWith("@") && !symbols.has(String(o).slice(1)));
      if (missing.length) expect.fail(`${name}: labels missing from the symbol table: ${[...new Set(missing)].slice(0, 10).join(", ")}`);
      const res = semanticCheck(r.bytes, bits, org, sem, symbols, src.split("\n"));
      if (res.mismatches.length) expect.fail(`${name}: ${res.mismatches.length} mismatching instruction(s):\n${res.mismatches.join("\n")}`);
      expect(res.checked).toBe(sem.length);
    });
  }
});
