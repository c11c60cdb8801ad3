// Synchronous rendezvous IPC (send / receive / reply / call) and asynchronous notifications.
// A message is three words plus a payload of up to IPC_MAX bytes that the kernel copies from the
// sender's address space straight into the receiver's, both walked through the page tables. Every
// operation is traced as an `ipc` event. Semantics: docs/microkernel.md.
import type { Machine } from "../emulator/machine.ts";
import type { Process, WaitReason } from "./process.ts";
import { E } from "./names.ts";
import { FRAME } from "./layout.ts";
import { ENDPOINT, IPC_MAX, MSG } from "./protocol.ts";
import { PAGE } from "./frames.ts";
import { IPC_OPS } from "./trace/records.ts";
import type { TraceRecorder } from "./trace/recorder.ts";

import { NO_PA } from "./user-memory.ts";
import { BLOCKED } from "./syscall-contract.ts";
import { pagesSpanned, type CostMeter } from "./cost-model.ts";

// A checked buffer carries its physical address (or NO_PA) from the system call to the copy; a
// process's mappings cannot change while it is blocked in IPC, so the address stays valid.

/** What the IPC engine needs from the kernel: memory, the trace, and the dispatcher's block/wake. */
export interface IpcHost {
  readonly machine: Machine;
  readonly trace: TraceRecorder | undefined;
  block(p: Process, wait: WaitReason): void;
  complete(p: Process, value: number): void;
  handOffTo(p: Process): void;
  /** A message (not a notification) was delivered to `d` (fault injection counts a server's requests). */
  delivered?(d: Process): void;
  /**
   * `server` ended while `p` waited on a kernel-made request to it: true if the kernel keeps the
   * request to send it again when the server is restarted (p stays blocked), false to fail it now.
   */
  park?(p: Process, server: Process): boolean;
  /** The cost model's meter (messages, copies), if the kernel charges kernel work to virtual time. */
  readonly cost?: CostMeter;
}

/** What a process is blocked in, IPC-wise. */
export const enum IpcOp {
  none = 0,
  sending = 1, // blocked until `peer` receives its message
  receiving = 2, // blocked until a message (or notification) arrives
  awaiting = 3, // its message was delivered; blocked until `peer` replies
}

/**
 * A request the kernel makes on a process's behalf (a POSIX call turned into IPC): `done` turns the
 * reply words (or an IPC error) into the system call's result — or makes the next request of a
 * call that needs several (execve reads a file) and returns BLOCKED: the caller keeps waiting.
 */
export interface KernelRequest {
  done(w0: number, w1: number, w2: number, bytes: number): number;
  failed(err: number): number;
  /** When set, the reply's payload goes into these kernel bytes instead of the caller's memory. */
  readonly into?: Uint8Array;
}

/** Per-process IPC state. */
export class IpcEndpoint {
  op: IpcOp = IpcOp.none;
  /** sending / awaiting: the other party. */
  peer: Process | null = null;
  /** receiving: ANY, HARDWARE or a pid. */
  from = 0;
  /** The outgoing message (while sending). */
  w0 = 0;
  w1 = 0;
  w2 = 0;
  /**
   * Payload source: user memory [srcVa, srcVa+srcLen), or kernel bytes when srcKernel is set.
   * srcPa is its physical address when the kernel checked that it lies in one page, else NO_PA.
   */
  srcVa = 0;
  srcLen = 0;
  srcPa = NO_PA;
  srcKernel: Uint8Array | null = null;
  /** Where an arriving payload goes (receive buffer, or the reply buffer of a call); bufPa as srcPa. */
  bufVa = 0;
  bufCap = 0;
  bufPa = NO_PA;
  /** A call (expects a reply) rather than a send. */
  isCall = false;
  /** Set when the kernel made this request on the process's behalf. */
  request: KernelRequest | null = null;
  /** The reply of a kernel-made request goes here instead of [bufVa, bufVa+bufCap) (KernelRequest.into). */
  bufKernel: Uint8Array | null = null;
  /** Processes blocked sending to this one, in arrival order. */
  readonly queue: Process[] = [];
  /** Pending notification bits. */
  pending = 0;
  /** The last process this one was allowed to send to (see `target` in sys/ipc.ts). */
  lastTarget: Process | null = null;

  /** The kernel already sent this message again after its server died (it is not repeated twice). */
  resent = false;

  /** Stores the outgoing message: three words and its payload (user memory or kernel bytes). */
  setMessage(w0: number, w1: number, w2: number, srcVa: number, srcLen: number, srcPa: number, srcKernel: Uint8Array | null): void {
    this.resent = false;
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.srcVa = srcVa;
    this.srcLen = srcLen;
    this.srcPa = srcPa;
    this.srcKernel = srcKernel;
  }

