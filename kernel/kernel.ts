// The TypeScript kernel. It runs inside the stub's hypercall: every trap, interrupt and system call
// arrives here with the address of a trap frame; the kernel reads and edits the frame, decides what
// runs next, writes the switch block and returns — the stub does the switch and the `iret`.
import { Machine, type StopReason } from "../emulator/machine.ts";
import { disassembleOne } from "./disasm.ts";
import { parseElf, isElf, type ElfSymbol } from "./elf.ts";
import { FrameAllocator, PAGE } from "./frames.ts";
import { ACTION, FRAME, HYPERCALL_BOOT, HYPERCALL_PORT, IRQ_BASE, MEM, SEL, SWITCH, SYSCALL_VECTOR } from "./layout.ts";
import { VECTOR_NAMES, E, SIGNAL_FOR_VECTOR } from "./names.ts";
import { Process, type WaitReason } from "./process.ts";
import { QUANTUM_MS, Scheduler } from "./sched.ts";
import { buildStub, type StubImage } from "./stub.ts";
import { BLOCKED, NO_RETURN, syscallByNumber } from "./syscalls.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { AddressSpace, OutOfMemory, buildKernelPageTable } from "./vm.ts";
import { uartInit, uartWrite } from "./drivers/uart.ts";
import { PIT_MAX_MS, pitOneShot } from "./drivers/pit.ts";
import { BAD_BUFFER, Ipc, NO_PA, type KernelRequest } from "./ipc.ts";
import { FileTable } from "./files.ts";
import type { Manifest, ServerPrivileges } from "./manifest.ts";
import { NOTIFY } from "./protocol.ts";
import { ElfError } from "./elf.ts";
import { IoPermissions } from "./io-permissions.ts";

/** A program to start at boot. `image` is an ELF32 executable or a flat binary (loaded at 0x00400000). */
export interface ProgramSpec {
  name: string;
  image: Uint8Array;
  argv?: string[];
}

export interface KernelOptions {
  /** Started at boot, each as its own process (and also available to `spawn` by name). */
  programs: ProgramSpec[];
  /** Boot modules: programs `spawn` can start by name, not started at boot. */
  modules?: ProgramSpec[];
  trace?: TraceRecorder;
  /** Every byte the guest prints on the console (COM1). */
  onConsole?: (byte: number) => void;
  /** One-line reports (a process killed by an exception). */
  onReport?: (line: string) => void;
  maxInstructions?: number;
  memoryBytes?: number;
  deterministic?: boolean;
  seed?: number;
  /** Assemble the stub with the benchmark-only vectors 0x81 (iret at once) and 0x82 (reload CR3, iret). */
  benchVector?: boolean;
  /** A prebuilt stub image (default: assemble boot/stub.asm). */
  stub?: StubImage;
  /**
   * Microkernel mode: the boot manifest. `programs` must then be just init; `modules` the servers.
   * POSIX file calls go to the servers by IPC, and init's exit shuts the machine down.
   */
  manifest?: Manifest;
  /** The disk on the primary ATA master (edited in place by guest writes). */
  hda?: Uint8Array;
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
  reason: "exit" | "shutdown" | "idle" | "max-instructions" | "panic" | "dead" | "deadlock";
  /** The first program's status: its exit code, or 128 + vector if an exception killed it. */
  status: number;
  processes: ProcessResult[];
  icount: number;
  vtUs: number;
  panic?: string;
}

export interface LoadedImage {
  entry: number;
  segments: { vaddr: number; memsz: number; data: Uint8Array; flags: number }[];
  symbols: ElfSymbol[];
}

/** Servers run at this nice value: a driver woken by an interrupt preempts ordinary programs. */
export const SERVER_NICE = -5;

/** The user stack may grow (lazily) to this size below MEM.userTop; the page under it is the guard. */
export const STACK_MAX = 1024 * 1024;
/** At most this many processes (live and zombie) at once. */
export const MAX_PROCS = 64;
const USER_EFLAGS = 0x202; // IF set, reserved bit 1
export const KERNEL_VERSION = "ringside 0.1.0";

export class KernelPanic extends Error {}

/** Validates a program image; throws ElfError (from parseElf) for bad ELF files. */
export function loadImage(image: Uint8Array): LoadedImage {
  if (isElf(image)) {
    const elf = parseElf(image);
    return {
      entry: elf.entry,
      symbols: elf.symbols,
      segments: elf.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: s.flags, data: image.subarray(s.offset, s.offset + s.filesz) })),
    };
  }
  if (image.length === 0) throw new Error("empty program image");
  return { entry: MEM.userBase, symbols: [], segments: [{ vaddr: MEM.userBase, memsz: image.length, flags: 7, data: image }] };
}

