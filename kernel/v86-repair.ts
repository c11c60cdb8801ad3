// The v86 workaround: v86 panics instead of raising #GP for some invalid `iret` frames (null,
// out-of-table or more-privileged CS). The panic happens before iret changes any state, so the kernel
// repairs it into what a real CPU does: CS in the frame becomes 0x0B (kernel code, RPL 3), which v86
// turns into a genuine #GP, and the instruction restarts; the trap then reports the real error code.
import type { Machine } from "../emulator/machine.ts";
import { SEL } from "./layout.ts";
import type { Process } from "./process.ts";

/** Instruction prefixes: segment overrides, operand and address size, lock, repne/rep. */
const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
/** A supervisor-only address in the kernel region: a user access to it is a #PF. */
const KERNEL_PROBE = 0x1000;

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
    // Decode the prefixes (any number, up to the 15-byte instruction limit): only 0x66 matters (a
    // 16-bit frame); segment overrides, rep and 0x67 do not change where iret finds CS (on SS:ESP).
    const code = new Uint8Array(15);
    let n = 0;
    while (n < 15 && p.as.copyIn(eip + n, 1, code.subarray(n, n + 1))) n++;
    let i = 0, o16 = false;
    for (; i < n && PREFIXES.has(code[i]!); i++) if (code[i] === 0x66) o16 = true;
    if (i >= n || code[i] !== 0xcf) return false;
    const csAddr = (m.reg32[4]! >>> 0) + (o16 ? 2 : 4);
    const cs = new Uint8Array(2);
    // A second fault at the same place means the first repair did not take (v86 decoded the frame
    // differently, e.g. `66 66`): fall back to the stack fault below, which always ends the process.
    const again = this.pending !== undefined && this.pending.pid === p.pid && this.pending.eip === eip;
    if (!again && p.as.copyIn(csAddr, 2, cs) && p.as.copyOut(csAddr, Uint8Array.of(SEL.kcode | 3, 0))) {
      this.pending = { pid: p.pid, eip, errorCode: (cs[0]! | (cs[1]! << 8)) & 0xfffc };
    } else {
      // The frame cannot be rewritten (a read-only page): make the iret fault on its stack instead —
      // ESP into the kernel region, a genuine #PF that kills the process with a report. The machine goes on.
      this.pending = undefined;
      m.reg32[4] = KERNEL_PROBE;
    }
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
