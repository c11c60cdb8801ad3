// `ringside fuzz <target> [--count N] [--seed S] [--calls C]`: seeded, deterministic fuzzing
// (tools/fuzz/index.ts). Prints each finding with the command that replays it, then a summary; exits
// 1 if there was any finding.
import type { Command } from "commander";
import { UserError } from "../errors.ts";

export function registerFuzz(program: Command): void {
  program
    .command("fuzz")
    .description("fuzz the kernel or a tool with seeded random input: syscalls, ipc, elf, image, trace or asm")
    .argument("<target>", "syscalls | ipc | elf | image | trace | asm")
    .option("--count <n>", "how many runs (run i uses seed S+i)", "20")
    .option("--seed <s>", "the first seed", "1")
    .option("--calls <n>", "system calls per run (syscalls, ipc)", "2000")
    .action(async (target: string, opts: { count: string; seed: string; calls: string }) => {
      const { TARGETS, fuzz, reproduction } = await import("../../fuzz/index.ts");
      if (!(TARGETS as readonly string[]).includes(target)) throw new UserError(`ringside fuzz: ${target}: not a target; give one of ${TARGETS.join(", ")}`);
      const num = (name: string, v: string, min: number) => {
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 0xffffffff) throw new UserError(`ringside fuzz: --${name} needs an integer ≥ ${min}, not "${v}"`);
        return Number(v);
      };
      const count = num("count", opts.count, 1), seed = num("seed", opts.seed, 0), calls = num("calls", opts.calls, 1);
      const s = await fuzz(target as (typeof TARGETS)[number], {
        count,
        seed,
        callsPerRun: calls,
        onFinding: (f) => process.stdout.write(`finding: ${f.kind} (seed ${f.seed}): ${f.detail}\n  replay: ${reproduction(f)}${target === "syscalls" || target === "ipc" ? ` --calls ${calls}` : ""}\n`),
      });
      process.stdout.write(`${target}: runs ${s.runs}${s.syscalls ? `  syscalls ${s.syscalls}` : ""}  host errors ${s.hostErrors}  panics ${s.panics}  hangs ${s.hangs}\n`);
      process.exitCode = s.findings.length ? 1 : 0;
    });
}
