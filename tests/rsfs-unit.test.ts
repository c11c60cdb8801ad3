// The RSFS library (kernel/fs) over block devices, booting no machine: a memory image used in place
// (MemoryBlockDevice) and a plain device reached only through whole-sector reads and writes (what
// the in-kernel disk driver provides). Both must give byte-identical images for the same operations.
import { describe, expect, it } from "vitest";
import {
  BLOCK_SIZE, DeviceError, ImageError, MAX_FILE_SIZE, NoSpaceError, Rsfs, TYPE_DIR, TYPE_FILE,
} from "../kernel/fs/rsfs.ts";
import { SectorDevice } from "./helpers/sector-device.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Deterministic bytes that differ with the seed. */
const noise = (n: number, seed = 7): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed + (i >> 8) + seed) & 0xff);

/** A fresh 256 KiB, 64-inode file system on each kind of device; `bytes` is its disk. */
const kinds = {
  memory: () => {
    const fs = Rsfs.format(64 * BLOCK_SIZE, 64);
    return { fs, bytes: fs.bytes };
  },
  sectors: () => {
    const bytes = new Uint8Array(64 * BLOCK_SIZE);
    return { fs: Rsfs.mkfs(new SectorDevice(bytes), 64), bytes };
  },
};

/** The same sequence of edits, on any file system. */
function script(fs: Rsfs): void {
  fs.writeFile("/etc/motd", enc("hello\n"));
  fs.writeFile("/home/big", noise(14 * BLOCK_SIZE + 100)); // 12 direct, the indirect block, 3 more
  fs.mkdir("/tmp/a/b");
  fs.writeFile("/tmp/a/x", noise(5000, 3));
  fs.unlink("/etc/motd");
  fs.writeFile("/etc/issue", enc("ringside"));
  fs.writeFile("/home/big", noise(100, 9)); // replaced: its blocks are freed first
  fs.unlink("/tmp/a/b");
}

describe.each(Object.entries(kinds))("RSFS over a %s device", (_kind, make) => {
  it("creates, reads back, lists in slot order, stats and unlinks; fsck stays clean", () => {
    const { fs } = make();
    script(fs);
    expect(fs.readFile("/home/big")).toEqual(noise(100, 9));
    expect(fs.readFile("/tmp/a/x")).toEqual(noise(5000, 3));
    expect(fs.readFile("/etc/issue")).toEqual(enc("ringside"));
    expect(fs.list("/").map((e) => e.name)).toEqual(["etc", "home", "tmp"]);
    expect(fs.list("/etc").map((e) => `${e.name}:${e.type}`)).toEqual(["issue:file"]); // took motd's slot
    expect(fs.list("/tmp/a").map((e) => e.name)).toEqual(["x"]);
    expect(fs.stat("/tmp/a")).toMatchObject({ type: "dir", size: 64 });
    expect(fs.stat("/etc/motd")).toBeUndefined();
    expect(() => fs.readFile("/tmp")).toThrow(/is a directory/);
    expect(() => fs.unlink("/tmp/a")).toThrow(/not empty/);
    expect(() => fs.list("/etc/issue")).toThrow(/not a directory/);
    expect(fs.fsck()).toEqual([]);
  });

  it("allocates first fit: a freed block and the lowest inode are reused", () => {
    const { fs } = make();
    const start = fs.superblock.dataStart;
    fs.writeFile("/a", enc("a")); // inode 2, block start (the root's block) + 1
    fs.writeFile("/b", enc("b"));
    expect([fs.stat("/a")!.ino, fs.stat("/b")!.ino]).toEqual([2, 3]);
    const root = fs.readInode(1);
    expect(root.direct(0)).toBe(start);
    expect(fs.readInode(2).direct(0)).toBe(start + 1);
    fs.unlink("/a");
    fs.writeFile("/c", enc("c"));
    expect(fs.stat("/c")!.ino).toBe(2);
    expect(fs.readInode(2).direct(0)).toBe(start + 1);
  });

  it("writeAt fills holes, patches inside blocks and grows; readAt reads holes as zeros", () => {
    const { fs } = make();
    fs.writeFile("/f", new Uint8Array(0));
    const f = fs.readInode(fs.stat("/f")!.ino);
    expect(fs.writeAt(f, 3 * BLOCK_SIZE + 10, enc("tail"))).toBe(4);
    expect(fs.writeAt(f, 700, noise(1000))).toBe(1000); // a new block, written whole
    expect(fs.writeAt(f, 1000, enc("xy"))).toBe(2); // inside an old block: read, patch, write
    const back = new Uint8Array(f.size);
    expect(fs.readAt(f, 0, back)).toBe(3 * BLOCK_SIZE + 14);
    const want = new Uint8Array(3 * BLOCK_SIZE + 14);
    want.set(noise(1000), 700);
    want.set(enc("xy"), 1000);
    want.set(enc("tail"), 3 * BLOCK_SIZE + 10);
    expect(same(back, want)).toBe(true);
    expect(fs.readAt(f, f.size, back)).toBe(0);
    expect(fs.readFile("/f")).toEqual(want);
    expect(fs.fsck()).toEqual([]);
  });

  it("a full disk: writeFile fails with NoSpaceError and leaves the image as it was; writeAt writes short", () => {
    const { fs, bytes } = make();
    const free = fs.statfs().freeBlocks;
    fs.writeFile("/keep", enc("k"));
    const before = bytes.slice();
    expect(() => fs.writeFile("/huge", new Uint8Array(free * BLOCK_SIZE))).toThrow(NoSpaceError);
    expect(same(bytes, before)).toBe(true);
    const f = fs.readInode(fs.stat("/keep")!.ino);
    const left = fs.statfs().freeBlocks; // all but /keep's block and the root's
    expect(fs.writeAt(f, 0, new Uint8Array((left + 2) * BLOCK_SIZE).fill(1))).toBe(left * BLOCK_SIZE); // its own block, then every free one but the indirect block's
    expect(() => fs.writeAt(f, f.size, enc("more"))).toThrow(NoSpaceError);
    expect(fs.statfs().freeBlocks).toBe(0);
    expect(fs.fsck()).toEqual([]);
  });

  it("refuses writes past the largest file and malformed paths", () => {
    const { fs } = make();
    expect(() => fs.writeFile("/x", new Uint8Array(MAX_FILE_SIZE + 1))).toThrow(/larger than the largest/);
    expect(() => fs.writeFile(`/${"n".repeat(28)}`, enc("x"))).toThrow(/longer than 27/);
    expect(() => fs.writeFile("/a/../b", enc("x"))).toThrow(ImageError);
    const f = fs.create(fs.readInode(1), enc("f"), TYPE_FILE);
    expect(() => fs.writeAt(f, MAX_FILE_SIZE, enc("x"))).toThrow(NoSpaceError);
    expect(fs.readInode(1).type).toBe(TYPE_DIR);
  });
});

