// Runs the real `ringside` command (as a user would) and captures its output.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readTraceText } from "../../tools/trace/reader.ts";

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PROGRAMS = path.join(ROOT, "tests", "fixtures", "programs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ringside <args>` to completion in the repository root. */
export function ringside(args: string[], opts: { input?: string; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "cli", "ringside.js"), ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The path of a test program in tests/fixtures/programs. */
export function prog(name: string): string {
  return path.join(PROGRAMS, name);
}

/** Parses a JSONL trace file's text into objects (header first), events normalized: any schema version reads the same. */
export function parseTrace(text: string): Record<string, unknown>[] {
  const { header, events } = readTraceText(text);
  return [header, ...events] as Record<string, unknown>[];
}
