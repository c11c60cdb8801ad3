// Dev-only check of the test oracles themselves, using NASM as the assembler under test:
// semanticCheck() must accept NASM's golden bytes, and disassembleForNasm() output must re-assemble
// with nasm to identical bytes. Run: `npx tsx tools/asm/golden/selfcheck.ts` (needs nasm).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { GOLDEN_DIR } from "./generate.ts";
import { semanticCheck, disassembleForNasm, SemEntry } from "./oracle.ts";

const tmp = mkdtempSync(join(tmpdir(), "selfcheck-"));
function nasm(src: string, withMap = false): { bin: Uint8Array; symbols: Map<string, number> } {
  const a = join(tmp, "x.asm"), b = join(tmp, "x.bin"), m = join(tmp, "x.map");
  writeFileSync(a, src);
  const args = ["-f", "bin", "-o", b, a];
  if (withMap) args.push("--before", `[map symbols ${m}]`);
  execFileSync("nasm", args, { stdio: ["ignore", "ignore", "pipe"] });
  const symbols = new Map<string, number>();
  if (withMap) {
    for (const row of readFileSync(m, "latin1").split("\n")) {
      const x = /^\s*([0-9A-F]+)\s+([0-9A-F]+)\s+(\S+)\s*$/.exec(row);
      if (x) symbols.set(x[3], parseInt(x[2], 16));
    }
  }
  return { bin: new Uint8Array(readFileSync(b)), symbols };
}
const header = (src: string) => ({ bits: (/^bits (\d+)/m.exec(src)?.[1] === "16" ? 16 : 32) as 16 | 32, org: parseInt(/^org (\S+)/m.exec(src)?.[1] ?? "0") });

let bad = 0;
try {
  const rdir = join(GOLDEN_DIR, "random");
  for (const f of readdirSync(rdir).filter((f) => f.endsWith(".asm")).sort()) {
    const src = readFileSync(join(rdir, f), "utf8");
    const { bits, org } = header(src);
    const { bin, symbols } = nasm(src, true);
    const sem: SemEntry[] = JSON.parse(readFileSync(join(rdir, f.replace(".asm", ".sem.json")), "utf8"));
    const r = semanticCheck(bin, bits, org, sem, symbols, src.split("\n"), 10);
    console.log(`semantic ${f}: ${r.checked} checked, ${r.mismatches.length} mismatches`);
    if (r.mismatches.length) { bad++; console.log(r.mismatches.join("\n")); }
  }
  const cdir = join(GOLDEN_DIR, "curated");
  const files = [...readdirSync(cdir).filter((f) => /^ins.*\.asm$/.test(f)).map((f) => join(cdir, f)),
    ...readdirSync(rdir).filter((f) => f.endsWith(".asm")).map((f) => join(rdir, f))].sort();
  for (const p of files) {
    const src = readFileSync(p, "utf8");
    const { bits, org } = header(src);
    const bin = new Uint8Array(readFileSync(p.replace(/\.asm$/, ".bin")));
    const text = disassembleForNasm(bin, bits, org);
    let out: Uint8Array;
    try { out = nasm(text.join("\n") + "\n").bin; } catch (e) {
      bad++; console.log(`roundtrip ${p}: nasm rejected:\n${String((e as { stderr?: Buffer }).stderr ?? e).split("\n").slice(0, 10).map((l) => { const n = /x\.asm:(\d+)/.exec(l); return n ? l + "   <<" + text[Number(n[1]) - 1] : l; }).join("\n")}`);
      continue;
    }
    let i = 0;
    while (i < bin.length && bin[i] === out[i]) i++;
    if (i < bin.length || out.length !== bin.length) {
      bad++;
      const line = text.find((l, k) => k >= 2 && false) ?? "";
      void line;
      // locate the instruction containing offset i
      let off = 0, k = 2;
      for (; k < text.length; k++) { const n = text[k].split("; ")[1].length / 2; if (off + n > i) break; off += n; }
      console.log(`roundtrip ${p}: differs at 0x${i.toString(16)}: "${text[k]}" -> ${Buffer.from(out.subarray(off, off + 12)).toString("hex")}`);
    } else console.log(`roundtrip ${p}: ok (${text.length - 2} instructions)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(bad ? 1 : 0);
