// IPC system calls: send, receive, reply, call, reply_recv, notify, lookup (docs/microkernel.md).
// Registers: EBX endpoint, ECX/EDX/EBP the three words, ESI the payload buffer, EDI its length.
// call and reply_recv are the hot pair of every client/server exchange: each checks its one buffer
// once (for the payload going out and the one coming back) and passes its physical address on.
import { E } from "../names.ts";
import { FRAME } from "../layout.ts";
import { BAD_BUFFER, NO_PA } from "../user-memory.ts";
import { ENDPOINT, IPC_MAX, NOTIFY } from "../protocol.ts";
import { BLOCKED, type SyscallHandler } from "../syscall-contract.ts";
import type { KernelApi } from "../kernel-api.ts";
import type { Process } from "../process.ts";

const MAX_NAME = 15;

/** The saved EBP of the caller (the third message word). */
function ebp(k: KernelApi, p: Process): number {
  return k.savedRegister(p, FRAME.ebp);
}

/**
 * The live process `ep` names, or -ESRCH; -EPERM if the manifest does not let `p` send to it (a
 * server may always reach the supervisor and the supervisor every server). The
 * last allowed target is remembered (pids are never reused, and a live server's rights never change),
 * so a client calling the same server again skips the lookup and the rights check.
 */
function target(k: KernelApi, p: Process, ep: number): Process | number {
  const last = p.ipc.lastTarget;
  if (last !== null && last.pid === ep && last.state !== "zombie") return last;
  const d = ep > 0 ? k.process(ep) : undefined;
  if (!d || d.state === "zombie") return -E.SRCH;
  if (!p.priv || !d.priv || !(p.priv.send.includes(d.priv.name) || p.priv.supervisor || d.priv.supervisor)) return -E.PERM;
  p.ipc.lastTarget = d;
  return d;
}

/**
 * Checks `p`'s buffer for a payload going out ([buf, buf+len), read) and one coming back
 * ([buf, buf+cap), written). Each one's physical address (or NO_PA, or BAD_BUFFER) is left in
 * p.ipc.srcPa and p.ipc.bufPa; in the usual case (len ≤ cap) one page-table walk answers both.
 */
function checkBuffers(k: KernelApi, p: Process, buf: number, len: number, cap: number): void {
  const e = p.ipc;
  if (len <= cap) {
    e.bufPa = k.userBuffer(p, buf, cap, true);
    e.srcPa = len === 0 ? NO_PA : e.bufPa !== BAD_BUFFER ? e.bufPa : k.userBuffer(p, buf, len, false);
  } else {
    e.srcPa = k.userBuffer(p, buf, len, false);
    e.bufPa = k.userBuffer(p, buf, cap, true);
  }
}

/**
 * Stores an outgoing message in p.ipc and sends it; returns the syscall result. The payload
 * [buf, buf+len) is read from and a call's reply (up to `cap` bytes) written to the same buffer.
 */
function sendMessage(k: KernelApi, p: Process, dst: number, w0: number, w1: number, w2: number, buf: number, len: number, call: boolean, cap: number): number {
  const d = target(k, p, dst);
  if (typeof d === "number") return d;
  if (len > IPC_MAX || cap > IPC_MAX) return -E.INVAL;
  checkBuffers(k, p, buf, len, cap);
  const e = p.ipc;
  if (e.srcPa === BAD_BUFFER || e.bufPa === BAD_BUFFER) return -E.FAULT;
  e.setMessage(w0, w1, w2, buf, len, e.srcPa, null);
  e.setBuffer(buf, cap, e.bufPa);
  e.isCall = call;
  e.request = null;
  const r = k.ipc.send(p, d);
  return r === null ? BLOCKED : r;
}

/** -ESRCH if `from` names a process that is not alive (ANY and HARDWARE always exist), else 0. */
function badSource(k: KernelApi, from: number): number {
  if (from === ENDPOINT.ANY || from === ENDPOINT.HARDWARE) return 0;
  const s = from > 0 ? k.process(from) : undefined;
  return !s || s.state === "zombie" ? -E.SRCH : 0;
}

