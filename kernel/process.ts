// A process: its address space, kernel stack, saved trap frame, scheduling state and bookkeeping.
import type { AddressSpace } from "./vm.ts";
import type { ElfSymbol } from "./elf.ts";
import { IpcEndpoint } from "./ipc.ts";
import type { FileTable } from "./files.ts";
import type { ServerPrivileges } from "./manifest.ts";

export type ProcState = "ready" | "running" | "blocked" | "zombie";

/** Why a blocked process is waiting. */
export type WaitReason =
  | { kind: "child"; pid: number; statusPtr: number } // waitpid
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
  /** Open files (null once it has ended). */
  files: FileTable | null = null;
  /** In a system call whose return has not been traced yet (it blocked, or the CPU moved on). */
  syscallOpen = false;
  /** Virtual time (ms) of a pending `alarm`, or Infinity. */
  alarmAt = Infinity;

  constructor(
    readonly pid: number,
    readonly name: string,
    public parent: number | null,
    readonly as: AddressSpace,
    readonly kstackSlot: number,
    readonly kstackTop: number,
    readonly symbols: { name: string; addr: number }[],
  ) {}

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
