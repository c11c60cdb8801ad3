// Runs programs on a kernel in-process (for tests that inspect kernel state, e.g. free frames).
import { readFileSync } from "node:fs";
import type { Kernel, RunResult } from "../../kernel/kernel.ts";
import { createKernel, type CreateKernelOptions as KernelOptions } from "../../tools/build/kernel.ts";
import { assembleProgram } from "../../tools/cli/program.ts";
import { prog } from "./cli.ts";

/** Assembles tests/fixtures/programs/<name>.asm to an ELF image. */
export async function image(name: string): Promise<Uint8Array> {
  const file = prog(`${name}.asm`);
  return assembleProgram(file, readFileSync(file, "utf8"));
}

/** Boots a kernel with the named fixture programs (and modules), runs it, returns the result, console text and kernel. */
export async function runPrograms(names: string[], modules: string[] = [], extra: Partial<KernelOptions> = {}): Promise<{ result: RunResult; out: string; kernel: Kernel }> {
  let out = "";
  const programs = await Promise.all(names.map(async (n) => ({ name: n, image: await image(n) })));
  const mods = await Promise.all(modules.map(async (n) => ({ name: n, image: await image(n) })));
  const kernel = await createKernel({ programs, modules: mods, onConsole: (b) => (out += String.fromCharCode(b)), maxInstructions: 200_000_000, ...extra });
  const result = await kernel.run();
  kernel.destroy();
  return { result, out, kernel };
}
