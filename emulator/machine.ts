// The machine: a v86 PC with cached typed views of its memory and registers, hypercall ports,
// serial console wiring, IRQ lines and a deterministic virtual clock. No kernel policy here.
import { readFileSync } from "node:fs";
import { V86 } from "v86";
import { JIT_TABLE_BASE, WASM_OFFSET, v86WasmPath, type V86Cpu, type V86Main } from "./v86-internals.ts";
import { Xoshiro128 } from "./rng.ts";
import { makeRtcDeterministic } from "./rtc-clock.ts";
import { applyDevicePatches, type PatchName } from "./v86-patches.ts";
import { virtualUs, type TimeTerms } from "./virtual-time.ts";

export interface MachineOptions {
  /** A multiboot kernel image (flat binary with the a.out-kludge header, or ELF). */
  multiboot: Uint8Array;
  /** Guest RAM in bytes (default 32 MiB). */
  memoryBytes?: number;
  /** Deterministic mode (default true): virtual clock, synchronous JIT installs, seeded RNG. */
  deterministic?: boolean;
  /** RNG seed for deterministic mode (default 1). */
  seed?: number;
  /** Guest instructions per virtual millisecond (default 100 000, i.e. a 100 MIPS machine). */
  ipms?: number;
  /** Primary IDE master disk image (a 512-byte blank disk is attached when absent). */
  hda?: Uint8Array;
  /** Stop the run after this many guest instructions. */
  maxInstructions?: number;
}

/** Why a run ended. */
export type StopReason =
  | { kind: "requested"; detail: string } // the kernel asked (exit, shutdown, panic)
  | { kind: "max-instructions"; icount: number }
  | { kind: "dead" } // the CPU halted with interrupts off and nobody asked it to stop
  | { kind: "emulator-fault"; message: string }; // v86 hit an unimplemented case and nobody could repair it

/**
 * Called when v86 itself traps (a Rust panic in its wasm: an unimplemented corner of the x86
 * spec, e.g. some invalid `iret` frames). Return true if the guest state was repaired and the
 * machine may continue; false stops the machine with an "emulator-fault".
 */
export type EmulatorFaultHandler = (message: string) => boolean;
/** Where queued input goes: the UART (typed text) or the PS/2 keyboard (scancodes). */
export type InputDevice = "serial0-input" | "keyboard-code";

/** v86's 16- and 32-bit port accessors (cpu.io; not in V86Cpu's declared subset). */
interface WideIo {
  port_write16(port: number, value: number): void;
  port_read16(port: number): number;
  port_write32(port: number, value: number): void;
  port_read32(port: number): number;
}

const DEFAULT_IPMS = 100_000;
let wasmModule: WebAssembly.Module | undefined;
/** v86's wasm being compiled in the background (prepareMachines), until a machine takes it. */
let wasmCompiling: Promise<WebAssembly.Module> | undefined;
/** How long an idle main-loop pass waits for host input when nothing else can happen (wall ms). */
const IDLE_WAIT_MS = 10;
/** The machine whose main loop is executing now: v86's JS devices read time through it. */
let current: Machine | undefined;
/** Set once a machine warned that v86's functions did not match the device patches (once per process). */
let warnedPatches = false;

/**
 * Starts compiling v86's wasm on V8's compiler threads, once per process, so that a `Machine.create`
 * soon after finds it compiled (or nearly) instead of compiling it then, on the main thread; the
 * caller goes on meanwhile (reading a disk image, assembling a program). Never throws: a failure is
 * reported by `Machine.create`, exactly as without this.
 */
export function prepareMachines(): void {
  if (wasmModule || wasmCompiling) return;
  try {
    const compiling = WebAssembly.compile(readFileSync(v86WasmPath()));
    compiling.catch(() => {}); // not unhandled if no machine is created; Machine.create awaits it
    wasmCompiling = compiling;
  } catch {
    // Machine.create compiles it again and reports the error
  }
}

