// Fuzzing at scale (hardening item 11): ≥ 1,000,000 random system calls from seeded programs
// (`ringside fuzz syscalls`), counting host errors (an exception escaping the kernel), panics and
// hangs. Goal: none of them. RINGSIDE_BENCH_FUZZ_CALLS overrides the total.
import { fuzz } from "../fuzz/index.ts";
import type { Bench, BenchResult } from "./types.ts";

const TOTAL = Number(process.env.RINGSIDE_BENCH_FUZZ_CALLS ?? 1_000_000);
const PER_RUN = 10_000;

export const fuzzBench: Bench = {
  name: "fuzz",
  async run(): Promise<BenchResult[]> {
    const t0 = performance.now();
    const s = await fuzz("syscalls", { count: Math.ceil(TOTAL / PER_RUN), seed: 1, callsPerRun: PER_RUN });
    const secs = (performance.now() - t0) / 1000;
    const detail = `${s.runs} programs × ${PER_RUN} calls, seeds 1…${s.runs}, ${secs.toFixed(1)} s${s.findings.length ? `; first: ${s.findings[0]!.kind} seed ${s.findings[0]!.seed}` : ""}`;
    return [
      { id: "fuzz_syscalls", value: s.syscalls, unit: "calls", goal: "≥ 1000000", ok: s.syscalls >= 1_000_000, detail },
      { id: "fuzz_host_errors", value: s.hostErrors, unit: "count", goal: "0", ok: s.hostErrors === 0 },
      { id: "fuzz_panics", value: s.panics, unit: "count", goal: "0", ok: s.panics === 0 },
      { id: "fuzz_hangs", value: s.hangs, unit: "count", goal: "0", ok: s.hangs === 0 },
    ];
  },
};
