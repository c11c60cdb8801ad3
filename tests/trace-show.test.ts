// `trace show` and the text formatter: decoded syscalls, vectors, symbols, ring arrows, filters.
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { handTrace, synth, tempDir, writeTrace, HEADER } from "./helpers/trace-synth.ts";
import { TextFormatter } from "../tools/trace/format-text.ts";
import { fastParse } from "../tools/trace/fast-parse.ts";
import { formatRet, formatSyscall, irqLabel, parseVector, syscallNumber, vectorName } from "../tools/trace/names.ts";
import { IMPLEMENTED_SYSCALLS, SYSCALL_TABLE, syscallEntry, syscallEntryByName } from "../kernel/abi/syscall-table.ts";
import { E, ERRNO_NAMES, errnoName } from "../kernel/abi/errno.ts";
import { readFileSync } from "node:fs";
import { fromRoot } from "../tools/paths.ts";

const dir = tempDir();

describe("TextFormatter", () => {
  it("names a system call's eip (past its int 0x80) by the symbol holding the int, not the label after it", () => {
    const f = new TextFormatter({ color: false });
    const load = { seq: 0, icount: 0, vt: 0, kind: "load", pid: 1, proc: "p", path: "p", entry: 0x400000, segments: [{ vaddr: 0x400000, memsz: 0x12, flags: "r-x" }], symbols: [{ name: "_start", addr: 0x400000 }, { name: "_start.fail", addr: 0x400010 }] };
    const call = (seq: number, eip: number) => ({ seq, icount: 1, vt: 1, kind: "syscall", pid: 1, proc: "p", cpl_from: 3, cpl_to: 0, eip, nr: 1, name: "exit", args: [0, 0, 0, 0, 0] });
    const ret = (seq: number, eip: number) => ({ seq, icount: 1, vt: 1, kind: "return", pid: 1, proc: "p", cpl_from: 0, cpl_to: 3, eip, ret: 0 });
    f.format(load);
    expect(f.format(call(1, 0x400010))).toMatch(/ at 0x00400010 <_start\+0x10>$/); // the int ends _start's block
    expect(f.format(ret(2, 0x400010))).toMatch(/ to 0x00400010 <_start\.fail>$/); // where it goes on
    expect(f.format(call(3, 0x400012))).toMatch(/ at 0x00400012 <_start\.fail\+0x2>$/); // past the segment's end
    expect(f.format(call(4, 0x400005))).toMatch(/ at 0x00400005 <_start\+0x5>$/);
  });


  it("formats every kind of the hand-written trace on one line each", () => {
    const f = new TextFormatter();
    const lines = handTrace().map((l) => f.format(JSON.parse(l)));
    expect(lines[0]).toBe(""); // header
    const text = lines.slice(1);
    expect(text.every((l) => l.length > 0 && !l.includes("\n"))).toBe(true);
    expect(text[3]).toMatch(/sh-1 +3→0 syscall +write\(1, 0x00801000, 13\) +at 0x0040122c <read_line\+0x1c>$/);
    expect(text[4]).toMatch(/0→3 return +write = 13 +to 0x0040122c <read_line\+0x1c>/);
    expect(text[5]).toContain("IRQ14 ata");
    expect(text[7]).toContain("#PF err=0x6 (user write, not-present) cr2=0x00000000 at 0x0040121c <read_line+0xc>: mov dword [eax], 0x1");
    expect(text[8]).toContain("killed by #PF");
    expect(text[9]).toMatch(/<idle> +0→0 return +from #PF +to 0xc0100a40$/);
    expect(text[10]).toMatch(/<idle> +0→0 irq +IRQ0 timer/);
    expect(text[12]).toContain("halt");
  });

  it("colours only when asked", () => {
    const plain = new TextFormatter().format(JSON.parse(handTrace()[4]));
    const color = new TextFormatter({ color: true }).format(JSON.parse(handTrace()[4]));
    expect(plain).not.toContain("\x1b[");
    expect(color).toContain("\x1b[");
  });

  it("shows unknown kinds and keys instead of failing", () => {
    const f = new TextFormatter();
    expect(f.format({ seq: 1, icount: 1, vt: 1, kind: "switch", pid: 2, proc: "a", from: 2, to: 3 })).toContain("switch    from=2 to=3");
    expect(f.format({ seq: 2, icount: 1, vt: 1, kind: "ipc", pid: 2, proc: "a", op: "send", src: 2, dst: 3, bytes: 64 })).toContain("send 2→3 64 bytes");
  });
});

describe("names", () => {
  it("decodes vectors and syscalls", () => {
    expect(vectorName(14)).toBe("#PF");
    expect(vectorName(13)).toBe("#GP");
    expect(parseVector("pf")).toBe(14);
    expect(parseVector("0xd")).toBe(13);
    expect(formatSyscall(3, [0, 0x402000, 64, 0, 0])).toBe("read(0, 0x00402000, 64)");
    expect(formatSyscall(6, [0xffffffff, 0, 0, 0, 0])).toBe("close(-1)");
    expect(formatSyscall(162, [0x1000, 0, 0, 0, 0])).toBe("nanosleep(0x00001000, 0x00000000)");
    expect(formatSyscall(999, [1, 2, 3, 4, 5], "unknown")).toBe("syscall_999(0x1, 0x2, 0x3, 0x4, 0x5)");
  });

  it("decodes ringside's own calls and the file calls", () => {
    const show = (nr: number, ...args: number[]) => formatSyscall(nr, [...args, 0, 0, 0, 0, 0].slice(0, 5), syscallEntry(nr)?.name);
    expect(show(141, 3, 0x801000, 4096)).toBe("getdents(3, 0x00801000, 4096)");
    expect(show(40, 0x402010)).toBe("rmdir(0x00402010)");
    expect(show(39, 0x402010, 0o755)).toBe("mkdir(0x00402010, 0755)");
    expect(show(0x213, 5, 3, 0, 0x800e00, 24 | (64 << 16))).toBe("ipc_call(5, 0x3, 0x0, 0x00800e00, 24|64<<16)");
    expect(show(0x211, 0xffffffff, 7, 7, 0x800e00, 64)).toBe("ipc_receive(-1, -, -, 0x00800e00, 64)");
    expect(show(0x210, 2, 1, 2, 0x800e00, 8)).toBe("ipc_send(2, 0x1, 0x2, 0x00800e00, 8)");
    expect(show(0x215, 4, 0x20000)).toBe("ipc_notify(4, 0x20000)");
    expect(show(0x220, 14)).toBe("irq_ack(14)");
    expect(show(0x221, 5000)).toBe("alarm(5000)");
    expect(show(0x201, 0x801000, 0x2a0, 0, 0x802000)).toBe("spawn_image(0x00801000, 672, 0x00000000, 0x00802000)");
    expect(show(0x230, 1, 0x801000)).toBe("procinfo(1, 0x00801000)");
    expect(syscallNumber("ipc_reply_recv")).toBe(0x214);
    expect(syscallNumber("execve")).toBe(11);
  });

  it("names every errno the kernel returns", () => {
    expect(formatRet(-36)).toBe("= -36 ENAMETOOLONG");
    expect(formatRet(-111)).toBe("= -111 ECONNREFUSED");
    expect(formatRet(-39)).toBe("= -39 ENOTEMPTY");
    expect(formatRet(-13)).toBe("= -13 EACCES");
    expect(formatRet(-25)).toBe("= -25 ENOTTY");
    expect(formatRet(-4000)).toBe("= -4000");
    for (const [key, value] of Object.entries(E)) {
      const name = key === "E2BIG" ? key : "E" + key; // E.NOENT is ENOENT, E.E2BIG is E2BIG
      expect(errnoName(value), `E.${key} = ${value}`).toBe(name);
      expect(formatRet(-value)).toBe(`= ${-value} ${name}`);
    }
    expect(new Set(ERRNO_NAMES.values()).size).toBe(ERRNO_NAMES.size);
  });

  it("decodes every implemented call: a name and one shape per argument register", () => {
    expect(IMPLEMENTED_SYSCALLS.length).toBeGreaterThanOrEqual(30);
    for (const s of IMPLEMENTED_SYSCALLS) {
      expect(s.args.length, s.name).toBeLessThanOrEqual(5);
      const text = formatSyscall(s.nr, [1, 2, 3, 4, 5]); // no trace name: the table alone decodes it
      expect(text, `${s.nr}`).toMatch(new RegExp(`^${s.name}\\(`));
      expect(text.slice(s.name.length + 1, -1).split(", ").filter((x) => x).length, text).toBe(s.args.length);
      expect(syscallNumber(s.name)).toBe(s.nr);
    }
  });

  it("has one entry per number and per name, and the calls the next work adds as known", () => {
    expect(new Set(SYSCALL_TABLE.map((s) => s.nr)).size).toBe(SYSCALL_TABLE.length);
    expect(new Set(SYSCALL_TABLE.map((s) => s.name)).size).toBe(SYSCALL_TABLE.length);
    expect(SYSCALL_TABLE.map((s) => s.nr)).toEqual(SYSCALL_TABLE.map((s) => s.nr).sort((a, b) => a - b));
    for (const [name, nr] of [["fork", 2], ["execve", 11], ["chdir", 12], ["dup", 41], ["pipe", 42], ["dup2", 63], ["getcwd", 183], ["setpgid", 57], ["getpgid", 132]] as const) {
      expect(syscallEntryByName(name)?.nr, name).toBe(nr);
    }
  });

  it("matches the calls servers/lib/ringside.inc says the kernel implements", () => {
    const inc = readFileSync(fromRoot("servers", "lib", "ringside.inc"), "utf8");
    const declared = [...inc.matchAll(/^SYS_(\w+)\s+equ\s+(\d+)/gm)].map((m) => `${m[2]} ${m[1]}`).sort();
    expect(IMPLEMENTED_SYSCALLS.map((s) => `${s.nr} ${s.name}`).sort()).toEqual(declared);
  });

  it("names IRQ lines as the kernel's trace does", () => {
    expect(irqLabel(1)).toBe("IRQ1 keyboard");
    expect(irqLabel(14)).toBe("IRQ14 ata");
    expect(irqLabel(9)).toBe("IRQ9 irq9");
  });
});

describe("fast path", () => {
  it("parses exactly what JSON.parse parses, and declines what it cannot prove", () => {
    const lines = synth({ events: 3000, future: true, mode: "microkernel", seed: 3 }).slice(1).concat(handTrace().slice(1));
    let fast = 0;
    for (const l of lines) {
      const e = fastParse(l);
      if (e) {
        fast++;
        expect(JSON.stringify(e)).toBe(JSON.stringify(JSON.parse(l)));
      }
    }
    expect(fast).toBeGreaterThan(lines.length * 0.8);
    for (const bad of ['{"seq":01,"icount":2,"vt":3,"kind":"return","pid":1,"proc":"a","cpl_from":0,"cpl_to":3,"eip":5}',
      '{"seq":1,"icount":2,"vt":3,"kind":"return","pid":1,"proc":"a","cpl_from":0,"cpl_to":3,"eip":5',
      '{"seq":1,"icount":2,"vt":3,"kind":"return","pid":1,"proc":"a\\"","cpl_from":0,"cpl_to":3,"eip":5}']) {
      expect(fastParse(bad)).toBeUndefined();
    }
  });
});

describe("ringside trace show", () => {
  const path = writeTrace(dir, "small.jsonl", synth({ events: 400, seed: 5 }));
  const hand = writeTrace(dir, "hand.jsonl", handTrace());

  it("prints one line per event", () => {
    const r = ringside(["trace", "show", path]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.trimEnd().split("\n").length).toBe(synth({ events: 400, seed: 5 }).length - 1);
    expect(r.stdout).not.toContain("\x1b["); // not a TTY
  });

  it("filters by pid, kind, syscall, vector, ring, range and regex", () => {
    const lines = (args: string[]) => {
      const r = ringside(["trace", "show", path, ...args]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split("\n").filter((l) => l);
    };
    expect(lines(["--pid", "2"]).every((l) => /\bsh-2\b/.test(l))).toBe(true);
    expect(lines(["--kind", "irq"]).every((l) => / irq /.test(l))).toBe(true);
    const w = lines(["--syscall", "write"]);
    expect(w.length).toBeGreaterThan(0);
    expect(w.every((l) => /write\(|write = /.test(l))).toBe(true);
    expect(lines(["--ring", "3->0"]).every((l) => l.includes("3→0"))).toBe(true);
    const r = lines(["--from", "10", "--to", "20"]);
    expect(r.length).toBe(11);
    expect(r[0].trimStart().startsWith("10 ")).toBe(true);
    expect(lines(["--grep", "EBADF"]).every((l) => l.includes("EBADF"))).toBe(true);
    expect(lines(["--vector", "#PF"]).length).toBe(lines(["--vector", "14"]).length);
    expect(lines(["--from", "1ms", "--to", "2ms"]).length).toBeGreaterThan(0);
  });

  it("--json prints the matching events", () => {
    const r = ringside(["trace", "show", hand, "--json", "--kind", "syscall"]);
    expect(r.stdout.trim()).toBe(handTrace()[4]);
  });

  it("rejects bad filter values with a message", () => {
    const r = ringside(["trace", "show", path, "--ring", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--ring");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("reads stdin and stops quietly when the reader goes away", () => {
    const r = ringside(["trace", "show", "-"], { input: [HEADER, handTrace()[1]].join("\n") + "\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("spawn");
  });
});