/** v86's compiled wasm: the one prepareMachines started, or compiled now (a failure throws here). */
async function v86Wasm(): Promise<WebAssembly.Module> {
  if (wasmModule) return wasmModule;
  const compiling = wasmCompiling;
  wasmCompiling = undefined;
  if (compiling) {
    try {
      wasmModule = await compiling;
    } catch {
      // compiled again below, where the error is thrown as it would be without prepareMachines
    }
  }
  wasmModule ??= new WebAssembly.Module(readFileSync(v86WasmPath()));
  return wasmModule;
}

/** One v86 PC. Create with `await Machine.create(opts)`, wire handlers, then `await run()`. */
export class Machine {
  readonly deterministic: boolean;
  readonly ipms: number;
  readonly memoryBytes: number;
  private emulator!: InstanceType<typeof V86>;
  private cpu!: V86Cpu;
  private memory!: WebAssembly.Memory;
  private memBase = 0;
  /** Guest physical memory (rebuilt if wasm memory grows). */
  mem8 = new Uint8Array(0);
  /** Guest physical memory as 32-bit words (index = paddr >> 2). */
  mem32 = new Int32Array(0);
  /** General registers eax ecx edx ebx esp ebp esi edi. */
  reg32 = new Int32Array(0);
  private cr = new Int32Array(0);
  private flags = new Int32Array(0);
  private state8 = new Uint8Array(0);
  /**
   * v86's 32-bit instruction counter, a live view (replaced when wasm memory grows: read it through
   * the machine each time). Read only; icount() gives the full count.
   */
  counter = new Uint32Array(0);
  private icountHigh = 0;
  private icountLastLow = 0;
  private idleMs = 0;
  /** Virtual time charged by the kernel's cost model (work the guest's instruction counter does not see). */
  private chargedMs = 0;
  /** Called at every slice and whenever idle or charged time moves (onTimeBaseChange). */
  private readonly timeBaseListeners: (() => void)[] = [];
  /**
   * Set by the kernel when the guest idles with nothing scheduled: only host input can wake it, so
   * idle passes of the main loop sleep (wall clock) instead of spinning. Interactive sessions only.
   */
  waitForInput = false;
  private readonly rng: Xoshiro128;
  private readonly pendingJit: { index: number; start: number; flags: number; fn: Function }[] = [];
  private readonly serialListeners: ((byte: number) => void)[] = [];
  private readonly inputQueue: { bytes: Uint8Array; atUs: number | undefined; device: InputDevice }[] = [];
  private readonly maxInstructions: number;
  private stopReason: StopReason | undefined;
  private faultHandler: EmulatorFaultHandler | undefined;
  private lastPanic = "";
  private resolveRun: ((r: StopReason) => void) | undefined;
  private destroyed = false;
  /** The device-path repairs applied to this machine's v86 (emulator/v86-patches.ts). */
  devicePatches: readonly PatchName[] = [];

  private constructor(opts: MachineOptions) {
    this.deterministic = opts.deterministic ?? true;
    this.ipms = opts.ipms ?? DEFAULT_IPMS;
    this.memoryBytes = opts.memoryBytes ?? 32 * 1024 * 1024;
    this.rng = new Xoshiro128(opts.seed ?? 1);
    this.maxInstructions = opts.maxInstructions ?? Infinity;
  }

  /** Builds the PC and loads the multiboot image; the CPU does not run until `run()`. */
  static async create(opts: MachineOptions): Promise<Machine> {
    const m = new Machine(opts);
    await m.boot(opts);
    return m;
  }

