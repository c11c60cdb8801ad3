// The TypeScript kernel: the composition root. It runs inside the stub's hypercall — every trap,
// interrupt and system call arrives with the address of a trap frame — and wires the parts that
// handle it: trap dispatch (trap.ts), the dispatcher and its policy (dispatcher.ts, sched/), the
// process table (proc-table.ts), program loading (exec.ts), user memory (user-memory.ts), IRQ routing
// (irq-routing.ts), IPC (ipc.ts), the service directory (services.ts) and the v86 repair
// (v86-repair.ts). It also owns the life of processes (spawn, exit) and of the machine (boot, halt).
// Handlers in kernel/sys/ see it only through KernelApi (kernel-api.ts).
import { Machine, type StopReason } from "../emulator/machine.ts";
import { PortIo } from "../emulator/ports.ts";
import { Dispatcher } from "./dispatcher.ts";
import { ElfError, isElf } from "./elf.ts";
import { FAULT_CODE_VA, FaultInjector, type FaultSpec } from "./faults.ts";
import { CostMeter, type CostModel } from "./cost-model.ts";
import { flagString, loadImage, populate, writeInitialFrame, type LoadedImage, type ProgramSpec } from "./exec.ts";
import { FileTable, MAX_FDS, release, type OpenFile } from "./files.ts";
import { FrameAllocator } from "./frames.ts";
import { IoPermissions } from "./io-permissions.ts";
import { Ipc, IpcOp, type KernelRequest } from "./ipc.ts";
import { IrqRouter } from "./irq-routing.ts";
import type { KernelApi, ProcessSummary, RequestPayload } from "./kernel-api.ts";
import { FRAME, HYPERCALL_BOOT, HYPERCALL_PORT, MEM, SWITCH } from "./layout.ts";
import type { Manifest, ServerPrivileges } from "./manifest.ts";
import { E } from "./names.ts";
import { Process, waitMatches, type WaitReason } from "./process.ts";
import { ProcessTable, MAX_PROCS } from "./proc-table.ts";
import { MSG, NOTIFY, O } from "./protocol.ts";
import { PipeService } from "./pipe.ts";
import { signalForeground } from "./sys/unix.ts";
import type { SchedPolicy } from "./sched/policy.ts";
import { PriorityRoundRobin } from "./sched/priority-rr.ts";
import type { KernelService } from "./service.ts";
import { SERVER_NICE, Services } from "./services.ts";
import type { StubImage } from "./stub-image.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { KernelPanic, Traps } from "./trap.ts";
import { touchUser, userBuffer } from "./user-memory.ts";

/** A request whose reply nobody waits for (a pipe end closed by exit or exec). */
const IGNORE_REPLY: KernelRequest = { done: () => 0, failed: () => 0 };
import { IretRepair } from "./v86-repair.ts";
import { AddressSpace, OutOfMemory, buildKernelPageTable } from "./vm.ts";

export { loadImage, type LoadedImage, type ProgramSpec } from "./exec.ts";
export { KernelPanic } from "./trap.ts";
export { SERVER_NICE } from "./services.ts";
export { STACK_MAX } from "./user-memory.ts";
export { MAX_PROCS } from "./proc-table.ts";

/** Where services run: in-kernel (monolithic) or as ring-3 servers (microkernel). */
export type KernelMode = "monolithic" | "microkernel";

export interface KernelOptions {
  /** The ring-0 stub (tools/build/stub.ts builds it from boot/stub.asm). */
  stub: StubImage;
  /** Started at boot, each as its own process (and also available to `spawn` by name). */
  programs: ProgramSpec[];
  /** Boot modules: programs `spawn` can start by name, not started at boot. */
  modules?: ProgramSpec[];
  /**
   * Where services run. Microkernel: every server the manifest declares is a ring-3 process (a
   * console without a declared server is served in the kernel). Monolithic: every service with an
   * in-kernel implementation (`services`) runs in the kernel; other declared servers stay ring-3.
   * Default: microkernel with a manifest, monolithic without.
   */
  mode?: KernelMode;
  /** The in-kernel service implementations, by name (see kernel/drivers/ and kernel/fs/). */
  services?: KernelService[];
  /**
   * The boot manifest: server names, programs and privileges. With `startServices` unset, init
   * (`programs[0]`) starts the servers with `spawn` and its exit shuts the machine down.
   */
  manifest?: Manifest;
  /**
   * The kernel starts every service itself at boot, after the programs (as `ringside run` needs: no
   * init); the run ends when every program has ended.
   */
  startServices?: boolean;
  trace?: TraceRecorder;
  /** Every byte the guest prints on the console (COM1). */
  onConsole?: (byte: number) => void;
  /** One-line reports (a process killed by an exception). */
  onReport?: (line: string) => void;
  maxInstructions?: number;
  memoryBytes?: number;
  deterministic?: boolean;
  seed?: number;
  /** The disk on the primary ATA master (edited in place by guest writes). */
  hda?: Uint8Array;
  /** The scheduling policy (default: PriorityRoundRobin). */
  policy?: SchedPolicy;
  /** Faults to inject into services (kernel/faults.ts); `seed` seeds their randomness. */
  faults?: FaultSpec[];
  /** Charge kernel work to virtual time with this model (kernel/cost-model.ts); off when absent. */
  costModel?: CostModel;
  /**
   * Called when every process waits and nothing is scheduled (no timer, no queued input). Return true
   * if more input was queued (keep idling); false stops the run (reason "idle"). Without it the machine
   * idles until host input arrives (interactive use).
   */
  onIdle?: () => boolean;
}

