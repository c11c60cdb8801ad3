// Builds ringside user programs from NASM source: ELF, with the source's folder and servers/lib
// (ringside.inc) on the include path. Used by the CLI, the image builder, the benchmarks and tests;
// the assembler itself (index.ts) is loaded on first use.
import path from "node:path";
import { UserError } from "../errors.ts";
import { fromRoot } from "../paths.ts";

/** servers/lib: where ringside.inc lives. */
export const SERVERS_LIB = fromRoot("servers", "lib");

/** Assembles a user program to an ELF executable; diagnostics become a UserError. */
export async function assembleProgram(file: string, source: string): Promise<Uint8Array> {
  const { assemble, formatDiagnostic } = await import("./index.ts");
  const res = assemble(source, { file, format: "elf", includePaths: [path.dirname(file), SERVERS_LIB] });
  if (res.internalError !== undefined) throw new Error(`the assembler failed on ${file}: ${res.internalError}`); // a bug: exit 70, not the source's fault
  if (!res.ok) throw new UserError(res.diagnostics.map(formatDiagnostic).join("\n"));
  return res.bytes;
}
