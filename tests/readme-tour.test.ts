// The README's "A tour of the command line" can be followed as printed: every `$ npx ringside …` command
// in it is run (as `node tools/cli/ringside.js …`, in a scratch folder that sees the repository's
// examples/ and tests/ as the repository root does) and its output compared with the text printed
// under it — exactly, except that in `trace show` lines and the `image build` summary numbers that
// move whenever servers/ changes (seq, times, addresses, sizes) are compared as numbers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

interface Step {
  command: string; // what follows "$ "
  expected: string[]; // the lines printed under it
}

/** The tour section's code blocks, as steps (a `$ ` line and the lines up to the next one). */
function tourSteps(): Step[][] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## A tour of the command line");
  const end = readme.indexOf("\n## ", start + 1);
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, end);
  const blocks: Step[][] = [];
  for (const m of section.matchAll(/```\n([\s\S]*?)```/g)) {
    const steps: Step[] = [];
    for (const line of m[1]!.replace(/\n$/, "").split("\n")) {
      // a `$ ` line inside a boot session's output is the guest shell's prompt, not a host command
      const inGuest = steps.length > 0 && steps[steps.length - 1]!.command.includes("ringside boot");
      if (line.startsWith("$ ") && !(inGuest && !line.startsWith("$ npx ringside") && !line.startsWith("$ echo $?"))) steps.push({ command: line.slice(2), expected: [] });
      else steps[steps.length - 1]!.expected.push(line);
    }
    blocks.push(steps);
  }
  return blocks;
}

/** Numbers (decimal, hex) replaced by '#', for lines whose numbers follow the servers' code (the KiB an image uses; not how many files it holds). */
const shape = (line: string): string => line.replace(/0x[0-9a-f]+|\b\d+(\.\d+)?\b(?! files)/g, "#");

/** True for an output line whose numbers legitimately change when servers/ changes. */
const variable = (command: string, line: string): boolean =>
  (command.includes("trace show") && /^\s+\d+\s+\d+\.\d+ /.test(line)) || /^wrote .*: RSFS v1, /.test(line);

describe("README tour", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-tour-"));
  for (const name of ["examples", "tests", "README.md"]) symlinkSync(path.join(ROOT, name), path.join(dir, name));
  const cli = path.join(ROOT, "tools", "cli", "ringside.js");
  const blocks = tourSteps();

  it("has the commands the issue asks to be runnable (samples in examples/, a boot that runs cat)", () => {
    const all = blocks.flat().map((s) => s.command);
    expect(all).toContain("npx ringside run examples/hello.asm");
    expect(all).toContain("npx ringside asm examples/bad.asm");
    expect(all.find((c) => c.startsWith("npx ringside boot"))).toContain("cat /home/note.txt");
    expect(all.filter((c) => c.startsWith("npx ringside")).length).toBeGreaterThanOrEqual(12);
  });

  it.skipIf(solutionCut("ipc"))("every `npx ringside` command prints what the README shows, and `echo $?` gets the status shown", () => {
    let lastStatus: number | undefined;
    for (const steps of blocks) {
      for (const { command, expected } of steps) {
        if (command === "echo $?") {
          expect(`${lastStatus}`, "echo $?").toBe(expected.join("\n"));
          continue;
        }
        if (!command.startsWith("npx ringside ")) continue;
        const shell = command.replace(/^npx ringside /, `node ${cli} `);
        const r = spawnSync("bash", ["-c", `${shell.includes("|") ? "set -o pipefail; " : ""}${shell.replace(/( \| head)/, " 2>&1$1")} 2>&1`], {
          cwd: dir,
          encoding: "utf8",
          env: { ...process.env, FORCE_COLOR: "0" },
          timeout: 120_000,
        });
        lastStatus = r.status ?? -1;
        const got = r.stdout.replace(/\n$/, "").split("\n").filter((l, i, a) => !(a.length === 1 && l === ""));
        expect(got.length, `${command}\n${r.stdout}`).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) {
          const want = expected[i]!;
          if (variable(command, want)) expect(shape(got[i]!), command).toBe(shape(want));
          else expect(got[i], command).toBe(want);
        }
      }
    }
  });
});
