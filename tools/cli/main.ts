// The ringside command line: one file per subcommand in tools/cli/commands/.
import { Command, CommanderError } from "commander";
import { UserError } from "./errors.ts";
import { registerAsm } from "./commands/asm.ts";
import { registerRun } from "./commands/run.ts";
import { registerBoot } from "./commands/boot.ts";
import { registerTrace } from "./commands/trace.ts";
import { registerBench } from "./commands/bench.ts";
import { registerImage } from "./commands/image.ts";
import { registerTorture } from "./commands/torture.ts";

const program = new Command();
program
  .name("ringside")
  .description("A teaching microkernel for 32-bit x86 on an emulated PC")
  .version("0.1.0")
  .exitOverride()
  .showHelpAfterError();

registerAsm(program);
registerRun(program);
registerBoot(program);
registerTrace(program);
registerBench(program);
registerImage(program);
registerTorture(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof UserError) {
    process.stderr.write(err.message.endsWith("\n") ? err.message : err.message + "\n");
    process.exit(err.exitCode);
  }
  const e = err as Error;
  process.stderr.write(`ringside: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.RINGSIDE_DEBUG) process.stderr.write(`${e?.stack}\n`);
  process.exit(70);
}