  /** Where the next arriving payload (a message, or the reply to a call) goes. */
  setBuffer(va: number, cap: number, pa: number): void {
    this.bufVa = va;
    this.bufCap = cap;
    this.bufPa = pa;
  }
}

/** The one wait reason of every process blocked in IPC (shared: blocking allocates nothing). */
const WAIT_IPC: WaitReason = Object.freeze({ kind: "ipc" });

/** Trace op codes (the recorder's compact `ipc` record). */
export const IPC_TRACE_OPS = IPC_OPS;
/** Payloads up to this many bytes are copied by hand (cheaper than copyWithin's set-up). */
const SMALL_COPY = 64;
const T_SEND = 0, T_RECEIVE = 1, T_REPLY = 2, T_NOTIFY = 3;

/** The IPC engine. It never allocates on the message path. */
export class Ipc {
  /** The kernel's trace recorder, or undefined while nothing is recorded (see Kernel.setTraceRecording). */
  tr: TraceRecorder | undefined;

  constructor(private readonly k: IpcHost) {
    this.tr = k.trace;
  }

  /**
   * Sends `s`'s message (already stored in s.ipc: words, payload source, call flag, reply buffer) to
   * `d`. Returns 0 when the send completed at once, BLOCKED-style `null` when `s` now waits, or -errno.
   */
  send(s: Process, d: Process): number | null {
    // LAB ipc: BEGIN
    if (d.state === "zombie") return -E.SRCH;
    if (this.wouldDeadlock(s, d)) return -E.DEADLK;
    const se = s.ipc, de = d.ipc;
    se.peer = d;
    this.k.cost?.message();
    if (d.state === "blocked" && de.op === IpcOp.receiving && (de.from === ENDPOINT.ANY || de.from === s.pid)) {
      const bytes = this.copyPayload(s, d);
      this.traceIpc(s.pid, T_SEND, s.pid, d.pid, bytes);
      this.deliver(s, d, bytes, 0);
      return this.afterDelivery(s);
    }
    this.traceIpc(s.pid, T_SEND, s.pid, d.pid, 0);
    se.op = IpcOp.sending;
    de.queue.push(s);
    this.k.block(s, WAIT_IPC);
    return null;
    // LAB ipc: HANDOUT
    // // TODO(lab ipc): see LAB.md, step 1 — deliver to a waiting receiver, or queue and block.
    // return -E.NOSYS;
    // LAB ipc: END
  }

  /**
   * `r` receives from `from` (ANY, HARDWARE or a pid) into [buf, buf+cap). Returns the source
   * endpoint when something was waiting (registers written), or null when `r` now blocks.
   */
  receive(r: Process, from: number, buf: number, cap: number, bufPa: number): number | null {
    // LAB ipc: BEGIN
    const re = r.ipc;
    re.setBuffer(buf, cap, bufPa);
    if (re.pending !== 0 && (from === ENDPOINT.ANY || from === ENDPOINT.HARDWARE)) return this.deliverNotification(r);
    if (from !== ENDPOINT.HARDWARE) {
      const q = re.queue;
      for (let i = 0; i < q.length; i++) {
        const s = q[i]!;
        if (from !== ENDPOINT.ANY && s.pid !== from) continue;
        q.splice(i, 1);
        const bytes = this.copyPayload(s, r);
        s.ipc.op = IpcOp.none;
        this.deliver(s, r, bytes, bytes);
        const result = this.afterDelivery(s);
        if (result !== null) this.k.complete(s, result);
        return s.pid;
      }
    }
    re.op = IpcOp.receiving;
    re.from = from;
    this.k.block(r, WAIT_IPC);
    return null;
    // LAB ipc: HANDOUT
    // // TODO(lab ipc): see LAB.md, step 2 — take a pending notification or a queued sender. Today a
    // // receive only waits: notifications still arrive (notify), messages never do.
    // r.ipc.setBuffer(buf, cap, bufPa);
    // r.ipc.op = IpcOp.receiving;
    // r.ipc.from = from;
    // this.k.block(r, WAIT_IPC);
    // return null;
    // LAB ipc: END
  }

