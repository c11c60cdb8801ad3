// Trap dispatch: one kernel entry, from the trap frame the stub saved. A system call goes to its
// handler (and straight back to the caller on the fast path), an IRQ to the timer or its owner, a CPU
// exception to the page-fault handler or kills the process; then the dispatcher decides what runs.
import type { Machine } from "../emulator/machine.ts";
import { disassembleOne } from "./disasm.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { IrqRouter } from "./irq-routing.ts";
import type { KernelApi } from "./kernel-api.ts";
import { ACTION, FRAME, IRQ_BASE, MEM, SWITCH, SYSCALL_VECTOR } from "./layout.ts";
import { E, SIGNAL_FOR_VECTOR, VECTOR_NAMES } from "./names.ts";
import type { Process } from "./process.ts";
import { BLOCKED, NO_RETURN } from "./syscall-contract.ts";
import { syscallByNumber } from "./syscalls.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { pageFaultOutcome } from "./user-memory.ts";
import type { IretRepair } from "./v86-repair.ts";
import type { CostMeter } from "./cost-model.ts";

export class KernelPanic extends Error {}

/** #NM: an FPU/SSE instruction while CR0.TS is set (kernel/fpu.ts). */
const DEVICE_NOT_AVAILABLE = 7;

/** The signal a process is killed with when the kernel fails in its system call (Linux's SIGSYS). */
const SIGSYS = 31;

/** What trap dispatch needs besides the dispatcher and the IRQ router. */
export interface TrapHooks {
  /**
   * True if this kernel exit must go through the dispatcher even when the caller keeps the CPU: the
   * machine halted, or an injected fault is due (it strikes at the exit).
   */
  mustLeave(): boolean;
  exitProcess(p: Process, status: number | null, vector: number | null, signal: number | null, report: string | null): void;
}

export class Traps {
  constructor(
    private readonly m: Machine,
    private readonly api: KernelApi,
    private readonly dispatcher: Dispatcher,
    private readonly irqs: IrqRouter,
    private readonly repair: IretRepair,
    /** The recorder, or undefined while nothing is recorded (see Kernel.setTraceRecording). */
    public trace: TraceRecorder | undefined,
    private readonly hooks: TrapHooks,
    private readonly cost?: CostMeter,
  ) {}