export class Kernel {
  readonly machine: Machine;
  private readonly frames: FrameAllocator;
  private kernelPt = 0;
  private readonly trace: TraceRecorder | undefined;
  /** Every process that has not been reaped (live and zombie). */
  private readonly procs = new Map<number, Process>();
  private readonly sched = new Scheduler();
  private current: Process | null = null;
  /** Set when the current process must give up the CPU at this kernel exit; the value is the reason. */
  private resched: string | null = null;
  /** The deadline (virtual ms) the PIT is armed for, or Infinity. */
  private armed = Infinity;
  private nextPid = 1;
  private readonly freeKstacks: number[] = [];
  private readonly boots: { spec: ProgramSpec; image: LoadedImage }[];
  private readonly modules = new Map<string, LoadedImage>();
  private readonly results: ProcessResult[] = [];
  private halted: { reason: RunResult["reason"]; panic?: string } | undefined;
  private readonly opts: KernelOptions;
  private readonly sw = MEM.switchBlock;
  private firstPid = 1;
  private framesAtBoot = 0;
  /** A #GP the kernel provoked to stand in for a v86 panic: the error code a real CPU would give. */
  private gpFixup: { pid: number; eip: number; errorCode: number } | undefined;
  /** The IPC engine. */
  readonly ipc: Ipc;
  /** Microkernel mode (booted from a manifest). */
  private readonly micro: boolean;
  /** Running servers by manifest name. */
  private readonly servers = new Map<string, Process>();
  /** The process that owns each IRQ line (microkernel mode). */
  private readonly irqOwner: (Process | null)[] = new Array<Process | null>(16).fill(null);
  /** The PIC mask the stub should apply (bit n masks IRQ n). */
  private picMask = 0xffff & ~1;
  /** Forces the next kernel exit through the full switch (the PIC mask changed). */
  private slowExit = false;
  private readonly io: IoPermissions;
  /** The partner of a rendezvous made during this kernel entry (see `leave`). */
  private handoff: Process | null = null;
  /** How many processes have an alarm set (so the common case skips looking for them). */
  private alarmsSet = 0;

  private constructor(
    machine: Machine,
    opts: KernelOptions,
    boots: { spec: ProgramSpec; image: LoadedImage }[],
    modules: { spec: ProgramSpec; image: LoadedImage }[],
    private readonly stub: StubImage,
  ) {
    this.machine = machine;
    this.opts = opts;
    this.trace = opts.trace;
    this.boots = boots;
    for (const m of [...boots, ...modules]) if (!this.modules.has(m.spec.name)) this.modules.set(m.spec.name, m.image);
    this.frames = new FrameAllocator(machine);
    this.ipc = new Ipc(this);
    this.micro = opts.manifest !== undefined;
    this.io = new IoPermissions(machine);
    for (let i = MEM.kstackCount - 1; i >= 0; i--) this.freeKstacks.push(i);
    machine.onPortWrite32(HYPERCALL_PORT, (v) => this.hypercall(v));
    machine.onEmulatorFault((message) => this.emulatorFault(message));
    if (opts.onConsole) machine.onSerialOutput(opts.onConsole);
  }

  /** Validates the programs, builds the machine and loads the stub; nothing runs until `run()`. */
  static async create(opts: KernelOptions): Promise<Kernel> {
    const boots = opts.programs.map((spec) => ({ spec, image: loadImage(spec.image) }));
    const modules = (opts.modules ?? []).map((spec) => ({ spec, image: loadImage(spec.image) }));
    const stub = opts.stub ?? (await buildStub({ benchVector: opts.benchVector }));
    const machine = await Machine.create({
      multiboot: stub.bytes,
      memoryBytes: opts.memoryBytes,
      deterministic: opts.deterministic,
      seed: opts.seed,
      maxInstructions: opts.maxInstructions,
      hda: opts.hda,
    });
    return new Kernel(machine, opts, boots, modules, stub);
  }

  /**
   * Boots and runs until every process has ended (or the instruction limit / a panic / a deadlock
   * stops it). The trace recorder's owner calls its `finish()` afterwards to format the trace.
   */
  async run(): Promise<RunResult> {
    const stop = await this.machine.run();
    return this.finish(stop);
  }

  /** Powers the machine off from the host (an interactive user quit): the run ends with reason "shutdown". */
  powerOff(): void {
    if (!this.halted) this.halt("shutdown");
  }

  /** Frees the emulator. */
  destroy(): void {
    this.machine.destroy();
  }

  /** Frames currently free in the physical allocator. */
  get freeFrames(): number {
    return this.frames.freeCount;
  }

  /** Free frames right after boot set up the kernel page table (before any process existed). */
  get freeFramesAtBoot(): number {
    return this.framesAtBoot;
  }

  /** Virtual time in ms. */
  nowMs(): number {
    return this.machine.nowMs();
  }

  /** The process with this pid (live or zombie), if any. */
  process(pid: number): Process | undefined {
    return this.procs.get(pid);
  }

  /** The live or zombie process with the smallest pid ≥ `pid`. */
  processAtOrAfter(pid: number): Process | undefined {
    let best: Process | undefined;
    for (const p of this.procs.values()) if (p.pid >= pid && (!best || p.pid < best.pid)) best = p;
    return best;
  }

