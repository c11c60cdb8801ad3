// Trace benchmark. `trace_finish_1m_s`: the recorder formatting 1,000,000 recorded events to a JSONL
// file in the default schema version (2), with version 1 timed beside it, interleaved in the same
// process after an untimed warm-up of both; and the bytes per event of each. `trace_summary_1m_s`:
// `ringside trace summary` of a synthetic 1,000,000-event trace (schema version 2, recorded by the
// kernel's TraceRecorder), timed in a child process exactly as a
// user runs it (including the CLI start-up), with the child's own peak RSS. RINGSIDE_BENCH_LONG=1
// adds the same at 10,000,000 events to show how it scales.
import { spawn } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { closeSync, openSync, writeSync } from "node:fs";
import { recordSynthTrace } from "../trace/synth.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import type { TraceVersion } from "../../kernel/trace/format.ts";
import { InstructionClock } from "../trace/instruction-clock.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { median, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

/** tools/cli/ringside.js, found upwards from this module (which may run from a bundle in build/). */
function findCli(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const cli = join(dir, "tools", "cli", "ringside.js");
    if (existsSync(cli)) return cli;
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), "tools", "cli", "ringside.js");
    dir = up;
  }
}
const CLI = findCli();
// Preloaded into the child: reports its peak resident set size on exit.
const PEAK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nRINGSIDE_MAXRSS_KB="+process.resourceUsage().maxRSS+"\\n"))`;

/** Runs `ringside trace summary <path>` once; wall seconds and peak RSS in MB. */
function runSummary(path: string): Promise<{ s: number; mb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", PEAK, CLI, "trace", "summary", path, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const s = (performance.now() - t0) / 1000;
      const m = /RINGSIDE_MAXRSS_KB=(\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`trace summary failed (exit ${code}): ${err.slice(0, 500)}`));
      const events = JSON.parse(out).events;
      if (typeof events !== "number") return reject(new Error("trace summary printed no event count"));
      resolve({ s, mb: Number(m[1]) / 1024 });
    });
  });
}

