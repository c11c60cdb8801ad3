// `ringside experiment`: runs the named experiments (all of them by default), their sessions two at
// a time, and returns one claims-table row per experiment.
import { EXPERIMENTS, type ClaimRow, type Experiment } from "./claims.ts";
import { runSessions } from "./runner.ts";
import { UserError } from "../errors.ts";

export { EXPERIMENTS, type ClaimRow } from "./claims.ts";

/** The experiments named (in table order); a UserError for an unknown name. */
export function select(names: string[]): Experiment[] {
  if (names.length === 0) return EXPERIMENTS;
  for (const n of names) if (!EXPERIMENTS.some((e) => e.name === n)) throw new UserError(`ringside experiment: no experiment "${n}" (known: ${EXPERIMENTS.map((e) => e.name).join(", ")})`);
  return EXPERIMENTS.filter((e) => names.includes(e.name));
}

/** Runs `experiments`: plans every session, runs them, and judges each claim. */
export async function runExperiments(experiments: Experiment[], progress?: (what: string) => void): Promise<ClaimRow[]> {
  const plans = [];
  for (const e of experiments) plans.push(await e.plan());
  const all = plans.flat();
  progress?.(`running ${all.length} sessions…`);
  const results = await runSessions(all);
  const rows: ClaimRow[] = [];
  let at = 0;
  for (let i = 0; i < experiments.length; i++) {
    const mine = results.slice(at, at + plans[i]!.length);
    at += plans[i]!.length;
    for (const s of mine) {
      const finished = s.events.at(-1)?.kind === "halt";
      if (!finished) throw new Error(`${s.spec.id}: the session did not finish (exit ${s.code}): ${s.stderr.trim()}`);
    }
    rows.push(await experiments[i]!.judge(mine));
    progress?.(`${experiments[i]!.name} done`);
  }
  return rows;
}

/** The claims table as text. */
export function formatRows(rows: ClaimRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    out.push(`■ ${r.name}: ${r.verdict.toUpperCase()}`, `  claim:  “${r.claim}” — ${r.source}`);
    const w = Math.max(...r.figures.map((f) => f.label.length), 8);
    const cw = r.columns.map((c, i) => Math.max(c.length, ...r.figures.map((f) => String(f.values[i]).length)));
    out.push(`  ${"".padEnd(w)}  ${r.columns.map((c, i) => c.padStart(cw[i]!)).join("  ")}`);
    for (const f of r.figures) out.push(`  ${f.label.padEnd(w)}  ${f.values.map((v, i) => String(v).padStart(cw[i]!)).join("  ")}`);
    out.push(`  why:    ${r.why}`);
    for (const c of r.replay) out.push(`  replay: ${c}`);
    out.push("");
  }
  return out.join("\n");
}
