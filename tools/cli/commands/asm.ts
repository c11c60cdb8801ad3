// `ringside asm <file.asm>`: assemble NASM-syntax source to a flat binary or a static ELF32 executable.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { EXIT, UserError } from "../errors.ts";
import { errnoText, readInputFile, sameFile } from "../../host-files.ts";

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
      const source = new TextDecoder().decode(readInputFile(file));
      const out = opts.output ?? defaultOutput(file, opts.format);
      // Like NASM: never overwrite the source with machine code (or a listing, or a map).
      for (const [option, target] of [["-o", out], ["-l", opts.listing], ["--map", opts.map]] as const) {
        if (target !== undefined && sameFile(target, file)) throw new UserError(`${option} ${target}: that is the input file; refusing to overwrite the source`);
      }
      const defines: Record<string, string> = {};
      for (const d of opts.define) {
        const eq = d.indexOf("=");
        const name = eq < 0 ? d : d.slice(0, eq);
        if (!/^[A-Za-z_.?@$][\w.?@$#~]*$/.test(name)) throw new UserError(`-D needs a macro name like NAME or NAME=value, not "${d}"`);
        defines[name] = eq < 0 ? "" : d.slice(eq + 1);
      }
      const { assemble, formatDiagnostic } = await import("../../asm/index.ts");
      const r = assemble(source, { file, format: opts.format, includePaths: opts.include, defines });
      for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + "\n");
      if (r.internalError !== undefined) throw new Error(r.internalError); // a bug in the assembler: exit 70
      if (!r.ok) {
        const n = r.diagnostics.filter((d) => d.severity === "error").length;
        throw new UserError(`${n} error${n === 1 ? "" : "s"}; no output written`, EXIT.FAILED);
      }
      const write = (target: string, bytes: string | Uint8Array): void => {
        try {
          fs.writeFileSync(target, bytes);
          if (target === out && opts.format === "elf") fs.chmodSync(out, 0o755);
        } catch (e) {
          throw new UserError(`cannot write ${target}: ${errnoText(e)}`);
        }
      };
      write(out, r.bytes);
      if (opts.listing) write(opts.listing, r.listing);
      if (opts.map) write(opts.map, r.map);
    });
}

/** Commander helper: accumulates a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
