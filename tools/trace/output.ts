// Buffered stdout for streaming commands: bounded buffer, and a reader that stops quietly when the
// consumer goes away (`ringside trace show big.jsonl | head`).

/** Writes text to a stream in 64 KiB pieces; `closed` turns true on EPIPE (or any write error). */
export class Output {
  closed = false;
  private buf = "";

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      this.closed = true;
      if (err.code !== "EPIPE") process.stderr.write(`ringside: cannot write output: ${err.message}\n`);
    });
  }

  write(s: string): void {
    if (this.closed) return;
    this.buf += s;
    if (this.buf.length >= 1 << 16) this.flushSome();
  }

  private flushSome(): void {
    const b = this.buf;
    this.buf = "";
    try {
      this.stream.write(b);
    } catch {
      this.closed = true;
    }
  }

  /** Writes what is buffered and waits until the stream has taken it. */
  async end(): Promise<void> {
    if (this.closed) return;
    const b = this.buf;
    this.buf = "";
    await new Promise<void>((resolve) => {
      try {
        this.stream.write(b, () => resolve());
      } catch {
        this.closed = true;
        resolve();
      }
    });
  }
}