export interface ProcessResult {
  pid: number;
  name: string;
  status: number | null; // exit status, or null if killed
  vector: number | null; // the exception that killed it
  signal: number | null; // the signal that killed it (kill(), or the exception's signal)
  report: string | null;
}

export interface RunResult {
  reason: "exit" | "shutdown" | "idle" | "max-instructions" | "panic" | "dead" | "deadlock" | "hang";
  /** The first program's status: its exit code, or 128 + vector if an exception killed it. */
  status: number;
  processes: ProcessResult[];
  icount: number;
  vtUs: number;
  panic?: string;
  /** Injected faults (`--inject`) that never struck, with the requests their target received. */
  faultsNotStruck?: { spec: FaultSpec; requests: number }[];
}

export const KERNEL_VERSION = "ringside 0.1.0";
/** How long (virtual ms) a request whose server died waits for the server's restart before it fails. */
const PARK_MS = 2000;

export class Kernel implements KernelApi {
  readonly machine: Machine;
  readonly ipc: Ipc;
  readonly mode: KernelMode;
  private readonly frames: FrameAllocator;
  private kernelPt = 0;
  /** The recorder the kernel was created with, if any. */
  private readonly recorder: TraceRecorder | undefined;
  /** The recorder while recording, undefined while paused or without one (setTraceRecording). */
  private trace: TraceRecorder | undefined;
  private readonly procs = new ProcessTable();
  private readonly dispatcher: Dispatcher;
  private readonly irqs: IrqRouter;
  private readonly services: Services;
  private readonly traps: Traps;
  private readonly repair: IretRepair;
  private readonly io: IoPermissions;
  private readonly boots: { spec: ProgramSpec; image: LoadedImage }[];
  private readonly modules = new Map<string, LoadedImage>();
  private readonly results: ProcessResult[] = [];
  private halted: { reason: RunResult["reason"]; panic?: string } | undefined;
  private readonly opts: KernelOptions;
  private firstPid = 1;
  private framesAtBoot = 0;
  /** Servers the kernel started itself (startServices): they do not keep a run alive. */
  private readonly daemons = new Set<Process>();
  /** Manifest servers started at least once, and how often each was started again. */
  private readonly everStarted = new Set<string>();
  private readonly restartCount = new Map<string, number>();
  private readonly faults: FaultInjector | undefined;
  /** Kernel-made requests whose server died with them in flight, waiting for its restart (oldest first). */
  private readonly parked: { p: Process; name: string; deadline: number }[] = [];
  /** Set once a program has waited to read the console (typed input waits for that: inputWanted). */
  private consoleRead = false;
  /** Page directories of ended (or exec'd) address spaces, freed at the next kernel entry (see AddressSpace.destroy). */
  private readonly lateDirectories: number[] = [];
  /** The console's foreground process group (tcsetpgrp); 0 = none. */
  foregroundGroup = 0;

  private constructor(machine: Machine, opts: KernelOptions, boots: { spec: ProgramSpec; image: LoadedImage }[], modules: { spec: ProgramSpec; image: LoadedImage }[]) {
    this.machine = machine;
    this.opts = opts;
    this.trace = this.recorder = opts.trace;
    opts.trace?.attachClock(machine); // every event at the machine's instant
    this.mode = opts.mode ?? (opts.manifest ? "microkernel" : "monolithic");
    this.boots = boots;
    for (const m of [...boots, ...modules]) if (!this.modules.has(m.spec.name)) this.modules.set(m.spec.name, m.image);
    this.frames = new FrameAllocator(machine);
    this.io = new IoPermissions(machine);
    this.repair = new IretRepair(machine);
    const cost = opts.costModel ? new CostMeter(opts.costModel, (ms) => machine.charge(ms)) : undefined;
    this.ipc = new Ipc({
      machine,
      trace: this.trace,
      cost,
      block: (p, w) => this.dispatcher.block(p, w),
      complete: (p, v) => this.dispatcher.complete(p, v),
      handOffTo: (p) => this.dispatcher.handOffTo(p),
      delivered: (d) => {
        if (this.faults && d.priv) this.faults.request(d.priv.name);
      },
      park: (p, server) => this.park(p, server),
    });
    if (opts.faults?.length) this.faults = this.faultInjector(opts.faults, opts.seed ?? 1);
    this.irqs = new IrqRouter((p, irq) => this.ipc.notify(-1, p, 1 << irq));
    this.dispatcher = new Dispatcher(machine, opts.policy ?? new PriorityRoundRobin(), this.procs.live, this.io, this.irqs, this.trace, opts.stub.symbols.get("idle") ?? 0, {
      halted: () => this.halted !== undefined,
      allEnded: () => this.halt("exit"),
      mayWake: () => this.mayWake(),
      alarm: (p) => this.ipc.notify(-1, p, NOTIFY.TIMER),
      beforeLeave: () => {
        if (this.faults && !this.faults.idle) this.faults.strike();
        if (this.parked.length > 0) this.expireParked();
      },
      deadline: () => (this.parked.length > 0 ? this.parked[0]!.deadline : Infinity),
    }, cost);
    const available = new Map((opts.services ?? []).map((s) => [s.name, s] as const));
    // Pipes are an in-kernel service in both shapes (docs/kernel.md, "Fork, pipes and signals").
    if (!available.has("pipe")) available.set("pipe", new PipeService());
    this.services = new Services(machine, available, new PortIo(machine), this.ipc, this.dispatcher, this.irqs, this.trace, (name) => {
      const f = this.faults;
      if (!f || f.idle) return false;
      f.request(name);
      return f.strike(name);
    }, cost, () => this.halted !== undefined);
    this.services.onSignalForeground = (sig) => signalForeground(this, sig);
    this.traps = new Traps(machine, this, this.dispatcher, this.irqs, this.repair, this.trace, {
      mustLeave: () => this.halted !== undefined || (this.faults !== undefined && this.faults.hasDue),
      exitProcess: (p, s, v, sig, r) => this.exitProcess(p, s, v, sig, r),
    }, cost);
    machine.onPortWrite32(HYPERCALL_PORT, (v) => this.hypercall(v));
    // Typed input (--input, --keys, run's stdin) goes in once a program has waited to read the
    // console — not while the system is still starting (a server restarting during boot would see,
    // or lose, keys typed for the shell) — then whenever the CPU halts, as a person types (Ctrl-C
    // reaches a job that sleeps); or when nothing else can happen. Keys also wait for the keyboard's
    // driver to be running (a restart in progress).
    machine.inputWanted = (device) => {
      if (!this.consoleRead) this.consoleRead = this.services.awaited("console", MSG.CON_READ, this.procs.live);
      if (this.dispatcher.current === null && this.dispatcher.nextWake() === Infinity) return true;
      return this.consoleRead && (device !== "keyboard-code" || this.services.running("keyboard"));
    };
    machine.onEmulatorFault(() => this.repair.repair(this.dispatcher.current));
    if (opts.onConsole) machine.onSerialOutput(opts.onConsole);
  }

