// The command line under hostile or careless input (hardening items 12, 14–17, 19–22): every refusal is
// one `ringside <command>: <what>: <why>` line with the documented exit code (docs/cli.md), nothing a
// user owns is overwritten, and nothing hangs or prints a stack trace.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { builtMarkerPath, heldChanges, imageHash, markWritten } from "../tools/image/default.ts";
import { ROOT, prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-hardening-"));
const CLI = path.join(ROOT, "tools", "cli", "ringside.js");
const img = path.join(tmp, "disk.img");
const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at |EPIPE|internal error/);

/** Runs a shell pipeline and returns ringside's exit status (the first command's) and its stderr. */
function piped(args: string, consumer: string): { code: number; stderr: string } {
  const err = path.join(tmp, `err-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync("bash", ["-c", `node ${CLI} ${args} 2>${err} | ${consumer}; echo \${PIPESTATUS[0]}`], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: Number(r.stdout.trim().split("\n").pop()), stderr: readFileSync(err, "utf8") };
}

beforeAll(() => {
  const r = ringside(["image", "build", "-o", img]);
  expect(r.code, r.stderr).toBe(0);
});

describe("non-regular files (item 15)", () => {
  it("run, boot, image fsck, image build --add and asm refuse /dev/zero at once", () => {
    const why = "cannot read /dev/zero: not a regular file (a device, FIFO or socket); give a file";
    const cases: [string, string[]][] = [
      ["run", ["run", "/dev/zero"]],
      ["boot", ["boot", "/dev/zero"]],
      ["image fsck", ["image", "fsck", "/dev/zero"]],
      ["image build", ["image", "build", "-o", path.join(tmp, "never.img"), "--add", "/dev/zero:/z"]],
      ["asm", ["asm", "/dev/zero", "-o", path.join(tmp, "never.bin")]],
    ];
    for (const [cmd, args] of cases) {
      const r = ringside(args);
      expect([r.code, r.stderr], args.join(" ")).toEqual([2, `ringside ${cmd}: ${why}\n`]);
    }
    expect(existsSync(path.join(tmp, "never.img")) || existsSync(path.join(tmp, "never.bin"))).toBe(false);
  });
});

describe("a closed pipe (item 16)", () => {
  it.skipIf(solutionCut("ipc"))("image cat, image fsck, run and boot exit quietly when the reader goes away", () => {
    for (const args of [`image cat ${img} /bin/sh`, `image fsck ${img}`, `run ${prog("hello42.asm")} --image ${img} --snapshot`, `boot ${img} --snapshot --input 'ls /bin'`]) {
      const r = piped(args, "true");
      noStack(r.stderr);
      expect(r.stderr, args).not.toContain("Error");
    }
    const boot = piped(`boot ${img} --snapshot --input $'ls /bin\\nls /bin\\nexit 4\\n'`, "head -c 1 >/dev/null");
    noStack(boot.stderr);
  });
});

describe("asm never overwrites its source (item 17)", () => {
  it("refuses -o, -l and --map naming the input, however spelled, and leaves it unchanged", () => {
    const dir = path.join(tmp, "asm");
    mkdirSync(dir);
    const src = "bits 32\nmov eax, 1\n";
    writeFileSync(path.join(dir, "x.asm"), src);
    for (const args of [["-o", "x.asm"], ["-o", "./x.asm"], ["-o", path.join(dir, "x.asm")], ["-l", "x.asm"], ["--map", "x.asm"]]) {
      const r = ringside(["asm", "x.asm", ...args], { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`ringside asm: ${args[0]} ${args[1]}: that is the input file; refusing to overwrite the source\n`);
    }
    expect(readFileSync(path.join(dir, "x.asm"), "utf8")).toBe(src);
  });
});

describe("one validator, one style, one exit-code table (items 20, 22)", () => {
  it("--max-instructions is checked the same way by run and boot", () => {
    for (const cmd of ["run", "boot"]) {
      for (const bad of ["abc", "0", "-1", "1.5"]) {
        const args = cmd === "run" ? ["run", prog("hello42.asm"), "--max-instructions", bad] : ["boot", img, "--snapshot", "--max-instructions", bad];
        const r = ringside(args);
        expect([r.code, r.stderr], args.join(" ")).toEqual([2, `ringside ${cmd}: --max-instructions needs a positive integer, not "${bad}"\n`]);
      }
    }
  });

  it("--inject names a service of the image's manifest: a typo is refused before booting, by run and boot", () => {
    for (const args of [["run", prog("hello42.asm"), "--inject", "dsk:crash"], ["boot", img, "--snapshot", "--inject", "dsk:crash@1", "--input", "exit"]]) {
      const r = ringside(args);
      expect([r.code, r.stdout, r.stderr], args[0]).toEqual([2, "", `ringside ${args[0]}: --inject: no service named "dsk" in the image's manifest (services: console, keyboard, disk, fs, rs)\n`]);
    }
  });

  it("commander's own errors use the same prefix, one line, and exit 2; --help prints the exit-code table", () => {
    const unknown = ringside(["frobnicate"]);
    expect([unknown.code, unknown.stderr]).toEqual([2, "ringside: unknown command 'frobnicate' (see ringside --help)\n"]);
    const topic = ringside(["help", "frobnicate"]);
    expect([topic.code, topic.stderr]).toEqual([2, "ringside: unknown command 'frobnicate' (see ringside --help)\n"]);
    const mode = ringside(["run", prog("hello42.asm"), "--mode", "foo"]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/^ringside run: option '--mode <mode>' argument 'foo' is invalid\. .* \(see ringside run --help\)\n$/);
    expect(mode.stderr.split("\n").length).toBe(2); // one line
    const missing = ringside(["run"]);
    expect([missing.code, missing.stderr]).toEqual([2, "ringside run: missing required argument 'programs' (see ringside run --help)\n"]);
    const help = ringside(["--help"]);
    expect(help.stdout).toContain("Exit codes (all commands; docs/cli.md):\n  0    success");
    expect(help.stdout).toMatch(/\n {2}2 {4}nothing done: bad option or argument/);
  });

  it.skipIf(solutionCut("ipc"))("the last --input line is typed even without a newline", () => {
    const r = ringside(["boot", img, "--snapshot", "--input", "echo typed\nexit 3"]);
    expect(r.stdout).toContain("$ echo typed\ntyped\n$ exit 3\n");
    expect([r.code, r.stderr]).toEqual([3, ""]);
  });
});

