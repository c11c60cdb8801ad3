// `ringside boot` (placeholder until its issue lands).
import type { Command } from "commander";

export function registerBoot(program: Command): void {
  program.command("boot").description("(not yet implemented)").action(() => {
    throw new Error("boot: not implemented yet");
  });
}
