// The scheduling policy (kernel/sched/priority-rr.ts) and the dispatcher's mechanism
// (kernel/dispatcher.ts) on a plain buffer, without a v86 boot.
import { describe, expect, it } from "vitest";
import { Dispatcher, type DispatcherHooks } from "../kernel/dispatcher.ts";
import { IoPermissions } from "../kernel/io-permissions.ts";
import { IrqRouter } from "../kernel/irq-routing.ts";
import { ACTION, FRAME, MEM, SWITCH } from "../kernel/layout.ts";
import type { ServerPrivileges } from "../kernel/manifest.ts";
import type { Process } from "../kernel/process.ts";
import { PriorityRoundRobin, QUANTUM_MS } from "../kernel/sched/priority-rr.ts";
import { FakeWorld, fakeRecorder, recordedSwitches } from "./helpers/fake-kernel.ts";

/** A policy with processes of the given nice values (pids 1, 2, …), all ready. */
function setup(nices: number[]): { w: FakeWorld; pol: PriorityRoundRobin; ps: Process[] } {
  const w = new FakeWorld();
  const pol = new PriorityRoundRobin();
  const ps = nices.map((nice) => w.process({ nice }));
  for (const p of ps) pol.add(p);
  return { w, pol, ps };
}

describe("PriorityRoundRobin", () => {
  it("has a name and fixed slices", () => {
    const { pol, ps } = setup([0, 10]);
    expect(pol.name).toBe("priority-rr");
    expect(pol.sliceMs(ps[0]!)).toBe(QUANTUM_MS);
    expect(pol.sliceMs(ps[1]!)).toBe(10);
  });

  it("picks the best (lowest) nice value strictly, whatever the ring order", () => {
    const { pol, ps } = setup([5, 0, -3, 0]);
    expect(pol.pick(null)).toBe(ps[2]);
    expect(pol.pick(ps[2]!)).toBe(ps[2]); // the only one at -3
    ps[2]!.state = "blocked";
    expect(pol.pick(ps[2]!)?.pid).toBe(4); // next at nice 0 after pid 3 in the ring
    expect(pol.pick(null)?.pid).toBe(2);
  });

  it("round-robins within a level, starting after `prev`, skipping blocked and zombies", () => {
    const { pol, ps } = setup([0, 0, 0, 0]);
    expect(pol.pick(null)).toBe(ps[0]);
    expect(pol.pick(ps[0]!)).toBe(ps[1]);
    expect(pol.pick(ps[3]!)).toBe(ps[0]); // wraps
    ps[1]!.state = "blocked";
    ps[2]!.state = "zombie";
    expect(pol.pick(ps[0]!)).toBe(ps[3]);
    ps[3]!.state = "running"; // running counts as runnable
    expect(pol.pick(ps[3]!)).toBe(ps[0]);
    ps[0]!.state = "blocked";
    expect(pol.pick(ps[3]!)).toBe(ps[3]);
  });

  it("a prev that is not in the ring (removed) starts from the beginning", () => {
    const { pol, ps } = setup([0, 0, 0]);
    pol.remove(ps[1]!);
    expect(pol.pick(ps[1]!)).toBe(ps[0]);
  });

  it("returns null when nothing is runnable", () => {
    const { pol, ps } = setup([0, 1]);
    for (const p of ps) p.state = "blocked";
    expect(pol.pick(null)).toBeNull();
    expect(new PriorityRoundRobin().pick(null)).toBeNull();
  });

  it("preemptsOnWake only for a strictly better nice value", () => {
    const { pol, ps } = setup([0, -1, 0, 1]);
    const [cur, better, same, worse] = ps as [Process, Process, Process, Process];
    expect(pol.preemptsOnWake(better, cur)).toBe(true);
    expect(pol.preemptsOnWake(same, cur)).toBe(false);
    expect(pol.preemptsOnWake(worse, cur)).toBe(false);
  });

  it("preemptAtSliceEnd only with a ready rival of equal or better priority", () => {
    const { pol, ps } = setup([0, 1, 0]);
    const [cur, worse, same] = ps as [Process, Process, Process];
    cur.state = "running";
    same.state = "blocked";
    expect(pol.preemptAtSliceEnd(cur)).toBe(false); // only a worse one is ready
    same.state = "ready";
    expect(pol.preemptAtSliceEnd(cur)).toBe(true);
    same.state = "zombie";
    worse.nice = -1;
    expect(pol.preemptAtSliceEnd(cur)).toBe(true);
    worse.state = "running"; // not "ready": not a rival
    expect(pol.preemptAtSliceEnd(cur)).toBe(false);
  });

  it("mayHandOff is refused only when a strictly better process is ready", () => {
    const { pol, ps } = setup([0, 0, -2]);
    const [to, same, better] = ps as [Process, Process, Process];
    better.state = "blocked";
    expect(pol.mayHandOff(to)).toBe(true);
    better.state = "ready";
    expect(pol.mayHandOff(to)).toBe(false);
    better.state = "running";
    expect(pol.mayHandOff(to)).toBe(true);
    expect(pol.mayHandOff(better)).toBe(true);
    expect(same.state).toBe("ready");
  });

  it("initialNice: boot processes 0, a child inherits, a server's child starts at 0", () => {
    const { pol, ps } = setup([7, -5]);
    const [prog, server] = ps as [Process, Process];
    server.priv = { name: "console" } as ServerPrivileges;
    expect(pol.initialNice(null)).toBe(0);
    expect(pol.initialNice(prog)).toBe(7);
    expect(pol.initialNice(server)).toBe(0);
  });

  it("remove forgets a process; removing twice or an unknown one is harmless", () => {
    const { w, pol, ps } = setup([0, -1]);
    pol.remove(ps[1]!);
    expect(pol.pick(null)).toBe(ps[0]);
    pol.remove(ps[1]!);
    pol.remove(w.process());
    expect(pol.pick(ps[0]!)).toBe(ps[0]);
    pol.remove(ps[0]!);
    expect(pol.pick(null)).toBeNull();
  });
});