  /** The running server with this manifest name. */
  server(name: string): Process | undefined {
    return this.servers.get(name);
  }

  /**
   * True when a console server is declared (microkernel mode): then the console fds go to it. Without
   * one (the monolithic `run` setup, or a manifest with no console) the kernel's UART driver prints.
   */
  consoleServerDeclared(): boolean {
    return this.opts.manifest?.servers.some((s) => s.name === "console") ?? false;
  }

  /** The trace recorder, if tracing. */
  get traceRecorder(): TraceRecorder | undefined {
    return this.trace;
  }

  // ---- the hypercall ------------------------------------------------------------------------

  /** Entered synchronously from the stub's `out`: handle one kernel entry, then fill the switch block. */
  private hypercall(value: number): void {
    this.machine.ensureViews();
    this.machine.waitForInput = false;
    if (this.halted) return this.writeSwitchHalt();
    try {
      if (value === HYPERCALL_BOOT) return this.boot();
      this.trap(value >>> 0);
    } catch (err) {
      this.panic(err instanceof Error ? err.message : String(err));
    }
  }

  /** Dispatches one trap whose frame is at `f`, then decides what runs next. */
  private trap(f: number): void {
    const m = this.machine;
    const mem32 = m.mem32;
    const fi = f >>> 2;
    const vector = mem32[fi + (FRAME.vector >> 2)]!;
    const cplFrom = mem32[fi + (FRAME.cs >> 2)]! & 3;
    const eip = mem32[fi + (FRAME.eip >> 2)]! >>> 0;
    const cur = cplFrom === 3 ? this.current : null;
    if (cur) cur.frame = f;
    const pid = cur ? cur.pid : -1;
    const tr = this.trace;

    if (vector === SYSCALL_VECTOR && cur) {
      const nr = mem32[fi + (FRAME.eax >> 2)]! >>> 0;
      const a0 = mem32[fi + (FRAME.ebx >> 2)]!, a1 = mem32[fi + (FRAME.ecx >> 2)]!, a2 = mem32[fi + (FRAME.edx >> 2)]!;
      const a3 = mem32[fi + (FRAME.esi >> 2)]!, a4 = mem32[fi + (FRAME.edi >> 2)]!;
      if (tr) {
        const ic = m.icount();
        tr.syscall(ic, m.usAt(ic), pid, 3, eip, nr, a0, a1, a2, a3, a4);
      }
      const def = syscallByNumber(nr);
      const ret = def ? def.handler(this, cur, a0, a1, a2, a3, a4) : -E.NOSYS;
      if (ret === NO_RETURN) return this.leave();
      cur.syscallOpen = true; // its return is traced (with EAX) whenever it next runs
      if (ret === BLOCKED) return this.leave();
      mem32[fi + (FRAME.eax >> 2)] = ret;
      if (this.current === cur && this.resched === null && !this.halted && !this.slowExit) {
        // Fast path: straight back to the caller; the stub pops the frame it just pushed.
        m.write32(this.sw + SWITCH.action, ACTION.fast);
        m.write32(this.sw + SWITCH.esp, f);
        if (tr) {
          const ic = m.icount();
          tr.ret(ic, m.usAt(ic), pid, 3, eip, ret);
        }
        cur.syscallOpen = false;
        return;
      }
      return this.leave();
    }

    if (vector >= IRQ_BASE && vector < IRQ_BASE + 16) {
      const irq = vector - IRQ_BASE;
      if (tr) tr.irq(m.icount(), m.nowUs(), pid, cplFrom, eip, irq);
      if (irq === 0) this.timerInterrupt();
      else this.deviceInterrupt(irq);
      return this.leave();
    }

    if (vector < 32) {
      let errorCode = mem32[fi + (FRAME.errorCode >> 2)]! >>> 0;
      const fix = this.gpFixup;
      if (fix && vector === 13 && cur && fix.pid === cur.pid && fix.eip === eip) {
        errorCode = fix.errorCode;
        mem32[fi + (FRAME.errorCode >> 2)] = errorCode;
        this.gpFixup = undefined;
      }
      const cr2 = vector === 14 ? m.cr2 : 0;
      const insn = cur ? this.instructionAt(cur, eip) : undefined;
      if (tr) tr.exception(m.icount(), m.nowUs(), pid, cplFrom, eip, vector, errorCode, cr2, insn);
      if (!cur) throw new KernelPanic(`${VECTOR_NAMES[vector]} in ring 0 at 0x${hex(eip)} (error code 0x${errorCode.toString(16)})`);
      if (vector === 14 && this.pageFault(cur, errorCode, cr2, eip)) return this.leave();
      const report = this.killReport(cur, vector, errorCode, eip, cr2, insn);
      this.exitProcess(cur, null, vector, SIGNAL_FOR_VECTOR[vector] ?? 11, report);
      return this.leave();
    }

    // Any other vector can only be a spurious interrupt in ring 0 (ring 3 gets #GP for closed vectors).
    if (tr) tr.irq(m.icount(), m.nowUs(), pid, cplFrom, eip, vector - IRQ_BASE);
    this.leave();
  }

