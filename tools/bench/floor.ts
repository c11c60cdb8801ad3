// The floor: ringside's null syscall and IPC round trip against an in-guest anchor on
// the same emulator, and what tracing costs an IPC round trip. Every ratio is taken within one run
// on one machine: the client alternates chunks of getpid, of the in-guest null (`int 0x81` →
// `iret`), of the host crossings with and without a trap frame (`int 0x84`, `int 0x85`), of
// ringside's IPC round trip, of the in-machine anchor's round trip (`int 0x83`: two
// address spaces, 16 bytes each way, all in ring 0, no host call) and of the IPC round trip traced
// (microkernel.ts ipcRun). The stand-alone anchor (inguest.ts: its own minimal kernel on its own
// Machine) runs between the reps as a cross-check that the in-machine anchor is a fair floor.
import { anchorRun, type AnchorTimes } from "./inguest.ts";
import { ipcRun } from "./microkernel.ts";
import { CHUNK, ROUNDS, WARM, per, type ChunkTimes } from "./chunks.ts";
import { median, r3, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

const REPS = Number(process.env.RINGSIDE_BENCH_REPS ?? 5);

export const floorBench: Bench = {
  name: "floor",
  async run(): Promise<BenchResult[]> {
    const anchors: AnchorTimes[] = [], runs: ChunkTimes[] = [];
    await anchorRun(CHUNK, 2, WARM); // warm up (assembler, wasm compile)
    await ipcRun();
    for (let i = 0; i < REPS; i++) {
      anchors.push(await anchorRun(CHUNK, ROUNDS, WARM));
      runs.push(await ipcRun());
    }
    const getpid = runs.map((t) => per(t, "g")), nul = runs.map((t) => per(t, "n")), host = runs.map((t) => per(t, "h")), frame = runs.map((t) => per(t, "f"));
    const trip = runs.map((t) => per(t, "t")), anchor = runs.map((t) => per(t, "a")), traced = runs.map((t) => per(t, "T"));
    const aNull = anchors.map((a) => median(a.nullNs)), aTrip = anchors.map((a) => median(a.tripNs));
    const nullRatio = getpid.map((g, i) => g / nul[i]!);
    const hostRatio = host.map((h, i) => h / nul[i]!);
    const frameRatio = frame.map((f, i) => f / nul[i]!);
    const ipcRatio = trip.map((t, i) => t / anchor[i]!);
    const traceRatio = traced.map((t, i) => t / trip[i]!);
    const how = `${REPS} runs, each alternating ${ROUNDS} chunks of ${CHUNK} calls of each kind on one machine after ${WARM} untimed; a ratio per run, min/median/max over runs`;
    return [
      {
        id: "inguest_null_ns",
        value: Math.round(median(nul)),
        unit: "ns",
        detail: `in-guest null: ring-3 int 0x81 → ring-0 iret on ringside's (bench) stub, no host call; ${spread(nul)} ns. The stand-alone anchor kernel on its own machine: ${spread(aNull)} ns`,
      },
      {
        id: "inguest_roundtrip_ns",
        value: Math.round(median(anchor)),
        unit: "ns",
        detail: `in-machine anchor: client int 0x83 → copy 16 B in → kernel stack, TSS.esp0, CR3 → copy 16 B out → iret to the partner; and back; ${spread(anchor)} ns. The stand-alone anchor kernel on its own machine (one copy of 16 B each way, physical buffers): ${spread(aTrip)} ns`,
      },
      {
        id: "null_vs_inguest",
        value: r3(median(nullRatio)),
        unit: "ratio",
        goal: "≤ 1.30",
        ok: median(nullRatio) <= 1.3,
        detail: `ringside getpid (through the TypeScript kernel) ${spread(getpid)} ns ÷ in-guest null ${spread(nul)} ns; ratio ${spread(nullRatio, 2)} (${how})`,
      },
      {
        id: "host_call_vs_inguest",
        value: r3(median(hostRatio)),
        unit: "ratio",
        detail: `the floor under any kernel whose code runs in the host: int 0x84 (ring 0 writes to a port whose host handler does nothing, then iret) ${spread(host)} ns ÷ in-guest null ${spread(nul)} ns; ratio ${spread(hostRatio, 2)} (${how})`,
      },
      {
        id: "frame_call_vs_inguest",
        value: r3(median(frameRatio)),
        unit: "ratio",
        detail: `entering ringside's kernel before any kernel code runs: int 0x85 (the stub's trap frame saved, the same do-nothing port, the frame restored as the fast path restores it, iret) ${spread(frame)} ns ÷ in-guest null ${spread(nul)} ns; ratio ${spread(frameRatio, 2)} (${how})`,
      },
      {
        id: "ipc_vs_inguest",
        value: r3(median(ipcRatio)),
        unit: "ratio",
        goal: "≤ 1.30",
        ok: median(ipcRatio) <= 1.3,
        detail: `ringside ipc_call + ipc_reply_recv, 16 B each way ${spread(trip)} ns ÷ in-machine anchor round trip ${spread(anchor)} ns; ratio ${spread(ipcRatio, 2)} (${how})`,
      },
      {
        id: "trace_overhead_ipc_ratio",
        value: r3(median(traceRatio)),
        unit: "ratio",
        goal: "≤ 1.25",
        ok: median(traceRatio) <= 1.25,
        detail: `IPC round trip traced (every entry, exit, ipc and switch event recorded; formatting after the run not counted) ${spread(traced)} ns ÷ untraced ${spread(trip)} ns; ratio ${spread(traceRatio, 2)} (${how})`,
      },
    ];
  },
};
