// The file server (servers/fs.asm) through its public surface: a test program booted as the shell of
// a disk image (`ringside boot`) uses open/read/write/lseek/close/unlink/rmdir/mkdir/getdents and
// prints every result; afterwards the host library checks the image (fsck, contents, free counts).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prog, ringside } from "./helpers/cli.ts";
import { buildDefaultImage } from "../tools/image/default.ts";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { assembleProgram } from "../tools/cli/program.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-fs-"));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
let base: Uint8Array;

/**
 * Writes an image: the default one (or one of `bytes` size) with the manifest's shell replaced by
 * the test program `name`.
 */
async function imageWith(name: string, bytes?: number, edit: (manifest: string) => string = (m) => m): Promise<{ file: string; before: Rsfs }> {
  const fs = Rsfs.open(bytes ? await buildDefaultImage({ totalBytes: bytes }) : base.slice());
  const manifest = new TextDecoder().decode(fs.readFile("/boot/manifest"));
  expect(manifest).toMatch(/^shell\s/m);
  fs.writeFile("/boot/manifest", text(edit(manifest).replace(/^shell\s.*$/m, `shell sh /bin/${name} kill=yes`)));
  const file = prog(`${name}.asm`);
  fs.writeFile(`/bin/${name}`, await assembleProgram(file, readFileSync(file, "utf8")));
  expect(fs.fsck()).toEqual([]);
  const out = path.join(dir, `${name}.img`);
  writeFileSync(out, fs.bytes);
  return { file: out, before: Rsfs.open(fs.bytes.slice()) };
}

/** Boots an image and returns the run; the image file then holds what the guest wrote. */
function boot(file: string): { code: number; stdout: string; after: Rsfs } {
  const r = ringside(["boot", file]);
  expect(r.stderr).not.toMatch(/killed|panic|stopped after/);
  return { code: r.code, stdout: r.stdout, after: Rsfs.open(new Uint8Array(readFileSync(file))) };
}

beforeAll(async () => {
  base = await buildDefaultImage();
}, 120_000);

const EXPECTED = `open /f1 O_CREAT|O_RDWR: 3
write 13: 13
lseek 0: 0
read: 13
hello, world
read at the end: 0
close: 0
open /f1 O_CREAT|O_EXCL: -17
open /f2 O_APPEND: 3
write 4000: 4000
append 200: 200
read /f2: 4096
byte 3999: 97
read /f2 again: 104
byte 4096: 98
byte 4199: 98
read /f2 at the end: 0
read /f2 from 3990: 210
byte 3999: 97
byte 4000: 98
lseek end: 4200
big blocks written: 20
write at 200000: 1
big blocks read back: 20
read in the hole: 4096
hole bytes not zero: 0
read the tail: 2
byte 200000: 90
big size: 200001
write past the largest file: -27
unlink /big: 0
open /big after unlink: -2
mkdir /d: 0
mkdir /d/sub: 0
getdents /d: 48
x type: 8
  d_off: 1
  d_reclen: 16
y type: 8
  d_off: 2
  d_reclen: 16
sub type: 4
  d_off: 3
  d_reclen: 16
getdents /d again: 0
unlink /d/x: 0
getdents /d: 48
z type: 8
  d_off: 1
  d_reclen: 16
y type: 8
  d_off: 2
  d_reclen: 16
sub type: 4
  d_off: 3
  d_reclen: 16
getdents /d again: 0
open /nope: -2
open /nope/x O_CREAT: -2
mkdir /d again: -17
open /d O_CREAT|O_EXCL: -17
rmdir /d (not empty): -39
open /d O_WRONLY: -21
unlink /d: -21
open /f1/x: -20
rmdir /f1: -20
open /f1 O_DIRECTORY: -20
open a 28-byte name: -36
create a 27-byte name: 0
unlink it: 0
open /f1/: -20
unlink /f1/: -20
open /new/ O_CREAT: -21
mkdir /d2/: 0
rmdir /d2/: 0
rmdir /d/sub: 0
size after O_TRUNC: 0
write 4: 4
done: 0
`;

/** The small image of the full-disk tests: the default image's files plus room for /a, /one and a /fill that needs an indirect block. */
const FULL_IMAGE = 576 * 1024;