/** Receives into [buf, buf+cap) (bufPa: its checked physical address, see NO_PA); returns the source or BLOCKED. */
function receiveMessage(k: KernelApi, p: Process, from: number, buf: number, cap: number, bufPa: number): number {
  const r = k.ipc.receive(p, from, buf, cap, bufPa);
  return r === null ? BLOCKED : r;
}

/** Replies to `dst` with [buf, buf+len) (bufPa: its checked address, see NO_PA); returns 0 or -errno. */
function replyMessage(k: KernelApi, p: Process, dst: number, w0: number, w1: number, w2: number, buf: number, len: number, bufPa: number): number {
  const c = dst > 0 ? k.process(dst) : undefined;
  if (!c || c.state === "zombie") return -E.SRCH;
  if (len > IPC_MAX) return -E.INVAL;
  if (bufPa === BAD_BUFFER) return -E.FAULT;
  return k.ipc.reply(p, c, w0, w1, w2, buf, len, bufPa);
}

/** ipc_send(dst, w0, w1, w2=EBP, buf, len): blocks until dst receives. */
export const sysIpcSend: SyscallHandler = (k, p, dst, w0, w1, buf, len) => sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len >>> 0, false, 0);

/** ipc_receive(from, -, -, buf, cap): the next message from `from` (ANY, HARDWARE or a pid). */
export const sysIpcReceive: SyscallHandler = (k, p, from, _w0, _w1, buf, cap) => {
  const err = badSource(k, from | 0);
  if (err) return err;
  if ((cap | 0) < 0) return -E.INVAL;
  const c = Math.min(cap, IPC_MAX);
  const pa = k.userBuffer(p, buf >>> 0, c, true);
  if (pa === BAD_BUFFER) return -E.FAULT;
  return receiveMessage(k, p, from | 0, buf >>> 0, c, pa);
};

/** ipc_reply(dst, w0, w1, w2=EBP, buf, len): answers a caller; never blocks. */
export const sysIpcReply: SyscallHandler = (k, p, dst, w0, w1, buf, len) => {
  len >>>= 0;
  const pa = len <= IPC_MAX ? k.userBuffer(p, buf >>> 0, len, false) : NO_PA;
  return replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len, pa);
};

/** ipc_call(dst, w0, w1, w2=EBP, buf, len | cap << 16): send, then wait for the reply into buf. */
export const sysIpcCall: SyscallHandler = (k, p, dst, w0, w1, buf, lens) =>
  sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, lens & 0xffff, true, lens >>> 16);

/**
 * ipc_reply_recv(dst or 0, w0, w1, w2=EBP, buf, len | cap << 16): reply (errors dropped), then
 * receive from ANY into the same buffer.
 */
export const sysIpcReplyRecv: SyscallHandler = (k, p, dst, w0, w1, buf, lens) => {
  buf >>>= 0;
  const len = lens & 0xffff, cap = Math.min(lens >>> 16, IPC_MAX);
  checkBuffers(k, p, buf, len <= IPC_MAX ? len : 0, cap);
  const e = p.ipc;
  const bufPa = e.bufPa;
  if (dst !== 0) replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf, len, e.srcPa);
  if (bufPa === BAD_BUFFER) return -E.FAULT;
  return receiveMessage(k, p, ENDPOINT.ANY, buf, cap, bufPa);
};

/** ipc_notify(dst, bits): ORs user bits (17–31) into dst's pending notifications. */
export const sysIpcNotify: SyscallHandler = (k, p, dst, bits) => {
  if (bits === 0 || (bits & ~NOTIFY.USER_MASK) !== 0) return -E.INVAL;
  const d = target(k, p, dst | 0);
  if (typeof d === "number") return d;
  k.ipc.notify(p.pid, d, bits >>> 0);
  return 0;
};

/** ipc_lookup(name): the endpoint of the running server with that manifest name. */
export const sysIpcLookup: SyscallHandler = (k, p, namePtr) => {
  const name = p.as.readString(namePtr >>> 0, MAX_NAME + 1);
  if (name === null) return -E.FAULT;
  return k.serviceEndpoint(name);
};
