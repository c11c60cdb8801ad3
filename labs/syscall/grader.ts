// The grader of the `syscall` lab (labs/syscall/README.md): `npx ringside lab grade syscall`.
// Every check reads the trace recorded at the trap boundary or the console output of the lab's own
// programs (labs/syscall/tests/) — never what the student's kernel code says about itself.
import { defineLab, type Run, type TestContext } from "../../tools/lab/grade-lib.ts";
import type { TraceEvent } from "../../tools/trace/schema.ts";

/** Budget of every run, in guest instructions (a run takes well under 10 million). */
const BUDGET = 50_000_000;

/** Processes alive just before event `at`: spawned (service tasks included) minus ended. */
function aliveBefore(r: Run, at: TraceEvent): number {
  let n = 0;
  for (const e of r.events) {
    if (e.seq >= at.seq) break;
    if (e.kind === "spawn") n++;
    if (e.kind === "exit") n--;
  }
  return n;
}

/** The address of symbol `name` of process `proc`'s program, from its `load` event. */
function symbol(r: Run, proc: string, name: string): number {
  const load = r.expectEvent({ kind: "load", proc }, `the load event of ${proc}`);
  const s = load.symbols?.find((x) => x.name === name);
  if (!s) r.fail(`the program ${proc} has no symbol ${name}`);
  return s.addr;
}

/** Whole virtual ms at an event (vt is in µs). */
const msAt = (e: TraceEvent) => Math.floor(e.vt / 1000);

async function fieldsRun(t: TestContext): Promise<Run> {
  return t.run({ programs: [t.labFile("tests/fields.asm")], budget: BUDGET });
}

export default defineLab({
  name: "syscall",
  title: "System calls: uptime and sysinfo",
  edits: ["kernel/sys/info.ts", "labs/syscall/sysinfo.asm"],
  typicalSeconds: 4,
  tests: [
    {
      name: "uptime",
      title: "uptime returns virtual milliseconds since boot, and a 50 ms sleep moves it by 50",
      points: 3,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/uptime.asm")], budget: BUDGET });
        r.expectStatus(0);
        const a = r.expectSyscall("uptime", { proc: "uptime", nth: 0, ret: (v) => v >= 0, retText: "a number of milliseconds ≥ 0" });
        const b = r.expectSyscall("uptime", { proc: "uptime", nth: 1, ret: (v) => v >= 0, retText: "a number of milliseconds ≥ 0" });
        for (const c of [a, b]) {
          const want = msAt(c.entry);
          if (Math.abs(c.value! - want) > 1) r.fail("uptime: the value is not the virtual time", { expected: `about ${want} (the entry's virtual time, ${c.entry.vt} µs, in whole ms)`, actual: `${c.value}`, at: c.ret!.seq });
        }
        const d = b.value! - a.value!;
        if (d < 50 || d > 52) r.fail("uptime: a 50 ms nanosleep between the two calls", { expected: "the second value 50…52 ms above the first", actual: `${a.value} then ${b.value} (+${d})`, at: b.ret!.seq });
      },
    },
    {
      name: "sysinfo-fields",
      title: "sysinfo fills the struct: uptime, free memory (bytes) and processes alive, and returns 0",
      points: 5,
      async run(t) {
        const r = await fieldsRun(t);
        const info = symbol(r, "fields", "info");
        const c = r.expectSyscall("sysinfo", { proc: "fields", args: [info], ret: 0 });
        r.expectStatus(0);
        const m = /^(\d+) (\d+) (\d+)\n/.exec(r.stdout);
        if (!m) return r.fail("the grader's program prints the struct's three fields", { expected: 'a line "uptime free procs"', actual: JSON.stringify(r.stdout), at: c.ret!.seq });
        const [uptime, free, procs] = [Number(m[1]), Number(m[2]), Number(m[3])];
        const wantUp = msAt(c.entry); // 50 ms and more: the program slept first
        if (Math.abs(uptime - wantUp) > 1) r.fail("sysinfo: field uptime_ms (offset 0)", { expected: `about ${wantUp} ms`, actual: `${uptime}`, at: c.entry.seq });
        const wantFree = r.freeFramesAt(c.entry) * 4096;
        if (free !== wantFree) r.fail("sysinfo: field freemem (offset 4), in bytes", { expected: `${wantFree} (${wantFree / 4096} free frames × 4096 when the call entered the kernel)`, actual: `${free}`, at: c.entry.seq });
        const wantProcs = aliveBefore(r, c.entry);
        if (procs !== wantProcs) r.fail("sysinfo: field procs (offset 8)", { expected: `${wantProcs} (spawn events minus exit events before the call)`, actual: `${procs}`, at: c.entry.seq });
      },
    },
    {
      name: "sysinfo-efault",
      title: "sysinfo refuses pointers the caller may not write with -EFAULT, writing nothing (and the kernel survives)",
      points: 4,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/efault.asm")], budget: BUDGET });
        const cases: [string, number | undefined][] = [["NULL", 0], ["kernel memory 0x00100000", 0x00100000], ["the kernel half 0xc0000000", 0xc0000000], ["read-only code (_start)", undefined], ["a struct running past 0xbfffffff", 0xbffffff8]];
        cases.forEach(([what, arg], i) => r.expectSyscall("sysinfo", { proc: "efault", nth: i, args: [arg], ret: -14 }, `sysinfo(${what})`));
        r.expectStatus(0, "the exit status (1: the refused struct running past 0xbfffffff was written in part)");
        r.expectSyscall("sysinfo", { proc: "efault", nth: 5, ret: 0 }, "sysinfo with a good pointer after the bad ones");
      },
    },
    {
      name: "sysinfo-procs",
      title: "sysinfo's process count follows spawns and exits",
      points: 3,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/procs.asm")], modules: [t.labFile("tests/napper.asm")], budget: BUDGET });
        r.expectStatus(0);
        const calls = [0, 1, 2].map((nth) => r.expectSyscall("sysinfo", { proc: "procs", nth, ret: 0 }));
        const want = calls.map((c) => aliveBefore(r, c.entry));
        const got = r.stdout.trim();
        if (got !== want.join(" ")) r.fail("sysinfo: procs before spawning, with two children, after reaping them", { expected: want.join(" "), actual: got, at: calls[0]!.entry.seq });
      },
    },
    {
      name: "user-program",
      title: "labs/syscall/sysinfo.asm prints uptime, free memory and processes from the two calls",
      points: 5,
      async run(t) {
        // Run 50 ms after boot (tests/later.asm starts it), so a hard-wired "uptime: 0 ms" shows.
        const r = await t.run({ programs: [t.labFile("tests/later.asm")], modules: [t.labFile("sysinfo.asm")], budget: BUDGET });
        const up = r.expectSyscall("uptime", { proc: "sysinfo", ret: (v) => v >= 0, retText: "a number of milliseconds ≥ 0" }, "sysinfo.asm calls uptime");
        const si = r.expectSyscall("sysinfo", { proc: "sysinfo", ret: 0 }, "sysinfo.asm calls sysinfo");
        r.expectStatus(0, "sysinfo.asm exits 0 (99: it could not be started, or was killed)");
        const kib = (r.freeFramesAt(si.entry) * 4096) / 1024;
        const procs = aliveBefore(r, si.entry);
        r.expectOutput(`uptime: ${up.value} ms\nfree memory: ${kib} KiB\nprocesses: ${procs}\n`, "the three lines sysinfo.asm prints");
      },
    },
  ],
});
