// `ringside trace` (placeholder until its issue lands).
import type { Command } from "commander";

export function registerTrace(program: Command): void {
  program.command("trace").description("(not yet implemented)").action(() => {
    throw new Error("trace: not implemented yet");
  });
}