  /** Picks what runs next, switches to it, arms the timer and records the kernel exit. */
  private leave(): void {
    const m = this.machine;
    if (this.halted) return this.writeSwitchHalt();
    const prev = this.current;
    const reason = this.resched;
    this.resched = null;
    // A rendezvous (a call delivered to a waiting server, a reply to a waiting caller) hands the CPU
    // straight to its partner, with the rest of the time slice, unless a better-priority process waits.
    const h = this.handoff;
    this.handoff = null;
    const handoff = h !== null && reason === null && prev !== null && prev.state === "blocked" && h.state === "ready" && !this.sched.hasBetter(h);
    const next = prev && prev.state === "running" && reason === null ? prev : handoff ? h : this.sched.pick(prev);
    if (this.slowExit) {
      m.write32(this.sw + SWITCH.picMask, this.picMask);
      this.slowExit = false;
    }
    if (next !== prev) this.trace?.action(m.icount(), m.nowUs(), next ? next.pid : -1, "switch", { from: prev ? prev.pid : null, to: next ? next.pid : null, reason: this.switchReason(prev, reason) });
    if (!next) {
      if (this.sched.live.length === 0) return this.halt("exit");
      if (this.nextWake() === Infinity && !this.mayWake()) return;
      if (prev && prev.state === "running") prev.state = "ready";
      this.current = null;
      m.write32(this.sw + SWITCH.action, ACTION.idle);
      this.armTimer();
      if (this.trace) this.trace.ret(m.icount(), m.nowUs(), -1, 0, this.stub.symbols.get("idle") ?? 0, undefined);
      return;
    }
    if (prev && prev !== next && prev.state === "running") prev.state = "ready";
    if (handoff) next.sliceStart = prev!.sliceStart; // the slice is donated: no new deadline
    else if (prev !== next || reason !== null) next.sliceStart = m.nowMs();
    next.state = "running";
    this.current = next;
    this.io.load(next);
    const returning = next.syscallOpen;
    next.syscallOpen = false;
    const sw = m.mem32, s = this.sw >>> 2;
    sw[s + (SWITCH.action >> 2)] = ACTION.resume;
    sw[s + (SWITCH.esp >> 2)] = next.frame;
    sw[s + (SWITCH.cr3 >> 2)] = next.as.pd;
    sw[s + (SWITCH.esp0 >> 2)] = next.kstackTop;
    if (!handoff) this.armTimer(); // a handoff changes no deadline: the slice and the sleepers are as armed
    if (this.trace) {
      const eip = m.read32(next.frame + FRAME.eip);
      this.trace.ret(m.icount(), m.nowUs(), next.pid, 3, eip, returning ? m.read32(next.frame + FRAME.eax) | 0 : undefined);
    }
  }

  /** Why the CPU moves away from `prev`: start, wake (from idle), exit, block, yield, preempt … */
  private switchReason(prev: Process | null, reason: string | null): string {
    if (!prev) return reason ?? "wake";
    if (prev.state === "zombie") return "exit";
    if (prev.state === "blocked") return "block";
    return reason ?? "preempt";
  }

  /** Arms the one-shot PIT for the earliest of: the current slice's end, the next sleeper's wake-up. */
  private armTimer(): void {
    const now = this.machine.nowMs();
    let deadline = this.nextWake();
    if (this.current) deadline = Math.min(deadline, this.current.sliceStart + QUANTUM_MS);
    // Re-arm only for an earlier deadline: a timer that fires early is harmless (the interrupt
    // re-arms for the real deadline), and reprogramming the PIT on every switch is not free.
    if (deadline === Infinity || deadline >= this.armed) return;
    this.armed = deadline;
    pitOneShot(this.machine, Math.min(PIT_MAX_MS, Math.max(0.001, deadline - now)));
  }

  /** IRQ0: wake sleepers, end the slice if it is used up and someone else may run. */
  private timerInterrupt(): void {
    const now = this.machine.nowMs();
    this.armed = Infinity; // the one-shot has fired
    for (const p of this.sched.wakeDue(now)) {
      this.complete(p, 0);
      if (this.current && p.nice < this.current.nice) this.resched ??= "wake";
    }
    if (this.alarmsSet > 0) {
      for (const p of this.sched.live) {
        if (p.alarmAt <= now) {
          this.setAlarm(p, 0);
          this.ipc.notify(-1, p, NOTIFY.TIMER);
        }
      }
    }
    const cur = this.current;
    if (cur && cur.state === "running" && now - cur.sliceStart >= QUANTUM_MS) {
      if (this.sched.hasRival(cur)) this.resched ??= "preempt";
      else cur.sliceStart = now; // nobody else to run: a fresh slice
    }
  }

  // ---- services for system calls ------------------------------------------------------------

  /** Blocks `p` (the caller) until `complete` is called for it. */
  block(p: Process, wait: WaitReason): void {
    p.state = "blocked";
    p.wait = wait;
  }

