// The Unix shell, in both shapes: pipelines, redirections, cd/pwd, $? and Ctrl-C stopping a
// foreground job (typed on the serial console and on the PS/2 keyboard) while the shell survives.
// Boots copies of one private image (boot writes guest changes back to the image it boots).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, ringside } from "./helpers/cli.ts";
import { createKernel } from "../tools/build/kernel.ts";
import { loadBootImage } from "../boot/loader.ts";
import { scancodes } from "../emulator/keyboard-layout.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-sh2-"));
const base = path.join(dir, "base.img");
const MODES = ["microkernel", "monolithic"] as const;

// A program that never blocks: only a signal stops it.
const SPIN = `%include "ulib.inc"
global _start
_start:
    jmp _start
`;

let copies = 0;
/** Boots a fresh copy of the base image in `mode` with `--input` (or `--keys`) text. */
function boot(mode: string, text: string, how: "--input" | "--keys" = "--input") {
  const img = path.join(dir, `run-${copies++}.img`);
  copyFileSync(base, img);
  const r = ringside(["boot", img, "--mode", mode, how, text]);
  return { ...r, out: r.stdout + r.stderr };
}

beforeAll(() => {
  writeFileSync(path.join(dir, "spin.asm"), SPIN);
  let r = ringside(["asm", "-f", "elf", "-I", path.join(ROOT, "servers", "lib"), "-o", path.join(dir, "spin"), path.join(dir, "spin.asm")]);
  expect(r.code, r.stderr).toBe(0);
  r = ringside(["image", "build", "-o", base, "--add", `${path.join(dir, "spin")}:/bin/spin`]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe.each(MODES)("the Unix shell (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("pipes, redirects, cd and pwd", () => {
    const r = boot(mode, "echo hello | wc -c\nls /bin | grep ca > /home/o\ncat < /home/o\ncd /home\npwd\nexit\n");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("$ echo hello | wc -c\n6\n$ ls /bin | grep ca > /home/o\n$ cat < /home/o\ncat\n$ cd /home\n$ pwd\n/home\n$ exit");
  }, 60_000);

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("; & >> quotes $? and the new programs", () => {
    const r = boot(
      mode,
      [
        "true; echo $?; false; echo $?",
        "echo 'a  $?' \"b  $?\" c\"d\"e",
        "cd /home; mkdir d; cd d; pwd; echo one > f; echo two >> f; cat f | head -n 1; cd ..; rm d/f; rmdir d; ls",
        "cat /home/readme.txt | grep -c e; grep nothing-like-this /home/readme.txt; echo $?",
        "frobnicate; echo $?",
        "echo a | | b",
        "sleep 0 & echo started",
        "exit 3",
      ].join("\n") + "\n",
    );
    expect(r.code, r.out).toBe(3);
    expect(r.out).toContain("\n0\n1\n$ ");
    expect(r.out).toContain("\na  $? b  0 cde\n");
    expect(r.out).toContain("\n/home/d\none\nreadme.txt\n$ "); // ls: the directory is gone again
    expect(r.out).toContain("sh: frobnicate: command not found\n127\n");
    expect(r.out).toContain("sh: syntax error near |\n");
    expect(r.out).toMatch(/\n\[\d+\]\nstarted\n/);
  }, 60_000);

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("grep, head, wc and cd name the error of a file they cannot read, as cat does", () => {
    const r = boot(mode, "grep x /nope\nhead /nope\nwc /nope\ngrep x /home\nhead -n 1 /home/readme.txt /nope\ncd /home/readme.txt\nexit\n");
    expect(r.out).toContain("$ cd /home/readme.txt\nsh: cd: /home/readme.txt: Not a directory\n");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("$ grep x /nope\ngrep: /nope: No such file or directory\n$ head /nope\nhead: /nope: No such file or directory\n$ wc /nope\nwc: /nope: No such file or directory\n");
    expect(r.out).toContain("$ grep x /home\ngrep: /home: Is a directory\n");
    expect(r.out).toContain("\nhead: /nope: No such file or directory\n"); // after the header and line of the first file
  }, 60_000);

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("Ctrl-C (\\x03 on the serial line) stops the foreground job; the shell survives", () => {
    const r = boot(mode, "sleep 100\n\x03echo alive $?\nexit 4\n");
    expect(r.code, r.out).toBe(4);
    expect(r.out).toContain("$ sleep 100\n^C\n");
    expect(r.out).toContain("sh: sleep: Interrupt (signal 2)\n$ alive 130\n$ exit 4");
  }, 60_000);

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("Ctrl-C typed on the keyboard (--keys) stops the foreground job; the shell survives", () => {
    const r = boot(mode, "sleep 100\n\x03echo alive $?\nexit 5\n", "--keys");
    expect(r.code, r.out).toBe(5);
    expect(r.out).toContain("sh: sleep: Interrupt (signal 2)\n$ alive 130\n$ exit 5");
  }, 60_000);

  // A job that never blocks never lets the guest idle, so the CLI's "one line each time the guest
  // waits" never types the Ctrl-C: this one types on a clock (virtual µs), in-process.
  it.skipIf(solutionCut("ipc") && mode === "microkernel").each(["serial", "keyboard"] as const)("Ctrl-C on the %s stops a job spinning in the foreground", async (device) => {
    const boot = loadBootImage(new Uint8Array(readFileSync(base)));
    let out = "";
    const kernel = await createKernel({
      programs: boot.programs,
      modules: boot.modules,
      manifest: boot.manifest,
      hda: boot.hda,
      mode,
      onConsole: (b) => (out += String.fromCharCode(b)),
      onIdle: () => false,
      maxInstructions: 400_000_000,
    });
    const type = (text: string, atUs: number) =>
      device === "serial" ? kernel.machine.queueSerialInput(new TextEncoder().encode(text), atUs) : kernel.machine.queueKeyboardInput(scancodes(text), atUs);
    type("spin\n", 500_000);
    type("\x03", 550_000);
    type("echo alive $?\n", 600_000);
    type("exit 6\n", 650_000);
    const result = await kernel.run();
    kernel.destroy();
    expect(out).toContain("$ spin\n^C\nsh: spin: Interrupt (signal 2)\n$ echo alive $?\nalive 130\n$ exit 6");
    expect(result.status, out).toBe(6);
  }, 60_000);
});
