// One kernel, two shapes, as a new user checks it through the CLI: the same image and the same
// shell session in `--mode microkernel` (services are ring-3 servers) and `--mode monolithic`
// (services run in the kernel) print the same bytes and leave the same disk; the trace shows where
// the work went in each; a device server a manifest declares is reachable through /dev/<name>; and a
// system call's result can be any 32-bit value.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace, prog, ringside, ROOT } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-modes-"));
const base = path.join(dir, "base.img");
const MODES = ["microkernel", "monolithic"] as const;
type Ev = Record<string, unknown>;

const SESSION = "echo two shapes\nls /home\ncat /home/notes.txt\nwrite /home/new.txt written in ring 3\ncat /home/new.txt\nrm /home/notes.txt\nls /home\nps\nexit 5\n";

/** A copy of the base image for one run. */
function copyOf(name: string): string {
  const f = path.join(dir, name);
  copyFileSync(base, f);
  return f;
}

beforeAll(() => {
  writeFileSync(path.join(dir, "notes.txt"), "notes added on the host\n");
  for (const p of ["devupper", "devuser"]) {
    const r = ringside(["asm", "-f", "elf", "-I", path.join("servers", "lib"), "-o", path.join(dir, p), prog(`${p}.asm`)]);
    expect(r.code, r.stderr).toBe(0);
  }
  const manifest = readFileSync(path.join(ROOT, "servers", "manifest"), "utf8").replace(/^init /m, "server    upper     /boot/upper      dev=yes\ninit ");
  writeFileSync(path.join(dir, "manifest"), manifest);
  const r = ringside(["image", "build", "-o", base, "--add", `${path.join(dir, "notes.txt")}:/home/notes.txt`, "--add", `${path.join(dir, "devupper")}:/boot/upper`, "--add", `${path.join(dir, "devuser")}:/bin/devuser`, "--add", `${path.join(dir, "manifest")}:/boot/manifest`, "--replace"]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe("the same system in both modes", () => {
  it.skipIf(solutionCut("ipc"))("a shell session prints the same bytes, exits the same, and leaves the same fsck-clean disk", () => {
    const out: Record<string, string> = {};
    const imgs: Record<string, Buffer> = {};
    for (const mode of MODES) {
      const img = copyOf(`session-${mode}.img`);
      const r = ringside(["boot", img, "--mode", mode, "--input", SESSION]);
      expect(r.code, r.stderr).toBe(5);
      out[mode] = r.stdout;
      const fsck = ringside(["image", "fsck", img]);
      expect(fsck.stdout.trim(), fsck.stderr).toBe("clean");
      expect(ringside(["image", "cat", img, "/home/new.txt"]).stdout).toBe("written in ring 3\n");
      imgs[mode] = readFileSync(img);
    }
    expect(out.microkernel).toContain("notes added on the host\n");
    expect(out.microkernel).toMatch(/\n {4}5 {5}1 blocked {2}fs\n/); // ps lists the services in both modes
    expect(out.monolithic).toBe(out.microkernel);
    expect(Buffer.compare(imgs.monolithic!, imgs.microkernel!)).toBe(0);
  }, 120_000);

  it.skipIf(solutionCut("ipc"))("a file written in one mode reads back in the other", () => {
    const img = copyOf("cross.img");
    expect(ringside(["boot", img, "--mode", "monolithic", "--input", "write /home/m.txt from the in-kernel fs\nexit\n"]).code).toBe(0);
    expect(ringside(["boot", img, "--mode", "microkernel", "--input", "cat /home/m.txt\nwrite /home/u.txt from the ring-3 fs\nexit\n"]).stdout).toContain("$ cat /home/m.txt\nfrom the in-kernel fs\n");
    expect(ringside(["boot", img, "--mode", "monolithic", "--input", "cat /home/u.txt\nexit\n"]).stdout).toContain("$ cat /home/u.txt\nfrom the ring-3 fs\n");
    expect(ringside(["image", "fsck", img]).stdout.trim()).toBe("clean");
  }, 120_000);
});

describe("where the work goes: the trace of a cat", () => {
  /** The events of `cat` from its open to its exit, and the whole trace, in `mode`. */
  function catTrace(mode: string): { header: Ev; all: Ev[]; cat: Ev[]; catPid: number } {
    const img = copyOf(`trace-${mode}.img`);
    const file = path.join(dir, `cat-${mode}.jsonl`);
    const r = ringside(["boot", img, "--mode", mode, "--trace", file, "--input", "cat /home/notes.txt\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...all] = parseTrace(readFileSync(file, "utf8"));
    // The shell forks, and the child execs /bin/cat: cat's events are its pid's from the load on.
    const load = all.findIndex((e) => e.kind === "load" && e.proc === "cat");
    const catPid = all[load]!.pid as number;
    return { header: header!, all, cat: all.slice(load).filter((e) => e.pid === catPid), catPid };
  }

  /** For each of cat's file calls (open, read, close), the events between its entry and its return. */
  function fileCalls(cat: Ev[]): { name: string; inside: Ev[]; ret: Ev }[] {
    const calls: { name: string; inside: Ev[]; ret: Ev }[] = [];
    for (let i = 0; i < cat.length; i++) {
      const e = cat[i]!;
      if (e.kind !== "syscall" || !["open", "read", "close"].includes(e.name as string)) continue;
      const j = cat.findIndex((x, k) => k > i && x.kind === "return");
      calls.push({ name: e.name as string, inside: cat.slice(i + 1, j), ret: cat[j]! });
    }
    return calls;
  }

  it("monolithic: each file call is one 3→0 entry and one 0→3 return, the driver work a `service` request and reply, no ipc", () => {
    const { header, all, cat, catPid } = catTrace("monolithic");
    expect(header.mode).toBe("monolithic");
    const calls = fileCalls(cat);
    expect(calls.map((c) => c.name)).toEqual(["open", "read", "read", "close"]);
    for (const c of calls) {
      expect(c.inside.map((e) => `${e.kind} ${e.op} ${e.service}`)).toEqual(["service request fs", "service reply fs"]);
      expect(c.ret).toMatchObject({ kind: "return", cpl_from: 0, cpl_to: 3, pid: catPid });
    }
    expect(calls[1]!.inside[1]).toMatchObject({ result: 24, bytes: 24 }); // "notes added on the host\n"
    expect(all.filter((e) => e.kind === "ipc")).toEqual([]); // no messages at all: every service is in the kernel
    expect(all.some((e) => e.kind === "spawn" && e.in_kernel === true && (e.argv as string[])[0] === "disk")).toBe(true);
  }, 60_000);

  it.skipIf(solutionCut("ipc"))("microkernel: the same call shows the messages hop by hop (cat → fs → disk → IRQ 14 → disk → fs → cat)", () => {
    const { header, all, cat } = catTrace("microkernel");
    expect(header.mode).toBe("microkernel");
    const fs = all.find((e) => e.kind === "spawn" && (e.argv as string[])[0] === "fs")!.pid as number;
    const disk = all.find((e) => e.kind === "spawn" && (e.argv as string[])[0] === "disk")!.pid as number;
    const read = cat.findIndex((e) => e.kind === "syscall" && e.name === "read");
    const from = cat[read]!.seq as number;
    const to = cat.find((e, k) => k > read && e.kind === "return")!.seq as number;
    const hops = all.filter((e) => e.kind === "ipc" && (e.seq as number) > from && (e.seq as number) < to).map((e) => `${e.op} ${e.src}→${e.dst}`);
    const catPid = cat[0]!.pid as number;
    expect(hops[0]).toBe(`send ${catPid}→${fs}`);
    expect(hops).toContain(`send ${fs}→${disk}`);
    expect(hops).toContain(`notify null→${disk}`);
    expect(hops).toContain(`reply ${disk}→${fs}`);
    expect(hops[hops.length - 1]).toBe(`reply ${fs}→${catPid}`);
    expect(all.filter((e) => e.kind === "service")).toEqual([]);
  }, 60_000);
});

describe("the device namespace", () => {
  for (const mode of MODES) {
    it.skipIf(solutionCut("ipc"))(`a driver server declared with dev=yes is reachable as /dev/<name> (${mode})`, () => {
      const img = copyOf(`dev-${mode}.img`);
      const r = ringside(["boot", img, "--mode", mode, "--input", "devuser\nexit\n"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("$ devuser\nHELLO DEVICE\n$ exit");
    }, 60_000);
  }
});

describe("results are any 32-bit value", () => {
  for (const mode of MODES) {
    it.skipIf(solutionCut("ipc") && mode === "microkernel")(`lseek to 0x7fff0001 and 0x7fff0002 returns those offsets (run --mode ${mode})`, () => {
      const r = ringside(["run", "--mode", mode, "--image", base, prog("seekfar.asm")]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("7fff0001\n7fff0002\n");
    }, 60_000);
  }
});
