// `ringside asm` (placeholder until its issue lands).
import type { Command } from "commander";

export function registerAsm(program: Command): void {
  program.command("asm").description("(not yet implemented)").action(() => {
    throw new Error("asm: not implemented yet");
  });
}
