// Process calls of the microkernel: spawn_image (start a program whose bytes the caller holds, e.g.
// read from the file system), procinfo (the process table, for ps) and server_info (the manifest's
// servers and their restart policies, for the reincarnation server).
import { E } from "../names.ts";
import { PROCINFO, PSTATE, SERVERINFO, SERVERINFO_FLAGS } from "../protocol.ts";
import type { SyscallHandler } from "../syscall-contract.ts";
import { readArgv } from "./proc.ts";

/** Largest program image spawn_image accepts. */
const MAX_IMAGE = 4 * 1024 * 1024;
const MAX_NAME = 27;

/** spawn_image(image, len, argv, name): starts the ELF (or flat binary) at [image, image+len) as a child. */
export const sysSpawnImage: SyscallHandler = (k, p, imagePtr, len, argvPtr, namePtr) => {
  len >>>= 0; // registers arrive signed: 0x80000000 and above are lengths, not negative numbers
  if (len === 0 || len > MAX_IMAGE) return -E.NOEXEC;
  const bytes = new Uint8Array(len);
  if (!p.as.copyIn(imagePtr >>> 0, len, bytes)) return -E.FAULT;
  const name = p.as.readString(namePtr >>> 0, MAX_NAME + 1);
  if (name === null) return -E.FAULT;
  const argv = readArgv(p, argvPtr);
  if (typeof argv === "number") return argv;
  return k.spawnImage(name || "?", bytes, argv.length ? argv : [name], p);
};

/** procinfo(pid, buf): the entry of the process with the smallest pid ≥ `pid`; returns that pid, or 0. */
export const sysProcinfo: SyscallHandler = (k, p, pid, buf) => {
  const q = k.processAtOrAfter(pid | 0);
  if (!q) return 0;
  const rec = new Uint8Array(PROCINFO.size);
  const dv = new DataView(rec.buffer);
  dv.setUint32(PROCINFO.pid, q.pid, true);
  dv.setUint32(PROCINFO.ppid, q.parent ?? 0, true);
  dv.setUint32(PROCINFO.state, PSTATE[q.state], true);
  dv.setInt32(PROCINFO.nice, q.nice, true);
  rec.set(new TextEncoder().encode(q.name).subarray(0, PROCINFO.nameLen - 1), PROCINFO.name);
  dv.setUint32(PROCINFO.restarts, k.restarts(q.name), true);
  if (!k.touchUser(p, buf >>> 0, PROCINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return q.pid;
};

/**
 * server_info(index, buf): the index-th server of the boot manifest — name, pid (0: not running),
 * restarts and its restart policy — as a struct serverinfo; returns 1, or 0 past the last server.
 */
export const sysServerInfo: SyscallHandler = (k, p, index, buf) => {
  if ((index | 0) < 0) return -E.INVAL;
  const s = k.serverInfo(index | 0);
  if (!s) return 0;
  const rec = new Uint8Array(SERVERINFO.size);
  const dv = new DataView(rec.buffer);
  rec.set(new TextEncoder().encode(s.priv.name).subarray(0, SERVERINFO.nameLen - 1), SERVERINFO.name);
  dv.setUint32(SERVERINFO.pid, s.pid, true);
  dv.setUint32(SERVERINFO.restarts, s.restarts, true);
  dv.setUint32(SERVERINFO.restartMax, s.priv.restart?.max ?? 0, true);
  dv.setUint32(SERVERINFO.windowMs, s.priv.restart?.windowMs ?? 0, true);
  dv.setUint32(SERVERINFO.backoffMs, s.priv.backoffMs, true);
  dv.setUint32(SERVERINFO.heartbeatMs, s.priv.heartbeatMs, true);
  const flags = (s.priv.supervisor ? SERVERINFO_FLAGS.SUPERVISOR : 0) | (s.priv.device ? SERVERINFO_FLAGS.DEVICE : 0) | (s.inKernel ? SERVERINFO_FLAGS.IN_KERNEL : 0);
  dv.setUint32(SERVERINFO.flags, flags, true);
  if (!k.touchUser(p, buf >>> 0, SERVERINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return 1;
};
