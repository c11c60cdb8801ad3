// `ringside boot`: boot the default configuration (for now: the built-in hello program).
import type { Command } from "commander";
import { Option } from "commander";
import { fromRoot } from "../../paths.ts";

export const DEFAULT_PROGRAM = fromRoot("servers", "apps", "hello.asm");

export function registerBoot(program: Command): void {
  program
    .command("boot")
    .description("boot the default configuration (the built-in hello program)")
    .option("--trace <file>", "record every kernel entry and exit to <file>")
    .addOption(new Option("--trace-format <format>", "trace file format").choices(["jsonl", "text"]).default("jsonl"))
    .action(async (opts: { trace?: string; traceFormat: string }) => {
      const { loadProgramFile } = await import("../program.ts");
      const { runSession } = await import("../session.ts");
      const programs = [await loadProgramFile(DEFAULT_PROGRAM)];
      process.exitCode = await runSession({ programs, trace: opts.trace, traceFormat: opts.traceFormat, summary: true });
    });
}
