// `ringside boot`: boot the default configuration (for now: the built-in hello program).
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { Option } from "commander";
import { loadProgramFile } from "../program.ts";
import { runSession } from "../session.ts";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const DEFAULT_PROGRAM = path.join(root, "servers", "apps", "hello.asm");

export function registerBoot(program: Command): void {
  program
    .command("boot")
    .description("boot the default configuration (the built-in hello program)")
    .option("--trace <file>", "record every kernel entry and exit to <file>")
    .addOption(new Option("--trace-format <format>", "trace file format").choices(["jsonl", "text"]).default("jsonl"))
    .action(async (opts: { trace?: string; traceFormat: string }) => {
      const programs = [await loadProgramFile(DEFAULT_PROGRAM)];
      process.exitCode = await runSession({ programs, trace: opts.trace, traceFormat: opts.traceFormat, summary: true });
    });
}