  /** Validates the programs, builds the machine and loads the stub; nothing runs until `run()`. */
  static async create(opts: KernelOptions): Promise<Kernel> {
    const boots = opts.programs.map((spec) => ({ spec, image: loadImage(spec.image) }));
    const modules = (opts.modules ?? []).map((spec) => ({ spec, image: loadImage(spec.image) }));
    const machine = await Machine.create({
      multiboot: opts.stub.bytes,
      memoryBytes: opts.memoryBytes,
      deterministic: opts.deterministic,
      seed: opts.seed,
      maxInstructions: opts.maxInstructions,
      hda: opts.hda,
    });
    return new Kernel(machine, opts, boots, modules);
  }

  /**
   * Boots and runs until the machine stops (every program ended, init exited, the instruction limit,
   * a panic or a deadlock). The trace recorder's owner calls its `finish()` afterwards.
   */
  async run(): Promise<RunResult> {
    const stop = await this.machine.run();
    return this.finish(stop);
  }

  /** Powers the machine off from the host (an interactive user quit): the run ends with reason "shutdown". */
  powerOff(): void {
    if (!this.halted) this.halt("shutdown");
  }

  /**
   * For measurement (the benchmarks compare traced and untraced chunks of one run on one machine):
   * stops (false) or resumes (true) recording into the recorder the kernel was created with. While
   * stopped the kernel runs exactly as an untraced one. Events in between are not recorded, so the
   * recorder's output is no longer a whole-run trace. Without a recorder, nothing changes.
   */
  setTraceRecording(on: boolean): void {
    const tr = on ? this.recorder : undefined;
    if (tr && this.trace !== tr) tr.resync(); // the counter may have gone round while paused
    this.trace = tr;
    this.traps.trace = tr;
    this.dispatcher.trace = tr;
    this.services.trace = tr;
    this.ipc.tr = tr;
  }

  /** Frees the emulator. */
  destroy(): void {
    this.machine.destroy();
  }

  /**
   * The machine's state in words, for a debugger stop (`--break-at`): virtual time, instructions,
   * which process runs, and `pid`'s saved registers (its trap frame) and symbolized eip.
   */
  describeState(pid: number): string {
    const m = this.machine;
    const cur = this.dispatcher.current;
    const lines = [`vt ${m.nowUs()} µs, ${m.icount()} instructions; on the CPU: ${cur ? `[pid ${cur.pid} ${cur.name}]` : "idle or the kernel"}`];
    const p = pid >= 0 ? this.procs.get(pid) : cur ?? undefined;
    if (p && p.frame) {
      const r = (off: number) => "0x" + (m.read32(p.frame + off) >>> 0).toString(16).padStart(8, "0");
      const eip = m.read32(p.frame + FRAME.eip) >>> 0;
      lines.push(`[pid ${p.pid} ${p.name}] ${p.state}${p.wait ? ` (${p.wait.kind})` : ""}, nice ${p.nice}, brk 0x${p.brk.toString(16)}`);
      lines.push(`  eip ${r(FRAME.eip)} ${p.symbolize(eip)}  esp ${r(FRAME.esp)}  eflags ${r(FRAME.eflags)}  cs ${r(FRAME.cs)}`);
      lines.push(`  eax ${r(FRAME.eax)}  ebx ${r(FRAME.ebx)}  ecx ${r(FRAME.ecx)}  edx ${r(FRAME.edx)}`);
      lines.push(`  esi ${r(FRAME.esi)}  edi ${r(FRAME.edi)}  ebp ${r(FRAME.ebp)}`);
    }
    return lines.join("\n");
  }

  /** Frames currently free in the physical allocator. */
  get freeFrames(): number {
    return this.frames.freeCount + this.lateDirectories.length; // directories freed at the next entry count as free
  }

  /** Free frames right after boot set up the kernel page table (before any process existed). */
  get freeFramesAtBoot(): number {
    return this.framesAtBoot;
  }

  // ---- KernelApi ------------------------------------------------------------------------------

