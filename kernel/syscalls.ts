// The system-call dispatch table: each implemented call of the ABI table (kernel/abi/syscall-table.ts:
// numbers, names, argument shapes) bound to its handler. One concern per module in kernel/sys/.
import { IMPLEMENTED_SYSCALLS, SYSCALL_TABLE, syscallTableName } from "./abi/syscall-table.ts";
import type { SyscallHandler } from "./syscall-contract.ts";
import { sysBrk } from "./sys/mem.ts";
import { sysExit, sysGetpid, sysGetppid, sysKill, sysSetpriority, sysSpawn, sysWait4, sysWaitpid } from "./sys/proc.ts";
import {
  sysChdir, sysDup, sysDup2, sysExecve, sysFork, sysGetcwd, sysGetpgid, sysGetpgrp, sysIoctl, sysPipe, sysPipe2, sysRtSigaction, sysSetpgid,
  sysSignal, sysSignalFg,
} from "./sys/unix.ts";
import { sysNanosleep, sysSchedYield } from "./sys/sched.ts";
import { sysIpcCall, sysIpcLookup, sysIpcNotify, sysIpcReceive, sysIpcReply, sysIpcReplyRecv, sysIpcSend } from "./sys/ipc.ts";
import { sysAlarm, sysIrqAck } from "./sys/irq.ts";
import { sysClose, sysGetdents, sysLseek, sysMkdir, sysOpen, sysRead, sysRmdir, sysUnlink, sysWrite } from "./sys/files.ts";
import { sysProcinfo, sysServerInfo, sysSpawnImage } from "./sys/image.ts";
import { sysSysinfo, sysUptime } from "./sys/info.ts";

export type { SyscallHandler } from "./syscall-contract.ts";

export interface SyscallDef {
  nr: number;
  name: string;
  handler: SyscallHandler;
}

/** The handler of every implemented call, by name. */
const HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  exit: sysExit, read: sysRead, write: sysWrite, open: sysOpen, close: sysClose, waitpid: sysWaitpid,
  unlink: sysUnlink, lseek: sysLseek, getpid: sysGetpid, kill: sysKill, mkdir: sysMkdir, rmdir: sysRmdir,
  brk: sysBrk, getppid: sysGetppid, setpriority: sysSetpriority, getdents: sysGetdents,
  sched_yield: sysSchedYield, nanosleep: sysNanosleep, spawn: sysSpawn, spawn_image: sysSpawnImage,
  ipc_send: sysIpcSend, ipc_receive: sysIpcReceive, ipc_reply: sysIpcReply, ipc_call: sysIpcCall,
  ipc_reply_recv: sysIpcReplyRecv, ipc_notify: sysIpcNotify, ipc_lookup: sysIpcLookup,
  irq_ack: sysIrqAck, alarm: sysAlarm, procinfo: sysProcinfo, server_info: sysServerInfo,
  fork: sysFork, execve: sysExecve, chdir: sysChdir, dup: sysDup, pipe: sysPipe, signal: sysSignal, ioctl: sysIoctl,
  setpgid: sysSetpgid, dup2: sysDup2, getpgrp: sysGetpgrp, wait4: sysWait4, getpgid: sysGetpgid, rt_sigaction: sysRtSigaction,
  getcwd: sysGetcwd, exit_group: sysExit, pipe2: sysPipe2, signal_fg: sysSignalFg,
  uptime: sysUptime, sysinfo: sysSysinfo,
};

/** The implemented calls, in number order. */
export const SYSCALLS: readonly SyscallDef[] = IMPLEMENTED_SYSCALLS.map((s) => {
  const handler = HANDLERS[s.name];
  if (!handler) throw new Error(`kernel/syscalls.ts: no handler for implemented call ${s.name} (${s.nr})`);
  return { nr: s.nr, name: s.name, handler };
});
for (const name of Object.keys(HANDLERS)) {
  if (!SYSCALLS.some((s) => s.name === name)) throw new Error(`kernel/syscalls.ts: handler ${name} is not an implemented call of the ABI table`);
}

const byNumber: (SyscallDef | undefined)[] = [];
for (const s of SYSCALLS) byNumber[s.nr] = s;

/** Every Linux i386 number this kernel can name but does not implement, sorted. */
export function knownSyscallNames(): [number, string][] {
  return SYSCALL_TABLE.filter((s) => !s.implemented).map((s) => [s.nr, s.name] as [number, string]);
}

/** Looks up a handler by number (any 32-bit value). */
export function syscallByNumber(nr: number): SyscallDef | undefined {
  return nr >= 0 && nr < byNumber.length ? byNumber[nr] : undefined;
}

/** The name of syscall `nr` for traces ("unknown" when not a known number). */
export function syscallName(nr: number): string {
  return syscallTableName(nr);
}
