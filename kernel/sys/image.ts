// Process calls of the microkernel: spawn_image (start a program whose bytes the caller holds, e.g.
// read from the file system) and procinfo (the process table, for ps).
import { E } from "../names.ts";
import { PROCINFO, PSTATE } from "../protocol.ts";
import type { SyscallHandler } from "../syscall-contract.ts";
import { readArgv } from "./proc.ts";

/** Largest program image spawn_image accepts. */
const MAX_IMAGE = 4 * 1024 * 1024;
const MAX_NAME = 27;

/** spawn_image(image, len, argv, name): starts the ELF (or flat binary) at [image, image+len) as a child. */
export const sysSpawnImage: SyscallHandler = (k, p, imagePtr, len, argvPtr, namePtr) => {
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
  if (!k.touchUser(p, buf >>> 0, PROCINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return q.pid;
};
