// The grader of the `recovery` lab (labs/recovery/README.md): `npx ringside lab grade recovery`.
// Boots the microkernel system, runs the torture workload from the shell (`torture`: 60 checksummed
// records appended round robin to /home/t0…t2, each acknowledged write printed "ack <n>", each failed
// one "fail <n>"; servers/apps/torture.asm) and kills the disk server with an injected fault
// (`--inject disk:crash@N`) at seeded points: the N-th request the disk receives, which is then in
// flight. Checks the console output, the trace (fault, spawn, exit events) and the disk image after
// the run (records present, fsck).
import { defineLab, type Run, type TestContext } from "../../tools/lab/grade-lib.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import type { FaultSpec } from "../../kernel/faults.ts";

const BUDGET = 600_000_000;
const RECORDS = 60;
/** The seed of the crash points (like `ringside torture --seed`). */
const SEED = 7;

/** The record the workload writes for n (servers/apps/torture.asm). */
const record = (n: number) => `${String(n).padStart(6, "0")} ${(Math.imul(n, 2654435761) >>> 0).toString(16).padStart(8, "0")}\n`;

/** Six crash points from SEED: the disk's 30th…199th request (it serves 214 in the whole session, 24 before torture starts). */
function crashPoints(): number[] {
  let x = SEED >>> 0 || 1;
  const out: number[] = [];
  while (out.length < 6) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(30 + (x % 170));
  }
  return out;
}

const crash = (request: number): FaultSpec => ({ target: "disk", fault: "crash", when: { request } });

interface Outcome {
  run: Run;
  what: string;
  acked: number[];
  failed: number[];
}

const memo = new Map<string, Promise<Outcome>>();
function tortureRun(t: TestContext, faults: FaultSpec[]): Promise<Outcome> {
  const key = JSON.stringify(faults);
  let p = memo.get(key);
  if (!p) {
    p = t.boot({ input: "torture\n", faults, budget: BUDGET }).then((run) => ({
      run,
      what: faults.map((f) => `disk:crash@${(f.when as { request: number }).request}`).join(" ") || "no fault",
      acked: [...run.stdout.matchAll(/^ack (\d+)\r?$/gm)].map((m) => Number(m[1])),
      failed: [...run.stdout.matchAll(/^fail (\d+)\r?$/gm)].map((m) => Number(m[1])),
    }));
    memo.set(key, p);
  }
  return p;
}

/** The disk server was killed by the fault and started again by rs. */
function expectRestart(o: Outcome): void {
  const f = o.run.expectEvent({ kind: "fault", where: (e) => e.target === "disk" }, `${o.what}: the injected fault strikes`);
  o.run.expectEvent({ kind: "spawn", proc: "disk", where: (e) => e.seq > f.seq }, `${o.what}: rs starts the disk server again`);
}

/** Every write completed: 60 acknowledgements, no failure. */
function expectAllAcked(o: Outcome): void {
  const f = o.run.find({ kind: "fault" });
  if (o.failed.length) o.run.fail(`${o.what}: a write failed although the disk server came back`, { expected: `${RECORDS} × "ack <n>", no "fail <n>"`, actual: `fail ${o.failed.join(", ")} (the in-flight disk request was not sent again: the client got EIO)`, at: f?.seq });
  if (o.acked.length !== RECORDS) o.run.fail(`${o.what}: every write acknowledged`, { expected: `${RECORDS} acks`, actual: `${o.acked.length}` });
}

/** The seeded runs, one after another (one emulated machine at a time). */
async function runAll(t: TestContext): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const n of crashPoints()) out.push(await tortureRun(t, [crash(n)]));
  return out;
}

export default defineLab({
  name: "recovery",
  title: "Recovery: the file server sends an in-flight disk request again after the disk server restarts",
  edits: ["servers/fs/bio.inc"],
  typicalSeconds: 6,
  projectTests: [
    "tests/faults.test.ts › disk:crash@5 in the microkernel: the session completes; the trace shows the crash, the restart and the repeated request",
    "tests/faults.test.ts › a fault due at a request strikes before the server serves it, even one it takes from its queue (the caller's return fast path)",
    "tests/faults.test.ts › typed input waits for the shell while a crashed server restarts during boot (lines and keys)",
    "tests/torture.test.ts › 8 seeded faults into disk and fs: 0 lost acknowledged writes, 0 fsck problems, 0 hung clients",
    "tests/microkernel.test.ts › restarts a killed disk server: the next cat and ls work (rs, docs/recovery.md)",
    "tests/recovery.test.ts › disk, fs and console are restarted; cat, ls and echo work again and ps counts the restarts",
    // Without the retry the file server answers EIO at once instead of waiting for the disk, and the
    // shell's next command is typed before the error is printed.
    "tests/recovery.test.ts › a server with no restart policy stays down: calls fail with EIO, nothing hangs",
  ],
  tests: [
    {
      name: "in-flight",
      title: "the disk server dies with a write in flight (disk:crash@60): the write completes once it is back",
      points: 6,
      async run(t) {
        const o = await tortureRun(t, [crash(60)]);
        expectRestart(o);
        expectAllAcked(o);
      },
    },
    {
      name: "seeded-crashes",
      title: `six seeded crash points (seed ${SEED}): every write of every run completes`,
      points: 6,
      async run(t) {
        for (const o of await runAll(t)) {
          expectRestart(o);
          expectAllAcked(o);
        }
      },
    },
    {
      name: "two-crashes",
      title: "the disk server dies twice in one run (its 60th and 150th requests): every write completes",
      points: 4,
      async run(t) {
        const o = await tortureRun(t, [crash(60), crash(150)]);
        o.run.expectCount({ kind: "fault", where: (e) => e.target === "disk" }, 2, "two injected crashes");
        expectAllAcked(o);
      },
    },
    {
      name: "no-lost-writes",
      title: "zero lost acknowledged writes: every acked record is in its file after every run (keep it passing)",
      points: 4,
      needsSolution: false,
      async run(t) {
        for (const o of [...(await runAll(t)), await tortureRun(t, [crash(60)])]) {
          const files = [0, 1, 2].map((i) => o.run.file(`/home/t${i}`) ?? "");
          const lost = o.acked.filter((n) => !files[n % 3]!.includes(record(n)));
          if (lost.length) o.run.fail(`${o.what}: acknowledged records missing from /home/t0…t2`, { expected: "every acked record present", actual: `lost: ${lost.join(", ")}` });
        }
      },
    },
    {
      name: "no-hang-fsck",
      title: "every run ends (the workload reports its last record, the system shuts down) and fsck is clean (keep it passing)",
      points: 3,
      needsSolution: false,
      async run(t) {
        for (const o of await runAll(t)) {
          if (o.run.result.reason !== "shutdown") o.run.fail(`${o.what}: the run ends with a shutdown`, { actual: o.run.result.reason, at: o.run.events.length - 1 });
          if (!o.acked.includes(RECORDS - 1) && !o.failed.includes(RECORDS - 1)) o.run.fail(`${o.what}: the workload reaches its last record`, { expected: `ack ${RECORDS - 1} or fail ${RECORDS - 1}`, actual: o.run.stdout.slice(-200) });
          const problems = Rsfs.open(o.run.image).fsck();
          if (problems.length) o.run.fail(`${o.what}: fsck of the disk image after the run`, { expected: "clean", actual: problems.slice(0, 5).join("; ") });
        }
      },
    },
  ],
});