  private async boot(opts: MachineOptions): Promise<void> {
    await v86Wasm();
    const hda = opts.hda ?? new Uint8Array(512);
    const multiboot = opts.multiboot.slice().buffer;
    const emulator = new V86({
      wasm_fn: async (imports: WebAssembly.Imports) => this.instantiate(imports),
      memory_size: this.memoryBytes,
      vga_memory_size: 256 * 1024,
      multiboot: { buffer: multiboot },
      hda: { buffer: hda.buffer.byteLength === hda.byteLength ? hda.buffer : hda.slice().buffer },
      autostart: false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      acpi: false,
      log_level: 0,
    } as unknown as ConstructorParameters<typeof V86>[0]);
    this.emulator = emulator;
    // `emulator.v86` is assigned after wasm instantiation and before cpu.init(): from that moment
    // v86's JS devices (PIT, RTC, UART) must read our clock through the static `microtick`.
    let mainObj: V86Main | undefined;
    Object.defineProperty(emulator, "v86", {
      configurable: true,
      enumerable: true,
      get: () => mainObj,
      set: (v: V86Main) => {
        mainObj = v;
        current = this;
        if (this.deterministic) v.constructor.microtick = staticMicrotick;
      },
    });
    await new Promise<void>((resolve) => emulator.add_listener("emulator-loaded", () => resolve()));
    const main = mainObj!;
    this.cpu = main.cpu;
    this.memBase = this.cpu.mem8.byteOffset;
    this.refreshViews();
    const listeners = this.serialListeners;
    const serialOut = (byte: number): void => {
      for (let i = 0; i < listeners.length; i++) listeners[i]!(byte); // per byte: no iterator
    };
    const missed: PatchName[] = [];
    this.devicePatches = applyDevicePatches(this.cpu, serialOut, missed);
    if (missed.length > 0 && !warnedPatches) {
      warnedPatches = true;
      process.emitWarning(`v86's ${missed.join(", ")} differ from the verified source: those device-path repairs are not applied (disk and console I/O run slower)`, { code: "RINGSIDE_V86_PATCH" });
    }
    if (this.deterministic) makeRtcDeterministic(this.cpu, () => this.nowMs()); // emulator/rtc-clock.ts
    const realMainLoop = this.cpu.main_loop;
    this.cpu.main_loop = () => this.mainLoop(realMainLoop);
    emulator.add_listener("serial0-output-byte", serialOut); // what still goes through the bus (16-bit writes)
  }

  /** Instantiates v86's wasm with the deterministic hooks wrapped around its imports. */
  private async instantiate(imports: WebAssembly.Imports): Promise<WebAssembly.Exports> {
    const env = imports.env as Record<string, Function>;
    // v86 prints Rust panics to the console; keep the message for the fault handler instead.
    const wasmLog = env.console_log_from_wasm;
    env.console_log_from_wasm = (offset: number, len: number) => {
      if (!this.memory) return wasmLog?.(offset, len);
      this.lastPanic = new TextDecoder().decode(new Uint8Array(this.memory.buffer, offset >>> 0, len >>> 0)).trim();
    };
    if (this.deterministic) {
      env.microtick = () => this.nowMs();
      env.get_rand_int = () => this.rng.nextInt32();
      env.codegen_finalize = (index: number, start: number, flags: number, ptr: number, len: number) =>
        this.compileJit(index, start, flags, ptr >>> 0, len >>> 0);
    }
    const instance = await WebAssembly.instantiate(wasmModule!, imports);
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.counter = new Uint32Array(this.memory.buffer, WASM_OFFSET.instructionCounter, 1);
    return instance.exports;
  }

  /** Compiles a JIT module synchronously; it is installed at the next main-loop entry (a deterministic point). */
  private compileJit(index: number, start: number, flags: number, ptr: number, len: number): void {
    const code = new Uint8Array(this.memory.buffer, ptr, len).slice();
    const module = new WebAssembly.Module(code);
    const inst = new WebAssembly.Instance(module, { e: this.cpu.jit_imports });
    this.pendingJit.push({ index, start, flags, fn: inst.exports.f as Function });
  }

  private installJit(): void {
    const table = this.cpu.wm.wasm_table;
    for (const j of this.pendingJit) {
      table.set(j.index + JIT_TABLE_BASE, j.fn);
      this.cpu.codegen_finalize_finished(j.index, j.start, j.flags);
    }
    this.pendingJit.length = 0;
  }

