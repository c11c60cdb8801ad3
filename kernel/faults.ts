// Fault injection (SWIFI, as MINIX 3's `service fi`): a fault strikes a service when it receives its
// N-th request, or at a virtual time, with the consequence its shape has. A ring-3 server is a process:
// it is killed, made to execute a faulting instruction, to spin, to store at random into its own
// memory, to touch a port it was not granted, or to send where it has no right — and only it suffers.
// An in-kernel service is kernel code: an exception or crash is a kernel panic, a hang hangs the
// machine, a wild write lands in kernel memory, and nothing stops a bad port access. Every fault is
// a `fault` trace event. Seeded, so runs replay exactly.
import { Xoshiro128 } from "../emulator/rng.ts";
import type { Machine } from "../emulator/machine.ts";
import { PAGE } from "./frames.ts";
import { MEM } from "./layout.ts";
import type { Process } from "./process.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { STACK_MAX } from "./user-memory.ts";

export const FAULT_KINDS = ["crash", "exception", "wild-write", "hang", "bad-io", "bad-ipc"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault: which service, what, and when (its N-th request, or a virtual time in µs). */
export interface FaultSpec {
  target: string;
  fault: FaultKind;
  when: { request: number } | { us: number };
}

export class FaultSpecError extends Error {}

/**
 * Parses `<target>:<fault>[@<when>]`: when is N (the N-th request the target receives; default 1) or
 * a virtual time with a unit (`2500us`, `10ms`, `1s`). Throws FaultSpecError saying what is wrong.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const m = /^([A-Za-z0-9_.-]{1,15}):([a-z-]+)(?:@(.+))?$/.exec(text.trim());
  if (!m) throw new FaultSpecError(`"${text}" is not <service>:<fault>[@<when>] (e.g. disk:crash@5, fs:hang@10ms)`);
  const fault = m[2] as FaultKind;
  if (!FAULT_KINDS.includes(fault)) throw new FaultSpecError(`unknown fault "${m[2]}" (${FAULT_KINDS.join(", ")})`);
  const w = m[3];
  if (w === undefined) return { target: m[1]!, fault, when: { request: 1 } };
  if (/^\d+$/.test(w)) {
    const n = Number(w);
    if (n < 1) throw new FaultSpecError(`"${w}": the request count starts at 1`);
    return { target: m[1]!, fault, when: { request: n } };
  }
  const t = /^(\d+(?:\.\d+)?)(us|ms|s)$/.exec(w);
  if (!t) throw new FaultSpecError(`"@${w}" is neither a request number nor a virtual time like 2500us, 10ms, 1s`);
  const us = Number(t[1]) * (t[2] === "s" ? 1e6 : t[2] === "ms" ? 1e3 : 1);
  return { target: m[1]!, fault, when: { us } };
}

/** A fault as `--inject` spells it (`disk:crash@5`, `fs:hang@10000us`). */
export function faultText(f: FaultSpec): string {
  return `${f.target}:${f.fault}@${"request" in f.when ? f.when.request : `${f.when.us}us`}`;
}

/** Where injected fault code is mapped in a server's address space (below the stack's guard page). */
export const FAULT_CODE_VA = MEM.userTop - STACK_MAX - 16 * PAGE;
/** The code page: ud2 at +0; jmp $ at +2; mov dx,0x70 / in al,dx at +4; a bad send that returns at +16. */
const FAULT_CODE = Uint8Array.of(
  0x0f, 0x0b, // +0  ud2
  0xeb, 0xfe, // +2  jmp $
  0x66, 0xba, 0x70, 0x00, 0xec, 0x0f, 0x0b, // +4 mov dx, 0x70; in al, dx; ud2
  0x90, 0x90, 0x90, 0x90, 0x90, // pad to +16
  0x60, // +16 pushad
  0xb8, 0x10, 0x02, 0x00, 0x00, // mov eax, 0x210 (ipc_send)
  0xbb, 0x01, 0x00, 0x00, 0x00, // mov ebx, 1 (init: no server may send to it)
  0x31, 0xc9, 0x31, 0xd2, 0x31, 0xf6, 0x31, 0xff, // xor ecx, edx, esi, edi
  0xcd, 0x80, // int 0x80
  0x61, // popad
  0xc3, // ret (to where the server was)
);

/** What applying a fault needs from the kernel. */
export interface FaultHost {
  readonly machine: Machine;
  readonly trace: TraceRecorder | undefined;
  /** The running ring-3 server of this name, if any. */
  serverProcess(name: string): Process | undefined;
  /** True if the service of this name runs in the kernel. */
  inKernel(name: string): boolean;
  kill(p: Process, report: string): void;
  /** Stops the machine: a monolithic kernel's fault (`reason` panic or hang). */
  stop(reason: "panic" | "hang", message: string): void;
  /** Resumes `p` at `eip` once it next runs; with `returnHere`, its old eip is pushed on its user stack first (a call). */
  redirect(p: Process, eip: number, returnHere?: boolean): boolean;
  /** Maps the fault code page into `p` (once). */
  mapFaultCode(p: Process, code: Uint8Array): boolean;
}

export class FaultInjector {
  private readonly pending: FaultSpec[];
  private readonly due: FaultSpec[] = [];
  private readonly requests = new Map<string, number>();
  private readonly rng: Xoshiro128;

  constructor(
    specs: readonly FaultSpec[],
    seed: number,
    private readonly host: FaultHost,
  ) {
    this.pending = [...specs];
    this.rng = new Xoshiro128(seed ^ 0x5eed_fa17);
  }

  /** True when no fault is left to strike (the common case costs one check). */
  get idle(): boolean {
    return this.pending.length === 0 && this.due.length === 0;
  }

  /** True when a fault is queued to strike at the next kernel exit. */
  get hasDue(): boolean {
    return this.due.length > 0;
  }

  /** The faults that have not struck (yet), with the requests their target has received. */
  notStruck(): { spec: FaultSpec; requests: number }[] {
    return [...this.pending, ...this.due].map((spec) => ({ spec, requests: this.requests.get(spec.target) ?? 0 }));
  }

  /** Service `name` receives a request: count it; a fault due at this request is queued. */
  request(name: string): void {
    if (this.pending.length === 0) return;
    const n = (this.requests.get(name) ?? 0) + 1;
    this.requests.set(name, n);
    this.take((f) => f.target === name && "request" in f.when && f.when.request === n);
  }

  /**
   * Applies every due fault (called at each kernel exit and before an in-kernel service serves a
   * request). Returns true if service `serving` (when given) was struck dead by one: its request
   * must not be served.
   */
  strike(serving?: string): boolean {
    if (this.pending.length > 0) {
      const now = this.host.machine.nowUs();
      this.take((f) => "us" in f.when && now >= f.when.us);
    }
    let dead = false;
    while (this.due.length > 0) {
      const f = this.due.shift()!;
      if (this.apply(f) && f.target === serving) dead = true;
    }
    return dead;
  }

  private take(match: (f: FaultSpec) => boolean): void {
    for (let i = 0; i < this.pending.length; ) {
      if (match(this.pending[i]!)) this.due.push(...this.pending.splice(i, 1));
      else i++;
    }
  }

  /** Applies one fault; true if the target can no longer serve (dead, panicked or hung). */
  private apply(f: FaultSpec): boolean {
    const h = this.host;
    const m = h.machine;
    const record = (pid: number, detail: Record<string, unknown>) =>
      h.trace?.action(pid, "fault", { target: f.target, fault: f.fault, when: f.when, ...detail });
    if (h.inKernel(f.target)) return this.applyInKernel(f, record);
    const p = h.serverProcess(f.target);
    if (!p) {
      record(-1, { outcome: "no such server running" });
      return false;
    }
    const tag = `[pid ${p.pid} ${p.name}]`;
    switch (f.fault) {
      case "crash":
        record(p.pid, { outcome: "killed" });
        h.kill(p, `${tag} killed by an injected fault (crash)`);
        return true;
      case "exception":
      case "hang":
      case "bad-io": {
        const off = f.fault === "exception" ? 0 : f.fault === "hang" ? 2 : 4;
        const ok = h.mapFaultCode(p, FAULT_CODE) && h.redirect(p, FAULT_CODE_VA + off);
        record(p.pid, { outcome: ok ? (f.fault === "hang" ? "spins in ring 3" : "faults in ring 3 when it next runs") : "could not redirect" });
        return f.fault !== "bad-io" || ok;
      }
      case "bad-ipc": {
        const ok = h.mapFaultCode(p, FAULT_CODE) && h.redirect(p, FAULT_CODE_VA + 16, true);
        record(p.pid, { outcome: ok ? "sends to init without the right, then carries on" : "could not redirect" });
        return false;
      }
      case "wild-write": {
        const at = this.wildAddress(p);
        const word = this.rng.nextInt32();
        const ok = at !== undefined && p.as.copyOut(at, Uint8Array.of(word, word >>> 8, word >>> 16, word >>> 24));
        record(p.pid, { outcome: ok ? "stored" : "no writable page", addr: at ?? null, value: word >>> 0 });
        return false;
      }
    }
  }

  /** A monolithic kernel's consequences: the fault is in ring 0. */
  private applyInKernel(f: FaultSpec, record: (pid: number, detail: Record<string, unknown>) => void): boolean {
    const h = this.host;
    switch (f.fault) {
      case "crash":
      case "exception":
        record(-1, { outcome: "kernel panic" });
        h.stop("panic", `in-kernel service ${f.target}: injected ${f.fault} in ring 0 — a monolithic kernel cannot lose one driver, the whole machine stops`);
        return true;
      case "hang":
        record(-1, { outcome: "machine hangs" });
        h.stop("hang", `in-kernel service ${f.target}: injected hang in ring 0 — the kernel never returns, so nothing else can ever run`);
        return true;
      case "wild-write": {
        // A stray store from ring 0 can reach any kernel structure: IDT, GDT, TSS, kernel stacks, page tables.
        const span = MEM.kernelEnd - MEM.idt;
        const at = MEM.idt + ((this.rng.nextInt32() >>> 0) % span & ~3);
        const word = this.rng.nextInt32();
        h.machine.write32(at, word);
        record(-1, { outcome: "stored into kernel memory", addr: at, value: word >>> 0 });
        return false;
      }
      case "bad-io":
        h.machine.portWrite8(0x70, 0x8f); // CMOS index port: ring 0 has no I/O bitmap to stop it
        record(-1, { outcome: "not stopped: ring 0 may touch any port" });
        return false;
      case "bad-ipc":
        record(-1, { outcome: "not stopped: in the kernel every call is allowed" });
        return false;
    }
  }

  /** A random writable address in `p`'s image or heap, or undefined. */
  private wildAddress(p: Process): number | undefined {
    const lo = MEM.userBase, hi = Math.max(p.brk, lo + PAGE);
    for (let i = 0; i < 64; i++) {
      const va = (lo + ((this.rng.nextInt32() >>> 0) % (hi - lo))) & ~3;
      if (p.as.translate(va, true) >= 0) return va;
    }
    return undefined;
  }
}