  /**
   * `r` replies to `c`, which must be awaiting a reply from `r`; the payload is [srcVa, srcVa+srcLen)
   * of `r` (srcPa: see NO_PA). Returns 0 or -errno; never blocks.
   */
  reply(r: Process, c: Process, w0: number, w1: number, w2: number, srcVa: number, srcLen: number, srcPa: number): number {
    // LAB ipc: BEGIN
    const ce = c.ipc;
    if (c.state !== "blocked" || ce.op !== IpcOp.awaiting || ce.peer !== r) return -E.INVAL;
    const n = Math.min(srcLen, ce.bufCap);
    const into = ce.bufKernel;
    const bytes = n <= 0 ? 0 : into ? (r.as.copyIn(srcVa, Math.min(n, into.length), into) ? Math.min(n, into.length) : 0) : srcPa >= 0 && ce.bufPa >= 0 ? this.copyPhys(ce.bufPa, srcPa, n) : this.copyUser(r, srcVa, c, ce.bufVa, n);
    ce.bufKernel = null;
    this.traceIpc(r.pid, T_REPLY, r.pid, c.pid, bytes);
    const cost = this.k.cost;
    if (cost) {
      cost.message();
      cost.copy(bytes, pagesSpanned(srcVa, bytes) + pagesSpanned(ce.bufVa, bytes));
    }
    ce.op = IpcOp.none;
    ce.peer = null;
    const req = ce.request;
    if (req) {
      ce.request = null;
      const result = req.done(w0, w1, w2, bytes);
      if (result !== BLOCKED) this.k.complete(c, result); // BLOCKED: the call made its next request
    } else {
      this.setWords(c, w0, w1, w2, bytes);
      this.k.complete(c, 0);
    }
    this.k.handOffTo(c);
    return 0;
    // LAB ipc: HANDOUT
    // // TODO(lab ipc): see LAB.md, step 3 — copy the reply, complete the caller.
    // return -E.NOSYS;
    // LAB ipc: END
  }

  /** ORs notification `bits` into `d`'s pending set and wakes it if it waits for them. */
  notify(src: number, d: Process, bits: number): void {
    if (d.state === "zombie") return;
    const de = d.ipc;
    de.pending |= bits;
    // A kernel notification (IRQ, alarm) is an event of the process it is for.
    this.traceIpc(src < 0 ? d.pid : src, T_NOTIFY, src < 0 ? -1 : src, d.pid, 0);
    this.k.cost?.message();
    if (d.state === "blocked" && de.op === IpcOp.receiving && (de.from === ENDPOINT.ANY || de.from === ENDPOINT.HARDWARE)) {
      de.op = IpcOp.none;
      this.k.complete(d, this.deliverNotification(d));
    }
  }

