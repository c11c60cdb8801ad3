// The console's terminal line discipline, as a pure class (no ports, no kernel): the same rules as
// servers/console.asm, so both shapes of the console echo and deliver byte for byte alike.
//
// Modes (Linux's c_lflag bits, set by CON_TCSETS; default ISIG | ICANON | ECHO): ECHO off echoes
// nothing; ISIG off makes Ctrl-C an ordinary byte; ICANON off is raw mode: every byte goes to the
// input queue as it is (no editing, no '\r' translation), a read returns what is queued (at most its
// count) without waiting for a '\n'; Ctrl-C still interrupts if ISIG is on.
//
// Canonical input (`input`): bytes 0x20–0x7e, Tab and bytes >= 0x80 (UTF-8, stored and echoed as they
// are) are inserted at the cursor; '\r' becomes '\n'; '\n' completes the line (the rest of the line is
// echoed, then '\n'; the line, '\n' included, moves to the input queue, and into the history if it is
// not empty and differs from the newest entry). Editing (echo uses only "\b", spaces and the line's
// bytes; a column is one character: a UTF-8 continuation byte 0x80–0xbf takes none):
//   0x08/0x7f Backspace  erase the character before the cursor    Ctrl-A, ESC[H, ESC[1~, ESC[7~, ESC OH  Home
//   ESC[3~ Delete        erase the character at the cursor        Ctrl-E, ESC[F, ESC[4~, ESC[8~, ESC OF  End
//   ESC[D / ESC[C        cursor left / right one character       Ctrl-U  erase from the start to the cursor
//   ESC[A / ESC[B        previous / next history entry           Ctrl-W  erase the word before the cursor
// (ESC O x is taken like ESC [ x.) Inserting in the middle of the line echoes the byte and redraws
// the tail (once a multi-byte character is complete); erasing redraws the tail and blanks the freed
// columns. A line holds at most LINE_MAX-1 bytes plus its '\n'; a byte that does not fit is refused
// with a bell (0x07). Ctrl-C (0x03) discards the line (echo "^C\n") and asks for SIGINT for the
// foreground process group (the `interrupt` sink); Ctrl-D (0x04) on an empty line queues an
// end-of-input mark (the read that reaches it returns 0); Ctrl-D on a non-empty line, other control
// bytes and unknown escape sequences are ignored (a control byte inside a sequence ends it and is
// taken normally). A completed line that does not fit in the input queue (READY_MAX bytes) is dropped.
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
export const HIST_N = 16; // lines kept in the history
const EOF_MARK = 0x04; // end-of-input mark in the input queue (never stored as data)
const BS = 0x08, TAB = 0x09, LF = 0x0a, CR = 0x0d, CTRL_C = 0x03, DEL = 0x7f, BEL = 0x07, ESC = 0x1b, SP = 0x20;
const CTRL_A = 0x01, CTRL_E = 0x05, CTRL_U = 0x15, CTRL_W = 0x17;
/** c_lflag bits (Linux's values): signals from Ctrl-C, canonical (line) input, echo. */
export const ISIG = 0x1, ICANON = 0x2, ECHO = 0x8;
export const LFLAG_DEFAULT = ISIG | ICANON | ECHO;

/** Echo: one byte for the terminal. */
export type EchoSink = (byte: number) => void;
/**
 * Delivery to a waiting reader: `data` (a view valid only during the call; empty = end of input).
 * Returns false if the reader has gone away (its input stays queued).
 */
export type ReaderSink = (reader: number, data: Uint8Array) => boolean;
/** Ctrl-C with ISIG: the foreground process group should get SIGINT. */
export type InterruptSink = () => void;

/** What `read` did: answered at once with an error or 0, or queued (maybe served at once through the sink). */
export const READ_QUEUED = 1;

const isCont = (b: number): boolean => (b & 0xc0) === 0x80;

/** The line discipline and the queue of waiting readers of one terminal. */
export class LineDiscipline {
  private readonly line = new Uint8Array(LINE_MAX);
  private lineLen = 0;
  private cursor = 0;
  private readonly ready = new Uint8Array(READY_MAX);
  private readyLen = 0;
  private readonly rdPid = new Int32Array(NREADERS);
  private readonly rdCnt = new Uint32Array(NREADERS);
  private rdN = 0;
  /** Escape parsing: 0 none, 1 after ESC, 2 after ESC [ or ESC O; the numeric parameter. */
  private esc = 0;
  private escParam = 0;
  /** History: HIST_N lines, oldest first; histPos = the entry shown (histN = the new line). */
  private readonly hist = new Uint8Array(HIST_N * LINE_MAX);
  private readonly histLen = new Uint16Array(HIST_N);
  private histN = 0;
  private histPos = 0;
  /** The new line, kept while the history is browsed. */
  private readonly draft = new Uint8Array(LINE_MAX);
  private draftLen = 0;
  /** c_lflag: ISIG | ICANON | ECHO. */
  lflag = LFLAG_DEFAULT;