  nowMs(): number {
    return this.machine.nowMs();
  }

  savedRegister(p: Process, off: number): number {
    return this.machine.mem32[(p.frame + off) >>> 2]!;
  }

  process(pid: number): Process | undefined {
    return this.procs.get(pid);
  }

  processAtOrAfter(pid: number): ProcessSummary | undefined {
    const p = this.procs.atOrAfter(pid);
    const t = this.services.taskAtOrAfter(pid);
    return !t ? p : !p ? t : p.pid < t.pid ? p : t;
  }

  block(p: Process, wait: WaitReason): void {
    this.dispatcher.block(p, wait);
  }

  complete(p: Process, value: number): void {
    this.dispatcher.complete(p, value);
  }

  yieldCpu(_p: Process): void {
    this.dispatcher.yieldCpu();
  }

  requestReschedule(reason: string): void {
    this.dispatcher.requestReschedule(reason);
  }

  setAlarm(p: Process, ms: number): void {
    this.dispatcher.setAlarm(p, ms);
  }

  irqAck(p: Process, irq: number): boolean {
    return this.irqs.ack(p, irq);
  }

  serviceEndpoint(name: string): number {
    return this.services.endpoint(name);
  }

  serviceRunning(name: string): boolean {
    return this.services.running(name);
  }

  restarts(name: string): number {
    return this.restartCount.get(name) ?? 0;
  }

  serverInfo(index: number): { priv: ServerPrivileges; pid: number; restarts: number; inKernel: boolean } | undefined {
    const priv = this.opts.manifest?.servers[index];
    if (!priv) return undefined;
    const pid = this.services.endpoint(priv.name);
    return { priv, pid: pid > 0 ? pid : 0, restarts: this.restarts(priv.name), inKernel: this.inKernel(priv.name) };
  }

  isDevice(name: string): boolean {
    if (name === "console") return true;
    return this.opts.manifest?.servers.some((s) => s.name === name && s.device) ?? false;
  }

  serviceRequest(p: Process, name: string, w0: number, w1: number, w2: number, payload: RequestPayload, replyVa: number, replyCap: number, req: KernelRequest): number {
    return this.services.request(p, name, w0, w1, w2, payload, replyVa, replyCap, req);
  }

  touchUser(p: Process, va: number, len: number, write: boolean): boolean {
    return touchUser(p, va, len, write);
  }

  userBuffer(p: Process, va: number, len: number, write: boolean): number {
    return userBuffer(p, va, len, write);
  }

  flushTlb(): void {
    this.machine.flushTlb();
  }

  /**
   * Starts boot module `name` as a child of `parent`; returns the pid or -errno. A manifest server
   * gets its privileges — or, when its service runs in the kernel in this mode, the in-kernel service
   * starts and gets a pid as a service task. Only init and the supervisor may start a server, and
   * only one instance of each runs at a time; starting one again is a restart (traced).
   */
  spawnModule(name: string, argv: string[], parent: Process): number {
    const priv = this.opts.manifest?.servers.find((s) => s.name === name);
    if (priv) {
      if (parent.pid !== this.firstPid && !parent.priv?.supervisor) return -E.PERM;
      if (this.services.running(name)) return -E.BUSY;
      if (this.inKernel(name)) {
        if (this.procs.size >= MAX_PROCS) return -E.AGAIN;
        const pid = this.procs.allocPid();
        this.services.startInKernel(name, pid, parent.pid);
        this.serverStarted(name, pid);
        return pid;
      }
    }
    const image = this.modules.get(name);
    if (!image) return -E.NOENT;
    const p = this.spawn(name, image, argv, parent);
    if (typeof p === "number") return p;
    if (priv) {
      this.grant(p, priv);
      // A server started again in a run whose services the kernel started keeps not holding the run open.
      if (this.opts.startServices) this.daemons.add(p);
      this.serverStarted(name, p.pid);
    }
    return p.pid;
  }

  /**
   * A server with a restart policy died while `p` waited on a kernel-made request to it (a POSIX
   * call): while a supervisor runs, the request is kept and sent once more to the restarted server —
   * file requests name their inode and offset, so repeating one is safe (docs/recovery.md says which
   * are not idempotent) — or fails with EIO after PARK_MS of virtual time, or if it kills the
   * restarted server too.
   */
  private park(p: Process, server: Process): boolean {
    const priv = server.priv;
    // A request that already killed one restarted server is not repeated again (a poison request).
    if (!priv?.restart || priv.supervisor || this.halted || p.ipc.resent) return false;
    const sup = this.opts.manifest?.servers.find((s) => s.supervisor);
    if (!sup || this.services.endpoint(sup.name) <= 0) return false;
    this.parked.push({ p, name: priv.name, deadline: this.machine.nowMs() + PARK_MS });
    p.wait = { kind: "service", name: priv.name };
    return true;
  }

  /** Sends the parked requests for `name` to its restarted server `d`. */
  private resendParked(name: string, d: Process): void {
    for (let i = 0; i < this.parked.length; ) {
      const w = this.parked[i]!;
      if (w.name !== name) {
        i++;
        continue;
      }
      this.parked.splice(i, 1);
      const p = w.p;
      if (p.state !== "blocked" || !p.ipc.request) continue;
      p.wait = null;
      p.ipc.resent = true;
      const r = this.ipc.send(p, d);
      if (r !== null) this.failParked(p, r);
    }
  }

