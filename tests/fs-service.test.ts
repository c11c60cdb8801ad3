// The in-kernel file service (kernel/fs/fs-service.ts), booting no machine: every FS_* request and
// error as servers/fs.asm answers it (the same cases tests/fs-server.test.ts drives through the guest),
// and a differential check: the requests on one image and the host library's operations on a copy
// leave byte-identical images.
import { describe, expect, it } from "vitest";
import { E } from "../kernel/abi/errno.ts";
import { FsService } from "../kernel/fs/fs-service.ts";
import { BLOCK_SIZE, MAX_FILE_SIZE, Rsfs } from "../kernel/fs/rsfs.ts";
import { DT, FTYPE, IPC_MAX, MSG, O } from "../kernel/protocol.ts";
import { reply, type BlockDevice, type KernelService, type ServiceEnv } from "../kernel/service.ts";
import { SectorDevice } from "./helpers/sector-device.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A fake "disk" service: only its block device matters to the file service. */
function diskService(device: BlockDevice): KernelService {
  return { name: "disk", irqs: [], blockDevice: device, start() {}, request: () => reply(-E.NOSYS), interrupt() {} };
}

/** A started file service on `bytes` (or with no disk service at all). */
function serve(bytes: Uint8Array | null) {
  const device = bytes ? new SectorDevice(bytes) : null;
  const services = new Map<string, KernelService>();
  if (device) services.set("disk", diskService(device));
  const env: ServiceEnv = {
    ports: { inb: () => 0xff, outb() {}, inw: () => 0xffff, outw() {}, inl: () => -1, outl() {} },
    reply: () => false,
    service: (name) => services.get(name),
    irqAck() {},
    nowMs: () => 0,
  };
  const fs = new FsService();
  fs.start(env);
  /** One request; the reply with its payload copied (and cut to `cap`, as the kernel would). */
  const call = (w0: number, w1 = 0, w2 = 0, payload: Uint8Array | string = new Uint8Array(0), cap = IPC_MAX) => {
    const bytesIn = typeof payload === "string" ? enc(payload + "\0") : payload;
    const r = fs.request({ client: 7, w0, w1, w2, payload: bytesIn, replyCap: cap })!;
    return { w0: r.w0, w1: r.w1, w2: r.w2, data: r.payload ? r.payload.slice(0, cap) : new Uint8Array(0) };
  };
  const open = (path: string, flags = 0) => call(MSG.FS_OPEN, flags, 0, path);
  const write = (ino: number, at: number, data: Uint8Array) => call(MSG.FS_WRITE, ino, at, data);
  const read = (ino: number, at: number) => call(MSG.FS_READ, ino, at);
  const unlink = (path: string, dir = 0) => call(MSG.FS_UNLINK, dir, 0, path).w0;
  const mkdir = (path: string) => call(MSG.FS_MKDIR, 0, 0, path).w0;
  /** linux_dirent records → [name, d_ino, d_off, d_reclen, d_type]. */
  const readdir = (ino: number, from = 0) => {
    const r = call(MSG.FS_READDIR, ino, from);
    const dv = new DataView(r.data.buffer);
    const recs: [string, number, number, number, number][] = [];
    for (let pos = 0; pos < r.data.length; ) {
      const reclen = dv.getUint16(pos + 8, true);
      const name = new TextDecoder().decode(r.data.subarray(pos + 10, r.data.indexOf(0, pos + 10)));
      recs.push([name, dv.getUint32(pos, true), dv.getUint32(pos + 4, true), reclen, r.data[pos + reclen - 1]!]);
      pos += reclen;
    }
    return { ...r, recs };
  };
  return { fs, device, call, open, write, read, unlink, mkdir, readdir };
}

/** A small image: /etc/motd, /home/readme.txt, 256 KiB, 64 inodes. */
function smallImage(bytes = 64 * BLOCK_SIZE, inodes = 64): Uint8Array {
  const fs = Rsfs.format(bytes, inodes);
  fs.writeFile("/etc/motd", enc("Welcome\n"));
  fs.writeFile("/home/readme.txt", enc("read me\n"));
  return fs.bytes;
}

