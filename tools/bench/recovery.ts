// Recovery (the reincarnation server): how long a service is gone after a crash — virtual µs from
// the injected fault to the first request the restarted server takes in (`recovery_disk_us`,
// `recovery_fs_us`, from the trace of a torture workload) — what the reincarnation server and its
// heartbeats cost a file workload (`rs_overhead_ratio`: 1,000 small writes with rs and heartbeats ÷
// without, runs alternating, medians), and the torture test at scale (`torture_*`: 1,000 seeded
// faults into disk and fs).
import { loadBootImage } from "../../boot/loader.ts";
import type { FaultSpec } from "../../kernel/faults.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { createKernel } from "../build/kernel.ts";
import { readTraceText } from "../trace/reader.ts";
import { torture } from "../torture/index.ts";
import { imageWith, measure, median, range, WRITER } from "./modes.ts";
import { readFileSync } from "node:fs";
import { fromRoot } from "../paths.ts";
import type { Bench, BenchResult } from "./types.ts";

const TORTURE_RUNS = Number(process.env.RINGSIDE_BENCH_TORTURE_RUNS ?? 1000);
const OVERHEAD_RUNS = 5;

type Ev = Record<string, unknown>;

/** Virtual µs from `fault` to the first message its restarted target receives from a client. */
async function recoveryUs(disk: Uint8Array, fault: FaultSpec): Promise<number> {
  let text = "";
  const trace = new TraceRecorder((t) => (text += t), { ipms: 100_000, mode: "microkernel", tool: "bench" }, syscallName);
  const k = await createKernel({ ...loadBootImage(disk.slice()), faults: [fault], trace, onIdle: () => false });
  const r = await k.run();
  k.destroy();
  trace.finish();
  if (r.reason !== "shutdown") throw new Error(`recovery run of ${fault.target} ended: ${r.reason} ${r.panic ?? ""}`);
  const events = readTraceText(text).events as Ev[];
  const f = events.find((e) => e.kind === "fault");
  const restart = events.find((e) => e.kind === "restart" && e.name === fault.target);
  if (!f || !restart) throw new Error(`no fault or no restart of ${fault.target} in the trace`);
  const served = events.find((e) => (e.seq as number) > (restart.seq as number) && e.kind === "ipc" && e.op === "receive" && e.dst === restart.pid && e.src !== null);
  if (!served) throw new Error(`the restarted ${fault.target} never took a request`);
  return (served.vt as number) - (f.vt as number);
}

export const recoveryBench: Bench = {
  name: "recovery",
  async run(): Promise<BenchResult[]> {
    const src = readFileSync(fromRoot("servers", "apps", "torture.asm"), "utf8");
    const tortureDisk = await imageWith("torture", src);
    const disk = await recoveryUs(tortureDisk, { target: "disk", fault: "crash", when: { request: 80 } });
    const fs = await recoveryUs(tortureDisk, { target: "fs", fault: "crash", when: { request: 30 } });

    const withRs = await imageWith("writes", WRITER);
    const withoutRs = await imageWith("writes", WRITER, (t) => t.replace(/^server\s+rs\s.*\n/m, "").replace(/ heartbeat=\d+/g, ""));
    await measure(withRs, "microkernel");
    await measure(withoutRs, "microkernel");
    const on: number[] = [], off: number[] = [];
    for (let i = 0; i < OVERHEAD_RUNS; i++) {
      on.push((await measure(withRs, "microkernel")).ms);
      off.push((await measure(withoutRs, "microkernel")).ms);
    }
    const overhead = median(on) / median(off);

    const t = await torture({ runs: TORTURE_RUNS, seed: 1 });
    const how = `\`ringside torture --runs ${TORTURE_RUNS} --seed 1\`: one seeded fail-stop fault (crash, exception, hang, bad-io) per run into disk or fs while 60 records are written`;
    return [
      { id: "recovery_disk_us", value: Math.round(disk), unit: "µs (virtual)", detail: "disk server crashed at its 80th request: from the fault to the first request the restarted disk server receives (back-off 10 ms; the file server retries its request)" },
      { id: "recovery_fs_us", value: Math.round(fs), unit: "µs (virtual)", detail: "file server crashed at its 30th request: from the fault to the first request the restarted file server receives (no back-off)" },
      { id: "rs_overhead_ratio", value: Math.round(overhead * 1000) / 1000, unit: "ratio", goal: "≤ 1.05", ok: overhead <= 1.05, detail: `1,000 small writes with rs and 500 ms heartbeats ÷ without rs, host wall time between the workload's marks (min/median/max: with ${range(on, 1)} ms, without ${range(off, 1)} ms; ${OVERHEAD_RUNS} alternating runs after one untimed of each)` },
      { id: "torture_faults", value: t.faults, unit: "faults", detail: how },
      { id: "torture_lost_writes", value: t.lostWrites, unit: "writes", goal: "0", ok: t.lostWrites === 0, detail: `acknowledged writes missing from the image afterwards (of ${t.acked} acknowledged)` },
      { id: "torture_fsck_problems", value: t.fsckProblems, unit: "problems", goal: "0", ok: t.fsckProblems === 0, detail: "image fsck problems after the runs" },
      { id: "torture_hangs", value: t.hangs, unit: "runs", goal: "0", ok: t.hangs === 0, detail: "runs in which the workload did not finish (a client hung)" },
    ];
  },
};
