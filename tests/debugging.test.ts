// Debugging the kernel a student writes: `--break-at <seq>` shows the machine at a trace event (and
// stops there in an attached debugger), `--inspect` runs the command under the Node inspector.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prog, ringside, ROOT } from "./helpers/cli.ts";

describe("debugging a run", () => {
  it("--break-at shows the state at that trace event: time, the process on the CPU, its registers and symbolized eip", () => {
    const r = ringside(["run", prog("hello42.asm"), "--break-at", "3"]);
    expect(r.code).toBe(42);
    expect(r.stderr).toMatch(/^ringside: break at trace event 3\nvt [\d.]+ µs, \d+ instructions; on the CPU: \[pid 1 hello42\]\n\[pid 1 hello42\] running, nice 0, brk 0x[0-9a-f]+\n {2}eip 0x00400080 <_start> {2}esp 0x[0-9a-f]{8}/m);
    expect(r.stderr).toMatch(/ {2}eax 0x[0-9a-f]{8} {2}ebx 0x[0-9a-f]{8} {2}ecx 0x[0-9a-f]{8} {2}edx 0x[0-9a-f]{8}\n/);
    expect(ringside(["run", prog("hello42.asm"), "--break-at", "-1"]).stderr).toMatch(/--break-at/);
    const past = ringside(["run", prog("hello42.asm"), "--break-at", "100000"]);
    expect([past.code, past.stderr]).toEqual([42, expect.stringMatching(/\nringside: note: the run ended at trace event \d+, before --break-at 100000\n$/)]);
    expect(past.stderr).not.toContain("break at");
  });

  it("--inspect starts the command under the Node inspector and waits for a debugger", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "tools", "cli", "ringside.js"), "run", prog("hello42.asm"), "--inspect"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], detached: true });
    let err = "";
    const listening = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 30_000);
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
        if (/Debugger listening on ws:\/\//.test(err)) {
          clearTimeout(t);
          resolve(true);
        }
      });
    });
    process.kill(-child.pid!, "SIGKILL"); // the wrapper and the inspected node process under it
    expect(listening, err).toBe(true);
    expect(err).toContain("breakpoints in kernel/*.ts work");
  }, 40_000);
});
