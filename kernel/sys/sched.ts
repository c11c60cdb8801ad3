// Scheduling system calls: sched_yield and nanosleep.
import { E } from "../names.ts";
import { BLOCKED, type SyscallHandler } from "../syscall-contract.ts";

/** sched_yield(): lets the next runnable process of equal priority run. */
export const sysSchedYield: SyscallHandler = (k, p) => {
  k.yieldCpu(p);
  return 0;
};

/** nanosleep(req, rem): blocks for the timespec at `req` ({tv_sec, tv_nsec}) of virtual time. */
export const sysNanosleep: SyscallHandler = (k, p, reqPtr, remPtr) => {
  // (Either timespec may lie in a heap or stack page not touched yet.)
  const req = k.touchUser(p, reqPtr >>> 0, 8, false);
  const sec = req ? p.as.readWord(reqPtr >>> 0) : undefined;
  const nsec = req ? p.as.readWord((reqPtr >>> 0) + 4) : undefined;
  if (sec === undefined || nsec === undefined) return -E.FAULT;
  if ((sec | 0) < 0 || nsec >= 1_000_000_000) return -E.INVAL;
  if (remPtr !== 0 && !(k.touchUser(p, remPtr >>> 0, 8, true) && p.as.writeWord(remPtr >>> 0, 0) && p.as.writeWord((remPtr >>> 0) + 4, 0))) return -E.FAULT;
  const ms = sec * 1000 + nsec / 1e6;
  if (ms === 0) return 0;
  k.block(p, { kind: "sleep", until: k.nowMs() + ms });
  return BLOCKED;
};