  constructor(
    private readonly echo: EchoSink,
    private readonly deliver: ReaderSink,
    private readonly interrupt: InterruptSink = () => {},
  ) {}

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

  /** The cursor's byte offset in the line being edited. */
  get at(): number {
    return this.cursor;
  }

  /** Sets the c_lflag bits (ISIG, ICANON, ECHO; others are dropped); the line being edited is discarded. */
  setMode(lflag: number): void {
    this.lflag = lflag & (ISIG | ICANON | ECHO);
    this.lineLen = this.cursor = 0;
    this.esc = 0;
    this.histPos = this.histN;
  }

  /** Discards the typed input no reader has taken yet (completed lines, raw bytes, end marks). */
  flushInput(): void {
    this.readyLen = 0;
  }

  /** Runs the discipline on one typed byte: echoes, edits, and serves readers when a line or end mark completes. */
  input(byte: number): void {
    let c = byte & 0xff;
    if ((this.lflag & ICANON) === 0) {
      if (c === CTRL_C && (this.lflag & ISIG) !== 0) {
        this.interrupt();
        return;
      }
      this.out(c);
      this.line[0] = c;
      this.queueInput(this.line, 1);
      this.serveReaders();
      return;
    }
    if (this.esc !== 0) {
      if (this.escape(c)) return;
    }
    if (c === CR) c = LF;
    if (c === LF) {
      this.outRange(this.cursor, this.lineLen);
      this.out(LF);
      this.remember();
      this.line[this.lineLen] = LF;
      this.queueInput(this.line, this.lineLen + 1);
      this.lineLen = this.cursor = 0;
      this.serveReaders();
    } else if (c === BS || c === DEL) {
      if (this.cursor > 0) this.erase(this.prevChar(this.cursor), this.cursor);
    } else if (c === CTRL_C && (this.lflag & ISIG) !== 0) {
      this.lineLen = this.cursor = 0;
      this.histPos = this.histN;
      this.out(0x5e); // '^'
      this.out(0x43); // 'C'
      this.out(LF);
      this.interrupt();
    } else if (c === EOF_MARK) {
      if (this.lineLen !== 0) return; // only on an empty line
      this.line[0] = EOF_MARK;
      this.queueInput(this.line, 1);
      this.serveReaders();
    } else if (c === ESC) {
      this.esc = 1;
      this.escParam = 0;
    } else if (c === CTRL_A) {
      this.home();
    } else if (c === CTRL_E) {
      this.end();
    } else if (c === CTRL_U) {
      if (this.cursor > 0) this.erase(0, this.cursor);
    } else if (c === CTRL_W) {
      let q = this.cursor;
      while (q > 0 && (this.line[q - 1] === SP || this.line[q - 1] === TAB)) q--;
      while (q > 0 && this.line[q - 1] !== SP && this.line[q - 1] !== TAB) q--;
      if (q < this.cursor) this.erase(q, this.cursor);
    } else if (c === TAB || c >= SP) {
      this.insert(c);
    }
    // other control bytes are ignored
  }

  /** One byte of an escape sequence: true if it was taken, false if it ended the sequence and must be processed. */
  private escape(c: number): boolean {
    if (c < SP || c === DEL) {
      this.esc = 0; // a control byte ends the sequence and counts as itself
      return false;
    }
    if (this.esc === 1) {
      this.esc = c === 0x5b || c === 0x4f ? 2 : 0; // ESC [ or ESC O; anything else: dropped with the ESC
      return true;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (this.escParam < 1000) this.escParam = this.escParam * 10 + (c - 0x30);
      return true;
    }
    if (c < 0x40) return true; // ';' and other parameter or intermediate bytes: skipped
    this.esc = 0;
    let key = c;
    if (c === 0x7e) key = [0, 0x48, 0, 0x33, 0x46, 0, 0, 0x48, 0x46][this.escParam] ?? 0; // 1~ 7~ Home, 4~ 8~ End, 3~ Delete
    if (key === 0x41) this.histUp();
    else if (key === 0x42) this.histDown();
    else if (key === 0x43) {
      if (this.cursor < this.lineLen) {
        const r = this.nextChar(this.cursor);
        this.outRange(this.cursor, r);
        this.cursor = r;
      }
    } else if (key === 0x44) {
      if (this.cursor > 0) {
        const q = this.prevChar(this.cursor);
        this.backs(this.cols(q, this.cursor));
        this.cursor = q;
      }
    } else if (key === 0x48) this.home();
    else if (key === 0x46) this.end();
    else if (key === 0x33) {
      if (this.cursor < this.lineLen) this.erase(this.cursor, this.nextChar(this.cursor));
    }
    return true;
  }

