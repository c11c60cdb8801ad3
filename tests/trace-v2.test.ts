// Trace schema version 2 (the default) against version 1 on real recorded sessions: the same
// deterministic boot (in each shape) recorded in both versions reads back as the same normalized events through every
// reader path (the streaming file reader with its fast path, the in-memory reader, the CLI tools), two
// runs give byte-identical version-2 files, version 2 is clearly smaller, and `--trace-version 1`
// still writes the older, longer form.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { readAll, readTraceText } from "../tools/trace/reader.ts";
import { EventDecoder } from "../tools/trace/decode.ts";
import { fastParseCompact } from "../tools/trace/fast-parse.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const INPUT = "hello\nls\nexit 5\n";

for (const mode of ["monolithic", "microkernel"] as const) {
  describe.skipIf(solutionCut("ipc") && mode === "microkernel")(`trace schema version 2 on a recorded session (${mode} boot)`, () => {
    let dir = "";
    const file = (name: string) => path.join(dir, name);
    const lines = (name: string) => readFileSync(file(name), "utf8").split("\n").slice(0, -1);

    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "ringside-trace-v2-"));
      for (const [name, extra] of [["a.jsonl", []], ["b.jsonl", []], ["v1.jsonl", ["--trace-version", "1"]], ["a.txt", ["--trace-format", "text"]]] as const) {
        const r = ringside(["boot", "--mode", mode, "--input", INPUT, "--trace", file(name), ...extra]);
        expect(r.code, `${name}: ${r.stderr}`).toBe(5);
      }
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("two runs give byte-identical version-2 files", () => {
      const a = readFileSync(file("a.jsonl"));
      expect(a.length).toBeGreaterThan(10_000);
      expect(readFileSync(file("b.jsonl")).equals(a)).toBe(true);
      expect(JSON.parse(lines("a.jsonl")[0]!)).toMatchObject({ trace: "ringside", version: 2, mode });
    });

    it("--trace-version 1 writes version 1: every line names its process, every entry its syscall, exception or IRQ", () => {
      const [header, ...events] = lines("v1.jsonl").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(header).toMatchObject({ trace: "ringside", version: 1 });
      expect(events.length).toBeGreaterThan(200);
      for (const e of events) {
        expect(Object.keys(e).slice(0, 6)).toEqual(["seq", "icount", "vt", "kind", "pid", "proc"]);
        if (e.kind === "syscall" || e.kind === "irq" || e.kind === "exception") expect(e).toMatchObject({ cpl_to: 0, name: expect.any(String) });
        if (e.kind === "return") expect(e.cpl_from).toBe(0);
      }
    });

    it("version 2 reads back as exactly the version-1 events, key order included", async () => {
      const v1 = lines("v1.jsonl").slice(1);
      const file2 = await readAll(file("a.jsonl"));
      expect(file2.header.version).toBe(2);
      expect(file2.events.map((e) => JSON.stringify(e))).toEqual(v1);
      const file1 = await readAll(file("v1.jsonl"));
      expect(file1.events).toEqual(file2.events);
      const text2 = readTraceText(readFileSync(file("a.jsonl"), "utf8"));
      expect(text2.events.map((e) => JSON.stringify(e))).toEqual(v1);
    });

    it("the fast path gives what JSON.parse and the decoder give, for most lines", () => {
      const v2 = lines("a.jsonl").slice(1);
      const fastDec = new EventDecoder(2);
      const slowDec = new EventDecoder(2);
      let fast = 0;
      for (const l of v2) {
        const slow = JSON.stringify(slowDec.decode(JSON.parse(l)));
        const f = fastParseCompact(l, fastDec);
        if (f) fast++;
        expect(JSON.stringify(f ?? fastDec.decode(JSON.parse(l)))).toBe(slow);
      }
      expect(fast).toBeGreaterThan(v2.length * (mode === "microkernel" ? 0.8 : 0.6)); // service events take the JSON.parse path
    });

    it("is clearly smaller: fewer bytes per event", () => {
      const n = lines("a.jsonl").length - 1;
      const per2 = statSync(file("a.jsonl")).size / n;
      const per1 = statSync(file("v1.jsonl")).size / n;
      expect(per2).toBeLessThan(per1 * 0.88); // load events (symbol tables) are the same in both
      const frequent = (name: string) => lines(name).filter((l) => !l.includes('"kind":"load"')).join("\n").length;
      expect(frequent("a.jsonl")).toBeLessThan(frequent("v1.jsonl") * (mode === "microkernel" ? 0.8 : 0.85)); // service events only lose proc
    });

    it("the tools show the same for both versions; diff calls them identical", () => {
      const show2 = ringside(["trace", "show", file("a.jsonl"), "--no-color"]);
      const show1 = ringside(["trace", "show", file("v1.jsonl"), "--no-color"]);
      expect(show2.code).toBe(0);
      expect(show2.stdout).toBe(show1.stdout);
      expect(show2.stdout).toMatch(/sh-\d+ +3→0 syscall +write\(1, /);
      expect(readFileSync(file("a.txt"), "utf8")).toBe(show2.stdout); // --trace-format text decodes version 2 too
      const sum = (f: string) => JSON.parse(ringside(["trace", "summary", f, "--json"]).stdout) as Record<string, unknown>;
      const s2 = sum(file("a.jsonl"));
      const s1 = sum(file("v1.jsonl"));
      expect(s2.trace).toMatchObject({ version: 2 });
      expect(s1.trace).toMatchObject({ version: 1 });
      expect({ ...s2, trace: undefined }).toEqual({ ...s1, trace: undefined });
      const d = ringside(["trace", "diff", file("v1.jsonl"), file("a.jsonl")]);
      expect([d.code, d.stdout]).toEqual([0, `note: schema versions differ: 1 vs 2 (events compared as read)\nidentical: ${lines("a.jsonl").length - 1} events\n`]);
    });
  });
}

