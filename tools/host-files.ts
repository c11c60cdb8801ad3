// A user's files on the host: reading an input (regular files only, so a FIFO or /dev/zero never
// blocks a command), telling two names of one file apart, refusing an output that is one of the
// inputs, and writing an output whole or not at all. Shared by the CLI and the tools below it.
import { closeSync, existsSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.ts";

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
  if (code === "ENOSPC") return "no space left on the device";
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

/**
 * Throws a UserError (exit 2) if `output`, given with `option`, names the same file as one of
 * `inputs` (through links, `./` or symlinks): nothing is written over a user's input.
 */
export function refuseOverwrite(option: string, output: string | undefined, inputs: readonly (string | undefined)[]): void {
  if (output === undefined || output === "-") return;
  for (const input of inputs) {
    if (input !== undefined && input !== "-" && sameFile(output, input)) {
      throw new UserError(`${option} ${output}: that is the input file ${input}; refusing to overwrite it`);
    }
  }
}

/**
 * Throws a UserError (exit 2) now, before any work, if `file` (given with `option`) could not be
 * written later: it is a directory, or its folder does not exist (unless `makeFolder`).
 */
export function checkOutputPath(option: string, file: string | undefined, makeFolder = false): void {
  if (file === undefined || file === "-") return;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${option} ${file}: is a directory`);
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
  const folder = path.dirname(path.resolve(file));
  if (!makeFolder && !existsSync(folder)) throw new UserError(`${option} ${file}: no folder ${folder}`);
}

/**
 * Writes `file` whole or not at all: `body` writes through `write` into a temporary file beside it
 * (beside the file a symlink names), which replaces it only when `body` finishes; if it throws, the
 * file is as it was and the error goes on. A device or FIFO (`/dev/null`, `/dev/stdout`) is written
 * directly. A failure to write is a UserError "cannot write <file>: <why>".
 */
export async function writeWhole(file: string, body: (write: (s: string | Uint8Array) => void) => Promise<void>): Promise<void> {
  let target = file;
  let special = false; // written in place: a device, a FIFO, or a symlink to a file not there yet
  try {
    special = !statSync(file).isFile();
    if (!special) target = realpathSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`cannot write ${file}: ${errnoText(e)}`);
    try {
      special = lstatSync(file).isSymbolicLink();
    } catch {
      // no such file: created beside
    }
  }
  if (special) {
    let fd: number;
    try {
      fd = openSync(file, "w");
    } catch (e) {
      throw new UserError(`cannot write ${file}: ${errnoText(e)}`);
    }
    return writeThrough(file, fd, body);
  }
  const tmp = `${target}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, "wx");
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${errnoText(e)}`);
  }
  let done = false;
  try {
    await writeThrough(file, fd, body);
    try {
      renameSync(tmp, target);
    } catch (e) {
      throw new UserError(`cannot write ${file}: ${errnoText(e)}`);
    }
    done = true;
  } finally {
    if (!done) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

/** Runs `body` writing through a buffer to the open `fd`, then closes it; a failed write is a UserError naming `file`. */
async function writeThrough(file: string, fd: number, body: (write: (s: string | Uint8Array) => void) => Promise<void>): Promise<void> {
  let buf = "";
  try {
    await body((s) => {
      if (typeof s !== "string") {
        writeSync(fd, buf);
        buf = "";
        for (let at = 0; at < s.length; ) at += writeSync(fd, s, at);
        return;
      }
      buf += s;
      if (buf.length > 1 << 16) {
        writeSync(fd, buf);
        buf = "";
      }
    });
    writeSync(fd, buf);
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as NodeJS.ErrnoException).code) throw new UserError(`cannot write ${file}: ${errnoText(e)}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}