describe("RSFS: one implementation, any device", () => {
  it("the same operations give byte-identical images in memory and through whole sectors", () => {
    const a = kinds.memory();
    const b = kinds.sectors();
    script(a.fs);
    script(b.fs);
    expect(same(a.bytes, b.bytes)).toBe(true);
    expect(Rsfs.check(b.bytes)).toEqual([]);
  });

  it("mounts a plain device strictly, or as the file server does", () => {
    const { fs, bytes } = kinds.memory();
    fs.writeFile("/x", enc("x"));
    const dev = new SectorDevice(bytes);
    expect(new TextDecoder().decode(Rsfs.mount(dev).readFile("/x"))).toBe("x");
    const bigger = new Uint8Array(bytes.length + BLOCK_SIZE);
    bigger.set(bytes);
    expect(() => Rsfs.mount(new SectorDevice(bigger))).toThrow(/total_blocks 64, but the image holds 65 blocks/);
    expect(Rsfs.mount(new SectorDevice(bigger), "server").readFile("/x")).toEqual(enc("x"));
    expect(() => Rsfs.mount(new SectorDevice(bytes.subarray(0, 32 * BLOCK_SIZE)), "server")).toThrow(ImageError);
  });

  it("caches metadata: a second read of a file costs only its data sectors; writes go through at once", () => {
    const { bytes } = kinds.memory();
    const dev = new SectorDevice(bytes);
    const fs = Rsfs.mount(dev);
    fs.writeFile("/d/f", enc("0123456789"));
    expect(Rsfs.check(bytes)).toEqual([]); // on the device already
    fs.readFile("/d/f");
    const reads = dev.reads;
    fs.readFile("/d/f");
    expect(dev.reads - reads).toBe(1);
  });

  it("a failing device is a DeviceError", () => {
    const { bytes } = kinds.memory();
    const dev = new SectorDevice(bytes);
    const fs = Rsfs.mount(dev);
    dev.failing = true;
    expect(() => fs.writeFile("/x", enc("x"))).toThrow(DeviceError);
    dev.failing = false;
    fs.forgetCache();
    fs.writeFile("/x", enc("x"));
    expect(fs.fsck()).toEqual([]);
  });
});