describe("no output overwrites an input", () => {
  it("trace export and report, and run and boot --trace, refuse an output that is one of their inputs, and leave it unchanged", () => {
    const dir = path.join(tmp, "outputs");
    mkdirSync(dir);
    copyFileSync(prog("hello42.asm"), path.join(dir, "p.asm"));
    copyFileSync(img, path.join(dir, "d.img"));
    expect(ringside(["run", "p.asm", "--trace", "t.jsonl"], { cwd: dir }).code).toBe(42);
    const before = (f: string) => readFileSync(path.join(dir, f));
    const kept = { "p.asm": before("p.asm"), "d.img": before("d.img"), "t.jsonl": before("t.jsonl") };
    const cases: [string, string[], string][] = [
      ["trace export", ["trace", "export", "t.jsonl", "-o", "./t.jsonl"], "-o ./t.jsonl: that is the input file t.jsonl"],
      ["trace report", ["trace", "report", "t.jsonl", "-o", path.join(dir, "t.jsonl")], `-o ${path.join(dir, "t.jsonl")}: that is the input file t.jsonl`],
      ["run", ["run", "p.asm", "--trace", "p.asm"], "--trace p.asm: that is the input file p.asm"],
      ["boot", ["boot", "d.img", "--snapshot", "--input", "exit", "--trace", "./d.img"], "--trace ./d.img: that is the input file d.img"],
    ];
    for (const [cmd, args, what] of cases) {
      const r = ringside(args, { cwd: dir });
      expect([r.code, r.stderr], args.join(" ")).toEqual([2, `ringside ${cmd}: ${what}; refusing to overwrite it\n`]);
    }
    for (const [f, bytes] of Object.entries(kept)) expect(before(f).equals(bytes), f).toBe(true);
  });

  it("an export that stops at a bad line leaves an existing output as it was, and no temporary file", () => {
    const dir = path.join(tmp, "partial");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "bad.jsonl"), '{"trace":"ringside","version":2,"ipms":100000,"mode":"monolithic","tool":"x"}\n{bad\n');
    writeFileSync(path.join(dir, "out.json"), "mine\n");
    const r = ringside(["trace", "export", "bad.jsonl", "-o", "out.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ringside trace export: bad\.jsonl:2: invalid JSON/);
    expect(readFileSync(path.join(dir, "out.json"), "utf8")).toBe("mine\n");
    expect(readdirSync(dir).sort()).toEqual(["bad.jsonl", "out.json"]);
  });
});

