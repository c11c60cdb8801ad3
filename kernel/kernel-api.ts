// The kernel interface system-call handlers are written against (kernel/sys/*). The kernel class
// implements it; handlers depend on this interface, never on the class, so a handler module can be
// imported and unit-tested on its own. Type-only module.
import type { OpenFile } from "./files.ts";
import type { Ipc, KernelRequest } from "./ipc.ts";
import type { ServerPrivileges } from "./manifest.ts";
import type { Process, ProcState, WaitReason } from "./process.ts";

/** What `ps` shows of a process — a program, a ring-3 server, or an in-kernel service task. */
export interface ProcessSummary {
  readonly pid: number;
  readonly parent: number | null;
  readonly state: ProcState;
  readonly nice: number;
  readonly name: string;
}

/** A request's payload: user memory of the caller, or kernel bytes. */
export type RequestPayload = { va: number; len: number } | Uint8Array | null;

export interface KernelApi {
  /** The IPC engine (send, receive, reply, notify). */
  readonly ipc: Ipc;
  /** Virtual time in ms. */
  nowMs(): number;
  /** The saved 32-bit register at byte offset `off` of `p`'s trap frame (FRAME.*). */
  savedRegister(p: Process, off: number): number;

  // ---- processes
  /** The process with this pid (live or zombie), if any. */
  process(pid: number): Process | undefined;
  /** The process or in-kernel service task with the smallest pid ≥ `pid`. */
  processAtOrAfter(pid: number): ProcessSummary | undefined;
  /** Starts boot module `name` (or the in-kernel service of that name) as a child of `parent`; pid or -errno. */
  spawnModule(name: string, argv: string[], parent: Process): number;
  /** Starts the ELF executable `bytes` as a child of `parent`; pid or -errno. */
  spawnImage(name: string, bytes: Uint8Array, argv: string[], parent: Process): number;
  /** Ends `p` (exit status, or killed by vector / signal). */
  exitProcess(p: Process, status: number | null, vector: number | null, signal: number | null, report: string | null): void;
  /** Reaps zombie `child` of `parent`, storing its wait status at `statusPtr` (if non-zero); pid or -EFAULT. */
  reap(parent: Process, child: Process, statusPtr: number): number;
  /** Every live process (not zombies, not in-kernel service tasks), in creation order. */
  liveProcesses(): readonly Process[];
  /** fork: a copy-on-write copy of `p` (the child returns 0 from the call); the child's pid or -errno. */
  fork(p: Process): number;
  /**
   * execve's last step: replaces `p`'s image with the ELF executable `bytes` (argv and envp on the new
   * stack as Linux lays them out), closes its close-on-exec descriptors; 0, or -errno with `p` intact.
   */
  exec(p: Process, name: string, bytes: Uint8Array, argv: string[], envp: string[]): number;
  /** Drops one descriptor's reference to `f`; the last one closes the description (a pipe end closes). */
  closeFile(p: Process, f: OpenFile): void;
  /** The console's foreground process group (0: none), set by tcsetpgrp. */
  foregroundGroup: number;

  // ---- scheduling
  /** Blocks `p` (the caller) until `complete` is called for it. */
  block(p: Process, wait: WaitReason): void;
  /** Finishes a blocked call: `value` goes to the process's EAX and it becomes runnable. */
  complete(p: Process, value: number): void;
  /** The caller gives up the rest of its slice. */
  yieldCpu(p: Process): void;
  /** Asks for a scheduling decision at this kernel exit. */
  requestReschedule(reason: string): void;
  /** Sets (ms > 0) or cancels (0) `p`'s alarm (a NOTIFY.TIMER notification). */
  setAlarm(p: Process, ms: number): void;

  // ---- devices and services
  /** irq_ack: unmasks `irq` if `p` owns it; false if it does not. */
  irqAck(p: Process, irq: number): boolean;
  /** The endpoint (pid) of the running service `name`, or -ESRCH. */
  serviceEndpoint(name: string): number;
  /** True if service `name` is running (a server process, or in the kernel). */
  serviceRunning(name: string): boolean;
  /** How often server `name` was started again after it ended (0 for anything else). */
  restarts(name: string): number;
  /** The `index`-th server of the manifest (0-based) with its pid (0: not running) and restarts, or undefined. */
  serverInfo(index: number): { priv: ServerPrivileges; pid: number; restarts: number; inKernel: boolean } | undefined;
  /** True if `name` is a service programs may open as /dev/<name>. */
  isDevice(name: string): boolean;
  /**
   * Sends a request to service `name` on behalf of `p` (a POSIX call turned into a message to a
   * ring-3 server or an in-kernel service) and blocks `p` until the reply; `req` turns the reply into
   * the call's result. Returns BLOCKED, or the call's result when it finished at once.
   */
  serviceRequest(p: Process, name: string, w0: number, w1: number, w2: number, payload: RequestPayload, replyVa: number, replyCap: number, req: KernelRequest): number;

  // ---- user memory
  /** Checks that [va, va+len) is user memory `p` may read (or write), mapping growable heap/stack pages. */
  touchUser(p: Process, va: number, len: number, write: boolean): boolean;
  /** As touchUser, and where the buffer is: its physical address (one page), NO_PA, or BAD_BUFFER. */
  userBuffer(p: Process, va: number, len: number, write: boolean): number;
  /** Discards cached translations after page-table edits of a live space. */
  flushTlb(): void;
}
