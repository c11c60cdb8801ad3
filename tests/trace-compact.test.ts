// The recorder's binary records and byte formatter (kernel/trace/recorder.ts) give exactly the
// JSONL a JSON.stringify of each documented event gives (docs/trace.md, version 1 when asked for),
// for every event kind and awkward value, across chunk boundaries, through the text sink and the byte
// sink alike. Version 2 (the default) of the same events reads back as exactly those version-1 lines.
import { describe, expect, it } from "vitest";
import { ManualClock, TraceRecorder } from "../kernel/trace/recorder.ts";
import { InstructionClock } from "../tools/trace/instruction-clock.ts";
import { syscallName } from "../kernel/syscalls.ts";
import { IRQ_NAMES, VECTOR_NAMES } from "../kernel/names.ts";
import { readTraceText } from "../tools/trace/reader.ts";
import { recordSynthTrace, synthLines } from "../tools/trace/synth.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Ev = Record<string, unknown>;
const HEADER = { ipms: 100_000, mode: "microkernel" as const, tool: "test" };

/** Records a deterministic mix of n rounds of every kind; returns the recorder and the expected lines. */
function scenario(sink: (t: string) => void, bytes?: (b: Uint8Array) => void, version: 1 | 2 = 1): { rec: TraceRecorder; expected: string[] } {
  const clock = new ManualClock();
  const rec = new TraceRecorder(sink, HEADER, syscallName, bytes ? { bytes, version, clock } : { version, clock });
  const expected: string[] = [JSON.stringify({ trace: "ringside", version: 1, ...HEADER })];
  const names = new Map<number, string>();
  const name = (pid: number, n: string) => {
    rec.nameProcess(pid, n);
    names.set(pid, n);
  };
  const head = (icount: number, vt: number, kind: string, pid: number): Ev => ({
    seq: expected.length - 1, icount, vt, kind, pid: pid < 0 ? null : pid, proc: pid < 0 ? null : names.get(pid) ?? null,
  });
  const push = (e: Ev) => expected.push(JSON.stringify(e));
  const vts = [0, 0.001, 0.01, 0.1, 0.5, 1.25, 121.07, 999999.999, 123456789.123, 0.3];
  const ics = [0, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 9_007_199_254_740_991, 1e12 + 3];
  name(1, "init");
  name(2, "sérvér \"q\"");
  for (let i = 0; i < 6000; i++) {
    const ic = ics[i % ics.length]!, vt = vts[i % vts.length]!;
    const pid = i % 3 === 0 ? -1 : 1 + (i & 1);
    const nr = [20, 4, 0x213, 9999][i % 4]!;
    const args = [i, 0xffffffff, 0x80000000, 0, 4242];
    clock.at(ic, vt);
    rec.syscall(pid, 3, 0x400000 + i, nr, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!);
    push({ ...head(ic, vt, "syscall", pid), cpl_from: 3, cpl_to: 0, eip: 0x400000 + i, nr, name: syscallName(nr), args });
    const ret = [0, -38, 2147483647, -2147483648][i % 4]!;
    clock.at(ic, vt);
    rec.ret(pid, 3, 0xfffffff0, ret);
    push({ ...head(ic, vt, "return", pid), cpl_from: 0, cpl_to: 3, eip: 0xfffffff0, ret });
    clock.at(ic, vt);
    rec.ret(-1, 0, 0x100200, undefined);
    push({ ...head(ic, vt, "return", -1), cpl_from: 0, cpl_to: 0, eip: 0x100200 });
    const v = [14, 13, 6, 31][i % 4]!;
    const insn = i % 2 ? `mov eax, [ebx+0x${i.toString(16)}] ; "q" \\ é` : undefined;
    clock.at(ic, vt);
    rec.exception(pid, 3, 0x400010, v, 4, 0xdeadbeef, insn);
    const ex: Ev = { ...head(ic, vt, "exception", pid), cpl_from: 3, cpl_to: 0, eip: 0x400010, vector: v, name: VECTOR_NAMES[v] ?? `#${v}`, error_code: 4 };
    if (v === 14) ex.cr2 = 0xdeadbeef;
    if (insn !== undefined) ex.insn = insn;
    push(ex);
    const line = i % 17;
    clock.at(ic, vt);
    rec.irq(pid, 0, 0x100300, line);
    push({ ...head(ic, vt, "irq", pid), cpl_from: 0, cpl_to: 0, eip: 0x100300, irq: line, name: IRQ_NAMES[line] ?? `irq${line}` });
    const op = i % 4;
    clock.at(ic, vt);
    rec.ipc(pid, op, op === 3 ? -1 : 1, 2, i);
    push({ ...head(ic, vt, "ipc", pid), op: ["send", "receive", "reply", "notify"][op], src: op === 3 ? null : 1, dst: 2, bytes: i });
    const svc = rec.nameService(i % 2 ? "fs" : "console");
    clock.at(ic, vt);
    rec.service(pid, i & 1, svc, -i, 17);
    push({ ...head(ic, vt, "service", pid), op: i & 1 ? "reply" : "request", service: i % 2 ? "fs" : "console", [i & 1 ? "result" : "type"]: -i, bytes: 17 });
    const reason = ["start", "block", "yield", "custom-reason"][i % 4]!;
    clock.at(ic, vt);
    rec.action(pid, "switch", { from: i % 5 ? 1 : null, to: pid < 0 ? null : pid, reason });
    push({ ...head(ic, vt, "switch", pid), from: i % 5 ? 1 : null, to: pid < 0 ? null : pid, reason });
    const outcome = ["mapped", "killed", "out-of-memory"][i % 3]!;
    clock.at(ic, vt);
    rec.action(pid, "pagefault", { addr: 0xbffff000, eip: 0x400010, error_code: 6, outcome });
    push({ ...head(ic, vt, "pagefault", pid), addr: 0xbffff000, eip: 0x400010, error_code: 6, outcome });
    if (i % 50 === 0) {
      const fields = [
        { status: 0, vector: null, signal: null, report: null },
        { status: null, vector: 13, signal: 11, report: "[pid 2 x] killed by #GP \"quoted\"" },
        { status: -1, vector: null, signal: 9, report: null },
      ][(i / 50) % 3]!;
      clock.at(ic, vt);
      rec.action(pid, "exit", fields);
      push({ ...head(ic, vt, "exit", pid), ...fields });
      clock.at(ic, vt);
      rec.action(pid, "spawn", { parent: i % 100 ? 1 : null, argv: ["sh", "-c", "é\n"] });
      push({ ...head(ic, vt, "spawn", pid), parent: i % 100 ? 1 : null, argv: ["sh", "-c", "é\n"] });
      clock.at(ic, vt);
      rec.action(pid, "spawn", { parent: null, argv: ["fs"], in_kernel: true });
      push({ ...head(ic, vt, "spawn", pid), parent: null, argv: ["fs"], in_kernel: true });
      const load = { path: "hello", entry: 0x400080, segments: [{ vaddr: 0x400000, memsz: 0xa2, flags: "r-x" }], symbols: [{ name: "_start", addr: 0x400080 }] };
      clock.at(ic, vt);
      rec.action(pid, "load", load);
      push({ ...head(ic, vt, "load", pid), ...load });
    }
    if (i === 700) name(1, "init2"); // a rename applies to the events after it
  }
  clock.at(1, 1.5);
  rec.action(-1, "halt", { reason: "exit", status: 0 });
  push({ ...head(1, 1.5, "halt", -1), reason: "exit", status: 0 });
  return { rec, expected };
}

