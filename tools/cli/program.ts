// Turns a program file named on the command line into an image the kernel can load: `.asm` is
// assembled (as ELF, with servers/lib on the include path), an ELF file is read as-is, and a flat
// binary only when asked for (a `.bin` name or --flat) — any other file is refused, not executed.
import path from "node:path";
import { EXIT, UserError } from "./errors.ts";
import { readInputFile } from "../host-files.ts";
import { assembleProgram } from "../asm/program.ts";
import { loadImage, type ProgramSpec } from "../../kernel/kernel.ts";
import { ElfError } from "../../kernel/elf.ts";

export { assembleProgram, SERVERS_LIB } from "../asm/program.ts";

/** True if `bytes` start with the ELF magic. */
function isElfFile(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Reads (and assembles, for .asm) a program; guarantees an ELF image, or a flat binary when `flat` or
 *  the name ends in .bin (with a warning on stderr), or a UserError naming the file. */
export async function loadProgramFile(file: string, argv: string[] = [], opts: { flat?: boolean } = {}): Promise<ProgramSpec> {
  const name = path.basename(file).replace(/\.(asm|elf|bin|s)$/i, "");
  let bytes = readInputFile(file);
  if (/\.(asm|s)$/i.test(file)) {
    try {
      bytes = await assembleProgram(file, new TextDecoder().decode(bytes));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const n = (e.message.match(/: error: /g) ?? []).length;
      process.stderr.write(e.message + "\n");
      throw new UserError(`${file}: does not assemble (${n} error${n === 1 ? "" : "s"}); nothing run`, EXIT.FAILED);
    }
  } else if (!isElfFile(bytes)) {
    if (!opts.flat && !/\.bin$/i.test(file)) {
      throw new UserError(`${file}: not an ELF executable or .asm source; to run it as a flat binary, name it .bin or add --flat`);
    }
    process.stderr.write(
      `ringside run: note: ${file} is a flat binary: it is loaded at 0x00400000 and entered in 32-bit protected mode, ring 3 — ` +
        "it must be assembled with `bits 32` (ringside asm defaults to 16-bit for -f bin); prefer ELF: ringside asm -f elf\n",
    );
  }
  try {
    loadImage(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw new UserError(`${file}: bad ELF file: ${e.message}`);
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
  return { name, image: bytes, argv: [name, ...argv] };
}
