// The service directory (kernel/services.ts) with a fake in-kernel service and fake processes on a
// plain buffer: immediate and deferred replies, cancellation, IRQ ownership, service tasks, and a
// request to a ring-3 server by IPC. No v86 boot.
import { describe, expect, it } from "vitest";
import type { Dispatcher } from "../kernel/dispatcher.ts";
import { Ipc, IpcOp, type KernelRequest } from "../kernel/ipc.ts";
import { IrqRouter } from "../kernel/irq-routing.ts";
import type { ServerPrivileges } from "../kernel/manifest.ts";
import { E } from "../kernel/names.ts";
import type { Process } from "../kernel/process.ts";
import { ENDPOINT, IPC_MAX } from "../kernel/protocol.ts";
import { type KernelService, type PortBus, type ServiceEnv, type ServiceReply, type ServiceRequest, reply } from "../kernel/service.ts";
import { SERVER_NICE, Services } from "../kernel/services.ts";
import { BLOCKED } from "../kernel/syscall-contract.ts";
import { NO_PA } from "../kernel/user-memory.ts";
import { FakeIpcHost, FakeWorld, MIB, PAGE, fakeRecorder } from "./helpers/fake-kernel.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const U = 0x0040_0000;
const SRC = U, BUF = U + 0x10_000;

/** An in-kernel service that records requests and answers with whatever `answer` returns. */
class FakeService implements KernelService {
  readonly requests: { client: number; w0: number; w1: number; w2: number; payload: number[]; replyCap: number }[] = [];
  readonly cancelled: number[] = [];
  readonly interrupts: number[] = [];
  env: ServiceEnv | undefined;
  answer: (req: ServiceRequest) => ServiceReply | null = (req) => reply(req.w0 + 1, req.payload.length, 0, null);

  constructor(
    readonly name: string,
    readonly irqs: readonly number[] = [],
  ) {}

  start(env: ServiceEnv): void {
    this.env = env;
  }

  request(req: ServiceRequest): ServiceReply | null {
    this.requests.push({ client: req.client, w0: req.w0, w1: req.w1, w2: req.w2, payload: Array.from(req.payload), replyCap: req.replyCap });
    return this.answer(req);
  }

  interrupt(irq: number): void {
    this.interrupts.push(irq);
  }

  cancel(client: number): void {
    this.cancelled.push(client);
  }
}

const noPorts = {} as PortBus;

/** A request whose done() encodes its arguments (w0 * 1000 + bytes) and failed() returns the error. */
function request(log: unknown[] = []): KernelRequest {
  return {
    done: (w0, w1, w2, n) => (log.push(["done", w0, w1, w2, n]), w0 * 1000 + n),
    failed: (e) => (log.push(["failed", e]), e),
  };
}

function world(services: KernelService[], traced = false) {
  const w = new FakeWorld(6 * MIB); // 512 frames: plenty, and cheap to create per test
  const rec = traced ? fakeRecorder() : undefined;
  const host = new FakeIpcHost(w.mem, rec?.recorder);
  const ipc = new Ipc(host);
  const irqs = new IrqRouter((p, irq) => ipc.notify(-1, p, 1 << irq));
  const dir = new Services(w.mem.asMachine(), new Map(services.map((s) => [s.name, s])), noPorts, ipc, host as unknown as Dispatcher, irqs, rec?.recorder);
  const proc = (state: Process["state"] = "running") => w.process({ state, pages: [SRC, SRC + PAGE, BUF, BUF + PAGE] });
  const read = (p: Process, va: number, n: number) => {
    const out = new Uint8Array(n);
    expect(p.as.copyIn(va, n, out)).toBe(true);
    return Array.from(out);
  };
  return { w, host, ipc, irqs, dir, proc, read, calls: rec?.calls };
}

