// The dispatcher: the mechanism of scheduling. It blocks and wakes processes, runs the timer
// (slices, sleepers, alarms) and, at every kernel exit, asks the policy who runs next, switches to it
// (the switch block the stub reads) and records the exit in the trace. Policy: kernel/sched/.
import type { Machine } from "../emulator/machine.ts";
import { PIT_MAX_MS, pitOneShot } from "./drivers/pit.ts";
import type { IoPermissions } from "./io-permissions.ts";
import type { IrqRouter } from "./irq-routing.ts";
import { ACTION, FRAME, MEM, SWITCH } from "./layout.ts";
import type { Process, WaitReason } from "./process.ts";
import type { SchedPolicy } from "./sched/policy.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import type { CostMeter } from "./cost-model.ts";
import { FpuSwitch } from "./fpu.ts";

/** What the dispatcher needs from the rest of the kernel. */
export interface DispatcherHooks {
  /** True once the machine is stopping. */
  halted(): boolean;
  /** Stops the machine (every process ended). */
  allEnded(): void;
  /** Nothing can run and nothing is scheduled: true to idle (input may come), false if it halted. */
  mayWake(): boolean;
  /** Delivers an alarm (NOTIFY.TIMER) to `p`. */
  alarm(p: Process): void;
  /** Called at every kernel exit before the decision (fault injection strikes here); may halt. */
  beforeLeave?(): void;
  /** The earliest other kernel deadline (virtual ms), e.g. a parked request's; Infinity if none. */
  deadline?(): number;
}

export class Dispatcher {
  /** The process on the CPU (null while idle or in the kernel at boot). */
  current: Process | null = null;
  /** Set when the current process must give up the CPU at this kernel exit; the value is the reason. */
  private resched: string | null = null;
  /** The partner of a rendezvous made during this kernel entry (see `leave`). */
  private handoff: Process | null = null;
  /** The deadline (virtual ms) the PIT is armed for, or Infinity. */
  private armed = Infinity;
  /** How many processes have an alarm set (so the common case skips looking for them). */
  private alarmsSet = 0;
  private readonly sw = MEM.switchBlock;
  /** Whose x87/SSE registers the FPU holds, and the CR0.TS work for the stub (lazy switching). */
  readonly fpu: FpuSwitch;

  constructor(
    private readonly m: Machine,
    readonly policy: SchedPolicy,
    /** Live processes in creation order (the process table's list). */
    private readonly live: readonly Process[],
    private readonly io: IoPermissions,
    private readonly irqs: IrqRouter,
    /** The recorder, or undefined while nothing is recorded (see Kernel.setTraceRecording). */
    public trace: TraceRecorder | undefined,
    private readonly idleEip: number,
    private readonly hooks: DispatcherHooks,
    private readonly cost?: CostMeter,
  ) {
    this.fpu = new FpuSwitch(m);
  }

  /** The page directory the stub last loaded (an address-space switch is charged when it changes). */
  private loadedPd = 0;

  /** Set when the current process's address space was replaced (execve): the exit must load CR3. */
  private reload = false;

  /** True if the current process will keep the CPU at this kernel exit (the syscall fast path may be taken). */
  staysOn(p: Process): boolean {
    return this.current === p && this.resched === null && !this.irqs.dirty && !this.reload && this.fpu.pending === 0;
  }

  /** The current process's address space changed (execve): this exit takes the slow path (CR3 reload). */
  reloadAddressSpace(): void {
    this.reload = true;
  }

  /** Asks for a scheduling decision at this kernel exit ("start", "yield", "preempt", …). */
  requestReschedule(reason: string): void {
    this.resched ??= reason;
  }

  /** The caller gives up the rest of its slice. */
  yieldCpu(): void {
    this.resched = "yield";
  }

  /** Blocks `p` (the caller) until `complete` is called for it. */
  block(p: Process, wait: WaitReason): void {
    p.state = "blocked";
    p.wait = wait;
  }

  /** Finishes a blocked call: `value` goes to the process's EAX and it becomes runnable. */
  complete(p: Process, value: number): void {
    this.m.mem32[(p.frame + FRAME.eax) >>> 2] = value; // trap frames are word-aligned
    p.wait = null;
    if (p.state === "blocked") {
      p.state = "ready";
      const cur = this.current;
      if (cur && cur !== p && this.policy.preemptsOnWake(p, cur)) this.resched ??= "wake";
    }
  }

  /** Marks `p` (just made ready by a rendezvous with the current process) as the one to switch to. */
  handOffTo(p: Process): void {
    this.handoff = p;
  }

  /** Sets (ms > 0) or cancels (0) `p`'s alarm. */
  setAlarm(p: Process, ms: number): void {
    if (p.alarmAt !== Infinity) this.alarmsSet--;
    p.alarmAt = ms === 0 ? Infinity : this.m.nowMs() + ms;
    if (p.alarmAt !== Infinity) this.alarmsSet++;
  }

