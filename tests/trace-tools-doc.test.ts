// docs/trace-tools.md's examples on its synthetic trace, run as printed: every `$ ringside trace …`
// line in a code block that reads run.jsonl prints exactly the lines the document shows under it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, ringside } from "./helpers/cli.ts";
import { synthLines } from "../tools/trace/synth.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-tt-doc-"));
const write = (name: string, opts: Parameters<typeof synthLines>[0]) =>
  writeFileSync(path.join(dir, name), [...synthLines(opts)].join("\n") + "\n");
// As the document says it made them.
write("run.jsonl", { events: 600, mode: "microkernel", future: true, seed: 7 });
write("run-again.jsonl", { events: 600, mode: "microkernel", future: true, seed: 7 });
write("run-other-input.jsonl", { events: 600, mode: "microkernel", future: true, seed: 7, perturbAt: 323 });

/** Each `$ ringside trace …` command on the example traces with the lines printed under it. */
function examples(): { command: string; expected: string[] }[] {
  const out: { command: string; expected: string[] }[] = [];
  const blocks = readFileSync(path.join(ROOT, "docs", "trace-tools.md"), "utf8").split("```").filter((_, i) => i % 2 === 1);
  for (const block of blocks) {
    const lines = block.split("\n").slice(1, -1);
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith("$ ringside trace ") || !/\brun\.jsonl\b/.test(lines[i]!)) continue;
      let j = i + 1;
      while (j < lines.length && !lines[j]!.startsWith("$ ")) j++;
      out.push({ command: lines[i]!.slice(2), expected: lines.slice(i + 1, j) });
    }
  }
  return out;
}

describe("docs/trace-tools.md examples", () => {
  const cases = examples();
  it("has the examples this test runs", () => expect(cases.length).toBeGreaterThanOrEqual(5));
  it.each(cases)("$command", ({ command, expected }) => {
    const head = /\| head -(\d+)$/.exec(command);
    const args = command.replace(/\s*\|.*$/, "").split(/\s+/).slice(1);
    const r = ringside([...args, ...(args[1] === "show" ? ["--no-color"] : [])], { cwd: dir });
    let got = (r.stdout + r.stderr).replace(/\n$/, "").split("\n");
    if (head) got = got.slice(0, Number(head[1]));
    // The summary's header names the synthetic tool and the table's tail is long: compare what the document prints.
    expect(got.slice(0, expected.length)).toEqual(expected);
  });
});
