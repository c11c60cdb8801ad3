// The classic Linux i386 fork/pipe/execve program (tests/fixtures/programs/forkpipe.asm), built the
// way a Linux tutorial builds it — the real `nasm -f elf32` and `ld -m elf_i386` — runs unchanged on
// ringside in both shapes, with the output it has when ringside's own assembler builds it; so do the
// layouts other common ld options produce (a note, a GNU_STACK header, one segment for headers and
// text, a single writable segment), and the same file run from the shell of a booted image. Needs
// nasm and ld (binutils); says so and skips when either is missing (.ci/run installs both).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prog, ringside } from "./helpers/cli.ts";
import { parseElf } from "../kernel/elf.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-nasm-ld-"));
const MODES = ["monolithic", "microkernel"] as const;
const PT_NOTE = 4, PT_GNU_STACK = 0x6474e551;

/** True if `tool --version` (or `-v`) runs. */
function have(tool: string, flag: string): boolean {
  const r = spawnSync(tool, [flag], { encoding: "utf8" });
  return r.error === undefined && r.status === 0;
}
const missing = [have("nasm", "-v") ? null : "nasm", have("ld", "--version") ? null : "ld (binutils)"].filter((t) => t !== null);
const skip = missing.length > 0;
if (skip) console.warn(`SKIPPED tests/unix-nasm-ld.test.ts: ${missing.join(" and ")} not found (.ci/run installs nasm and binutils with apt)`);

/** Runs a host tool; throws with its output if it fails. */
function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.error?.message ?? ""}${r.stdout}${r.stderr}`);
}

/** The program types of an ELF file's program headers (parsed by hand: parseElf keeps only PT_LOAD). */
function phdrTypes(file: string): number[] {
  const b = readFileSync(file);
  const phoff = b.readUInt32LE(28), phnum = b.readUInt16LE(44);
  return Array.from({ length: phnum }, (_, i) => b.readUInt32LE(phoff + i * 32));
}

const obj = path.join(dir, "forkpipe.o");
/** ld output for each set of extra options. */
const LINKS: Record<string, string[]> = {
  default: [],
  "build-id note and non-executable stack (PT_NOTE, PT_GNU_STACK)": ["--build-id=sha1", "-z", "noexecstack"],
  "headers and text in one segment (-z noseparate-code)": ["-z", "noseparate-code"],
  "one writable, executable segment at an unaligned address (-N)": ["-N"],
};
const elf = (name: string) => path.join(dir, `forkpipe-${Object.keys(LINKS).indexOf(name)}`);

beforeAll(() => {
  if (skip) return;
  tool("nasm", ["-f", "elf32", "-o", obj, prog("forkpipe.asm")]);
  for (const [name, opts] of Object.entries(LINKS)) tool("ld", ["-m", "elf_i386", ...opts, "-o", elf(name), obj]);
});

describe.skipIf(skip)("forkpipe.asm built with nasm -f elf32 and ld -m elf_i386", () => {
  it("is ld's layout, not ringside's: text at 0x08049000 after a read-only header segment at 0x08048000", () => {
    const image = parseElf(new Uint8Array(readFileSync(elf("default"))));
    expect(image.entry).toBe(0x08049000);
    expect(image.segments.map((s) => [s.vaddr, s.flags])).toEqual([
      [0x08048000, 4], // R: the ELF and program headers
      [0x08049000, 5], // R E: .text
      [0x0804a000, 6], // RW: .data and .bss
    ]);
    expect(image.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(["_start", "parent", "child"]));
    expect(phdrTypes(elf("build-id note and non-executable stack (PT_NOTE, PT_GNU_STACK)"))).toEqual(
      expect.arrayContaining([PT_NOTE, PT_GNU_STACK]),
    );
  });

  it.for(MODES)("runs unchanged (%s): the child execs /bin/echo into the pipe, the parent prints it and exits 40", (mode, ctx) => {
    ctx.skip(solutionCut("ipc") && mode === "microkernel");
    const r = ringside(["run", "--mode", mode, elf("default")]);
    expect(r.stdout).toBe("parent got: hello through a pipe\n");
    expect(r.code).toBe(40);
    expect(r.stderr).toMatch(/\[pid 1 forkpipe-0\] exit 40/);
    expect(r.stderr).toMatch(/\[pid \d+ echo\] exit 0/);
  });

  it.each(Object.keys(LINKS).slice(1))("runs when linked with %s", (name) => {
    const r = ringside(["run", elf(name)]);
    expect(r.stdout).toBe("parent got: hello through a pipe\n");
    expect(r.code).toBe(40);
  });

  it.skipIf(solutionCut("ipc"))("runs from the shell of a booted image (/bin/forkpipe, started by fork and execve)", () => {
    const img = path.join(dir, "disk.img");
    let r = ringside(["image", "build", "-o", img, "--add", `${elf("default")}:/bin/forkpipe`]);
    expect(r.code, r.stderr).toBe(0);
    const copy = path.join(dir, "boot.img");
    copyFileSync(img, copy);
    r = ringside(["boot", copy, "--input", "forkpipe\necho $?\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("$ forkpipe\nparent got: hello through a pipe\n$ echo $?\n40\n$ exit");
  }, 60_000);
});