describe("run's console input", () => {
  it("comes from stdin when it is a pipe or a file: typed a line at a time, then end of input", () => {
    const piped = ringside(["run", prog("readone.asm")], { input: "hello\nworld\n" });
    expect([piped.code, piped.stdout]).toEqual([6, "hello\nhello\n"]); // the console echoes what is typed
    const none = ringside(["run", prog("readone.asm")], { input: "" });
    expect([none.code, none.stdout, none.stderr]).toEqual([0, "", "[pid 1 readone] exit 0\n"]);
  });

  it("a pipe whose writer is slow is waited for, by run and by boot", () => {
    const sh = (cmd: string) => spawnSync("bash", ["-c", cmd], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const run = sh(`(sleep 1; echo hi) | node ${CLI} run ${prog("readone.asm")}`);
    expect([run.status, run.stdout, run.stderr]).toEqual([3, "hi\nhi\n", "[pid 1 readone] exit 3\n"]);
    const boot = sh(`(sleep 1; echo 'exit 7') | node ${CLI} boot ${img} --snapshot --mode monolithic`);
    expect([boot.status, boot.stderr]).toEqual([7, ""]);
  });
});

describe("an output that cannot be written", () => {
  it("is an error naming it (exit 2), for trace export and report and for a run's --trace; a device is written in place, never replaced", () => {
    const trace = path.join(tmp, "full-t.jsonl");
    expect(ringside(["run", prog("hello42.asm"), "--trace", trace]).code).toBe(42);
    for (const cmd of ["export", "report"]) {
      const r = ringside(["trace", cmd, trace, "-o", "/dev/full"]);
      expect([r.code, r.stderr]).toEqual([2, `ringside trace ${cmd}: cannot write /dev/full: no space left on the device\n`]);
    }
    const run = ringside(["run", prog("hello42.asm"), "--trace", "/dev/full"]);
    expect([run.code, run.stderr]).toEqual([2, "ringside run: cannot write trace file /dev/full: no space left on the device\n"]);
    const nul = ringside(["trace", "export", trace, "-o", "/dev/null"]);
    expect(nul.code).toBe(0);
    expect(statSync("/dev/full").isCharacterDevice() && statSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});

describe("trace tools and --cost-model read regular files only", () => {
  it("a FIFO or a device is refused at once, never read", () => {
    const fifo = path.join(tmp, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const trace = path.join(tmp, "fifo-t.jsonl");
    expect(ringside(["run", prog("hello42.asm"), "--trace", trace]).code).toBe(42);
    for (const f of [fifo, "/dev/zero"]) {
      const why = `${f}: not a regular file (a device, FIFO or socket); give a trace file`;
      for (const args of [["show", f], ["summary", f], ["diff", f, trace], ["export", f, "-o", path.join(tmp, "never.json")], ["report", f, "-o", path.join(tmp, "never.html")]]) {
        const r = ringside(["trace", ...args]);
        expect([r.code, r.stderr], args.join(" ")).toEqual([2, `ringside trace ${args[0]}: ${why}\n`]);
      }
      const r = ringside(["run", prog("hello42.asm"), "--cost-model", f]);
      expect([r.code, r.stderr]).toEqual([2, `ringside run: --cost-model: cannot read ${f}: not a regular file (a device, FIFO or socket); give a file\n`]);
    }
    expect(existsSync(path.join(tmp, "never.json")) || existsSync(path.join(tmp, "never.html"))).toBe(false);
  });
});

describe("trace tools (items 14, 20)", () => {
  let trace = "";
  beforeAll(() => {
    trace = path.join(tmp, "t.jsonl");
    expect(ringside(["run", prog("hello42.asm"), "--image", img, "--snapshot", "--trace", trace]).code).toBe(42);
  });

  it("unknown --kind and --syscall are errors; a --proc that matches nothing gets a note", () => {
    const kind = ringside(["trace", "show", trace, "--kind", "syscall,frob"]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/^ringside trace show: --kind "frob": unknown event kind \(kinds: syscall, exception, irq, return,/);
    const sys = ringside(["trace", "summary", trace, "--syscall", "frobnicate"]);
    expect([sys.code, sys.stderr]).toEqual([2, 'ringside trace summary: --syscall "frobnicate": unknown system call (give a name like write or a number like 4)\n']);
    const proc = ringside(["trace", "show", trace, "--proc", "nosuch"]);
    expect([proc.code, proc.stdout, proc.stderr]).toEqual([0, "", "ringside trace show: note: no event matched (no process named nosuch passes the filters)\n"]);
    expect(ringside(["trace", "show", trace, "--syscall", "write"]).stdout).toMatch(/syscall {3}write\(1, /);
  });

  it("trace diff names the file and line of a malformed event, like show and summary", () => {
    const lines = readFileSync(trace, "utf8").split("\n");
    const variants: [string, (l: string[]) => void, string][] = [
      ["json", (l) => void (l[4] = '{"seq":3,garbage'), ":5: invalid JSON"],
      ["shape", (l) => void (l[4] = '{"seq":3,"kind":"return"}'), ':5: return event lacks "icount"'],
      ["array", (l) => void (l[4] = "[1]"), ":5: not a JSON object"],
      ["trunc", (l) => l.splice(6, l.length, l[6]!.slice(0, 30)), ":7: truncated event"],
    ];
    for (const [name, edit, what] of variants) {
      const l = lines.slice();
      edit(l);
      const bad = path.join(tmp, `${name}.jsonl`);
      writeFileSync(bad, l.join("\n"));
      for (const args of [[trace, bad], [bad, trace]]) {
        const r = ringside(["trace", "diff", ...args]);
        expect(r.code, name).toBe(1);
        expect(r.stderr, name).toBe(`ringside trace diff: ${bad}${what}${what.endsWith("icount\"") ? ' (a non-negative integer)' : ""}\n`);
      }
    }
  });
});

describe("image build --add (item 20)", () => {
  it("refuses to replace a built-in file unless --replace, and says a guest path must be absolute", () => {
    const note = path.join(tmp, "notes.txt");
    writeFileSync(note, "my notes\n");
    const out = path.join(tmp, "add.img");
    const sh = ringside(["image", "build", "-o", out, "--add", `${note}:/bin/sh`]);
    expect([sh.code, sh.stderr]).toEqual([2, `ringside image build: --add ${note}:/bin/sh: the default image already has /bin/sh; add --replace to replace it\n`]);
    expect(existsSync(out)).toBe(false);
    const rel = ringside(["image", "build", "-o", out, "--add", "notes.txt:relative"], { cwd: tmp });
    expect([rel.code, rel.stderr]).toEqual([2, "ringside image build: --add notes.txt:relative: the path in the image must be absolute (like notes.txt:/home/relative)\n"]);
    const ok = ringside(["image", "build", "-o", out, "--add", `${note}:/bin/sh`, "--replace"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ringside(["image", "cat", out, "/bin/sh"]).stdout).toBe("my notes\n");
  });
});

describe("image build keeps what is there", () => {
  it("does not replace a file that differs from the image built without --force; the same image again is fine", () => {
    const img = path.join(tmp, "keep.img");
    expect(ringside(["image", "build", "-o", img]).code).toBe(0);
    expect(ringside(["image", "build", "-o", img]).code).toBe(0); // the same bytes again
    const before = readFileSync(img);
    const note = path.join(tmp, "keep-note.txt");
    writeFileSync(note, "mine\n");
    const add = ringside(["image", "build", "-o", img, "--add", note]);
    expect([add.code, add.stderr]).toEqual([2, `ringside image build: -o ${img}: it exists and is an image that differs from the one built (files written into it would be lost); add --force to replace it\n`]);
    expect(readFileSync(img).equals(before)).toBe(true);
    const text = path.join(tmp, "keep-text.md");
    writeFileSync(text, "important\n");
    const t = ringside(["image", "build", "-o", text]);
    expect([t.code, t.stderr]).toEqual([2, `ringside image build: -o ${text}: it exists and is a file that is not an RSFS image; add --force to replace it\n`]);
    expect(readFileSync(text, "utf8")).toBe("important\n");
    expect(ringside(["image", "build", "-o", img, "--add", note, "--force"]).code).toBe(0);
    expect(ringside(["image", "cat", img, "/home/keep-note.txt"]).stdout).toBe("mine\n");
  });

  it("a write that fails leaves the old file whole; bad or doubled --add paths are usage errors", () => {
    const img = path.join(tmp, "whole.img");
    expect(ringside(["image", "build", "-o", img]).code).toBe(0);
    const before = readFileSync(img);
    const small = spawnSync("sh", ["-c", `ulimit -f 2048; exec node ${JSON.stringify(path.join(ROOT, "tools/cli/ringside.js"))} image build -o ${JSON.stringify(img)} --size 9 --force`], { encoding: "utf8" });
    expect(small.status).toBe(2);
    expect(small.stderr).toMatch(/^ringside image build: cannot write .*whole\.img: EFBIG/m);
    expect(readFileSync(img).equals(before)).toBe(true);
    const note = path.join(tmp, "twice.txt");
    writeFileSync(note, "x\n");
    const long = ringside(["image", "build", "-o", path.join(tmp, "bad.img"), "--add", `${note}:/home/${"a".repeat(28)}`]);
    expect([long.code, long.stderr]).toEqual([2, `ringside image build: --add ${note}:/home/${"a".repeat(28)}: bad path "/home/${"a".repeat(28)}": "${"a".repeat(28)}" is 28 bytes, longer than 27\n`]);
    const twice = ringside(["image", "build", "-o", path.join(tmp, "bad.img"), "--add", note, "--add", `${note}:/home/twice.txt`]);
    expect([twice.code, twice.stderr]).toEqual([2, `ringside image build: --add ${note} and --add ${note} both write /home/twice.txt\n`]);
    expect(existsSync(path.join(tmp, "bad.img"))).toBe(false);
  });
});

describe("a session's image through a symlink", () => {
  it("is written back to the file the link names (the link stays a link), under that file's one lock", async () => {
    const { lockPath } = await import("../tools/cli/disk.ts");
    const { symlinkSync, lstatSync } = await import("node:fs");
    mkdirSync(path.join(tmp, "disks"), { recursive: true });
    const real = path.join(tmp, "disks", "real.img");
    expect(ringside(["image", "build", "-o", real]).code).toBe(0);
    const alias = path.join(tmp, "alias.img");
    symlinkSync(path.join("disks", "real.img"), alias);
    const r = ringside(["run", "servers/apps/write.asm", "--image", alias, "--", "/home/m", "hello"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(alias).isSymbolicLink()).toBe(true);
    expect(ringside(["image", "cat", real, "/home/m"]).stdout).toBe("hello\n");
    expect(lockPath(alias)).toBe(lockPath(real));
  });
});

describe("run's program files (item 21)", () => {
  it("a text file is refused, not executed; a flat binary runs with a note about bits 32", () => {
    const text = path.join(tmp, "notes.md");
    writeFileSync(text, "# not a program\n");
    const r = ringside(["run", text, "--image", img, "--snapshot"]);
    expect([r.code, r.stderr]).toEqual([2, `ringside run: ${text}: not an ELF executable or .asm source; to run it as a flat binary, name it .bin or add --flat\n`]);
    const src = path.join(tmp, "flat.asm");
    writeFileSync(src, "bits 32\nmov eax, 1\nmov ebx, 9\nint 0x80\n");
    expect(ringside(["asm", src, "-o", path.join(tmp, "flat.bin")]).code).toBe(0);
    const flat = ringside(["run", path.join(tmp, "flat.bin"), "--image", img, "--snapshot"]);
    expect(flat.code, flat.stderr).toBe(9);
    expect(flat.stderr).toContain("is a flat binary: it is loaded at 0x00400000 and entered in 32-bit protected mode, ring 3 — it must be assembled with `bits 32`");
    copyFileSync(path.join(tmp, "flat.bin"), path.join(tmp, "flat.data"));
    expect(ringside(["run", path.join(tmp, "flat.data"), "--flat", "--image", img, "--snapshot"]).code).toBe(9);
  });
});

describe("control characters never reach the terminal raw (items 12, 21)", () => {
  it("fsck and ls escape a corrupt name; a kill report escapes a process name", () => {
    const fs = Rsfs.open(new Uint8Array(readFileSync(img)));
    fs.writeFile("/home/zzmark", new Uint8Array([1]));
    const b = fs.bytes;
    const at = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf(Buffer.from("zzmark"));
    b[at] = 0x1b;
    b[at + 1] = 0x07;
    new DataView(b.buffer, b.byteOffset).setUint32(at - 4, 200, true); // the entry now names a free inode
    const bad = path.join(tmp, "esc.img");
    writeFileSync(bad, b);
    const fsck = ringside(["image", "fsck", bad]);
    expect(fsck.code).toBe(1);
    expect(fsck.stdout).toContain("/home/\\x1b\\x07mark: entry names inode 200, which is free\n");
    expect(ringside(["image", "ls", bad, "/home"]).stderr).toContain('"\\x1b\\x07mark" names inode 200');
    for (const r of [fsck.stdout, fsck.stderr]) expect(r).not.toMatch(/[\u001b\u0007]/);

    const evil = path.join(tmp, "e\u001b[2Jvil.asm");
    copyFileSync(prog("cli.asm"), evil);
    const run = ringside(["run", evil, "--image", img, "--snapshot"]);
    expect(run.code).toBe(141);
    expect(run.stderr).toContain("[pid 1 e\\x1b[2Jvil] killed by vector 13 (exit 141)");
    expect(run.stderr).not.toContain("\u001b");
  });
});

describe("a session ended by a signal", () => {
  it("powers the machine off: the image keeps what the programs wrote, the lock is released, the status is 128 + the signal", async () => {
    const disk = path.join(tmp, "signalled.img");
    copyFileSync(img, disk);
    const child = spawn(process.execPath, [CLI, "run", prog("writespin.asm"), "--image", disk], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b;
      if (out.includes("ready\n")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (b: Buffer) => (err += b));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect([code, out]).toEqual([143, "ready\n"]);
    expect(err).toContain("ringside: SIGTERM: powering the machine off\n");
    expect(ringside(["image", "cat", disk, "/home/sig.txt"]).stdout).toBe("kept");
    expect(existsSync(`${disk}.lock`)).toBe(false);
  }, 120_000);
});

describe("sessions and their image (item 19)", () => {
  it.skipIf(solutionCut("ipc"))("--snapshot keeps writes in memory; a second session on a locked image is refused before booting", () => {
    const disk = path.join(tmp, "session.img");
    copyFileSync(img, disk);
    const before = readFileSync(disk);
    const snap = ringside(["boot", disk, "--snapshot", "--input", "write /home/s.txt in memory\ncat /home/s.txt\nexit\n"]);
    expect(snap.stdout).toContain("in memory\n");
    expect(readFileSync(disk).equals(before)).toBe(true);
    const runSnap = ringside(["run", prog("hello42.asm"), "--image", disk, "--snapshot"]);
    expect(runSnap.code).toBe(42);
    expect(runSnap.stderr).not.toContain("were not kept"); // hello42 writes nothing to the disk
    // a program that writes files: run says its writes were dropped, and the image is untouched
    const wrote = ringside(["run", prog("fstest.asm"), "--image", disk, "--snapshot"]);
    expect(wrote.stderr).toContain(`ringside run: the programs wrote to ${disk} (--snapshot); those writes were not kept\n`);
    expect(readFileSync(disk).equals(before)).toBe(true);
    // a live process holds the lock: the second session is refused, the image untouched
    const holder = spawnSync("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
    const pid = Number(holder.stdout.trim());
    try {
      writeFileSync(`${disk}.lock`, `${pid}\n`);
      for (const args of [["boot", disk, "--input", "write /home/x.txt lost?\nexit\n"], ["run", prog("hello42.asm"), "--image", disk]]) {
        const r = ringside(args);
        expect([r.code, r.stdout, r.stderr], args[0]).toEqual([2, "", `ringside ${args[0]}: ${disk} is in use by another ringside session (pid ${pid}); wait for it to end, or add --snapshot to boot a copy in memory\n`]);
      }
      expect(ringside(["boot", disk, "--snapshot", "--input", "exit 6\n"]).code).toBe(6); // a snapshot needs no lock
      // nor may a build replace the image under the session (its write-back would undo the build, or the build the session's writes)
      const build = ringside(["image", "build", "-o", disk]);
      expect([build.code, build.stdout, build.stderr]).toEqual([2, "", `ringside image build: ${disk} is in use by another ringside session (pid ${pid}); wait for it to end\n`]);
      expect(readFileSync(disk).equals(before)).toBe(true);
    } finally {
      process.kill(pid);
      // wait until the holder is really gone (under load it takes a moment), so its lock is stale
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        spawnSync("sleep", ["0.05"]);
      }
    }
    // a stale lock (its process is gone) does not block; the session's writes reach the image; the lock is released
    const kept = ringside(["boot", disk, "--input", "write /home/k.txt kept\nexit\n"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(ringside(["image", "cat", disk, "/home/k.txt"]).stdout).toBe("kept\n");
    expect(existsSync(`${disk}.lock`)).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)("an image whose folder is not writable is refused before booting", () => {
    const dir = path.join(tmp, "ro");
    mkdirSync(dir);
    copyFileSync(img, path.join(dir, "d.img"));
    chmodSync(dir, 0o555);
    const r = ringside(["boot", path.join(dir, "d.img"), "--input", "exit\n"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/cannot write .*d\.img back: .*permission denied; use --snapshot/);
    chmodSync(dir, 0o755);
  });

  it("a default image holds changes exactly when a session wrote it and its bytes differ from the build marker", () => {
    const file = path.join(tmp, "default-like.img");
    copyFileSync(img, file);
    writeFileSync(builtMarkerPath(file), imageHash(readFileSync(file)) + "\n");
    const fs = Rsfs.open(new Uint8Array(readFileSync(file)));
    fs.writeFile("/home/mine.txt", new TextEncoder().encode("mine\n"));
    writeFileSync(file, fs.bytes);
    expect(heldChanges(file)).toBe(false); // changed, but not by a session (e.g. a concurrent rebuild)
    markWritten(file);
    expect(heldChanges(file)).toBe(true);
    writeFileSync(builtMarkerPath(file), imageHash(readFileSync(file)) + "\n");
    expect(heldChanges(file)).toBe(false); // the bytes are the built ones again
  });
});