  /** Cleans up after `x` ended: its senders and callers get -ESRCH, it leaves any queue it was in. */
  processEnded(x: Process, everyone: Iterable<Process>): void {
    const xe = x.ipc;
    if (xe.op === IpcOp.sending && xe.peer) {
      const q = xe.peer.ipc.queue;
      const i = q.indexOf(x);
      if (i >= 0) q.splice(i, 1);
    }
    xe.op = IpcOp.none;
    xe.peer = null;
    for (const s of xe.queue) this.fail(s, -E.SRCH, x);
    xe.queue.length = 0;
    for (const c of everyone) if (c !== x && c.state === "blocked" && c.ipc.op === IpcOp.awaiting && c.ipc.peer === x) this.fail(c, -E.SRCH, x);
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** True if `s` sending to `d` would close a cycle of processes blocked on each other. */
  private wouldDeadlock(s: Process, d: Process): boolean {
    // LAB ipc: BEGIN
    let x: Process | null = d;
    for (let hops = 0; x && hops < 1024; hops++) {
      if (x === s) return true;
      if (x.state !== "blocked" || (x.ipc.op !== IpcOp.sending && x.ipc.op !== IpcOp.awaiting)) return false;
      x = x.ipc.peer;
    }
    return false;
    // LAB ipc: HANDOUT
    // // TODO(lab ipc): see LAB.md, step 5 — follow the chain of blocked senders and callers.
    // return false;
    // LAB ipc: END
  }

  /** Completes a blocked sender/caller with an IPC error. */
  private fail(p: Process, err: number, ended?: Process): void {
    const e = p.ipc;
    e.op = IpcOp.none;
    e.peer = null;
    if (ended && e.request && p.state === "blocked" && this.k.park?.(p, ended)) return; // sent again after a restart
    const req = e.request;
    e.request = null;
    e.bufKernel = null;
    if (p.state === "blocked") this.k.complete(p, req ? req.failed(err) : err);
  }

  /**
   * The message of `s` arrived at `d` (payload already copied: `bytes`, of which `tracedBytes` are
   * attributed to this receive event): `d`'s registers and state.
   */
  private deliver(s: Process, d: Process, bytes: number, tracedBytes: number): void {
    const se = s.ipc, de = d.ipc;
    this.traceIpc(d.pid, T_RECEIVE, s.pid, d.pid, tracedBytes);
    this.k.delivered?.(d);
    this.setWords(d, se.w0, se.w1, se.w2, bytes);
    if (d.state === "blocked" && de.op === IpcOp.receiving) {
      de.op = IpcOp.none;
      this.k.complete(d, s.pid);
      this.k.handOffTo(d);
    }
  }

  /** After delivery: a call now awaits its reply (null); a send completes (0). */
  private afterDelivery(s: Process): number | null {
    const se = s.ipc;
    if (se.isCall) {
      se.op = IpcOp.awaiting;
      if (s.state !== "blocked") this.k.block(s, WAIT_IPC);
      return null;
    }
    se.op = IpcOp.none;
    se.peer = null;
    return 0;
  }

  /** Hands `r` its pending notifications; returns HARDWARE (the source). */
  private deliverNotification(r: Process): number {
    const bits = r.ipc.pending;
    r.ipc.pending = 0;
    this.traceIpc(r.pid, T_RECEIVE, -1, r.pid, 0);
    this.setWords(r, MSG.NOTIFY, bits, 0, 0);
    return ENDPOINT.HARDWARE;
  }

  /** Copies the pending payload of `s` into `d`'s buffer (cut to its capacity); returns bytes copied. */
  private copyPayload(s: Process, d: Process): number {
    const se = s.ipc, de = d.ipc;
    const n = Math.min(se.srcLen, de.bufCap, IPC_MAX);
    if (n <= 0) return 0;
    this.k.cost?.copy(n, (se.srcKernel ? 0 : pagesSpanned(se.srcVa, n)) + pagesSpanned(de.bufVa, n));
    const k = se.srcKernel;
    if (k) return d.as.copyOut(de.bufVa, k.subarray(0, n)) ? n : 0;
    if (se.srcPa >= 0 && de.bufPa >= 0) return this.copyPhys(de.bufPa, se.srcPa, n);
    return this.copyUser(s, se.srcVa, d, de.bufVa, n);
  }

  /** Copies n bytes between two checked one-page buffers by physical address; returns n. */
  private copyPhys(dpa: number, spa: number, n: number): number {
    const m = this.k.machine;
    if (n > SMALL_COPY) m.mem8.copyWithin(dpa, spa, spa + n);
    else if (((dpa | spa | n) & 3) === 0) {
      const mem32 = m.mem32;
      for (let i = dpa >>> 2, j = spa >>> 2, end = (dpa + n) >>> 2; i < end; i++, j++) mem32[i] = mem32[j]!;
    } else {
      const mem = m.mem8;
      for (let i = 0; i < n; i++) mem[dpa + i] = mem[spa + i]!;
    }
    return n;
  }

  /** Copies n bytes between two address spaces page by page (no allocation); 0 if a page is missing. */
  private copyUser(s: Process, sva: number, d: Process, dva: number, n: number): number {
    // LAB ipc: BEGIN
    const mem = this.k.machine.mem8;
    let done = 0;
    while (done < n) {
      const spa = s.as.translate(sva + done, false);
      const dpa = d.as.translate(dva + done, true);
      if (spa < 0 || dpa < 0) return done;
      const chunk = Math.min(n - done, PAGE - (spa & 0xfff), PAGE - (dpa & 0xfff));
      mem.copyWithin(dpa, spa, spa + chunk);
      done += chunk;
    }
    return done;
    // LAB ipc: HANDOUT
    // // TODO(lab ipc): see LAB.md, step 4 — page by page through both page tables.
    // return 0;
    // LAB ipc: END
  }

  /** Writes a received message's words into the receiver's saved registers (ECX, EDX, EBP, EDI). */
  private setWords(p: Process, w0: number, w1: number, w2: number, bytes: number): void {
    const mem32 = this.k.machine.mem32;
    const f = p.frame >>> 2; // trap frames are word-aligned
    mem32[f + (FRAME.ecx >> 2)] = w0;
    mem32[f + (FRAME.edx >> 2)] = w1;
    mem32[f + (FRAME.ebp >> 2)] = w2;
    mem32[f + (FRAME.edi >> 2)] = bytes;
  }

  private traceIpc(pid: number, op: number, src: number, dst: number, bytes: number): void {
    const tr = this.tr;
    if (!tr) return;
    tr.ipc(pid, op, src, dst, bytes);
  }
}