  /** The earliest virtual time something is scheduled to happen (a sleeper, an alarm), or Infinity. */
  nextWake(): number {
    let t = this.hooks.deadline?.() ?? Infinity;
    for (const p of this.live) {
      if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until < t) t = p.wait.until;
      if (this.alarmsSet > 0 && p.alarmAt < t) t = p.alarmAt;
    }
    return t;
  }

  /** IRQ0: wake sleepers, deliver alarms, end the slice if it is used up and the policy says so. */
  timerInterrupt(): void {
    const now = this.m.nowMs();
    this.armed = Infinity; // the one-shot has fired
    for (const p of this.live) {
      if (p.state === "blocked" && p.wait?.kind === "sleep" && p.wait.until <= now) this.complete(p, 0);
    }
    if (this.alarmsSet > 0) {
      for (const p of this.live) {
        if (p.alarmAt <= now) {
          this.setAlarm(p, 0);
          this.hooks.alarm(p);
        }
      }
    }
    const cur = this.current;
    if (cur && cur.state === "running" && now - cur.sliceStart >= this.policy.sliceMs(cur)) {
      if (this.policy.preemptAtSliceEnd(cur)) this.resched ??= "preempt";
      else cur.sliceStart = now; // nobody else to run: a fresh slice
    }
  }

  /** Picks what runs next, switches to it, arms the timer and records the kernel exit. */
  leave(): void {
    const m = this.m;
    this.hooks.beforeLeave?.();
    if (this.hooks.halted()) return this.writeHalt();
    const prev = this.current;
    const reason = this.resched;
    this.resched = null;
    this.reload = false;
    // A rendezvous (a call delivered to a waiting server, a reply to a waiting caller) hands the CPU
    // straight to its partner, with the rest of the time slice, if the policy agrees.
    const h = this.handoff;
    this.handoff = null;
    const handoff = h !== null && reason === null && prev !== null && prev.state === "blocked" && h.state === "ready" && this.policy.mayHandOff(h);
    const next = prev && prev.state === "running" && reason === null ? prev : handoff ? h : this.policy.pick(prev);
    if (this.irqs.dirty) {
      m.write32(this.sw + SWITCH.picMask, this.irqs.mask);
      this.irqs.dirty = false;
    }
    if (next !== prev && this.trace) {
      this.trace.switchTo(next ? next.pid : -1, prev ? prev.pid : -1, next ? next.pid : -1, switchReason(prev, reason));
    }
    if (!next) {
      if (this.live.length === 0) return this.hooks.allEnded();
      if (this.nextWake() === Infinity && !this.hooks.mayWake()) return;
      if (prev && prev.state === "running") prev.state = "ready";
      this.current = null;
      this.fpu.leaveTo(null);
      m.write32(this.sw + SWITCH.action, ACTION.idle);
      // Everything sleeps: jump virtual time to just before the next wake-up (the machine's own idle
      // skip goes one PIT period, at most 55 ms, at a time: a sleep of 2^31 s would take a day).
      // Not while input is queued (it has a time of its own).
      const wake = this.nextWake(), now = m.nowMs();
      if (m.deterministic && wake !== Infinity && wake - now > PIT_MAX_MS && !m.hasPendingInput()) m.charge(wake - now - 1);
      this.armTimer();
      if (this.trace) this.trace.ret(-1, 0, this.idleEip, undefined);
      return;
    }
    if (prev && prev !== next && prev.state === "running") prev.state = "ready";
    if (handoff) next.sliceStart = prev!.sliceStart; // the slice is donated: no new deadline
    else if (prev !== next || reason !== null) next.sliceStart = m.nowMs();
    next.state = "running";
    this.current = next;
    this.io.load(next);
    this.fpu.leaveTo(next);
    const returning = next.syscallOpen;
    next.syscallOpen = false;
    const sw = m.mem32, s = this.sw >>> 2;
    sw[s + (SWITCH.action >> 2)] = ACTION.resume;
    sw[s + (SWITCH.esp >> 2)] = next.frame;
    sw[s + (SWITCH.cr3 >> 2)] = next.as.pd;
    if (next.as.pd !== this.loadedPd) {
      if (this.loadedPd !== 0) this.cost?.addressSpaceSwitch();
      this.loadedPd = next.as.pd;
    }
    sw[s + (SWITCH.esp0 >> 2)] = next.kstackTop;
    if (!handoff) this.armTimer(); // a handoff changes no deadline: the slice and the sleepers are as armed
    if (this.trace) {
      const eip = m.read32(next.frame + FRAME.eip);
      this.trace.ret(next.pid, 3, eip, returning ? m.read32(next.frame + FRAME.eax) | 0 : undefined);
    }
  }

  /** Tells the stub to halt the machine. */
  writeHalt(): void {
    this.m.write32(this.sw + SWITCH.action, ACTION.halt);
  }

  /** Arms the one-shot PIT for the earliest of: the current slice's end, the next sleeper's wake-up or alarm. */
  private armTimer(): void {
    const now = this.m.nowMs();
    let deadline = this.nextWake();
    if (this.current) deadline = Math.min(deadline, this.current.sliceStart + this.policy.sliceMs(this.current));
    // Re-arm only for an earlier deadline: a timer that fires early is harmless (the interrupt
    // re-arms for the real deadline), and reprogramming the PIT on every switch is not free.
    if (deadline === Infinity || deadline >= this.armed) return;
    this.armed = deadline;
    pitOneShot(this.m, Math.min(PIT_MAX_MS, Math.max(0.001, deadline - now)));
  }
}

/** Why the CPU moves away from `prev`: start, wake (from idle), exit, block, yield, preempt … */
function switchReason(prev: Process | null, reason: string | null): string {
  if (!prev) return reason ?? "wake";
  if (prev.state === "zombie") return "exit";
  if (prev.state === "blocked") return "block";
  return reason ?? "preempt";
}
