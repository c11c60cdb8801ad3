// The TypeScript kernel. It runs inside the stub's hypercall: every trap, interrupt and system call
// arrives here with the address of a trap frame; the kernel reads and edits the frame, decides what
// runs next, writes the switch block and returns — the stub does the switch and the `iret`.
import { Machine, type StopReason } from "../emulator/machine.ts";
import { disassembleOne } from "./disasm.ts";
import { parseElf, isElf, type ElfSymbol } from "./elf.ts";
import { FrameAllocator, PAGE } from "./frames.ts";
import { ACTION, FRAME, HYPERCALL_BOOT, HYPERCALL_PORT, IRQ_BASE, MEM, SEL, SWITCH, SYSCALL_VECTOR } from "./layout.ts";
import { VECTOR_NAMES, E } from "./names.ts";
import { Process } from "./process.ts";
import { buildStub, type StubImage } from "./stub.ts";
import { NO_RETURN, syscallByNumber } from "./syscalls.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { AddressSpace, OutOfMemory, buildKernelPageTable } from "./vm.ts";
import { uartInit, uartWrite } from "./drivers/uart.ts";
import { pitInit } from "./drivers/pit.ts";

/** A program to start at boot. `image` is an ELF32 executable or a flat binary (loaded at 0x00400000). */
export interface ProgramSpec {
  name: string;
  image: Uint8Array;
  argv?: string[];
}

export interface KernelOptions {
  programs: ProgramSpec[];
  trace?: TraceRecorder;
  /** Every byte the guest prints on the console (COM1). */
  onConsole?: (byte: number) => void;
  /** One-line reports (a process killed by an exception). */
  onReport?: (line: string) => void;
  maxInstructions?: number;
  memoryBytes?: number;
  deterministic?: boolean;
  seed?: number;
  /** Assemble the stub with the benchmark-only iret vector 0x81. */
  benchVector?: boolean;
  /** Timer frequency in Hz (default 100). */
  timerHz?: number;
  /** A prebuilt stub image (default: assemble boot/stub.asm). */
  stub?: StubImage;
}

export interface ProcessResult {
  pid: number;
  name: string;
  status: number | null; // exit status, or null if killed
  vector: number | null; // the exception that killed it
  report: string | null;
}

export interface RunResult {
  reason: "exit" | "max-instructions" | "panic" | "dead";
  /** The first program's status: its exit code, or 128 + vector if an exception killed it. */
  status: number;
  processes: ProcessResult[];
  icount: number;
  vtUs: number;
  panic?: string;
}

interface LoadedImage {
  entry: number;
  segments: { vaddr: number; memsz: number; data: Uint8Array; flags: number }[];
  symbols: ElfSymbol[];
}

