// The service directory: resolves a service name to its target — a ring-3 server process (reached by
// IPC) or an in-kernel service (called directly) — and carries a request made on a process's behalf
// to whichever it is. In-kernel services started by init appear in the process table's listing as
// service tasks (like kernel threads in `ps`), so both shapes show the same pids.
import type { Machine } from "../emulator/machine.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { Ipc, KernelRequest } from "./ipc.ts";
import type { IrqRouter } from "./irq-routing.ts";
import type { ProcessSummary, RequestPayload } from "./kernel-api.ts";
import { E } from "./names.ts";
import type { Process } from "./process.ts";
import { IPC_MAX } from "./protocol.ts";
import type { KernelService, PortBus, ServiceEnv, ServiceReply, ServiceRequest } from "./service.ts";
import { BLOCKED } from "./syscall-contract.ts";
import type { TraceRecorder } from "./trace/recorder.ts";
import { NO_PA } from "./user-memory.ts";
import { pagesSpanned, type CostMeter } from "./cost-model.ts";

/** Servers (ring-3 or in-kernel) run at this nice value: a driver woken by an interrupt preempts programs. */
export const SERVER_NICE = -5;

/** An in-kernel service as `ps` shows it. */
interface ServiceTask extends ProcessSummary {
  readonly service: KernelService;
}

/** A deferred request: who waits, where its reply goes, and how the reply becomes the call's result. */
interface Pending {
  readonly client: Process;
  readonly service: KernelService;
  readonly replyVa: number;
  readonly replyCap: number;
  readonly req: KernelRequest;
  /** The request's w0 (its type). */
  readonly type: number;
}

const REQUEST = 0, REPLY = 1;

