// `ringside bench` (placeholder until its issue lands).
import type { Command } from "commander";

export function registerBench(program: Command): void {
  program.command("bench").description("(not yet implemented)").action(() => {
    throw new Error("bench: not implemented yet");
  });
}
