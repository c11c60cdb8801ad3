// The per-process descriptor table (kernel/files.ts): standard descriptors, lowest free fd, EMFILE,
// close, bad descriptors.
import { describe, expect, it } from "vitest";
import { FileTable, MAX_FDS, type OpenFile } from "../kernel/files.ts";
import { E } from "../kernel/names.ts";

const file = (ino: number): OpenFile => ({ server: "fs", ino, offset: 0, flags: 0, type: 1, size: 0 });

describe("FileTable", () => {
  it("standard(): 0 read-only, 1 and 2 write-only, all on the console; the rest free", () => {
    const t = FileTable.standard();
    expect(t.get(0)).toEqual({ server: "console", ino: 0, offset: 0, flags: 0, type: 0, size: 0 });
    expect(t.get(1)).toEqual({ server: "console", ino: 0, offset: 0, flags: 1, type: 0, size: 0 });
    expect(t.get(2)).toEqual({ server: "console", ino: 0, offset: 0, flags: 1, type: 0, size: 0 });
    expect(t.get(0)).not.toBe(t.get(1)); // separate descriptions: offsets are not shared
    for (let fd = 3; fd < MAX_FDS; fd++) expect(t.get(fd)).toBeUndefined();
    expect(t.fds).toHaveLength(MAX_FDS);
  });

  it("a new table is empty", () => {
    const t = new FileTable();
    expect(t.fds.every((f) => f === null)).toBe(true);
    expect(t.add(file(1))).toBe(0);
  });

  it("add() takes the lowest free descriptor, also after a close below", () => {
    const t = FileTable.standard();
    expect(t.add(file(10))).toBe(3);
    expect(t.add(file(11))).toBe(4);
    expect(t.remove(1)?.server).toBe("console");
    expect(t.add(file(12))).toBe(1);
    expect(t.get(1)?.ino).toBe(12);
    expect(t.add(file(13))).toBe(5);
  });

  it(`fails -EMFILE (${-E.MFILE}) when all ${MAX_FDS} are open, and hasFree() says so`, () => {
    const t = FileTable.standard();
    for (let fd = 3; fd < MAX_FDS; fd++) {
      expect(t.hasFree()).toBe(true);
      expect(t.add(file(fd))).toBe(fd);
    }
    expect(t.hasFree()).toBe(false);
    expect(t.add(file(99))).toBe(-E.MFILE);
    expect(t.add(file(99))).toBe(-24);
    t.remove(7);
    expect(t.hasFree()).toBe(true);
    expect(t.add(file(99))).toBe(7);
  });

  it("remove() returns what was open and frees it; a second remove returns undefined", () => {
    const t = FileTable.standard();
    const f = file(5);
    const fd = t.add(f);
    expect(t.remove(fd)).toBe(f);
    expect(t.get(fd)).toBeUndefined();
    expect(t.fds[fd]).toBeNull();
    expect(t.remove(fd)).toBeUndefined();
  });

  it("bad descriptors (negative, too large, not integers in range) are undefined and change nothing", () => {
    const t = FileTable.standard();
    for (const fd of [-1, -100, 1.5, MAX_FDS, MAX_FDS + 1, 1 << 30]) {
      expect(t.get(fd)).toBeUndefined();
      expect(t.remove(fd)).toBeUndefined();
    }
    expect(t.fds).toHaveLength(MAX_FDS);
    expect(t.fds.filter((f) => f !== null)).toHaveLength(3);
  });
});
