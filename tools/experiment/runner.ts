// Runs one experiment session as a user would — the real `ringside boot` command, in a child process
// — and reads back its trace. The command line it ran is the replay command: run again, it writes a
// byte-identical trace (deterministic machine, --snapshot so the image is never changed).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fromRoot } from "../paths.ts";
import { readTraceText } from "../trace/reader.ts";
import { EXPERIMENT_DIR } from "./workloads.ts";

export type Ev = Record<string, unknown> & { seq: number; kind: string; pid: number | null; vt: number; icount: number };

export interface SessionSpec {
  /** A name for the trace file (build/experiments/traces/<id>.jsonl). */
  id: string;
  image: string;
  mode: "monolithic" | "microkernel";
  input?: string;
  inject?: string[];
  /** Charge kernel work to virtual time (default on). */
  costModel?: boolean;
  maxInstructions?: number;
}

export interface SessionResult {
  spec: SessionSpec;
  /** The command that ran (and replays the run), as a user types it from the repository root. */
  command: string;
  trace: string;
  code: number;
  stdout: string;
  stderr: string;
  header: Record<string, unknown>;
  events: Ev[];
}

export const TRACE_DIR = path.join(EXPERIMENT_DIR, "traces");

/** The arguments of `ringside boot` for `spec`, writing its trace to `trace`. */
export function bootArgs(spec: SessionSpec, trace: string): string[] {
  const args = ["boot", spec.image, "--snapshot", "--mode", spec.mode, "--trace", trace];
  if (spec.costModel !== false) args.push("--cost-model", "on");
  for (const f of spec.inject ?? []) args.push("--inject", f);
  if (spec.maxInstructions) args.push("--max-instructions", String(spec.maxInstructions));
  args.push("--input", spec.input ?? "");
  return args;
}

/** Shell-quotes one argument for a printed command ($'…' for text with newlines). */
function quote(a: string): string {
  if (/^[A-Za-z0-9_./:@=,+-]+$/.test(a)) return a;
  if (/[\n\t\\']/.test(a)) return `$'${a.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\t/g, "\\t")}'`;
  return `'${a}'`;
}

/** The printed replay command for `spec` (trace to `trace`). */
export function replayCommand(spec: SessionSpec, trace: string): string {
  return ["npx", "ringside", ...bootArgs(spec, trace)].map(quote).join(" ");
}

/** Runs `ringside boot` for `spec` and parses its trace. */
export async function runSession(spec: SessionSpec): Promise<SessionResult> {
  mkdirSync(TRACE_DIR, { recursive: true });
  const trace = path.relative(fromRoot(), path.join(TRACE_DIR, `${spec.id}.jsonl`));
  const args = bootArgs(spec, trace);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [fromRoot("tools", "cli", "ringside.js"), ...args], { cwd: fromRoot(), env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
  });
  const read = readTraceText(readFileSync(fromRoot(trace), "utf8"), trace); // any schema version, normalized
  const header = read.header as Record<string, unknown>;
  const events = read.events as Ev[];
  return { spec, command: replayCommand(spec, trace), trace, code, stdout, stderr, header, events };
}

/** Runs the sessions two at a time (the machine's cores), keeping their order. */
export async function runSessions(specs: SessionSpec[]): Promise<SessionResult[]> {
  const out: SessionResult[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      out[i] = await runSession(specs[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}