  /** Fails parked requests whose server did not come back in time (EIO to the caller). */
  private expireParked(): void {
    const now = this.machine.nowMs();
    while (this.parked.length > 0 && this.parked[0]!.deadline <= now) {
      const w = this.parked.shift()!;
      if (w.p.state === "blocked" && w.p.ipc.request) this.failParked(w.p, -E.SRCH);
    }
  }

  private failParked(p: Process, err: number): void {
    const req = p.ipc.request;
    p.ipc.request = null;
    p.state = "blocked";
    this.dispatcher.complete(p, req ? req.failed(err) : err);
  }

  /** Counts a server's start: any start after the first is a restart, recorded in the trace. */
  private serverStarted(name: string, pid: number): void {
    if (!this.everStarted.has(name)) {
      this.everStarted.add(name);
      return;
    }
    const n = (this.restartCount.get(name) ?? 0) + 1;
    this.restartCount.set(name, n);
    const m = this.machine;
    this.trace?.action(pid, "restart", { name, count: n });
    const restarted = this.procs.get(pid);
    if (restarted) this.resendParked(name, restarted);
  }

  spawnImage(name: string, bytes: Uint8Array, argv: string[], parent: Process): number {
    // From a file system only ELF executables run: a text file is not a flat binary by accident.
    if (!isElf(bytes)) return -E.NOEXEC;
    let image: LoadedImage;
    try {
      image = loadImage(bytes);
    } catch (e) {
      if (e instanceof ElfError || e instanceof Error) return -E.NOEXEC;
      throw e;
    }
    const p = this.spawn(name, image, argv, parent);
    return typeof p === "number" ? p : p.pid;
  }

  liveProcesses(): readonly Process[] {
    return this.procs.live;
  }