/** Records lines longer than the output buffer's slack (huge names, argv) in `version`; the lines written and the version-1 lines expected. */
function hugeLines(version: 1 | 2): { lines: string[]; expected: string[] } {
  const parts: Buffer[] = [];
  const clock = new ManualClock();
  const rec = new TraceRecorder(() => {}, HEADER, syscallName, { bytes: (b) => parts.push(Buffer.from(b)), version, clock });
  const big = "n".repeat(100_000) + "é";
  const expected: string[] = [JSON.stringify({ trace: "ringside", version: 1, ...HEADER })];
  rec.nameProcess(1, "small");
  for (let i = 0; i < 300; i++) {
    const pid = 1 + (i % 3);
    if (i === 5) rec.nameProcess(2, big);
    if (i === 9) rec.nameProcess(3, big + big);
    const proc = pid === 1 ? "small" : pid === 2 ? (i >= 5 ? big : null) : i >= 9 ? big + big : null;
    clock.at(i, i / 1000);
    rec.syscall(pid, 3, 0x400000, 4, 1, 2, 3, 4, 5);
    expected.push(JSON.stringify({ seq: expected.length - 1, icount: i, vt: i / 1000, kind: "syscall", pid, proc, cpl_from: 3, cpl_to: 0, eip: 0x400000, nr: 4, name: syscallName(4), args: [1, 2, 3, 4, 5] }));
    if (i % 50 === 0) {
      const argv = ["x".repeat(150_000), "y"];
      clock.at(i, i / 1000);
      rec.action(pid, "spawn", { parent: null, argv });
      expected.push(JSON.stringify({ seq: expected.length - 1, icount: i, vt: i / 1000, kind: "spawn", pid, proc, parent: null, argv }));
    }
  }
  rec.finish();
  const lines = Buffer.concat(parts).toString("utf8").split("\n");
  expect(lines.pop()).toBe("");
  return { lines, expected };
}

