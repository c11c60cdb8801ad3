// Line editing at the console: the discipline's rules (kernel/drivers/line-discipline.ts, the twin
// of servers/console.asm) unit by unit, then a boot in both shapes where the VT100 sequences a
// terminal sends for the cursor keys (typed on the serial line with --input, or as cursor keys on
// the PS/2 keyboard with --keys) edit the line and recall the previous one, byte-identically.
// Scripted input makes these runs exact; tests/pty-session.test.ts presses the same keys on a real
// terminal (tmux) and waits for the screen instead.
import { copyFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { ECHO, ICANON, ISIG, LINE_MAX, LineDiscipline } from "../kernel/drivers/line-discipline.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dec = (b: number[] | Uint8Array) => String.fromCharCode(...b);

function discipline() {
  const echo: number[] = [];
  const got: string[] = [];
  let interrupts = 0;
  const ld = new LineDiscipline(
    (b) => echo.push(b),
    (_r, d) => (got.push(dec(d)), true),
    () => interrupts++,
  );
  for (let i = 0; i < 8; i++) ld.read(i + 1, 4096);
  const type = (s: string) => {
    for (const b of Buffer.from(s, "latin1")) ld.input(b);
  };
  return { ld, got, type, echoed: () => dec(echo), interrupts: () => interrupts };
}

describe("the line discipline's editing", () => {
  it("left/right insert in the middle and redraw the tail", () => {
    const t = discipline();
    t.type("ac\x1b[Db\x1b[C!\n");
    expect(t.echoed()).toBe("ac\bbc\bc!\n");
    expect(t.got).toEqual(["abc!\n"]);
  });

  it("Backspace and Delete in the middle close the gap and blank the freed column", () => {
    const t = discipline();
    t.type("abcd\x1b[D\x1b[D\x7f\x1b[3~\n");
    expect(t.echoed()).toBe("abcd\b\b\bcd \b\b\bd \b\bd\n"); // Enter echoes the rest of the line
    expect(t.got).toEqual(["ad\n"]);
  });

  it("Home/End in every spelling, Ctrl-U and Ctrl-W", () => {
    const t = discipline();
    t.type("xy\x1b[H<\x1b[F>\x01[\x05]\x1b[1~(\x1b[4~)\x1bOH{\x1bOF}\n");
    expect(t.got[0]).toBe("{([<xy>])}\n");
    t.type("one two  \x17three\x1b[D\x1b[D\x15X\n");
    expect(t.got[1]).toBe("Xee\n");
  });

  it("history: up recalls older lines, down comes back to the line being typed", () => {
    const t = discipline();
    t.type("first\nsecond\nsecond\ndraft\x1b[A\x1b[A\x1b[A\x1b[A\x1b[B\n");
    expect(t.got).toEqual(["first\n", "second\n", "second\n", "second\n"]); // duplicates kept once in the history
    t.type("\x1b[A\x1b[A\x1b[B\x1b[B\n");
    expect(t.got[4]).toBe("\n");
    t.type("\x1b[Alonger\x1b[B\x1b[A\x1b[A\n");
    expect(t.got[5]).toBe("first\n");
  });

  it("UTF-8: stored and echoed; cursor moves and erases whole characters", () => {
    const t = discipline();
    t.type("caf\xc3\xa9\x1b[D\x1b[D\x1b[3~\xe2\x82\xac\n");
    expect(t.got).toEqual(["ca\xe2\x82\xac\xc3\xa9\n"]);
    // the tail is redrawn once the 3-byte character is complete; Enter echoes the rest of the line
    expect(t.echoed()).toBe("caf\xc3\xa9\b\b\xc3\xa9 \b\b\xe2\x82\xac\xc3\xa9\b\xc3\xa9\n");
  });

  it("a full line rings the bell instead of cutting silently", () => {
    const t = discipline();
    t.type("a".repeat(LINE_MAX - 1) + "bc\n");
    expect(t.echoed().endsWith("a\x07\x07\n")).toBe(true);
    expect(t.got[0]!.length).toBe(LINE_MAX);
  });

  it("Ctrl-C discards the line and asks for SIGINT; unknown escapes are ignored; a control byte ends a sequence", () => {
    const t = discipline();
    t.type("abc\x03\x1b[99Zx\x1b[\ny\n");
    expect(t.interrupts()).toBe(1);
    expect(t.got).toEqual(["x\n", "y\n"]);
  });

  it("raw mode (ICANON off) delivers each byte at once; ECHO off echoes nothing; ISIG off: Ctrl-C signals nothing", () => {
    const t = discipline();
    t.ld.setMode(ISIG | ECHO);
    t.type("q\x1b[A");
    expect(t.got).toEqual(["q", "\x1b", "[", "A"]);
    t.ld.setMode(ICANON);
    t.type("secret\x03\n");
    expect(t.echoed()).toBe("q\x1b[A");
    expect(t.got[4]).toBe("secret\n");
    expect(t.interrupts()).toBe(0);
  });
});

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-edit-"));
const base = path.join(dir, "base.img");

beforeAll(() => {
  const r = ringside(["image", "build", "-o", base]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe("editing a shell line in both shapes", () => {
  // ecXho ← ← Backspace End ! = "echo!"; ↑ ↑ ↓ = "echo!" again; ↑ ↑ = "echo hello", Ctrl-W, "bye";
  // then a typo fixed with Backspace.
  const SESSION = "echo hello\necXho\x1b[D\x1b[D\x7f\x1b[F!\n\x1b[A\x1b[A\x1b[B\n\x1b[A\x1b[A\x17bye\nls /bin | grep ^\x7fhe\n";
  const outputs: Record<string, string> = {};

  it.for(["microkernel", "monolithic"])("arrow keys edit the line and up recalls the previous command (%s)", { timeout: 60_000 }, (mode, ctx) => {
    ctx.skip(solutionCut("ipc") && mode === "microkernel");
    const img = path.join(dir, `${mode}.img`);
    copyFileSync(base, img);
    const r = ringside(["boot", img, "--mode", mode, "--input", SESSION + "exit\n"]);
    expect(r.code, r.stderr).toBe(0);
    outputs[mode] = r.stdout;
    expect(r.stdout).toContain("sh: echo!: command not found\n"); // "ecXho" edited into "echo!"
    expect(r.stdout).toContain("$ ecXho\b\b\bho \b\b\bho!\nsh: echo!: command not found\n");
    expect(r.stdout).toContain("$ echo!\b\b\b\b\becho hello\b\b\b\b\b\b\b\b\b\becho!     \b\b\b\b\b\nsh: echo!: command not found\n");
    expect(r.stdout).toContain("\nbye\n$ ");
    expect(r.stdout).toContain("\nhead\nhello\n$ exit"); // "ls /bin | grep he"
  });

  it.skipIf(solutionCut("ipc"))("the two shapes echo the same bytes", () => {
    expect(outputs.monolithic).toBe(outputs.microkernel);
  });

  it.skipIf(solutionCut("ipc"))("cursor keys on the PS/2 keyboard (--keys) edit and recall the same way", () => {
    const img = path.join(dir, "keys.img");
    copyFileSync(base, img);
    // ecXho ← ← Backspace End ! = "echo!"; ↑ ↑ = "echo hello"; ↑ Backspace = "echo hell"
    const r = ringside(["boot", img, "--keys", "echo hello\necXho\x1b[D\x1b[D\b\x1b[F!\n\x1b[A\x1b[A\n\x1b[A\b\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("sh: echo!: command not found\n");
    expect(r.stdout).toContain("$ echo!\b\b\b\b\becho hello\nhello\n");
    expect(r.stdout).toContain("\nhell\n$ exit");
  }, 60_000);
});