export class Services {
  /** Running ring-3 servers, by name. */
  private readonly servers = new Map<string, Process>();
  /** Started in-kernel services, by name. */
  private readonly inKernel = new Map<string, KernelService>();
  /** The in-kernel services with a pid (started by init), in pid order. */
  private readonly tasks: ServiceTask[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly scratch = new Uint8Array(IPC_MAX);
  private readonly traceIds = new Map<KernelService, number>();
  /**
   * What other in-kernel services see of a disk when faults may be injected: the same service, with a
   * block device that counts each transfer as a request to it (so `disk:crash@5` means the same in
   * both shapes).
   */
  private readonly facades = new Map<string, KernelService>();
  /** The started in-kernel service that owns each IRQ line. */
  private readonly irqService: (KernelService | undefined)[] = new Array<KernelService | undefined>(16);
  private readonly env: ServiceEnv;
  /** What `env.signalForeground` does (the kernel sets it: signal the foreground process group). */
  onSignalForeground: (sig: number) => number = () => 0;

  constructor(
    m: Machine,
    /** The in-kernel implementations this kernel has, by name (not started yet). */
    private readonly available: ReadonlyMap<string, KernelService>,
    ports: PortBus,
    private readonly ipc: Ipc,
    private readonly dispatcher: Dispatcher,
    private readonly irqs: IrqRouter,
    /** The recorder, or undefined while nothing is recorded (see Kernel.setTraceRecording). */
    public trace: TraceRecorder | undefined,
    /** Called before an in-kernel service serves a request; true if the service is dead (fault injection). */
    private readonly beforeServe?: (name: string) => boolean,
    /** The cost model's meter, if kernel work is charged to virtual time. */
    private readonly cost?: CostMeter,
    /** True once the machine is stopping (nothing more is traced: `halt` is the last event). */
    private readonly halted: () => boolean = () => false,
  ) {
    this.env = {
      ports,
      reply: (client, r) => this.deferredReply(client, r),
      service: (name) => this.facades.get(name) ?? this.inKernel.get(name),
      irqAck: (irq) => {
        const owner = irq >= 0 && irq < 16 ? this.irqService[irq] : undefined;
        if (owner) this.irqs.ack(owner, irq);
      },
      nowMs: () => m.nowMs(),
      signalForeground: (sig) => this.onSignalForeground(sig),
    };
  }

  /** True if an in-kernel implementation of `name` exists (started or not). */
  hasInKernel(name: string): boolean {
    return this.available.has(name);
  }

  /**
   * Starts the in-kernel service `name` (once): it takes its IRQ lines and initialises its device.
   * With a pid it is listed as a service task of `parent`. Returns false if there is no such service.
   */
  startInKernel(name: string, pid: number | null, parent: number | null): boolean {
    const s = this.available.get(name);
    if (!s || this.inKernel.has(name)) return false;
    this.inKernel.set(name, s);
    if (this.trace) this.traceIds.set(s, this.trace.nameService(name));
    for (const irq of s.irqs) {
      this.irqs.own(irq, s);
      this.irqService[irq] = s;
    }
    if (pid !== null) {
      this.tasks.push({ pid, parent, state: "blocked", nice: SERVER_NICE, name, service: s });
      this.trace?.nameProcess(pid, name);
      this.trace?.action(pid, "spawn", { parent, argv: [name], in_kernel: true });
    }
    const dev = s.blockDevice;
    const check = this.beforeServe;
    if (dev && check) {
      const blockDevice = {
        sectors: 0,
        read: (lba: number, count: number, into: Uint8Array) => !check(name) && dev.read(lba, count, into),
        write: (lba: number, data: Uint8Array) => !check(name) && dev.write(lba, data),
      };
      Object.defineProperty(blockDevice, "sectors", { get: () => dev.sectors });
      this.facades.set(name, {
        name: s.name,
        irqs: s.irqs,
        blockDevice,
        start: () => {},
        request: (r) => (check(name) ? { w0: -E.SRCH, w1: 0, w2: 0, payload: null } : s.request(r)),
        interrupt: (irq) => s.interrupt(irq),
      });
    }
    s.start(this.env);
    return true;
  }

  /** True if `name` is running (as a server process or in the kernel). */
  running(name: string): boolean {
    return this.servers.has(name) || this.inKernel.has(name);
  }

  /** `p` is now the running ring-3 server `name`. */
  registerServer(name: string, p: Process): void {
    this.servers.set(name, p);
  }

  /** The running ring-3 server `name`, if any. */
  /**
   * True if some process waits for the answer to a request of this type that the kernel made for it
   * to service `name` (a `read` of the console: CON_READ), in either shape.
   */
  awaited(name: string, type: number, live: readonly Process[]): boolean {
    const d = this.servers.get(name);
    if (d) {
      for (const p of live) if (p.ipc.request !== null && p.ipc.peer === d && p.ipc.w0 === type) return true;
      return false;
    }
    const s = this.inKernel.get(name);
    if (!s) return false;
    for (const e of this.pending.values()) if (e.service === s && e.type === type) return true;
    return false;
  }

  serverProcess(name: string): Process | undefined {
    return this.servers.get(name);
  }

  /** The endpoint (pid) of service `name`: its server process or its service task; -ESRCH if none. */
  endpoint(name: string): number {
    const p = this.servers.get(name);
    if (p) return p.pid;
    const t = this.tasks.find((x) => x.name === name);
    return t ? t.pid : -E.SRCH;
  }

  /** The service task with the smallest pid ≥ `pid`. */
  taskAtOrAfter(pid: number): ProcessSummary | undefined {
    return this.tasks.find((t) => t.pid >= pid);
  }

  /** True if `pid` is an in-kernel service task. */
  isTask(pid: number): boolean {
    return this.tasks.some((t) => t.pid === pid);
  }

  /** `p` ended: a server leaves the directory; a client's deferred request is cancelled. */
  processEnded(p: Process): void {
    if (p.priv && this.servers.get(p.priv.name) === p) this.servers.delete(p.priv.name);
    const w = this.pending.get(p.pid);
    if (w) {
      this.pending.delete(p.pid);
      w.service.cancel?.(p.pid);
    }
  }

  /**
   * Sends a request to service `name` on behalf of `p` and blocks `p` until the reply (a ring-3
   * server: by IPC; an in-kernel service: by a direct call, traced as `service` events). Returns
   * BLOCKED, or the call's result when it finished at once.
   */
  request(p: Process, name: string, w0: number, w1: number, w2: number, payload: RequestPayload, replyVa: number, replyCap: number, req: KernelRequest): number {
    const d = this.servers.get(name);
    if (d) return this.requestByIpc(p, d, w0, w1, w2, payload, replyVa, replyCap, req);
    const s = this.inKernel.get(name);
    if (!s) return req.failed(-E.SRCH);
    if (this.beforeServe?.(name)) return req.failed(-E.SRCH);
    let bytes: Uint8Array;
    if (payload instanceof Uint8Array) bytes = payload;
    else if (payload && payload.len > 0) {
      const n = Math.min(payload.len, IPC_MAX);
      if (!p.as.copyIn(payload.va, n, this.scratch)) return req.failed(-E.FAULT);
      bytes = this.scratch.subarray(0, n);
    } else bytes = this.scratch.subarray(0, 0);
    this.traceService(p.pid, REQUEST, s, w0, bytes.length);
    const cost = this.cost;
    if (cost) {
      cost.message();
      cost.copy(bytes.length, payload instanceof Uint8Array || !payload ? 0 : pagesSpanned(payload.va, bytes.length));
    }
    const r = s.request({ client: p.pid, w0, w1, w2, payload: bytes, replyCap } satisfies ServiceRequest);
    if (r) return this.finish(p, s, r, replyVa, replyCap, req);
    this.pending.set(p.pid, { client: p, service: s, replyVa, replyCap, req, type: w0 });
    this.dispatcher.block(p, { kind: "service", name });
    return BLOCKED;
  }

  /** A request to a ring-3 server: the caller's IPC endpoint carries it (kernel-made call). */
  private requestByIpc(p: Process, d: Process, w0: number, w1: number, w2: number, payload: RequestPayload, replyVa: number, replyCap: number, req: KernelRequest): number {
    const e = p.ipc;
    if (payload instanceof Uint8Array) e.setMessage(w0, w1, w2, 0, payload.length, NO_PA, payload);
    else e.setMessage(w0, w1, w2, payload ? payload.va : 0, payload ? payload.len : 0, NO_PA, null);
    e.setBuffer(replyVa, replyCap, NO_PA);
    e.isCall = true;
    e.request = req;
    e.bufKernel = req.into ?? null;
    const r = this.ipc.send(p, d);
    if (r === null) return BLOCKED;
    e.request = null;
    e.bufKernel = null;
    return req.failed(r);
  }

  /** Copies a reply's payload to the client (cut to its capacity), traces it, and returns the call's result. */
  private finish(p: Process, s: KernelService, r: ServiceReply, replyVa: number, replyCap: number, req: KernelRequest): number {
    let bytes = 0;
    const data = r.payload;
    const into = req.into;
    if (data && data.length > 0 && into) {
      bytes = Math.min(data.length, replyCap, into.length);
      into.set(bytes === data.length ? data : data.subarray(0, bytes));
    } else if (data && data.length > 0 && replyCap > 0) {
      const n = Math.min(data.length, replyCap);
      bytes = p.as.copyOut(replyVa, n === data.length ? data : data.subarray(0, n)) ? n : 0;
    }
    this.traceService(p.pid, REPLY, s, r.w0, bytes);
    this.cost?.copy(bytes, pagesSpanned(replyVa, bytes));
    return req.done(r.w0, r.w1, r.w2, bytes);
  }

  /** An in-kernel service answers a deferred request; false if the client no longer waits. */
  private deferredReply(client: number, r: ServiceReply): boolean {
    const w = this.pending.get(client);
    if (!w) return false;
    this.pending.delete(client);
    const p = w.client;
    if (p.state !== "blocked" || p.wait?.kind !== "service") return false;
    const result = this.finish(p, w.service, r, w.replyVa, w.replyCap, w.req);
    if (result !== BLOCKED) this.dispatcher.complete(p, result); // BLOCKED: the call made its next request
    return true;
  }

  private traceService(pid: number, op: number, s: KernelService, type: number, bytes: number): void {
    const tr = this.trace;
    if (!tr || this.halted()) return;
    tr.service(pid, op, this.traceIds.get(s) ?? 0, type, bytes);
  }
}
