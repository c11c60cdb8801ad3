// A kernel's pure parts without a v86 boot: physical memory on a plain ArrayBuffer, processes with
// real address spaces on it, and a fake IPC host that records block / complete / handOff. For the
// fast unit tests (tests/unit-*.test.ts).
import type { Machine } from "../../emulator/machine.ts";
import { FrameAllocator, PAGE } from "../../kernel/frames.ts";
import type { IpcHost } from "../../kernel/ipc.ts";
import { FRAME, MEM } from "../../kernel/layout.ts";
import type { PhysicalMemory } from "../../kernel/phys-memory.ts";
import { Process, type WaitReason } from "../../kernel/process.ts";
import type { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { AddressSpace, buildKernelPageTable } from "../../kernel/vm.ts";

export const MIB = 1024 * 1024;
export { PAGE };

/**
 * Physical memory on a plain buffer, with the few clock and port methods of `Machine` the dispatcher,
 * the IPC engine and the service directory call (a settable virtual clock; port writes recorded).
 */
export class PlainMemory implements PhysicalMemory {
  readonly memoryBytes: number;
  readonly mem8: Uint8Array;
  readonly mem32: Int32Array;
  private readonly view: DataView;
  /** Virtual time in ms (set by tests); icount() is derived from it at 1,000 instructions per ms. */
  ms = 0;
  /** How many times the clock was read (icount/nowMs/nowUs/usAt). */
  clockReads = 0;
  /** Every 8-bit port write, as [port, value]. */
  readonly portWrites: [number, number][] = [];
  /** writeCode calls, as [paddr, length]. */
  readonly codeWrites: [number, number][] = [];
  tlbFlushes = 0;

  constructor(bytes = 16 * MIB) {
    const buf = new ArrayBuffer(bytes);
    this.memoryBytes = bytes;
    this.mem8 = new Uint8Array(buf);
    this.mem32 = new Int32Array(buf, 0, bytes >>> 2);
    this.view = new DataView(buf);
  }

  /** As Machine.read32: an unsigned little-endian word at any alignment. */
  read32(paddr: number): number {
    return this.view.getUint32(paddr, true);
  }

  /** As Machine.write32: a little-endian word at any alignment. */
  write32(paddr: number, value: number): void {
    this.view.setUint32(paddr, value >>> 0, true);
  }

  writeCode(paddr: number, bytes: Uint8Array): void {
    this.codeWrites.push([paddr, bytes.length]);
    this.mem8.set(bytes, paddr);
  }

  flushTlb(): void {
    this.tlbFlushes++;
  }

  icount(): number {
    this.clockReads++;
    return Math.round(this.ms * 1000);
  }

  nowMs(): number {
    this.clockReads++;
    return this.ms;
  }

  nowUs(): number {
    this.clockReads++;
    return this.ms * 1000;
  }

  usAt(icount: number): number {
    this.clockReads++;
    return icount;
  }

  portWrite8(port: number, value: number): void {
    this.portWrites.push([port, value]);
  }

  /** This object where a module's type asks for the whole Machine (it uses only the methods above). */
  asMachine(): Machine {
    return this as unknown as Machine;
  }
}

export interface ProcessOptions {
  name?: string;
  nice?: number;
  parent?: Process | null;
  state?: Process["state"];
  /** User pages to map (writable unless `readOnly` lists them). */
  pages?: number[];
  readOnly?: number[];
}

/** Frames, the kernel page table and a pid counter on one PlainMemory. */
export class FakeWorld {
  readonly mem: PlainMemory;
  readonly frames: FrameAllocator;
  readonly kernelPt: number;
  private nextPid = 1;

  constructor(bytes = 16 * MIB) {
    this.mem = new PlainMemory(bytes);
    this.frames = new FrameAllocator(this.mem);
    this.kernelPt = buildKernelPageTable(this.mem, this.frames);
  }

  /** A fresh address space sharing the kernel page table. */
  addressSpace(): AddressSpace {
    return new AddressSpace(this.mem, this.frames, this.kernelPt);
  }

  /**
   * A process with a real address space and a (zeroed) ring-3 trap frame on its kernel stack, as the
   * kernel lays them out; pid n uses kernel-stack slot n-1.
   */
  process(opts: ProcessOptions = {}): Process {
    const pid = this.nextPid++;
    const slot = pid - 1;
    const kstackTop = MEM.kstackPool + (slot + 1) * MEM.kstackSize;
    const as = this.addressSpace();
    for (const va of opts.pages ?? []) if (as.mapNew(va, !(opts.readOnly ?? []).includes(va)) < 0) throw new Error(`cannot map 0x${va.toString(16)}`);
    const p = new Process(pid, opts.name ?? `p${pid}`, opts.parent ? opts.parent.pid : null, as, slot, kstackTop, []);
    p.frame = kstackTop - FRAME.sizeRing3;
    this.mem.mem8.fill(0, p.frame, kstackTop);
    p.nice = opts.nice ?? 0;
    p.state = opts.state ?? "ready";
    return p;
  }

  /** A saved register of `p`'s trap frame (signed 32-bit, as EAX results are read). */
  reg(p: Process, r: keyof typeof FRAME): number {
    return this.mem.read32(p.frame + FRAME[r]) | 0;
  }

  /** The four words a received message leaves in the receiver's registers: ECX, EDX, EBP, EDI. */
  words(p: Process): [number, number, number, number] {
    return [this.reg(p, "ecx"), this.reg(p, "edx"), this.reg(p, "ebp"), this.reg(p, "edi")];
  }
}

/**
 * An IpcHost that behaves like the dispatcher's block/complete (state, wait, EAX) and records every
 * call as a line: "block 2", "complete 2 = -3", "handoff 2".
 */
export class FakeIpcHost implements IpcHost {
  readonly events: string[] = [];

  constructor(
    private readonly mem: PlainMemory,
    readonly trace: TraceRecorder | undefined = undefined,
  ) {}

  get machine(): Machine {
    return this.mem.asMachine();
  }

  block(p: Process, wait: WaitReason): void {
    p.state = "blocked";
    p.wait = wait;
    this.events.push(`block ${p.pid}`);
  }

  complete(p: Process, value: number): void {
    this.mem.write32(p.frame + FRAME.eax, value);
    p.wait = null;
    if (p.state === "blocked") p.state = "ready";
    this.events.push(`complete ${p.pid} = ${value}`);
  }

  handOffTo(p: Process): void {
    this.events.push(`handoff ${p.pid}`);
  }

  /** The events so far, and forgets them. */
  take(): string[] {
    return this.events.splice(0);
  }
}

/**
 * A TraceRecorder stand-in that records every method call the pure modules make (name and
 * arguments); `nameService` answers 0, 1, 2, … like the real one.
 */
export function fakeRecorder(): { recorder: TraceRecorder; calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  let names = 0;
  const recorder = new Proxy(
    {},
    {
      get: (_t, key) =>
        typeof key !== "string" || key === "then"
          ? undefined
          : (...a: unknown[]) => {
              calls.push([key, ...a]);
              return key === "nameService" ? names++ : undefined;
            },
    },
  );
  return { recorder: recorder as TraceRecorder, calls };
}

/** The context switches among recorded trace calls, however the recorder is asked (`switchTo` or a "switch" action). */
export function recordedSwitches(calls: [string, ...unknown[]][]): { from: number | null; to: number | null; reason: string }[] {
  const out: { from: number | null; to: number | null; reason: string }[] = [];
  for (const c of calls) {
    if (c[0] === "switchTo") {
      const [, , from, to, reason] = c as [string, number, number, number, string];
      out.push({ from: from < 0 ? null : from, to: to < 0 ? null : to, reason });
    } else if (c[0] === "action" && c[2] === "switch") out.push(c[3] as { from: number | null; to: number | null; reason: string });
  }
  return out;
}