describe("Services: in-kernel requests", () => {
  it("an immediate reply copies its payload to the client (cut to the capacity) and returns req.done(...)", () => {
    const fs = new FakeService("fs");
    fs.answer = (req) => reply(7, 8, 9, Uint8Array.from({ length: 20 }, (_, i) => i + 1 + req.w1));
    const { host, dir, proc, read } = world([fs]);
    expect(dir.startInKernel("fs", null, null)).toBe(true);
    expect(dir.running("fs")).toBe(true);
    const p = proc();
    p.as.copyOut(SRC + PAGE - 2, Uint8Array.from([0xa, 0xb, 0xc, 0xd]));
    const log: unknown[] = [];
    const r = dir.request(p, "fs", 17, 100, 3, { va: SRC + PAGE - 2, len: 4 }, BUF + PAGE - 5, 12, request(log));
    expect(r).toBe(7 * 1000 + 12);
    expect(log).toEqual([["done", 7, 8, 9, 12]]);
    expect(fs.requests).toEqual([{ client: p.pid, w0: 17, w1: 100, w2: 3, payload: [0xa, 0xb, 0xc, 0xd], replyCap: 12 }]);
    expect(read(p, BUF + PAGE - 5, 13)).toEqual([...Array.from({ length: 12 }, (_, i) => i + 101), 0]);
    expect(p.state).toBe("running");
    expect(host.events).toEqual([]); // no block, no complete
  });

  it("a kernel payload goes to the service as is; no payload is an empty one", () => {
    const con = new FakeService("console");
    const { dir, proc } = world([con]);
    dir.startInKernel("console", null, null);
    const p = proc();
    dir.request(p, "console", 1, 0, 0, Uint8Array.from([5, 6]), 0, 0, request());
    dir.request(p, "console", 1, 0, 0, null, 0, 0, request());
    dir.request(p, "console", 1, 0, 0, { va: SRC, len: 0 }, 0, 0, request());
    expect(con.requests.map((r) => r.payload)).toEqual([[5, 6], [], []]);
  });

  it("a payload longer than IPC_MAX is cut; an unreadable one fails -EFAULT without reaching the service", () => {
    const fs = new FakeService("fs");
    const { dir, proc } = world([fs]);
    dir.startInKernel("fs", null, null);
    const p = proc();
    expect(dir.request(p, "fs", 1, 0, 0, { va: SRC, len: IPC_MAX + 10 }, 0, 0, request())).toBe(2 * 1000);
    expect(fs.requests[0]!.payload).toHaveLength(IPC_MAX);
    const log: unknown[] = [];
    expect(dir.request(p, "fs", 1, 0, 0, { va: U + 0x100_000, len: 4 }, 0, 0, request(log))).toBe(-E.FAULT);
    expect(log).toEqual([["failed", -E.FAULT]]);
    expect(fs.requests).toHaveLength(1);
  });

  it("a service that is not running fails -ESRCH; a reply to an unwritable buffer reports 0 bytes", () => {
    const fs = new FakeService("fs");
    fs.answer = () => reply(1, 0, 0, Uint8Array.from([1, 2, 3]));
    const { dir, proc } = world([fs]);
    const p = proc();
    expect(dir.hasInKernel("fs")).toBe(true);
    expect(dir.running("fs")).toBe(false);
    expect(dir.request(p, "fs", 1, 0, 0, null, BUF, 8, request())).toBe(-E.SRCH);
    expect(dir.request(p, "nope", 1, 0, 0, null, BUF, 8, request())).toBe(-E.SRCH);
    dir.startInKernel("fs", null, null);
    expect(dir.startInKernel("fs", null, null)).toBe(false); // once
    expect(dir.startInKernel("nope", null, null)).toBe(false);
    expect(dir.request(p, "fs", 1, 0, 0, null, U + 0x100_000, 8, request())).toBe(1000);
  });

  it("a deferred reply blocks the client, then env.reply completes it with req.done(...) and the payload", () => {
    const kbd = new FakeService("keyboard");
    kbd.answer = () => null;
    const { host, dir, proc, read } = world([kbd]);
    dir.startInKernel("keyboard", null, null);
    const p = proc();
    const log: unknown[] = [];
    expect(dir.request(p, "keyboard", 2, 5, 0, null, BUF, 5, request(log))).toBe(BLOCKED);
    expect(p.state).toBe("blocked");
    expect(p.wait).toEqual({ kind: "service", name: "keyboard" });
    expect(host.take()).toEqual([`block ${p.pid}`]);
    expect(kbd.env!.reply(p.pid, reply(3, 0, 0, Uint8Array.from([65, 66, 67])))).toBe(true);
    expect(log).toEqual([["done", 3, 0, 0, 3]]);
    expect(host.take()).toEqual([`complete ${p.pid} = 3003`]);
    expect(p.state).toBe("ready");
    expect(read(p, BUF, 4)).toEqual([65, 66, 67, 0]);
    expect(kbd.env!.reply(p.pid, reply(3))).toBe(false); // answered already
    expect(kbd.env!.reply(999, reply(3))).toBe(false); // never asked
  });

  it("processEnded cancels a deferred request: the service is told, a late reply is dropped", () => {
    const kbd = new FakeService("keyboard");
    kbd.answer = () => null;
    const { host, dir, proc } = world([kbd]);
    dir.startInKernel("keyboard", null, null);
    const p = proc(), q = proc();
    dir.request(p, "keyboard", 2, 0, 0, null, BUF, 5, request());
    dir.request(q, "keyboard", 2, 0, 0, null, BUF, 5, request());
    host.take();
    p.state = "zombie";
    dir.processEnded(p);
    expect(kbd.cancelled).toEqual([p.pid]);
    expect(kbd.env!.reply(p.pid, reply(1))).toBe(false);
    dir.processEnded(p); // twice: nothing more
    expect(kbd.cancelled).toEqual([p.pid]);
    expect(kbd.env!.reply(q.pid, reply(1))).toBe(true);
    expect(host.take()).toEqual([`complete ${q.pid} = 1000`]);
  });

  it("env.service finds started services; irqAck unmasks only the owner's line; IRQs go to the service", () => {
    const disk = new FakeService("disk", [14]);
    const con = new FakeService("console", [4]);
    const { dir, irqs } = world([disk, con]);
    dir.startInKernel("disk", null, null);
    expect(disk.env!.service("disk")).toBe(disk);
    expect(disk.env!.service("console")).toBeUndefined(); // not started
    const before = irqs.mask;
    disk.env!.irqAck(4); // not its line (nobody's)
    disk.env!.irqAck(16);
    disk.env!.irqAck(-1);
    expect(irqs.mask).toBe(before);
    disk.env!.irqAck(14);
    expect(irqs.mask & (1 << 14)).toBe(0);
    expect(irqs.mask & 4).toBe(0); // the cascade opens with a slave line
    irqs.deliver(14);
    expect(disk.interrupts).toEqual([14]);
    expect(irqs.mask & (1 << 14)).not.toBe(0); // masked until acked again
  });
});

