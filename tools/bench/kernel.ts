// Kernel benchmarks for the walking skeleton: the null-syscall round trip against an in-guest
// iret-only handler, the cost of tracing, and the time from `new Machine` to the first ring-3
// instruction. Each ratio is measured within one run of this bench.
import { createKernel } from "../build/kernel.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { assembleProgram } from "../asm/program.ts";
import { cr3Run } from "./microkernel.ts";
import { per } from "./chunks.ts";
import { median, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";


/** A program that makes `n` round trips through vector `vec` (0x80 = getpid, 0x81 = iret-only), then exits. */
function loopSource(vec: number, n: number): string {
  return `
section .text
global _start
_start:
    mov ecx, ${n}
    test ecx, ecx
    jz .done
.loop:
    mov eax, 20
    int 0x${vec.toString(16)}
    dec ecx
    jnz .loop
.done:
    mov eax, 1
    xor ebx, ebx
    int 0x80
`;
}

export const kernelBench: Bench = {
  name: "kernel",
  async run(): Promise<BenchResult[]> {
    // One program alternates timed chunks of getpid, of the in-guest iret-only vector 0x81, of 0x82
    // and of getpid with the trace recorded, in one run (microkernel.ts cr3Run); a ratio per run.
    const reps = Number(process.env.RINGSIDE_BENCH_REPS ?? 5);
    await cr3Run(); // warm up
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await cr3Run());
    const plain = runs.map((t) => ({ nullCall: per(t, "g"), iret: per(t, "n") }));
    const traced = runs.map((t) => ({ nullCall: per(t, "G") }));
    const nullRatio = plain.map((t) => t.nullCall / t.iret);
    const traceRatio = traced.map((t, i) => t.nullCall / plain[i]!.nullCall);
    // Start-up: from `new Machine` (Kernel.create) to the first ring-3 instruction (the first
    // "return to ring 3" trace event, observed through the trace sink).
    const hello = await assembleProgram("hello.asm", loopSource(0x80, 0));
    let bestStart = Infinity;
    for (let i = 0; i < 5; i++) {
      let t0 = 0;
      let tRing3 = 0;
      const trace = new TraceRecorder(
        () => {},
        { ipms: 100_000, mode: "monolithic", tool: "bench" },
        syscallName,
      );
      const origRet = trace.ret.bind(trace);
      trace.ret = (...a: Parameters<TraceRecorder["ret"]>) => {
        if (!tRing3 && a[1] === 3) tRing3 = performance.now(); // (pid, cplTo, …)
        origRet(...a);
      };
      t0 = performance.now();
      const k = await createKernel({ programs: [{ name: "hello", image: hello }], trace });
      await k.run();
      k.destroy();
      bestStart = Math.min(bestStart, tRing3 - t0);
    }

    const how = `${reps} reps; each run alternates chunks in one machine after an untimed warm-up; min/median/max over reps`;
    return [
      {
        id: "null_syscall_ratio",
        value: round(median(nullRatio)),
        unit: "ratio",
        goal: "≤ 2.0",
        ok: median(nullRatio) <= 2.0,
        detail: `getpid via TS kernel ${spread(plain.map((t) => t.nullCall))} ns vs in-guest iret (vector 0x81 on ringside's stub) ${spread(plain.map((t) => t.iret))} ns per round trip; ratio ${spread(nullRatio, 2)} (${how})`,
      },
      {
        id: "trace_overhead_ratio",
        value: round(median(traceRatio)),
        unit: "ratio",
        goal: "≤ 1.10",
        ok: median(traceRatio) <= 1.1,
        detail: `getpid traced ${spread(traced.map((t) => t.nullCall))} ns vs untraced ${spread(plain.map((t) => t.nullCall))} ns (a syscall record at the instant of the entry, and a return record; formatting after the run not counted); ratio ${spread(traceRatio, 2)}, traced and untraced chunks alternating on one machine (${how})`,
      },
      { id: "start_to_ring3_ms", value: round(bestStart), unit: "ms", detail: "Kernel.create (new Machine, stub, boot) to the first return to ring 3, best of 5" },
    ];
  },
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
