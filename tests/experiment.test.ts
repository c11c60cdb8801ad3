// `ringside experiment` as a new user checks it: the claims table from replayable sessions, counts
// that agree with `trace summary` of the same traces, replay commands that reproduce a run byte for
// byte, and a self-contained report that renders in a real headless browser.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ClaimRow } from "../tools/experiment/claims.ts";
import { ROOT, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-exp-"));
const report = path.join(dir, "report.html");
let rows: ClaimRow[] = [];

/** Splits a printed replay command back into arguments (handles '…' and $'…' quoting). */
function argsOf(command: string): string[] {
  const out: string[] = [];
  const re = /\$'((?:[^'\\]|\\.)*)'|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\'/g, "'").replace(/\\\\/g, "\\"));
    else out.push(m[2] ?? m[3]!);
  }
  return out.slice(2); // drop "npx ringside"
}

beforeAll(() => {
  const r = ringside(["experiment", "run", "request-cost", "rings", "tcb", "--json", "--report", report]);
  expect(r.code, r.stderr).toBe(0);
  rows = JSON.parse(r.stdout) as ClaimRow[];
}, 180_000);

describe.skipIf(solutionCut("ipc"))("ringside experiment", () => {
  it("lists every experiment", () => {
    const r = ringside(["experiment", "list"]);
    for (const name of ["request-cost", "throughput", "batching", "driver-crash", "crash-mid-operation", "critical-server", "tcb", "rings"]) expect(r.stdout).toMatch(new RegExp(`^${name}\\s`, "m"));
  });

  it("docs/experiments.md shows request-cost and rings as they print (figures and why, line for line)", () => {
    const r = ringside(["experiment", "run", "request-cost", "rings"]);
    expect(r.code, r.stderr).toBe(0);
    const printed = r.stdout.split("\n").filter((l) => !/^\s*(claim|replay):/.test(l));
    const doc = readFileSync(path.join(ROOT, "docs", "experiments.md"), "utf8");
    for (const name of ["request-cost", "rings"]) {
      const section = (lines: string[]) => {
        const from = lines.findIndex((l) => l.startsWith(`■ ${name}:`));
        const to = lines.findIndex((l, i) => i > from && (l.trim() === "" || l.startsWith("```")));
        return lines.slice(from, to < 0 ? undefined : to);
      };
      const mine = section(printed);
      expect(mine.length, name).toBeGreaterThan(2);
      expect(section(doc.split("\n")), `docs/experiments.md's ${name} section`).toEqual(mine);
    }
  }, 120_000);

  it("refuses a --report it could not write before running anything (exit 2)", () => {
    for (const bad of [path.join(dir, "no-such-folder", "r.html"), dir]) {
      const t0 = Date.now();
      const r = ringside(["experiment", "run", "request-cost", "--report", bad]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^ringside experiment run: --report .*: (no folder|is a directory)/m);
      expect(r.stderr).not.toMatch(/running|done/);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }
  });

  it("counts one request exactly: two mode switches and no message monolithic; messages and switches microkernel", () => {
    const row = rows.find((x) => x.name === "request-cost")!;
    const fig = (label: string) => row.figures.find((f) => f.label === label)!.values as number[];
    for (const call of ["open", "read", "write"]) {
      expect(fig(`${call}: mode switches`)[0]).toBe(2);
      expect(fig(`${call}: context switches`)[0]).toBe(0);
      expect(fig(`${call}: messages`)[0]).toBe(0);
      expect(fig(`${call}: in-kernel service calls`)[0]).toBe(1);
      expect(fig(`${call}: mode switches`)[1]).toBeGreaterThanOrEqual(4);
      expect(fig(`${call}: messages`)[1]).toBeGreaterThanOrEqual(2);
      expect(fig(`${call}: context switches`)[1]).toBeGreaterThanOrEqual(2);
    }
    expect(fig("write: bytes copied")).toEqual([64, 64]); // copied once in both shapes
    expect(row.verdict).toBe("supported");
  });

  it("agrees with `trace summary` of the same traces, call by call", () => {
    const row = rows.find((x) => x.name === "request-cost")!;
    expect(row.evidence!.length).toBe(6);
    for (const e of row.evidence!) {
      const r = ringside(["trace", "summary", e.trace, "--from", String(e.fromSeq), "--to", String(e.toSeq), "--ring", "3", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { events: number }).events, `${e.mode} ${e.call}`).toBe(e.modeSwitches);
    }
  });

  it("every replay command reproduces its run byte for byte", () => {
    const row = rows.find((x) => x.name === "request-cost")!;
    for (const command of row.replay) {
      const args = argsOf(command);
      const at = args.indexOf("--trace");
      const original = args[at + 1]!;
      args[at + 1] = path.join(dir, path.basename(original));
      const r = ringside(args);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(args[at + 1]!).equals(readFileSync(path.join(ROOT, original)))).toBe(true);
    }
  }, 60_000);

  it("sees only rings 0 and 3, and counts less ring-0 code in the microkernel", () => {
    expect(rows.find((x) => x.name === "rings")!.figures[0]!.values).toEqual(["0, 3", "0, 3"]);
    const tcb = rows.find((x) => x.name === "tcb")!;
    const [mono, micro] = tcb.figures[0]!.values as number[];
    expect(micro).toBeGreaterThan(1000);
    expect(mono).toBeGreaterThan(micro!);
  });

  it("writes a self-contained report that renders in a headless browser with data in every chart", () => {
    const html = readFileSync(report, "utf8");
    expect(html).not.toMatch(/<script|https?:\/\/|<link/); // no network, nothing to load
    const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
    if (!chromium) {
      console.warn("SKIPPED the browser check: no chromium found (.ci/run installs it with apt)");
      return;
    }
    const dom = spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", `file://${report}`], { encoding: "utf8", timeout: 60_000 });
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stdout).toContain("The monolithic-vs-microkernel claims, measured");
    for (const name of ["request-cost", "rings", "tcb"]) expect(dom.stdout).toContain(`id="${name}"`);
    const bars = [...dom.stdout.matchAll(/class="bar" data-value="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(bars.length).toBeGreaterThan(8);
    expect(bars.some((v) => v > 0)).toBe(true);
    const shot = path.join(dir, "report.png");
    const s = spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", `--screenshot=${shot}`, "--window-size=1000,2000", `file://${report}`], { encoding: "utf8", timeout: 60_000 });
    expect(s.status, s.stderr).toBe(0);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  }, 120_000);
});
