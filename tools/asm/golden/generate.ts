// Runs NASM 2.16 over every golden source and records what it produced, so CI can compare without nasm.
// For each tests/data/asm-golden/<set>/<name>.asm this writes
//   <name>.bin         the flat binary (`nasm -f bin`, default optimisation)
//   <name>.lines.json  [[sourceLine, fileOffset, hexBytes], ...] for every top-level source line that
//                      emitted bytes (macro/%rep/%include expansions are attributed to the invoking line)
// Dev-only: `npx tsx tools/asm/golden/generate.ts [curated|random ...]` (needs `apt-get install nasm`).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = join(here, "../../../tests/data/asm-golden");

export type LineRecord = [line: number, offset: number, hex: string];

interface Section { name: string; fileStart: number; progbits: boolean }

/** Section placement from a NASM map file: file offset = start - origin for progbits sections. */
function parseMap(text: string): Map<string, Section> {
  const origin = parseInt(/-- Program origin -+\s+([0-9A-F]+)/.exec(text)?.[1] ?? "0", 16);
  const out = new Map<string, Section>();
  const summary = text.split("-- Sections (summary)")[1]?.split("-- Sections (detailed)")[0] ?? "";
  for (const row of summary.split("\n")) {
    const m = /^\s*([0-9A-F]+)\s+([0-9A-F]+)\s+([0-9A-F]+)\s+([0-9A-F]+)\s+(\w+)\s+(\S+)\s*$/.exec(row);
    if (m) out.set(m[6], { name: m[6], fileStart: parseInt(m[2], 16) - origin, progbits: m[5] === "progbits" });
  }
  return out;
}

/** Per-line byte records from a NASM listing, checked against the binary. */
export function parseListing(lst: string, bin: Uint8Array, sections: Map<string, Section>): LineRecord[] {
  const rows = lst.split("\n");
  const spans: { line: number; offset: number; len: number }[] = [];
  let topLine = 0;
  let section = sections.has(".text") ? ".text" : [...sections.keys()][0];
  let lastReal = section;
  let cur: { line: number; offset: number; len: number; row: number; lineNum: number; cont: boolean } | null = null;
  const flush = () => { if (cur && cur.len > 0) spans.push({ line: cur.line, offset: cur.offset, len: cur.len }); cur = null; };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const num = parseInt(row.slice(0, 6), 10);
    if (Number.isNaN(num)) continue;
    // columns: 0-5 line number, 7-14 address, 16-35 bytes, 36-39 macro nesting marker "<n>", 40- source
    const nested = /^<\d+>/.test(row.slice(36));
    const text = row.slice(40);
    if (!nested && row.slice(7, 15).trim() !== "******") topLine = num;
    const secM = /^\s*\[?\s*(?:section|segment)\s+([^\s\]]+)/i.exec(text);
    if (/^\s*(struc\b|\[?absolute\b)/i.test(text)) { flush(); section = "(absolute)"; continue; }
    if (/^\s*endstruc\b/i.test(text)) { flush(); section = lastReal; continue; }
    const addr = row.slice(7, 15);
    const field = row.slice(16, 36).trimEnd();
    const isCont = cur !== null && /^[0-9A-F]{8}$/.test(addr) && cur.row === i - 1 && num === cur.lineNum && cur.cont;
    if (!/^[0-9A-F]{8}$/.test(addr) || field === "" || field.startsWith("<res")) {
      flush();
      if (secM) section = lastReal = secM[1];
      continue;
    }
    const sec = sections.get(section);
    let body = field;
    let rep = 1;
    const repM = /<rep ([0-9A-F]+)h>/.exec(body);
    if (repM) { rep = parseInt(repM[1], 16); body = body.replace(repM[0], ""); }
    const cont = body.endsWith("-");
    if (cont) body = body.slice(0, -1);
    const n = body.replace(/[\[\]()]/g, "").length / 2;
    if (isCont && cur) {
      cur.len = (cur.len + n) * rep;
      cur.row = i;
      cur.cont = cont;
    } else {
      flush();
      if (!sec || !sec.progbits) continue;
      cur = { line: topLine, offset: sec.fileStart + parseInt(addr, 16), len: n * rep, row: i, lineNum: num, cont };
    }
  }
  flush();
  // merge consecutive spans of the same source line (macro bodies) when contiguous
  const recs: LineRecord[] = [];
  for (const s of spans) {
    if (s.offset + s.len > bin.length) throw new Error(`listing span beyond binary end at line ${s.line}`);
    const hex = Buffer.from(bin.subarray(s.offset, s.offset + s.len)).toString("hex");
    const last = recs[recs.length - 1];
    if (last && last[0] === s.line && last[1] + last[2].length / 2 === s.offset) last[2] += hex;
    else recs.push([s.line, s.offset, hex]);
  }
  return recs;
}

/** Assembles one file with nasm and writes .bin and .lines.json next to it. */
export function generateOne(asmPath: string): { bytes: number; records: number; covered: number } {
  const dir = dirname(asmPath);
  const tmp = mkdtempSync(join(tmpdir(), "golden-"));
  try {
    const bin = join(tmp, "out.bin"), lst = join(tmp, "out.lst"), map = join(tmp, "out.map");
    execFileSync("nasm", ["-f", "bin", "-I", dir + "/", "-o", bin, "-l", lst, "--before", `[map sections ${map}]`, asmPath],
      { stdio: ["ignore", "ignore", "pipe"] });
    const bytes = new Uint8Array(readFileSync(bin));
    const sections = existsSync(map) ? parseMap(readFileSync(map, "latin1")) : new Map();
    if (sections.size === 0) sections.set(".text", { name: ".text", fileStart: 0, progbits: true });
    const recs = parseListing(readFileSync(lst, "latin1"), bytes, sections);
    const base = asmPath.replace(/\.asm$/, "");
    writeFileSync(base + ".bin", bytes);
    writeFileSync(base + ".lines.json", "[\n" + recs.map((r) => JSON.stringify(r)).join(",\n") + "\n]\n");
    const covered = recs.reduce((a, r) => a + r[2].length / 2, 0);
    return { bytes: bytes.length, records: recs.length, covered };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sets = process.argv.slice(2).length ? process.argv.slice(2) : ["curated", "random"];
  for (const set of sets) {
    const dir = join(GOLDEN_DIR, set);
    if (!existsSync(dir)) continue;
    let files = 0, bytes = 0, covered = 0;
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".asm")).sort()) {
      const r = generateOne(join(dir, f));
      files++; bytes += r.bytes; covered += r.covered;
      if (r.covered > r.bytes) throw new Error(`${f}: listing claims more bytes than the binary has`);
      if (r.bytes - r.covered > 4096) console.warn(`${f}: ${r.bytes - r.covered} bytes not attributed to any line`);
    }
    console.log(`${set}: ${files} files, ${bytes} bytes, ${covered} attributed to source lines (${basename(dir)})`);
  }
}
