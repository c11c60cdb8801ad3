// Process system calls: exit, getpid, getppid, spawn, waitpid, kill, setpriority.
import { E } from "../names.ts";
import { BLOCKED, NO_RETURN, type SyscallHandler } from "../syscall-contract.ts";
import type { Process } from "../process.ts";

const MAX_PATH = 255;
const MAX_ARGS = 64;
const MAX_ARG_BYTES = 4096;
const WNOHANG = 1;
/** Signals `kill` accepts (Linux numbers 1–31); every one terminates the target. */
const MAX_SIGNAL = 31;

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

/** Reads a NULL-terminated argv array (0 = none) from user memory; -EFAULT / -EINVAL on bad input. */
export function readArgv(p: Process, argvPtr: number): string[] | number {
  const argv: string[] = [];
  if (argvPtr === 0) return argv;
  let bytes = 0;
  for (let i = 0; ; i++) {
    if (i > MAX_ARGS) return -E.INVAL;
    const ptr = p.as.readWord((argvPtr >>> 0) + i * 4);
    if (ptr === undefined) return -E.FAULT;
    if (ptr === 0) break;
    const arg = p.as.readString(ptr, MAX_ARG_BYTES);
    if (arg === null) return -E.FAULT;
    bytes += arg.length + 1;
    if (bytes > MAX_ARG_BYTES) return -E.INVAL;
    argv.push(arg);
  }
  return argv;
}

/** waitpid(pid, status, options): reaps a child (pid -1 = any); blocks unless WNOHANG. */
export const sysWaitpid: SyscallHandler = (k, p, pid, statusPtr, options) => {
  if (options & ~WNOHANG) return -E.INVAL;
  if (pid !== -1 && pid <= 0) return -E.INVAL; // process groups are not supported
  if (statusPtr !== 0 && !p.as.readable(statusPtr >>> 0, 4)) return -E.FAULT;
  const candidates = [...p.children].filter((c) => pid === -1 || c === pid);
  if (candidates.length === 0) return -E.CHILD;
  const zombie = candidates.map((c) => k.process(c)).find((c) => c?.state === "zombie");
  if (zombie) return k.reap(p, zombie, statusPtr >>> 0);
  if (options & WNOHANG) return 0;
  k.block(p, { kind: "child", pid, statusPtr: statusPtr >>> 0 });
  return BLOCKED;
};

/** kill(pid, sig): sig 0 checks that pid exists; any other signal 1–31 terminates it. */
export const sysKill: SyscallHandler = (k, p, pid, sig) => {
  if (sig < 0 || sig > MAX_SIGNAL) return -E.INVAL;
  const target = pid > 0 ? k.process(pid) : undefined;
  if (!target || target.state === "zombie") return -E.SRCH;
  if (sig === 0) return 0;
  k.exitProcess(target, null, null, sig, null);
  return target === p ? NO_RETURN : 0;
};

/** setpriority(which, who, nice): which must be PRIO_PROCESS (0); who 0 = the caller; nice −20…19. */
export const sysSetpriority: SyscallHandler = (k, p, which, who, nice) => {
  if (which !== 0) return -E.INVAL;
  const target = who === 0 ? p : k.process(who);
  if (!target || target.state === "zombie") return -E.SRCH;
  const n = nice | 0;
  target.nice = Math.max(-20, Math.min(19, n));
  k.requestReschedule("priority");
  return 0;
};
