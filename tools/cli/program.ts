// Turns a program file named on the command line into an image the kernel can load:
// `.asm` is assembled (as ELF, with servers/lib on the include path), anything else is read as-is.
import { readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.ts";
import { assembleProgram } from "../asm/program.ts";
import { loadImage, type ProgramSpec } from "../../kernel/kernel.ts";
import { ElfError } from "../../kernel/elf.ts";

export { assembleProgram, SERVERS_LIB } from "../asm/program.ts";

/** Reads (and assembles, for .asm) a program; throws UserError with a clear message on any problem. */
export async function loadProgramFile(file: string, argv: string[] = []): Promise<ProgramSpec> {
  const name = path.basename(file).replace(/\.(asm|elf|bin|s)$/i, "");
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UserError(`ringside: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (/\.(asm|s)$/i.test(file)) bytes = await assembleProgram(file, new TextDecoder().decode(bytes));
  try {
    loadImage(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw new UserError(`ringside: ${file}: bad ELF file: ${e.message}`);
    throw new UserError(`ringside: ${file}: ${(e as Error).message}`);
  }
  return { name, image: bytes, argv: [name, ...argv] };
}