  /** Echoes one byte (if ECHO is on). */
  private out(b: number): void {
    if ((this.lflag & ECHO) !== 0) this.echo(b);
  }

  /** Echoes line[from, to). */
  private outRange(from: number, to: number): void {
    for (let i = from; i < to; i++) this.out(this.line[i]!);
  }

  /** Echoes n "\b" (cursor left n columns). */
  private backs(n: number): void {
    for (let i = 0; i < n; i++) this.out(BS);
  }

  /** Columns of line[from, to): its bytes that are not UTF-8 continuation bytes. */
  private cols(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (!isCont(this.line[i]!)) n++;
    return n;
  }

  /** The start of the character before offset p (> 0). */
  private prevChar(p: number): number {
    do p--; while (p > 0 && isCont(this.line[p]!));
    return p;
  }

  /** The end of the character at offset p (< lineLen). */
  private nextChar(p: number): number {
    do p++; while (p < this.lineLen && isCont(this.line[p]!));
    return p;
  }

  private home(): void {
    this.backs(this.cols(0, this.cursor));
    this.cursor = 0;
  }

  private end(): void {
    this.outRange(this.cursor, this.lineLen);
    this.cursor = this.lineLen;
  }

  /** Inserts byte c at the cursor (a bell if the line is full). */
  private insert(c: number): void {
    if (this.lineLen >= LINE_MAX - 1) {
      this.out(BEL);
      return;
    }
    const at = this.cursor;
    this.line.copyWithin(at + 1, at, this.lineLen);
    this.line[at] = c;
    this.lineLen++;
    this.cursor++;
    this.out(c);
    if (this.cursor === this.lineLen) return;
    // in the middle: redraw the tail once the character is complete
    if (c >= 0xc0) return; // a lead byte: its continuation bytes follow
    if (isCont(c)) {
      let s = at;
      while (s > 0 && isCont(this.line[s]!)) s--;
      const lead = this.line[s]!;
      const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      if (this.cursor - s < need) return;
    }
    this.outRange(this.cursor, this.lineLen);
    this.backs(this.cols(this.cursor, this.lineLen));
  }

  /** Erases line[q, r) (the cursor is at q or r): redraws the tail and blanks the freed columns. */
  private erase(q: number, r: number): void {
    const gone = this.cols(q, r);
    this.backs(this.cols(q, this.cursor));
    this.line.copyWithin(q, r, this.lineLen);
    this.lineLen -= r - q;
    this.cursor = q;
    this.outRange(q, this.lineLen);
    for (let i = 0; i < gone; i++) this.out(SP);
    this.backs(this.cols(q, this.lineLen) + gone);
  }

  /** Shows `len` bytes of `src` as the line instead of the current one; the cursor goes to its end. */
  private replace(src: Uint8Array, len: number): void {
    const old = this.cols(0, this.lineLen);
    this.backs(this.cols(0, this.cursor));
    this.line.set(src.subarray(0, len));
    this.lineLen = this.cursor = len;
    this.outRange(0, len);
    const now = this.cols(0, len);
    if (old > now) {
      for (let i = now; i < old; i++) this.out(SP);
      this.backs(old - now);
    }
  }

  private histUp(): void {
    if (this.histPos === 0) return;
    if (this.histPos === this.histN) {
      this.draft.set(this.line.subarray(0, this.lineLen));
      this.draftLen = this.lineLen;
    }
    this.histPos--;
    this.replace(this.hist.subarray(this.histPos * LINE_MAX), this.histLen[this.histPos]!);
  }

  private histDown(): void {
    if (this.histPos === this.histN) return;
    this.histPos++;
    if (this.histPos === this.histN) this.replace(this.draft, this.draftLen);
    else this.replace(this.hist.subarray(this.histPos * LINE_MAX), this.histLen[this.histPos]!);
  }

  /** Adds the line (not empty, not the newest entry again) to the history; browsing starts over. */
  private remember(): void {
    const n = this.lineLen;
    this.histPos = this.histN;
    if (n === 0) return;
    if (this.histN > 0 && this.histLen[this.histN - 1] === n) {
      const base = (this.histN - 1) * LINE_MAX;
      let same = true;
      for (let i = 0; i < n; i++) if (this.hist[base + i] !== this.line[i]) same = false;
      if (same) return;
    }
    if (this.histN === HIST_N) {
      this.hist.copyWithin(0, LINE_MAX);
      this.histLen.copyWithin(0, 1);
      this.histN--;
    }
    this.hist.set(this.line.subarray(0, n), this.histN * LINE_MAX);
    this.histLen[this.histN] = n;
    this.histN++;
    this.histPos = this.histN;
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
      if ((this.lflag & ICANON) === 0) {
        send = consume = Math.min(this.readyLen, this.rdCnt[0]!);
      } else if (this.ready[0] === EOF_MARK) {
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
