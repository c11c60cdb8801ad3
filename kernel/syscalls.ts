// The system-call table: Linux i386 numbers and calling convention (EAX = number; EBX, ECX, EDX,
// ESI, EDI = arguments; EAX = result, negative = -errno). ringside-specific calls start at 0x200.
import { E } from "./names.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";

/** A handler returns the value for EAX, or NO_RETURN when the caller does not resume (exit). */
export type SyscallHandler = (k: Kernel, p: Process, a0: number, a1: number, a2: number, a3: number, a4: number) => number;
export const NO_RETURN = Symbol.for("ringside.noreturn") as unknown as number;

export interface SyscallDef {
  nr: number;
  name: string;
  handler: SyscallHandler;
}

const MAX_WRITE = 1 << 20;
const scratch = new Uint8Array(MAX_WRITE);

/** exit(status): ends the calling process. */
function sysExit(k: Kernel, p: Process, status: number): number {
  k.exitProcess(p, status & 0xff, null, null);
  return NO_RETURN;
}

/** write(fd, buf, len): fds 1 and 2 go to the console; the buffer is copied in through the page tables. */
function sysWrite(k: Kernel, p: Process, fd: number, buf: number, len: number): number {
  if (fd !== 1 && fd !== 2) return -E.BADF;
  if (len === 0) return 0;
  if ((len | 0) < 0) return -E.INVAL;
  const n = Math.min(len, MAX_WRITE);
  if (!p.as.copyIn(buf >>> 0, n, scratch)) return -E.FAULT;
  k.consoleWrite(scratch.subarray(0, n));
  return n;
}

/** getpid(): the caller's pid. */
function sysGetpid(_k: Kernel, p: Process): number {
  return p.pid;
}

/** The implemented calls. */
export const SYSCALLS: SyscallDef[] = [
  { nr: 1, name: "exit", handler: sysExit },
  { nr: 4, name: "write", handler: sysWrite },
  { nr: 20, name: "getpid", handler: sysGetpid },
];

/** Linux i386 names for numbers we know but do not implement (so traces name them). */
const KNOWN_NAMES: Record<number, string> = {
  2: "fork", 3: "read", 5: "open", 6: "close", 7: "waitpid", 11: "execve", 12: "chdir", 13: "time", 19: "lseek",
  37: "kill", 42: "pipe", 45: "brk", 54: "ioctl", 64: "getppid", 90: "mmap", 91: "munmap", 122: "uname",
  141: "getdents", 158: "sched_yield", 162: "nanosleep", 174: "rt_sigaction", 243: "set_thread_area", 252: "exit_group",
};

const byNumber = new Map<number, SyscallDef>(SYSCALLS.map((s) => [s.nr, s]));

/** Every Linux i386 number this kernel can name but does not implement, sorted. */
export function knownSyscallNames(): [number, string][] {
  return Object.entries(KNOWN_NAMES)
    .map(([nr, name]) => [Number(nr), name] as [number, string])
    .sort((a, b) => a[0] - b[0]);
}

/** Looks up a handler by number. */
export function syscallByNumber(nr: number): SyscallDef | undefined {
  return byNumber.get(nr);
}

/** The name of syscall `nr` for traces ("unknown" when not a known number). */
export function syscallName(nr: number): string {
  return byNumber.get(nr)?.name ?? KNOWN_NAMES[nr] ?? "unknown";
}
