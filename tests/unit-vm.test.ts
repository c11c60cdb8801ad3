// Address spaces on a plain buffer (no v86): the kernel page table, mapping, translation as ring 3
// sees it, protection, copies across pages, string reads, and destroy returning every frame.
import { describe, expect, it } from "vitest";
import { MEM } from "../kernel/layout.ts";
import { AddressSpace, OutOfMemory, PTE, buildKernelPageTable } from "../kernel/vm.ts";
import { FrameAllocator } from "../kernel/frames.ts";
import { FakeWorld, PAGE, PlainMemory } from "./helpers/fake-kernel.ts";

const U = MEM.userBase;

describe("buildKernelPageTable", () => {
  it("identity-maps the kernel region supervisor-only and global, except page 0", () => {
    const w = new FakeWorld();
    const pt = w.kernelPt;
    expect(pt).toBe(MEM.kernelEnd); // the first frame
    expect(w.mem.read32(pt)).toBe(0);
    expect(w.mem.read32(pt + 4)).toBe(PAGE | PTE.P | PTE.W | PTE.G);
    expect(w.mem.read32(pt + 0x110 * 4)).toBe(MEM.switchBlock | PTE.P | PTE.W | PTE.G);
    expect(w.mem.read32(pt + 1023 * 4)).toBe((1023 * PAGE) | PTE.P | PTE.W | PTE.G);
    for (let i = 0; i < 1024; i++) expect(w.mem.read32(pt + i * 4) & PTE.U).toBe(0);
  });

  it("throws when no frame is left", () => {
    const mem = new PlainMemory(MEM.kernelEnd);
    expect(() => buildKernelPageTable(mem, new FrameAllocator(mem))).toThrow(/out of memory/);
  });
});