  /** Marks `p` (just made ready by a rendezvous with the current process) as the one to switch to. */
  handOffTo(p: Process): void {
    this.handoff = p;
  }

  /** Finishes a blocked call: `value` goes to the process's EAX and it becomes runnable. */
  complete(p: Process, value: number): void {
    this.machine.mem32[(p.frame + FRAME.eax) >>> 2] = value; // trap frames are word-aligned
    p.wait = null;
    if (p.state === "blocked") {
      p.state = "ready";
      const cur = this.current;
      if (cur && cur !== p && p.nice < cur.nice) this.resched ??= "wake";
    }
  }

  /** Gives up the rest of the slice. */
  yieldCpu(_p: Process): void {
    this.resched = "yield";
  }

  /** Asks for a scheduling decision at this kernel exit. */
  requestReschedule(reason: string): void {
    this.resched ??= reason;
  }

  /** Discards cached translations after page-table edits of a live space. */
  flushTlb(): void {
    this.machine.flushTlb();
  }

  /**
   * Starts boot module `name` as a child of `parent`; returns the pid or -errno. A manifest server
   * gets its privileges; only init may start one, and only one instance runs at a time.
   */
  spawnModule(name: string, argv: string[], parent: Process): number {
    const image = this.modules.get(name);
    if (!image) return -E.NOENT;
    const priv = this.opts.manifest?.servers.find((s) => s.name === name);
    if (priv) {
      if (parent.pid !== this.firstPid) return -E.PERM;
      if (this.servers.has(name)) return -E.BUSY;
    }
    const p = this.spawn(name, image, argv, parent);
    if (typeof p === "number") return p;
    if (priv) this.grant(p, priv);
    return p.pid;
  }

  /** Starts an ELF executable the caller supplied (spawn_image); returns the pid or -errno. */
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

  /** Gives a freshly started server its manifest privileges: IRQs, I/O ports, send rights. */
  private grant(p: Process, priv: ServerPrivileges): void {
    p.priv = priv;
    p.nice = SERVER_NICE;
    this.servers.set(priv.name, p);
    for (const irq of priv.irqs) this.irqOwner[irq] = p;
  }

  /**
   * Checks that [va, va+len) is user memory the process may read (or write), mapping lazily
   * allocated heap and stack pages on the way, as touching them would.
   */
  touchUser(p: Process, va: number, len: number, write: boolean): boolean {
    if (len <= 0) return true;
    const end = va + len;
    if (end > MEM.userTop || va < MEM.userBase) return false;
    for (let page = Math.floor(va / PAGE) * PAGE; page < end; page += PAGE) {
      if (p.as.translate(page, write) >= 0) continue;
      if (p.as.isMapped(page)) return false; // mapped but read-only
      const inHeap = page + PAGE > p.brkStart && page < p.brk;
      const inStack = page >= MEM.userTop - STACK_MAX;
      if (!(inHeap || inStack) || p.as.mapNew(page, true) < 0) return false;
    }
    return true;
  }

  /**
   * Checks the user buffer [va, va+len) like `touchUser` and says where it is: its physical address
   * when it lies in one page (a short message is then copied without walking the page tables again),
   * NO_PA when it is empty or spans pages, or BAD_BUFFER when the process may not use it.
   */
  userBuffer(p: Process, va: number, len: number, write: boolean): number {
    if (len <= 0) return NO_PA;
    const onePage = (va & (PAGE - 1)) + len <= PAGE;
    if (onePage) {
      const pa = p.as.translate(va, write);
      if (pa >= 0) return pa;
    }
    if (!this.touchUser(p, va, len, write)) return BAD_BUFFER;
    return onePage ? p.as.translate(va, write) : NO_PA;
  }

  /**
   * Sends a request to server `name` on behalf of `p` (a POSIX call turned into IPC) and blocks `p`
   * until the reply; `req` turns the reply into the call's result. Returns BLOCKED or the result of
   * an immediate failure.
   */
  serverRequest(p: Process, name: string, w0: number, w1: number, w2: number, payload: { va: number; len: number } | Uint8Array | null, replyVa: number, replyCap: number, req: KernelRequest): number {
    const d = this.servers.get(name);
    if (!d) return req.failed(-E.SRCH);
    const e = p.ipc;
    if (payload instanceof Uint8Array) e.setMessage(w0, w1, w2, 0, payload.length, NO_PA, payload);
    else e.setMessage(w0, w1, w2, payload ? payload.va : 0, payload ? payload.len : 0, NO_PA, null);
    e.setBuffer(replyVa, replyCap, NO_PA);
    e.isCall = true;
    e.request = req;
    const r = this.ipc.send(p, d);
    if (r === null) return BLOCKED;
    e.request = null;
    return req.failed(r);
  }

  /** irq_ack: unmasks `irq` if `p` owns it; false if it does not. */
  irqAck(p: Process, irq: number): boolean {
    if (this.irqOwner[irq] !== p) return false;
    this.setIrqMasked(irq, false);
    return true;
  }