describe("the in-kernel fs service: requests", () => {
  it("opens, creates, writes across blocks, reads back (holes as zeros), truncates, closes", () => {
    const s = serve(smallImage());
    expect(s.fs.name).toBe("fs");
    expect(s.fs.mounted).toBe(true);
    const motd = s.open("/etc/motd");
    expect([motd.w1, motd.w2]).toEqual([8, FTYPE.FILE]);
    expect(s.read(motd.w0, 0)).toMatchObject({ w0: 8, w1: 8, w2: 0, data: enc("Welcome\n") });
    expect(s.read(motd.w0, 8).w0).toBe(0);
    expect(s.read(motd.w0, 0xfffffff0).w0).toBe(0);
    // inodes: 1 /, 2 etc, 3 motd, 4 home, 5 readme → /f1 is 6
    expect(s.open("/f1", O.CREAT | O.RDWR)).toEqual({ w0: 6, w1: 0, w2: FTYPE.FILE, data: new Uint8Array(0) });
    expect(s.write(6, 0, enc("hello, world\n"))).toMatchObject({ w0: 13, w1: 13, w2: 0 });
    expect(s.open("/f1", O.CREAT | O.EXCL).w0).toBe(-E.EXIST);
    expect(s.open("/f1", O.CREAT)).toMatchObject({ w0: 6, w1: 13 });
    // 4000 bytes, then 200 more: across a block boundary
    expect(s.write(6, 13, new Uint8Array(3987).fill(0x61)).w0).toBe(3987);
    expect(s.write(6, 4000, new Uint8Array(200).fill(0x62))).toMatchObject({ w0: 200, w1: 4200 });
    const r = s.read(6, 3990);
    expect(r.w0).toBe(210);
    expect([r.data[9], r.data[10], r.data[209]]).toEqual([0x61, 0x62, 0x62]);
    expect(s.read(6, 0).w0).toBe(IPC_MAX); // up to IPC_MAX, whatever the capacity
    expect(s.call(MSG.FS_READ, 6, 0, new Uint8Array(0), 16)).toMatchObject({ w0: IPC_MAX, data: enc("hello, world\naaa") });
    // a hole, an indirect block, the tail
    expect(s.write(6, 200000, enc("Z"))).toMatchObject({ w0: 1, w1: 200001 });
    expect(s.read(6, 100000)).toMatchObject({ w0: IPC_MAX, data: new Uint8Array(IPC_MAX) });
    expect(s.read(6, 199999).data).toEqual(new Uint8Array([0, 0x5a]));
    expect(s.write(6, MAX_FILE_SIZE, enc("x")).w0).toBe(-E.FBIG); // past the largest file (the disk has room)
    expect(s.write(6, MAX_FILE_SIZE - 1, enc("xy"))).toMatchObject({ w0: 1, w1: MAX_FILE_SIZE });
    expect(s.open("/f1", O.TRUNC | O.WRONLY)).toMatchObject({ w0: 6, w1: 0 });
    expect(s.write(6, 0, new Uint8Array(0))).toMatchObject({ w0: 0, w1: 0 });
    expect(s.call(MSG.FS_CLOSE, 6).w0).toBe(0);
  });

  it("lists directories as linux_dirent records with d_off continuations; removed slots are reused", () => {
    const s = serve(smallImage(64 * BLOCK_SIZE, 256));
    expect(s.mkdir("/d")).toBe(0);
    for (const n of ["x", "y"]) expect(s.open(`/d/${n}`, O.CREAT).w0).toBeGreaterThan(0);
    expect(s.mkdir("/d/sub")).toBe(0);
    const d = s.open("/d");
    expect([d.w1, d.w2]).toEqual([96, FTYPE.DIR]);
    const all = s.readdir(d.w0);
    expect([all.w0, all.w1]).toEqual([48, 3]);
    expect(all.recs.map(([n, , off, len, t]) => [n, off, len, t])).toEqual([["x", 1, 16, DT.REG], ["y", 2, 16, DT.REG], ["sub", 3, 16, DT.DIR]]);
    expect(s.readdir(d.w0, 3)).toMatchObject({ w0: 0, w1: 3 });
    expect(s.readdir(d.w0, 77)).toMatchObject({ w0: 0, w1: 77 });
    expect(s.unlink("/d/x")).toBe(0);
    expect(s.readdir(d.w0, 0).recs.map((r) => r[0])).toEqual(["y", "sub"]);
    expect(s.open("/d/z", O.CREAT).w0).toBeGreaterThan(0);
    expect(s.readdir(d.w0, 0).recs.map((r) => [r[0], r[2]])).toEqual([["z", 1], ["y", 2], ["sub", 3]]);
    // more than IPC_MAX of records: whole records, then w1 = where to continue
    for (let i = 0; i < 150; i++) expect(s.open(`/d/${"n".repeat(20)}${i}`, O.CREAT).w0, `${i}`).toBeGreaterThan(0);
    const first = s.readdir(d.w0, 0);
    expect(first.w0).toBeLessThanOrEqual(IPC_MAX);
    expect(first.recs.at(-1)![2]).toBe(first.w1);
    const rest = s.readdir(d.w0, first.w1);
    expect(first.recs.length + rest.recs.length).toBe(153);
    expect(rest.w1).toBe(153);
    expect(rest.recs[0]![0]).toBe(`${"n".repeat(20)}${first.w1 - 3}`);
  });

  it("answers every error as fs.asm does", () => {
    const s = serve(smallImage());
    const f1 = s.open("/f1", O.CREAT | O.RDWR).w0;
    expect(s.mkdir("/d")).toBe(0);
    expect(s.open("/d/f", O.CREAT).w0).toBeGreaterThan(0);
    const cases: [string, number, number][] = [
      ["open /nope", s.open("/nope").w0, -E.NOENT],
      ["open /nope/x O_CREAT", s.open("/nope/x", O.CREAT).w0, -E.NOENT],
      ["open '' ", s.call(MSG.FS_OPEN, 0, 0, new Uint8Array([0])).w0, -E.NOENT],
      ["open no payload", s.call(MSG.FS_OPEN).w0, -E.NOENT],
      ["open /new O_CREAT|O_DIRECTORY", s.open("/new", O.CREAT | O.DIRECTORY).w0, -E.NOENT],
      ["mkdir /d again", s.mkdir("/d"), -E.EXIST],
      ["mkdir /f1", s.mkdir("/f1"), -E.EXIST],
      ["mkdir /", s.mkdir("/"), -E.EXIST],
      ["open /d O_CREAT|O_EXCL", s.open("/d", O.CREAT | O.EXCL).w0, -E.EXIST],
      ["open / O_CREAT|O_EXCL", s.open("/", O.CREAT | O.EXCL).w0, -E.EXIST],
      ["rmdir /d (not empty)", s.unlink("/d", 1), -E.NOTEMPTY],
      ["open /d O_WRONLY", s.open("/d", O.WRONLY).w0, -E.ISDIR],
      ["open /d O_TRUNC", s.open("/d", O.TRUNC).w0, -E.ISDIR],
      ["open /d O_CREAT", s.open("/d", O.CREAT).w0, -E.ISDIR],
      ["unlink /d", s.unlink("/d"), -E.ISDIR],
      ["unlink /", s.unlink("/"), -E.BUSY],
      ["rmdir /", s.unlink("//", 1), -E.BUSY],
      ["open /f1/x", s.open("/f1/x").w0, -E.NOTDIR],
      ["rmdir /f1", s.unlink("/f1", 1), -E.NOTDIR],
      ["open /f1 O_DIRECTORY", s.open("/f1", O.DIRECTORY).w0, -E.NOTDIR],
      ["open /f1/", s.open("/f1/").w0, -E.NOTDIR],
      ["unlink /f1/", s.unlink("/f1/"), -E.NOTDIR],
      ["open /new/ O_CREAT", s.open("/new/", O.CREAT).w0, -E.ISDIR],
      ["open a 28-byte name", s.open(`/${"a".repeat(28)}`, O.CREAT).w0, -E.NAMETOOLONG],
      ["a 28-byte directory on the way", s.open(`/${"a".repeat(28)}/x`).w0, -E.NAMETOOLONG],
      ["a missing directory first", s.open(`/nope/${"a".repeat(28)}`).w0, -E.NOENT],
      ["read a directory", s.read(s.open("/d").w0, 0).w0, -E.ISDIR],
      ["write a directory", s.write(1, 0, enc("x")).w0, -E.ISDIR],
      ["read inode 0", s.read(0, 0).w0, -E.BADF],
      ["read a free inode", s.read(60, 0).w0, -E.BADF],
      ["read past the inode table", s.read(64, 0).w0, -E.BADF],
      ["write inode -1", s.write(0xffffffff, 0, enc("x")).w0, -E.BADF],
      ["readdir a file", s.call(MSG.FS_READDIR, f1).w0, -E.NOTDIR],
      ["readdir a free inode", s.call(MSG.FS_READDIR, 60).w0, -E.BADF],
      ["unknown request", s.call(MSG.FS_READDIR + 1).w0, -E.NOSYS],
      ["a disk request", s.call(MSG.DISK_READ).w0, -E.NOSYS],
    ];
    expect(cases.filter(([, got, want]) => got !== want)).toEqual([]);
    // the ones that succeed on odd paths
    expect(s.open(`/${"b".repeat(27)}`, O.CREAT).w0).toBeGreaterThan(0);
    expect(s.unlink(`/${"b".repeat(27)}`)).toBe(0);
    expect(s.mkdir("/d2/")).toBe(0);
    expect(s.unlink("///d2//", 1)).toBe(0);
    expect(s.open("d/f").w2).toBe(FTYPE.FILE); // relative = from /
    expect(s.open("/").w0).toBe(1);
    expect(s.call(MSG.FS_CLOSE, 12345).w0).toBe(0);
  });

  it("runs out of blocks and inodes: short writes, -ENOSPC, a new indirect block taken back", () => {
    const bytes = smallImage(32 * BLOCK_SIZE, 64); // data_start 3
    const s = serve(bytes);
    const a = s.open("/a", O.CREAT).w0;
    expect(s.write(a, 0, new Uint8Array(12 * BLOCK_SIZE).fill(0x78).subarray(0, IPC_MAX)).w0).toBe(IPC_MAX);
    for (let i = 1; i < 12; i++) expect(s.write(a, i * BLOCK_SIZE, new Uint8Array(BLOCK_SIZE).fill(0x78)).w0).toBe(BLOCK_SIZE);
    const lib = Rsfs.open(bytes);
    const free = lib.statfs().freeBlocks;
    const fill = s.open("/fill", O.CREAT).w0;
    for (let i = 0; i < free; i++) s.write(fill, i * BLOCK_SIZE, new Uint8Array(BLOCK_SIZE).fill(1));
    expect(lib.statfs().freeBlocks).toBe(0);
    expect(s.write(fill, 99 * BLOCK_SIZE, enc("x")).w0).toBe(-E.NOSPC);
    // one block free: /a's block 12 needs it and the indirect block too — the indirect is taken back
    const fillSize = s.open("/fill").w1;
    expect(s.open("/fill", O.TRUNC).w1).toBe(0);
    for (let i = 0; i < free - 1; i++) s.write(fill, i * BLOCK_SIZE, new Uint8Array(BLOCK_SIZE).fill(1));
    expect(fillSize).toBe(free * BLOCK_SIZE);
    const before = bytes.slice();
    expect(s.write(a, 12 * BLOCK_SIZE, enc("x")).w0).toBe(-E.NOSPC);
    expect(lib.statfs().freeBlocks).toBe(1);
    // the bitmap and the inodes are as before
    const meta = lib.superblock.dataStart * BLOCK_SIZE;
    expect(same(bytes.subarray(0, meta), before.subarray(0, meta))).toBe(true);
    expect(s.write(a, 11 * BLOCK_SIZE + 2048, new Uint8Array(4096).fill(0x79))).toMatchObject({ w0: 2048, w1: 12 * BLOCK_SIZE });
    expect(lib.fsck()).toEqual([]);
    // inodes: 63 usable, 7 in use (/, etc, motd, home, readme, a, fill)
    let made = 0;
    while (s.open(`/i${made}`, O.CREAT).w0 > 0) made++;
    expect(s.open("/one-more", O.CREAT).w0).toBe(-E.NOSPC);
    expect(made).toBe(63 - 7);
    expect(lib.fsck()).toEqual([]);
  });

  it("answers -EIO with no disk, after a device error (then mounts again), and for a damaged image", () => {
    const none = serve(null);
    expect(none.fs.mounted).toBe(false);
    for (const w0 of [MSG.FS_OPEN, MSG.FS_READ, MSG.FS_WRITE, MSG.FS_CLOSE, MSG.FS_UNLINK, MSG.FS_MKDIR, MSG.FS_READDIR]) {
      expect(none.call(w0, 1, 0, "/etc/motd").w0, `${w0}`).toBe(-E.IO);
    }
    expect(none.call(99).w0).toBe(-E.NOSYS);
    const bytes = smallImage();
    const s = serve(bytes);
    const motd = s.open("/etc/motd").w0;
    s.device!.failing = true;
    const before = bytes.slice();
    expect(s.read(motd, 0).w0).toBe(-E.IO);
    expect(s.open("/new", O.CREAT).w0).toBe(-E.IO);
    expect(s.mkdir("/newdir")).toBe(-E.IO);
    expect(s.call(MSG.FS_CLOSE, motd).w0).toBe(-E.IO);
    expect(same(bytes, before)).toBe(true);
    s.device!.failing = false;
    expect(s.read(motd, 0).data).toEqual(enc("Welcome\n"));
    // not RSFS: every request -EIO
    expect(serve(new Uint8Array(64 * BLOCK_SIZE)).open("/").w0).toBe(-E.IO);
    // an entry naming an inode past the table: -EIO
    const lib = Rsfs.open(bytes);
    const etc = lib.readInode(2);
    new DataView(bytes.buffer).setUint32(etc.direct(0) * BLOCK_SIZE, 999, true);
    expect(serve(bytes).open("/etc/motd/x").w0).toBe(-E.IO);
  });
});