describe("reading version 2", () => {
  const V2 = '{"trace":"ringside","version":2,"ipms":100000,"mode":"microkernel","tool":"test"}';
  // Each version-2 line, and the version-1 line of the same event.
  const pairs: [string, string][] = [
    ['{"seq":0,"icount":0,"vt":0,"kind":"spawn","pid":1,"proc":"sh","parent":null,"argv":["/bin/sh"]}',
      '{"seq":0,"icount":0,"vt":0,"kind":"spawn","pid":1,"proc":"sh","parent":null,"argv":["/bin/sh"]}'],
    ['{"seq":1,"icount":10,"vt":0.1,"kind":"syscall","pid":1,"cpl_from":3,"eip":4198956,"nr":4,"args":[1,2,3,0,0]}',
      '{"seq":1,"icount":10,"vt":0.1,"kind":"syscall","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":4198956,"nr":4,"name":"write","args":[1,2,3,0,0]}'],
    ['{"seq":2,"icount":20,"vt":0.2,"kind":"exception","pid":1,"cpl_from":3,"eip":5,"vector":14,"error_code":6,"cr2":0,"insn":"mov eax, [\\"x\\"]"}',
      '{"seq":2,"icount":20,"vt":0.2,"kind":"exception","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":5,"vector":14,"name":"#PF","error_code":6,"cr2":0,"insn":"mov eax, [\\"x\\"]"}'],
    ['{"seq":3,"icount":30,"vt":0.3,"kind":"return","pid":1,"cpl_to":3,"eip":5,"later":7}',
      '{"seq":3,"icount":30,"vt":0.3,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":5,"later":7}'],
    ['{"seq":4,"icount":40,"vt":0.4,"kind":"irq","pid":null,"cpl_from":0,"eip":6,"irq":14}',
      '{"seq":4,"icount":40,"vt":0.4,"kind":"irq","pid":null,"proc":null,"cpl_from":0,"cpl_to":0,"eip":6,"irq":14,"name":"ata"}'],
    ['{"seq":5,"icount":50,"vt":0.5,"kind":"ipc","pid":1,"op":"send","dst":2,"bytes":3}',
      '{"seq":5,"icount":50,"vt":0.5,"kind":"ipc","pid":1,"proc":"sh","op":"send","src":1,"dst":2,"bytes":3}'],
    ['{"seq":6,"icount":60,"vt":0.6,"kind":"ipc","pid":2,"op":"receive","src":1,"bytes":3}',
      '{"seq":6,"icount":60,"vt":0.6,"kind":"ipc","pid":2,"proc":null,"op":"receive","src":1,"dst":2,"bytes":3}'],
    ['{"seq":7,"icount":70,"vt":0.7,"kind":"ipc","pid":2,"op":"notify","src":null,"dst":3,"bytes":0}',
      '{"seq":7,"icount":70,"vt":0.7,"kind":"ipc","pid":2,"proc":null,"op":"notify","src":null,"dst":3,"bytes":0}'],
    ['{"seq":8,"icount":70,"vt":0.7,"kind":"switch","pid":2,"from":1,"reason":"block"}',
      '{"seq":8,"icount":70,"vt":0.7,"kind":"switch","pid":2,"proc":null,"from":1,"to":2,"reason":"block"}'],
    ['{"seq":9,"icount":80,"vt":0.8,"kind":"load","pid":1,"proc":"cat","path":"/bin/cat","entry":1,"segments":[],"symbols":[]}',
      '{"seq":9,"icount":80,"vt":0.8,"kind":"load","pid":1,"proc":"cat","path":"/bin/cat","entry":1,"segments":[],"symbols":[]}'],
    ['{"seq":10,"icount":90,"vt":0.9,"kind":"later-kind","pid":1,"what":"x"}',
      '{"seq":10,"icount":90,"vt":0.9,"kind":"later-kind","pid":1,"proc":"cat","what":"x"}'],
  ];

  it("fills in proc (the last name given for the pid), names from the numbers, the constant rings and the pids of ipc and switch; keeps unknown keys and kinds", async () => {
    const text = [V2, ...pairs.map((p) => p[0])].join("\n") + "\n";
    const want = pairs.map((p) => p[1]);
    expect(readTraceText(text).events.map((e) => JSON.stringify(e))).toEqual(want);
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-trace-v2-unit-"));
    try {
      writeFileSync(path.join(dir, "t.jsonl"), text);
      expect((await readAll(path.join(dir, "t.jsonl"))).events.map((e) => JSON.stringify(e))).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the fast path declines what it cannot prove", () => {
    const dec = new EventDecoder(2);
    for (const bad of [
      '{"seq":01,"icount":2,"vt":3,"kind":"return","pid":1,"cpl_to":3,"eip":5}',
      '{"seq":1,"icount":2,"vt":3,"kind":"return","pid":1,"cpl_to":3,"eip":5',
      '{"seq":1,"icount":2,"vt":3,"kind":"return","pid":1,"proc":"a\\"","cpl_to":3,"eip":5}',
      '{"seq":1,"icount":2,"vt":3,"kind":"return","pid":1,"cpl_from":0,"cpl_to":3,"eip":5}', // a version-1 line
      '{"seq":1,"icount":2,"vt":3,"kind":"syscall","pid":1,"cpl_from":3,"eip":5,"nr":4,"args":[1,2,3,4]}',
    ]) {
      expect(fastParseCompact(bad, dec), bad).toBeUndefined();
    }
  });
});

describe("--trace-version", () => {
  it("takes 1 or 2 only", () => {
    const r = ringside(["run", "examples/hello.asm", "--trace", path.join(os.tmpdir(), "never.jsonl"), "--trace-version", "3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--trace-version <n>' argument '3' is invalid. Allowed choices are 1, 2.");
  });

  it("the in-memory reader refuses a newer version too", () => {
    expect(() => readTraceText('{"trace":"ringside","version":3,"ipms":100000,"mode":"monolithic","tool":"x"}\n')).toThrow(
      "trace schema version 3 is newer than this ringside understands (version 2); upgrade ringside",
    );
  });
});