  /** IRQ 1–15: masked until its owner acks it, and delivered to the owner as a notification. */
  private deviceInterrupt(irq: number): void {
    const owner = this.irqOwner[irq];
    this.setIrqMasked(irq, true);
    if (owner) this.ipc.notify(-1, owner, 1 << irq);
  }

  private setIrqMasked(irq: number, masked: boolean): void {
    let mask = masked ? this.picMask | (1 << irq) : this.picMask & ~(1 << irq);
    // The slave PIC (IRQ 8–15) reaches the CPU through IRQ 2: open it while any slave line is open.
    mask = (mask & 0xff00) === 0xff00 ? mask | 4 : mask & ~4;
    if (mask === this.picMask) return;
    this.picMask = mask;
    this.slowExit = true;
  }

  /** The earliest virtual time something is scheduled to happen (a sleeper, an alarm), or Infinity. */
  private nextWake(): number {
    let t = this.sched.nextWake();
    if (this.alarmsSet > 0) for (const p of this.sched.live) if (p.alarmAt < t) t = p.alarmAt;
    return t;
  }

  /** Sets (ms > 0) or cancels (0) `p`'s alarm. */
  setAlarm(p: Process, ms: number): void {
    if (p.alarmAt !== Infinity) this.alarmsSet--;
    p.alarmAt = ms === 0 ? Infinity : this.nowMs() + ms;
    if (p.alarmAt !== Infinity) this.alarmsSet++;
  }