const STACK_PAGES = 16;
const QUANTUM_MS = 10;
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
  private readonly procs = new Map<number, Process>();
  private readonly order: Process[] = []; // round-robin order
  private current: Process | null = null;
  private nextPid = 1;
  private readonly freeKstacks: number[] = [];
  private readonly images: { spec: ProgramSpec; image: LoadedImage }[];
  private readonly results: ProcessResult[] = [];
  private halted: { reason: RunResult["reason"]; panic?: string } | undefined;
  private readonly opts: KernelOptions;
  private readonly sw: number; // switch block address
  private firstPid = 1;

  private constructor(
    machine: Machine,
    opts: KernelOptions,
    images: { spec: ProgramSpec; image: LoadedImage }[],
    private readonly stub: StubImage,
  ) {
    this.machine = machine;
    this.opts = opts;
    this.trace = opts.trace;
    this.images = images;
    this.frames = new FrameAllocator(machine);
    this.sw = MEM.switchBlock;
    for (let i = MEM.kstackCount - 1; i >= 0; i--) this.freeKstacks.push(i);
    machine.onPortWrite32(HYPERCALL_PORT, (v) => this.hypercall(v));
    if (opts.onConsole) machine.onSerialOutput(opts.onConsole);
  }

  /** Validates the programs, builds the machine and loads the stub; nothing runs until `run()`. */
  static async create(opts: KernelOptions): Promise<Kernel> {
    const images = opts.programs.map((spec) => ({ spec, image: loadImage(spec.image) }));
    const stub = opts.stub ?? (await buildStub({ benchVector: opts.benchVector }));
    const machine = await Machine.create({
      multiboot: stub.bytes,
      memoryBytes: opts.memoryBytes,
      deterministic: opts.deterministic,
      seed: opts.seed,
      maxInstructions: opts.maxInstructions,
    });
    return new Kernel(machine, opts, images, stub);
  }

  /**
   * Boots and runs until every process has ended (or the instruction limit / a panic stops it).
   * The trace recorder's owner calls its `finish()` afterwards to format the trace.
   */
  async run(): Promise<RunResult> {
    const stop = await this.machine.run();
    return this.finish(stop);
  }

  /** Frees the emulator. */
  destroy(): void {
    this.machine.destroy();
  }

  /** Frames currently free in the physical allocator. */
  get freeFrames(): number {
    return this.frames.freeCount;
  }

  // ---- the hypercall ------------------------------------------------------------------------

  /** Entered synchronously from the stub's `out`: handle one kernel entry, then fill the switch block. */
  private hypercall(value: number): void {
    const m = this.machine;
    m.ensureViews();
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
      const nr = mem32[fi + (FRAME.eax >> 2)]!;
      const a0 = mem32[fi + (FRAME.ebx >> 2)]!, a1 = mem32[fi + (FRAME.ecx >> 2)]!, a2 = mem32[fi + (FRAME.edx >> 2)]!;
      const a3 = mem32[fi + (FRAME.esi >> 2)]!, a4 = mem32[fi + (FRAME.edi >> 2)]!;
      if (tr) tr.syscall(m.icount(), m.nowUs(), pid, 3, eip, nr >>> 0, a0, a1, a2, a3, a4);
      const def = syscallByNumber(nr);
      const ret = def ? def.handler(this, cur, a0, a1, a2, a3, a4) : -E.NOSYS;
      if (ret !== NO_RETURN) {
        mem32[fi + (FRAME.eax >> 2)] = ret;
        if (this.current === cur && cur.state === "running" && !this.halted) {
          // Fast path: straight back to the caller.
          this.writeSwitchResume(cur);
          if (tr) tr.ret(m.icount(), m.nowUs(), pid, 3, eip, ret);
          return;
        }
      }
      return this.leave(ret === NO_RETURN ? undefined : ret);
    }

    if (vector >= IRQ_BASE && vector < IRQ_BASE + 16) {
      const irq = vector - IRQ_BASE;
      if (tr) tr.irq(m.icount(), m.nowUs(), pid, cplFrom, eip, irq);
      if (irq === 0) this.timerTick();
      return this.leave(undefined);
    }

    if (vector < 32) {
      const errorCode = mem32[fi + (FRAME.errorCode >> 2)]! >>> 0;
      const cr2 = vector === 14 ? m.cr2 : 0;
      const insn = cur ? this.instructionAt(cur, eip) : undefined;
      if (tr) tr.exception(m.icount(), m.nowUs(), pid, cplFrom, eip, vector, errorCode, cr2, insn);
      if (!cur) throw new KernelPanic(`${VECTOR_NAMES[vector]} in ring 0 at 0x${hex(eip)} (error code 0x${errorCode.toString(16)})`);
      const report = this.killReport(cur, vector, errorCode, eip, cr2, insn);
      this.exitProcess(cur, null, vector, report);
      return this.leave(undefined);
    }

    // Any other vector can only be a spurious interrupt in ring 0 (ring 3 gets #GP for closed vectors).
    if (tr) tr.irq(m.icount(), m.nowUs(), pid, cplFrom, eip, vector - IRQ_BASE);
    this.leave(undefined);
  }

  /** Picks what runs next and writes the switch block; records the kernel exit. */
  private leave(syscallRet: number | undefined): void {
    const m = this.machine;
    if (this.halted) return this.writeSwitchHalt();
    let next = this.current && this.current.state === "running" ? this.current : null;
    if (!next) next = this.pickNext();
    if (!next) {
      if (this.order.length === 0) return this.halt("exit");
      this.writeSwitchIdle();
      if (this.trace) this.trace.ret(m.icount(), m.nowUs(), -1, 0, this.idleEip(), undefined);
      return;
    }
    this.switchTo(next);
    const eip = m.read32(next.frame + FRAME.eip);
    if (this.trace) this.trace.ret(m.icount(), m.nowUs(), next.pid, 3, eip, next === this.current && syscallRet !== undefined ? syscallRet : undefined);
  }

  /** Round robin: the next ready process after the current one. */
  private pickNext(): Process | null {
    const n = this.order.length;
    if (n === 0) return null;
    const start = this.current ? this.order.indexOf(this.current) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = this.order[(start + i) % n]!;
      if (p.state === "ready" || p.state === "running") return p;
    }
    return null;
  }

  private timerTick(): void {
    const cur = this.current;
    if (!cur || cur.state !== "running") return;
    if (this.machine.nowMs() - cur.sliceStart < QUANTUM_MS) return;
    const other = this.pickNext();
    if (other && other !== cur) cur.state = "ready";
  }

  private switchTo(p: Process): void {
    if (this.current && this.current !== p && this.current.state === "running") this.current.state = "ready";
    if (this.current !== p) p.sliceStart = this.machine.nowMs();
    p.state = "running";
    this.current = p;
    this.writeSwitchResume(p);
  }

  private writeSwitchResume(p: Process): void {
    const m = this.machine;
    const sw = this.sw;
    m.write32(sw + SWITCH.action, ACTION.resume);
    m.write32(sw + SWITCH.esp, p.frame);
    m.write32(sw + SWITCH.cr3, p.as.pd);
    m.write32(sw + SWITCH.esp0, p.kstackTop);
  }

  private writeSwitchIdle(): void {
    this.current = null;
    this.machine.write32(this.sw + SWITCH.action, ACTION.idle);
  }

  private writeSwitchHalt(): void {
    this.machine.write32(this.sw + SWITCH.action, ACTION.halt);
  }

  private idleEip(): number {
    return this.stub.symbols.get("idle") ?? 0;
  }

  // ---- boot -----------------------------------------------------------------------------

  /** The boot hypercall: page tables, devices, the first processes, then the first switch to ring 3. */
  private boot(): void {
    const m = this.machine;
    this.kernelPt = buildKernelPageTable(m, this.frames);
    uartInit(m);
    pitInit(m, this.opts.timerHz ?? 100);
    m.write32(this.sw + SWITCH.picMask, 0xffff & ~(1 << 0)); // timer only, for now
    for (const { spec, image } of this.images) {
      const p = this.spawn(spec.name, image, spec.argv ?? [spec.name], null);
      if (typeof p === "number") throw new KernelPanic(`cannot start ${spec.name}: error ${p}`);
    }
    this.firstPid = this.order[0]?.pid ?? 1;
    // The stub enables paging with SWITCH.cr3 before switch_out: give it a directory even if nothing runs.
    m.write32(this.sw + SWITCH.cr3, this.order[0]?.as.pd ?? this.frames.alloc());
    this.leave(undefined);
  }

  /** Creates a process running `image`; returns it, or -errno. */
  spawn(name: string, image: LoadedImage, argv: string[], parent: number | null): Process | number {
    const m = this.machine;
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
    for (const seg of image.segments) {
      const first = Math.floor(seg.vaddr / PAGE) * PAGE;
      for (let va = first; va < seg.vaddr + seg.memsz; va += PAGE) if (as.mapNew(va, (seg.flags & 2) !== 0) < 0) return fail(-E.NOMEM);
      as.poke(seg.vaddr, seg.data);
    }
    for (let i = 1; i <= STACK_PAGES; i++) if (as.mapNew(MEM.userTop - i * PAGE, true) < 0) return fail(-E.NOMEM);
    const sp = this.buildInitialStack(as, argv);
    if (sp < 0) return fail(-E.INVAL);

    const pid = this.nextPid++;
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const p = new Process(pid, name, parent, as, slot, kstackTop, image.symbols);
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
    this.order.push(p);
    const tr = this.trace;
    if (tr) {
      tr.nameProcess(pid, name);
      const now = [m.icount(), m.nowUs()] as const;
      tr.action(now[0], now[1], pid, "spawn", { parent, argv });
      tr.action(now[0], now[1], pid, "load", {
        path: name,
        entry: image.entry,
        segments: image.segments.map((s) => ({ vaddr: s.vaddr, memsz: s.memsz, flags: flagString(s.flags) })),
        symbols: image.symbols,
      });
    }
    return p;
  }

  /** Linux i386 initial stack: argc, argv pointers, NULL, envp NULL, auxv AT_NULL, then the strings. */
  private buildInitialStack(as: AddressSpace, argv: string[]): number {
    const enc = new TextEncoder();
    const strings = argv.map((a) => enc.encode(a + "\0"));
    const strBytes = strings.reduce((n, s) => n + s.length, 0);
    if (strBytes > 4 * PAGE || argv.length > 256) return -1;
    let top = MEM.userTop - 16;
    const ptrs: number[] = [];
    for (const s of strings) {
      top -= s.length;
      ptrs.push(top);
    }
    top = (top & ~15) >>> 0;
    const words = [argv.length, ...ptrs, 0, 0, 0, 0];
    const sp = top - words.length * 4;
    const block = new Uint8Array(MEM.userTop - sp);
    const dv = new DataView(block.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    strings.forEach((s, i) => block.set(s, ptrs[i]! - sp));
    if (!as.copyOut(sp, block)) return -1;
    return sp;
  }

  // ---- process end --------------------------------------------------------------------------

  /** Ends a process (exit status, or killed by `vector`), frees its memory and records it. */
  exitProcess(p: Process, status: number | null, vector: number | null, report: string | null): void {
    const m = this.machine;
    p.state = "zombie";
    p.exitStatus = status;
    p.killVector = vector;
    p.report = report;
    if (report && this.opts.onReport) this.opts.onReport(report);
    this.trace?.action(m.icount(), m.nowUs(), p.pid, "exit", { status, vector, report });
    this.results.push({ pid: p.pid, name: p.name, status, vector, report });
    const i = this.order.indexOf(p);
    if (i >= 0) this.order.splice(i, 1);
    this.procs.delete(p.pid);
    p.as.destroy();
    this.freeKstacks.push(p.kstackSlot);
    if (this.current === p) this.current = null;
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
    this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason, status: this.firstStatus() });
    this.writeSwitchHalt();
    m.requestStop(reason);
  }

  private panic(message: string): void {
    this.halt("panic", message);
  }

  private firstStatus(): number {
    const r = this.results.find((x) => x.pid === this.firstPid);
    if (!r) return 0;
    return r.status ?? 128 + (r.vector ?? 0);
  }

  private finish(stop: StopReason): RunResult {
    const m = this.machine;
    let reason: RunResult["reason"];
    if (this.halted) reason = this.halted.reason;
    else if (stop.kind === "max-instructions") {
      reason = "max-instructions";
      this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason, status: null });
    } else {
      reason = "dead";
      this.trace?.action(m.icount(), m.nowUs(), -1, "halt", { reason: "panic", status: null });
    }
    const still = [...this.procs.values()].map((p) => ({ pid: p.pid, name: p.name, status: null, vector: null, report: null }));
    return {
      reason,
      status: reason === "exit" ? this.firstStatus() : reason === "max-instructions" ? 124 : 70,
      processes: [...this.results, ...still].sort((a, b) => a.pid - b.pid),
      icount: m.icount(),
      vtUs: m.nowUs(),
      panic: this.halted?.panic ?? (reason === "dead" ? "the CPU halted with interrupts disabled" : undefined),
    };
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function flagString(flags: number): string {
  return (flags & 4 ? "r" : "-") + (flags & 2 ? "w" : "-") + (flags & 1 ? "x" : "-");
}
