// `ringside bench [--json] [names…]`: run the benchmarks and print a table (or JSON).
import type { Command } from "commander";
import type { BenchResult } from "../../bench/types.ts";
import { UserError } from "../errors.ts";

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description("run the benchmarks (npm run bench); --json prints [{id, value, unit}]")
    .argument("[names...]", "only these benches (kernel, asm, trace, …)")
    .option("--json", "print the results as a JSON array")
    .action(async (names: string[], opts: { json?: boolean }) => {
      const { benches } = await import("../../bench/index.ts");
      const unknown = names.filter((n) => !benches.some((b) => b.name === n));
      if (unknown.length) throw new UserError(`ringside bench: unknown bench ${unknown.join(", ")} (have: ${benches.map((b) => b.name).join(", ")})`);
      const chosen = names.length ? benches.filter((b) => names.includes(b.name)) : benches;
      const results: BenchResult[] = [];
      for (const b of chosen) {
        if (!opts.json) process.stderr.write(`running ${b.name}…\n`);
        results.push(...(await b.run()));
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(results.map((r) => ({ id: r.id, value: r.value, unit: r.unit, goal: r.goal, ok: r.ok, detail: r.detail })), null, 2) + "\n");
        return;
      }
      const rows = results.map((r) => [r.id, String(r.value), r.unit, r.goal ?? "", r.ok === undefined ? "" : r.ok ? "yes" : "NO", r.detail ?? ""]);
      const head = ["id", "value", "unit", "goal", "met", "how"];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
      process.stdout.write(fmt(head) + "\n" + rows.map(fmt).join("\n") + "\n");
    });
}
