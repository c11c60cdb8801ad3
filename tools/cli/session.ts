// Runs a kernel session for the CLI: wires console output, the trace file (JSONL or text), kill
// reports and the per-process summary, and maps the outcome to an exit status.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { Kernel, KERNEL_VERSION, type ProgramSpec, type RunResult } from "../../kernel/kernel.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { UserError } from "./errors.ts";

export interface SessionOptions {
  programs: ProgramSpec[];
  modules?: ProgramSpec[];
  trace?: string;
  traceFormat?: string;
  maxInstructions?: number;
  /** Print `[pid N name] exit S` lines to stderr. */
  summary?: boolean;
}

/** Boots a machine with the programs, runs it to the end, and returns the process exit status. */
export async function runSession(opts: SessionOptions): Promise<number> {
  const format = opts.traceFormat ?? "jsonl";
  if (format !== "jsonl" && format !== "text") throw new UserError(`ringside: --trace-format must be jsonl or text, not ${format}`);
  let fd: number | undefined;
  let trace: TraceRecorder | undefined;
  if (opts.trace) {
    try {
      fd = openSync(opts.trace, "w");
    } catch (e) {
      throw new UserError(`ringside: cannot write trace file ${opts.trace}: ${(e as Error).message}`);
    }
    const out = fd;
    const sink = format === "jsonl" ? (text: string) => void writeSync(out, text) : await textSink(out);
    trace = new TraceRecorder(sink, { ipms: 100_000, mode: "monolithic", tool: KERNEL_VERSION }, syscallName);
  }
  const stdout = process.stdout;
  const pending: number[] = [];
  const kernel = await Kernel.create({
    programs: opts.programs,
    modules: opts.modules,
    trace,
    maxInstructions: opts.maxInstructions,
    onConsole: (b) => {
      pending.push(b);
      if (b === 10 || pending.length >= 4096) flush();
    },
    onReport: (line) => {
      flush();
      process.stderr.write(line + "\n");
    },
  });
  function flush() {
    if (pending.length) stdout.write(Buffer.from(pending));
    pending.length = 0;
  }
  let result: RunResult;
  try {
    result = await kernel.run();
  } finally {
    flush();
    kernel.destroy();
    trace?.finish();
    if (fd !== undefined) closeSync(fd);
  }
  if (opts.summary) for (const p of result.processes) process.stderr.write(`[pid ${p.pid} ${p.name}] ${describe(p)}\n`);
  if (result.reason === "max-instructions") {
    process.stderr.write(`ringside: stopped after ${result.icount} instructions (--max-instructions ${opts.maxInstructions})\n`);
    return 124;
  }
  if (result.reason === "deadlock") {
    process.stderr.write(`ringside: deadlock: ${result.panic}\n`);
    return 70;
  }
  if (result.reason === "panic" || result.reason === "dead") {
    process.stderr.write(`ringside: kernel panic: ${result.panic}\n`);
    if (opts.trace) {
      const lines = readFileSync(opts.trace, "utf8").trimEnd().split("\n");
      process.stderr.write(`the last events (from ${opts.trace}):\n${lines.slice(-12).join("\n")}\n`);
    } else process.stderr.write("run again with --trace <file> to see the events leading up to it\n");
    return 70;
  }
  return result.status;
}

function describe(p: RunResult["processes"][number]): string {
  if (p.status !== null) return `exit ${p.status}`;
  if (p.vector !== null) return `killed by vector ${p.vector} (exit ${128 + p.vector})`;
  if (p.signal !== null) return `killed by signal ${p.signal}`;
  return "still running";
}

/** A sink that turns the recorder's JSONL into the trace viewer's one-line text form. */
async function textSink(fd: number): Promise<(text: string) => void> {
  const { TextFormatter } = await import("../trace/format-text.ts");
  const fmt = new TextFormatter({ color: false });
  return (text: string) => {
    let out = "";
    for (const line of text.split("\n")) {
      if (!line) continue;
      const s = fmt.format(JSON.parse(line));
      if (s) out += s + "\n";
    }
    writeSync(fd, out);
  };
}
