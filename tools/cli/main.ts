// The ringside command line: one file per subcommand in tools/cli/commands/. Every error a user can
// cause is printed here, one style for all: `ringside <command>: <what>: <why>`; exit codes: exit-codes.ts.
import { Command, CommanderError } from "commander";
import { UserError } from "./errors.ts";
import { EXIT, EXIT_CODE_HELP } from "./exit-codes.ts";
import { handleClosedPipes } from "./io.ts";
import { registerAsm } from "./commands/asm.ts";
import { registerRun } from "./commands/run.ts";
import { registerBoot } from "./commands/boot.ts";
import { registerTrace } from "./commands/trace.ts";
import { registerBench } from "./commands/bench.ts";
import { registerImage } from "./commands/image.ts";
import { registerTorture } from "./commands/torture.ts";
import { registerExperiment } from "./commands/experiment.ts";
import { registerLab } from "./commands/lab.ts";
import { registerFuzz } from "./commands/fuzz.ts";

handleClosedPipes();

const program = new Command();
program
  .name("ringside")
  .description("A teaching microkernel for 32-bit x86 on an emulated PC")
  .version("0.1.0")
  .exitOverride()
  // The parser's errors in the one style, on one line, with where to look: `ringside run: unknown option '--bogus' (see ringside run --help)`.
  .configureOutput({
    outputError: (text, write) => {
      const cmd = commandFromArgv();
      write(`ringside${cmd ? " " + cmd : ""}: ${text.replace(/^error: /, "").trimEnd().replace(/\n/g, " ")} (see ringside${cmd ? " " + cmd : ""} --help)\n`);
    },
  })
  .addHelpText("after", "\n" + EXIT_CODE_HELP);

registerAsm(program);
registerRun(program);
registerBoot(program);
registerTrace(program);
registerBench(program);
registerImage(program);
registerTorture(program);
registerExperiment(program);
registerLab(program);
registerFuzz(program);

/** The (sub)command named on the command line ("image build"), before commander has dispatched to it. */
function commandFromArgv(): string {
  const names: string[] = [];
  let cmds = program.commands;
  for (const a of process.argv.slice(2)) {
    const c = cmds.find((x) => x.name() === a);
    if (!c) break;
    names.push(a);
    cmds = c.commands;
  }
  return names.join(" ");
}

// The command being run ("image build"), for the prefix of its error messages.
let commandName = "";
program.hook("preAction", (_root, action) => {
  const names: string[] = [];
  for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
  commandName = names.join(" ");
});

/** `message` in the one error style: `ringside <command>: …` (an older prefix the thrower added is replaced). */
function styled(message: string): string {
  const text = message.endsWith("\n") ? message.slice(0, -1) : message;
  const nl = text.indexOf("\n");
  let first = nl < 0 ? text : text.slice(0, nl);
  const rest = nl < 0 ? "" : text.slice(nl);
  first = first.replace(/^ringside(?: [a-z-]+)*: /, "").replace(/^trace [a-z]+: /, "");
  return `ringside${commandName ? " " + commandName : ""}: ${first}${rest}\n`;
}

/** Runs the command line; every failure ends the process with its exit code (no top-level await: the bundle is CommonJS). */
async function main(): Promise<void> {
  try {
    // `ringside help <command>`: the parser would print the whole help for a name it does not know.
    const [first, topic] = process.argv.slice(2);
    if (first === "help" && topic !== undefined && !program.commands.some((c) => c.name() === topic)) {
      throw new UserError(`unknown command '${topic}' (see ringside --help)`);
    }
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 1 ? EXIT.USAGE : err.exitCode);
    if (err instanceof UserError) {
      process.stderr.write(styled(err.message));
      process.exit(err.exitCode);
    }
    const e = err as Error;
    process.stderr.write(`ringside${commandName ? " " + commandName : ""}: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.RINGSIDE_DEBUG) process.stderr.write(`${e?.stack}\n`);
    process.exit(EXIT.INTERNAL);
  }
}

void main();
