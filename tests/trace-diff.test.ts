// `trace diff`: identical deterministic runs, and the first divergent event after one changed input byte.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { synth, tempDir, writeTrace } from "./helpers/trace-synth.ts";
import { diffTraces } from "../tools/trace/diff.ts";

const dir = tempDir();
const a = synth({ events: 2000, seed: 4 });
const b = synth({ events: 2000, seed: 4 });
const c = synth({ events: 2000, seed: 4, perturbAt: 1000 });
const pa = writeTrace(dir, "a.jsonl", a);
const pb = writeTrace(dir, "b.jsonl", b);
const pc = writeTrace(dir, "c.jsonl", c);

describe("trace diff", () => {
  it("says identical (exit 0) for two deterministic runs", () => {
    const r = ringside(["trace", "diff", pa, pb]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`identical: ${a.length - 1} events`);
  });

  it("points at the first divergent event (exit 1) with context on both sides", async () => {
    const first = a.findIndex((l, i) => l !== c[i]);
    expect(first).toBeGreaterThan(1000);
    const seq = JSON.parse(a[first]).seq;
    const r = ringside(["trace", "diff", pa, pc]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`traces diverge at seq ${seq} (${pa}:${first + 1}, ${pc}:${first + 1})`);
    expect(r.stdout).toContain("both:");
    expect(r.stdout).toMatch(/< +\d+ /);
    expect(r.stdout).toMatch(/> +\d+ /);
    const d = await diffTraces(pa, pc, 2);
    expect(d.divergence?.seq).toBe(seq);
    expect(d.divergence?.before.length).toBe(2);
    expect(d.divergence?.after_a.length).toBe(3);
    expect(d.divergence?.fields.length).toBeGreaterThan(0);
  });

  it("traces whose headers differ (another mode) are told apart by the header alone, with no event context", () => {
    const other = writeTrace(dir, "other-mode.jsonl", [a[0]!.replace('"mode":"monolithic"', '"mode":"microkernel"'), ...a.slice(1)]);
    expect(a[0]).toContain('"mode":"monolithic"');
    const r = ringside(["trace", "diff", pa, other]);
    expect([r.code, r.stdout]).toEqual([1, `traces diverge at the header (${pa}:1, ${other}:1) after 0 identical events\n  headers differ: mode "monolithic" vs "microkernel"\n`]);
  });

  it("reports a trace that ends early, ignores key order, and handles missing files", async () => {
    const short = writeTrace(dir, "short.jsonl", a.slice(0, 50));
    const d = await diffTraces(pa, short);
    expect(d.identical).toBe(false);
    expect(d.divergence?.what).toContain("ends after 49 events");
    const reordered = a.slice();
    const ev = JSON.parse(a[10]);
    reordered[10] = JSON.stringify(Object.fromEntries(Object.entries(ev).reverse()));
    expect((await diffTraces(pa, writeTrace(dir, "r.jsonl", reordered))).identical).toBe(true);
    const m = ringside(["trace", "diff", pa, `${dir}/none.jsonl`]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("cannot open trace");
    const j = ringside(["trace", "diff", pa, pc, "--json"]);
    expect(JSON.parse(j.stdout).identical).toBe(false);
  });
});
