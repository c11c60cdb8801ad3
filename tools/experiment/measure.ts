// What an experiment reads off a trace, exactly: the cost of one system call (ring crossings,
// context and address-space switches, messages, in-kernel service calls, bytes copied between its
// entry and its return), the virtual time between a workload's marks, and the rings that appear.
import type { Ev } from "./runner.ts";

export interface CallCost {
  call: string;
  /** Ring 3 → 0 entries and 0 → 3 returns between the call's entry and its return, both included. */
  modeSwitches: number;
  /** The CPU moved from one process to another (switch events to a process). */
  contextSwitches: number;
  /** A different address space was loaded. */
  addressSpaceSwitches: number;
  /** IPC messages: send, reply, notify. */
  messages: number;
  /** Requests to in-kernel services. */
  serviceCalls: number;
  /** Payload bytes copied (IPC and in-kernel service requests and replies). */
  bytes: number;
  /** Virtual µs from the entry to the return. */
  us: number;
  /** The trace seq of the call's entry and of its return (the window counted). */
  fromSeq: number;
  toSeq: number;
}

/** The pid of the first process spawned with argv[0] = `name`. */
export function pidOf(events: Ev[], name: string): number {
  const e = events.find((x) => x.kind === "spawn" && (x.argv as string[])[0] === name);
  if (!e) throw new Error(`no process ${name} in the trace`);
  return e.pid!;
}

/** Index of the return that ends the syscall entry at index `i` (the caller's return carrying `ret`). */
function returnOf(events: Ev[], i: number): number {
  const pid = events[i]!.pid;
  for (let j = i + 1; j < events.length; j++) if (events[j]!.kind === "return" && events[j]!.pid === pid && "ret" in events[j]!) return j;
  throw new Error(`no return for event ${events[i]!.seq}`);
}

/** The cost of the first call of each name in `calls` made by `pid` (after its first mark). */
export function callCosts(events: Ev[], pid: number, calls: string[]): CallCost[] {
  const start = events.findIndex((e) => e.kind === "syscall" && e.pid === pid && e.name === "getppid");
  return calls.map((call) => {
    const i = events.findIndex((e, k) => k > start && e.kind === "syscall" && e.pid === pid && e.name === call);
    if (i < 0) throw new Error(`${call} not found`);
    const j = returnOf(events, i);
    let lastAs: unknown = null;
    for (let k = i; k >= 0; k--) if (events[k]!.kind === "switch" && events[k]!.to !== null) { lastAs = events[k]!.to; break; }
    const c: CallCost = { call, modeSwitches: 0, contextSwitches: 0, addressSpaceSwitches: 0, messages: 0, serviceCalls: 0, bytes: 0, us: events[j]!.vt - events[i]!.vt, fromSeq: events[i]!.seq, toSeq: events[j]!.seq };
    for (let k = i; k <= j; k++) {
      const e = events[k]!;
      if ((e.kind === "syscall" || e.kind === "exception" || e.kind === "irq") && e.cpl_from === 3) c.modeSwitches++;
      else if (e.kind === "return" && e.cpl_to === 3) c.modeSwitches++;
      else if (e.kind === "switch" && e.to !== null) {
        c.contextSwitches++;
        if (e.to !== lastAs) c.addressSpaceSwitches++;
        lastAs = e.to;
      } else if (e.kind === "ipc") {
        if (e.op !== "receive") c.messages++;
        c.bytes += e.bytes as number;
      } else if (e.kind === "service") {
        if (e.op === "request") c.serviceCalls++;
        c.bytes += e.bytes as number;
      }
    }
    return c;
  });
}

/** Virtual µs and guest instructions between `pid`'s first two getppid marks. */
export function marked(events: Ev[], pid: number): { us: number; instructions: number } {
  const marks = events.filter((e) => e.kind === "syscall" && e.pid === pid && e.name === "getppid");
  if (marks.length < 2) throw new Error("the workload's marks are missing (it did not finish)");
  return { us: marks[1]!.vt - marks[0]!.vt, instructions: marks[1]!.icount - marks[0]!.icount };
}

/** Every privilege level that appears in the trace (cpl_from / cpl_to of entries and returns). */
export function ringsUsed(events: Ev[]): number[] {
  const rings = new Set<number>();
  for (const e of events) {
    if (typeof e.cpl_from === "number") rings.add(e.cpl_from);
    if (typeof e.cpl_to === "number") rings.add(e.cpl_to);
  }
  return [...rings].sort();
}

/** The workload's console output: lines "ack n" and "fail n" of the torture workload, counted. */
export function acks(stdout: string): { acked: number; failed: number } {
  return { acked: (stdout.match(/^ack \d+$/gm) ?? []).length, failed: (stdout.match(/^fail \d+$/gm) ?? []).length };
}
