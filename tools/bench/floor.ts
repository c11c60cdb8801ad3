// The floor (DESIGN §13): ringside's null syscall and IPC round trip against the in-guest anchor
// (tools/bench/inguest.ts) on the same emulator, and what tracing costs an IPC round trip. Each rep
// runs the anchor, ringside untraced and ringside traced back to back (the order rotates), each run
// alternating timed chunks of null calls and round trips after an untimed warm-up; a ratio is taken
// within each rep, and the median rep is reported with min/median/max over reps.
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { anchorRun, type AnchorTimes } from "./inguest.ts";
import { CHUNK, ROUNDS, WARM, ipcRun, type RoundTrip } from "./microkernel.ts";
import { median, r3, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

const REPS = Number(process.env.RINGSIDE_BENCH_REPS ?? 5);

/** A recorder whose output is dropped (recording cost only; formatting is measured by the trace bench). */
const dropTrace = () => new TraceRecorder(() => {}, { ipms: 100_000, mode: "microkernel", tool: "bench" }, syscallName, { bytes: () => {} });

export const floorBench: Bench = {
  name: "floor",
  async run(): Promise<BenchResult[]> {
    const anchors: AnchorTimes[] = [], plain: RoundTrip[] = [], traced: RoundTrip[] = [];
    await anchorRun(CHUNK, 2, WARM); // warm up (assembler, wasm compile)
    await ipcRun();
    for (let i = 0; i < REPS; i++) {
      const steps = [
        async () => anchors.push(await anchorRun(CHUNK, ROUNDS, WARM)),
        async () => plain.push(await ipcRun()),
        async () => traced.push(await ipcRun(dropTrace())),
      ];
      for (let j = 0; j < steps.length; j++) await steps[(i + j) % steps.length]!();
    }
    const aNull = anchors.map((a) => median(a.nullNs)), aTrip = anchors.map((a) => median(a.tripNs));
    const nullRatio = plain.map((p, i) => p.nullCall / aNull[i]!);
    const ipcRatio = plain.map((p, i) => p.trip / aTrip[i]!);
    const traceRatio = traced.map((t, i) => t.trip / plain[i]!.trip);
    const how = `${REPS} reps of (anchor, ringside, ringside traced), order rotating; each run ${ROUNDS} chunks of ${CHUNK} per kind, alternating, after ${WARM} untimed; min/median/max over reps`;
    return [
      { id: "inguest_null_ns", value: Math.round(median(aNull)), unit: "ns", detail: `in-guest anchor: ring-3 int → ring-0 iret, no host call; ${spread(aNull)} ns (chunks of one run: ${spread(anchors[0]!.nullNs)})` },
      {
        id: "inguest_roundtrip_ns",
        value: Math.round(median(aTrip)),
        unit: "ns",
        detail: `in-guest anchor: A int → copy 16 B → CR3/kstack/esp0 → iret B; B int → copy 16 B back → iret A; ${spread(aTrip)} ns`,
      },
      {
        id: "null_vs_inguest",
        value: r3(median(nullRatio)),
        unit: "ratio",
        goal: "≤ 1.30",
        ok: median(nullRatio) <= 1.3,
        detail: `ringside getpid (through the TypeScript kernel) ${spread(plain.map((p) => p.nullCall))} ns ÷ anchor null ${spread(aNull)} ns; ratio ${spread(nullRatio, 2)} (${how})`,
      },
      {
        id: "ipc_vs_inguest",
        value: r3(median(ipcRatio)),
        unit: "ratio",
        goal: "≤ 1.30",
        ok: median(ipcRatio) <= 1.3,
        detail: `ringside ipc_call + ipc_reply_recv, 16 B each way ${spread(plain.map((p) => p.trip))} ns ÷ anchor round trip ${spread(aTrip)} ns; ratio ${spread(ipcRatio, 2)} (${how})`,
      },
      {
        id: "trace_overhead_ipc_ratio",
        value: r3(median(traceRatio)),
        unit: "ratio",
        goal: "≤ 1.25",
        ok: median(traceRatio) <= 1.25,
        detail: `IPC round trip traced (every entry, exit, ipc and switch event recorded; formatting after the run not counted) ${spread(traced.map((p) => p.trip))} ns ÷ untraced; ratio ${spread(traceRatio, 2)} (${how})`,
      },
    ];
  },
};