describe("AddressSpace", () => {
  it("its directory maps the first 4 MiB to the kernel page table, not user-accessible", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    expect(w.mem.read32(as.pd)).toBe(w.kernelPt | PTE.P | PTE.W);
    for (let i = 1; i < 1024; i++) expect(w.mem.read32(as.pd + i * 4)).toBe(0);
    // Kernel addresses exist in the tables but ring 3 cannot reach them, and nothing maps them as user pages.
    for (const va of [0, PAGE, MEM.switchBlock, MEM.kernelEnd - 1]) {
      expect(as.translate(va, false)).toBe(-1);
      expect(as.isMapped(va)).toBe(false);
      expect(as.mapNew(va, true)).toBe(-1);
    }
    expect(as.mapNew(MEM.userTop, true)).toBe(-1);
    expect(as.translate(MEM.userTop, false)).toBe(-1);
    expect(as.pageCount).toBe(0);
  });

  it("mapNew maps a zeroed user page; translate gives its physical address; a page is mapped once", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    const before = w.frames.freeCount;
    const pa = as.mapNew(U + 0x5000, true);
    expect(pa).toBeGreaterThanOrEqual(MEM.kernelEnd);
    expect(w.frames.freeCount).toBe(before - 2); // the page and its page table
    expect(as.pageCount).toBe(1);
    expect(as.isMapped(U + 0x5000)).toBe(true);
    expect(as.isMapped(U + 0x5fff)).toBe(true);
    expect(as.isMapped(U + 0x6000)).toBe(false);
    expect(as.translate(U + 0x5123, false)).toBe(pa + 0x123);
    expect(as.translate(U + 0x5123, true)).toBe(pa + 0x123);
    expect(as.mapNew(U + 0x5000, true)).toBe(-1);
    expect(as.pageCount).toBe(1);
    // The page table entry and directory entry are user-accessible.
    const pde = w.mem.read32(as.pd + (U >>> 22) * 4);
    expect(pde & (PTE.P | PTE.W | PTE.U)).toBe(PTE.P | PTE.W | PTE.U);
    expect(w.mem.read32((pde & ~0xfff) + 5 * 4)).toBe(pa | PTE.P | PTE.U | PTE.W);
    // A second page in the same 4 MiB reuses the page table.
    as.mapNew(U + 0x7000, false);
    expect(w.frames.freeCount).toBe(before - 3);
  });

  it("a read-only page translates for reading only; protect() flips the writable bit", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    const pa = as.mapNew(U, false);
    expect(as.translate(U + 8, false)).toBe(pa + 8);
    expect(as.translate(U + 8, true)).toBe(-1);
    as.protect(U, true);
    expect(as.translate(U + 8, true)).toBe(pa + 8);
    as.protect(U, false);
    expect(as.translate(U + 8, true)).toBe(-1);
    expect(as.isMapped(U)).toBe(true);
    as.protect(U + PAGE, true); // unmapped: nothing happens
    expect(as.isMapped(U + PAGE)).toBe(false);
  });

  it("unmap frees the frame and the page is gone; unmapping twice is harmless", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    as.mapNew(U, true);
    const free = w.frames.freeCount;
    as.unmap(U);
    expect(w.frames.freeCount).toBe(free + 1);
    expect(as.isMapped(U)).toBe(false);
    expect(as.translate(U, false)).toBe(-1);
    expect(as.pageCount).toBe(0);
    as.unmap(U);
    as.unmap(U + 100 * PAGE * 1024); // no page table there
    expect(w.frames.freeCount).toBe(free + 1);
    expect(as.pageCount).toBe(0);
  });

  it("copyIn/copyOut cross page boundaries between non-adjacent frames", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    const other = w.addressSpace();
    const pa0 = as.mapNew(U, true);
    const opa = other.mapNew(U, true); // takes frames after pa0, so the two pages of `as` are not adjacent
    const pa1 = as.mapNew(U + PAGE, true);
    expect(pa1).not.toBe(pa0 + PAGE);
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff);
    const va = U + PAGE - 100;
    expect(as.copyOut(va, data)).toBe(true);
    expect(Array.from(w.mem.mem8.subarray(pa0 + PAGE - 100, pa0 + PAGE))).toEqual(Array.from(data.subarray(0, 100)));
    expect(Array.from(w.mem.mem8.subarray(pa1, pa1 + 200))).toEqual(Array.from(data.subarray(100)));
    const back = new Uint8Array(300);
    expect(as.copyIn(va, 300, back)).toBe(true);
    expect(back).toEqual(data);
    expect(opa).toBeGreaterThan(pa0);
    expect(opa).toBeLessThan(pa1);
    expect(w.mem.mem8.subarray(opa, opa + PAGE).every((b) => b === 0)).toBe(true); // the other space is untouched
  });

  it("copyIn fails when a byte is unmapped; copyOut fails on a read-only page", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    as.mapNew(U, true);
    as.mapNew(U + PAGE, false);
    const out = new Uint8Array(16);
    expect(as.copyIn(U + 2 * PAGE - 8, 16, out)).toBe(false); // runs into the unmapped third page
    expect(as.copyIn(U + PAGE, 16, out)).toBe(true); // reading a read-only page is fine
    expect(as.copyOut(U + PAGE, new Uint8Array([1]))).toBe(false);
    expect(as.copyOut(U + MEM.userTop, new Uint8Array([1]))).toBe(false);
    expect(as.copyOut(U, new Uint8Array(0))).toBe(true);
    expect(as.copyIn(U - 4, 4, out)).toBe(false); // the last kernel bytes
  });

  it("readable() checks every page of a range without copying", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    as.mapNew(U, false);
    as.mapNew(U + PAGE, true);
    expect(as.readable(U, 2 * PAGE)).toBe(true);
    expect(as.readable(U + 10, 2 * PAGE - 10)).toBe(true);
    expect(as.readable(U + 10, 2 * PAGE - 9)).toBe(false);
    expect(as.readable(U - 1, 2)).toBe(false);
    expect(as.readable(0, 0)).toBe(true);
    expect(as.readable(MEM.userTop - 4, 8)).toBe(false);
  });

  it("readWord/writeWord, aligned and straddling two pages", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    as.mapNew(U, true);
    as.mapNew(U + PAGE, true);
    expect(as.writeWord(U + 8, 0xdeadbeef)).toBe(true);
    expect(as.readWord(U + 8)).toBe(0xdeadbeef);
    expect(as.writeWord(U + PAGE - 2, 0x11223344)).toBe(true);
    expect(as.readWord(U + PAGE - 2)).toBe(0x11223344);
    expect(as.readWord(U + 2 * PAGE - 2)).toBeUndefined();
    expect(as.readWord(U + 2 * PAGE)).toBeUndefined();
    expect(as.writeWord(U + 2 * PAGE - 2, 1)).toBe(false);
  });

  it("readString: up to `max` bytes before the NUL, across pages; null if longer or unreadable", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    as.mapNew(U, true);
    as.mapNew(U + PAGE, true);
    const put = (va: number, s: string) => as.copyOut(va, new TextEncoder().encode(s + "\0"));
    put(U, "hello");
    expect(as.readString(U, 5)).toBe("hello");
    expect(as.readString(U, 4)).toBeNull(); // 5 bytes before the NUL: too long
    expect(as.readString(U, 100)).toBe("hello");
    expect(as.readString(U + 5, 0)).toBe("");
    put(U + PAGE - 3, "abcdef"); // crosses into the second page
    expect(as.readString(U + PAGE - 3, 6)).toBe("abcdef");
    as.copyOut(U + 2 * PAGE - 4, new Uint8Array([0x41, 0x42, 0x43, 0x44])); // no NUL before the unmapped page
    expect(as.readString(U + 2 * PAGE - 4, 100)).toBeNull();
    expect(as.readString(U - 8, 100)).toBeNull();
    put(U + 100, "héllo");
    expect(as.readString(U + 100, 6)).toBe("héllo"); // UTF-8: 6 bytes
  });

  it("poke writes read-only pages (the loader's view) through writeCode, across pages", () => {
    const w = new FakeWorld();
    const as = w.addressSpace();
    const pa0 = as.mapNew(U, false);
    const pa1 = as.mapNew(U + PAGE, false);
    const code = Uint8Array.from({ length: 20 }, (_, i) => 0x90 + i);
    expect(as.poke(U + PAGE - 12, code)).toBe(true);
    expect(w.mem.codeWrites).toEqual([[pa0 + PAGE - 12, 12], [pa1, 8]]);
    const back = new Uint8Array(20);
    as.copyIn(U + PAGE - 12, 20, back);
    expect(back).toEqual(code);
    expect(as.poke(U + 2 * PAGE - 1, new Uint8Array(2))).toBe(false);
    expect(as.poke(U + 5 * PAGE * 1024, new Uint8Array(1))).toBe(false);
  });

  it("destroy returns every frame: pages, page tables and the directory", () => {
    const w = new FakeWorld();
    const start = w.frames.freeCount;
    const as = w.addressSpace();
    for (const va of [U, U + PAGE, U + 0x40_0000, MEM.userTop - PAGE, 0x8000_0000]) as.mapNew(va, true);
    as.unmap(U + PAGE);
    expect(w.frames.freeCount).toBe(start - 1 - 4 - 4); // directory, 4 pages, 4 page tables
    as.destroy();
    expect(w.frames.freeCount).toBe(start);
    expect(as.pageCount).toBe(0);
  });

  it("the constructor throws OutOfMemory without a frame for the directory; mapNew returns -1 when out of frames", () => {
    const mem = new PlainMemory(MEM.kernelEnd + 3 * PAGE);
    const frames = new FrameAllocator(mem);
    const kpt = buildKernelPageTable(mem, frames);
    const as = new AddressSpace(mem, frames, kpt);
    expect(as.mapNew(U, true)).toBe(-1); // a page table, then no frame for the page
    expect(frames.freeCount).toBe(0);
    expect(as.isMapped(U)).toBe(false);
    expect(as.pageCount).toBe(0);
    expect(() => new AddressSpace(mem, frames, kpt)).toThrow(OutOfMemory);
    as.destroy();
    expect(frames.freeCount).toBe(2);
  });
});