describe("the in-kernel fs service against the host library", () => {
  it("the same operations leave byte-identical images", () => {
    const base = smallImage(256 * BLOCK_SIZE, 256);
    const viaService = base.slice();
    const host = Rsfs.open(base.slice());
    const s = serve(viaService);
    const noise = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed + (i >> 8)) & 0xff);
    /** The service's way of writeFile: create or truncate, then IPC_MAX-sized writes. */
    const writeFile = (path: string, data: Uint8Array): void => {
      const ino = s.open(path, O.CREAT | O.TRUNC | O.WRONLY).w0;
      expect(ino, path).toBeGreaterThan(0);
      for (let at = 0; at < data.length; at += IPC_MAX) expect(s.write(ino, at, data.subarray(at, at + IPC_MAX)).w0).toBe(Math.min(IPC_MAX, data.length - at));
      host.writeFile(path, data);
    };
    const mkdir = (path: string): void => {
      expect(s.mkdir(path)).toBe(0);
      host.mkdir(path);
    };
    const unlink = (path: string, dir = false): void => {
      expect(s.unlink(path, dir ? 1 : 0)).toBe(0);
      host.unlink(path);
    };
    writeFile("/f1", enc("hello, world\n"));
    writeFile("/f2", noise(4200, 3));
    writeFile("/big", noise(200001, 5));
    unlink("/big");
    mkdir("/d");
    writeFile("/d/x", new Uint8Array(0));
    writeFile("/d/y", noise(10, 7));
    mkdir("/d/sub");
    unlink("/d/x");
    writeFile("/d/z", noise(70000, 11));
    writeFile(`/${"b".repeat(27)}`, new Uint8Array(0));
    unlink(`/${"b".repeat(27)}`);
    mkdir("/d2");
    unlink("/d2", true);
    unlink("/d/sub", true);
    writeFile("/f1", enc("new\n"));
    writeFile("/home/readme.txt", noise(60000, 13));
    for (let i = 0; i < 140; i++) writeFile(`/d/many${i}`, noise(i, i + 1)); // the directory grows a second block
    for (let i = 0; i < 140; i += 3) unlink(`/d/many${i}`);
    writeFile("/d/late", noise(9000, 17));
    expect(same(viaService, host.bytes)).toBe(true);
    expect(Rsfs.check(viaService)).toEqual([]);
  });
});