// ---- the dispatcher ------------------------------------------------------------------------------

const PIT_HZ = 1_193_181.666;
const pitCount = (ms: number) => Math.max(1, Math.min(0xffff, Math.ceil((ms * PIT_HZ) / 1000)));
const pitWrites = (ms: number): [number, number][] => [[0x43, 0x30], [0x40, pitCount(ms) & 0xff], [0x40, pitCount(ms) >> 8]];

function dispatcherWorld(nices: number[], hookOverrides: Partial<DispatcherHooks> = {}) {
  const w = new FakeWorld();
  const live: Process[] = [];
  const pol = new PriorityRoundRobin();
  const { recorder, calls } = fakeRecorder();
  const events: string[] = [];
  const hooks: DispatcherHooks = {
    halted: () => false,
    allEnded: () => events.push("allEnded"),
    mayWake: () => true,
    alarm: (p) => events.push(`alarm ${p.pid}`),
    ...hookOverrides,
  };
  const irqs = new IrqRouter(() => {});
  const d = new Dispatcher(w.mem.asMachine(), pol, live, new IoPermissions(w.mem.asMachine()), irqs, recorder, 0x100123, hooks);
  const ps = nices.map((nice) => {
    const p = w.process({ nice });
    live.push(p);
    pol.add(p);
    return p;
  });
  const sw = (field: keyof typeof SWITCH) => w.mem.read32(MEM.switchBlock + SWITCH[field]);
  const switches = () => recordedSwitches(calls);
  return { w, d, pol, ps, live, irqs, calls, events, sw, switches };
}