async function measure(events: number, runs: number): Promise<{ best: number; all: number[]; mb: number; bytes: number }> {
  const path = join(tmpdir(), `ringside-bench-trace-${events}-${process.pid}.jsonl`);
  try {
    recordSynthTrace(path, { events, seed: 1 }); // schema version 2, as `ringside` writes it
    const bytes = statSync(path).size;
    const all: number[] = [];
    let mb = 0;
    for (let i = 0; i < runs; i++) {
      const r = await runSummary(path);
      all.push(r.s);
      mb = Math.max(mb, r.mb);
    }
    return { best: Math.min(...all), all, mb, bytes };
  } finally {
    rmSync(path, { force: true });
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Records `n` events shaped like an IPC-heavy microkernel run (syscall, ipc send/receive, switch,
 * return, an IRQ now and then) into a recorder writing schema `version` to `path`.
 */
function recordMix(n: number, path: string, version: TraceVersion): { rec: TraceRecorder; close: () => void } {
  const fd = openSync(path, "w");
  const clock = new InstructionClock(1_000); // instants kept as the kernel keeps them (one-word deltas)
  const rec = new TraceRecorder(() => {}, { ipms: 100_000, mode: "microkernel", tool: "bench" }, syscallName, { bytes: (b) => void writeSync(fd, b), version });
  rec.attachClock(clock);
  rec.nameProcess(1, "client");
  rec.nameProcess(2, "server");
  for (let i = 0; rec.events < n; i++) {
    const pid = 1 + (i & 1), other = 2 - (i & 1);
    clock.advance(37 + (i % 11)); // one kernel entry: its events share the instant
    if (i % 5000 === 0) clock.slice();
    rec.syscall(pid, 3, 0x400100 + (i & 63), 0x205, other, 1, 2, 0x401000, 16 | (16 << 16));
    rec.ipc(pid, i & 1 ? 2 : 0, pid, other, 16);
    rec.ipc(other, 1, pid, other, 16);
    rec.switchTo(other, pid, other, "block");
    rec.ret(other, 3, 0x400120, i & 1 ? 0 : pid);
    if (i % 97 === 0) {
      clock.advance(5);
      rec.irq(other, 3, 0x400130, 14);
    }
  }
  return { rec, close: () => closeSync(fd) };
}

interface Finish {
  /** Seconds of finish() and the file writes, one per run. */
  s: number[];
  /** Bytes of the file per event (the same every run: the output is deterministic). */
  bytesPerEvent: number;
}

/** Formats `n` recorded events to a JSONL file in `version` once: seconds (finish() and the writes) and bytes per event. */
function finishOnce(n: number, version: TraceVersion, path: string): { s: number; bytesPerEvent: number } {
  const { rec, close } = recordMix(n, path, version);
  const t0 = performance.now();
  rec.finish();
  close();
  const s = (performance.now() - t0) / 1000;
  return { s, bytesPerEvent: statSync(path).size / rec.events };
}

/**
 * Times formatting `n` events in versions 2 and 1, `runs` times each, interleaved (2,1 then 1,2, …)
 * after one untimed warm-up of each.
 */
function finishTimes(n: number, runs: number): Record<TraceVersion, Finish> {
  const path = join(tmpdir(), `ringside-bench-finish-${process.pid}.jsonl`);
  const out: Record<TraceVersion, Finish> = { 1: { s: [], bytesPerEvent: 0 }, 2: { s: [], bytesPerEvent: 0 } };
  try {
    finishOnce(100_000, 2, path); // warm up, untimed
    finishOnce(100_000, 1, path);
    for (let i = 0; i < runs; i++) {
      for (const v of i & 1 ? ([1, 2] as const) : ([2, 1] as const)) {
        const r = finishOnce(n, v, path);
        out[v].s.push(r.s);
        out[v].bytesPerEvent = r.bytesPerEvent;
      }
    }
  } finally {
    rmSync(path, { force: true });
  }
  return out;
}

export const traceBench: Bench = {
  name: "trace",
  async run(): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    const fin = finishTimes(1_000_000, 7);
    const f2 = fin[2], f1 = fin[1];
    const what = "1,000,000 recorded events (syscall, ipc, switch, return, irq) formatted to JSONL by TraceRecorder.finish() and written to a file";
    out.push({
      id: "trace_finish_1m_s",
      value: Math.round(median(f2.s) * 1000) / 1000,
      unit: "s",
      goal: "≤ 0.5",
      ok: median(f2.s) <= 0.5,
      detail: `schema version 2 (the default): ${what}; min/median/max over 7 runs ${spread(f2.s, 3)} s (version 1, interleaved: ${spread(f1.s, 3)} s)`,
    });
    out.push({
      id: "trace_finish_1m_v1_s",
      value: Math.round(median(f1.s) * 1000) / 1000,
      unit: "s",
      detail: `the same in schema version 1 (--trace-version 1), interleaved with version 2; min/median/max over 7 runs ${spread(f1.s, 3)} s`,
    });
    out.push({
      id: "trace_bytes_per_event",
      value: Math.round(f2.bytesPerEvent * 10) / 10,
      unit: "B",
      detail: `schema version 2, the mix above; version 1: ${f1.bytesPerEvent.toFixed(1)} B (version 2 is ${((1 - f2.bytesPerEvent / f1.bytesPerEvent) * 100).toFixed(0)}% smaller)`,
    });
    const m = await measure(1_000_000, 3);
    const how = `\`ringside trace summary\` of a synthetic 1,000,000-event trace in schema version 2 (${(m.bytes / 1e6).toFixed(0)} MB, recorded by the kernel's TraceRecorder) in a child node process, CLI start-up included; runs ${m.all.map(r2).join(", ")} s`;
    out.push({ id: "trace_summary_1m_s", value: r2(m.best), unit: "s", goal: "≤ 3", ok: m.best <= 3, detail: `best of 3: ${how}` });
    out.push({ id: "trace_summary_1m_peak_mb", value: Math.round(m.mb), unit: "MB", goal: "≤ 300", ok: m.mb <= 300, detail: "peak RSS of the child (process.resourceUsage().maxRSS), worst of 3" });
    if (process.env.RINGSIDE_BENCH_LONG === "1") {
      const l = await measure(10_000_000, 1);
      out.push({ id: "trace_summary_10m_s", value: r2(l.best), unit: "s", detail: `10,000,000 events (${(l.bytes / 1e6).toFixed(0)} MB), peak ${Math.round(l.mb)} MB` });
    }
    return out;
  },
};
