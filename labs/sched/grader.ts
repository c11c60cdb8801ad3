// The grader of the `sched` lab (labs/sched/README.md): `npx ringside lab grade sched`.
// Every run uses the student's policy (kernel/sched/mlfq.ts, selected through the grading library's
// `policy` option — the system's default stays priority-rr) and every check reads the `switch`,
// `syscall`/`return`, `ipc` and `exit` events recorded at the trap boundary.
import { defineLab, type Run, type TestContext } from "../../tools/lab/grade-lib.ts";
import { Mlfq } from "../../kernel/sched/mlfq.ts";
import type { TraceEvent } from "../../tools/trace/schema.ts";

/** The rules of LAB.md: three levels with 5, 10 and 20 ms slices, a boost every 100 ms. */
const SLICES = [5, 10, 20];
const BOOST = 100;
/**
 * Tolerance on a run's length, in ms: the kernel's clock for slices and sleeps counts whole virtual
 * ms, so a slice that starts between two ms ticks may run up to 1 ms longer.
 */
const TOL = 1.1;
/** The kernel ends a sleep at the first whole ms after it is due: a 3 ms nanosleep returns ≥ 1 ms late even on an idle CPU. */
const SLEEP_LATE = 1;

const ms = (e: TraceEvent) => e.vt / 1000;

async function mlfqRun(t: TestContext, program: string, modules: string[], budget: number, mode?: "microkernel"): Promise<Run> {
  return t.run({ programs: [t.labFile(`tests/${program}.asm`)], modules: modules.map((m) => t.labFile(`tests/${m}.asm`)), budget, mode, policy: (now) => new Mlfq(now), policyName: "lab's MLFQ" });
}

/** One stretch of CPU time of a process: from the switch to it to the switch away from it (or its exit). */
interface Stint {
  pid: number;
  start: number;
  end: number;
  len: number;
  at: number;
}

/** Every process's stints, in order, from the `switch` events. */
function stints(r: Run): Stint[] {
  const out: Stint[] = [];
  let cur: { pid: number; start: number; at: number } | null = null;
  for (const e of r.events) {
    if (e.kind !== "switch") continue;
    if (cur) out.push({ pid: cur.pid, start: cur.start, end: ms(e), len: ms(e) - cur.start, at: cur.at });
    cur = typeof e.to === "number" && e.to >= 0 ? { pid: e.to, start: ms(e), at: e.seq } : null;
  }
  return out;
}

/** The pids of the processes named `name`, in spawn order. */
function pids(r: Run, name: string): number[] {
  return r.all({ kind: "spawn", proc: name }).map((e) => e.pid!);
}

/** Shared run of the three equal hogs (demotion, boost, fair-share). */
let hogsRun: Promise<Run> | undefined;
const hogs = (t: TestContext) => (hogsRun ??= mlfqRun(t, "hogs", ["hog"], 60_000_000));

