// `ringside trace`: read traces recorded by `run`/`boot` (docs/trace.md) — show, summary, diff, export, report.
import type { Command } from "commander";
import { UserError } from "../errors.ts";
import { showTrace, summarizeTrace } from "../../trace/commands.ts";
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
      const color = o.color === undefined ? Boolean(process.stdout.isTTY) : Boolean(o.color);
      await showTrace(path, { ...o, color });
    });

  addFilters(
    trace
      .command("summary")
      .description("counts by kind/vector/syscall/process, ring residency, transition rate, IPC, top faulting EIPs")
      .argument("<trace>", "trace file (.jsonl), or - for stdin"),
  )
    .option("--json", "print the summary as JSON")
    .action(async (path: string, o: Record<string, unknown>) => {
      const s = await summarizeTrace(path, o);
      const out = new Output();
      out.write(o.json ? JSON.stringify(s, null, 2) + "\n" : formatSummary(s));
      await out.end();
    });

  trace
    .command("diff")
    .description("first divergence between two traces, with context; exit 0 if identical, 1 if not")
    .argument("<a>")
    .argument("<b>")
    .action(() => {
      throw new UserError("trace diff: not implemented yet", 2);
    });
}
