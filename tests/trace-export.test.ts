// `trace export --format perfetto` passes a structural validation; `trace report` is self-contained HTML.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { handTrace, synth, tempDir, writeTrace } from "./helpers/trace-synth.ts";

const dir = tempDir();
const lines = synth({ events: 3000, seed: 9, future: true, mode: "microkernel" });
const path = writeTrace(dir, "t.jsonl", lines);

type Ev = Record<string, unknown>;
const isU32 = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff;

/** Checks what Perfetto's JSON importer relies on; returns the problems found. */
function validateChromeTrace(doc: unknown): string[] {
  const errs: string[] = [];
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as Ev).traceEvents)) return ["no traceEvents array"];
  const evs = (doc as { traceEvents: Ev[] }).traceEvents;
  const slices = new Map<string, { ts: number; end: number; name: string }[]>();
  const flows = new Map<number, string[]>();
  const named = new Set<number>();
  const used = new Set<number>();
  for (const [i, e] of evs.entries()) {
    const where = `event ${i} (${JSON.stringify(e).slice(0, 80)})`;
    if (typeof e.ph !== "string") errs.push(`${where}: no ph`);
    if (typeof e.name !== "string" || e.name === "") errs.push(`${where}: no name`);
    if (!isU32(e.pid) || !isU32(e.tid)) errs.push(`${where}: pid/tid not 32-bit ints`);
    if (e.ph === "M") {
      if (e.name === "process_name") {
        if (typeof (e.args as Ev)?.name !== "string") errs.push(`${where}: process_name without args.name`);
        named.add(e.pid as number);
      }
      continue;
    }
    used.add(e.pid as number);
    if (typeof e.ts !== "number" || !Number.isFinite(e.ts) || e.ts < 0) errs.push(`${where}: bad ts`);
    if (e.ph === "X") {
      if (typeof e.dur !== "number" || e.dur < 0) errs.push(`${where}: bad dur`);
      const key = `${e.pid}/${e.tid}`;
      const list = slices.get(key) ?? [];
      list.push({ ts: e.ts as number, end: (e.ts as number) + (e.dur as number), name: e.name as string });
      slices.set(key, list);
    } else if (e.ph === "s" || e.ph === "f") {
      if (!isU32(e.id)) errs.push(`${where}: flow id not 32-bit`);
      const l = flows.get(e.id as number) ?? [];
      l.push(e.ph);
      flows.set(e.id as number, l);
    } else if (e.ph === "i") {
      if (!["t", "p", "g"].includes(e.s as string)) errs.push(`${where}: instant without scope`);
    } else errs.push(`${where}: unexpected ph ${e.ph}`);
  }
  // Strict nesting per thread: each slice lies inside the enclosing one or after it.
  const eps = 1e-6;
  for (const [key, list] of slices) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: { end: number; name: string }[] = [];
    for (const s of list) {
      while (stack.length && stack[stack.length - 1].end <= s.ts + eps) stack.pop();
      const top = stack[stack.length - 1];
      if (top && s.end > top.end + eps) errs.push(`${key}: slice ${s.name}@${s.ts} overlaps ${top.name} (ends ${top.end})`);
      stack.push(s);
    }
  }
  for (const [id, l] of flows) if (l.join() !== "s,f") errs.push(`flow ${id}: ${l.join()}`);
  for (const p of used) if (!named.has(p)) errs.push(`pid ${p} has no process_name`);
  return errs;
}

