// Fault injection as a new user checks it: `--inject` into a ring-3 server is survived (the trace shows
// the fault, the restart and the repeated request), the same fault into the in-kernel service stops
// the machine, and bad --inject values are refused clearly.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-faults-"));
const base = path.join(dir, "base.img");
const SESSION = "cat /home/readme.txt\nls\nexit\n";
type Ev = Record<string, unknown>;

beforeAll(() => {
  expect(ringside(["image", "build", "-o", base]).code).toBe(0);
}, 120_000);

/** Boots a copy of the base image with `args`, tracing; returns the run and its events. */
function boot(name: string, args: string[]): { code: number; stdout: string; stderr: string; events: Ev[] } {
  const img = path.join(dir, `${name}.img`);
  copyFileSync(base, img);
  const trace = path.join(dir, `${name}.jsonl`);
  const r = ringside(["boot", img, "--trace", trace, ...args, "--input", SESSION]);
  return { ...r, events: parseTrace(readFileSync(trace, "utf8")).slice(1) };
}

describe("--inject", () => {
  it.skipIf(solutionCut("recovery") || solutionCut("ipc"))("disk:crash@5 in the microkernel: the session completes; the trace shows the crash, the restart and the repeated request", () => {
    const r = boot("disk-crash", ["--inject", "disk:crash@5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("This file lives on an RSFS disk image");
    expect(r.stdout).toMatch(/boot\/\nbin\/\netc\/\nhome\/\n/); // ls (the typed lines may echo early)
    const fault = r.events.findIndex((e) => e.kind === "fault" && e.target === "disk" && e.fault === "crash");
    const restart = r.events.findIndex((e) => e.kind === "restart" && e.name === "disk");
    expect(fault).toBeGreaterThanOrEqual(0);
    expect(restart).toBeGreaterThan(fault);
    const fs = r.events.find((e) => e.kind === "spawn" && (e.argv as string[])[0] === "fs")!.pid;
    const newDisk = r.events[restart]!.pid;
    // the file server sends its request again, to the new disk server
    expect(r.events.slice(restart).some((e) => e.kind === "ipc" && e.op === "send" && e.src === fs && e.dst === newDisk)).toBe(true);
  }, 60_000);

  it.skipIf(solutionCut("ipc"))("fs:hang@3: the heartbeat kills the spinning file server, it is restarted, and the session completes", () => {
    const r = boot("fs-hang", ["--inject", "fs:hang@3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("This file lives on an RSFS disk image");
    const fault = r.events.find((e) => e.kind === "fault" && e.target === "fs")!;
    expect(fault.outcome).toBe("spins in ring 3");
    const killed = r.events.find((e) => e.kind === "exit" && e.proc === "fs" && e.signal === 9);
    expect(killed, "the heartbeat kills it").toBeDefined();
    expect(r.events.some((e) => e.kind === "restart" && e.name === "fs")).toBe(true);
  }, 60_000);

  it.skipIf(solutionCut("recovery") || solutionCut("ipc"))("typed input waits for the shell while a crashed server restarts during boot (lines and keys)", () => {
    const typed = ringside(["boot", base, "--snapshot", "--inject", "disk:crash@5", "--input", "cat /home/readme.txt\nexit\n"]);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toMatch(/\n\$ cat \/home\/readme\.txt\nringside is a teaching microkernel/); // echoed after the prompt, not during the boot
    const keys = ringside(["boot", base, "--snapshot", "--inject", "keyboard:crash@500us", "--keys", "ls /home\nexit\n"]);
    expect(keys.code, keys.stderr).toBe(0);
    expect(keys.stdout).toContain("$ ls /home\nreadme.txt\n$ exit"); // not lost while the keyboard's driver was down
  }, 60_000);

  it.skipIf(solutionCut("recovery") || solutionCut("ipc"))("a fault due at a request strikes before the server serves it, even one it takes from its queue (the caller's return fast path)", () => {
    // fs's request 21 is the one the kernel sends again to the fs restarted after request 20: it is
    // queued, so fs's next ipc_reply_recv takes it at once and would return straight to fs.
    const img = path.join(dir, "queued.img");
    copyFileSync(base, img);
    const trace = path.join(dir, "queued.jsonl");
    const r = ringside(["boot", img, "--trace", trace, "--inject", "fs:crash@20", "--inject", "fs:crash@21", "--input", "cat /home/readme.txt\ncat /home/readme.txt\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    const events = parseTrace(readFileSync(trace, "utf8")).slice(1);
    const at = events.findIndex((e) => e.kind === "fault" && (e.when as { request?: number }).request === 21);
    expect(at).toBeGreaterThan(0);
    const before = events[at - 1]!;
    expect([before.kind, before.op, before.dst]).toEqual(["ipc", "receive", events[at]!.pid]); // not after fs's reply
  }, 60_000);

  it("the same disk crash in the monolithic kernel is a kernel panic that stops the machine", () => {
    const r = boot("mono-crash", ["--mode", "monolithic", "--inject", "disk:crash@5"]);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^ringside: kernel panic: in-kernel service disk: injected crash in ring 0/m);
    expect(r.events.at(-1)).toMatchObject({ kind: "halt", reason: "panic" });
    expect(r.events.at(-2)).toMatchObject({ kind: "fault", target: "disk", outcome: "kernel panic" });
  }, 60_000);

  it.skipIf(solutionCut("ipc"))("a monolithic wild write lands in kernel memory, where the trace shows it; a microkernel one stays in the server", () => {
    const mono = boot("mono-wild", ["--mode", "monolithic", "--inject", "disk:wild-write@10", "--seed", "3"]);
    const f = mono.events.find((e) => e.kind === "fault")!;
    expect(f.outcome).toBe("stored into kernel memory");
    expect(f.addr as number).toBeLessThan(0x400000); // the kernel region
    const micro = boot("micro-wild", ["--inject", "fs:wild-write@4", "--seed", "3"]);
    const g = micro.events.find((e) => e.kind === "fault")!;
    expect(g.outcome).toBe("stored");
    expect(g.addr as number).toBeGreaterThanOrEqual(0x400000); // the server's own memory
    expect(micro.code).toBe(0);
  }, 60_000);

  it("replays exactly: the same --inject and --seed give the same trace", () => {
    const a = boot("replay-a", ["--inject", "fs:wild-write@6", "--seed", "9"]);
    const b = boot("replay-b", ["--inject", "fs:wild-write@6", "--seed", "9"]);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
  }, 60_000);

  it("says so when a fault never struck (a server that gets no requests, a time after the run)", () => {
    const r = ringside(["run", "examples/hello.asm", "--image", base, "--inject", "keyboard:crash", "--inject", "disk:crash@60s"]);
    expect(r.code, r.stderr).toBe(42);
    expect(r.stderr).toMatch(/^ringside: note: --inject keyboard:crash@1 never struck: keyboard received 0 requests \(a server that only takes notifications/m);
    expect(r.stderr).toMatch(/^ringside: note: --inject disk:crash@60000000us never struck: the run ended at \d+ µs of virtual time$/m);
  });

  it.skipIf(solutionCut("ipc"))("counts disk requests as docs/faults.md says: a cat of a small file after boot is 21 in the monolithic shape, 26 in the microkernel", () => {
    for (const [mode, n] of [["monolithic", 21], ["microkernel", 26]] as const) {
      const r = ringside(["boot", base, "--snapshot", "--mode", mode, "--inject", "disk:crash@1000", "--input", "cat /home/readme.txt\nexit\n"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`ringside: note: --inject disk:crash@1000 never struck: disk received ${n} requests\n`);
    }
  });

  it("refuses a bad --inject with a clear error", () => {
    const r = ringside(["boot", base, "--snapshot", "--inject", "disk:melt@2", "--input", "exit\n"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^ringside boot: --inject: unknown fault "melt" \(crash, exception, wild-write, hang, bad-io, bad-ipc\)$/m);
    expect(r.stdout).toBe("");
  });
});
