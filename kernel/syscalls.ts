// The system-call table: Linux i386 numbers and calling convention (EAX = number; EBX, ECX, EDX,
// ESI, EDI = arguments; EAX = result, negative = -errno). ringside-specific calls start at 0x200.
// One concern per module in kernel/sys/.
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";
import { sysBrk } from "./sys/mem.ts";
import { sysExit, sysGetpid, sysGetppid, sysKill, sysSetpriority, sysSpawn, sysWaitpid } from "./sys/proc.ts";
import { sysNanosleep, sysSchedYield } from "./sys/sched.ts";
import { sysIpcCall, sysIpcLookup, sysIpcNotify, sysIpcReceive, sysIpcReply, sysIpcReplyRecv, sysIpcSend } from "./sys/ipc.ts";
import { sysAlarm, sysIrqAck } from "./sys/irq.ts";
import { sysClose, sysGetdents, sysLseek, sysMkdir, sysOpen, sysRead, sysRmdir, sysUnlink, sysWrite } from "./sys/files.ts";
import { sysProcinfo, sysSpawnImage } from "./sys/image.ts";

/**
 * A handler returns the value for EAX; NO_RETURN when the caller does not resume (it exited);
 * BLOCKED when the caller sleeps and someone will complete the call later.
 */
export type SyscallHandler = (k: Kernel, p: Process, a0: number, a1: number, a2: number, a3: number, a4: number) => number;
export const NO_RETURN = 0x7fff_0001;
export const BLOCKED = 0x7fff_0002;

export interface SyscallDef {
  nr: number;
  name: string;
  handler: SyscallHandler;
}

/** The implemented calls. */
export const SYSCALLS: SyscallDef[] = [
  { nr: 1, name: "exit", handler: sysExit },
  { nr: 3, name: "read", handler: sysRead },
  { nr: 4, name: "write", handler: sysWrite },
  { nr: 5, name: "open", handler: sysOpen },
  { nr: 6, name: "close", handler: sysClose },
  { nr: 7, name: "waitpid", handler: sysWaitpid },
  { nr: 10, name: "unlink", handler: sysUnlink },
  { nr: 19, name: "lseek", handler: sysLseek },
  { nr: 20, name: "getpid", handler: sysGetpid },
  { nr: 37, name: "kill", handler: sysKill },
  { nr: 39, name: "mkdir", handler: sysMkdir },
  { nr: 40, name: "rmdir", handler: sysRmdir },
  { nr: 45, name: "brk", handler: sysBrk },
  { nr: 64, name: "getppid", handler: sysGetppid },
  { nr: 97, name: "setpriority", handler: sysSetpriority },
  { nr: 141, name: "getdents", handler: sysGetdents },
  { nr: 158, name: "sched_yield", handler: sysSchedYield },
  { nr: 162, name: "nanosleep", handler: sysNanosleep },
  { nr: 0x200, name: "spawn", handler: sysSpawn },
  { nr: 0x201, name: "spawn_image", handler: sysSpawnImage },
  { nr: 0x210, name: "ipc_send", handler: sysIpcSend },
  { nr: 0x211, name: "ipc_receive", handler: sysIpcReceive },
  { nr: 0x212, name: "ipc_reply", handler: sysIpcReply },
  { nr: 0x213, name: "ipc_call", handler: sysIpcCall },
  { nr: 0x214, name: "ipc_reply_recv", handler: sysIpcReplyRecv },
  { nr: 0x215, name: "ipc_notify", handler: sysIpcNotify },
  { nr: 0x216, name: "ipc_lookup", handler: sysIpcLookup },
  { nr: 0x220, name: "irq_ack", handler: sysIrqAck },
  { nr: 0x221, name: "alarm", handler: sysAlarm },
  { nr: 0x230, name: "procinfo", handler: sysProcinfo },
];

/** Linux i386 names for numbers we know but do not implement (so traces name them). */
const KNOWN_NAMES: Record<number, string> = {
  2: "fork", 3: "read", 5: "open", 6: "close", 11: "execve", 12: "chdir", 13: "time", 19: "lseek",
  42: "pipe", 54: "ioctl", 90: "mmap", 91: "munmap", 122: "uname", 141: "getdents", 174: "rt_sigaction",
  243: "set_thread_area", 252: "exit_group",
};

const byNumber: (SyscallDef | undefined)[] = [];
for (const s of SYSCALLS) byNumber[s.nr] = s;

/** Every Linux i386 number this kernel can name but does not implement, sorted. */
export function knownSyscallNames(): [number, string][] {
  return Object.entries(KNOWN_NAMES)
    .map(([nr, name]) => [Number(nr), name] as [number, string])
    .sort((a, b) => a[0] - b[0]);
}

/** Looks up a handler by number (any 32-bit value). */
export function syscallByNumber(nr: number): SyscallDef | undefined {
  return nr >= 0 && nr < byNumber.length ? byNumber[nr] : undefined;
}

/** The name of syscall `nr` for traces ("unknown" when not a known number). */
export function syscallName(nr: number): string {
  return syscallByNumber(nr)?.name ?? KNOWN_NAMES[nr] ?? "unknown";
}
