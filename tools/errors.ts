// Errors a user can cause, and the exit codes every ringside command uses (the table is documented in
// docs/cli.md and printed by tools/cli/exit-codes.ts). The CLI prints `message` (no stack trace) as
// `ringside <command>: <message>` and exits with `exitCode`; any tool below the CLI throws this.

/** Every exit code a ringside command itself chooses (run and boot otherwise pass on the guest's status). */
export const EXIT = {
  /** It worked (fsck: clean; trace diff: identical). */
  OK: 0,
  /** The command ran and its answer is "no": the source does not assemble, fsck found problems, the
   *  traces differ, a trace has a bad line. */
  FAILED: 1,
  /** The command could not do what was asked: a bad option or argument, a file that is missing,
   *  unreadable, not a regular file or not what it should be, an output that would overwrite an input,
   *  an image another session holds. Nothing was written. */
  USAGE: 2,
  /** ringside itself failed (a bug), or the machine deadlocked or panicked. */
  INTERNAL: 70,
  /** run/boot: the guest waited for input that will never come. */
  STOPPED: 75,
  /** run/boot: --max-instructions was reached. */
  MAX_INSTRUCTIONS: 124,
  /** run/boot: the first program was killed by exception vector v: 128 + v. */
  KILLED: 128,
} as const;

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE) {
    super(message);
    this.name = "UserError";
  }
}
