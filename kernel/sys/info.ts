// Information calls: uptime (virtual milliseconds since the machine started) and sysinfo (a snapshot
// of the machine for a user struct). They are the solution of the `syscall` lab (labs/syscall/README.md):
// the code between the `LAB syscall` markers is cut out of a student's handout.
import { PAGE } from "../frames.ts";
import { E } from "../names.ts";
import type { KernelApi } from "../kernel-api.ts";
import type { SyscallHandler } from "../syscall-contract.ts";

/** struct sysinfo as a program sees it: three little-endian 32-bit words (12 bytes). */
export const SYSINFO = {
  /** virtual milliseconds since boot (what uptime returns) */
  uptimeMs: 0,
  /** free physical memory in bytes (free 4 KiB frames × 4096) */
  freeMem: 4,
  /** processes alive (not zombies), in-kernel service tasks included: what `ps` lists */
  procs: 8,
  size: 12,
} as const;

/** Free physical memory in bytes, from the kernel's frame allocator. */
export function freeMemory(k: KernelApi): number {
  // The kernel (kernel/kernel.ts) exposes `freeFrames`; KernelApi does not name it, so ask by name.
  const frames = "freeFrames" in k ? Number((k as KernelApi & { freeFrames: number }).freeFrames) : 0;
  return frames * PAGE;
}

/** The processes alive (not zombies), service tasks included, as `ps` would list them. */
export function processCount(k: KernelApi): number {
  let n = 0;
  for (let q = k.processAtOrAfter(1); q; q = k.processAtOrAfter(q.pid + 1)) if (q.state !== "zombie") n++;
  return n;
}

// LAB syscall: BEGIN
/** uptime(): virtual milliseconds since the machine started (whole ms, rounded down). */
export const sysUptime: SyscallHandler = (k) => Math.floor(k.nowMs());

/** sysinfo(buf): fills the struct sysinfo at `buf` (SYSINFO); 0, or -EFAULT if the caller may not write it. */
export const sysSysinfo: SyscallHandler = (k, p, buf) => {
  const rec = new Uint8Array(SYSINFO.size);
  const dv = new DataView(rec.buffer);
  dv.setUint32(SYSINFO.uptimeMs, Math.floor(k.nowMs()) >>> 0, true);
  dv.setUint32(SYSINFO.freeMem, freeMemory(k) >>> 0, true);
  dv.setUint32(SYSINFO.procs, processCount(k), true);
  // Never trust a user pointer: touchUser refuses kernel and unmapped memory (and maps heap or stack
  // pages first, as touching them would); copyOut writes through the caller's page tables.
  if (!k.touchUser(p, buf >>> 0, SYSINFO.size, true) || !p.as.copyOut(buf >>> 0, rec)) return -E.FAULT;
  return 0;
};
// LAB syscall: HANDOUT
// /** uptime(): virtual milliseconds since the machine started. TODO(lab syscall): see LAB.md, step 1. */
// export const sysUptime: SyscallHandler = () => -E.NOSYS;
//
// /** sysinfo(buf): fills the struct sysinfo at `buf` (SYSINFO). TODO(lab syscall): see LAB.md, step 2. */
// export const sysSysinfo: SyscallHandler = () => -E.NOSYS;
// LAB syscall: END
