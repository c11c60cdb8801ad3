// The console's terminal line discipline, as a pure class (no ports, no kernel): the same rules as
// servers/console.asm, so both shapes of the console echo and deliver byte for byte alike.
//
// Input (`input`): printable bytes (0x20–0x7e) and Tab are stored and echoed; '\r' becomes '\n';
// '\n' echoes and completes the line (the line, '\n' included, moves to the input queue); 0x08/0x7f
// erase one character (echo "\b \b") if the line is not empty; Ctrl-C (0x03) discards the line (echo
// "^C\n"); Ctrl-D (0x04) on an empty line queues an end-of-input mark (the read that reaches it
// returns 0); Ctrl-D on a non-empty line, other control bytes and bytes above '~' are ignored. A
// line holds at most LINE_MAX-1 characters plus its '\n'; further characters are dropped (not
// echoed). A completed line that does not fit in the input queue (READY_MAX bytes) is dropped.
//
// Readers (`read`): at most NREADERS wait (more: -EAGAIN), served in arrival order; each gets the
// oldest completed line up to and including its '\n', or its count if smaller (the rest stays for
// the next read); an end-of-input mark is answered with 0 bytes and consumed. Input is consumed
// only when the delivery succeeds: a reader that has gone away is dropped and the input stays.
// The sinks must not call back into the discipline.
import { E } from "../names.ts";

export const LINE_MAX = 256; // the line being edited, '\n' included
export const READY_MAX = 2048; // completed input waiting for readers
export const NREADERS = 8; // readers that may wait for a line
const EOF_MARK = 0x04; // end-of-input mark in the input queue (never stored as data)
const BS = 0x08, TAB = 0x09, LF = 0x0a, CR = 0x0d, CTRL_C = 0x03, DEL = 0x7f;

/** Echo: one byte for the terminal. */
export type EchoSink = (byte: number) => void;
/**
 * Delivery to a waiting reader: `data` (a view valid only during the call; empty = end of input).
 * Returns false if the reader has gone away (its input stays queued).
 */
export type ReaderSink = (reader: number, data: Uint8Array) => boolean;

/** What `read` did: answered at once with an error or 0, or queued (maybe served at once through the sink). */
export const READ_QUEUED = 1;

/** The line discipline and the queue of waiting readers of one terminal. */
export class LineDiscipline {
  private readonly line = new Uint8Array(LINE_MAX);
  private lineLen = 0;
  private readonly ready = new Uint8Array(READY_MAX);
  private readyLen = 0;
  private readonly rdPid = new Int32Array(NREADERS);
  private readonly rdCnt = new Uint32Array(NREADERS);
  private rdN = 0;

  constructor(private readonly echo: EchoSink, private readonly deliver: ReaderSink) {}

  /** Bytes of completed input (lines and end marks) waiting for readers. */
  get queued(): number {
    return this.readyLen;
  }

  /** Characters in the line being edited. */
  get editing(): number {
    return this.lineLen;
  }

  /** Readers waiting, oldest first (a copy, for tests and traces). */
  readers(): number[] {
    return Array.from(this.rdPid.subarray(0, this.rdN));
  }

  /** Runs the discipline on one typed byte: echoes, edits, and serves readers when a line or end mark completes. */
  input(byte: number): void {
    let c = byte & 0xff;
    if (c === CR) c = LF;
    if (c === LF) {
      this.echo(LF);
      this.line[this.lineLen] = LF;
      this.queueInput(this.line, this.lineLen + 1);
      this.lineLen = 0;
      this.serveReaders();
    } else if (c === BS || c === DEL) {
      if (this.lineLen === 0) return;
      this.lineLen--;
      this.echo(BS);
      this.echo(0x20);
      this.echo(BS);
    } else if (c === CTRL_C) {
      this.lineLen = 0;
      this.echo(0x5e); // '^'
      this.echo(0x43); // 'C'
      this.echo(LF);
    } else if (c === EOF_MARK) {
      if (this.lineLen !== 0) return; // only on an empty line
      this.line[0] = EOF_MARK;
      this.queueInput(this.line, 1);
      this.serveReaders();
    } else if (c === TAB || (c >= 0x20 && c <= 0x7e)) {
      if (this.lineLen >= LINE_MAX - 1) return; // keep room for the '\n'
      this.line[this.lineLen++] = c;
      this.echo(c);
    }
    // other control bytes and bytes above '~' are ignored
  }

  /**
   * A read of at most `count` bytes (unsigned) by `reader`: returns 0 for a zero count, -EAGAIN if
   * NREADERS already wait, else READ_QUEUED — the reader joined the FIFO and the FIFO was served
   * (the reader may already have had its answer through the sink).
   */
  read(reader: number, count: number): number {
    const cnt = count >>> 0;
    if (cnt === 0) return 0;
    if (this.rdN >= NREADERS) return -E.AGAIN;
    this.rdPid[this.rdN] = reader;
    this.rdCnt[this.rdN] = cnt;
    this.rdN++;
    this.serveReaders();
    return READ_QUEUED;
  }

  /** Forgets every waiting read of `reader` (it ended); the input stays. */
  cancel(reader: number): void {
    let j = 0;
    for (let i = 0; i < this.rdN; i++) {
      if (this.rdPid[i] === reader) continue;
      this.rdPid[j] = this.rdPid[i]!;
      this.rdCnt[j] = this.rdCnt[i]!;
      j++;
    }
    this.rdN = j;
  }

  /** Appends `len` bytes of `src` to the input queue, or drops them all if they do not fit. */
  private queueInput(src: Uint8Array, len: number): void {
    if (this.readyLen + len > READY_MAX) return;
    for (let i = 0; i < len; i++) this.ready[this.readyLen + i] = src[i]!;
    this.readyLen += len;
  }

  /** While a reader waits and input is queued, answers the oldest reader from the head of the input. */
  private serveReaders(): void {
    while (this.rdN > 0 && this.readyLen > 0) {
      let send: number, consume: number;
      if (this.ready[0] === EOF_MARK) {
        send = 0;
        consume = 1;
      } else {
        let n = 0; // the length of the first line, '\n' included
        do n++; while (this.ready[n - 1] !== LF && n < this.readyLen);
        send = consume = Math.min(n, this.rdCnt[0]!);
      }
      const reader = this.rdPid[0]!;
      this.popReader();
      if (this.deliver(reader, this.ready.subarray(0, send))) {
        this.ready.copyWithin(0, consume, this.readyLen);
        this.readyLen -= consume;
      }
    }
  }

  /** Drops the oldest waiting reader. */
  private popReader(): void {
    this.rdN--;
    this.rdPid.copyWithin(0, 1, this.rdN + 1);
    this.rdCnt.copyWithin(0, 1, this.rdN + 1);
  }
}
