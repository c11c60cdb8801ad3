// Per-process x87/MMX/SSE state, switched lazily. Every process has a 512-byte FXSAVE area in the
// kernel region (by kernel-stack slot). The FPU registers belong to one process at a time, the owner;
// whenever another process runs, CR0.TS is set, so its first FPU or SSE instruction traps (#NM,
// vector 7). The kernel then has the stub save the owner's registers to the owner's area and load
// the trapping process's, and makes it the owner. A process that never touches the FPU costs nothing
// at a switch: TS stays set, and the stub changes CR0 only when the kernel asks.
//
// The stub does the work on its way out of the kernel (SWITCH.fpu, kernel/layout.ts): CR0.TS can only
// be changed, and FXSAVE/FXRSTOR only run, in ring 0.
import type { Machine } from "../emulator/machine.ts";
import { FPU_OP, MEM, SWITCH } from "./layout.ts";
import type { Process } from "./process.ts";

/** The FXSAVE image a process starts with: FNINIT's x87 state (FCW 0x037F, all registers empty) and MXCSR's reset value. */
const FCW_INIT = 0x037f;
const MXCSR_INIT = 0x1f80;
const FXSAVE_FCW = 0, FXSAVE_MXCSR = 24;

export class FpuSwitch {
  /** The process whose state is in the FPU registers, or null (the registers hold nothing anyone needs). */
  private owner: Process | null = null;
  /** CR0.TS as it will be when the stub has done the pending work (it is set at boot). */
  private tsSet = true;
  /** FPU_OP bits for the stub at this kernel exit (0: nothing to do). */
  pending = 0;
  /** Save areas that hold a process's state (slot → true); a fresh process starts from the initial image. */
  private readonly used: boolean[] = new Array<boolean>(MEM.kstackCount).fill(false);
  private readonly sw = MEM.switchBlock >>> 2;

  constructor(private readonly m: Machine) {}

  /** The physical (identity-mapped) address of `p`'s save area. */
  static areaOf(p: Process): number {
    return MEM.fpuAreas + p.kstackSlot * MEM.fpuAreaSize;
  }

  /** The process whose registers the FPU holds (for tests and the trace). */
  get ownerPid(): number {
    return this.owner ? this.owner.pid : -1;
  }

  /**
   * #NM from ring 3: `p` used the FPU while another process (or nobody) owned it. Queues the save of
   * the owner's registers and the load of `p`'s (its initial image on first use); `p` becomes the owner.
   * Returns the pid whose state was saved, or -1.
   */
  claim(p: Process): number {
    const prev = this.owner;
    if (prev === p) {
      // TS was set although p owns the registers (cannot happen unless CR0 was changed elsewhere): clear it.
      this.queue(FPU_OP.clearTs);
      return -1;
    }
    let op: number = FPU_OP.load | FPU_OP.clearTs;
    if (prev) {
      op |= FPU_OP.save;
      this.m.mem32[this.sw + (SWITCH.fpuSave >> 2)] = FpuSwitch.areaOf(prev);
      this.used[prev.kstackSlot] = true;
    }
    const area = FpuSwitch.areaOf(p);
    if (!this.used[p.kstackSlot]) this.writeInitial(area);
    this.used[p.kstackSlot] = true;
    this.m.mem32[this.sw + (SWITCH.fpuLoad >> 2)] = area;
    this.owner = p;
    this.queue(op);
    return prev ? prev.pid : -1;
  }

  /**
   * At every kernel exit to `next` (null: idle): TS must be clear exactly when `next` owns the FPU.
   * Writes the pending work to the switch block. Costs one compare when nothing changes.
   */
  leaveTo(next: Process | null): void {
    if (next) {
      const ts = this.owner !== next;
      if (ts !== this.tsSet) this.queue(ts ? FPU_OP.setTs : FPU_OP.clearTs);
    }
    if (this.pending !== 0) {
      this.m.mem32[this.sw + (SWITCH.fpu >> 2)] = this.pending;
      this.pending = 0;
    }
  }

  /**
   * fork: the child starts with the parent's FPU state. If the parent's state is live in the
   * registers, the stub saves it straight into the child's area at this exit; otherwise the parent's
   * area is copied (or the child starts fresh, as the parent would have).
   */
  forked(parent: Process, child: Process): void {
    const area = FpuSwitch.areaOf(child);
    if (this.owner === parent) {
      this.m.mem32[this.sw + (SWITCH.fpuSave >> 2)] = area;
      this.used[child.kstackSlot] = true;
      this.queue(FPU_OP.save | (this.tsSet ? FPU_OP.setTs : FPU_OP.clearTs));
    } else if (this.used[parent.kstackSlot]) {
      const from = FpuSwitch.areaOf(parent);
      this.m.mem8.copyWithin(area, from, from + MEM.fpuAreaSize);
      this.used[child.kstackSlot] = true;
    } else {
      this.used[child.kstackSlot] = false;
    }
  }

  /** execve or exit: `p`'s FPU state is discarded; a new image starts from the initial state. */
  discard(p: Process): void {
    this.used[p.kstackSlot] = false;
    if (this.owner === p) this.owner = null; // the registers now hold nothing; TS is set at the next exit
  }

  /** Queues stub work; a later TS request overrides an earlier one. */
  private queue(op: number): void {
    if (op & (FPU_OP.setTs | FPU_OP.clearTs)) {
      this.pending &= ~(FPU_OP.setTs | FPU_OP.clearTs);
      this.tsSet = (op & FPU_OP.setTs) !== 0;
    }
    this.pending |= op;
  }

  /** Writes the initial FXSAVE image (FNINIT + reset MXCSR) to the area at `addr`. */
  private writeInitial(addr: number): void {
    this.m.mem8.fill(0, addr, addr + MEM.fpuAreaSize);
    this.m.mem8[addr + FXSAVE_FCW] = FCW_INIT & 0xff;
    this.m.mem8[addr + FXSAVE_FCW + 1] = FCW_INIT >> 8;
    this.m.mem32[(addr + FXSAVE_MXCSR) >>> 2] = MXCSR_INIT;
  }
}