  /** fork(2): the child shares every page copy-on-write, every open file description, cwd, group and ignored signals. */
  fork(p: Process): number {
    const m = this.machine;
    const room = this.newProcessRoom();
    if (typeof room === "number") return room;
    const { slot, as } = room;
    const ok = as.cloneFrom(p.as);
    m.flushTlb(); // the parent's writable pages just became read-only
    if (!ok) {
      as.destroy();
      this.procs.freeKstack(slot);
      return -E.NOMEM;
    }
    const pid = this.procs.allocPid();
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const c = new Process(pid, p.name, p.pid, as, slot, kstackTop, p.symbols);
    c.brkStart = p.brkStart;
    c.brk = p.brk;
    c.nice = p.nice;
    c.killRight = p.killRight;
    c.files = p.files ? p.files.fork() : null;
    c.cwd = p.cwd;
    c.pgid = p.pgid;
    c.sigIgnored = p.sigIgnored;
    // The child resumes from a copy of the parent's trap frame, with fork's result 0.
    c.frame = kstackTop - FRAME.sizeRing3;
    m.mem8.copyWithin(c.frame, p.frame, p.frame + FRAME.sizeRing3);
    m.write32(c.frame + FRAME.eax, 0);
    c.syscallOpen = true; // its first return is fork's (traced with ret 0)
    this.dispatcher.fpu.forked(p, c);
    p.children.add(pid);
    this.procs.add(c);
    this.dispatcher.policy.add(c);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, c.name);
      tr.action(pid, "spawn", { parent: p.pid, argv: [c.name], fork: true });
    }
    return pid;
  }

  exec(p: Process, name: string, bytes: Uint8Array, argv: string[], envp: string[]): number {
    const m = this.machine;
    if (!isElf(bytes)) return -E.NOEXEC;
    let image: LoadedImage;
    try {
      image = loadImage(bytes);
    } catch (e) {
      if (e instanceof ElfError || e instanceof Error) return -E.NOEXEC;
      throw e;
    }
    const as = this.newAddressSpace();
    if (!as) return -E.NOMEM;
    const built = populate(as, image, argv, envp);
    if (typeof built === "number") {
      as.destroy();
      return built === -E.INVAL ? -E.E2BIG : built;
    }
    // The point of no return: the old image goes.
    const t = p.files;
    if (t && t.cloexec) {
      for (let fd = 0; fd < MAX_FDS; fd++) {
        if (!(t.cloexec & (1 << fd))) continue;
        const f = t.remove(fd);
        if (f) this.closeFile(p, f);
      }
    }
    this.retire(p.as);
    this.dispatcher.fpu.discard(p); // a new image starts with a fresh FPU
    p.as = as;
    p.name = name;
    p.symbols = image.symbols;
    p.brkStart = p.brk = built.end;
    p.frame = writeInitialFrame(m, p.kstackTop, image.entry, built.sp);
    if (this.dispatcher.current === p) this.dispatcher.reloadAddressSpace();
    if (this.trace) {
      this.trace.nameProcess(p.pid, name);
      this.traceLoad(p.pid, name, image);
    }
    return 0;
  }

  /** The trace's `load` event: `image` now runs in process `pid`. */
  private traceLoad(pid: number, name: string, image: LoadedImage): void {
    const m = this.machine;
    this.trace?.action(pid, "load", {
      path: name,
      entry: image.entry,
      segments: image.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: flagString(s.flags) })),
      symbols: image.symbols,
    });
  }

  /** A fresh address space, or null when no frame is left for its directory. */
  private newAddressSpace(): AddressSpace | null {
    try {
      return new AddressSpace(this.machine, this.frames, this.kernelPt);
    } catch (e) {
      if (e instanceof OutOfMemory) return null;
      throw e;
    }
  }

  /** What a new process needs first: a table entry's room, a kernel stack slot and an address space; or -errno. */
  private newProcessRoom(): { slot: number; as: AddressSpace } | number {
    if (this.procs.size >= MAX_PROCS) return -E.AGAIN;
    const slot = this.procs.allocKstack();
    if (slot === undefined) return -E.AGAIN;
    const as = this.newAddressSpace();
    if (as) return { slot, as };
    this.procs.freeKstack(slot);
    return -E.NOMEM;
  }

  /** Frees an address space the CPU may still be running on: its directory only at the next kernel entry. */
  private retire(as: AddressSpace): void {
    as.destroy(true);
    this.lateDirectories.push(as.pd);
  }

  closeFile(p: Process, f: OpenFile): void {
    if (!release(f) || f.server !== "pipe") return; // the file service keeps no state for open files
    this.services.request(p, "pipe", MSG.PIPE_CLOSE, f.ino, (f.flags & O.ACCMODE) === O.RDONLY ? 0 : 1, null, 0, 0, IGNORE_REPLY);
  }

  reap(parent: Process, child: Process, statusPtr: number): number {
    if (statusPtr !== 0 && !parent.as.writeWord(statusPtr, child.waitStatus())) return -E.FAULT;
    parent.children.delete(child.pid);
    this.procs.remove(child.pid);
    return child.pid;
  }

  /**
   * Ends a process — with an exit status, or killed by `vector` / `signal` — frees its memory and
   * kernel stack, hands its children to init (orphan), and lets a waiting parent reap it.
   */
  exitProcess(p: Process, status: number | null, vector: number | null, signal: number | null, report: string | null): void {
    const m = this.machine;
    if (p.state === "zombie") return;
    p.state = "zombie";
    p.wait = null;
    p.exitStatus = status;
    p.killVector = vector;
    p.killSignal = status === null ? signal : null;
    p.report = report;
    if (report && this.opts.onReport) this.opts.onReport(report);
    this.trace?.action(p.pid, "exit", { status, vector, signal: p.killSignal, report });
    this.results.push({ pid: p.pid, name: p.name, status, vector, signal: p.killSignal, report });
    this.procs.died(p);
    this.dispatcher.policy.remove(p);
    this.ipc.processEnded(p, this.procs.values());
    this.services.processEnded(p);
    const files = p.files;
    if (files) for (let fd = 0; fd < MAX_FDS; fd++) {
      const f = files.remove(fd);
      if (f) this.closeFile(p, f); // the last writer of a pipe gone: its readers see EOF
    }
    if (p.priv) {
      this.irqs.release(p);
      this.io.forget(p);
      if (!p.priv.supervisor) this.notifySupervisor();
    }
    p.files = null;
    this.dispatcher.setAlarm(p, 0);
    this.daemons.delete(p);
    if (!this.opts.startServices && this.opts.manifest && p.pid === this.firstPid) {
      // Init ended: the machine powers off. A signal leaves no report of its own: say what happened.
      if (status === null && !report) this.opts.onReport?.(`[pid ${p.pid} ${p.name}] killed by signal ${p.killSignal}: init ended, so the machine powers off`);
      this.halt("shutdown");
    }
    else if (this.daemons.size > 0 && this.procs.live.every((q) => this.daemons.has(q))) this.halt("exit");
    this.retire(p.as);
    this.dispatcher.fpu.discard(p);
    this.procs.freeKstack(p.kstackSlot);
    this.orphan(p);
    const parent = p.parent !== null ? this.procs.get(p.parent) : undefined;
    if (!parent) this.procs.remove(p.pid);
    else this.reapIfWaiting(parent, p);
  }

  /** Reaps the zombie `child` for `parent` and completes its waitpid, if `parent` waits for it now. */
  private reapIfWaiting(parent: Process, child: Process): void {
    if (parent.state === "blocked" && parent.wait?.kind === "child" && waitMatches(parent.wait.pid, parent, child)) {
      this.dispatcher.complete(parent, this.reap(parent, child, parent.wait.statusPtr));
    }
  }

  /**
   * Hands the children of `p` (ending) to init, the first process, as Unix does: their parent becomes
   * init (getppid 1), whose waitpid reaps them, and a zombie among them wakes an init waiting for any
   * child. With no init left (it is `p`, or it ended), they have no parent and a zombie goes at once.
   */
  private orphan(p: Process): void {
    const init = this.procs.get(this.firstPid);
    const heir = init && init !== p && init.state !== "zombie" ? init : undefined;
    for (const c of p.children) {
      const child = this.procs.get(c);
      if (!child) continue;
      if (!heir) {
        child.parent = null;
        if (child.state === "zombie") this.procs.remove(c);
        continue;
      }
      child.parent = heir.pid;
      heir.children.add(c);
      if (child.state === "zombie") this.reapIfWaiting(heir, child);
    }
    p.children.clear();
  }

  // ---- the hypercall --------------------------------------------------------------------------

  /** Entered synchronously from the stub's `out`: handle one kernel entry, then fill the switch block. */
  private hypercall(value: number): void {
    this.machine.ensureViews();
    // Only the stub (ring 0) enters the kernel. An `out` from ring 3 (a server granted the port by a
    // forged manifest, were the manifest to allow it) does nothing.
    if (this.machine.cpl !== 0) return;
    this.machine.waitForInput = false;
    const late = this.lateDirectories;
    while (late.length > 0) this.frames.release(late.pop()!);
    if (this.halted) return this.dispatcher.writeHalt();
    try {
      if (value === HYPERCALL_BOOT) return this.boot();
      this.traps.handle(value >>> 0);
    } catch (err) {
      this.halt("panic", err instanceof Error ? err.message : String(err));
    }
  }

  /** The boot hypercall: page tables, the first processes (and services), then the first switch to ring 3. */
  private boot(): void {
    const m = this.machine;
    this.kernelPt = buildKernelPageTable(m, this.frames);
    this.framesAtBoot = this.frames.freeCount;
    m.write32(MEM.switchBlock + SWITCH.picMask, this.irqs.mask); // the timer only; owners' IRQs open on their first ack
    for (const { spec, image } of this.boots) {
      const p = this.spawn(spec.name, image, spec.argv ?? [spec.name], null);
      if (p === -E.NOMEM) {
        // A program too large for the machine is the user's error, not the kernel's: stop with a clear message.
        const kib = image.segments.reduce((n, s) => n + Math.ceil(s.memsz / 4096) * 4, 0);
        return this.halt("idle", `cannot start ${spec.name}: its segments need ${kib} KiB, more than the machine's free memory (${Math.floor(this.machine.memoryBytes / 1048576)} MiB in all; error -ENOMEM)`);
      }
      if (typeof p === "number") throw new KernelPanic(`cannot start ${spec.name}: error ${p}`);
    }
    this.firstPid = this.procs.live[0]?.pid ?? 1;
    this.startBootServices();
    // The stub enables paging with SWITCH.cr3 before switch_out: give it a directory even if nothing runs.
    m.write32(MEM.switchBlock + SWITCH.cr3, this.procs.live[0]?.as.pd ?? this.kernelPt);
    this.dispatcher.requestReschedule("start");
    this.dispatcher.leave();
  }

  /**
   * The services the kernel starts itself: with `startServices`, every declared server (ring-3, or
   * in the kernel when its service runs there) and every other in-kernel service; otherwise an
   * in-kernel console when no console server will run (programs still print).
   */
  private startBootServices(): void {
    const declared = this.opts.manifest?.servers ?? [];
    if (this.inKernel("pipe")) this.services.startInKernel("pipe", null, null);
    if (this.opts.startServices) {
      // The supervisor only has work if some other server runs in ring 3.
      const ring3 = declared.filter((s) => !s.supervisor && !this.inKernel(s.name));
      for (const priv of declared) {
        if (this.inKernel(priv.name) || (priv.supervisor && ring3.length === 0)) continue;
        const image = this.modules.get(priv.name);
        if (!image) throw new KernelPanic(`cannot start server ${priv.name}: no program for it`);
        const p = this.spawn(priv.name, image, [priv.name], null);
        if (typeof p === "number") throw new KernelPanic(`cannot start server ${priv.name}: error ${p}`);
        this.grant(p, priv);
        this.serverStarted(priv.name, p.pid);
        this.daemons.add(p);
      }
      for (const s of this.opts.services ?? []) if (this.inKernel(s.name)) this.services.startInKernel(s.name, null, null);
      return;
    }
    if (!declared.some((s) => s.name === "console")) this.services.startInKernel("console", null, null);
    if (!this.opts.manifest) for (const s of this.opts.services ?? []) this.services.startInKernel(s.name, null, null);
  }

  /** True if service `name` runs in the kernel in this mode. */
  private inKernel(name: string): boolean {
    if (!this.services.hasInKernel(name)) return false;
    if (this.mode === "monolithic") return true;
    return !(this.opts.manifest?.servers.some((s) => s.name === name) ?? false);
  }

  /** Creates a process running `image`; returns it, or -errno. */
  private spawn(name: string, image: LoadedImage, argv: string[], parent: Process | null): Process | number {
    const m = this.machine;
    const room = this.newProcessRoom();
    if (typeof room === "number") return room;
    const { slot, as } = room;
    const built = populate(as, image, argv);
    if (typeof built === "number") {
      as.destroy();
      this.procs.freeKstack(slot);
      return built;
    }
    const pid = this.procs.allocPid();
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const p = new Process(pid, name, parent ? parent.pid : null, as, slot, kstackTop, image.symbols);
    p.brkStart = p.brk = built.end;
    if (parent) {
      parent.children.add(pid);
      p.pgid = parent.pgid;
      p.cwd = parent.cwd;
      p.sigIgnored = parent.sigIgnored;
    }
    const shell = this.opts.manifest?.shell;
    // Inherited, except from init under a manifest: of its children only the shell, with kill=yes.
    // A boot program (init, a program given on the command line) has it; grant() decides for servers.
    // The first process is init only when the kernel does not start the servers itself (`ringside
    // run` starts them, and its first program is the user's, whose children inherit).
    const fromInit = parent !== null && shell !== undefined && !this.opts.startServices && parent.pid === this.firstPid;
    // (init starts the shell under its program's last path component: servers/init.asm, ulib_spawn_path.)
    const shellName = shell?.program.slice(shell.program.lastIndexOf("/") + 1);
    p.killRight = !parent || (fromInit ? shell.kill === true && name === shellName : parent.killRight);
    p.nice = this.dispatcher.policy.initialNice(parent);
    p.files = FileTable.standard();
    p.frame = writeInitialFrame(m, kstackTop, image.entry, built.sp);
    this.procs.add(p);
    this.dispatcher.policy.add(p);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, name);
      tr.action(pid, "spawn", { parent: p.parent, argv });
      this.traceLoad(pid, name, image);
    }
    return p;
  }

  /** The fault injector and what it may do to the system. */
  private faultInjector(specs: FaultSpec[], seed: number): FaultInjector {
    const m = this.machine;
    const k = this;
    return new FaultInjector(specs, seed, {
      machine: m,
      get trace() {
        return k.trace;
      },
      serverProcess: (name) => this.services.serverProcess(name),
      inKernel: (name) => this.inKernel(name) && this.services.running(name),
      kill: (p, report) => this.exitProcess(p, null, null, 9, report),
      stop: (reason, message) => this.halt(reason, message),
      redirect: (p, eip, returnHere) => {
        if (p.state === "zombie") return false;
        const f = p.frame;
        if (returnHere) {
          const sp = (m.read32(f + FRAME.esp) - 4) >>> 0;
          const old = m.read32(f + FRAME.eip);
          if (!p.as.copyOut(sp, Uint8Array.of(old, old >>> 8, old >>> 16, old >>> 24))) return false;
          m.write32(f + FRAME.esp, sp);
        }
        m.write32(f + FRAME.eip, eip);
        return true;
      },
      mapFaultCode: (p, code) => {
        if (!p.as.isMapped(FAULT_CODE_VA) && p.as.mapNew(FAULT_CODE_VA, false) < 0) return false;
        return p.as.poke(FAULT_CODE_VA, code);
      },
    });
  }

  /** Tells the running supervisor (the reincarnation server), if any, that a server ended. */
  private notifySupervisor(): void {
    const sup = this.opts.manifest?.servers.find((s) => s.supervisor);
    const pid = sup ? this.services.endpoint(sup.name) : -1;
    const p = pid > 0 ? this.procs.get(pid) : undefined;
    if (p && p.state !== "zombie") this.ipc.notify(-1, p, NOTIFY.SERVER);
  }

  /** Gives a freshly started server its manifest privileges: IRQs, I/O ports, send rights. */
  private grant(p: Process, priv: ServerPrivileges): void {
    p.priv = priv;
    p.killRight = priv.kill === true || priv.supervisor;
    p.nice = SERVER_NICE;
    this.services.registerServer(priv.name, p);
    for (const irq of priv.irqs) this.irqs.own(irq, p);
  }

  // ---- stopping -------------------------------------------------------------------------------

  /**
   * Nothing runs and no timer is due: decides whether to idle (input may still come) or to stop.
   * Returns true to idle; otherwise it has halted the machine.
   */
  private mayWake(): boolean {
    // A booted system (init and servers) waits for input; a run of programs with nothing left to wake is stuck.
    const interactive = (this.opts.manifest !== undefined && !this.opts.startServices) || this.opts.onIdle !== undefined;
    if (!interactive) {
      this.halt("deadlock", `every process is blocked and nothing can wake them: ${this.whoWaits()}`);
      return false;
    }
    if (this.machine.hasPendingInput()) return true;
    if (!this.opts.onIdle) {
      this.machine.waitForInput = true; // interactive: sleep until the host types something
      return true;
    }
    if (this.opts.onIdle()) return true;
    this.halt("idle", `every process waits and no more input will come: ${this.whoWaits()}`);
    return false;
  }

  private halt(reason: RunResult["reason"], panic?: string): void {
    const m = this.machine;
    this.halted = { reason, panic };
    this.trace?.action(-1, "halt", { reason, status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : null });
    this.dispatcher.writeHalt();
    m.requestStop(reason);
  }

  /** "[pid 3 sh] waits for …; …" for every live process. */
  private whoWaits(): string {
    return this.procs.live
      .map((p) => {
        const w = p.wait;
        let what: string = p.state;
        if (w?.kind === "child") what = `waits for child ${w.pid}`;
        else if (w?.kind === "service") what = `waits for the ${w.name} service`;
        else if (w?.kind === "ipc") {
          const e = p.ipc;
          what = e.op === IpcOp.sending ? `sends to ${e.peer?.pid}` : e.op === IpcOp.awaiting ? `awaits a reply from ${e.peer?.pid}` : "receives";
        }
        return `[pid ${p.pid} ${p.name}] ${what}`;
      })
      .join("; ");
  }

  private firstStatus(): number {
    const r = this.results.find((x) => x.pid === this.firstPid);
    if (!r) return 0;
    if (r.status !== null) return r.status;
    if (r.vector !== null) return 128 + r.vector;
    return 128 + (r.signal ?? 0);
  }

  private finish(stop: StopReason): RunResult {
    const m = this.machine;
    let reason: RunResult["reason"];
    if (this.halted) reason = this.halted.reason;
    else if (stop.kind === "max-instructions") {
      reason = "max-instructions";
      this.trace?.action(-1, "halt", { reason, status: null });
    } else {
      reason = stop.kind === "emulator-fault" ? "panic" : "dead";
      this.trace?.action(-1, "halt", { reason: "panic", status: null });
    }
    const cur = this.dispatcher.current;
    const emu = stop.kind === "emulator-fault" ? `the emulator (v86) cannot continue${cur ? ` in [pid ${cur.pid} ${cur.name}]` : ""}: ${stop.message}` : undefined;
    const still = this.procs.live.filter((p) => !this.daemons.has(p)).map((p) => ({ pid: p.pid, name: p.name, status: null, vector: null, signal: null, report: null }));
    return {
      reason,
      status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : reason === "max-instructions" ? 124 : 70,
      processes: [...this.results, ...still].sort((a, b) => a.pid - b.pid),
      icount: m.icount(),
      vtUs: m.nowUs(),
      panic: this.halted?.panic ?? emu ?? (reason === "dead" ? "the CPU halted with interrupts disabled" : undefined),
      faultsNotStruck: this.faults?.notStruck(),
    };
  }
}
