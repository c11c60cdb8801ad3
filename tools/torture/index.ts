// The torture test: the workload servers/apps/torture.asm (numbered, checksummed records; every
// acknowledged write reported on the console) runs as the shell of a microkernel machine while one
// seeded fault strikes the disk or the file server at a random request. After each run: every
// acknowledged record must be on the image, fsck must be clean, and the run must have ended (no
// client hung). Each run is a fresh machine; run i of seed S replays exactly as `--seed S --only i`.
import { readFileSync } from "node:fs";
import { Xoshiro128 } from "../../emulator/rng.ts";
import { loadBootImage } from "../../boot/loader.ts";
import type { FaultKind, FaultSpec } from "../../kernel/faults.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { fromRoot } from "../paths.ts";
import { createKernel } from "../build/kernel.ts";

/** The faults the torture test injects: fail-stop ones (a server that keeps running after a wild
 * write may corrupt what it writes — that is measured by the experiments, not promised here). */
export const TORTURE_FAULTS: readonly FaultKind[] = ["crash", "exception", "hang", "bad-io"];
const TARGETS = ["disk", "fs"] as const;
const RECORDS = 60;
/** Guest instructions after which a run counts as hung. */
const BUDGET = 400_000_000;

export interface RunReport {
  run: number;
  fault: FaultSpec;
  acked: number;
  failed: number;
  lost: number[];
  fsckProblems: string[];
  hung: boolean;
  restarts: number;
  /** Virtual µs from the fault to the next request the restarted server served (null: none). */
  recoveryUs: number | null;
}

export interface TortureSummary {
  runs: number;
  faults: number;
  acked: number;
  lostWrites: number;
  fsckProblems: number;
  hangs: number;
  reports: RunReport[];
}

/** The fault of run `run` under `seed` (deterministic). */
export function faultFor(seed: number, run: number): FaultSpec {
  const rng = new Xoshiro128((seed * 1_000_003 + run) >>> 0);
  const pick = (n: number) => (rng.nextInt32() >>> 0) % n;
  const target = TARGETS[pick(TARGETS.length)]!;
  const fault = TORTURE_FAULTS[pick(TORTURE_FAULTS.length)]!;
  // Strike while the workload runs, not while init loads it (init does not retry a failed load):
  // fs serves ~8 requests to load the shell and ~65 for the workload; disk ~15 and ~200.
  const request = target === "fs" ? 9 + pick(65) : 16 + pick(200);
  return { target, fault, when: { request } };
}

let baseImage: Uint8Array | undefined;

/** The default image with the torture workload as the shell. */
async function tortureImage(): Promise<Uint8Array> {
  if (baseImage) return baseImage;
  const fs = Rsfs.open(new Uint8Array(readFileSync(await ensureDefaultImage())));
  const src = fromRoot("servers", "apps", "torture.asm");
  fs.writeFile("/bin/torture", await assembleProgram(src, readFileSync(src, "utf8")));
  const text = new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, "shell torture /bin/torture");
  fs.writeFile("/boot/manifest", new TextEncoder().encode(text));
  baseImage = fs.bytes.slice();
  return baseImage;
}

/** The record the workload writes for n. */
function record(n: number): string {
  return `${String(n).padStart(6, "0")} ${(Math.imul(n, 2654435761) >>> 0).toString(16).padStart(8, "0")}\n`;
}

/** One run: boot, fault, check. */
export async function tortureRun(seed: number, run: number): Promise<RunReport> {
  const fault = faultFor(seed, run);
  const disk = (await tortureImage()).slice();
  const boot = loadBootImage(disk);
  let out = "";
  const k = await createKernel({ ...boot, faults: [fault], seed: seed + run, maxInstructions: BUDGET, onConsole: (b) => (out += String.fromCharCode(b)), onIdle: () => false });
  const result = await k.run();
  k.destroy();
  const acked = [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
  const failed = [...out.matchAll(/^fail (\d+)$/gm)].length;
  const hung = result.reason !== "shutdown" || !out.includes(`ack ${RECORDS - 1}\n`) && !out.includes(`fail ${RECORDS - 1}\n`);
  let fsckProblems: string[];
  const lost: number[] = [];
  try {
    const fs = Rsfs.open(disk);
    fsckProblems = fs.fsck();
    const files = [0, 1, 2].map((i) => (fs.stat(`/home/t${i}`) ? new TextDecoder().decode(fs.readFile(`/home/t${i}`)) : ""));
    for (const n of acked) if (!files[n % 3]!.includes(record(n))) lost.push(n);
  } catch (e) {
    fsckProblems = [`the image does not mount: ${(e as Error).message}`];
    lost.push(...acked);
  }
  return { run, fault, acked: acked.length, failed, lost, fsckProblems, hung, restarts: 0, recoveryUs: null };
}

/** `runs` runs from `seed` (or only run `only`); `progress` sees each report as it finishes. */
export async function torture(opts: { runs: number; seed: number; only?: number; progress?: (r: RunReport) => void }): Promise<TortureSummary> {
  const reports: RunReport[] = [];
  const which = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.runs }, (_, i) => i);
  for (const i of which) {
    const r = await tortureRun(opts.seed, i);
    reports.push(r);
    opts.progress?.(r);
  }
  return {
    runs: reports.length,
    faults: reports.length,
    acked: reports.reduce((n, r) => n + r.acked, 0),
    lostWrites: reports.reduce((n, r) => n + r.lost.length, 0),
    fsckProblems: reports.reduce((n, r) => n + r.fsckProblems.length, 0),
    hangs: reports.filter((r) => r.hung).length,
    reports,
  };
}

/** "disk:crash@17". */
export function faultText(f: FaultSpec): string {
  return `${f.target}:${f.fault}@${"request" in f.when ? f.when.request : `${f.when.us}us`}`;
}
