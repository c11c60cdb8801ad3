// The exit-code table of every ringside command, in one place (values: tools/errors.ts EXIT, so tools
// below the CLI can use them); docs/cli.md documents it and `ringside --help` prints it.
import { EXIT } from "../errors.ts";

export { EXIT };

/** The table as `--help` prints it, one code a line. */
export const EXIT_CODE_HELP = `Exit codes (all commands; docs/cli.md):
  ${EXIT.OK}    success (fsck: clean; trace diff: identical)
  ${EXIT.FAILED}    the answer is "no": the source does not assemble, fsck found problems, the traces differ, a trace has a bad line,
       torture lost a write, fuzz made a finding, lab grade scored less than full
  ${EXIT.USAGE}    nothing done: bad option or argument, missing/unreadable/non-regular file, output would overwrite input, image in use
  ${EXIT.INTERNAL}   internal error, kernel panic, deadlock or a hung machine
  ${EXIT.STOPPED}   run/boot: the guest waited for input that never comes, or a program is too large for the machine to start
  ${EXIT.MAX_INSTRUCTIONS}  run/boot: --max-instructions reached
  128+v run: the first program was killed by exception vector v
  129/130/143 run/boot: ringside got SIGHUP/SIGINT/SIGTERM; the machine was powered off, the image written back
  other run/boot: the first program's (or the shell's) exit status`;
