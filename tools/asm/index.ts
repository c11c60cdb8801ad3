// ringside asm: a NASM-syntax assembler for 16/32-bit x86 (flat binary or static ELF32 executable).
import * as fs from "node:fs";
import { DiagnosticSink, formatDiagnostic, type Diagnostic } from "./diagnostics.ts";
import { writeElf } from "./elf.ts";
import { layout } from "./layout.ts";
import { formatListing, formatMap } from "./listing.ts";
import { parseProgram } from "./parse.ts";
import { preprocess } from "./preprocess.ts";
import { binOrder } from "./sections.ts";
import { defaultSelector } from "./select.ts";

export { formatDiagnostic };
export type { Diagnostic };

export interface AssembleOptions {
  file?: string; // name used in diagnostics and for resolving relative %include/incbin (default "<input>")
  format?: "bin" | "elf"; // default "bin"
  includePaths?: string[]; // -I dirs
  defines?: Record<string, string>; // -D NAME[=value]
  readFile?: (path: string) => Uint8Array | undefined; // default: node fs
  elfBase?: number; // ELF load base, default 0x00400000
}

export interface AsmSymbol {
  name: string;
  value: number;
  section?: string;
}

export interface AssembleResult {
  ok: boolean; // false if any error
  bytes: Uint8Array; // flat binary or ELF file
  symbols: AsmSymbol[]; // labels and equ's with final addresses (sorted by value)
  entry?: number; // ELF entry (_start)
  listing: string; // address, bytes, source line
  map: string; // symbol map text: "XXXXXXXX name" per line, sorted
  diagnostics: Diagnostic[];
  /** Set when the assembler itself failed (a bug, not the source's fault): its message. */
  internalError?: string;
}

/** Reads a file with node fs; undefined if it does not exist or is not a regular file. */
function nodeReadFile(path: string): Uint8Array | undefined {
  try {
    if (!fs.statSync(path).isFile()) return undefined;
    return fs.readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Assembles NASM source. Never throws: problems are returned as diagnostics with ok=false. */
export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  const file = options.file ?? "<input>";
  const sink = new DiagnosticSink();
  const format = options.format ?? "bin";
  const readFile = options.readFile ?? nodeReadFile;
  const includePaths = options.includePaths ?? [];
  try {
    const lines = preprocess(source, { file, includePaths, defines: options.defines ?? {}, readFile }, sink);
    const selector = defaultSelector();
    const parsed = parseProgram(lines, (m) => selector.isMnemonic(m), sink);
    const dirname = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/") + 1) : "");
    const readBinary = (name: string, from: string) => {
      const cands = name.startsWith("/") ? [name] : [dirname(from) + name, ...includePaths.map((d) => (d.endsWith("/") ? d : d + "/") + name), name];
      for (const c of cands) {
        const d = readFile(c);
        if (d) return d;
      }
      return undefined;
    };
    const lay = layout({ stmts: parsed.stmts, format, elfBase: options.elfBase ?? 0x00400000, selector, sink, readBinary, externs: parsed.externs });

    const symbols: AsmSymbol[] = [];
    for (const s of lay.symbols.values()) {
      if (s.name.startsWith("..@")) continue;
      symbols.push(s.section ? { name: s.name, value: s.value, section: s.section } : { name: s.name, value: s.value });
    }
    symbols.sort((a, b) => a.value - b.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const [g, loc] of parsed.globals) {
      if (!lay.symbols.has(g) && !parsed.externs.has(g)) sink.error(loc, 0, `global symbol '${g}' is not defined`);
    }

    let bytes: Uint8Array;
    let entry: number | undefined;
    if (format === "elf") {
      const start = lay.symbols.get("_start");
      if (!start) {
        const loc = lines[0]?.loc ?? { file, line: 1, text: "" };
        sink.error({ file, line: loc.file === file ? loc.line : 1, text: loc.file === file ? loc.text : "" }, 1, "no '_start' label: an ELF executable needs an entry point (add 'global _start' and '_start:')");
      } else entry = start.value;
      const elfSyms = [...lay.symbols.values()]
        .filter((s) => !s.name.startsWith("..@"))
        .map((s) => ({ name: s.name, value: s.value, section: s.section, global: parsed.globals.has(s.name) }));
      bytes = writeElf(lay.sections, lay.data, elfSyms, entry ?? 0, options.elfBase ?? 0x00400000);
    } else {
      const order = binOrder(lay.sections).filter((s) => !s.nobits);
      const start = order.length ? order[0].start : 0;
      const end = order.reduce((m, s) => Math.max(m, s.start + s.size), start);
      bytes = new Uint8Array(Math.max(0, end - start));
      for (const s of order) {
        const d = lay.data.get(s.name);
        if (d) bytes.set(d.subarray(0, s.size), s.start - start);
      }
    }
    const ok = sink.errors === 0;
    // listing and map are formatted on first access (they cost as much as assembling)
    let listing: string | undefined;
    let map: string | undefined;
    const result = {
      ok,
      bytes: ok ? bytes : new Uint8Array(0),
      symbols,
      entry,
      diagnostics: sortDiagnostics(sink.list),
    } as AssembleResult;
    Object.defineProperty(result, "listing", {
      enumerable: true,
      get: () => (listing ??= formatListing(lay.emitted, lines.map((l) => ({ file: l.loc.file, line: l.loc.line, text: l.text })))),
    });
    Object.defineProperty(result, "map", { enumerable: true, get: () => (map ??= formatMap(symbols)) });
    if (entry === undefined) delete result.entry;
    return result;
  } catch (e) {
    // internal failure: still never throw at the caller
    const msg = e instanceof Error ? e.message : String(e);
    sink.error({ file, line: 1, text: source.split("\n")[0] ?? "" }, 1, `internal assembler error: ${msg}`);
    return { ok: false, bytes: new Uint8Array(0), symbols: [], listing: "", map: "", diagnostics: sink.list, internalError: msg };
  }
}

/** Orders diagnostics by file position, keeping the order of messages on the same line. */
function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.file === b.d.file ? a.d.line - b.d.line || a.i - b.i : a.i - b.i))
    .map((x) => x.d);
}