  /**
   * Nothing runs and no timer is due: decides whether to idle (input may still come) or to stop.
   * Returns true to idle; otherwise it has halted the machine.
   */
  private mayWake(): boolean {
    if (!this.micro) {
      this.deadlock();
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

  /** Reaps zombie `child` of `parent`: stores its wait status at `statusPtr` (if non-zero), returns its pid. */
  reap(parent: Process, child: Process, statusPtr: number): number {
    if (statusPtr !== 0 && !parent.as.writeWord(statusPtr, child.waitStatus())) return -E.FAULT;
    parent.children.delete(child.pid);
    this.procs.delete(child.pid);
    return child.pid;
  }

  // ---- emulator faults ---------------------------------------------------------------------

  /**
   * v86 panics instead of raising #GP for some invalid `iret` frames (null, out-of-table or
   * more-privileged CS). The panic happens before iret changes any state, so the kernel repairs it
   * into what a real CPU does: CS in the frame becomes 0x0B (kernel code, RPL 3), which v86 turns
   * into a genuine #GP, and the instruction restarts; the trap then reports the real error code.
   */
  private emulatorFault(_message: string): boolean {
    const m = this.machine;
    m.ensureViews();
    const p = this.current;
    if (!p || m.cpl !== 3) return false;
    const eip = m.previousIp;
    const op = new Uint8Array(2);
    if (!p.as.copyIn(eip, 1, op)) return false;
    const o16 = op[0] === 0x66;
    if (o16 && !p.as.copyIn(eip + 1, 1, op.subarray(1))) return false;
    if ((o16 ? op[1] : op[0]) !== 0xcf) return false;
    const csAddr = (m.reg32[4]! >>> 0) + (o16 ? 2 : 4);
    const cs = new Uint8Array(2);
    if (!p.as.copyIn(csAddr, 2, cs)) return false;
    if (!p.as.copyOut(csAddr, Uint8Array.of(SEL.kcode | 3, 0))) return false;
    this.gpFixup = { pid: p.pid, eip, errorCode: (cs[0]! | (cs[1]! << 8)) & 0xfffc };
    m.restartInstructionAt(eip);
    return true;
  }

  // ---- page faults ---------------------------------------------------------------------------

  /** Maps heap and stack pages on first touch; returns false if the fault is a real error. */
  private pageFault(p: Process, errorCode: number, cr2: number, eip: number): boolean {
    const m = this.machine;
    const page = Math.floor(cr2 / PAGE) * PAGE;
    let outcome = "killed";
    if (!(errorCode & 1)) {
      const inHeap = cr2 >= p.brkStart && cr2 < p.brk;
      const inStack = cr2 >= MEM.userTop - STACK_MAX && cr2 < MEM.userTop;
      if ((inHeap || inStack) && !p.as.isMapped(page)) outcome = p.as.mapNew(page, true) >= 0 ? "mapped" : "out-of-memory";
    }
    this.trace?.action(m.icount(), m.nowUs(), p.pid, "pagefault", { addr: cr2, eip, error_code: errorCode, outcome });
    return outcome === "mapped";
  }

  // ---- boot -----------------------------------------------------------------------------

  /** The boot hypercall: page tables, devices, the first processes, then the first switch to ring 3. */
  private boot(): void {
    const m = this.machine;
    this.kernelPt = buildKernelPageTable(m, this.frames);
    this.framesAtBoot = this.frames.freeCount;
    if (!this.consoleServerDeclared()) uartInit(m); // otherwise the console server drives the UART
    m.write32(this.sw + SWITCH.picMask, this.picMask); // the timer only; servers' IRQs open on their first ack
    for (const { spec, image } of this.boots) {
      const p = this.spawn(spec.name, image, spec.argv ?? [spec.name], null);
      if (typeof p === "number") throw new KernelPanic(`cannot start ${spec.name}: error ${p}`);
    }
    this.firstPid = this.sched.live[0]?.pid ?? 1;
    // The stub enables paging with SWITCH.cr3 before switch_out: give it a directory even if nothing runs.
    m.write32(this.sw + SWITCH.cr3, this.sched.live[0]?.as.pd ?? this.kernelPt);
    this.resched = "start";
    this.leave();
  }

  /** Creates a process running `image`; returns it, or -errno. */
  spawn(name: string, image: LoadedImage, argv: string[], parent: Process | null): Process | number {
    const m = this.machine;
    if (this.procs.size >= MAX_PROCS) return -E.AGAIN;
    const slot = this.freeKstacks.pop();
    if (slot === undefined) return -E.AGAIN;
    let as: AddressSpace;
    try {
      as = new AddressSpace(m, this.frames, this.kernelPt);
    } catch (e) {
      this.freeKstacks.push(slot);
      if (e instanceof OutOfMemory) return -E.NOMEM;
      throw e;
    }
    const fail = (err: number) => {
      as.destroy();
      this.freeKstacks.push(slot);
      return err;
    };
    let end: number = MEM.userBase;
    for (const seg of image.segments) {
      const first = Math.floor(seg.vaddr / PAGE) * PAGE;
      for (let va = first; va < seg.vaddr + seg.memsz; va += PAGE) if (!as.isMapped(va) && as.mapNew(va, (seg.flags & 2) !== 0) < 0) return fail(-E.NOMEM);
      as.poke(seg.vaddr, seg.data);
      end = Math.max(end, seg.vaddr + seg.memsz);
    }
    const sp = this.buildInitialStack(as, argv);
    if (sp === -E.NOMEM || sp === -E.INVAL) return fail(sp);

    const pid = this.nextPid++;
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const p = new Process(pid, name, parent ? parent.pid : null, as, slot, kstackTop, image.symbols);
    p.brkStart = p.brk = end;
    if (parent) {
      parent.children.add(pid);
      p.nice = parent.priv ? 0 : parent.nice;
    }
    if (this.micro) p.files = FileTable.standard();
    // The initial trap frame: "return" to the entry point in ring 3.
    const f = kstackTop - FRAME.sizeRing3;
    for (let o = 0; o < FRAME.sizeRing3; o += 4) m.write32(f + o, 0);
    for (const o of [FRAME.ds, FRAME.es, FRAME.fs, FRAME.gs, FRAME.ss]) m.write32(f + o, SEL.udata);
    m.write32(f + FRAME.eip, image.entry);
    m.write32(f + FRAME.cs, SEL.ucode);
    m.write32(f + FRAME.eflags, USER_EFLAGS);
    m.write32(f + FRAME.esp, sp);
    p.frame = f;
    this.procs.set(pid, p);
    this.sched.add(p);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, name);
      const ic = m.icount();
      const vt = m.nowUs();
      tr.action(ic, vt, pid, "spawn", { parent: p.parent, argv });
      tr.action(ic, vt, pid, "load", {
        path: name,
        entry: image.entry,
        segments: image.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: flagString(s.flags) })),
        symbols: image.symbols,
      });
    }
    return p;
  }

  /** Linux i386 initial stack: argc, argv pointers, NULL, envp NULL, auxv AT_NULL, then the strings. Returns esp or -errno. */
  private buildInitialStack(as: AddressSpace, argv: string[]): number {
    const enc = new TextEncoder();
    const strings = argv.map((a) => enc.encode(a + "\0"));
    const strBytes = strings.reduce((n, s) => n + s.length, 0);
    if (strBytes > 4 * PAGE || argv.length > 256) return -E.INVAL;
    let top = MEM.userTop - 16;
    const ptrs: number[] = [];
    for (const s of strings) {
      top -= s.length;
      ptrs.push(top);
    }
    top = (top & ~15) >>> 0;
    const words = [argv.length, ...ptrs, 0, 0, 0, 0];
    const sp = top - words.length * 4;
    for (let va = Math.floor(sp / PAGE) * PAGE; va < MEM.userTop; va += PAGE) if (as.mapNew(va, true) < 0) return -E.NOMEM;
    const block = new Uint8Array(MEM.userTop - sp);
    const dv = new DataView(block.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    strings.forEach((s, i) => block.set(s, ptrs[i]! - sp));
    if (!as.copyOut(sp, block)) return -E.NOMEM;
    return sp;
  }

  // ---- process end --------------------------------------------------------------------------

  /**
   * Ends a process — with an exit status, or killed by `vector` / `signal` — frees its memory and
   * kernel stack, hands its children to nobody, and lets a waiting parent reap it.
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
    this.trace?.action(m.icount(), m.nowUs(), p.pid, "exit", { status, vector, signal: p.killSignal, report });
    this.results.push({ pid: p.pid, name: p.name, status, vector, signal: p.killSignal, report });
    this.sched.remove(p);
    this.ipc.processEnded(p, this.procs.values());
    if (p.priv) {
      if (this.servers.get(p.priv.name) === p) this.servers.delete(p.priv.name);
      for (const irq of p.priv.irqs) {
        if (this.irqOwner[irq] !== p) continue;
        this.irqOwner[irq] = null;
        this.setIrqMasked(irq, true);
      }
      this.io.forget(p);
    }
    p.files = null;
    this.setAlarm(p, 0);
    if (this.micro && p.pid === this.firstPid) this.halt("shutdown");
    p.as.destroy();
    this.freeKstacks.push(p.kstackSlot);
    for (const c of p.children) {
      const child = this.procs.get(c);
      if (!child) continue;
      child.parent = null;
      if (child.state === "zombie") this.procs.delete(c);
    }
    p.children.clear();
    const parent = p.parent !== null ? this.procs.get(p.parent) : undefined;
    if (!parent) this.procs.delete(p.pid);
    else if (parent.state === "blocked" && parent.wait?.kind === "child" && (parent.wait.pid === -1 || parent.wait.pid === p.pid)) {
      this.complete(parent, this.reap(parent, p, parent.wait.statusPtr));
    }
  }

  /** The one-line report for a process killed by an exception. */
  private killReport(p: Process, vector: number, errorCode: number, eip: number, cr2: number, insn: string | undefined): string {
    const sym = p.symbolize(eip);
    let line = `[pid ${p.pid} ${p.name}] killed by ${VECTOR_NAMES[vector]} (vector ${vector}) error_code=0x${errorCode.toString(16)}`;
    if (vector === 14) line += ` cr2=0x${hex(cr2)}`;
    line += ` at eip=0x${hex(eip)}${sym ? " " + sym : ""}: ${insn ?? "(instruction unreadable)"}`;
    return line;
  }

  /** Disassembles the user instruction at `eip` (read through the process's page tables). */
  private instructionAt(p: Process, eip: number): string | undefined {
    const bytes = new Uint8Array(15);
    let n = 0;
    while (n < 15 && p.as.copyIn(eip + n, 1, bytes.subarray(n, n + 1))) n++;
    return disassembleOne(bytes.subarray(0, n), eip);
  }

  // ---- console -----------------------------------------------------------------------------

  /** Sends bytes to the console device (the in-kernel UART driver). */
  consoleWrite(bytes: Uint8Array): void {
    uartWrite(this.machine, bytes);
  }

  // ---- stopping ----------------------------------------------------------------------------

  private halt(reason: RunResult["reason"], panic?: string): void {
    const m = this.machine;
    this.halted = { reason, panic };
    this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason, status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : null });
    this.writeSwitchHalt();
    m.requestStop(reason);
  }

  private writeSwitchHalt(): void {
    this.machine.write32(this.sw + SWITCH.action, ACTION.halt);
  }

  private panic(message: string): void {
    this.halt("panic", message);
  }

  /** Nothing can run and nothing can wake anyone: stop with a description of who waits for what. */
  private deadlock(): void {
    this.halt("deadlock", `every process is blocked and nothing can wake them: ${this.whoWaits()}`);
  }

  /** "[pid 3 sh] waits for …; …" for every live process. */
  private whoWaits(): string {
    return this.sched.live
      .map((p) => {
        const w = p.wait;
        let what: string = p.state;
        if (w?.kind === "child") what = `waits for child ${w.pid}`;
        else if (w?.kind === "ipc") {
          const e = p.ipc;
          what = e.op === 1 ? `sends to ${e.peer?.pid}` : e.op === 3 ? `awaits a reply from ${e.peer?.pid}` : "receives";
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
      this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason, status: null });
    } else {
      reason = stop.kind === "emulator-fault" ? "panic" : "dead";
      this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason: "panic", status: null });
    }
    const emu = stop.kind === "emulator-fault" ? `the emulator (v86) cannot continue${this.current ? ` in [pid ${this.current.pid} ${this.current.name}]` : ""}: ${stop.message}` : undefined;
    const still = this.sched.live.map((p) => ({ pid: p.pid, name: p.name, status: null, vector: null, signal: null, report: null }));
    return {
      reason,
      status: reason === "exit" || reason === "shutdown" ? this.firstStatus() : reason === "max-instructions" ? 124 : 70,
      processes: [...this.results, ...still].sort((a, b) => a.pid - b.pid),
      icount: m.icount(),
      vtUs: m.nowUs(),
      panic: this.halted?.panic ?? emu ?? (reason === "dead" ? "the CPU halted with interrupts disabled" : undefined),
    };
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function flagString(flags: number): string {
  return (flags & 4 ? "r" : "-") + (flags & 2 ? "w" : "-") + (flags & 1 ? "x" : "-");
}
