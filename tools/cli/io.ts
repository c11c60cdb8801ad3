// The CLI's edge with the terminal: escaping what a guest or a trace prints before it reaches it, and
// a stdout that a consumer may close (`ringside run prog | head`). A user's files: tools/host-files.ts.
import { EXIT } from "../errors.ts";
import { errnoText } from "../host-files.ts";

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

/**
 * All of stdin, read to its end (empty if it is closed). Read as a stream: a pipe whose writer is slow
 * is waited for (a synchronous read of a non-blocking pipe fails with EAGAIN).
 */
export async function readStdin(): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  } catch {
    // a closed stdin reads as empty
  }
  return new Uint8Array(Buffer.concat(parts));
}