export default defineLab({
  name: "sched",
  title: "Scheduling: a multi-level feedback queue",
  edits: ["kernel/sched/mlfq.ts"],
  typicalSeconds: 5,
  tests: [
    {
      name: "demotion",
      title: "a process that uses up its slice moves down: a CPU-bound program runs 5, then 10, then 20 ms",
      points: 5,
      async run(t) {
        hogsRun = undefined;
        const r = await hogs(t);
        r.expectStatus(0);
        const [a] = pids(r, "hog");
        const s = stints(r).filter((x) => x.pid === a);
        SLICES.forEach((want, i) => {
          const x = s[i];
          if (!x) return r.fail(`the first hog (pid ${a}) should run ${SLICES.length} times before the first boost`, { expected: `${SLICES.length} stints`, actual: `${s.length}` });
          if (x.len < want - 0.1 || x.len > want + TOL) r.fail(`the first hog's run ${i + 1} (level ${i}) lasts its level's slice`, { expected: `${want} ms (up to +${TOL})`, actual: `${x.len.toFixed(2)} ms, from ${x.start.toFixed(2)} ms`, at: x.at });
        });
      },
    },
    {
      name: "fair-share",
      title: "three equal CPU-bound programs share the CPU equally (each 28–39 % until the first ends)",
      points: 4,
      async run(t) {
        const r = await hogs(t);
        const hp = pids(r, "hog");
        const firstExit = r.all({ kind: "exit", proc: "hog" })[0];
        if (!firstExit) return r.fail("the hogs end");
        const until = ms(firstExit);
        const s = stints(r).filter((x) => hp.includes(x.pid) && x.start < until);
        const total = s.reduce((n, x) => n + Math.min(x.end, until) - x.start, 0);
        for (const p of hp) {
          const mine = s.filter((x) => x.pid === p).reduce((n, x) => n + Math.min(x.end, until) - x.start, 0);
          const share = mine / total;
          if (share < 0.28 || share > 0.39) r.fail(`hog pid ${p}'s share of the CPU until the first hog exits (${until.toFixed(1)} ms)`, { expected: "28–39 %", actual: `${(share * 100).toFixed(1)} % (${mine.toFixed(1)} of ${total.toFixed(1)} ms)`, at: firstExit.seq });
        }
      },
    },
    {
      name: "boost",
      title: `every ${BOOST} ms everyone moves back to the top: a demoted program runs a 5 ms slice again`,
      points: 3,
      async run(t) {
        const r = await hogs(t);
        const [a] = pids(r, "hog");
        const s = stints(r).filter((x) => x.pid === a);
        const bottom = s.findIndex((x) => x.len > SLICES[2]! - 0.1);
        if (bottom < 0) return r.fail("the first hog reaches the bottom level (a 20 ms run)", { expected: "a run of 20 ms", actual: s.map((x) => x.len.toFixed(1)).join(", ") + " ms" });
        const again = s.slice(bottom + 1).find((x) => x.len <= SLICES[0]! + TOL);
        if (!again || again.start > BOOST + 3 * SLICES[2]! + 1) {
          r.fail("after the boost the first hog runs a level-0 slice (5 ms) again", { expected: `a 5 ms run starting by ${BOOST + 3 * SLICES[2]! + 1} ms (the boost at ${BOOST} ms, then the runs already due)`, actual: s.slice(bottom + 1).map((x) => `${x.len.toFixed(1)} ms at ${x.start.toFixed(1)}`).join(", ") || "no later run", at: s[bottom]!.at });
        }
      },
    },
    {
      name: "interactive",
      title: "a program that sleeps 3 ms at a time gets the CPU at once when its sleep ends (mean delay ≤ 2 ms, 1 of it the clock's) while two CPU-bound programs run",
      points: 6,
      async run(t) {
        const r = await mlfqRun(t, "inter", ["hog"], 60_000_000);
        r.expectStatus(0);
        const sleeps = r.syscalls("nanosleep", "inter");
        if (sleeps.length !== 20) return r.fail("inter sleeps 20 times", { expected: "20 nanosleep calls", actual: `${sleeps.length}` });
        const lat = sleeps.map((c) => (c.ret ? ms(c.ret) - (ms(c.entry) + 3) : Infinity));
        const measured = lat;
        const hogEnd = r.find({ kind: "exit", proc: "hog" });
        const lastWake = sleeps[19]!.ret;
        if (!lastWake || !hogEnd || lastWake.seq > hogEnd.seq) r.fail("inter's 20 short sleeps all end while both hogs still run (inter blocks early, so it keeps its level and should preempt the hogs when it wakes: preemptsOnWake)", { expected: "the 20th nanosleep returns before the first hog exits", actual: lastWake ? `it returns at ${ms(lastWake).toFixed(1)} ms, after the hog's exit at ${hogEnd ? ms(hogEnd).toFixed(1) : "?"} ms` : "it never returns", at: hogEnd?.seq ?? lastWake?.seq });
        const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
        const worst = Math.max(...measured);
        const at = sleeps[measured.indexOf(worst)]!;
        if (mean > SLEEP_LATE + 1) r.fail("the mean delay between the end of a 3 ms sleep and inter running again (all 20 wakes; a woken process that ranks better should preempt at once: preemptsOnWake, and `trace show <trace> --kind switch` shows reason=wake switches)", { expected: `≤ ${SLEEP_LATE + 1} ms (${SLEEP_LATE} ms of it the kernel's whole-ms sleep)`, actual: `${mean.toFixed(2)} ms (each: ${measured.map((x) => x.toFixed(2)).join(" ")})`, at: at.ret?.seq ?? at.entry.seq });
        if (worst > SLEEP_LATE + 2 * SLICES[0]! + TOL) r.fail("the worst delay of a wake (only the hogs' level-0 slices — at the start and after a boost — may be in the way)", { expected: `≤ ${SLEEP_LATE + 2 * SLICES[0]! + TOL} ms`, actual: `${worst.toFixed(2)} ms`, at: at.ret?.seq ?? at.entry.seq });
      },
    },
    {
      name: "no-starvation",
      title: "a demoted CPU-bound program still runs at least every 130 ms while three programs keep the top level busy",
      points: 5,
      async run(t) {
        const r = await mlfqRun(t, "starve", ["longhog", "busy"], 90_000_000);
        r.expectStatus(0);
        const [h] = pids(r, "longhog");
        const busyEnd = Math.max(...r.all({ kind: "exit", proc: "busy" }).map(ms));
        const s = stints(r).filter((x) => x.pid === h);
        let last = s[0] ? s[0].end : 0;
        for (const x of s.slice(1)) {
          if (x.start - last > BOOST + 30) return r.fail("the longest wait of the demoted hog for the CPU", { expected: `≤ ${BOOST + 30} ms`, actual: `${(x.start - last).toFixed(1)} ms (from ${last.toFixed(1)} to ${x.start.toFixed(1)} ms)`, at: x.at });
          last = x.end;
        }
        if (s.length && busyEnd - last > BOOST + 30) r.fail("the demoted hog runs while the busy programs live", { expected: `a run within ${BOOST + 30} ms`, actual: `no run from ${last.toFixed(1)} ms until the busy programs ended at ${busyEnd.toFixed(1)} ms` });
        const busy = pids(r, "busy");
        const firstBusyEnd = Math.min(...r.all({ kind: "exit", proc: "busy" }).map(ms));
        const bs = stints(r).filter((x) => busy.includes(x.pid) && x.start < firstBusyEnd);
        const longest = bs.reduce((m, x) => Math.max(m, x.len), 0);
        if (longest > SLICES[0]! + TOL) r.fail("a process that blocks before its slice ends keeps the top level (busy runs ≤ 5 ms)", { expected: `≤ ${SLICES[0]} ms`, actual: `${longest.toFixed(2)} ms` });
      },
    },
    {
      name: "nice-bands",
      title: "nice value first: a CPU-bound program with a worse nice value does not run while better ones can, though they sink below its level",
      points: 3,
      async run(t) {
        const r = await mlfqRun(t, "nicer", ["hog", "nicehog"], 60_000_000);
        r.expectStatus(0);
        const [a, b] = pids(r, "hog");
        const [n] = pids(r, "nicehog");
        const ends = r.all({ kind: "exit", proc: "hog" });
        if (ends.length < 2) return r.fail("both hogs end", { expected: "2 exit events of hog", actual: `${ends.length}` });
        const s = stints(r);
        const firstEnd = ends[0]!.seq;
        if (!s.some((x) => x.pid === a && x.at < firstEnd) || !s.some((x) => x.pid === b && x.at < firstEnd)) {
          r.fail(`the two nice-0 hogs (pids ${a}, ${b}) take turns`, { expected: "both run before the first of them exits", actual: "one ran alone to its end", at: firstEnd });
        }
        const niced = r.expectSyscall("setpriority", { proc: "nicehog", ret: 0 }, "nicehog sets its nice value to 5");
        const early = s.find((x) => x.pid === n && x.at > niced.ret!.seq && x.at < ends[1]!.seq);
        if (early) r.fail(`nicehog (pid ${n}, nice 5) runs while a nice-0 hog is ready`, { expected: `no run of nicehog from its setpriority until both hogs exit (${ms(ends[1]!).toFixed(1)} ms), whatever their levels`, actual: `a run of ${early.len.toFixed(1)} ms from ${early.start.toFixed(1)} ms`, at: early.at });
      },
    },
    {
      name: "handoff",
      title: "a rendezvous hands the CPU to its partner only when no ready process ranks strictly better",
      points: 3,
      async run(t) {
        const r = await mlfqRun(t, "handoff", ["hog"], 60_000_000, "microkernel");
        r.expectStatus(0);
        const [me] = pids(r, "handoff");
        const [h] = pids(r, "hog");
        const spawned = r.expectEvent({ kind: "spawn", proc: "hog" }, "handoff starts the hog");
        const reply = r.expectEvent({ kind: "ipc", op: "reply", dst: me, where: (e) => e.seq > spawned.seq }, "the file server's first reply to handoff after the hog starts");
        const next = r.find({ kind: "switch" }, reply.seq + 1);
        if (!next || next.to === me) r.fail(`after the file server's reply, the CPU goes to a ready process ranking strictly better (the hog, pid ${h}, still at the top level, or a server), not back to handoff (pid ${me}, demoted)`, { expected: `a switch to another process than ${me}`, actual: next ? `a switch to pid ${next.to} (reason ${next.reason})` : "no switch", at: next?.seq ?? reply.seq });
      },
    },
    {
      name: "server-preempt",
      title: "servers still preempt programs: rs, woken by a timer notification, runs at once while CPU-bound programs run",
      points: 5,
      async run(t) {
        const r = await mlfqRun(t, "reader", ["hog"], 60_000_000, "microkernel");
        r.expectStatus(0);
        const hp = pids(r, "hog");
        const [rs] = pids(r, "rs");
        let n = 0;
        let running: number | null = null;
        for (let i = 0; i < r.events.length; i++) {
          const e = r.events[i]!;
          if (e.kind === "switch") running = typeof e.to === "number" ? e.to : null;
          if (e.kind === "ipc" && e.op === "receive" && e.src === null && e.dst === rs && running !== null && hp.includes(running)) {
            n++;
            const next = r.find({ kind: "switch" }, i + 1);
            if (!next || next.to !== rs || next.vt - e.vt > 20) r.fail(`the timer's notification to rs (pid ${rs}) while hog pid ${running} runs`, { expected: "a switch to rs at once (within 20 µs)", actual: next ? `the next switch is to pid ${next.to}, ${((next.vt - e.vt) / 1000).toFixed(2)} ms later` : "no switch", at: e.seq });
          }
        }
        if (n < 5) r.fail("rs is woken by the timer while hogs run", { expected: "at least 5 notifications to rs while a hog runs", actual: `${n}` });
      },
    },
  ],
});
