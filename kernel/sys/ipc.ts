// IPC system calls: send, receive, reply, call, reply_recv, notify, lookup (docs/microkernel.md).
// Registers: EBX endpoint, ECX/EDX/EBP the three words, ESI the payload buffer, EDI its length.
import { E } from "../names.ts";
import { FRAME } from "../layout.ts";
import { ENDPOINT, IPC_MAX, NOTIFY } from "../protocol.ts";
import { BLOCKED, type SyscallHandler } from "../syscalls.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process.ts";

const MAX_NAME = 15;

/** The saved EBP of the caller (the third message word). */
function ebp(k: Kernel, p: Process): number {
  return k.machine.read32(p.frame + FRAME.ebp);
}

/** The live process `ep` names, or -ESRCH; -EPERM if the manifest does not let `p` send to it. */
function target(k: Kernel, p: Process, ep: number): Process | number {
  const d = ep > 0 ? k.process(ep) : undefined;
  if (!d || d.state === "zombie") return -E.SRCH;
  if (!p.priv || !d.priv || !p.priv.send.includes(d.priv.name)) return -E.PERM;
  return d;
}

/** Stores an outgoing message in p.ipc and sends it; returns the syscall result. */
function sendMessage(k: Kernel, p: Process, dst: number, w0: number, w1: number, w2: number, buf: number, len: number, call: boolean, cap: number): number {
  const d = target(k, p, dst);
  if (typeof d === "number") return d;
  if (len > IPC_MAX || cap > IPC_MAX) return -E.INVAL;
  // The payload is read from and the reply written to `buf`: usually one walk covers both.
  if (cap > 0 && !k.touchUser(p, buf, cap, true)) return -E.FAULT;
  if (len > cap && !k.touchUser(p, buf, len, false)) return -E.FAULT;
  const e = p.ipc;
  e.w0 = w0; e.w1 = w1; e.w2 = w2;
  e.srcVa = buf; e.srcLen = len; e.srcKernel = null;
  e.bufVa = buf; e.bufCap = cap;
  e.isCall = call;
  e.request = null;
  const r = k.ipc.send(p, d);
  return r === null ? BLOCKED : r;
}

/** Receives into [buf, buf+cap); returns the source or BLOCKED. */
function receiveMessage(k: Kernel, p: Process, from: number, buf: number, cap: number): number {
  if (from !== ENDPOINT.ANY && from !== ENDPOINT.HARDWARE) {
    const s = from > 0 ? k.process(from) : undefined;
    if (!s || s.state === "zombie") return -E.SRCH;
  }
  if ((cap | 0) < 0) return -E.INVAL;
  const c = Math.min(cap, IPC_MAX);
  if (c > 0 && !k.touchUser(p, buf, c, true)) return -E.FAULT;
  const r = k.ipc.receive(p, from, buf, c);
  return r === null ? BLOCKED : r;
}

/** Replies to `dst`; returns 0 or -errno. */
function replyMessage(k: Kernel, p: Process, dst: number, w0: number, w1: number, w2: number, buf: number, len: number): number {
  const c = dst > 0 ? k.process(dst) : undefined;
  if (!c || c.state === "zombie") return -E.SRCH;
  if (len > IPC_MAX) return -E.INVAL;
  if (len > 0 && !k.touchUser(p, buf, len, false)) return -E.FAULT;
  return k.ipc.reply(p, c, w0, w1, w2, buf, len);
}

/** ipc_send(dst, w0, w1, w2=EBP, buf, len): blocks until dst receives. */
export const sysIpcSend: SyscallHandler = (k, p, dst, w0, w1, buf, len) => sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len >>> 0, false, 0);

/** ipc_receive(from, -, -, buf, cap): the next message from `from` (ANY, HARDWARE or a pid). */
export const sysIpcReceive: SyscallHandler = (k, p, from, _w0, _w1, buf, cap) => receiveMessage(k, p, from | 0, buf >>> 0, cap);

/** ipc_reply(dst, w0, w1, w2=EBP, buf, len): answers a caller; never blocks. */
export const sysIpcReply: SyscallHandler = (k, p, dst, w0, w1, buf, len) => replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, len >>> 0);

/** ipc_call(dst, w0, w1, w2=EBP, buf, len | cap << 16): send, then wait for the reply into buf. */
export const sysIpcCall: SyscallHandler = (k, p, dst, w0, w1, buf, lens) =>
  sendMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, lens & 0xffff, true, lens >>> 16);

/** ipc_reply_recv(dst or 0, w0, w1, w2=EBP, buf, len | cap << 16): reply (errors dropped), then receive from ANY. */
export const sysIpcReplyRecv: SyscallHandler = (k, p, dst, w0, w1, buf, lens) => {
  if (dst !== 0) replyMessage(k, p, dst | 0, w0, w1, ebp(k, p), buf >>> 0, lens & 0xffff);
  return receiveMessage(k, p, ENDPOINT.ANY, buf >>> 0, lens >>> 16);
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
  const s = k.server(name);
  return s ? s.pid : -E.SRCH;
};
