// Pipes: the "pipe" service, an in-kernel service in both shapes (docs/kernel.md, "Fork, pipes and
// signals", says why). A pipe is a bounded byte queue with one read end and one write end; the
// kernel keeps the descriptors (an end may be shared by fork and dup: kernel/files.ts counts the
// references) and tells the service when the last descriptor of an end is closed. The protocol is
// the same three words and payload as every service (kernel/protocol.ts):
//
//   PIPE_CREATE             reply w0 = the new pipe's id (≥ 1) or -ENFILE
//   PIPE_READ   w1 = id     reply w0 = bytes (payload = them, at most the reply capacity), 0 = end of
//                           file (the write end is closed and the pipe is empty); deferred while the
//                           pipe is empty and the write end is open
//   PIPE_WRITE  w1 = id     payload = bytes; reply w0 = bytes taken (≥ 1; as many as fit, but all
//                           or none of a payload up to PIPE_BUF), or -EPIPE if the read end is
//                           closed; deferred while the pipe has no room for them — the
//                           deferred answer is 0, "room now: write again" (the kernel then repeats
//                           the request with the bytes still to write)
//   PIPE_CLOSE  w1 = id, w2 = 0 read end / 1 write end   reply w0 = 0. Closing the write end answers
//                           every waiting reader 0 (EOF); closing the read end answers every waiting
//                           writer -EPIPE; when both ends are closed the pipe is freed
//   other                   -ENOSYS
//
// Waiting readers are served in arrival order. Nothing here allocates per request: replies reuse
// two objects (one for immediate answers, one for deferred ones) and two scratch buffers.
import { E } from "./abi/errno.ts";
import { MSG } from "./protocol.ts";
import type { KernelService, ServiceEnv, ServiceReply, ServiceRequest } from "./service.ts";

/** Bytes a pipe holds (Linux: 64 KiB). */
export const PIPE_SIZE = 16384;
/** The atomic write size (as Linux's): a write of at most this many bytes goes in whole or waits. */
export const PIPE_BUF = 4096;
/** Pipes that may exist at once. */
export const MAX_PIPES = 64;
/** The most waiting readers or writers per pipe (every process could wait on one pipe). */
const MAX_WAITERS = 64;

/** A bounded ring buffer of bytes: the pure part of a pipe. */
export class PipeBuffer {
  private readonly data: Uint8Array;
  private head = 0; // next byte to read
  private count = 0;

  constructor(readonly capacity = PIPE_SIZE) {
    this.data = new Uint8Array(capacity);
  }

  /** Bytes queued. */
  get length(): number {
    return this.count;
  }

  /** Bytes that fit. */
  get room(): number {
    return this.capacity - this.count;
  }

  /** Appends as much of `src` as fits; returns how many bytes were taken. */
  write(src: Uint8Array): number {
    const n = Math.min(src.length, this.capacity - this.count);
    let tail = (this.head + this.count) % this.capacity;
    const first = Math.min(n, this.capacity - tail);
    for (let i = 0; i < first; i++) this.data[tail + i] = src[i]!;
    tail = 0;
    for (let i = first; i < n; i++) this.data[i - first] = src[i]!;
    this.count += n;
    return n;
  }

  /** Copies up to `max` of the oldest bytes into `dst` without consuming them; returns how many. */
  peek(dst: Uint8Array, max: number): number {
    const n = Math.min(max, this.count, dst.length);
    const first = Math.min(n, this.capacity - this.head);
    for (let i = 0; i < first; i++) dst[i] = this.data[this.head + i]!;
    for (let i = first; i < n; i++) dst[i] = this.data[i - first]!;
    return n;
  }

  /** Drops the `n` oldest bytes (n ≤ length). */
  consume(n: number): void {
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
    if (this.count === 0) this.head = 0;
  }
}

/** One pipe: its bytes, which ends are open, who waits. */
class Pipe {
  readonly buf = new PipeBuffer();
  readerOpen = true;
  writerOpen = true;
  /** Waiting readers (client pids) and their capacities, oldest first. */
  readonly readers = new Int32Array(MAX_WAITERS);
  readonly readerCap = new Uint32Array(MAX_WAITERS);
  nReaders = 0;
  /** Waiting writers (client pids), oldest first, and the room each waits for (its payload up to PIPE_BUF, else 1). */
  readonly writers = new Int32Array(MAX_WAITERS);
  readonly writerNeed = new Uint32Array(MAX_WAITERS);
  nWriters = 0;
}

/** Removes entry `i` of a waiting list of `n` (returns the new length). */
function drop(list: Int32Array, caps: Uint32Array | null, n: number, i: number): number {
  list.copyWithin(i, i + 1, n);
  caps?.copyWithin(i, i + 1, n);
  return n - 1;
}

export class PipeService implements KernelService {
  readonly name = "pipe";
  readonly irqs: readonly number[] = [];
  private env: ServiceEnv | null = null;
  /** Pipes by id (index); id 0 is never used. */
  private readonly pipes: (Pipe | null)[] = new Array<Pipe | null>(MAX_PIPES + 1).fill(null);
  private readonly now: ServiceReply = { w0: 0, w1: 0, w2: 0, payload: null };
  private readonly later: ServiceReply = { w0: 0, w1: 0, w2: 0, payload: null };
  private readonly out = new Uint8Array(PIPE_SIZE);
  private readonly outLater = new Uint8Array(PIPE_SIZE);

