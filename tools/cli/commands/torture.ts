// `ringside torture [--runs N] [--seed S] [--only I]`: seeded faults into the disk and file servers
// while a workload writes checksummed records; prints the counts and exits 1 if any acknowledged
// write was lost, fsck found a problem or a client hung (docs/faults.md).
import type { Command } from "commander";
import { UserError } from "../errors.ts";

export function registerTorture(program: Command): void {
  program
    .command("torture")
    .description("inject seeded faults into the disk and file servers under a write workload; check no acknowledged write is lost")
    .option("--runs <n>", "how many runs (one fault each)", "20")
    .option("--seed <s>", "seed of the faults (run i of seed s always replays the same)", "1")
    .option("--only <i>", "replay only run i")
    .action(async (opts: { runs: string; seed: string; only?: string }) => {
      const num = (name: string, v: string, min: number) => {
        if (!/^\d+$/.test(v) || Number(v) < min) throw new UserError(`ringside torture: --${name} needs an integer ≥ ${min}, not "${v}"`);
        return Number(v);
      };
      const runs = num("runs", opts.runs, 1), seed = num("seed", opts.seed, 0);
      const only = opts.only !== undefined ? num("only", opts.only, 0) : undefined;
      const { torture, faultText } = await import("../../torture/index.ts");
      const s = await torture({
        runs,
        seed,
        only,
        progress: (r) => {
          const bad = r.lost.length || r.fsckProblems.length || r.hung;
          if (!bad) return;
          process.stdout.write(`run ${r.run}: ${faultText(r.fault)}: ${r.hung ? "HUNG " : ""}${r.lost.length ? `lost acknowledged records ${r.lost.join(",")} ` : ""}${r.fsckProblems.length ? `fsck: ${r.fsckProblems.join("; ")}` : ""}\n`);
          process.stdout.write(`  replay: npx ringside torture --seed ${seed} --only ${r.run}\n`);
        },
      });
      process.stdout.write(`runs ${s.runs}  faults ${s.faults}  acknowledged writes ${s.acked}  lost ${s.lostWrites}  fsck problems ${s.fsckProblems}  hung clients ${s.hangs}\n`);
      process.exitCode = s.lostWrites || s.fsckProblems || s.hangs ? 1 : 0;
    });
}
