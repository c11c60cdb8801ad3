// A process: its address space, kernel stack, saved trap frame, scheduling state and bookkeeping.
import type { AddressSpace } from "./vm.ts";
import type { ElfSymbol } from "./elf.ts";
import { IpcEndpoint } from "./ipc.ts";
import type { FileTable } from "./files.ts";
import type { ServerPrivileges } from "./manifest.ts";

export type ProcState = "ready" | "running" | "blocked" | "zombie";

/** Why a blocked process is waiting. */
export type WaitReason =
  | { kind: "child"; pid: number; statusPtr: number } // waitpid (pid: a child, -1 any, 0 own group, < -1 group -pid)
  | { kind: "sleep"; until: number } // nanosleep (virtual ms)
  | { kind: "ipc" } // blocked in IPC: p.ipc says in what
  | { kind: "service"; name: string }; // a request to an in-kernel service that answers later

export class Process {
  state: ProcState = "ready";
  wait: WaitReason | null = null;
  /** Physical (= kernel virtual) address of the trap frame to resume from. */
  frame = 0;
  /** Exit status (exit code), or null when killed. */
  exitStatus: number | null = null;
  /** The exception vector that killed it, if any. */
  killVector: number | null = null;
  /** The signal that killed it (Linux numbering), if any. */
  killSignal: number | null = null;
  report: string | null = null;
  /** Virtual time (ms) when it last got the CPU. */
  sliceStart = 0;
  /** Nice value: -20 (highest priority) … 19 (lowest). */
  nice = 0;
  /** Program break: heap is [brkStart, brk); pages are mapped on first touch. */
  brkStart = 0;
  brk = 0;
  readonly children = new Set<number>();
  /** IPC state: what it is blocked in, its pending message, its queue of senders, notifications. */
  readonly ipc = new IpcEndpoint();
  /** The manifest entry this process runs as (a server), or null for an ordinary program. */
  priv: ServerPrivileges | null = null;
  /**
   * May signal init and servers and set nice values below 0 (docs/abi.md, kill): a server with
   * kill=yes or supervise=yes, the manifest's shell with kill=yes and its descendants, the boot
   * programs (init, the programs given to `ringside run`) and their descendants.
   */
  killRight = false;
  /** Open files (null once it has ended). */
  files: FileTable | null = null;
  /** In a system call whose return has not been traced yet (it blocked, or the CPU moved on). */
  syscallOpen = false;
  /** Virtual time (ms) of a pending `alarm`, or Infinity. */
  alarmAt = Infinity;
  /** Current working directory: absolute, normalised, no trailing slash (except "/"). */
  cwd = "/";
  /** Process group (set to the pid when the process is created without a parent to inherit from). */
  pgid = 0;
  /** Signals set to SIG_IGN (bit n = signal n); kept across exec, inherited by fork. */
  sigIgnored = 0;
  constructor(
    readonly pid: number,
    /** The program's name (execve replaces it). */
    public name: string,
    public parent: number | null,
    /** The address space (execve replaces it). */
    public as: AddressSpace,
    readonly kstackSlot: number,
    readonly kstackTop: number,
    public symbols: { name: string; addr: number }[],
  ) {
    this.pgid = pid;
  }

  /** `<sym+0xoff>` for an address in this process's image, or "" when no symbol covers it. */
  symbolize(addr: number): string {
    let best: ElfSymbol | undefined;
    for (const s of this.symbols) {
      if (s.addr > addr) break;
      best = s;
    }
    if (!best || addr - best.addr > 0x10000) return "";
    const off = addr - best.addr;
    return off ? `<${best.name}+0x${off.toString(16)}>` : `<${best.name}>`;
  }

  /** Linux wait status: exit code << 8, or the terminating signal in the low 7 bits. */
  waitStatus(): number {
    return this.killSignal !== null ? this.killSignal & 0x7f : ((this.exitStatus ?? 0) & 0xff) << 8;
  }
}

/** True if a waitpid(`pid`, …) by `parent` waits for `child` (pid > 0 that child, -1 any, 0 the parent's group, < -1 group -pid). */
export function waitMatches(pid: number, parent: Process, child: Process): boolean {
  if (pid > 0) return child.pid === pid;
  if (pid === -1) return true;
  return child.pgid === (pid === 0 ? parent.pgid : -pid);
}
