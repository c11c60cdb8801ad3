// The project's tests that need a lab's solution skip themselves in that lab's handout
// (`solutionCut("<lab>")`, docs/labs.md) and are named in the lab's `projectTests`. This keeps the
// two in step and catches a new test that boots the microkernel shape without the `ipc` marker —
// which in an ipc handout would not fail quickly but run to its budget or its timeout. It reads
// source only: no machine runs here.
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.ts";
import { labNames } from "../tools/lab/labs.ts";
import { declaredProjectTests, namesMarker, projectTestMarkers, unmarkedMicrokernelTests } from "../tools/lab/project-tests.ts";
import { solutionCut } from "../tools/lab/cut.ts";

/** Tests the boot heuristic flags that never start a machine (file › the start of the declaring line). */
const NO_MACHINE: [file: string, starts: string, why: string][] = [
  ["tests/cli-hardening.test.ts", 'it("run, boot, image fsck, image build --add and asm refuse /dev/zero at once"', "refused while parsing the options"],
  ["tests/cli-hardening.test.ts", 'it("--max-instructions is checked the same way by run and boot"', "refused while parsing the options"],
  ["tests/cli-hardening.test.ts", 'it.skipIf(process.getuid?.() === 0)("an image whose folder is not writable is refused before booting"', "refused before booting"],
  ["tests/cli-hardening.test.ts", 'it("--inject names a service of the image\'s manifest: a typo is refused before booting, by run and boot"', "refused before booting"],
  ["tests/cli-hardening.test.ts", 'it("trace export and report, and run and boot --trace, refuse an output that is one of their inputs, and leave it unchanged"', "refused before booting"],
  ["tests/faults.test.ts", 'it("refuses a bad --inject with a clear error"', "refused while parsing the options"],
  ["tests/image.test.ts", 'it("maps servers/*.asm to /boot, apps to /bin, the manifest and files/** to their paths"', "boots only with --mode monolithic (on a line of its own)"],
];

describe.skipIf(solutionCut())("the project tests a handout skips", () => {
  it("every solutionCut marker is named in its lab's projectTests, and every projectTests entry names a marker", () => {
    const markers = projectTestMarkers(ROOT);
    const problems: string[] = [];
    for (const lab of labNames(ROOT)) {
      const entries = declaredProjectTests(ROOT, lab);
      const mine = markers.filter((m) => m.lab === lab);
      for (const m of mine) if (!entries.some((e) => namesMarker(e, m))) problems.push(`${m.file}:${m.line}: skips in a ${lab} handout but labs/${lab}/grader.ts projectTests does not name "${m.file} › ${m.title}"`);
      for (const e of entries) if (!mine.some((m) => namesMarker(e, m))) problems.push(`labs/${lab}/grader.ts projectTests names "${e}", which no test marked solutionCut("${lab}") declares`);
    }
    for (const m of markers) if (!labNames(ROOT).includes(m.lab)) problems.push(`${m.file}:${m.line}: solutionCut("${m.lab}"), but there is no lab ${m.lab}`);
    expect(problems).toEqual([]);
    // The markers this project has: the part-2 lab whose cut stops the microkernel shape has most.
    expect(markers.filter((m) => m.lab === "ipc").length).toBeGreaterThan(40);
  });

  it("every test that boots the microkernel shape skips in an ipc handout", () => {
    const flagged = unmarkedMicrokernelTests(ROOT).filter((t) => !NO_MACHINE.some(([f, s]) => f === t.file && t.text.startsWith(s)));
    expect(flagged.map((t) => `${t.file}:${t.line}: ${t.text} — boots the microkernel shape: mark it it.skipIf(solutionCut("ipc")) and name it in labs/ipc/grader.ts projectTests`)).toEqual([]);
    // Each exemption still matches a test the heuristic flags (a stale one would hide nothing).
    const all = unmarkedMicrokernelTests(ROOT);
    for (const [f, s] of NO_MACHINE) expect(all.some((t) => t.file === f && t.text.startsWith(s)), `${f}: ${s}`).toBe(true);
  });

  it("the heuristic sees a boot: a test without the marker is flagged, with it (or in a marked suite) it is not", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const root = mkdtempSync(path.join(os.tmpdir(), "ringside-pt-"));
    mkdirSync(path.join(root, "tests"));
    // Not written out: this file's own source is scanned too.
    const boot = '["' + 'boot"', micro = '"--mode", "micro' + 'kernel"';
    writeFileSync(
      path.join(root, "tests", "x.test.ts"),
      [
        'it("boots", () => {',
        `  ringside(${boot}, img, "--input", "ls\\n"]);`,
        "});",
        'it.skipIf(solutionCut("ipc"))("boots, marked", () => {',
        `  ringside(${boot}, img]);`,
        "});",
        'describe.skipIf(solutionCut("ipc"))("a marked suite", () => {',
        '  it("boots inside it", () => {',
        `    ringside(${boot}, img]);`,
        "  });",
        "});",
        'it("runs monolithic", () => {',
        `  ringside(${boot}, img, "--mode", "monolithic"]);`,
        "});",
        'it("runs a microkernel program", () => {',
        `  ringside(["run", ${micro}, prog]);`,
        "});",
        "",
      ].join("\n"),
    );
    expect(unmarkedMicrokernelTests(root).map((t) => t.line)).toEqual([1, 15]);
    expect(projectTestMarkers(root).map((m) => `${m.lab}:${m.line}:${m.title}`)).toEqual(["ipc:4:boots, marked", "ipc:7:a marked suite"]);
  });
});
