// The v86 workaround: v86 panics instead of raising #GP for some invalid `iret` frames (null,
// out-of-table or more-privileged CS). The panic happens before iret changes any state, so the kernel
// repairs it into what a real CPU does: CS in the frame becomes 0x0B (kernel code, RPL 3), which v86
// turns into a genuine #GP, and the instruction restarts; the trap then reports the real error code.
import type { Machine } from "../emulator/machine.ts";
import { SEL } from "./layout.ts";
import type { Process } from "./process.ts";

export class IretRepair {
  /** A #GP the kernel provoked: the error code a real CPU would give, for that pid and eip. */
  private pending: { pid: number; eip: number; errorCode: number } | undefined;

  constructor(private readonly m: Machine) {}

  /**
   * Called when v86 panics while `p` (the current process, or null) runs. Returns true if the fault
   * was an `iret` in ring 3 that is now turned into a #GP; false if the run cannot continue.
   */
  repair(p: Process | null): boolean {
    const m = this.m;
    m.ensureViews();
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
    this.pending = { pid: p.pid, eip, errorCode: (cs[0]! | (cs[1]! << 8)) & 0xfffc };
    m.restartInstructionAt(eip);
    return true;
  }

  /** For a #GP of `pid` at `eip`: the real error code if the kernel provoked it (consumed), else undefined. */
  takeErrorCode(pid: number, eip: number): number | undefined {
    const fix = this.pending;
    if (!fix || fix.pid !== pid || fix.eip !== eip) return undefined;
    this.pending = undefined;
    return fix.errorCode;
  }
}
