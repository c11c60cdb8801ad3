// The IPC engine (kernel/ipc.ts) with fake processes on a plain buffer: rendezvous, queues, call /
// reply, deadlock refusal, notifications and cleanup when a process ends. No v86 boot.
import { describe, expect, it } from "vitest";
import { Ipc, IpcOp, IPC_TRACE_OPS, type KernelRequest } from "../kernel/ipc.ts";
import { E } from "../kernel/names.ts";
import type { Process } from "../kernel/process.ts";
import { ENDPOINT, IPC_MAX, MSG } from "../kernel/protocol.ts";
import { NO_PA } from "../kernel/user-memory.ts";
import { FakeIpcHost, FakeWorld, MIB, PAGE, fakeRecorder } from "./helpers/fake-kernel.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const U = 0x0040_0000;
const SRC = U; // two pages of source buffers in every process
const BUF = U + 0x10_000; // two pages of receive buffers

function world(opts: { traced?: boolean } = {}) {
  const w = new FakeWorld(6 * MIB); // 512 frames: plenty, and cheap to create per test
  const rec = opts.traced ? fakeRecorder() : undefined;
  const host = new FakeIpcHost(w.mem, rec?.recorder);
  const ipc = new Ipc(host);
  const proc = (state: Process["state"] = "running") => w.process({ state, pages: [SRC, SRC + PAGE, BUF, BUF + PAGE] });
  const fill = (p: Process, va: number, data: Uint8Array) => expect(p.as.copyOut(va, data)).toBe(true);
  const read = (p: Process, va: number, n: number) => {
    const out = new Uint8Array(n);
    expect(p.as.copyIn(va, n, out)).toBe(true);
    return out;
  };
  return { w, host, ipc, proc, fill, read, calls: rec?.calls };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** `s` sends (or calls) w0..w2 with payload [va, va+len) of its memory. */
function setSend(s: Process, w0: number, w1: number, w2: number, va: number, len: number, opts: { call?: boolean; pa?: number; replyVa?: number; replyCap?: number } = {}) {
  s.ipc.setMessage(w0, w1, w2, va, len, opts.pa ?? NO_PA, null);
  s.ipc.isCall = opts.call ?? false;
  if (opts.call) s.ipc.setBuffer(opts.replyVa ?? 0, opts.replyCap ?? 0, NO_PA);
}

describe("Ipc: send and receive", () => {
  it.skipIf(solutionCut("ipc"))("send to a waiting receiver copies the payload across a page boundary and wakes the receiver", () => {
    const { w, host, ipc, proc, fill, read } = world();
    const r = proc(), s = proc();
    expect(ipc.receive(r, ENDPOINT.ANY, BUF + PAGE - 50, 300, NO_PA)).toBeNull();
    expect(r.state).toBe("blocked");
    expect(r.ipc.op).toBe(IpcOp.receiving);
    expect(host.take()).toEqual(["block 1"]);
    const data = bytes(200);
    fill(s, SRC + PAGE - 120, data);
    setSend(s, 11, -2, 0x7fffffff, SRC + PAGE - 120, 200);
    expect(ipc.send(s, r)).toBe(0);
    expect(Array.from(read(r, BUF + PAGE - 50, 200))).toEqual(Array.from(data));
    expect(read(r, BUF + PAGE - 50 + 200, 1)[0]).toBe(0); // nothing beyond the payload
    expect(w.words(r)).toEqual([11, -2, 0x7fffffff, 200]);
    expect(host.take()).toEqual(["complete 1 = 2", "handoff 1"]);
    expect(r.state).toBe("ready");
    expect(r.ipc.op).toBe(IpcOp.none);
    expect(s.state).toBe("running"); // a send does not block when delivered
    expect(s.ipc.op).toBe(IpcOp.none);
    expect(s.ipc.peer).toBeNull();
  });

  it.skipIf(solutionCut("ipc"))("traces nothing and reads no clock without a recorder", () => {
    const { w, ipc, proc } = world();
    const r = proc(), s = proc();
    ipc.receive(r, ENDPOINT.ANY, BUF, 16, NO_PA);
    setSend(s, 1, 2, 3, SRC, 16);
    ipc.send(s, r);
    ipc.notify(-1, r, 4);
    expect(w.mem.clockReads).toBe(0);
  });

  it.skipIf(solutionCut("ipc"))("with a recorder: a direct delivery counts its bytes on the send event, a queued one on the receive", () => {
    const { w, ipc, proc, calls } = world({ traced: true });
    const r = proc(), s = proc();
    w.mem.ms = 2;
    ipc.receive(r, ENDPOINT.ANY, BUF, 16, NO_PA);
    setSend(s, 1, 2, 3, SRC, 40);
    ipc.send(s, r);
    const T = (op: string) => IPC_TRACE_OPS.indexOf(op as (typeof IPC_TRACE_OPS)[number]);
    expect(calls).toEqual([
      ["ipc", 2, T("send"), 2, 1, 16],
      ["ipc", 1, T("receive"), 2, 1, 0],
    ]);
    calls!.length = 0;
    r.state = "running";
    setSend(s, 1, 2, 3, SRC, 40);
    ipc.send(s, r); // r is busy: s queues
    ipc.receive(r, ENDPOINT.ANY, BUF, 16, NO_PA);
    expect(calls).toEqual([
      ["ipc", 2, T("send"), 2, 1, 0],
      ["ipc", 1, T("receive"), 2, 1, 16],
    ]);
  });

  it.skipIf(solutionCut("ipc"))("the payload is cut to the receiver's capacity and to IPC_MAX", () => {
    const { w, ipc, proc, fill, read } = world();
    const r = proc(), s = proc();
    fill(s, SRC, bytes(64));
    ipc.receive(r, ENDPOINT.ANY, BUF, 10, NO_PA);
    setSend(s, 0, 0, 0, SRC, 64);
    ipc.send(s, r);
    expect(w.words(r)[3]).toBe(10);
    expect(Array.from(read(r, BUF, 11))).toEqual([...bytes(10), 0]);
    // A kernel-made message larger than IPC_MAX: only IPC_MAX bytes arrive.
    const r2 = proc(), s2 = proc();
    ipc.receive(r2, ENDPOINT.ANY, BUF, 2 * PAGE, NO_PA);
    s2.ipc.setMessage(0, 0, 0, 0, IPC_MAX + 100, NO_PA, bytes(IPC_MAX + 100, 5));
    ipc.send(s2, r2);
    expect(w.words(r2)[3]).toBe(IPC_MAX);
    expect(read(r2, BUF + IPC_MAX - 1, 2)).toEqual(Uint8Array.from([bytes(IPC_MAX, 5)[IPC_MAX - 1]!, 0]));
  });

  it.skipIf(solutionCut("ipc"))("copies by physical address when both one-page buffers are known (aligned small, unaligned, large)", () => {
    const { w, ipc, proc, fill, read } = world();
    for (const [soff, doff, n] of [[0, 0, 16], [1, 3, 13], [8, 4, 2000]] as const) {
      const r = proc(), s = proc();
      const data = bytes(n, soff + n);
      fill(s, SRC + soff, data);
      ipc.receive(r, ENDPOINT.ANY, BUF + doff, n, r.as.translate(BUF + doff, true));
      setSend(s, 0, 0, 0, SRC + soff, n, { pa: s.as.translate(SRC + soff, false) });
      ipc.send(s, r);
      expect(w.words(r)[3]).toBe(n);
      expect(read(r, BUF + doff, n)).toEqual(data);
      expect(read(r, BUF + doff + n, 1)[0]).toBe(0);
    }
  });

  it.skipIf(solutionCut("ipc"))("a payload from an unmapped source copies what it can (0 bytes here)", () => {
    const { w, ipc, proc } = world();
    const r = proc(), s = proc();
    ipc.receive(r, ENDPOINT.ANY, BUF, 16, NO_PA);
    setSend(s, 9, 0, 0, U + 0x100_000, 16); // unmapped
    expect(ipc.send(s, r)).toBe(0);
    expect(w.words(r)).toEqual([9, 0, 0, 0]);
  });

  it.skipIf(solutionCut("ipc"))("send to a busy receiver queues the sender; receive delivers it and completes the sender with 0", () => {
    const { w, host, ipc, proc, fill, read } = world();
    const r = proc("ready"), s1 = proc(), s2 = proc();
    fill(s1, SRC, bytes(8, 1));
    fill(s2, SRC, bytes(8, 2));
    setSend(s1, 1, 0, 0, SRC, 8);
    expect(ipc.send(s1, r)).toBeNull();
    setSend(s2, 2, 0, 0, SRC, 8);
    expect(ipc.send(s2, r)).toBeNull();
    expect(host.take()).toEqual(["block 2", "block 3"]);
    expect(s1.ipc.op).toBe(IpcOp.sending);
    expect(r.ipc.queue).toEqual([s1, s2]);
    // Receive from pid 3 specifically: it skips pid 2.
    expect(ipc.receive(r, s2.pid, BUF, 8, NO_PA)).toBe(3);
    expect(w.words(r)).toEqual([2, 0, 0, 8]);
    expect(read(r, BUF, 8)).toEqual(bytes(8, 2));
    expect(host.take()).toEqual(["complete 3 = 0"]);
    expect(s2.state).toBe("ready");
    expect(r.state).toBe("ready"); // the receiver did not block
    expect(r.ipc.queue).toEqual([s1]);
    // HARDWARE takes no message from the queue: the receiver blocks.
    expect(ipc.receive(r, ENDPOINT.HARDWARE, BUF, 8, NO_PA)).toBeNull();
    expect(host.take()).toEqual(["block 1"]);
    r.state = "running";
    r.ipc.op = IpcOp.none;
    expect(ipc.receive(r, ENDPOINT.ANY, BUF, 8, NO_PA)).toBe(2);
    expect(w.words(r)).toEqual([1, 0, 0, 8]);
    expect(read(r, BUF, 8)).toEqual(bytes(8, 1));
    expect(r.ipc.queue).toEqual([]);
  });

  it.skipIf(solutionCut("ipc"))("a receiver waiting for another pid does not take the message: the sender queues", () => {
    const { host, ipc, proc } = world();
    const r = proc(), s = proc(), t = proc();
    ipc.receive(r, t.pid, BUF, 8, NO_PA);
    setSend(s, 1, 0, 0, SRC, 0);
    expect(ipc.send(s, r)).toBeNull();
    expect(host.take()).toEqual(["block 1", "block 2"]);
    expect(r.ipc.queue).toEqual([s]);
  });

  it.skipIf(solutionCut("ipc"))("send to a zombie fails -ESRCH", () => {
    const { ipc, proc } = world();
    const d = proc("zombie"), s = proc();
    expect(ipc.send(s, d)).toBe(-E.SRCH);
    expect(s.state).toBe("running");
  });
});

describe("Ipc: call and reply", () => {
  it.skipIf(solutionCut("ipc"))("call → the caller awaits → reply completes it with the words and the payload", () => {
    const { w, host, ipc, proc, fill, read } = world();
    const srv = proc(), c = proc();
    ipc.receive(srv, ENDPOINT.ANY, BUF, 64, NO_PA);
    host.take();
    setSend(c, 17, 5, 6, SRC, 0, { call: true, replyVa: BUF + PAGE - 3, replyCap: 10 });
    expect(ipc.send(c, srv)).toBeNull();
    expect(host.take()).toEqual(["complete 1 = 2", "handoff 1", "block 2"]);
    expect(c.ipc.op).toBe(IpcOp.awaiting);
    expect(c.ipc.peer).toBe(srv);
    expect(w.words(srv)).toEqual([17, 5, 6, 0]);
    srv.state = "running";
    fill(srv, SRC, bytes(20, 9));
    expect(ipc.reply(srv, c, 100, -1, 7, SRC, 20, NO_PA)).toBe(0);
    expect(host.take()).toEqual(["complete 2 = 0", "handoff 2"]);
    expect(w.words(c)).toEqual([100, -1, 7, 10]); // cut to the reply capacity
    expect(read(c, BUF + PAGE - 3, 10)).toEqual(bytes(10, 9)); // across the page boundary
    expect(read(c, BUF + PAGE + 7, 1)[0]).toBe(0);
    expect(c.ipc.op).toBe(IpcOp.none);
    expect(c.ipc.peer).toBeNull();
    // A second reply is refused: nobody awaits it.
    expect(ipc.reply(srv, c, 0, 0, 0, SRC, 0, NO_PA)).toBe(-E.INVAL);
  });

  it.skipIf(solutionCut("ipc"))("a call queued at a busy server awaits after its receive, then the reply completes it", () => {
    const { host, ipc, proc } = world();
    const srv = proc("ready"), c = proc();
    setSend(c, 1, 0, 0, SRC, 0, { call: true });
    expect(ipc.send(c, srv)).toBeNull();
    expect(ipc.receive(srv, ENDPOINT.ANY, BUF, 8, NO_PA)).toBe(2);
    expect(c.ipc.op).toBe(IpcOp.awaiting);
    expect(c.state).toBe("blocked");
    expect(host.take()).toEqual(["block 2"]); // not completed at receive: it waits for the reply
    expect(ipc.reply(srv, c, 5, 0, 0, SRC, 0, NO_PA)).toBe(0);
    expect(host.take()).toEqual(["complete 2 = 0", "handoff 2"]);
  });

  it.skipIf(solutionCut("ipc"))("a reply from anyone but the callee is -EINVAL", () => {
    const { ipc, proc } = world();
    const srv = proc(), c = proc(), other = proc();
    ipc.receive(srv, ENDPOINT.ANY, BUF, 8, NO_PA);
    setSend(c, 1, 0, 0, SRC, 0, { call: true });
    ipc.send(c, srv);
    expect(ipc.reply(other, c, 0, 0, 0, SRC, 0, NO_PA)).toBe(-E.INVAL);
    expect(c.ipc.op).toBe(IpcOp.awaiting);
  });

  it.skipIf(solutionCut("ipc"))("a kernel-made call: the request turns the reply words into the call's result", () => {
    const { host, ipc, proc } = world();
    const srv = proc(), c = proc();
    ipc.receive(srv, ENDPOINT.ANY, BUF, 8, NO_PA);
    host.take();
    const seen: unknown[] = [];
    const req: KernelRequest = { done: (w0, w1, w2, n) => (seen.push([w0, w1, w2, n]), w0 * 2), failed: (e) => e - 1000 };
    c.ipc.setMessage(1, 0, 0, 0, 3, NO_PA, Uint8Array.from([1, 2, 3]));
    c.ipc.setBuffer(BUF, 8, NO_PA);
    c.ipc.isCall = true;
    c.ipc.request = req;
    ipc.send(c, srv);
    host.take();
    srv.state = "running";
    expect(ipc.reply(srv, c, 21, 2, 3, SRC, 4, NO_PA)).toBe(0);
    expect(seen).toEqual([[21, 2, 3, 4]]);
    expect(host.take()).toEqual(["complete 2 = 42", "handoff 2"]);
    expect(c.ipc.request).toBeNull();
  });
});

describe("Ipc: deadlock refusal", () => {
  it.skipIf(solutionCut("ipc"))("refuses -EDEADLK when the receiver is (transitively) blocked sending to the sender", () => {
    const { ipc, proc } = world();
    const a = proc("ready"), b = proc(), c = proc();
    setSend(b, 0, 0, 0, SRC, 0);
    expect(ipc.send(b, a)).toBeNull(); // b → a (a busy)
    expect(ipc.send(a, b)).toBe(-E.DEADLK); // a → b closes the cycle
    expect(ipc.send(c, b)).toBeNull(); // c → b → a: no cycle, c queues
    a.state = "running";
    expect(ipc.send(a, c)).toBe(-E.DEADLK); // a → c → b → a
    expect(a.ipc.op).toBe(IpcOp.none);
    expect(ipc.send(a, a)).toBe(-E.DEADLK);
  });

  it.skipIf(solutionCut("ipc"))("counts a caller awaiting a reply as part of a cycle", () => {
    const { ipc, proc } = world();
    const srv = proc(), c = proc();
    ipc.receive(srv, ENDPOINT.ANY, BUF, 8, NO_PA);
    setSend(c, 0, 0, 0, SRC, 0, { call: true });
    ipc.send(c, srv); // c awaits srv
    srv.state = "running";
    expect(ipc.send(srv, c)).toBe(-E.DEADLK);
  });
});

describe("Ipc: notifications", () => {
  it("notify sets pending bits; a receiver waiting for ANY or HARDWARE wakes with MSG.NOTIFY", () => {
    for (const from of [ENDPOINT.ANY, ENDPOINT.HARDWARE]) {
      const { w, host, ipc, proc } = world();
      const r = proc();
      ipc.receive(r, from, BUF, 8, NO_PA);
      host.take();
      ipc.notify(-1, r, 1 << 4);
      expect(host.take()).toEqual([`complete 1 = ${ENDPOINT.HARDWARE}`]);
      expect(w.words(r)).toEqual([MSG.NOTIFY, 1 << 4, 0, 0]);
      expect(r.ipc.pending).toBe(0);
      expect(r.ipc.op).toBe(IpcOp.none);
      expect(r.state).toBe("ready");
    }
  });

  it.skipIf(solutionCut("ipc"))("bits accumulate while the receiver is busy or waits for a pid; the next receive takes them all", () => {
    const { w, host, ipc, proc } = world();
    const r = proc(), s = proc();
    ipc.notify(s.pid, r, 1);
    ipc.notify(-1, r, 1 << 16);
    expect(r.ipc.pending).toBe(0x10001);
    r.state = "running";
    ipc.receive(r, s.pid, BUF, 8, NO_PA); // waits for a pid: notifications wait too
    ipc.notify(-1, r, 2);
    expect(host.take()).toEqual(["block 1"]);
    expect(r.ipc.pending).toBe(0x10003);
    r.state = "running";
    r.ipc.op = IpcOp.none;
    // Pending notifications come before queued messages.
    setSend(s, 5, 0, 0, SRC, 0);
    ipc.send(s, r);
    expect(ipc.receive(r, ENDPOINT.ANY, BUF, 8, NO_PA)).toBe(ENDPOINT.HARDWARE);
    expect(w.words(r)).toEqual([MSG.NOTIFY, 0x10003, 0, 0]);
    expect(r.ipc.pending).toBe(0);
    expect(ipc.receive(r, ENDPOINT.ANY, BUF, 8, NO_PA)).toBe(s.pid);
  });

  it("notify to a zombie does nothing", () => {
    const { host, ipc, proc } = world();
    const z = proc("zombie");
    ipc.notify(-1, z, 1);
    expect(z.ipc.pending).toBe(0);
    expect(host.events).toEqual([]);
  });

  it("a kernel notification is traced as the receiving process's event with source -1", () => {
    const { ipc, proc, calls } = world({ traced: true });
    const r = proc("ready");
    ipc.notify(-1, r, 8);
    expect(calls).toEqual([["ipc", 1, IPC_TRACE_OPS.indexOf("notify"), -1, 1, 0]]);
  });
});

describe("Ipc: processEnded", () => {
  it.skipIf(solutionCut("ipc"))("queued senders and awaiting callers of the ended process fail -ESRCH; others are untouched", () => {
    const { host, ipc, proc } = world();
    const x = proc("ready"), s = proc(), c = proc(), bystander = proc();
    setSend(s, 0, 0, 0, SRC, 0);
    ipc.send(s, x);
    x.state = "running";
    ipc.receive(x, ENDPOINT.HARDWARE, BUF, 8, NO_PA); // x blocks; the call below queues
    setSend(c, 0, 0, 0, SRC, 0, { call: true });
    ipc.send(c, x);
    x.state = "running";
    x.ipc.op = IpcOp.none;
    expect(ipc.receive(x, c.pid, BUF, 8, NO_PA)).toBe(c.pid); // c now awaits x's reply
    expect(c.ipc.op).toBe(IpcOp.awaiting);
    host.take();
    x.state = "zombie";
    ipc.processEnded(x, [x, s, c, bystander]);
    expect(host.take().sort()).toEqual([`complete 2 = ${-E.SRCH}`, `complete 3 = ${-E.SRCH}`]);
    expect(s.ipc.op).toBe(IpcOp.none);
    expect(c.ipc.op).toBe(IpcOp.none);
    expect(c.ipc.peer).toBeNull();
    expect(x.ipc.queue).toEqual([]);
    expect(bystander.state).toBe("running");
  });

  it.skipIf(solutionCut("ipc"))("a kernel-made call fails through its request", () => {
    const { host, ipc, proc } = world();
    const x = proc(), c = proc();
    ipc.receive(x, ENDPOINT.ANY, BUF, 8, NO_PA);
    c.ipc.setMessage(0, 0, 0, 0, 0, NO_PA, null);
    c.ipc.isCall = true;
    c.ipc.request = { done: () => 0, failed: (e) => 1000 + e };
    ipc.send(c, x);
    host.take();
    ipc.processEnded(x, [c]);
    expect(host.take()).toEqual([`complete 2 = ${1000 - E.SRCH}`]);
    expect(c.ipc.request).toBeNull();
  });

  it.skipIf(solutionCut("ipc"))("an ended sender leaves the queue it was in", () => {
    const { host, ipc, proc } = world();
    const d = proc("ready"), s1 = proc(), s2 = proc();
    setSend(s1, 1, 0, 0, SRC, 0);
    setSend(s2, 2, 0, 0, SRC, 0);
    ipc.send(s1, d);
    ipc.send(s2, d);
    host.take();
    s1.state = "zombie";
    ipc.processEnded(s1, [d, s2]);
    expect(d.ipc.queue).toEqual([s2]);
    expect(s1.ipc.op).toBe(IpcOp.none);
    expect(s1.ipc.peer).toBeNull();
    expect(host.take()).toEqual([]);
  });
});