describe("trace recorder: binary records, version-1 JSONL", () => {
  it("formats every kind exactly as JSON.stringify would, across chunks", () => {
    let text = "";
    const { rec, expected } = scenario((t) => (text += t));
    expect(rec.events).toBeGreaterThan(50_000); // about 230 Ki words of records: five chunks
    rec.finish();
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(expected.length);
    for (let i = 0; i < lines.length; i++) if (lines[i] !== expected[i]) expect(lines[i], `line ${i + 1}`).toBe(expected[i]);
  });

  it("lines longer than the output buffer's slack (huge names, argv) are written whole", () => {
    const { lines, expected } = hugeLines(1);
    expect(lines.length).toBe(expected.length);
    for (let i = 0; i < lines.length; i++) if (lines[i] !== expected[i]) expect(lines[i]!.slice(0, 200), `line ${i + 1}`).toBe(expected[i]!.slice(0, 200));
  });

  it("the byte sink gets the same bytes as the text sink, in whole lines", () => {
    let text = "";
    const parts: Buffer[] = [];
    let whole = true;
    scenario((t) => (text += t)).rec.finish();
    scenario(() => {}, (b) => {
      if (b[b.length - 1] !== 10) whole = false;
      parts.push(Buffer.from(b));
    }).rec.finish();
    expect(whole).toBe(true);
    expect(Buffer.concat(parts).toString("utf8")).toBe(text);
  });
});

describe("trace recorder: instants and the fast return", () => {
  /** Version-1 lines of `n` getpid-like kernel entries (entry, then return) in a recorder; every third returns through `ret`. */
  function entries(n: number, fast: boolean): string {
    let text = "";
    const clock = new ManualClock();
    const rec = new TraceRecorder((t) => (text += t), HEADER, syscallName, { clock, version: 1 });
    rec.nameProcess(4, "loop");
    for (let i = 0; i < n; i++) {
      clock.at(1000 + 7 * i, (1000 + 7 * i) / 100);
      rec.syscall(4, 3, 0x400010 + (i & 7), 20, i, 0, 0, 0, 0);
      if (fast && i % 3 !== 0) rec.syscallReturned(i % 5 === 0 ? -38 : 4);
      else rec.ret(4, 3, 0x400010 + (i & 7), i % 5 === 0 ? -38 : 4);
      if (i % 100 === 0) {
        clock.at(1000 + 7 * i + 3, (1000 + 7 * i + 3) / 100);
        rec.ret(-1, 0, 0x100200, undefined); // an idle exit at a later instant
      }
    }
    rec.finish();
    return text;
  }

  it("syscallReturned writes exactly what ret would at the entry's instant, across chunks", () => {
    const slow = entries(40_000, false);
    expect(slow.split("\n").length).toBeGreaterThan(80_000); // several chunks of records
    expect(entries(40_000, true)).toBe(slow);
    const line = slow.split("\n")[5]!; // entry 1's return (after entry 0, its return and an idle exit)
    expect(JSON.parse(line)).toEqual({ seq: 4, icount: 1007, vt: 10.07, kind: "return", pid: 4, proc: "loop", cpl_from: 0, cpl_to: 3, eip: 0x400011, ret: 4 });
  });

  it("each event carries the instant its clock gave as it was recorded", () => {
    let text = "";
    const clock = new ManualClock();
    const rec = new TraceRecorder((t) => (text += t), HEADER, syscallName, { clock });
    const at: [number, number][] = [[5, 0.05], [5, 0.05], [5, 0.06], [6, 0.06], [2 ** 40, 1e9 + 0.001], [2 ** 40, 1e9 + 0.001], [0, 0]];
    for (const [ic, vt] of at) {
      clock.at(ic, vt);
      rec.ret(-1, 0, 0, undefined);
    }
    rec.finish();
    expect(readTraceText(text).events.map((e) => [e.icount, e.vt])).toEqual(at);
  });

  it("onBreak is called once, as the event with the break seq is recorded, in any chunk and by any kind of record", () => {
    for (const breakAt of [0, 1, 2, 70_001, 70_002]) {
      const hits: [number, number, number][] = [];
      const clock = new ManualClock();
      const rec: TraceRecorder = new TraceRecorder(() => {}, HEADER, syscallName, { clock, breakAt, onBreak: (seq, pid) => hits.push([seq, pid, rec.events]) });
      for (let i = 0; i < 40_000; i++) {
        clock.at(i * 10, i / 10);
        rec.syscall(7, 3, 0x400000, 20, 0, 0, 0, 0, 0);
        rec.syscallReturned(7);
      }
      rec.finish();
      expect(hits).toEqual([[breakAt, 7, breakAt]]); // before the event is counted
    }
  });

  it("a recorder with no clock says so at its first event", () => {
    const rec = new TraceRecorder(() => {}, HEADER, syscallName);
    expect(() => rec.ret(-1, 0, 0, undefined)).toThrow(/no clock attached/);
    rec.attachClock(new ManualClock());
    rec.ret(-1, 0, 0, undefined);
    expect(rec.events).toBe(1);
  });
});

