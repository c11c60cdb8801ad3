// The frame allocator on a plain buffer (no v86): every frame above the kernel region, low frames
// first, handed out zeroed, LIFO reuse, -1 when exhausted.
import { describe, expect, it } from "vitest";
import { FrameAllocator, PAGE } from "../kernel/frames.ts";
import { MEM } from "../kernel/layout.ts";
import { MIB, PlainMemory } from "./helpers/fake-kernel.ts";

describe("FrameAllocator", () => {
  it("owns every frame from the end of the kernel region to the end of memory", () => {
    const f = new FrameAllocator(new PlainMemory(16 * MIB));
    expect(f.total).toBe((16 * MIB - MEM.kernelEnd) / PAGE);
    expect(f.total).toBe(3072);
    expect(f.freeCount).toBe(3072);
  });

  it("ignores a partial frame at the end of memory", () => {
    const f = new FrameAllocator(new PlainMemory(MEM.kernelEnd + 3 * PAGE + 100 * 4));
    expect(f.total).toBe(3);
  });

  it("hands out low frames first, in ascending order, and counts them", () => {
    const f = new FrameAllocator(new PlainMemory(16 * MIB));
    expect([f.alloc(), f.alloc(), f.alloc()]).toEqual([MEM.kernelEnd, MEM.kernelEnd + PAGE, MEM.kernelEnd + 2 * PAGE]);
    expect(f.freeCount).toBe(3069);
  });

  it("hands out zeroed frames even when the frame was dirtied before it was freed", () => {
    const mem = new PlainMemory(16 * MIB);
    const f = new FrameAllocator(mem);
    const a = f.alloc();
    mem.mem8.fill(0xaa, a, a + PAGE);
    mem.mem8[a + PAGE] = 0x55; // the next frame (not yet allocated) is dirty too
    f.release(a);
    const b = f.alloc();
    expect(b).toBe(a); // LIFO: the frame just released comes back first
    expect(mem.mem8.subarray(b, b + PAGE).every((x) => x === 0)).toBe(true);
    const c = f.alloc();
    expect(c).toBe(a + PAGE);
    expect(mem.mem8[c]).toBe(0);
  });

  it("does not touch memory outside the frame it zeroes", () => {
    const mem = new PlainMemory(MEM.kernelEnd + 4 * PAGE);
    const f = new FrameAllocator(mem);
    mem.mem8.fill(0x11);
    const a = f.alloc();
    expect(mem.mem8[a - 1]).toBe(0x11);
    expect(mem.mem8[a + PAGE]).toBe(0x11);
    expect(mem.mem8[a + PAGE - 1]).toBe(0);
  });

  it("returns -1 when memory is exhausted, and works again after a release", () => {
    const f = new FrameAllocator(new PlainMemory(MEM.kernelEnd + 4 * PAGE));
    const got = [f.alloc(), f.alloc(), f.alloc(), f.alloc()];
    expect(got).toEqual([0, 1, 2, 3].map((i) => MEM.kernelEnd + i * PAGE));
    expect(f.freeCount).toBe(0);
    expect(f.alloc()).toBe(-1);
    expect(f.alloc()).toBe(-1);
    expect(f.freeCount).toBe(0); // a failed alloc changes nothing
    f.release(got[2]!);
    expect(f.freeCount).toBe(1);
    expect(f.alloc()).toBe(got[2]);
    expect(f.alloc()).toBe(-1);
  });

  it("has no frames at all when memory ends at the kernel region", () => {
    const f = new FrameAllocator(new PlainMemory(MEM.kernelEnd));
    expect(f.total).toBe(0);
    expect(f.alloc()).toBe(-1);
  });
});
