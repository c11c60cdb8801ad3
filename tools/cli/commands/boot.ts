// `ringside boot [image]`: boots a disk image (default: build/ringside.img, built on demand) into the
// shell. Interactive on a terminal; with --input (or a pipe on stdin) the text is typed into the
// console and the run ends when the machine shuts down. Guest writes are saved to the image file.
import type { Command } from "commander";
import { Option } from "commander";

export function registerBoot(program: Command): void {
  program
    .command("boot")
    .argument("[image]", "disk image to boot (default: the built-in image, build/ringside.img)")
    .description("boot a disk image into the shell (leave an interactive session with Ctrl-])")
    .option("--trace <file>", "record every kernel entry and exit to <file>")
    .addOption(new Option("--trace-format <format>", "trace file format").choices(["jsonl", "text"]).default("jsonl"))
    .option("--input <text>", "type <text> into the console (one line each time the guest waits), then end of input")
    .option("--keys <text>", "like --input, but typed on the PS/2 keyboard (through the keyboard server)")
    .option("--max-instructions <n>", "stop after <n> guest instructions", (v) => Number(v))
    .action(async (image: string | undefined, opts: { trace?: string; traceFormat: string; input?: string; keys?: string; maxInstructions?: number }) => {
      const { readFileSync, renameSync, writeFileSync } = await import("node:fs");
      const { UserError } = await import("../errors.ts");
      const { loadBootImage, BootImageError } = await import("../../../boot/loader.ts");
      const { runSession } = await import("../session.ts");
      if (opts.input !== undefined && opts.keys !== undefined) throw new UserError("ringside boot: give --input or --keys, not both");
      if (opts.keys !== undefined) {
        const { typeable } = await import("../../../emulator/keyboard-layout.ts");
        if (!typeable(opts.keys)) throw new UserError("ringside boot: --keys takes printable ASCII, newlines, tabs and backspaces only");
      }
      let file = image;
      if (!file) {
        const { ensureDefaultImage } = await import("../../image/default.ts");
        file = await ensureDefaultImage();
      }
      let disk: Uint8Array;
      try {
        const raw = readFileSync(file);
        disk = new Uint8Array(raw.length); // its own ArrayBuffer: the emulated disk writes into it
        disk.set(raw);
      } catch (e) {
        throw new UserError(`ringside: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
      }
      if (disk.length === 0 || disk.length % 512 !== 0) throw new UserError(`ringside: ${file}: not a disk image (size ${disk.length} is not a positive multiple of 512)`);
      let boot;
      try {
        boot = loadBootImage(disk, file);
      } catch (e) {
        if (e instanceof BootImageError) throw new UserError(`ringside: cannot boot ${e.message}`);
        throw e;
      }
      const before = disk.slice();
      let input: Uint8Array | undefined;
      if (opts.input !== undefined) input = new TextEncoder().encode(opts.input);
      else if (opts.keys === undefined && !process.stdin.isTTY) input = new Uint8Array(readFileSync(0));
      const status = await runSession({
        programs: boot.programs,
        modules: boot.modules,
        manifest: boot.manifest,
        hda: boot.hda,
        input,
        keys: opts.keys,
        interactive: input === undefined && opts.keys === undefined,
        trace: opts.trace,
        traceFormat: opts.traceFormat,
        maxInstructions: opts.maxInstructions,
      });
      if (!sameBytes(before, disk)) {
        // Atomically: a reader of the image never sees half of it.
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, disk);
        renameSync(tmp, file);
      }
      process.exitCode = status;
    });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
