// Errors a user can cause. The CLI prints `message` (no stack trace) and exits with `exitCode`; any
// tool below the CLI (trace, image, bench, build) throws this.
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "UserError";
  }
}