describe.skipIf(solutionCut("ipc"))("the file server", () => {
  it("creates, appends across blocks, grows past the direct blocks, reads holes, lists, removes, and reports errors; the image stays consistent", async () => {
    const { file, before } = await imageWith("fstest");
    const r = boot(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(EXPECTED);

    const fs = r.after;
    expect(fs.fsck()).toEqual([]);
    // O_TRUNC, then a new write.
    expect(fs.readFile("/f1")).toEqual(text("new\n"));
    // 4000 bytes, then 200 appended after a reopen: the second block holds the tail.
    expect(fs.readFile("/f2")).toEqual(new Uint8Array([...new Uint8Array(4000).fill(0x61), ...new Uint8Array(200).fill(0x62)]));
    // /big (20 blocks, a hole, a byte at 200000, with an indirect block) was removed; /d/x and
    // /d/sub were removed and /d/z took x's slot (the first empty one).
    expect(fs.stat("/big")).toBeUndefined();
    expect(fs.list("/d").map((e) => `${e.name}:${e.type}`)).toEqual(["z:file", "y:file"]);
    expect(fs.list("/").map((e) => e.name)).toEqual(["boot", "bin", "etc", "home", "f1", "f2", "d"]);
    // Every block /big used is free again: only f1 (1 block), f2 (2) and d (1) are new. Inodes: f1, f2, d, y, z.
    const b0 = before.statfs(), b1 = fs.statfs();
    expect(b0.freeBlocks - b1.freeBlocks).toBe(4);
    expect(b0.freeInodes - b1.freeInodes).toBe(5);
    // Nothing else changed.
    expect(fs.readFile("/etc/motd")).toEqual(before.readFile("/etc/motd"));
  });

  it("writes the same allocation the host library would (first-fit blocks, lowest inode, first empty slot)", async () => {
    const { file, before } = await imageWith("fstest");
    const guest = boot(file).after;
    // Replay the surviving effects on the host, in the same order, from the same starting image.
    const host = before;
    host.writeFile("/f1", text("hello, world\n"));
    host.writeFile("/f2", new Uint8Array(4200));
    host.writeFile("/big", new Uint8Array(200001));
    host.unlink("/big");
    host.mkdir("/d");
    host.writeFile("/d/x", new Uint8Array(0));
    host.writeFile("/d/y", new Uint8Array(0));
    host.mkdir("/d/sub");
    host.unlink("/d/x");
    host.writeFile("/d/z", new Uint8Array(0));
    host.writeFile("/bbbbbbbbbbbbbbbbbbbbbbbbbbb", new Uint8Array(0));
    host.unlink("/bbbbbbbbbbbbbbbbbbbbbbbbbbb");
    host.mkdir("/d2");
    host.unlink("/d2");
    host.unlink("/d/sub");
    host.writeFile("/f1", text("new\n"));
    for (const p of ["/f1", "/f2", "/d", "/d/y", "/d/z"]) expect(guest.stat(p), p).toEqual(host.stat(p));
    // The metadata blocks (superblock, bitmap, inode table) come out identical.
    const meta = host.superblock.dataStart * 4096;
    expect(Buffer.from(guest.bytes.subarray(0, meta)).equals(Buffer.from(host.bytes.subarray(0, meta)))).toBe(true);
  });

  it("answers -EIO, without hanging, once the disk server is gone (no restart policy)", async () => {
    // Without restart= rs leaves the disk down; the file server waits for it a bounded while
    // (servers/fs/bio.inc, disk_find), then answers -EIO. tests/recovery.test.ts: with the policy.
    const { file, before } = await imageWith("fstest_eio", undefined, (m) => m.replace(/^(server\s+disk\s.*?) restart=\S+/m, "$1"));
    const r = boot(file);
    expect(r.stdout).toBe(
      [
        "read /etc/motd before (1 = some bytes): 1",
        "kill disk: 0",
        "read /etc/motd after: -5",
        "open /etc/motd: -5",
        "open /new O_CREAT: -5",
        "mkdir /newdir: -5",
        "close: -5",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(0);
    expect(r.after.fsck()).toEqual([]);
    expect(Buffer.from(r.after.bytes).equals(Buffer.from(before.bytes))).toBe(true);
  });

  it("runs out of blocks and inodes cleanly: -ENOSPC, short writes, a new indirect block taken back", async () => {
    const { file, before } = await imageWith("fstest_full", FULL_IMAGE);
    const free = before.statfs();
    // /a takes 12 blocks and /one 1; /fill gets the rest but one for its indirect block.
    const fill = free.freeBlocks - 13 - 1;
    expect(fill).toBeGreaterThan(12);
    const r = boot(file);
    expect(r.stdout).toBe(
      [
        "/a blocks: 12",
        `/fill blocks: ${fill}`,
        "write to a full disk: -28",
        "unlink /one: 0",
        "write /a block 12: -28",
        "write across blocks 11 and 12: 2048",
        "/a size: 49152",
        "write /b: 4096",
        "write /b again: -28",
        "unlink /fill: 0",
        "create when the inodes ran out: -28",
        `files created: ${free.freeInodes - 2}`,
        "done: 0",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(0);
    const fs = r.after;
    expect(fs.fsck()).toEqual([]);
    expect(fs.readFile("/a")).toEqual(new Uint8Array(49152).fill(0x78));
    expect(fs.readFile("/b")).toEqual(new Uint8Array(4096).fill(0x78));
    expect(fs.list("/").map((e) => e.name)).toEqual(["boot", "bin", "etc", "home", "a", "b"]);
    // Only /a, /b and the blocks the root directory grew by are still in use.
    const rootBlocks = Math.ceil(fs.stat("/")!.size / 4096) - Math.ceil(before.stat("/")!.size / 4096);
    expect(free.freeBlocks - fs.statfs().freeBlocks).toBe(12 + 1 + rootBlocks);
    expect(fs.statfs().freeInodes).toBe(free.freeInodes - 2);
  });

  it("the in-kernel fs service (--mode monolithic) gives every call the same result and leaves the same image", async () => {
    for (const [name, size] of [["fstest", undefined], ["fstest_full", FULL_IMAGE]] as const) {
      const { file } = await imageWith(name, size);
      const mono = `${file}.monolithic`;
      copyFileSync(file, mono);
      const ring3 = boot(file);
      const inKernel = ringside(["boot", mono, "--mode", "monolithic"]);
      expect(inKernel.stderr, name).not.toMatch(/killed|panic|stopped after/);
      expect([inKernel.code, inKernel.stdout], name).toEqual([ring3.code, ring3.stdout]);
      expect(Buffer.from(readFileSync(mono)).equals(Buffer.from(ring3.after.bytes)), name).toBe(true);
    }
  });
});