describe("trace recorder: instants kept as instruction deltas", () => {
  /**
   * Runs one session of kernel entries against `clock`, recording into `rec` only while not paused;
   * `before` is called before each event with the clock (to set a manual twin to the same instant).
   */
  function session(rec: TraceRecorder, clock: InstructionClock, before: () => void): void {
    const steps = [7, 0, 1, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 13, 2 ** 31, 2 ** 32 - 3, 2 ** 32, 5, 999_999];
    rec.nameProcess(3, "loop");
    for (let i = 0; i < 30_000; i++) {
      clock.advance(i % 97 === 0 ? steps[(i / 97) % steps.length]! : 9 + (i % 5));
      if (i % 500 === 250) clock.slice();
      if (i % 1000 === 500) clock.idle(0.37 * (i % 7)); // a halt skipped time: the time base moves
      before();
      rec.syscall(3, 3, 0x400000 + (i & 15), 20, i, 0, 0, 0, 0);
      if (i % 1000 === 700) {
        clock.charge(0.0125); // the cost model charges the entry: same counter, later instant
        before();
        rec.ret(3, 3, 0x400000 + (i & 15), 3);
      } else if (i % 3) rec.syscallReturned(3);
      else {
        before();
        rec.ret(3, 3, 0x400000 + (i & 15), 3);
      }
      if (i % 10 === 0) {
        clock.advance(3);
        before();
        rec.irq(3, 3, 0x400020, 0);
        before();
        rec.ipc(3, 0, 3, 5, 16); // the same instant as the irq: no time record between them
      }
    }
  }

  it("format exactly as whole instants would: counter wraps, big jumps, idle and charged time, chunks", () => {
    for (const version of [1, 2] as const) {
      for (const start of [0, 2 ** 32 - 50_000, 3 * 2 ** 32 + 12345]) {
        let fast = "", slow = "";
        const clock = new InstructionClock(start);
        const rec = new TraceRecorder((t) => (fast += t), HEADER, syscallName, { clock, version });
        rec.attachClock(clock); // as the kernel does (it listens for time-base changes)
        const twinClock = new InstructionClock(start);
        const manual = new ManualClock();
        const twin = new TraceRecorder((t) => (slow += t), HEADER, syscallName, { clock: manual, version });
        // The twin replays the same session against a manual clock set to each instant by hand.
        session(rec, clock, () => {});
        session(twin, twinClock, () => manual.at(twinClock.full, twinClock.usAt(twinClock.full)));
        rec.finish();
        twin.finish();
        expect(slow.split("\n").length).toBeGreaterThan(60_000);
        expect(fast).toBe(slow);
        // Whole instants were read only at chunk starts and time-base changes, not at every entry.
        expect(clock.asked).toBeGreaterThan(0);
        expect(clock.asked).toBeLessThan(30_000 / 50);
      }
    }
  });

  it("after resync the next event has its whole instant, whatever the counter did meanwhile", () => {
    let fast = "", slow = "";
    const clock = new InstructionClock(100);
    const rec = new TraceRecorder((t) => (fast += t), HEADER, syscallName, { clock });
    rec.attachClock(clock);
    const manual = new ManualClock();
    const twin = new TraceRecorder((t) => (slow += t), HEADER, syscallName, { clock: manual });
    const both = (ret: number) => {
      manual.at(clock.full, clock.usAt(clock.full));
      rec.ret(-1, 0, 0x100200, ret);
      twin.ret(-1, 0, 0x100200, ret);
    };
    both(1);
    // Recording paused: the counter went round and a little more, and no one told the recorder.
    clock.full += 2 ** 32 + 5;
    clock.counter[0] = clock.full % 2 ** 32;
    rec.resync(); // what Kernel.setTraceRecording does on resuming
    both(2);
    clock.advance(5);
    both(3);
    rec.finish();
    twin.finish();
    expect(fast).toBe(slow);
    expect(readTraceText(fast).events.map((e) => e.icount)).toEqual([100, 100 + 2 ** 32 + 5, 110 + 2 ** 32]);
  });

  it("a syscall entry reads a replaced counter view once the clock announces it (the machine's, after wasm memory grows)", () => {
    let text = "";
    let announce = (): void => {};
    const clock = {
      counter: new Uint32Array(1),
      icount: () => clock.counter[0]!,
      usAt: (ic: number) => ic / 100,
      timeTerms: (into: { ipms: number; idleMs: number; chargedMs: number }) => Object.assign(into, { ipms: 100, idleMs: 0, chargedMs: 0 }),
      onTimeBaseChange: (fn: () => void) => (announce = fn),
    };
    const rec = new TraceRecorder((t) => (text += t), HEADER, syscallName, { clock });
    rec.attachClock(clock);
    const entry = (): void => rec.syscall(4, 3, 0x400000, 20, 0, 0, 0, 0, 0);
    clock.counter[0] = 100;
    entry(); // a whole time record
    rec.syscallReturned(4);
    clock.counter[0] = 200;
    entry(); // the fast path: the instant inside the record
    const old = clock.counter;
    clock.counter = new Uint32Array(1);
    clock.counter[0] = 300;
    old[0] = 7; // what the old view would say now
    announce();
    entry();
    clock.counter[0] = 450;
    entry();
    rec.finish();
    expect(readTraceText(text).events.map((e) => e.icount)).toEqual([100, 100, 200, 300, 450]);
  });
});

