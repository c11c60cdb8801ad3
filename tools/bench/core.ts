// Kernel-core benchmarks: a yield ping-pong between two processes per switch, divided
// by the null syscall measured in the same run; and spawn + exit + wait of a minimal program.
import type { ProgramSpec } from "../../kernel/kernel.ts";
import { createKernel } from "../build/kernel.ts";
import { assembleProgram } from "../asm/program.ts";
import type { Bench, BenchResult } from "./types.ts";

const N = 100_000;
const SPAWNS = 2_000;

/** A program that runs `body` n times, then exits 0. */
const loop = (body: string, n: number) => `
%include "ulib.inc"
section .data
child db "child", 0
status dd 0
section .text
global _start
_start:
    mov edi, ${n}
    test edi, edi
    jz .done
.loop:
${body}
    dec edi
    jnz .loop
.done:
    mov ebx, 0
    call ulib_exit
`;
const YIELD = "    mov eax, SYS_sched_yield\n    int 0x80";
const GETPID = "    mov eax, SYS_getpid\n    int 0x80";
const SPAWN = "    SYSCALL SYS_spawn, child, 0\n    SYSCALL SYS_waitpid, eax, status, 0";
const CHILD = "%include \"ulib.inc\"\nsection .text\nglobal _start\n_start:\n    mov ebx, 0\n    call ulib_exit\n";

async function img(src: string): Promise<Uint8Array> {
  return assembleProgram("bench.asm", src);
}

/** Wall time of kernel.run() for these programs, in ms. */
async function timeRun(programs: ProgramSpec[], modules: ProgramSpec[] = []): Promise<number> {
  const k = await createKernel({ programs, modules });
  const t0 = performance.now();
  const r = await k.run();
  const t = performance.now() - t0;
  k.destroy();
  if (r.reason !== "exit" || r.status !== 0) throw new Error(`bench program failed: ${r.reason} ${r.status}`);
  return t;
}

/** Best of `reps` of T(full) − T(empty). */
async function best(reps: number, full: () => Promise<number>, empty: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < reps; i++) b = Math.min(b, (await full()) - (await empty()));
  return b;
}

export const coreBench: Bench = {
  name: "core",
  async run(): Promise<BenchResult[]> {
    const [yieldN, yield0, getpidN, getpid0, spawnN, spawn0, child] = await Promise.all([
      img(loop(YIELD, N)), img(loop(YIELD, 0)), img(loop(GETPID, N)), img(loop(GETPID, 0)),
      img(loop(SPAWN, SPAWNS)), img(loop(SPAWN, 0)), img(CHILD),
    ]);
    const p = (name: string, image: Uint8Array) => ({ name, image });
    const reps = 3;
    await timeRun([p("a", yieldN), p("b", yieldN)]); // warm up
    // Two processes yielding to each other: 2N yields, each one a switch to the other process.
    const pingPong = await best(reps, () => timeRun([p("a", yieldN), p("b", yieldN)]), () => timeRun([p("a", yield0), p("b", yield0)]));
    const nullCall = await best(reps, () => timeRun([p("g", getpidN)]), () => timeRun([p("g", getpid0)]));
    const spawn = await best(reps, () => timeRun([p("s", spawnN)], [p("child", child)]), () => timeRun([p("s", spawn0)], [p("child", child)]));
    const perSwitch = (pingPong / (2 * N)) * 1e6;
    const perNull = (nullCall / N) * 1e6;
    const perSpawn = (spawn / SPAWNS) * 1e3;
    return [
      {
        id: "context_switch_ratio",
        value: Math.round((perSwitch / perNull) * 1000) / 1000,
        unit: "ratio",
        detail: `sched_yield ping-pong ${perSwitch.toFixed(0)} ns per switch (CR3 + kernel stack + TSS.esp0) vs getpid ${perNull.toFixed(0)} ns (${N} iterations per process, best of ${reps})`,
      },
      {
        id: "spawn_exit_us",
        value: Math.round(perSpawn * 10) / 10,
        unit: "µs",
        detail: `spawn + exit + waitpid of a minimal ELF child, per cycle (${SPAWNS} cycles, best of ${reps})`,
      },
    ];
  },
};
