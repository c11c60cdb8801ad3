// `ringside asm <file.asm>`: assemble NASM-syntax source to a flat binary or a static ELF32 executable.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { UserError } from "../errors.ts";

interface AsmCliOptions {
  output?: string;
  format: "bin" | "elf";
  include: string[];
  define: string[];
  listing?: string;
  map?: string;
}

/** Default output name, NASM-like: foo.asm → foo.bin (bin) or foo (elf). */
export function defaultOutput(input: string, format: "bin" | "elf"): string {
  const ext = path.extname(input);
  const stem = ext ? input.slice(0, -ext.length) : input;
  if (format === "bin") return stem + ".bin" === input ? stem + ".out.bin" : stem + ".bin";
  return stem === input ? input + ".out" : stem;
}

export function registerAsm(program: Command): void {
  program
    .command("asm")
    .description("assemble NASM-syntax x86 (16/32-bit) to a flat binary or a static ELF32 executable")
    .argument("<file>", "source file (.asm)")
    .option("-o, --output <file>", "output file (default: <file> with .bin for bin, without extension for elf)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["bin", "elf"]).default("bin"))
    .option("-I, --include <dir>", "add a directory to the %include/incbin search path (repeatable)", collect, [])
    .option("-D, --define <NAME[=value]>", "predefine a single-line macro (repeatable)", collect, [])
    .option("-l, --listing <file>", "write a listing (offset, bytes, source)")
    .option("--map <file>", "write a symbol map (address name, sorted)")
    .action(async (file: string, opts: AsmCliOptions) => {
      let source: string;
      try {
        source = fs.readFileSync(file, "utf8");
      } catch (e) {
        throw new UserError(`ringside asm: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const defines: Record<string, string> = {};
      for (const d of opts.define) {
        const eq = d.indexOf("=");
        const name = eq < 0 ? d : d.slice(0, eq);
        if (!/^[A-Za-z_.?@$][\w.?@$#~]*$/.test(name)) throw new UserError(`ringside asm: bad -D name "${name}"`);
        defines[name] = eq < 0 ? "" : d.slice(eq + 1);
      }
      const { assemble, formatDiagnostic } = await import("../../asm/index.ts");
      const r = assemble(source, { file, format: opts.format, includePaths: opts.include, defines });
      for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + "\n");
      if (!r.ok) {
        const n = r.diagnostics.filter((d) => d.severity === "error").length;
        throw new UserError(`ringside asm: ${n} error${n === 1 ? "" : "s"}; no output written`);
      }
      const out = opts.output ?? defaultOutput(file, opts.format);
      try {
        fs.writeFileSync(out, r.bytes);
        if (opts.format === "elf") fs.chmodSync(out, 0o755);
        if (opts.listing) fs.writeFileSync(opts.listing, r.listing);
        if (opts.map) fs.writeFileSync(opts.map, r.map);
      } catch (e) {
        throw new UserError(`ringside asm: cannot write output: ${(e as Error).message}`);
      }
    });
}

/** Commander helper: accumulates a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
