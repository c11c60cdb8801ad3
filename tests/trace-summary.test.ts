// `trace summary`: counts agree with `show | wc -l` for the same filters; every transition is attributed.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { synth, tempDir, writeTrace } from "./helpers/trace-synth.ts";
import { showTrace, summarizeTrace } from "../tools/trace/commands.ts";
import { Output } from "../tools/trace/output.ts";
import { Writable } from "node:stream";

const dir = tempDir();
const lines = synth({ events: 3000, seed: 11, future: true, mode: "microkernel" });
const path = writeTrace(dir, "t.jsonl", lines);

/** Lines `show` prints for these filters, counted in-process. */
async function showCount(o: Record<string, string>): Promise<number> {
  let n = 0;
  const sink = new Writable({ write(chunk, _e, cb) { n += String(chunk).split("\n").length - 1; cb(); } });
  await showTrace(path, o, new Output(sink));
  return n;
}

describe("trace summary", () => {
  it("accounts for every event, transition and instruction", async () => {
    const s = await summarizeTrace(path, {});
    expect(s.events).toBe(lines.length - 1);
    expect(Object.values(s.by_kind).reduce((a, b) => a + b, 0)).toBe(s.events);
    expect(s.transitions.unattributed).toBe(0);
    expect(s.transitions.total).toBe((s.by_kind.syscall ?? 0) + (s.by_kind.exception ?? 0) + (s.by_kind.irq ?? 0) + (s.by_kind.return ?? 0));
    const rows = s.processes;
    expect(rows.reduce((a, p) => a + p.entries + p.returns, 0)).toBe(s.transitions.total);
    const instr = rows.reduce((a, p) => a + p.ring3_instr + p.ring0_instr + p.idle_instr, 0);
    expect(instr).toBe(s.icount.span);
    const time = rows.reduce((a, p) => a + p.ring3_us + p.ring0_us + p.idle_us, 0);
    expect(time).toBeCloseTo(s.vt_us.span, 1);
    expect(rows.find((p) => p.pid === null)?.idle_us).toBeGreaterThan(0);
    expect(s.ipc.length).toBeGreaterThan(0);
    expect(s.ipc[0].bytes).toBeGreaterThan(0);
    expect(s.top_faults[0].where).toMatch(/^0x[0-9a-f]{8} <\w+\+0x[0-9a-f]+>$/);
    expect(s.halted?.reason).toBe("exit");
    expect(s.by_syscall.close.errors).toBe(s.by_syscall.close.count);
  });

  for (const f of [{}, { pid: "2" }, { kind: "irq,exception" }, { syscall: "write,read" }, { vector: "#PF,irq0" }, { ring: "3" }, { ring: "0→0" },
    { from: "100", to: "900" }, { from: "2ms", to: "9ms" }, { grep: "EBADF|ENOENT" }, { proc: "worker", kind: "return" }]) {
    it(`counts agree with show for ${JSON.stringify(f)}`, async () => {
      const fo = f as Record<string, string>;
      const s = await summarizeTrace(path, fo);
      expect(s.events).toBe(await showCount(fo));
    });
  }

  it("agrees with `show | wc -l` through the CLI, tables and --json", () => {
    const show = ringside(["trace", "show", path, "--syscall", "write"]);
    const sum = ringside(["trace", "summary", path, "--syscall", "write", "--json"]);
    expect(sum.code).toBe(0);
    const s = JSON.parse(sum.stdout);
    expect(s.events).toBe(show.stdout.trim().split("\n").length);
    const t = ringside(["trace", "summary", path]);
    expect(t.stdout).toContain("Events by kind");
    expect(t.stdout).toContain("Top faulting EIPs");
    expect(t.stdout).toContain("IPC by sender→receiver");
    expect(t.stdout).toContain("0 not attributed to a process");
  });
});
