// `ringside boot` (what `npm start` runs) driven through a real terminal, as a person uses it: a
// detached tmux session runs the boot command in a pseudo-terminal, the test presses keys in it
// (tmux send-keys: letters, arrows, Home/End, Delete, Ctrl-U, Ctrl-W, Ctrl-C, Enter) and reads the
// screen (tmux capture-pane), polling until what it waits for is there. It covers line editing and
// history, Ctrl-C stopping a program that spins in the foreground, raw mode through /bin/keys (a key
// reaches the program without Enter and is not echoed), and the session's exit status. Needs tmux;
// says so and skips when it is missing (.ci/run installs it). The tmux server is private (its own
// socket in a temporary folder) and is killed after the tests, whatever their outcome.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const haveTmux = (() => {
  const r = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  return r.error === undefined && r.status === 0;
})();
if (!haveTmux) console.warn("SKIPPED tests/pty-session.test.ts: tmux not found (.ci/run installs it with apt)");

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-pty-"));
const socket = path.join(dir, "tmux.sock");
const statusFile = path.join(dir, "status");
const SESSION = "ringside";
/** How long one expected screen may take to appear (the machines running the tests may be busy). */
const WAIT_MS = 30_000;
/** A session left behind by a killed test run ends on its own after this long. */
const LIFETIME_S = 600;

// A program that never blocks: only a signal stops it.
const SPIN = `%include "ulib.inc"
global _start
_start:
    jmp _start
`;

