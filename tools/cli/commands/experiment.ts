// `ringside experiment list | run <name>… | all [--json] [--report out.html]`: every claim of the
// monolithic-versus-microkernel debate as a measurement (docs/experiments.md).
import type { Command } from "commander";

export function registerExperiment(program: Command): void {
  const cmd = program.command("experiment").description("measure the claims of the monolithic-vs-microkernel debate on both shapes of the system");
  cmd
    .command("list")
    .description("list the experiments and the claim each tests")
    .action(async () => {
      const { EXPERIMENTS } = await import("../../experiment/index.ts");
      for (const e of EXPERIMENTS) process.stdout.write(`${e.name.padEnd(20)} ${e.title}\n`);
    });
  const run = async (names: string[], opts: { json?: boolean; report?: string }) => {
    const { select, runExperiments, formatRows } = await import("../../experiment/index.ts");
    const { checkOutputPath, writeWhole } = await import("../../host-files.ts");
    const experiments = select(names);
    checkOutputPath("--report", opts.report); // before the sessions, not after them
    const rows = await runExperiments(experiments, (w) => process.stderr.write(`ringside experiment: ${w}\n`));
    process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + "\n" : formatRows(rows));
    if (opts.report) {
      const { reportHtml } = await import("../../experiment/report.ts");
      const html = reportHtml(rows);
      await writeWhole(opts.report, async (write) => write(html));
      process.stderr.write(`ringside experiment: wrote ${opts.report}\n`);
    }
  };
  cmd
    .command("run")
    .description("run the named experiments")
    .argument("<names...>", "experiment names (see `ringside experiment list`)")
    .option("--json", "print the figures as JSON")
    .option("--report <file>", "also write a self-contained HTML report")
    .action(run);
  cmd
    .command("all")
    .description("run every experiment")
    .option("--json", "print the figures as JSON")
    .option("--report <file>", "also write a self-contained HTML report")
    .action((opts: { json?: boolean; report?: string }) => run([], opts));
}