describe("Services: the directory", () => {
  it("a service started with a pid is a task: endpoint, taskAtOrAfter, isTask, traced as a spawn", () => {
    const fs = new FakeService("fs");
    const con = new FakeService("console");
    const { dir, calls, w } = world([fs, con], true);
    w.mem.ms = 1;
    dir.startInKernel("console", null, null);
    dir.startInKernel("fs", 4, 1);
    expect(dir.endpoint("fs")).toBe(4);
    expect(dir.endpoint("console")).toBe(-E.SRCH); // running, but without a pid
    expect(dir.endpoint("disk")).toBe(-E.SRCH);
    expect(dir.isTask(4)).toBe(true);
    expect(dir.isTask(3)).toBe(false);
    expect(dir.taskAtOrAfter(1)).toMatchObject({ pid: 4, parent: 1, state: "blocked", nice: SERVER_NICE, name: "fs" });
    expect(dir.taskAtOrAfter(4)?.pid).toBe(4);
    expect(dir.taskAtOrAfter(5)).toBeUndefined();
    expect(calls!.filter((c) => c[0] !== "nameService")).toEqual([
      ["nameProcess", 4, "fs"],
      ["action", 4, "spawn", { parent: 1, argv: ["fs"], in_kernel: true }],
    ]);
  });

  it("traces an in-kernel request and its reply as service events", () => {
    const fs = new FakeService("fs");
    fs.answer = () => reply(5, 0, 0, Uint8Array.from([1, 2]));
    const { dir, proc, calls } = world([fs], true);
    dir.startInKernel("fs", null, null);
    const p = proc();
    dir.request(p, "fs", 17, 0, 0, Uint8Array.from([9, 9, 9]), BUF, 8, request());
    expect(calls!.filter((c) => c[0] === "service")).toEqual([
      ["service", p.pid, 0, 0, 17, 3],
      ["service", p.pid, 1, 0, 5, 2],
    ]);
  });

  it.skipIf(solutionCut("ipc"))("a ring-3 server takes precedence: the request is a kernel-made call by IPC, answered by reply", () => {
    const fs = new FakeService("fs");
    const { w, host, ipc, dir, proc, read } = world([fs]);
    dir.startInKernel("fs", null, null);
    const srv = proc();
    srv.priv = { name: "fs" } as ServerPrivileges;
    dir.registerServer("fs", srv);
    expect(dir.endpoint("fs")).toBe(srv.pid);
    ipc.receive(srv, ENDPOINT.ANY, BUF, 64, NO_PA);
    host.take();
    const c = proc();
    const log: unknown[] = [];
    expect(dir.request(c, "fs", 17, 1, 2, Uint8Array.from([4, 5, 6]), BUF + 8, 4, request(log))).toBe(BLOCKED);
    expect(fs.requests).toEqual([]); // the in-kernel one is not asked
    expect(c.ipc.op).toBe(IpcOp.awaiting);
    expect(w.words(srv)).toEqual([17, 1, 2, 3]);
    expect(read(srv, BUF, 3)).toEqual([4, 5, 6]);
    srv.state = "running";
    srv.as.copyOut(SRC, Uint8Array.from([7, 7, 7, 7, 7, 7]));
    ipc.reply(srv, c, 9, 0, 0, SRC, 6, NO_PA);
    expect(log).toEqual([["done", 9, 0, 0, 4]]);
    expect(host.take()).toEqual([`complete ${srv.pid} = ${c.pid}`, `handoff ${srv.pid}`, `block ${c.pid}`, `complete ${c.pid} = 9004`, `handoff ${c.pid}`]);
    expect(read(c, BUF + 8, 5)).toEqual([7, 7, 7, 7, 0]);
    // The server ends: it leaves the directory (the in-kernel service answers again).
    dir.processEnded(srv);
    expect(dir.endpoint("fs")).toBe(-E.SRCH);
    expect(dir.request(c, "fs", 1, 0, 0, null, 0, 0, request())).toBe(2000);
  });

  it.skipIf(solutionCut("ipc"))("a request by IPC to a server that is gone fails through req.failed", () => {
    const { dir, proc } = world([]);
    const srv = proc("zombie");
    srv.priv = { name: "disk" } as ServerPrivileges;
    dir.registerServer("disk", srv);
    const c = proc();
    const log: unknown[] = [];
    expect(dir.request(c, "disk", 1, 0, 0, null, 0, 0, request(log))).toBe(-E.SRCH);
    expect(log).toEqual([["failed", -E.SRCH]]);
    expect(c.ipc.request).toBeNull();
  });
});