describe("trace recorder: a synthetic session recorded again", () => {
  it("gives the synthetic trace byte for byte in version 1, and the same events in version 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringside-synth-"));
    try {
      const opts = { events: 20_000, seed: 5, future: true, mode: "microkernel" as const };
      const v1 = [...synthLines(opts)].join("\n") + "\n";
      recordSynthTrace(join(dir, "v1.jsonl"), opts, 1);
      expect(readFileSync(join(dir, "v1.jsonl"), "utf8")).toBe(v1);
      recordSynthTrace(join(dir, "v2.jsonl"), opts, 2);
      const v2 = readFileSync(join(dir, "v2.jsonl"), "utf8");
      expect(v2.length).toBeLessThan(v1.length * 0.9);
      expect(readTraceText(v2).events).toEqual(readTraceText(v1).events);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("trace recorder: numbers", () => {
  it("writes icount and vt exactly as JSON.stringify does (seeded sample of every range)", () => {
    let text = "";
    const clock = new ManualClock();
    const rec = new TraceRecorder((t) => (text += t), HEADER, syscallName, { clock });
    const vts: number[] = [];
    const ics: number[] = [];
    let s = 1;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 50_000; i++) {
      const k = i % 6;
      const vt = [Math.round(rnd() * 3e6) / 1000, Math.round(rnd() * 1e4) / 1000, Math.round(rnd() * 3e9) / 1000, rnd() * 1000, Math.round(rnd() * 1e15) / 1000, Math.round(rnd() * 1e6)][k]!;
      const ic = [Math.round(rnd() * 1e6), Math.round(rnd() * 2 ** 31), Math.round(rnd() * 2 ** 40), 2 ** 31 - 1 + (i % 3)][i % 4]!;
      vts.push(vt);
      ics.push(ic);
      clock.at(ic, vt);
      rec.ret(-1, 0, 0, undefined);
    }
    rec.finish();
    const lines = text.split("\n").slice(1, -1);
    expect(lines.length).toBe(vts.length);
    for (let i = 0; i < lines.length; i++) {
      const want = `"icount":${JSON.stringify(ics[i])},"vt":${JSON.stringify(vts[i])},`;
      if (!lines[i]!.includes(want)) expect(lines[i], `line ${i}`).toContain(want);
    }
  });
});

describe("trace recorder: version 2 (the default)", () => {
  /** The normalized events of a version-2 text, each as JSON text (version-1 key order). */
  const normalized = (text: string): string[] => {
    const { header, events } = readTraceText(text);
    expect(header.version).toBe(2);
    return events.map((e) => JSON.stringify(e));
  };

  it("is written by default, and reads back as exactly the version-1 lines of the same events", () => {
    let v2 = "";
    let v1 = "";
    const { rec, expected } = scenario((t) => (v2 += t), undefined, 2);
    rec.finish();
    scenario((t) => (v1 += t)).rec.finish();
    expect(v1.split("\n").slice(0, -1)).toEqual(expected); // the same events
    expect(new TraceRecorder(() => {}, HEADER, syscallName).version).toBe(2);
    const got = normalized(v2);
    const want = expected.slice(1);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) expect(got[i], `event ${i}`).toBe(want[i]);
    expect(v2.length).toBeLessThan(v1.length * 0.85); // this mix is heavy in long strings; a real session: tests/trace-v2.test.ts
  });

  it("leaves out what a reader derives: names the process only where it takes a new name, no syscall/exception/irq names, no constant ring key, no switch to-pid", () => {
    let text = "";
    const { rec } = scenario((t) => (text += t), undefined, 2);
    rec.finish();
    const lines = text.split("\n").slice(1, -1);
    // The escaped server name (pid 2), init (pid 1), init2 (pid 1, renamed): each once, on its process's next line.
    const named = lines.filter((l) => l.includes('"proc":'));
    expect(named.map((l) => JSON.parse(l).proc)).toEqual(["sérvér \"q\"", "init", "init2"]);
    expect(named.map((l) => JSON.parse(l).pid)).toEqual([2, 1, 1]);
    for (const l of lines) {
      const e = JSON.parse(l) as Record<string, unknown>;
      if (e.kind === "syscall" || e.kind === "exception" || e.kind === "irq") {
        expect(Object.keys(e)).not.toContain("name");
        expect(Object.keys(e)).not.toContain("cpl_to");
      }
      if (e.kind === "return") expect(Object.keys(e)).not.toContain("cpl_from");
      if (e.kind === "switch") expect(Object.keys(e)).not.toContain("to");
      expect(Object.keys(e).slice(0, 3)).toEqual(["seq", "icount", "vt"]);
    }
    const syscall = lines.find((l) => l.includes('"kind":"syscall"') && l.includes('"pid":1,') && !l.includes('"proc"'))!;
    expect(syscall).toMatch(/^\{"seq":\d+,"icount":\d+,"vt":[\d.]+,"kind":"syscall","pid":1,"cpl_from":3,"eip":\d+,"nr":\d+,"args":\[[\d,]+\]\}$/);
  });

  it("a name on a line too long for the buffer is written once, on the line written again", () => {
    const v1 = hugeLines(1).lines;
    const { lines, expected } = hugeLines(2);
    expect(v1).toEqual(expected);
    const got = normalized(lines.join("\n") + "\n");
    expect(got.length).toBe(expected.length - 1);
    for (let i = 0; i < got.length; i++) if (got[i] !== expected[i + 1]) expect(got[i]!.slice(0, 200), `event ${i}`).toBe(expected[i + 1]!.slice(0, 200));
    expect(lines.filter((l) => l.includes('"proc":')).length).toBe(3);
  });

  it("the byte sink gets the same bytes as the text sink", () => {
    let text = "";
    const parts: Buffer[] = [];
    scenario((t) => (text += t), undefined, 2).rec.finish();
    scenario(() => {}, (b) => void parts.push(Buffer.from(b)), 2).rec.finish();
    expect(Buffer.concat(parts).toString("utf8")).toBe(text);
  });
});
