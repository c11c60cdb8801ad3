// `ringside boot [image]`: boots a disk image (default: build/ringside.img, built on demand) into the
// shell, with its services as ring-3 servers (--mode microkernel, the default) or in the kernel
// (--mode monolithic). Interactive on a terminal; with --input (or a pipe on stdin) the text is typed
// into the console and the run ends when the machine shuts down. Guest writes are saved to the image
// (locked while the session runs), or kept in memory only with --snapshot.
import type { Command } from "commander";
import { Option } from "commander";

export function registerBoot(program: Command): void {
  program
    .command("boot")
    .argument("[image]", "disk image to boot (default: the built-in image, build/ringside.img)")
    .description("boot a disk image into the shell (leave an interactive session with Ctrl-])")
    .addOption(new Option("--mode <mode>", "where the services run: as ring-3 servers, or inside the kernel").choices(["microkernel", "monolithic"]).default("microkernel"))
    .option("--inject <fault>", "inject a fault: <service>:<crash|exception|wild-write|hang|bad-io|bad-ipc>[@<n-th request>|@<time>] (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--seed <n>", "seed for injected faults' randomness (default 1)")
    .option("--cost-model <on|off|file>", "charge kernel work to virtual time: on (default figures, docs/experiments.md), off (default) or a JSON file of costs in ns")
    .option("--trace <file>", "record every kernel entry and exit to <file>")
    .addOption(new Option("--trace-format <format>", "trace file format").choices(["jsonl", "text"]).default("jsonl"))
    .addOption(new Option("--trace-version <n>", "trace schema version to write (1: the older, longer JSONL)").choices(["1", "2"]).default("2"))
    .option("--input <text>", "type <text> into the console (one line each time the guest waits), then end of input")
    .option("--keys <text>", "like --input, but typed on the PS/2 keyboard (through the keyboard service)")
    .option("--snapshot", "keep the guest's writes in memory: the image file is not written (and not locked)")
    .option("--break-at <seq>", "show the machine's state as trace event <seq> is recorded, and stop there in the debugger with --inspect (docs/labs.md)")
    .option("--inspect", "run under the Node inspector (Chrome DevTools or VS Code attach), with source maps into kernel/*.ts")
    .option("--max-instructions <n>", "stop once <n> guest instructions have run, checked every ~100k (exit 124)")
    .action(async (image: string | undefined, opts: { mode: string; inject: string[]; seed?: string; costModel?: string; trace?: string; traceFormat: string; traceVersion: string; input?: string; keys?: string; maxInstructions?: string; breakAt?: string; inspect?: boolean; snapshot?: boolean }) => {
      // v86's wasm compiles on other threads while the options, the programs and the image are read.
      (await import("../../../emulator/machine.ts")).prepareMachines();
      const { UserError } = await import("../errors.ts");
      const { nonNegativeCount, positiveCount } = await import("../options.ts");
      const maxInstructions = positiveCount("--max-instructions", opts.maxInstructions);
      const breakAt = opts.breakAt === undefined ? undefined : nonNegativeCount("--break-at", opts.breakAt);
      const { checkInjectionTargets, openSessionDisk, parseCostModelOption, parseInjections, parseMode, parseSeed } = await import("../disk.ts");
      const { runSession } = await import("../session.ts");
      const mode = parseMode("boot", opts.mode, "microkernel");
      const faults = await parseInjections("boot", opts.inject);
      const seed = parseSeed("boot", opts.seed);
      const costModel = await parseCostModelOption("boot", opts.costModel);
      if (opts.input !== undefined && opts.keys !== undefined) throw new UserError("give --input or --keys, not both");
      if (opts.keys !== undefined) {
        const { typeable } = await import("../../../emulator/keyboard-layout.ts");
        if (!typeable(opts.keys)) throw new UserError("--keys takes printable ASCII, newlines, tabs and backspaces only");
      }
      const { refuseOverwrite } = await import("../../host-files.ts");
      refuseOverwrite("--trace", opts.trace, [image, opts.costModel]);
      const disk = await openSessionDisk(image, { snapshot: opts.snapshot });
      refuseOverwrite("--trace", opts.trace, [disk.file]); // the built-in image, when none is named
      checkInjectionTargets("boot", faults, disk.boot);
      let input: Uint8Array | undefined;
      if (opts.input !== undefined) input = new TextEncoder().encode(opts.input);
      else if (opts.keys === undefined && !process.stdin.isTTY) input = await (await import("../io.ts")).readStdin();
      let status: number;
      try {
        status = await runSession({
          programs: disk.boot.programs,
          modules: disk.boot.modules,
          manifest: disk.boot.manifest,
          hda: disk.boot.hda,
          mode,
          faults,
          seed,
          costModel,
          input,
          keys: opts.keys,
          interactive: input === undefined && opts.keys === undefined,
          trace: opts.trace,
          traceFormat: opts.traceFormat,
          traceVersion: opts.traceVersion === "1" ? 1 : 2,
          maxInstructions,
          breakAt,
        });
      } finally {
        disk.save(); // the guest's writes are kept even if the session then failed (its trace could not be written)
      }
      process.exitCode = status;
    });
}
