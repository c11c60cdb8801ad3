// `ringside run <prog…> [-- args]`: boot a fresh machine with the programs and the services of a disk
// image (default: the built-in one), in the kernel (--mode monolithic, the default) or as ring-3
// servers (--mode microkernel); exit with the first program's status.
import type { Command } from "commander";
import { Option } from "commander";
import { UserError } from "../errors.ts";
import { nonNegativeCount, positiveCount } from "../options.ts";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run programs (.asm, ELF or flat binary) on a fresh machine; exits with the first program's status")
    .argument("<programs...>", "program files; arguments after -- go to every program")
    .addOption(new Option("--mode <mode>", "where the services (console, disk, file system) run").choices(["monolithic", "microkernel"]).default("monolithic"))
    .option("--image <file>", "the disk image whose file system (and, in microkernel mode, servers) the programs get; their writes are saved to it (default: the built-in image, whose writes are not kept)")
    .option("--inject <fault>", "inject a fault: <service>:<crash|exception|wild-write|hang|bad-io|bad-ipc>[@<n-th request>|@<time>] (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--seed <n>", "seed for injected faults' randomness (default 1)")
    .option("--cost-model <on|off|file>", "charge kernel work to virtual time: on (default figures, docs/experiments.md), off (default) or a JSON file of costs in ns")
    .option("--trace <file>", "record every kernel entry and exit to <file>")
    .addOption(new Option("--trace-format <format>", "trace file format").choices(["jsonl", "text"]).default("jsonl"))
    .addOption(new Option("--trace-version <n>", "trace schema version to write (1: the older, longer JSONL)").choices(["1", "2"]).default("2"))
    .option("--snapshot", "keep the programs' writes to --image in memory: the image file is not written (and not locked)")
    .option("--flat", "run files that are not ELF or .asm as flat 32-bit binaries (loaded and entered at 0x00400000)")
    .option("--break-at <seq>", "show the machine's state as trace event <seq> is recorded, and stop there in the debugger with --inspect (docs/labs.md)")
    .option("--inspect", "run under the Node inspector (Chrome DevTools or VS Code attach), with source maps into kernel/*.ts")
    .option("--max-instructions <n>", "stop once n guest instructions have run, checked every ~100k (exit 124)")
    .option("--module <file>", "also load <file> as a boot module that programs can spawn by name (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (files: string[], opts: { mode: string; inject: string[]; seed?: string; costModel?: string; image?: string; trace?: string; traceFormat: string; traceVersion: string; maxInstructions?: string; breakAt?: string; inspect?: boolean; module: string[]; snapshot?: boolean; flat?: boolean }) => {
      // v86's wasm compiles on other threads while the options, the programs and the image are read.
      (await import("../../../emulator/machine.ts")).prepareMachines();
      // Commander appends the operands after `--` to the variadic list: split them off again.
      const dash = process.argv.indexOf("--");
      const args = dash >= 0 ? process.argv.slice(dash + 1) : [];
      const progs = files.slice(0, files.length - args.length);
      if (progs.length === 0) throw new UserError("name at least one program before --");
      const max = positiveCount("--max-instructions", opts.maxInstructions);
      const breakAt = opts.breakAt === undefined ? undefined : nonNegativeCount("--break-at", opts.breakAt);
      const { loadProgramFile } = await import("../program.ts");
      const { runSession } = await import("../session.ts");
      const { readStdin } = await import("../io.ts");
      const { checkInjectionTargets, openSessionDisk, parseCostModelOption, parseInjections, parseMode, parseSeed } = await import("../disk.ts");
      const { refuseOverwrite } = await import("../../host-files.ts");
      refuseOverwrite("--trace", opts.trace, [...progs, ...opts.module, opts.image, opts.costModel]);
      const mode = parseMode("run", opts.mode, "monolithic");
      const faults = await parseInjections("run", opts.inject);
      const seed = parseSeed("run", opts.seed);
      const costModel = await parseCostModelOption("run", opts.costModel);
      const programs = [];
      for (const f of progs) programs.push(await loadProgramFile(f, args, { flat: opts.flat }));
      const modules = [];
      for (const f of opts.module) modules.push(await loadProgramFile(f, [], { flat: opts.flat }));
      // The built-in image is shared by every run: a run never writes it (nor locks it).
      const disk = await openSessionDisk(opts.image, { snapshot: opts.snapshot || !opts.image, trackChanges: true });
      checkInjectionTargets("run", faults, disk.boot);
      // The image's servers: the kernel starts each as a ring-3 process unless, in monolithic mode,
      // an in-kernel service of that name serves it.
      const servers = disk.boot.modules;
      try {
        process.exitCode = await runSession({
          // Console input: stdin when it is a pipe or a file (read whole first, so a run is reproducible),
          // typed a line each time a program waits, then end of input; on a terminal, none.
          input: process.stdin.isTTY ? undefined : await readStdin(),
          programs,
          modules: [...modules, ...servers],
          manifest: disk.boot.manifest,
          hda: disk.boot.hda,
          mode,
          faults,
          seed,
          costModel,
          startServices: true,
          trace: opts.trace,
          traceFormat: opts.traceFormat,
          traceVersion: opts.traceVersion === "1" ? 1 : 2,
          maxInstructions: max,
          breakAt,
          summary: true,
        });
      } finally {
        // An image named with --image keeps the programs' writes (even if the session then failed); the
        // built-in image is shared by every run and boot, so writes to it stay in memory — and the user
        // is told they were not kept.
        if (opts.image && !opts.snapshot) disk.save();
        else if (disk.changed()) process.stderr.write(`ringside run: the programs wrote to ${opts.image ? `${opts.image} (--snapshot)` : "the built-in image"}; those writes were not kept${opts.image ? "" : " (use --image <file> to keep them)"}\n`);
      }
    });
}
