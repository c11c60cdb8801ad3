// Golden conformance: every source under tests/data/asm-golden/ must assemble to exactly the bytes
// NASM 2.16 produced for it (recorded by tools/asm/golden/generate.ts; no nasm needed here).
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, resolve, isAbsolute } from "node:path";
import { assemble, formatDiagnostic } from "../tools/asm/index.ts";

const GOLDEN = join(import.meta.dirname, "data/asm-golden");
type LineRecord = [line: number, offset: number, hex: string];

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const spaced = (h: string) => h.replace(/(..)(?!$)/g, "$1 ");

/** Reads included files relative to the golden directory, like `nasm -I dir/`. */
function reader(dir: string) {
  return (p: string): Uint8Array | undefined => {
    const full = isAbsolute(p) ? p : resolve(dir, p);
    return existsSync(full) ? new Uint8Array(readFileSync(full)) : undefined;
  };
}

/** Describes the first source line whose bytes differ, with expected vs actual bytes. */
function describeMismatch(name: string, source: string, expected: Uint8Array, actual: Uint8Array, recs: LineRecord[]): string {
  const src = source.split("\n");
  let first = 0;
  while (first < expected.length && first < actual.length && expected[first] === actual[first]) first++;
  const out = [`${name}: output differs from NASM at file offset 0x${first.toString(16)} ` +
    `(expected ${expected.length} bytes, got ${actual.length})`];
  // the first line record (in file order) whose bytes are not reproduced
  const sorted = [...recs].sort((a, b) => a[1] - b[1]);
  const bad = sorted.find(([, off, h]) => off + h.length / 2 > first);
  if (bad) {
    const [line, off, h] = bad;
    const n = h.length / 2;
    out.push(`first differing line ${name}:${line}: ${src[line - 1]?.trim()}`);
    out.push(`  expected @0x${off.toString(16)}: ${spaced(h)}`);
    out.push(`  actual   @0x${off.toString(16)}: ${spaced(hex(actual.subarray(off, off + Math.max(n, 1))))}`);
    const idx = sorted.indexOf(bad);
    for (const [l, o, hh] of sorted.slice(Math.max(0, idx - 3), idx)) {
      out.push(`  (ok) ${l}: ${src[l - 1]?.trim()}  = ${spaced(hh)} @0x${o.toString(16)}`);
    }
    if (off < first) out.push(`  (difference starts ${first - off} bytes into this line's output)`);
    // a changed length shifts everything after it: report where the run of mismatching lines starts
    const same = (r: LineRecord) => hex(actual.subarray(r[1], r[1] + r[2].length / 2)) === r[2];
    for (let k = idx + 1; k < sorted.length; k++) {
      if (same(sorted[k])) continue;
      const run = sorted.slice(k, k + 8);
      if (run.length < 8 || run.some(same)) continue;
      if (k === idx) break;
      const [l2, o2, h2] = sorted[k];
      out.push(`from line ${l2} on, every line is displaced - probably an encoding of a different length there:`);
      out.push(`  ${name}:${l2}: ${src[l2 - 1]?.trim()}`);
      out.push(`  expected @0x${o2.toString(16)}: ${spaced(h2)}`);
      out.push(`  actual   @0x${o2.toString(16)}: ${spaced(hex(actual.subarray(o2, o2 + h2.length / 2 + 4)))}`);
      break;
    }
  } else {
    out.push(`no source line covers offset 0x${first.toString(16)} (padding from align/section placement, or extra output at the end)`);
    out.push(`  expected: ${spaced(hex(expected.subarray(first, first + 16)))}`);
    out.push(`  actual:   ${spaced(hex(actual.subarray(first, first + 16)))}`);
  }
  return out.join("\n");
}

for (const set of ["curated", "random"]) {
  const dir = join(GOLDEN, set);
  if (!existsSync(dir)) continue;
  const names = readdirSync(dir).filter((f) => f.endsWith(".asm")).sort();
  describe(`asm golden (${set})`, () => {
    it("has data", () => expect(names.length).toBeGreaterThan(0));
    for (const name of names) {
      it(name, () => {
        const base = join(dir, name.replace(/\.asm$/, ""));
        const source = readFileSync(join(dir, name), "utf8");
        const expected = new Uint8Array(readFileSync(base + ".bin"));
        const recs: LineRecord[] = JSON.parse(readFileSync(base + ".lines.json", "utf8"));
        const r = assemble(source, { file: name, format: "bin", includePaths: [dir], readFile: reader(dir) });
        const errors = r.diagnostics.filter((d) => d.severity === "error");
        if (!r.ok || errors.length) {
          const shown = errors.slice(0, 15).map(formatDiagnostic).join("\n");
          expect.fail(`${name}: assembly failed with ${errors.length} error(s) (NASM accepts this file):\n${shown}`);
        }
        const actual = r.bytes;
        if (hex(actual) !== hex(expected)) expect.fail(describeMismatch(name, source, expected, actual, recs));
      });
    }
  });
}
