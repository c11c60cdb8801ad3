// Whole command-line processes, as a user waits for them: `ringside boot --input 'exit'` against a
// bare `node` process that imports v86 and builds a machine (`cli_boot_vs_node`: what ringside adds on
// top of the emulator's own start-up), and a scripted shell session with and without `--trace`
// (`trace_overhead_boot_ratio`: the whole run, writing the trace file included). Both pairs alternate,
// after an untimed run of each; the ratios are of the medians.
import { spawnSync } from "node:child_process";
import { mkdtempSync, copyFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromRoot } from "../paths.ts";
import { ensureDefaultImage } from "../image/default.ts";
import type { Bench, BenchResult } from "./types.ts";

const REPS = Number(process.env.RINGSIDE_BENCH_REPS ?? 5);
const SESSION = "echo ringside\nls /home\ncat /home/readme.txt\nwrite /home/n.txt a note\ncat /home/n.txt\nrm /home/n.txt\nps\nexit\n";

/** A node process that imports v86 and builds (and frees) a bare machine: the floor of any boot. */
const BARE = `
import { V86 } from "v86";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const req = createRequire(import.meta.url);
const wasm = new WebAssembly.Module(readFileSync(req.resolve("v86/build/v86.wasm")));
const mb = new Uint8Array(4096); mb.set([0x02,0xb0,0xad,0x1b, 0x00,0x00,0x00,0x00, 0xfe,0x4f,0x52,0xe4]);
const e = new V86({ wasm_fn: async (i) => (await WebAssembly.instantiate(wasm, i)).exports, memory_size: 32 << 20, vga_memory_size: 256 << 10,
  multiboot: { buffer: mb.buffer }, autostart: false, disable_keyboard: true, disable_mouse: true, disable_speaker: true, acpi: false, log_level: 0 });
await new Promise((r) => e.add_listener("emulator-loaded", r));
e.destroy();
process.exit(0);
`;

/** Wall ms of one process. */
function timed(args: string[], opts: { input?: string } = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: fromRoot(), input: opts.input ?? "", stdio: ["pipe", "ignore", "pipe"], encoding: "utf8" });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mmm = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(0)}/${median(xs).toFixed(0)}/${s.at(-1)!.toFixed(0)} ms`;
};

export const cliBench: Bench = {
  name: "cli",
  async run(): Promise<BenchResult[]> {
    const cli = fromRoot("tools", "cli", "ringside.js");
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-bench-cli-"));
    const img = path.join(dir, "disk.img");
    copyFileSync(await ensureDefaultImage(), img);
    const trace = path.join(dir, "t.jsonl");
    const boot = () => timed([cli, "boot", img, "--snapshot", "--input", "exit\n"]);
    const bare = () => timed(["--input-type=module", "-e", BARE]);
    const plain = () => timed([cli, "boot", img, "--snapshot", "--input", SESSION]);
    const traced = () => timed([cli, "boot", img, "--snapshot", "--trace", trace, "--input", SESSION]);
    boot(), bare(), plain(), traced(); // untimed: the bundle, the stub cache and the OS file cache warm up
    const b: number[] = [], n: number[] = [], p: number[] = [], t: number[] = [];
    for (let i = 0; i < REPS; i++) {
      b.push(boot());
      n.push(bare());
      p.push(plain());
      t.push(traced());
    }
    rmSync(dir, { recursive: true, force: true });
    const bootRatio = median(b) / median(n), traceRatio = median(t) / median(p);
    return [
      { id: "cli_boot_vs_node", value: Math.round(bootRatio * 100) / 100, unit: "ratio", goal: "≤ 1.5", ok: bootRatio <= 1.5, detail: `\`ringside boot --snapshot --input 'exit'\` as a whole process ${mmm(b)} vs a node process that imports v86 and builds a bare machine ${mmm(n)} (min/median/max of ${REPS}, alternating)` },
      { id: "trace_overhead_boot_ratio", value: Math.round(traceRatio * 100) / 100, unit: "ratio", goal: "≤ 1.5", ok: traceRatio <= 1.5, detail: `a scripted shell session (echo, ls, cat, write, rm, ps) as a whole \`ringside boot\` process with --trace ${mmm(t)} vs without ${mmm(p)} (writing the trace file included; ${REPS} alternating)` },
    ];
  },
};