/** Runs a tmux command on the private server; throws with its output if it fails. */
function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-S", socket, ...args], { encoding: "utf8", env: { ...process.env, TERM: process.env.TERM || "xterm" } });
  if (r.error || r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.error?.message ?? ""}${r.stderr}`);
  return r.stdout;
}

/** Presses keys: `text` is typed literally; names in `keys` are tmux key names (Left, Home, C-c …). */
function type(text: string): void {
  tmux("send-keys", "-t", SESSION, "-l", text);
}
function press(...keys: string[]): void {
  for (const k of keys) tmux("send-keys", "-t", SESSION, k);
}

/** The whole screen, scrollback included, as a person sees it: no trailing blanks on a line, no blank lines at the end. */
function screen(): string {
  const text = tmux("capture-pane", "-p", "-J", "-S", "-", "-t", SESSION);
  return text.split("\n").map((l) => l.trimEnd()).join("\n").replace(/\s+$/, "");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the screen until `ok(screen)` holds or `ms` pass; the last screen read, or null on timeout. */
async function poll(ok: (s: string) => boolean, ms: number): Promise<string | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    let s = "";
    try {
      s = screen();
    } catch {
      // the session has ended: nothing more will appear
    }
    if (s && ok(s)) return s;
    if (Date.now() > deadline) return null;
    await sleep(50);
  }
}

/** As poll, for WAIT_MS; fails with the screen if `ok` does not hold by then. */
async function waitFor(what: string, ok: (s: string) => boolean): Promise<string> {
  const s = await poll(ok, WAIT_MS);
  if (s === null) throw new Error(`timed out waiting for ${what}; the screen:\n${(() => { try { return screen(); } catch (e) { return String(e); } })()}`);
  return s;
}

/** Waits until the screen's last line is the shell's prompt ("$ ", its blank trimmed). */
const prompted = (after: number) => waitFor("the shell's prompt", (s) => s.split("\n").length > after && s.split("\n").at(-1) === "$");

/** Number of lines on the screen now. */
const lineCount = () => screen().split("\n").length;

/** Types a command line (and whatever keys edit it), presses Enter and waits for the next prompt; returns what it printed. */
async function run(keys: () => void): Promise<{ line: string; output: string[] }> {
  const before = lineCount();
  keys();
  press("Enter");
  const lines = (await prompted(before)).split("\n");
  const at = before - 1; // the prompt line the command was typed on
  return { line: lines[at]!, output: lines.slice(at + 1, -1) };
}

describe.skipIf(!haveTmux || solutionCut("ipc"))("ringside boot on a terminal (tmux)", () => {
  beforeAll(() => {
    writeFileSync(path.join(dir, "spin.asm"), SPIN);
    let r = ringside(["asm", "-f", "elf", "-I", path.join(ROOT, "servers", "lib"), "-o", path.join(dir, "spin"), path.join(dir, "spin.asm")]);
    expect(r.code, r.stderr).toBe(0);
    const img = path.join(dir, "disk.img");
    r = ringside(["image", "build", "-o", img, "--add", `${path.join(dir, "spin")}:/bin/spin`]);
    expect(r.code, r.stderr).toBe(0);
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const boot = `node ${q(path.join(ROOT, "tools", "cli", "ringside.js"))} boot ${q(img)} --snapshot`;
    const limited = spawnSync("timeout", ["--version"]).status === 0 ? `timeout --foreground ${LIFETIME_S} ${boot}` : boot;
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "50", "-c", ROOT, `${limited}; echo $? > ${q(statusFile)}`);
  }, 120_000);

  afterAll(() => {
    if (existsSync(socket)) spawnSync("tmux", ["-S", socket, "kill-server"]);
  });

  it("boots into the shell: the welcome line, then the prompt", async () => {
    const s = await prompted(0);
    expect(s.split("\n")[0]).toMatch(/^Welcome to ringside\./);
  });

  it("Left, Home, End and Delete edit the line in the middle; Enter runs what is shown", async () => {
    let r = await run(() => (type("echo helo"), press("Left"), type("l")));
    expect(r).toEqual({ line: "$ echo hello", output: ["hello"] });
    r = await run(() => (type("cho hi"), press("Home"), type("e"), press("End"), type("!")));
    expect(r).toEqual({ line: "$ echo hi!", output: ["hi!"] });
    r = await run(() => (type("echo abXc"), press("Left", "Left", "DC")));
    expect(r).toEqual({ line: "$ echo abc", output: ["abc"] });
  });

  it("Ctrl-W erases a word, Ctrl-U the line before the cursor", async () => {
    let r = await run(() => (type("echo one two"), press("C-w"), type("three")));
    expect(r).toEqual({ line: "$ echo one three", output: ["one three"] });
    r = await run(() => (type("rubbish"), press("C-u"), type("echo clean")));
    expect(r).toEqual({ line: "$ echo clean", output: ["clean"] });
  });

  it("Up recalls older commands, Down comes back; the recalled line can be edited", async () => {
    let r = await run(() => press("Up"));
    expect(r).toEqual({ line: "$ echo clean", output: ["clean"] });
    r = await run(() => press("Up", "Up", "Up", "Down")); // clean, one three, abc; back to one three
    expect(r).toEqual({ line: "$ echo one three", output: ["one three"] });
    r = await run(() => (press("Up", "C-w"), type("four")));
    expect(r).toEqual({ line: "$ echo one four", output: ["one four"] });
  });

  it("Ctrl-C stops a program spinning in the foreground; the shell survives and $? is 130", async () => {
    const before = lineCount();
    type("spin");
    press("Enter");
    await waitFor("spin to start", (s) => s.split("\n").at(-1) === "$ spin");
    // The SIGINT reaches spin once the shell has made it the terminal's foreground group: press
    // Ctrl-C until it has stopped (a Ctrl-C that comes too early reaches no one).
    const stopped = (x: string) => x.includes("sh: spin: Interrupt (signal 2)");
    let s: string | null = null;
    for (let i = 0; i < 10 && s === null; i++) {
      press("C-c");
      s = await poll(stopped, 3000);
    }
    if (s === null) s = screen();
    expect(s).toContain("^C\nsh: spin: Interrupt (signal 2)");
    await prompted(before);
    const r = await run(() => type("echo $?"));
    expect(r).toEqual({ line: "$ echo $?", output: ["130"] });
  });

  it("raw mode: keys gets each key as it is pressed, without Enter and without echo; the mode is restored", async () => {
    const before = lineCount();
    type("keys");
    press("Enter");
    await waitFor("keys to switch to raw mode", (s) => s.split("\n").at(-1)!.startsWith("keys: c_lflag 0xb -> 0x0 (raw"));
    type("a"); // no Enter
    let s = await waitFor("the byte of 'a'", (x) => x.split("\n").at(-1) === "61 'a'");
    expect(s.split("\n").slice(before)).toEqual([
      "keys: c_lflag 0xb -> 0x0 (raw: no line editing, no echo, Ctrl-C is a byte); q quits",
      "61 'a'",
    ]); // nothing echoed: "a" appears only as keys prints it
    press("Up", "C-c");
    s = await waitFor("the bytes of Up and Ctrl-C", (x) => x.split("\n").at(-1) === "03");
    expect(s.split("\n").slice(-4)).toEqual(["1b", "5b '['", "41 'A'", "03"]);
    type("q");
    s = await prompted(before);
    expect(s.split("\n").slice(-3)).toEqual(["71 'q'", "keys: c_lflag 0xb again", "$"]);
    const r = await run(() => (type("echo bakc"), press("BSpace", "BSpace"), type("ck")));
    expect(r).toEqual({ line: "$ echo back", output: ["back"] }); // canonical and echoing again
  });

  it("exit ends the session with the shell's status", async () => {
    type("exit 3");
    press("Enter");
    // The command tmux runs writes the boot's exit status to a file once the boot has ended.
    const status = () => (existsSync(statusFile) ? readFileSync(statusFile, "utf8") : "");
    const deadline = Date.now() + WAIT_MS;
    while (!status().endsWith("\n") && Date.now() < deadline) await sleep(50);
    expect(status()).toBe("3\n");
  });
});