describe("trace export --format perfetto", () => {
  it("writes Chrome Trace Event JSON that passes structural validation", () => {
    const out = join(dir, "out.json");
    const r = ringside(["trace", "export", path, "--format", "perfetto", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(validateChromeTrace(doc)).toEqual([]);
    const evs = doc.traceEvents as Ev[];
    expect(evs.some((e) => e.ph === "X" && e.cat === "user")).toBe(true);
    expect(evs.some((e) => e.ph === "X" && e.cat === "syscall")).toBe(true);
    expect(evs.some((e) => e.ph === "i" && e.cat === "irq")).toBe(true);
    expect(evs.some((e) => e.ph === "s")).toBe(true);
    expect(evs.some((e) => e.ph === "M" && (e.args as Ev).name === "sh (pid 2)")).toBe(true);
  });

  it("nests a kernel entry inside an interrupted kernel entry, and validates filtered exports", () => {
    const t = handTrace().slice(0, 5);
    t.push('{"seq":4,"icount":210,"vt":2.1,"kind":"irq","pid":1,"proc":"sh","cpl_from":0,"cpl_to":0,"eip":3222276672,"irq":0,"name":"timer"}');
    t.push('{"seq":5,"icount":220,"vt":2.2,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":0,"eip":3222276672}');
    t.push('{"seq":6,"icount":300,"vt":3,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":4198956,"ret":13}');
    const p = writeTrace(dir, "nested.jsonl", t);
    for (const args of [[], ["--pid", "2"], ["--kind", "syscall,irq"], ["--from", "500", "--to", "1500"]]) {
      const src = args.length ? path : p;
      const r = ringside(["trace", "export", src, "--format", "perfetto", "-o", "-", ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(validateChromeTrace(JSON.parse(r.stdout))).toEqual([]);
    }
  });

  it("refuses unknown formats", () => {
    const r = ringside(["trace", "export", path, "--format", "pcap", "-o", join(dir, "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("supported formats: perfetto");
  });
});

describe("trace report", () => {
  it("writes one self-contained HTML file with timeline, tables and event list", () => {
    const out = join(dir, "report.html");
    const r = ringside(["trace", "report", path, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*\/\//i);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).toContain('id="lanes"');
    expect(html).toContain("Top faulting EIPs");
    expect(html).toContain("ring residency");
    expect((html.match(/<tr data-k=/g) ?? []).length).toBe(lines.length - 1);
    expect(html).toContain("write(");
  });
});

/** A call that blocks: cat's read waits while fs runs its own calls; its result comes when cat runs again. */
function blockedRead(): string[] {
  const ev = (o: Record<string, unknown>) => JSON.stringify(o);
  const P = { pid: 3, proc: "cat" }, Q = { pid: 2, proc: "fs" };
  return [
    '{"trace":"ringside","version":1,"ipms":100000,"mode":"microkernel","tool":"ringside 0.1.0"}',
    ev({ seq: 0, icount: 100, vt: 1, kind: "syscall", ...P, cpl_from: 3, cpl_to: 0, eip: 4194400, nr: 3, name: "read", args: [3, 8392704, 64, 0, 0] }),
    ev({ seq: 1, icount: 110, vt: 1.1, kind: "switch", pid: 2, proc: "fs", from: 3, to: 2, reason: "block" }),
    ev({ seq: 2, icount: 120, vt: 1.2, kind: "return", ...Q, cpl_from: 0, cpl_to: 3, eip: 4194500, ret: 0 }),
    ev({ seq: 3, icount: 200, vt: 2, kind: "syscall", ...Q, cpl_from: 3, cpl_to: 0, eip: 4194510, nr: 20, name: "getpid", args: [0, 0, 0, 0, 0] }),
    ev({ seq: 4, icount: 210, vt: 2.1, kind: "return", ...Q, cpl_from: 0, cpl_to: 3, eip: 4194510, ret: 2 }),
    ev({ seq: 5, icount: 300, vt: 3, kind: "syscall", ...Q, cpl_from: 3, cpl_to: 0, eip: 4194520, nr: 20, name: "getpid", args: [0, 0, 0, 0, 0] }),
    ev({ seq: 6, icount: 310, vt: 3.1, kind: "switch", pid: 3, proc: "cat", from: 2, to: 3, reason: "block" }),
    ev({ seq: 7, icount: 320, vt: 3.2, kind: "return", ...P, cpl_from: 0, cpl_to: 3, eip: 4194400, ret: 64 }),
    ev({ seq: 8, icount: 400, vt: 4, kind: "halt", pid: null, proc: null, reason: "shutdown", status: 0 }),
  ];
}

describe("a call that blocks, then returns after other processes ran", () => {
  const file = writeTrace(dir, "blocked.jsonl", blockedRead());

  it("trace show --syscall selects its own return, with its result", () => {
    const r = ringside(["trace", "show", file, "--syscall", "read"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(["0", "7"]);
    expect(rows[1]).toMatch(/cat-3 +0→3 return +read = 64/);
  });

  it("trace export ends its kernel slice at its own return, with its result; fs's calls keep theirs", () => {
    const out = join(dir, "blocked.json");
    expect(ringside(["trace", "export", file, "-o", out]).code).toBe(0);
    const slices = (JSON.parse(readFileSync(out, "utf8")) as { traceEvents: { ph: string; name: string; pid: number; args: Record<string, unknown> }[] }).traceEvents.filter((e) => e.ph === "X" && e.name.startsWith("syscall"));
    const read = slices.find((e) => e.name === "syscall read")!;
    expect([read.pid, read.args.ret, read.args.return_seq]).toEqual([4, "64", 7]);
    const getpids = slices.filter((e) => e.name === "syscall getpid").map((e) => [e.args.seq, e.args.ret ?? null, e.args.return_seq ?? null]);
    expect(getpids).toEqual([[3, "2", 4], [5, null, null]]); // the second never returned in this trace
  });
});