  /** Dispatches one trap whose frame is at `f`, then decides what runs next. */
  handle(f: number): void {
    const m = this.m;
    const mem32 = m.mem32;
    const fi = f >>> 2;
    const vector = mem32[fi + (FRAME.vector >> 2)]!;
    const cplFrom = mem32[fi + (FRAME.cs >> 2)]! & 3;
    const eip = mem32[fi + (FRAME.eip >> 2)]! >>> 0;
    const d = this.dispatcher;
    const cur = cplFrom === 3 ? d.current : null;
    if (cur) cur.frame = f;
    const pid = cur ? cur.pid : -1;
    const tr = this.trace;
    const cost = this.cost;

    if (vector === SYSCALL_VECTOR && cur) {
      const nr = mem32[fi + (FRAME.eax >> 2)]! >>> 0;
      const a0 = mem32[fi + (FRAME.ebx >> 2)]!, a1 = mem32[fi + (FRAME.ecx >> 2)]!, a2 = mem32[fi + (FRAME.edx >> 2)]!;
      const a3 = mem32[fi + (FRAME.esi >> 2)]!, a4 = mem32[fi + (FRAME.edi >> 2)]!;
      if (tr) tr.syscall(pid, 3, eip, nr, a0, a1, a2, a3, a4);
      cost?.entry();
      const def = syscallByNumber(nr);
      let ret: number;
      try {
        ret = def ? def.handler(this.api, cur, a0, a1, a2, a3, a4) : -E.NOSYS;
      } catch (err) {
        // A bug in a handler (a RangeError, a TypeError …) ends the caller, not the machine.
        if (err instanceof KernelPanic) throw err;
        if (cur.state !== "zombie") {
          const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          this.hooks.exitProcess(cur, null, null, SIGSYS, `[pid ${cur.pid} ${cur.name}] killed by signal ${SIGSYS}: the kernel failed in ${def?.name ?? nr} (${what})`);
        }
        return d.leave();
      }
      if (ret === NO_RETURN || cur.state === "zombie") return d.leave(); // exited, or killed by a signal in the call (SIGPIPE)
      cur.syscallOpen = true; // its return is traced (with EAX) whenever it next runs
      if (ret === BLOCKED) return d.leave();
      mem32[fi + (FRAME.eax >> 2)] = ret;
      if (d.staysOn(cur) && !this.hooks.mustLeave()) {
        // Fast path: straight back to the caller; the stub pops the frame it just pushed.
        mem32[(MEM.switchBlock + SWITCH.action) >> 2] = ACTION.fast;
        mem32[(MEM.switchBlock + SWITCH.esp) >> 2] = f;
        if (tr) {
          // The return of the entry just recorded, at the same instant (unless a cost model charged it).
          if (cost) tr.ret(pid, 3, eip, ret);
          else tr.syscallReturned(ret);
        }
        cur.syscallOpen = false;
        return;
      }
      return d.leave();
    }

    if (vector >= IRQ_BASE && vector < IRQ_BASE + 16) {
      const irq = vector - IRQ_BASE;
      if (tr) tr.irq(pid, cplFrom, eip, irq);
      cost?.entry();
      if (irq === 0) d.timerInterrupt();
      else this.irqs.deliver(irq);
      return d.leave();
    }

    if (vector < 32) {
      let errorCode = mem32[fi + (FRAME.errorCode >> 2)]! >>> 0;
      const fixed = vector === 13 && cur ? this.repair.takeErrorCode(cur.pid, eip) : undefined;
      if (fixed !== undefined) {
        errorCode = fixed;
        mem32[fi + (FRAME.errorCode >> 2)] = errorCode;
      }
      const cr2 = vector === 14 ? m.cr2 : 0;
      // The faulting instruction is disassembled only for what shows it, the trace and a kill report:
      // most faults (demand paging, copy-on-write) are resolved, and the disassembler's first use
      // loads its wasm (tens of ms).
      const insn = tr && cur ? instructionAt(cur, eip) : undefined;
      if (tr) tr.exception(pid, cplFrom, eip, vector, errorCode, cr2, insn);
      cost?.entry();
      if (!cur) throw new KernelPanic(`${VECTOR_NAMES[vector]} in ring 0 at 0x${hex(eip)} (error code 0x${errorCode.toString(16)})`);
      if (vector === DEVICE_NOT_AVAILABLE) {
        // The first FPU/SSE instruction since another process had the FPU: switch the registers.
        const from = d.fpu.claim(cur);
        tr?.action(cur.pid, "fpu", { eip, from });
        return d.leave();
      }
      let outOfMemory = false;
      if (vector === 14) {
        // A write to a present page: a copy-on-write page (fork) gets a frame of its own.
        const cow = (errorCode & 3) === 3 ? cur.as.breakCow(cr2) : null;
        const outcome = cow ?? pageFaultOutcome(cur, errorCode, cr2);
        tr?.pageFault(cur.pid, cr2, eip, errorCode, outcome);
        if (outcome === "mapped" || outcome === "copied" || outcome === "reclaimed") return d.leave();
        outOfMemory = outcome === "out-of-memory";
      }
      const report = killReport(cur, vector, errorCode, eip, cr2, tr ? insn : instructionAt(cur, eip), outOfMemory);
      this.hooks.exitProcess(cur, null, vector, SIGNAL_FOR_VECTOR[vector] ?? 11, report);
      return d.leave();
    }

    // Any other vector can only be a spurious interrupt in ring 0 (ring 3 gets #GP for closed vectors).
    if (tr) tr.irq(pid, cplFrom, eip, vector - IRQ_BASE);
    d.leave();
  }
}

/**
 * The one-line report for a process killed by an exception; `outOfMemory`: a page fault the kernel
 * would have resolved (a heap or stack page, a copy-on-write copy) had a free frame been left.
 */
function killReport(p: Process, vector: number, errorCode: number, eip: number, cr2: number, insn: string | undefined, outOfMemory: boolean): string {
  const sym = p.symbolize(eip);
  let line = `[pid ${p.pid} ${p.name}] killed by ${VECTOR_NAMES[vector]} (vector ${vector})${outOfMemory ? " out of memory: no free frame for the page" : ""} error_code=0x${errorCode.toString(16)}`;
  if (vector === 14) line += ` cr2=0x${hex(cr2)}`;
  line += ` at eip=0x${hex(eip)}${sym ? " " + sym : ""}: ${insn ?? "(instruction unreadable)"}`;
  return line;
}

/** Disassembles the user instruction at `eip` (read through the process's page tables). */
function instructionAt(p: Process, eip: number): string | undefined {
  const bytes = new Uint8Array(15);
  let n = 0;
  while (n < 15 && p.as.copyIn(eip + n, 1, bytes.subarray(n, n + 1))) n++;
  return disassembleOne(bytes.subarray(0, n), eip);
}

export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
