// The CLI's edge with the host: reading a user's file (regular files only), refusing to overwrite an
// input, escaping what a guest or a trace prints before it reaches the terminal, and a stdout that a
// consumer may close (`ringside run prog | head`).
import { readFileSync, realpathSync, statSync } from "node:fs";
import { EXIT, UserError } from "../errors.ts";

/** Why `file` cannot be read as a user's input file, or undefined if it is a readable regular file. */
export function unreadable(file: string): string | undefined {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return "is a directory";
    if (!st.isFile()) return "not a regular file (a device, FIFO or socket); give a file";
    return undefined;
  } catch (e) {
    return errnoText(e);
  }
}

/** A short reason for a failed file operation: "no such file", "permission denied", or the message. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "EROFS") return "read-only file system";
  return (e as Error).message;
}

/** Reads a user's input file; guarantees a regular file (never blocks on /dev/zero or a FIFO) or a UserError "cannot read <file>: <why>". */
export function readInputFile(file: string, exitCode?: number): Uint8Array {
  const why = unreadable(file);
  if (why) throw new UserError(`cannot read ${file}: ${why}`, exitCode);
  try {
    // A plain Uint8Array that owns its memory: a large file's Buffer has an ArrayBuffer of its own,
    // which is taken over without copying (a disk image is megabytes); a small one may sit in Node's
    // shared pool and is copied out.
    const b = readFileSync(file);
    return b.byteOffset === 0 && b.buffer.byteLength === b.byteLength ? new Uint8Array(b.buffer) : new Uint8Array(b);
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${errnoText(e)}`, exitCode);
  }
}

/** True if `a` and `b` name the same existing file (through links, `./` or symlinks). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    if (sa.ino === sb.ino && sa.dev === sb.dev) return true;
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** `s` with control characters (C0, DEL, C1) shown as \xNN, so a guest's bytes cannot drive the host terminal; `keepNewlines` keeps "\n". */
export function escapeControl(s: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (keepNewlines && c === "\n" ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

const closedHandlers: Array<() => void> = [];
let stdoutClosed = false;

/** True once the reader of stdout has gone away (EPIPE): further output is dropped. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Calls `fn` when the reader of stdout goes away (e.g. a session powers its machine off). */
export function onStdoutClosed(fn: () => void): void {
  if (stdoutClosed) fn();
  else closedHandlers.push(fn);
}

/** Makes EPIPE on stdout or stderr quiet: no stack trace; stdout's closing is announced to onStdoutClosed. */
export function handleClosedPipes(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") {
      process.stderr.write(`ringside: cannot write output: ${errnoText(err)}\n`);
      process.exit(EXIT.USAGE);
    }
    if (stdoutClosed) return;
    stdoutClosed = true;
    for (const fn of closedHandlers.splice(0)) fn();
  });
  process.stderr.on("error", () => {}); // nowhere left to report it

}