  start(env: ServiceEnv): void {
    this.env = env;
  }

  /** Pipes that exist (for tests). */
  get open(): number {
    return this.pipes.reduce((n, p) => n + (p ? 1 : 0), 0);
  }

  request(req: ServiceRequest): ServiceReply | null {
    switch (req.w0) {
      case MSG.PIPE_CREATE: {
        const id = this.pipes.indexOf(null, 1);
        if (id < 0) return this.answer(-E.NFILE);
        this.pipes[id] = new Pipe();
        return this.answer(id);
      }
      case MSG.PIPE_READ: {
        const p = this.pipe(req.w1);
        if (!p) return this.answer(-E.BADF);
        if (p.buf.length > 0) {
          const n = p.buf.peek(this.out, req.replyCap);
          p.buf.consume(n);
          this.wakeWriters(p); // may re-enter (a writer's next request): `out` and `now` are filled after
          return this.answer(n, this.out.subarray(0, n));
        }
        if (!p.writerOpen) return this.answer(0);
        if (p.nReaders >= MAX_WAITERS) return this.answer(-E.AGAIN);
        p.readers[p.nReaders] = req.client;
        p.readerCap[p.nReaders++] = req.replyCap;
        return null;
      }
      case MSG.PIPE_WRITE: {
        const p = this.pipe(req.w1);
        if (!p) return this.answer(-E.BADF);
        if (!p.readerOpen) return this.answer(-E.PIPE);
        if (req.payload.length === 0) return this.answer(0);
        // Up to PIPE_BUF bytes go in whole, never interleaved with another writer's: wait for the room.
        const n = req.payload.length <= PIPE_BUF && p.buf.room < req.payload.length ? 0 : p.buf.write(req.payload);
        if (n === 0) {
          if (p.nWriters >= MAX_WAITERS) return this.answer(-E.AGAIN);
          p.writerNeed[p.nWriters] = req.payload.length <= PIPE_BUF ? req.payload.length : 1;
          p.writers[p.nWriters++] = req.client;
          return null;
        }
        this.serveReaders(p);
        return this.answer(n);
      }
      case MSG.PIPE_CLOSE: {
        const id = req.w1;
        const p = this.pipe(id);
        if (!p) return this.answer(-E.BADF);
        if (req.w2 === 0) {
          p.readerOpen = false;
          while (p.nWriters > 0) this.wake(p.writers[--p.nWriters]!, -E.PIPE);
        } else {
          p.writerOpen = false;
          while (p.nReaders > 0) this.wake(p.readers[--p.nReaders]!, 0);
        }
        if (!p.readerOpen && !p.writerOpen) this.pipes[id] = null;
        return this.answer(0);
      }
      default:
        return this.answer(-E.NOSYS);
    }
  }

  interrupt(_irq: number): void {}

  /** A waiting client ended: it leaves every waiting list. */
  cancel(client: number): void {
    for (const p of this.pipes) {
      if (!p) continue;
      for (let i = p.nReaders - 1; i >= 0; i--) if (p.readers[i] === client) p.nReaders = drop(p.readers, p.readerCap, p.nReaders, i);
      for (let i = p.nWriters - 1; i >= 0; i--) if (p.writers[i] === client) p.nWriters = drop(p.writers, p.writerNeed, p.nWriters, i);
    }
  }

  private pipe(id: number): Pipe | null {
    return id > 0 && id <= MAX_PIPES ? (this.pipes[id] ?? null) : null;
  }

  private answer(w0: number, payload: Uint8Array | null = null): ServiceReply {
    const r = this.now;
    r.w0 = w0;
    r.payload = payload;
    return r;
  }

  /** Answers a deferred request (w0 only). */
  private wake(client: number, w0: number): void {
    const r = this.later;
    r.w0 = w0;
    r.payload = null;
    this.env?.reply(client, r);
  }

  /** Hands queued bytes to waiting readers, oldest first (a reader that has gone away takes nothing). */
  private serveReaders(p: Pipe): void {
    while (p.nReaders > 0 && p.buf.length > 0) {
      const client = p.readers[0]!;
      const n = p.buf.peek(this.outLater, p.readerCap[0]!);
      p.nReaders = drop(p.readers, p.readerCap, p.nReaders, 0);
      const r = this.later;
      r.w0 = n;
      r.payload = this.outLater.subarray(0, n);
      if (this.env?.reply(client, r)) p.buf.consume(n);
    }
  }

  /** There is room: every waiting writer is told to write again (oldest first). */
  private wakeWriters(p: Pipe): void {
    // Oldest first, while the room suffices for the oldest; a woken writer may write again at once
    // (re-entering here) or wait again at the end: each waiter is looked at once per call.
    for (let n = p.nWriters; n > 0 && p.nWriters > 0 && p.buf.room >= p.writerNeed[0]!; n--) {
      const client = p.writers[0]!;
      p.nWriters = drop(p.writers, p.writerNeed, p.nWriters, 0);
      this.wake(client, 0);
    }
  }
}
