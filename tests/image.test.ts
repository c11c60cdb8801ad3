// RSFS v1 disk images (docs/image.md): the host library's round trips and allocation rules, fsck on
// each kind of corruption, and `ringside image build|ls|cat|fsck` as a user runs them.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ImageError, Rsfs } from "../kernel/fs/rsfs.ts";
import { buildDefaultImage, DEFAULT_IMAGE_PATH, ensureDefaultImage } from "../tools/image/default.ts";
import { ROOT, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-image-"));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const BS = 4096;

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Byte-for-byte equality (deep-equal on megabyte arrays is slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

// Raw on-disk access, written from docs/image.md independently of the library.
const u32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);
const setU32 = (b: Uint8Array, off: number, x: number): void => new DataView(b.buffer, b.byteOffset).setUint32(off, x, true);
const inodeAt = (b: Uint8Array, ino: number): number => u32(b, 24) * BS + ino * 64;
const directOf = (b: Uint8Array, ino: number, k: number): number => u32(b, inodeAt(b, ino) + 8 + 4 * k);
const indirectOf = (b: Uint8Array, ino: number): number => u32(b, inodeAt(b, ino) + 56);
const bitOf = (b: Uint8Array, blk: number): boolean => (b[u32(b, 16) * BS + (blk >> 3)]! & (1 << (blk & 7))) !== 0;
const clearBit = (b: Uint8Array, blk: number): void => void (b[u32(b, 16) * BS + (blk >> 3)]! &= ~(1 << (blk & 7)));
const setBit = (b: Uint8Array, blk: number): void => void (b[u32(b, 16) * BS + (blk >> 3)]! |= 1 << (blk & 7));
/** Byte offset of directory entry `slot` of a directory whose first block is `blk`. */
const slotAt = (blk: number, slot: number): number => blk * BS + slot * 32;

describe("RSFS library: format and open", () => {
  it("formats 8 MiB / 256 inodes with exactly the superblock docs/image.md specifies", () => {
    const fs = Rsfs.format();
    const b = fs.bytes;
    expect(b.length).toBe(8 * 1024 * 1024);
    expect(new TextDecoder().decode(b.subarray(0, 4))).toBe("RSFS");
    // magic, version, block_size, total_blocks, bitmap_start, bitmap_blocks, inode_start, inode_blocks, inode_count, data_start, root
    expect(Array.from({ length: 11 }, (_, i) => u32(b, i * 4))).toEqual([0x53465352, 1, 4096, 2048, 1, 1, 2, 4, 256, 6, 1]);
    for (let blk = 0; blk < 6; blk++) expect(bitOf(b, blk)).toBe(true);
    expect(bitOf(b, 6)).toBe(false);
    for (let blk = 2048; blk < 32768; blk += 997) expect(bitOf(b, blk)).toBe(true);
    // root: a directory, 1 link, empty
    expect([b[inodeAt(b, 1)], b[inodeAt(b, 1) + 2], u32(b, inodeAt(b, 1) + 4)]).toEqual([2, 1, 0]);
    expect(fs.list("/")).toEqual([]);
    expect(fs.stat("/")).toEqual({ name: "/", ino: 1, type: "dir", size: 0 });
    expect(fs.statfs()).toMatchObject({ freeBlocks: 2042, freeInodes: 254 });
    expect(fs.fsck()).toEqual([]);
  });

  it("opens its own output in place and refuses what is not RSFS with an ImageError", () => {
    const fs = Rsfs.format(64 * BS, 64);
    fs.writeFile("/x", enc("x"));
    const again = Rsfs.open(fs.bytes);
    expect(again.bytes).toBe(fs.bytes);
    again.writeFile("/y", enc("y"));
    expect(new TextDecoder().decode(Rsfs.open(fs.bytes).readFile("/y"))).toBe("y");
    expect(() => Rsfs.open(new Uint8Array(100))).toThrow(ImageError);
    expect(() => Rsfs.open(enc("hello".repeat(2000)))).toThrow(/bad magic/);
    const truncated = fs.bytes.slice(0, 32 * BS);
    expect(() => Rsfs.open(truncated)).toThrow(/total_blocks 64, but the image holds 32 blocks/);
    expect(() => Rsfs.format(1000)).toThrow(ImageError);
    expect(() => Rsfs.format(64 * BS, 100)).toThrow(ImageError);
  });
});

describe("RSFS library: files and directories", () => {
  it("round-trips files, lists in on-disk order, creates parents, stats and unlinks", () => {
    const fs = Rsfs.format();
    fs.writeFile("/etc/motd", enc("hello\n"));
    fs.writeFile("notes", enc("relative paths start at /"));
    fs.mkdir("/a/b/c");
    fs.mkdir("/a/b"); // exists: fine
    fs.writeFile("/a/b/c/empty", new Uint8Array(0));
    expect(new TextDecoder().decode(fs.readFile("/etc/motd"))).toBe("hello\n");
    expect(new TextDecoder().decode(fs.readFile("/notes"))).toBe("relative paths start at /");
    expect(fs.readFile("//a/b/c//empty")).toEqual(new Uint8Array(0));
    // A trailing slash asks for a directory, as on Unix (and as the guest's cat and ls answer).
    expect(() => fs.readFile("/a/b/c/empty/")).toThrow(/^\/a\/b\/c\/empty\/: not a directory$/);
    expect(() => fs.stat("/notes/")).toThrow(/^\/notes\/: not a directory$/);
    expect(fs.stat("/a/b/")).toMatchObject({ name: "b", type: "dir" });
    expect(fs.list("/a/")).toEqual(fs.list("/a"));
    expect(fs.list("/").map((e) => [e.name, e.type])).toEqual([["etc", "dir"], ["notes", "file"], ["a", "dir"]]);
    expect(fs.list("/etc")).toEqual([{ name: "motd", ino: 3, type: "file", size: 6 }]);
    expect(fs.stat("/a/b")).toMatchObject({ name: "b", type: "dir", size: 32 });
    expect(fs.stat("/nope")).toBeUndefined();
    expect(fs.stat("/notes/x")).toBeUndefined();
    expect(() => fs.readFile("/etc")).toThrow(/is a directory/);
    expect(() => fs.readFile("/etc/nope")).toThrow(/no such file/);
    expect(() => fs.list("/notes")).toThrow(/not a directory/);
    expect(() => fs.writeFile("/notes/x", enc("x"))).toThrow(/not a directory/);
    expect(() => fs.mkdir("/notes")).toThrow(/not a directory/);
    expect(() => fs.writeFile("/etc", enc("x"))).toThrow(/is a directory/);
    expect(() => fs.unlink("/a")).toThrow(/not empty/);
    expect(() => fs.unlink("/")).toThrow(ImageError);
    expect(() => fs.writeFile(`/${"n".repeat(28)}`, enc("x"))).toThrow(/longer than 27/);
    expect(() => fs.writeFile("/a/../x", enc("x"))).toThrow(ImageError);
    fs.writeFile(`/${"n".repeat(27)}`, enc("27 bytes is fine"));
    expect(fs.fsck()).toEqual([]);
    fs.unlink("/a/b/c/empty");
    fs.unlink("/a/b/c");
    expect(fs.list("/a/b")).toEqual([]);
    expect(fs.stat("/a/b/c")).toBeUndefined();
    expect(fs.fsck()).toEqual([]);
  });

  it("allocates as docs/image.md says: lowest free inode, first empty slot, first-fit blocks, indirect before the block it lists", () => {
    const fs = Rsfs.format();
    const b = fs.bytes;
    // 13 blocks: inode 2; root's first block is 6 (the entry), data 7..18, indirect 19, block 12 at 20.
    fs.writeFile("/a", noise(12 * BS + 1));
    expect(directOf(b, 1, 0)).toBe(6);
    expect(Array.from({ length: 12 }, (_, k) => directOf(b, 2, k))).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(indirectOf(b, 2)).toBe(19);
    expect(u32(b, 19 * BS)).toBe(20);
    expect(u32(b, 19 * BS + 4)).toBe(0);
    fs.writeFile("/b", enc("b"));
    fs.writeFile("/c", enc("c"));
    expect([u32(b, slotAt(6, 1)), u32(b, slotAt(6, 2))]).toEqual([3, 4]);
    expect([directOf(b, 3, 0), directOf(b, 4, 0)]).toEqual([21, 22]);
    fs.unlink("/b");
    expect(bitOf(b, 21)).toBe(false);
    expect(b.subarray(inodeAt(b, 3), inodeAt(b, 3) + 64).every((x) => x === 0)).toBe(true);
    expect(b.subarray(slotAt(6, 1), slotAt(6, 2)).every((x) => x === 0)).toBe(true);
    fs.writeFile("/d", enc("d"));
    // d reuses inode 3, the empty slot 1 and block 21; the directory did not grow.
    expect(fs.list("/").map((e) => [e.name, e.ino])).toEqual([["a", 2], ["d", 3], ["c", 4]]);
    expect(directOf(b, 3, 0)).toBe(21);
    expect(fs.stat("/")!.size).toBe(3 * 32);
    expect(fs.fsck()).toEqual([]);
  });

  it("stores a file > 48 KiB through the indirect block and a ~1 MiB file, byte for byte", () => {
    const fs = Rsfs.format();
    const mid = noise(50_000, 7);
    const big = noise(1_000_003, 9);
    fs.writeFile("/home/mid", mid);
    fs.writeFile("/home/big", big);
    expect(same(fs.readFile("/home/mid"), mid)).toBe(true);
    expect(same(fs.readFile("/home/big"), big)).toBe(true);
    expect(indirectOf(fs.bytes, fs.stat("/home/mid")!.ino)).not.toBe(0);
    expect(fs.stat("/home/big")!.size).toBe(1_000_003);
    // 245 data blocks + 1 indirect for big, 13 + 1 for mid, 1 each for / and /home.
    expect(fs.statfs().freeBlocks).toBe(2042 - 246 - 14 - 2);
    expect(fs.fsck()).toEqual([]);
    const largest = (12 + 1024) * BS;
    expect(() => fs.writeFile("/toolarge", new Uint8Array(largest + 1))).toThrow(/larger than the largest RSFS file/);
  });

  it("replaces a file in place and unlink gives every block and inode back", () => {
    const fs = Rsfs.format();
    fs.mkdir("/home");
    const before = fs.statfs();
    fs.writeFile("/home/f", noise(100_000));
    const ino = fs.stat("/home/f")!.ino;
    fs.writeFile("/home/f", enc("short now"));
    expect(new TextDecoder().decode(fs.readFile("/home/f"))).toBe("short now");
    expect(fs.stat("/home/f")).toEqual({ name: "f", ino, type: "file", size: 9 });
    expect(fs.statfs().freeBlocks).toBe(before.freeBlocks - 1 - 1); // 1 data block + the /home entry block
    expect(indirectOf(fs.bytes, ino)).toBe(0);
    expect(fs.fsck()).toEqual([]);
    fs.writeFile("/home/f", noise(100_000, 3));
    expect(same(fs.readFile("/home/f"), noise(100_000, 3))).toBe(true);
    fs.unlink("/home/f");
    expect(fs.statfs()).toEqual({ ...before, freeBlocks: before.freeBlocks - 1 }); // /home keeps its (now empty) entry block
    expect(() => fs.unlink("/home/f")).toThrow(/no such file/);
    expect(fs.fsck()).toEqual([]);
  });

  it("a write that does not fit fails with an ImageError and leaves the image untouched", () => {
    const fs = Rsfs.format(16 * BS, 64); // data_start 3: 13 data blocks
    fs.writeFile("/small", noise(5 * BS));
    const snapshot = fs.bytes.slice();
    expect(() => fs.writeFile("/new/dir/big", noise(8 * BS))).toThrow(/no space left/);
    expect(same(fs.bytes, snapshot)).toBe(true);
    expect(() => fs.writeFile("/small", noise(13 * BS))).toThrow(/no space left/);
    expect(same(fs.bytes, snapshot)).toBe(true);
    expect(fs.fsck()).toEqual([]);
    const few = Rsfs.format(64 * BS, 64);
    for (let i = 2; i < 64; i++) few.writeFile(`/f${i}`, new Uint8Array(0));
    expect(() => few.writeFile("/one-more", new Uint8Array(0))).toThrow(/no free inodes/);
    expect(few.fsck()).toEqual([]);
  });
});

describe("RSFS fsck", () => {
  /** A small consistent file system: /etc/motd, /bin/prog (2 blocks), /home/readme. */
  function sample(): Rsfs {
    const fs = Rsfs.format(256 * BS, 64);
    fs.writeFile("/etc/motd", enc("hi\n"));
    fs.writeFile("/bin/prog", noise(6000));
    fs.writeFile("/home/readme", enc("read me"));
    expect(fs.fsck()).toEqual([]);
    return fs;
  }

  it("reports a bad magic number", () => {
    const fs = sample();
    fs.bytes[0] = 0x58;
    expect(Rsfs.check(fs.bytes)).toEqual([expect.stringMatching(/^superblock: bad magic 0x53465358/)]);
    expect(fs.fsck()).toEqual([expect.stringMatching(/bad magic/)]);
  });

  it("reports wrong superblock fields", () => {
    const fs = sample();
    setU32(fs.bytes, 36, 7);
    expect(Rsfs.check(fs.bytes)).toEqual(["superblock: data_start 7, expected 3"]);
  });

  it("reports a block that is used but marked free", () => {
    const fs = sample();
    const prog = fs.stat("/bin/prog")!.ino;
    const blk = directOf(fs.bytes, prog, 1);
    clearBit(fs.bytes, blk);
    expect(fs.fsck()).toEqual([`block ${blk}: used by inode ${prog} (/bin/prog) but marked free in the bitmap`]);
  });

  it("reports a block marked in use that nothing uses", () => {
    const fs = sample();
    setBit(fs.bytes, 200);
    expect(fs.fsck()).toEqual(["block 200: marked in use but nothing uses it"]);
  });

  it("reports an in-use inode that no directory reaches", () => {
    const fs = sample();
    const readme = fs.stat("/home/readme")!.ino;
    const home = fs.stat("/home")!.ino;
    setU32(fs.bytes, slotAt(directOf(fs.bytes, home, 0), 0), 0);
    expect(fs.fsck()).toEqual([`inode ${readme}: in use but not reachable from /`]);
  });

  it("reports a block used twice", () => {
    const fs = sample();
    const motd = fs.stat("/etc/motd")!.ino;
    const readme = fs.stat("/home/readme")!.ino;
    const shared = directOf(fs.bytes, motd, 0);
    const orphan = directOf(fs.bytes, readme, 0);
    setU32(fs.bytes, inodeAt(fs.bytes, readme) + 8, shared);
    expect(fs.fsck()).toEqual([
      `block ${shared}: used by both inode ${motd} (/etc/motd) and inode ${readme} (/home/readme)`,
      `block ${orphan}: marked in use but nothing uses it`,
    ]);
  });

  it("reports bad and duplicate names", () => {
    const fs = sample();
    const etc = fs.stat("/etc")!.ino;
    const at = slotAt(directOf(fs.bytes, etc, 0), 0);
    fs.bytes.set(enc("mo/d"), at + 4);
    expect(fs.fsck()).toEqual([`/etc: entry 0: bad name "mo/d"`]);
    fs.bytes.fill(0x41, at + 4, at + 32); // 28 bytes, no NUL
    expect(fs.fsck()).toEqual([expect.stringMatching(/^\/etc: entry 0: bad name "A{28}"$/)]);
    const fs2 = sample();
    const root = directOf(fs2.bytes, 1, 0);
    fs2.bytes.fill(0, slotAt(root, 2) + 4, slotAt(root, 2) + 32);
    fs2.bytes.set(enc("etc"), slotAt(root, 2) + 4); // "home" renamed to a second "etc"
    expect(fs2.fsck()).toEqual([`/: entry 2: duplicate name "etc"`]);
  });

  it("reports pointers outside the data region, past the size, and odd directory sizes", () => {
    const fs = sample();
    const motd = fs.stat("/etc/motd")!.ino;
    const home = fs.stat("/home")!.ino;
    expect(motd).toBeLessThan(home); // fsck reports in inode order
    setU32(fs.bytes, inodeAt(fs.bytes, motd) + 8 + 4 * 5, 2); // direct[5] → the inode table
    setU32(fs.bytes, inodeAt(fs.bytes, home) + 4, 33);
    expect(fs.fsck()).toEqual([
      `inode ${motd} (/etc/motd): block pointer 5 past the file size is 2, not 0`,
      `inode ${motd} (/etc/motd): block 2 is outside the data region (3–255)`,
      `inode ${home} (/home): directory size 33 is not a multiple of 32`,
    ]);
  });
});

describe("default image", () => {
  it("maps servers/*.asm to /boot, apps to /bin, the manifest and files/** to their paths", async () => {
    const dir = path.join(tmp, "servers-ok");
    mkdirSync(path.join(dir, "apps"), { recursive: true });
    mkdirSync(path.join(dir, "files", "etc", "deep"), { recursive: true });
    const prog = "section .text\nglobal _start\n_start:\n    mov eax, 1\n    int 0x80\n";
    writeFileSync(path.join(dir, "fs.asm"), prog);
    writeFileSync(path.join(dir, "apps", "tool.asm"), prog);
    writeFileSync(path.join(dir, "apps", "notes.txt"), "not a program");
    writeFileSync(path.join(dir, "manifest"), "init init /boot/fs\n");
    writeFileSync(path.join(dir, "files", "etc", "deep", "x"), "deep file");
    const fs = Rsfs.open(await buildDefaultImage({ serversDir: dir }));
    expect(fs.bytes.length).toBe(8 * 1024 * 1024);
    expect(fs.list("/").map((e) => e.name)).toEqual(["boot", "bin", "etc"]);
    expect(fs.list("/boot").map((e) => e.name)).toEqual(["manifest", "fs"]);
    expect(fs.list("/bin").map((e) => e.name)).toEqual(["tool"]);
    expect(new TextDecoder().decode(fs.readFile("/etc/deep/x"))).toBe("deep file");
    expect(new TextDecoder().decode(fs.readFile("/boot/fs").subarray(1, 4))).toBe("ELF");
    expect(fs.fsck()).toEqual([]);
    const again = await buildDefaultImage({ serversDir: dir });
    expect(same(again, fs.bytes)).toBe(true); // deterministic
  });

  it("an assembly error names the file", async () => {
    const dir = path.join(tmp, "servers-bad");
    mkdirSync(path.join(dir, "apps"), { recursive: true });
    writeFileSync(path.join(dir, "apps", "broken.asm"), "section .text\n    frob eax\n");
    await expect(buildDefaultImage({ serversDir: dir })).rejects.toThrow(/^ringside: cannot build the default image: \/.*\/apps\/broken\.asm does not assemble:\n[^]*broken\.asm:2:5: error: unknown instruction 'frob'/);
  });

  it("ensureDefaultImage gives build/ringside.img and does not rebuild a fresh one", async () => {
    const file = await ensureDefaultImage();
    expect(file).toBe(DEFAULT_IMAGE_PATH);
    expect(file).toBe(path.join(ROOT, "build", "ringside.img"));
    const before = statSync(file);
    expect(await ensureDefaultImage()).toBe(file);
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]); // a rebuild renames a new file in
    expect(Rsfs.open(new Uint8Array(readFileSync(file))).stat("/boot/manifest")?.type).toBe("file");
  });
});

