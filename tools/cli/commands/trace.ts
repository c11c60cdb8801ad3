// `ringside trace`: read traces recorded by `run`/`boot` (docs/trace.md) — show, summary, diff, export, report.
import type { Command } from "commander";
import { EXIT, UserError } from "../errors.ts";
import { nonNegativeCount } from "../options.ts";
import { syscallNumber } from "../../trace/names.ts";
import { refuseOverwrite, writeWhole } from "../../host-files.ts";
import { showTrace, summarizeTrace, WarningSink } from "../../trace/commands.ts";
import { diffTraces, formatDiff } from "../../trace/diff.ts";
import { exportPerfetto } from "../../trace/perfetto.ts";
import { buildReport } from "../../trace/report.ts";
import { formatSummary } from "../../trace/summary.ts";
import { Output } from "../../trace/output.ts";

function addFilters(c: Command): Command {
  return c
    .option("--pid <pids>", "only these process ids (comma-separated; \"idle\" for none)")
    .option("--proc <names>", "only these process names (comma-separated)")
    .option("--kind <kinds>", "only these kinds: syscall,return,exception,irq,load,spawn,exit,halt,…")
    .option("--vector <vectors>", "only these exceptions (14, #PF, pf) or IRQ lines (irq14), and their returns")
    .option("--syscall <names>", "only these syscalls (write, 4, …) and their returns")
    .option("--ring <ring>", "only transitions 3→0 (or 3->0), 0→3, 0→0, or touching ring 3 (3) / idle only (0)")
    .option("--from <point>", "start at this seq (120) or virtual time (1.5ms, 200us, 0.3s)")
    .option("--to <point>", "stop after this seq or virtual time")
    .option("--grep <regex>", "only events whose text line matches")
    .option("--skip-bad", "report bad lines on stderr and continue past them");
}

/** The event kinds ringside writes (docs/trace.md, docs/faults.md). */
export const EVENT_KINDS = ["syscall", "exception", "irq", "return", "load", "spawn", "exit", "switch", "pagefault", "fpu", "halt", "ipc", "service", "fault", "restart"];

/** Refuses --kind and --syscall values that can never match (a typo would otherwise print nothing, exit 0). */
function checkFilterNames(o: Record<string, unknown>): void {
  const names = (v: unknown): string[] => (v === undefined ? [] : String(v).split(",").map((x) => x.trim()).filter(Boolean));
  for (const k of names(o.kind)) {
    if (!EVENT_KINDS.includes(k)) throw new UserError(`--kind ${JSON.stringify(k)}: unknown event kind (kinds: ${EVENT_KINDS.join(", ")})`);
  }
  for (const s of names(o.syscall)) {
    if (syscallNumber(s) === undefined) throw new UserError(`--syscall ${JSON.stringify(s)}: unknown system call (give a name like write or a number like 4)`);
  }
}

export function registerTrace(program: Command): void {
  const trace = program
    .command("trace")
    .description("read ringside traces (JSONL, docs/trace.md): show, summary, diff, export, report");

  addFilters(
    trace
      .command("show")
      .description("one aligned line per event: process, ring arrow, decoded syscall/vector, symbolized EIP")
      .argument("<trace>", "trace file (.jsonl), or - for stdin"),
  )
    .option("--color", "colour the output (default: when stdout is a terminal)")
    .option("--no-color", "never colour the output")
    .option("--json", "print the matching events as JSON lines instead of text")
    .action(async (path: string, o: Record<string, unknown>) => {
      checkFilterNames(o);
      const color = o.color === undefined ? Boolean(process.stdout.isTTY) : Boolean(o.color);
      const n = await showTrace(path, { ...o, color });
      if (n === 0 && o.proc !== undefined) process.stderr.write(`ringside trace show: note: no event matched (no process named ${String(o.proc)} passes the filters)\n`);
    });

  addFilters(
    trace
      .command("summary")
      .description("counts by kind/vector/syscall/process, ring residency, transition rate, IPC, top faulting EIPs")
      .argument("<trace>", "trace file (.jsonl), or - for stdin"),
  )
    .option("--json", "print the summary as JSON")
    .action(async (path: string, o: Record<string, unknown>) => {
      checkFilterNames(o);
      const s = await summarizeTrace(path, o);
      const out = new Output();
      out.write(o.json ? JSON.stringify(s, null, 2) + "\n" : formatSummary(s));
      await out.end();
    });

  trace
    .command("diff")
    .description("first divergence between two traces, with context; exit 0 if identical, 1 if not, 2 on trouble")
    .argument("<a>", "first trace")
    .argument("<b>", "second trace")
    .option("-C, --context <n>", "events of context on each side", "3")
    .option("--json", "print the result as JSON")
    .action(async (a: string, b: string, o: { context: string; json?: boolean }) => {
      const n = nonNegativeCount("--context", o.context);
      const r = await diffTraces(a, b, n);
      const out = new Output();
      out.write(o.json ? JSON.stringify(r, null, 2) + "\n" : formatDiff(r, a, b));
      await out.end();
      process.exitCode = r.identical ? EXIT.OK : EXIT.FAILED;
    });

  addFilters(
    trace
      .command("export")
      .description("convert a trace for other viewers: --format perfetto (Chrome Trace Event JSON for ui.perfetto.dev)")
      .argument("<trace>", "trace file (.jsonl), or - for stdin"),
  )
    .option("--format <format>", "output format: perfetto (or chrome: the same Chrome Trace Event JSON)", "perfetto")
    .requiredOption("-o, --output <file>", "output file (- for stdout)")
    .action(async (path: string, o: Record<string, string | boolean | undefined>) => {
      checkFilterNames(o);
      if (o.format !== "perfetto" && o.format !== "chrome") {
        throw new UserError(`--format ${JSON.stringify(o.format)}: supported formats: perfetto (or chrome, its other name)`, 2);
      }
      const warnings = new WarningSink();
      const file = String(o.output);
      refuseOverwrite("-o", file, [path]);
      await withOutput(file, async (write) => {
        await exportPerfetto(path, write, o as Record<string, string>, { skipBad: Boolean(o.skipBad), onWarning: warnings.warn });
      });
      warnings.done();
    });

  addFilters(
    trace
      .command("report")
      .description("one self-contained HTML file: timeline per process coloured by ring, summary tables, filterable event list")
      .argument("<trace>", "trace file (.jsonl)"),
  )
    .requiredOption("-o, --output <file>", "output HTML file (- for stdout)")
    .option("--max-events <n>", "list at most this many events", "5000")
    .action(async (path: string, o: Record<string, string | boolean | undefined>) => {
      checkFilterNames(o);
      if (path === "-") throw new UserError("trace report reads the trace twice: give a file, not stdin", 2);
      const maxEvents = nonNegativeCount("--max-events", String(o.maxEvents));
      refuseOverwrite("-o", String(o.output), [path]);
      const warnings = new WarningSink();
      const html = await buildReport(path, { ...(o as Record<string, string>), skipBad: Boolean(o.skipBad), maxEvents }, { onWarning: warnings.warn });
      await withOutput(String(o.output), async (write) => write(html));
      warnings.done();
    });
}

/** Runs `body` with a writer to stdout for "-", or else to `file`, which is replaced only when `body` finishes (a failed export leaves it as it was). */
async function withOutput(file: string, body: (write: (s: string) => void) => Promise<void>): Promise<void> {
  if (file !== "-") return writeWhole(file, body);
  const out = new Output();
  await body((s) => out.write(s));
  await out.end();
}
