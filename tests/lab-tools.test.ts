// The lab tools' parts that need no machine: markers (cut, keep, malformed), the zip writer, the
// Gradescope and JUnit reports, the autograder bundle.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { applyLabs, findRegions, MarkerError } from "../tools/lab/markers.ts";
import { crc32, zip } from "../tools/lab/zip.ts";
import { gradescope, junit, type GradeReport } from "../tools/lab/grade.ts";
import { ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const TS = ["const a = 1;", "  // LAB x: BEGIN", "  return solve();", "  // LAB x: HANDOUT", "  // // TODO(lab x)", "  // return -E.NOSYS;", "  //", "  // LAB x: END", "end();"].join("\n");

/** Reads a zip's central directory: name → { data, mode }. */
function unzip(bytes: Uint8Array): Map<string, { data: Buffer; mode: number }> {
  const b = Buffer.from(bytes);
  const end = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const n = b.readUInt16LE(end + 10);
  let p = b.readUInt32LE(end + 16);
  const out = new Map<string, { data: Buffer; mode: number }>();
  for (let i = 0; i < n; i++) {
    expect(b.readUInt32LE(p)).toBe(0x02014b50);
    const method = b.readUInt16LE(p + 10);
    const crc = b.readUInt32LE(p + 16);
    const size = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extra = b.readUInt16LE(p + 30);
    const comment = b.readUInt16LE(p + 32);
    const mode = b.readUInt32LE(p + 38) >>> 16;
    const off = b.readUInt32LE(p + 42);
    const name = b.toString("utf8", p + 46, p + 46 + nameLen);
    const lh = off + 30 + b.readUInt16LE(off + 26) + b.readUInt16LE(off + 28);
    const body = b.subarray(lh, lh + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data)).toBe(crc);
    out.set(name, { data, mode });
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

describe("lab markers", () => {
  it("cutting a lab puts its handout text (prefix and one space off) in place of the solution", () => {
    expect(applyLabs("f.ts", TS, new Set(["x"]))).toBe(["const a = 1;", "  // TODO(lab x)", "  return -E.NOSYS;", "", "end();"].join("\n"));
  });
  it("keeping a lab leaves its solution and drops the markers", () => {
    expect(applyLabs("f.ts", TS, new Set())).toBe(["const a = 1;", "  return solve();", "end();"].join("\n"));
  });
  it("NASM uses ';'", () => {
    const asm = ["; LAB y: BEGIN", "    call solve", "; LAB y: HANDOUT", ";     call todo", "; LAB y: END"].join("\n");
    expect(applyLabs("p.asm", asm, new Set(["y"]))).toBe("    call todo");
  });
  it("malformed regions are refused with file:line", () => {
    expect(() => findRegions("f.ts", "// LAB x: BEGIN\nfoo\n// LAB x: END")).toThrow(/f.ts:3: the region of lab x \(line 1\) has no HANDOUT/);
    expect(() => findRegions("f.ts", "// LAB x: BEGIN\n// LAB x: HANDOUT\n")).toThrow(MarkerError);
    expect(() => findRegions("f.ts", "// LAB x: END")).toThrow(/f.ts:1: LAB x: END without a BEGIN/);
  });
});

describe("lab reports", () => {
  const report: GradeReport = {
    lab: "x", title: "T", score: 2, max: 5, seconds: 1, typecheck: { ok: true, seconds: 0.5, output: "" },
    tests: [
      { name: "a", title: "A <&>", points: 2, max: 2, passed: true, needsSolution: true, seconds: 0.1, output: "" },
      { name: "b", title: "B", points: 0, max: 3, passed: false, needsSolution: true, seconds: 0.2, output: "expected 1\ngot 2" },
    ],
    ignored: ["kernel/trace/recorder.ts (changed)"],
  };
  it("Gradescope results.json: score, tests [{name, score, max_score, output}]", () => {
    const g = gradescope(report);
    expect(g.score).toBe(2);
    expect(g.tests.map((t) => [t.score, t.max_score])).toEqual([[2, 2], [0, 3]]);
    expect(g.tests[1]!.output).toBe("expected 1\ngot 2");
    expect(g.output).toContain("kernel/trace/recorder.ts (changed)");
  });
  it("JUnit: one testcase per test, failures escaped", () => {
    const x = junit(report);
    expect(x).toContain('tests="2" failures="1"');
    expect(x).toContain("A &lt;&amp;&gt;");
    expect(x).toContain("<failure message=\"0/3 points\">expected 1\ngot 2</failure>");
  });
});

describe("zip", () => {
  it("writes entries that inflate back, with their CRCs and Unix modes", () => {
    const big = Buffer.alloc(10000, "ab");
    const z = unzip(zip([{ name: "run_autograder", data: Buffer.from("#!/bin/sh\n"), mode: 0o755 }, { name: "d/big.txt", data: big }]));
    expect(z.get("run_autograder")!.data.toString()).toBe("#!/bin/sh\n");
    expect(z.get("run_autograder")!.mode & 0o777).toBe(0o755);
    expect(z.get("d/big.txt")!.data.equals(big)).toBe(true);
  });

  it.skipIf(solutionCut())("lab autograder: setup.sh, run_autograder writing results.json, and the project", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ringside-ag-")), "syscall.zip");
    const r = ringside(["lab", "autograder", "syscall", "-o", file]);
    expect(r.code).toBe(0);
    const z = unzip(readFileSync(file));
    expect(z.get("setup.sh")!.mode & 0o111).not.toBe(0);
    expect(z.get("run_autograder")!.data.toString()).toContain("lab grade syscall --submission /autograder/submission --gradescope /autograder/results/results.json");
    expect(z.has("ringside/labs/syscall/grader.ts")).toBe(true);
    expect(z.has("ringside/package-lock.json")).toBe(true);
  }, 60_000);
});

describe("LAB.md at a handout's root", () => {
  it("keeps every link of the lab's README working: targets are rewritten from labs/<lab>/ to the root", async () => {
    const { existsSync, readdirSync } = await import("node:fs");
    const { linksFromRoot } = await import("../tools/lab/handout.ts");
    const { ROOT } = await import("./helpers/cli.ts");
    expect(linksFromRoot("[a](../../docs/abi.md) [b](tests/x.asm) [c](https://x.y/z) [d](#here) [e](../../README.md#a-tour)", "labs/syscall")).toBe("[a](docs/abi.md) [b](labs/syscall/tests/x.asm) [c](https://x.y/z) [d](#here) [e](README.md#a-tour)");
    let links = 0;
    for (const lab of readdirSync(path.join(ROOT, "labs"))) {
      const readme = path.join(ROOT, "labs", lab, "README.md");
      if (!existsSync(readme)) continue;
      for (const m of linksFromRoot(readFileSync(readme, "utf8"), `labs/${lab}`).matchAll(/\]\(([^)\s#:]+)(#[^)\s]*)?\)/g)) {
        links++;
        expect(existsSync(path.join(ROOT, m[1]!)), `${lab}: ${m[1]}`).toBe(true);
      }
    }
    expect(links).toBeGreaterThan(10);
  });
});