describe("ringside image", () => {
  const img = path.join(tmp, "t.img");
  const notes = path.join(tmp, "notes.txt");
  const blob = path.join(tmp, "blob.bin");
  const blobBytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(noise(70_000, 5))]);
  let build: ReturnType<typeof ringside>;

  /** `ringside` with stdout as raw bytes (for `image cat`). */
  function ringsideBytes(args: string[]): { code: number; stdout: Buffer; stderr: string } {
    const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "cli", "ringside.js"), ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
  }

  beforeAll(() => {
    writeFileSync(notes, "some notes\n");
    writeFileSync(blob, blobBytes);
    build = ringside(["image", "build", "-o", img, "--add", notes, "--add", `${blob}:/data/blob`]);
  });

  it("builds the default image plus added files and says what it wrote", () => {
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(new RegExp(`^wrote ${img.replace(/[.\\/]/g, "\\$&")}: RSFS v1, 8 MiB, `));
    expect(build.stdout).toContain(`added /home/notes.txt (11 bytes) from ${notes}`);
    expect(build.stdout).toContain(`added /data/blob (`);
    expect(statSync(img).size).toBe(8 * 1024 * 1024);
  });

  it("ls lists type, size and name, directories with a trailing /", () => {
    const root = ringside(["image", "ls", img]);
    expect(root.code).toBe(0);
    expect(root.stdout.split("\n").filter(Boolean).map((l) => l.split(/\s+/)[2])).toEqual(["boot/", "bin/", "etc/", "home/", "data/"]);
    expect(root.stdout).toMatch(/^dir +\d+ {2}boot\/$/m);
    const home = ringside(["image", "ls", img, "/home"]);
    const readmeSize = readFileSync(path.join(ROOT, "servers/files/home/readme.txt")).length;
    expect(home.stdout).toBe(`file ${String(readmeSize).padStart(8)}  readme.txt\nfile       11  notes.txt\n`);
    expect(ringside(["image", "ls", img, "/data/blob"]).stdout).toBe(`file ${String(blobBytes.length).padStart(8)}  blob\n`);
    // /boot holds the manifest and one program per servers/*.asm; /bin one per servers/apps/*.asm.
    const names = (dir: string): string[] => readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".asm")).map((f) => f.slice(0, -4)).sort();
    const listed = (p: string): string[] => ringside(["image", "ls", img, p]).stdout.split("\n").filter(Boolean).map((l) => l.split(/\s+/)[2]!).sort();
    expect(listed("/boot")).toEqual(["manifest", ...names("servers")].sort());
    expect(listed("/bin")).toEqual(names("servers/apps"));
  });

  it("cat writes a file's bytes exactly", () => {
    const b = ringsideBytes(["image", "cat", img, "/data/blob"]);
    expect(b.code).toBe(0);
    expect(b.stdout.equals(blobBytes)).toBe(true);
    expect(ringsideBytes(["image", "cat", img, "/boot/manifest"]).stdout.equals(readFileSync(path.join(ROOT, "servers/manifest")))).toBe(true);
    expect(ringside(["image", "cat", img, "/etc/motd"]).stdout).toBe(readFileSync(path.join(ROOT, "servers/files/etc/motd"), "utf8"));
    const hello = ringsideBytes(["image", "cat", img, "/bin/hello"]).stdout;
    expect(hello.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
  });

  it("fsck: clean exits 0; a corrupted copy lists its problems and exits 1", () => {
    const clean = ringside(["image", "fsck", img]);
    expect([clean.code, clean.stdout]).toEqual([0, "clean\n"]);
    const bad = path.join(tmp, "bad.img");
    const bytes = new Uint8Array(readFileSync(img));
    setBit(bytes, 2000);
    writeFileSync(bad, bytes);
    const dirty = ringside(["image", "fsck", bad]);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toBe(`block 2000: marked in use but nothing uses it\n${bad}: 1 problem\n`);
    bytes[1] = 0;
    writeFileSync(bad, bytes);
    const magic = ringside(["image", "fsck", bad]); // not an RSFS image at all, as ls and boot say: exit 2
    expect([magic.code, magic.stdout, magic.stderr]).toEqual([2, "", `ringside image fsck: ${bad}: not an RSFS v1 image (it does not start with "RSFS")\n`]);
  });

  it("errors are one `ringside image <command>:` line with exit code 2, never a stack trace", () => {
    const text = path.join(tmp, "text.img");
    writeFileSync(text, "not an image\n".repeat(1000));
    writeFileSync(path.join(tmp, "odd.txt"), "x".repeat(546));
    const cases: [string[], RegExp][] = [
      [["image", "ls", text], /^ringside image ls: .*text\.img: not an RSFS v1 image: superblock: bad magic/],
      [["image", "ls", path.join(tmp, "missing.img")], /^ringside image ls: cannot read .*missing\.img: no such file$/],
      [["image", "ls", img, "/nope"], /^ringside image ls: .*: \/nope: no such file or directory$/],
      [["image", "cat", img, "/boot"], /^ringside image cat: .*: \/boot: is a directory$/],
      [["image", "cat", img, "/home/readme.txt/"], /^ringside image cat: .*: \/home\/readme\.txt\/: not a directory$/],
      [["image", "ls", img, "/home/readme.txt/"], /^ringside image ls: .*: \/home\/readme\.txt\/: not a directory$/],
      [["image", "cat", img, `/${"x".repeat(40)}`], /longer than 27/],
      [["image", "fsck", path.join(tmp, "missing.img")], /^ringside image fsck: cannot read .*: no such file$/],
      [["image", "fsck", path.join(tmp, "odd.txt")], /^ringside image fsck: .*odd\.txt: not a disk image \(size 546 is not a positive multiple of 512\)$/],
      [["image", "build", "-o", path.join(tmp, "o.img"), "--add", path.join(tmp, "nothere")], /^ringside image build: cannot read .*nothere: no such file$/],
      [["image", "build", "-o", path.join(tmp, "o.img"), "--size", "0"], /^ringside image build: --size must be/],
    ];
    for (const [args, message] of cases) {
      const r = ringside(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(" ")).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it.skipIf(solutionCut("ipc"))("after the guest's file server writes, fsck is clean and the disk matches the library doing the same", () => {
    const disk = path.join(tmp, "guest.img");
    expect(ringside(["image", "build", "-o", disk]).code).toBe(0);
    const expected = Rsfs.open(new Uint8Array(readFileSync(disk)));
    const script = "write /home/a.txt hello there\nwrite /home/b.txt second file\nrm /home/a.txt\nwrite /c.txt third\nwrite /home/b.txt replaced\nexit\n";
    const boot = ringside(["boot", disk, "--input", script]);
    expect(boot.code).toBe(0);
    expect(ringside(["image", "fsck", disk]).stdout).toBe("clean\n");
    expected.writeFile("/home/a.txt", enc("hello there\n"));
    expected.writeFile("/home/b.txt", enc("second file\n"));
    expected.unlink("/home/a.txt");
    expected.writeFile("/c.txt", enc("third\n"));
    expected.writeFile("/home/b.txt", enc("replaced\n"));
    expect(same(new Uint8Array(readFileSync(disk)), expected.bytes)).toBe(true);
  });

  it("build --size makes a bigger image with the same contents", () => {
    const big = path.join(tmp, "big.img");
    const r = ringside(["image", "build", "-o", big, "--size", "16"]);
    expect(r.code).toBe(0);
    expect(statSync(big).size).toBe(16 * 1024 * 1024);
    expect(ringside(["image", "fsck", big]).stdout).toBe("clean\n");
    expect(ringside(["image", "ls", big, "/bin"]).stdout).toBe(ringside(["image", "ls", img, "/bin"]).stdout);
  });
});