  /** Rebuilds the cached typed views (after construction or if wasm memory grew). */
  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.mem8 = new Uint8Array(buf, this.memBase, this.memoryBytes);
    this.mem32 = new Int32Array(buf, this.memBase, this.memoryBytes >>> 2);
    this.reg32 = new Int32Array(buf, WASM_OFFSET.reg32, 8);
    this.cr = new Int32Array(buf, WASM_OFFSET.cr, 8);
    this.flags = new Int32Array(buf, WASM_OFFSET.flags, 1);
    this.state8 = new Uint8Array(buf, 0, 1024);
    this.counter = new Uint32Array(buf, WASM_OFFSET.instructionCounter, 1);
    this.timeBaseMoved(); // readers that keep the counter view (the trace recorder) find the new one
  }

  /** Guarantees the cached views are live; call at every host entry (cheap). */
  ensureViews(): void {
    if (this.reg32.length === 0) this.refreshViews();
  }

  // ---- the run loop -------------------------------------------------------------------

  /** Wraps v86's main loop: installs JIT code, injects input, skips idle time, enforces limits. */
  private mainLoop(real: () => number): number {
    current = this;
    this.ensureViews();
    if (this.pendingJit.length) this.installJit();
    if (this.stopReason) return this.finish();
    if (this.trackIcount() >= this.maxInstructions) {
      this.stopReason = { kind: "max-instructions", icount: this.icount() };
      return this.finish();
    }
    this.deliverInput();
    let t: number;
    try {
      t = real();
    } catch (err) {
      const message = this.lastPanic || (err instanceof Error ? err.message : String(err));
      this.lastPanic = "";
      if (this.faultHandler?.(message)) return 0;
      this.stopReason ??= { kind: "emulator-fault", message };
      return this.finish();
    }
    if (this.stopReason) return this.finish();
    if (this.state8[WASM_OFFSET.inHlt]) {
      const interruptsOn = (this.flags[0]! & 0x200) !== 0;
      if (!interruptsOn) {
        this.stopReason = { kind: "dead" };
        return this.finish();
      }
      if (this.deterministic) {
        // Idle: jump virtual time just past the next timer event (v86's PIT fires only once the
        // clock is strictly beyond the terminal count: one PIT tick, 1/1193 ms, more), or to the
        // next timed input.
        const next = this.nextInputMs();
        const timer = t + 0.001;
        const skip = next !== undefined ? Math.max(0, Math.min(timer, next - this.nowMs())) : timer;
        const head = this.inputQueue[0];
        if (head && head.atUs === undefined && this.untimedDue(head.device)) return 0; // deliver now
        this.idleMs += skip;
        this.timeBaseMoved();
        return this.waitForInput && !this.inputQueue.length ? IDLE_WAIT_MS : 0;
      }
      return t;
    }
    return this.deterministic ? 0 : t;
  }

  private finish(): number {
    const reason = this.stopReason!;
    this.emulator.stop();
    const resolve = this.resolveRun;
    this.resolveRun = undefined;
    if (resolve) setImmediate(() => resolve(reason));
    return 0;
  }

  /** Runs the CPU until the kernel requests a stop, the instruction limit is hit, or the CPU dies. */
  run(): Promise<StopReason> {
    if (this.stopReason) return Promise.resolve(this.stopReason);
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      this.emulator.run();
    });
  }

  /** Asks the machine to stop at the next main-loop boundary (the kernel should also halt the CPU). */
  requestStop(detail: string): void {
    this.stopReason ??= { kind: "requested", detail };
  }

  /** Releases the emulator (Node keeps running while one exists). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emulator.stop();
    this.emulator.destroy();
    if (current === this) current = undefined;
  }

  // ---- time ---------------------------------------------------------------------------

  /**
   * Guest instructions retired since start (exact at block boundaries; monotonic). Reads only: v86's
   * counter is 32 bits, and the main loop notes where it stands at every slice (trackIcount), far
   * fewer than 2^32 instructions apart, so a counter below the noted one has wrapped once since.
   */
  icount(): number {
    const low = this.counter[0]!;
    return (low < this.icountLastLow ? this.icountHigh + 0x1_0000_0000 : this.icountHigh) + low;
  }

  /** Notes where v86's 32-bit counter stands (called at every slice of the main loop). */
  private trackIcount(): number {
    const low = this.counter[0]!;
    if (low < this.icountLastLow) this.icountHigh += 0x1_0000_0000;
    this.icountLastLow = low;
    this.timeBaseMoved(); // a new slice: the counter may go round before the next
    return this.icountHigh + low;
  }

  /** Virtual time in ms: instructions / ipms plus idle time skipped while halted. */
  nowMs(): number {
    return this.icount() / this.ipms + this.idleMs + this.chargedMs;
  }

  /** Advances virtual time by `ms` of work done outside the guest (the kernel's cost model). */
  charge(ms: number): void {
    this.chargedMs += ms;
    this.timeBaseMoved();
  }

  /** Writes what virtual time is made of besides the instruction count, as of now, into `into`: usAt(ic) is virtualUs(ic, …these) until the next time-base change. */
  timeTerms(into: TimeTerms): void {
    into.ipms = this.ipms;
    into.idleMs = this.idleMs;
    into.chargedMs = this.chargedMs;
  }

  /**
   * Calls `fn` whenever idle or charged time moves (from then on usAt no longer follows the last
   * timeTerms), and at every slice of the main loop: far fewer than 2^32 instructions run between
   * two calls, so between them the 32-bit counter's low bits tell how far the instant moved.
   */
  onTimeBaseChange(fn: () => void): void {
    this.timeBaseListeners.push(fn);
  }

  private timeBaseMoved(): void {
    for (const fn of this.timeBaseListeners) fn();
  }

  /** Virtual ms charged so far by `charge`. */
  get charged(): number {
    return this.chargedMs;
  }

  /** Virtual time in µs, rounded to ns, for traces. */
  nowUs(): number {
    return this.usAt(this.icount());
  }

  /** Virtual time in µs (rounded to ns) at instruction count `icount` (from icount(), just read). */
  usAt(icount: number): number {
    return virtualUs(icount, this.ipms, this.idleMs, this.chargedMs);
  }

  // ---- ports, IRQs, devices -------------------------------------------------------------

  /** Calls `fn(value)` synchronously inside every 32-bit `out` to `port` (the guest resumes after it returns). */
  onPortWrite32(port: number, fn: (value: number) => void): void {
    this.cpu.io.register_write(port, this, undefined, undefined, fn);
  }

  /** Writes a byte to an I/O port of a JS-implemented device (UART, PIT, IDE; not the PIC). */
  portWrite8(port: number, value: number): void {
    this.cpu.io.port_write8(port, value);
  }

  /** Reads a byte from an I/O port of a JS-implemented device. */
  portRead8(port: number): number {
    return this.cpu.io.port_read8(port);
  }

  /** Writes a 16-bit word to an I/O port of a JS-implemented device (e.g. the IDE data port). */
  portWrite16(port: number, value: number): void {
    (this.cpu.io as unknown as WideIo).port_write16(port, value & 0xffff);
  }

  /** Reads a 16-bit word from an I/O port of a JS-implemented device. */
  portRead16(port: number): number {
    return (this.cpu.io as unknown as WideIo).port_read16(port) & 0xffff;
  }

  /** Writes a 32-bit doubleword to an I/O port of a JS-implemented device (the IDE data port takes them). */
  portWrite32(port: number, value: number): void {
    (this.cpu.io as unknown as WideIo).port_write32(port, value | 0);
  }

  /** Reads a 32-bit doubleword (unsigned) from an I/O port of a JS-implemented device. */
  portRead32(port: number): number {
    return (this.cpu.io as unknown as WideIo).port_read32(port) >>> 0;
  }

  /** Raises IRQ line `irq`; the guest takes it after the current instruction. */
  raiseIrq(irq: number): void {
    this.cpu.device_raise_irq(irq);
  }

  /** Installs the handler for v86 panics (see EmulatorFaultHandler). */
  onEmulatorFault(fn: EmulatorFaultHandler): void {
    this.faultHandler = fn;
  }

  /** Linear address of the instruction being executed (the faulting one, after a fault). */
  get previousIp(): number {
    return new Int32Array(this.memory.buffer, WASM_OFFSET.previousIp, 1)[0]! >>> 0;
  }

  /** Makes the CPU start over at linear address `eip` with no pending prefixes (after repairing a fault). */
  restartInstructionAt(eip: number): void {
    const buf = this.memory.buffer;
    new Int32Array(buf, WASM_OFFSET.instructionPointer, 1)[0] = eip | 0;
    new Int32Array(buf, WASM_OFFSET.prefixes, 1)[0] = 0;
  }

  /** Every byte the guest transmits on COM1. */
  onSerialOutput(fn: (byte: number) => void): void {
    this.serialListeners.push(fn);
  }

  /** Queues bytes for COM1 input: at a virtual time (µs), or, without one, the next time the guest idles. */
  queueSerialInput(bytes: Uint8Array, atUs?: number): void {
    this.inputQueue.push({ bytes, atUs, device: "serial0-input" });
    if (atUs !== undefined) this.inputQueue.sort((a, b) => (a.atUs ?? Infinity) - (b.atUs ?? Infinity));
  }

  /** Queues PS/2 keyboard scancodes (set 1), delivered like serial input: at `atUs`, or when the guest idles. */
  queueKeyboardInput(scancodes: Uint8Array, atUs?: number): void {
    this.inputQueue.push({ bytes: scancodes, atUs, device: "keyboard-code" });
    if (atUs !== undefined) this.inputQueue.sort((a, b) => (a.atUs ?? Infinity) - (b.atUs ?? Infinity));
  }

  /** True while queued input has not been delivered to the guest yet. */
  hasPendingInput(): boolean {
    return this.inputQueue.length > 0;
  }

  private nextInputMs(): number | undefined {
    const head = this.inputQueue[0];
    return head?.atUs !== undefined ? head.atUs / 1000 : undefined;
  }

  /**
   * Whether the guest wants untimed input for `device` now (the kernel's: once a program has waited
   * to read the console, or when nothing else can happen). Without it, untimed input goes in whenever
   * the CPU halts.
   */
  inputWanted: ((device: InputDevice) => boolean) | undefined;

  /** True if the next untimed input (to `device`) may go in now: the CPU is halted and the guest wants it. */
  private untimedDue(device: InputDevice): boolean {
    return this.state8[WASM_OFFSET.inHlt] !== 0 && (this.inputWanted?.(device) ?? true);
  }

  private deliverInput(): void {
    const head = this.inputQueue[0];
    if (!head) return;
    const due = head.atUs !== undefined ? this.nowUs() >= head.atUs : this.untimedDue(head.device);
    if (!due) return;
    this.inputQueue.shift();
    const bus = (this.emulator as unknown as { bus: { send(ev: string, v: number): void } }).bus;
    for (const b of head.bytes) bus.send(head.device, b);
  }

  // ---- registers and memory ---------------------------------------------------------------

  /** CR2 (the last page-fault address). */
  get cr2(): number {
    return this.cr[2]! >>> 0;
  }

  /** CR3 (the current page directory). */
  get cr3(): number {
    return this.cr[3]! >>> 0;
  }

  /** Current privilege level. */
  get cpl(): number {
    return this.state8[WASM_OFFSET.cpl]!;
  }

  /** Reads an unsigned 32-bit little-endian word at a physical address (any alignment). */
  read32(paddr: number): number {
    if ((paddr & 3) === 0) return this.mem32[paddr >>> 2]! >>> 0;
    const m = this.mem8;
    return (m[paddr]! | (m[paddr + 1]! << 8) | (m[paddr + 2]! << 16) | (m[paddr + 3]! << 24)) >>> 0;
  }

  /** Writes a 32-bit word of data (not code) at a physical address. */
  write32(paddr: number, value: number): void {
    if ((paddr & 3) === 0) {
      this.mem32[paddr >>> 2] = value | 0;
      return;
    }
    const m = this.mem8;
    m[paddr] = value;
    m[paddr + 1] = value >>> 8;
    m[paddr + 2] = value >>> 16;
    m[paddr + 3] = value >>> 24;
  }

  /** Writes bytes that may be executed: stale JIT code for the range is discarded. */
  writeCode(paddr: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.cpu.jit_dirty_cache(paddr, paddr + bytes.length);
    this.mem8.set(bytes, paddr);
  }

  /** Discards all cached linear→physical translations (after editing live page tables). */
  flushTlb(): void {
    this.cpu.full_clear_tlb();
  }
}

const wallClock = performance.now.bind(performance);

function staticMicrotick(): number {
  if (!current) return 0;
  return current.deterministic ? current.nowMs() : wallClock();
}