describe("Dispatcher", () => {
  it("the first leave switches to the first process: switch block, state, slice, timer", () => {
    const { w, d, ps, sw, switches, calls } = dispatcherWorld([0, 0]);
    w.mem.ms = 5;
    w.mem.write32(ps[0]!.frame + FRAME.eip, 0x400080);
    d.requestReschedule("start");
    d.leave();
    const p = ps[0]!;
    expect(d.current).toBe(p);
    expect(p.state).toBe("running");
    expect(ps[1]!.state).toBe("ready");
    expect(p.sliceStart).toBe(5);
    expect(sw("action")).toBe(ACTION.resume);
    expect(sw("esp")).toBe(p.frame);
    expect(sw("cr3")).toBe(p.as.pd);
    expect(sw("esp0")).toBe(p.kstackTop);
    expect(switches()).toEqual([{ from: null, to: 1, reason: "start" }]);
    expect(calls.find((c) => c[0] === "ret")).toEqual(["ret", 1, 3, 0x400080, undefined]);
    expect(w.mem.portWrites).toEqual(pitWrites(QUANTUM_MS)); // armed for the slice's end
  });

  it("block / complete: state and wait, EAX written, a better-priority wake preempts at leave", () => {
    const { w, d, ps, switches } = dispatcherWorld([0, -1]);
    const [a, b] = ps as [Process, Process];
    b.state = "blocked";
    d.requestReschedule("start");
    d.leave();
    expect(d.current).toBe(a);
    d.block(b, { kind: "sleep", until: 99 });
    expect(b.state).toBe("blocked");
    expect(b.wait).toEqual({ kind: "sleep", until: 99 });
    d.complete(b, -22);
    expect(w.reg(b, "eax")).toBe(-22);
    expect(b.state).toBe("ready");
    expect(b.wait).toBeNull();
    expect(d.staysOn(a)).toBe(false); // a reschedule is pending
    d.leave();
    expect(d.current).toBe(b);
    expect(a.state).toBe("ready");
    expect(switches().at(-1)).toEqual({ from: 1, to: 2, reason: "wake" });
  });

  it("complete of an equal-priority process does not preempt; complete of a non-blocked process only writes EAX", () => {
    const { w, d, ps } = dispatcherWorld([0, 0]);
    const [a, b] = ps as [Process, Process];
    d.requestReschedule("start");
    d.leave();
    b.state = "blocked";
    d.complete(b, 7);
    expect(d.staysOn(a)).toBe(true);
    d.leave();
    expect(d.current).toBe(a);
    d.complete(a, 3); // running: stays running
    expect(a.state).toBe("running");
    expect(w.reg(a, "eax")).toBe(3);
  });

  it("a process that blocks gives the CPU to the next one (reason block); yield rotates", () => {
    const { d, ps, switches } = dispatcherWorld([0, 0, 0]);
    const [a, b, c] = ps as [Process, Process, Process];
    d.requestReschedule("start");
    d.leave();
    d.block(a, { kind: "ipc" });
    d.leave();
    expect(d.current).toBe(b);
    d.yieldCpu();
    d.leave();
    expect(d.current).toBe(c);
    expect(b.state).toBe("ready");
    expect(switches().slice(1)).toEqual([{ from: 1, to: 2, reason: "block" }, { from: 2, to: 3, reason: "yield" }]);
  });

  it("handoff: a rendezvous partner takes the CPU and the rest of the slice, ahead of ring order", () => {
    const { w, d, ps, switches } = dispatcherWorld([0, 0, 0]);
    const [client, other, server] = ps as [Process, Process, Process];
    server.state = "blocked";
    w.mem.ms = 1;
    d.requestReschedule("start");
    d.leave();
    w.mem.portWrites.length = 0;
    w.mem.ms = 4;
    // client calls server: server completes (woken), client blocks awaiting the reply.
    d.complete(server, client.pid);
    d.handOffTo(server);
    d.block(client, { kind: "ipc" });
    d.leave();
    expect(d.current).toBe(server); // not `other`, which is next in the ring
    expect(server.sliceStart).toBe(1); // donated, not 4
    expect(w.mem.portWrites).toEqual([]); // a handoff re-arms nothing
    expect(other.state).toBe("ready");
    expect(switches().at(-1)).toEqual({ from: 1, to: 3, reason: "block" });
  });

  it("handoff is refused when a better-priority process is ready (the policy picks it)", () => {
    const { d, ps } = dispatcherWorld([0, 0, 0]);
    const [client, better, server] = ps as [Process, Process, Process];
    better.state = "blocked";
    server.state = "blocked";
    d.requestReschedule("start");
    d.leave();
    better.nice = -3;
    d.complete(better, 0); // better wakes: preempts (reason wake) → no handoff either
    d.leave();
    expect(d.current).toBe(better);
    // Now from `better`'s point of view: it calls the server while the client (nice 0) waits.
    better.nice = 0;
    client.nice = -3;
    d.complete(server, better.pid);
    d.handOffTo(server);
    d.block(better, { kind: "ipc" });
    d.leave();
    expect(d.current).toBe(client);
  });

  it("handoff does not happen when the caller did not block, or when a reschedule is pending", () => {
    const { d, ps } = dispatcherWorld([0, 0, 0]);
    const [a, , c] = ps as [Process, Process, Process];
    c.state = "blocked";
    d.requestReschedule("start");
    d.leave();
    d.complete(c, 0);
    d.handOffTo(c); // a notify-style wake: the sender keeps running
    d.leave();
    expect(d.current).toBe(a);
    d.complete(c, 0);
    d.handOffTo(c);
    d.block(a, { kind: "ipc" });
    d.requestReschedule("yield");
    d.leave();
    expect(d.current?.pid).toBe(2); // the policy's choice after pid 1, not the partner
  });

  it("idles when nothing can run: ACTION.idle, no current process, a ret to the idle loop", () => {
    const { d, ps, sw, calls } = dispatcherWorld([0]);
    d.requestReschedule("start");
    d.leave();
    d.block(ps[0]!, { kind: "ipc" });
    d.leave();
    expect(d.current).toBeNull();
    expect(sw("action")).toBe(ACTION.idle);
    expect(calls.at(-1)).toEqual(["ret", -1, 0, 0x100123, undefined]);
  });

  it("does not idle when nothing may wake; calls allEnded when no process is live; writes halt once halted", () => {
    let halted = false;
    const { d, ps, live, sw, events } = dispatcherWorld([0], { mayWake: () => false, halted: () => halted });
    d.requestReschedule("start");
    d.leave();
    d.block(ps[0]!, { kind: "ipc" });
    d.leave();
    expect(sw("action")).toBe(ACTION.resume); // untouched: the kernel stops instead
    live.length = 0;
    d.leave();
    expect(events).toEqual(["allEnded"]);
    halted = true;
    d.leave();
    expect(sw("action")).toBe(ACTION.halt);
  });

  it("writes a changed PIC mask into the switch block at leave", () => {
    const { d, irqs, sw } = dispatcherWorld([0]);
    irqs.own(1, { pid: 9 } as Process);
    irqs.ack({ pid: 9 } as Process, 1); // not the owner object: nothing changes
    expect(irqs.dirty).toBe(false);
    const owner = { pid: 9 } as Process;
    irqs.own(1, owner);
    irqs.ack(owner, 1);
    expect(irqs.dirty).toBe(true);
    d.requestReschedule("start");
    d.leave();
    expect(sw("picMask")).toBe(0xffff & ~1 & ~2);
    expect(irqs.dirty).toBe(false);
  });

  it("timer: wakes due sleepers, delivers alarms, preempts at slice end only with a rival", () => {
    const { w, d, ps, events } = dispatcherWorld([0, 1, 0]);
    const [a, b, c] = ps as [Process, Process, Process];
    c.state = "blocked";
    d.requestReschedule("start");
    d.leave();
    d.block(c, { kind: "sleep", until: 12 });
    d.setAlarm(b, 8);
    expect(d.nextWake()).toBe(8);
    w.mem.ms = 10;
    d.timerInterrupt();
    expect(events).toEqual(["alarm 2"]);
    expect(b.alarmAt).toBe(Infinity);
    expect(c.state).toBe("blocked");
    expect(d.staysOn(a)).toBe(true); // slice used up, but only a worse one (b) is ready: fresh slice
    expect(a.sliceStart).toBe(10);
    w.mem.ms = 20;
    d.timerInterrupt();
    expect(c.state).toBe("ready");
    expect(w.reg(c, "eax")).toBe(0);
    expect(d.staysOn(a)).toBe(false); // c (same nice) is ready: preempt
    d.leave();
    expect(d.current).toBe(c);
  });
});
