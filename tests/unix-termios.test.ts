// The terminal's modes from programs, in both shapes: ioctl TCGETS reads the console's real c_lflag
// and TCSETS/TCSETSW/TCSETSF change it — a request to the ring-3 console server (microkernel) or to
// the in-kernel console (monolithic), as the trace shows — and /bin/keys, run from the shell, puts
// the console in raw mode: every byte reaches it as typed (an arrow key is three bytes, '\r' stays
// '\r', Ctrl-C is a byte), nothing is echoed, and the shell gets a canonical, echoing terminal back.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace, prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-termios-"));
const base = path.join(dir, "base.img");
const MODES = ["monolithic", "microkernel"] as const;
const TCSETS = 0x5402;

const HEADER = "keys: c_lflag 0xb -> 0x0 (raw: no line editing, no echo, Ctrl-C is a byte); q quits\n";
// a b ↑ Ctrl-C Enter q, as keys prints them
const KEYS_SHOWN = "61 'a'\n62 'b'\n1b\n5b '['\n41 'A'\n03\n0d\n71 'q'\n";
const RESTORED = "keys: c_lflag 0xb again\n";
// keys, then a b ↑ Ctrl-C Enter q in raw mode (the '\n' after q stays queued: the shell reads an
// empty line), then a line edited with Backspace in canonical mode again.
const SESSION = "keys\nab\x1b[A\x03\rq\necho bacX\x7fk\nexit\n";

let copies = 0;
function boot(mode: string, how: "--input" | "--keys", text: string, extra: string[] = []) {
  const img = path.join(dir, `run-${copies++}.img`);
  copyFileSync(base, img);
  return ringside(["boot", img, "--mode", mode, how, text, ...extra]);
}

beforeAll(() => {
  const r = ringside(["image", "build", "-o", base]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe.each(MODES)("ioctl on the console (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("TCGETS reads the console's c_lflag and c_cc; TCSETS, TCSETSW and TCSETSF set it; -EFAULT, -ENOTTY, -EBADF", () => {
    const r = ringside(["run", "--mode", mode, prog("termios.asm")]);
    expect(r.stdout).toBe(
      "lflag 11\nvintr 3\nvmin 1\ntcsets 9: lflag 9\ntcsetsw all: lflag 11\ntcsetsf 0: lflag 0\n" +
        "tcgets fault -14\ntcsets fault -14\npipe -25\nbadf -9\nrestored: lflag 11\n",
    );
    expect(r.code).toBe(0);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("keys switches the console to raw mode: bytes as typed, no echo, no line editing; the shell's line editing is back after", () => {
    const trace = path.join(dir, `keys-${mode}.jsonl`);
    const r = boot(mode, "--input", SESSION, ["--trace", trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("$ keys\n" + HEADER + KEYS_SHOWN + RESTORED + "$ ");
    expect(r.stdout).toContain("$ echo bacX\b \bk\nback\n$ exit"); // echoed and edited: canonical again
    // The TCSETS calls are requests to the console: IPC to its server, or the in-kernel service.
    const events = parseTrace(readFileSync(trace, "utf8")).slice(1);
    const sets = events.flatMap((e, i) =>
      e.kind === "syscall" && e.proc === "keys" && e.name === "ioctl" && (e.args as number[])[1] === TCSETS ? [events[i + 1]!] : [],
    );
    expect(sets.length).toBe(2); // raw, then restore
    for (const next of sets) {
      if (mode === "microkernel") expect(next).toMatchObject({ kind: "ipc", op: "send", dst: 2 }); // pid 2: the console server
      else expect(next).toMatchObject({ kind: "service", op: "request", service: "console", type: 5 }); // CON_TCSETS
    }
  }, 60_000);
});

describe.each(MODES)("the shell takes its terminal mode back (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("a program that leaves the console raw (no echo, no line editing) does not leave the shell so", () => {
    const elf = path.join(dir, "rawexit");
    let r = ringside(["asm", "-f", "elf", prog("rawexit.asm"), "-o", elf]);
    expect(r.code, r.stderr).toBe(0);
    const img = path.join(dir, `rawexit-${mode}.img`);
    r = ringside(["image", "build", "-o", img, "--add", `${elf}:/bin/rawexit`]);
    expect(r.code, r.stderr).toBe(0);
    r = ringside(["boot", img, "--mode", mode, "--input", "rawexit\necho bacX\x7fk\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    // Echoed and edited: canonical mode and echo are back for the next line.
    expect(r.stdout).toContain("$ rawexit\n$ echo bacX\b \bk\nback\n$ exit");
  }, 60_000);
});

describe.each(MODES)("TCSETSF discards typed-ahead input, TCSETS keeps it (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("lines typed while a program sleeps are read after TCSETS and gone after TCSETSF", () => {
    const elf = path.join(dir, "flushin");
    let r = ringside(["asm", "-f", "elf", prog("flushin.asm"), "-I", path.dirname(prog("flushin.asm")), "-o", elf]);
    expect(r.code, r.stderr).toBe(0);
    const img = path.join(dir, `flushin-${mode}.img`);
    r = ringside(["image", "build", "-o", img, "--add", `${elf}:/bin/flushin`]);
    expect(r.code, r.stderr).toBe(0);
    const typed = "typed ahead\necho after\nexit\n";
    const keep = ringside(["boot", img, "--snapshot", "--mode", mode, "--input", "flushin k\n" + typed]);
    expect(keep.code, keep.stderr).toBe(0);
    expect(keep.stdout).toContain("read: typed ahead\n$ after\n$ ");
    const flush = ringside(["boot", img, "--snapshot", "--mode", mode, "--input", "flushin f\n" + typed]);
    // Everything typed during the sleep is gone: flushin reads end of input, the shell never gets
    // `echo after` or `exit`, and the run ends waiting for input.
    expect(flush.stdout).toContain("read: $ ");
    expect(flush.stdout).not.toContain("after\n$");
    expect(flush.stderr).toMatch(/every process waits and no more input will come/);
  }, 60_000);
});

describe("raw mode from the PS/2 keyboard", () => {
  it.skipIf(solutionCut("ipc"))("keys typed on the keyboard (keyboard server → console server) reach keys one byte at a time", () => {
    const r = boot("microkernel", "--keys", SESSION.replace("\x7f", "\b"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("$ keys\n" + HEADER + KEYS_SHOWN + RESTORED + "$ ");
    expect(r.stdout).toContain("\nback\n$ exit");
  }, 60_000);
});
