// Bad input: every problem is reported with the file, the line number and what is wrong — never a stack trace.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { handTrace, tempDir, writeTrace, HEADER } from "./helpers/trace-synth.ts";
import { readAll } from "../tools/trace/reader.ts";

const dir = tempDir();
const good = handTrace();
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |internal error/);

describe("bad trace input", () => {
  it("truncated last line: line number and 'truncated'", () => {
    const lines = good.slice(0, 6);
    lines.push(good[6].slice(0, 40));
    const p = writeTrace(dir, "trunc.jsonl", lines, true);
    const r = ringside(["trace", "summary", p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${p}:7: truncated event`);
    expect(r.stderr).toContain("--skip-bad");
    noStack(r.stderr);
  });

  it("invalid JSON in the middle; --skip-bad continues past it", () => {
    const lines = good.slice();
    lines[4] = '{"seq":3,"icount":200,"vt":2,"kind":"syscall" "pid":1}';
    const p = writeTrace(dir, "corrupt.jsonl", lines);
    const r = ringside(["trace", "show", p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${p}:5: invalid JSON`));
    noStack(r.stderr);
    const s = ringside(["trace", "show", p, "--skip-bad"]);
    expect(s.code).toBe(0);
    expect(s.stdout.trim().split("\n").length).toBe(good.length - 2);
    expect(s.stderr).toContain(`${p}:5: invalid JSON`);
    expect(s.stderr).toContain("skipped 1 bad line");
  });

  it("missing keys and wrong types are named", () => {
    const lines = good.slice();
    lines[3] = '{"seq":2,"icount":100,"vt":1,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"eip":4198400}';
    const p = writeTrace(dir, "missing.jsonl", lines);
    const r = ringside(["trace", "summary", p]);
    expect(r.stderr).toContain(`${p}:4: return event lacks "cpl_to"`);
    noStack(r.stderr);
    lines[3] = '{"seq":2,"icount":"100","vt":1,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":4198400}';
    const q = writeTrace(dir, "type.jsonl", lines);
    expect(ringside(["trace", "summary", q]).stderr).toContain(`${q}:4: return event: "icount" must be a non-negative integer, got "100"`);
  });

  it("seq gaps are reported", () => {
    const lines = good.slice();
    lines.splice(5, 1);
    const p = writeTrace(dir, "gap.jsonl", lines);
    expect(ringside(["trace", "summary", p]).stderr).toContain(`${p}:6: seq 5 follows seq 3`);
    // With --skip-bad the event after the gap is kept (it is not the bad one: a line is missing before it).
    const r = ringside(["trace", "show", p, "--skip-bad", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`ringside: warning: ${p}:6: seq 5 follows seq 3: 1 event is missing before it\n`);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).seq)).toEqual(good.slice(1).map((l) => JSON.parse(l).seq).filter((s: number) => s !== 4));
  });

  it("a newer schema version says so", () => {
    const p = writeTrace(dir, "v3.jsonl", [HEADER.replace('"version":1', '"version":3'), ...good.slice(1)]);
    for (const cmd of [["show", p], ["summary", p], ["diff", p, p]]) {
      const r = ringside(["trace", ...cmd]);
      expect(r.code, cmd[0]).toBe(2);
      expect(r.stderr, cmd[0]).toContain(`${p}:1: trace schema version 3 is newer than this ringside understands (version 2); upgrade ringside`);
      noStack(r.stderr);
    }
  });

  it("empty file, non-trace file, missing file, directory", () => {
    const e = writeTrace(dir, "empty.jsonl", []);
    expect(ringside(["trace", "summary", e]).stderr).toContain(`${e}:1: empty trace`);
    const n = writeTrace(dir, "other.jsonl", ['{"hello":1}']);
    expect(ringside(["trace", "summary", n]).stderr).toContain("not a ringside trace");
    const m = ringside(["trace", "summary", `${dir}/nope.jsonl`]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("nope.jsonl: cannot open trace: no such file");
    noStack(m.stderr);
    expect(ringside(["trace", "show", dir]).stderr).toContain("is a directory");
  });

  it("unknown kinds and keys are accepted", async () => {
    const lines = good.slice(0, 4);
    lines.push('{"seq":3,"icount":101,"vt":1.01,"kind":"pagefault","pid":1,"proc":"sh","addr":4096,"future":{"x":1}}');
    const p = writeTrace(dir, "future.jsonl", lines);
    const { events } = await readAll(p);
    expect(events.length).toBe(4);
    const r = ringside(["trace", "show", p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pagefault addr=4096 future={"x":1}');
  });
});
