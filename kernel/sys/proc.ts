// Process system calls: exit, getpid, getppid, spawn, waitpid (and wait4), kill, setpriority.
import { decodeBytes } from "../bytes-text.ts";
import { E } from "../names.ts";
import { BLOCKED, NO_RETURN, type SyscallHandler } from "../syscall-contract.ts";
import { waitMatches, type Process } from "../process.ts";
import { MAX_SIGNAL, sendSignal, signalGroup } from "../signals.ts";
import type { KernelApi } from "../kernel-api.ts";
import { touchUser } from "../user-memory.ts";

const MAX_PATH = 255;
const MAX_ARGS = 64;
const MAX_ARG_BYTES = 4096;
const WNOHANG = 1;

/** exit(status): ends the calling process. */
export const sysExit: SyscallHandler = (k, p, status) => {
  k.exitProcess(p, status & 0xff, null, null, null);
  return NO_RETURN;
};

/** getpid(): the caller's pid. */
export const sysGetpid: SyscallHandler = (_k, p) => p.pid;

/** getppid(): the parent's pid, or 0 when it has none. */
export const sysGetppid: SyscallHandler = (_k, p) => p.parent ?? 0;

/** spawn(path, argv): starts boot module `path` as a child with the NULL-terminated argv; returns its pid. */
export const sysSpawn: SyscallHandler = (k, p, pathPtr, argvPtr) => {
  const path = p.as.readString(pathPtr >>> 0, MAX_PATH);
  if (path === null) return -E.FAULT;
  const argv = readArgv(p, argvPtr);
  if (typeof argv === "number") return argv;
  return k.spawnModule(path, argv.length ? argv : [path], p);
};

/**
 * Reads a NULL-terminated argv array (0 = none) from user memory; -EFAULT if a pointer or string is
 * not readable, -EINVAL if there are too many strings or more than `maxBytes` of them with their
 * NULs (one string alone may be too long). The array may lie in heap or stack pages not touched yet.
 */
export function readArgv(p: Process, argvPtr: number, maxBytes = MAX_ARG_BYTES): string[] | number {
  const argv: string[] = [];
  if (argvPtr === 0) return argv;
  let bytes = 0;
  for (let i = 0; ; i++) {
    if (i > MAX_ARGS) return -E.INVAL;
    const at = (argvPtr >>> 0) + i * 4;
    const ptr = touchUser(p, at, 4, false) ? p.as.readWord(at) : undefined;
    if (ptr === undefined) return -E.FAULT;
    if (ptr === 0) break;
    const arg = p.as.readCString(ptr, maxBytes);
    if (arg === null) return p.as.readable(ptr, maxBytes + 1) ? -E.INVAL : -E.FAULT; // too long, or not readable
    bytes += arg.length + 1;
    if (bytes > maxBytes) return -E.INVAL;
    argv.push(decodeBytes(arg)); // byte for byte back out (encodeBytes), UTF-8 or not
  }
  return argv;
}

/** waitpid(pid, status, options): reaps a child (pid > 0 that child, -1 any, 0 any in the caller's group, < -1 any in group -pid); blocks unless WNOHANG. */
export const sysWaitpid: SyscallHandler = (k, p, pid, statusPtr, options) => {
  if (options & ~WNOHANG) return -E.INVAL;
  pid |= 0;
  if (statusPtr !== 0 && !k.touchUser(p, statusPtr >>> 0, 4, true)) return -E.FAULT; // (a stack page not touched yet is fine)
  let zombie: Process | undefined;
  let any = false;
  for (const c of p.children) {
    const q = k.process(c);
    if (!q || !waitMatches(pid, p, q)) continue;
    any = true;
    if (q.state === "zombie") {
      zombie = q;
      break;
    }
  }
  if (!any) return -E.CHILD;
  if (zombie) return k.reap(p, zombie, statusPtr >>> 0);
  if (options & WNOHANG) return 0;
  k.block(p, { kind: "child", pid, statusPtr: statusPtr >>> 0 });
  return BLOCKED;
};

/** wait4(pid, status, options, rusage): waitpid; a non-null rusage (72 bytes) is zeroed. */
export const sysWait4: SyscallHandler = (k, p, pid, statusPtr, options, rusage) => {
  if (rusage !== 0 && (!k.touchUser(p, rusage >>> 0, 72, true) || !p.as.copyOut(rusage >>> 0, new Uint8Array(72)))) return -E.FAULT;
  return sysWaitpid(k, p, pid, statusPtr, options, 0, 0);
};

/**
 * kill(pid, sig): to process pid (> 0), to the caller's group (0), to group -pid (< -1), or to every
 * process but init, the servers and the caller (-1). sig 0 only checks that the target exists. A
 * signal takes its default action (kernel/signals.ts) unless the target ignores it.
 */
export const sysKill: SyscallHandler = (k, p, pid, sig) => {
  if (sig < 0 || sig > MAX_SIGNAL) return -E.INVAL;
  pid |= 0;
  if (pid > 0) {
    const target = k.process(pid);
    if (!target) return k.processAtOrAfter(pid)?.pid === pid ? -E.PERM : -E.SRCH; // an in-kernel service's task (ps lists it): nothing to signal
    if (target !== p && isProtected(target) && !p.killRight) return -E.PERM;
    if (sig !== 0 && target.state !== "zombie") sendSignal(k, target, sig); // a zombie exists until reaped (as Linux: 0, nothing done)
  } else if (pid === -1) {
    // Every process but init, the servers and the caller; none at all is -ESRCH (as Linux).
    const targets = [...k.liveProcesses()].filter((q) => q !== p && q.pid !== 1 && !q.priv && q.state !== "zombie");
    if (targets.length === 0) return -E.SRCH;
    if (sig !== 0) for (const q of targets) sendSignal(k, q, sig);
  } else if (signalGroup(k, pid === 0 ? p.pgid : -pid, sig, p) === 0) return -E.SRCH;
  return p.state === "zombie" ? NO_RETURN : 0;
};

/** Init (pid 1) and servers: only a process with the kill right (Process.killRight) may signal them. */
function isProtected(q: Process): boolean {
  return q.pid === 1 || q.priv !== null;
}

/** True if `q` is `p` or one of its descendants. */
function isSelfOrDescendant(k: KernelApi, p: Process, q: Process): boolean {
  for (let c: Process | undefined = q, n = 0; c && n < 1024; n++) {
    if (c === p) return true;
    c = c.parent === null ? undefined : k.process(c.parent);
  }
  return false;
}

/**
 * setpriority(which, who, nice): which must be PRIO_PROCESS (0); who 0 = the caller; nice −20…19
 * (clamped). Without the kill right: only the caller or its descendants (-EPERM), and only to a nice
 * value at or above the target's current one and never below 0 (-EACCES, as Linux without CAP_SYS_NICE).
 */
export const sysSetpriority: SyscallHandler = (k, p, which, who, nice) => {
  if (which !== 0) return -E.INVAL;
  const target = who === 0 ? p : k.process(who);
  if (!target || target.state === "zombie") return -E.SRCH;
  const n = Math.max(-20, Math.min(19, nice | 0));
  if (!p.killRight) {
    if (!isSelfOrDescendant(k, p, target)) return -E.PERM;
    if (n < 0 || n < target.nice) return -E.ACCES;
  }
  target.nice = n;
  k.requestReschedule("priority");
  return 0;
};
