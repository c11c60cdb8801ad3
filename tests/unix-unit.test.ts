// The pure parts of the Unix calls, without a machine: path resolution, the pipe buffer and the pipe
// service's protocol (EOF, EPIPE, waiting readers and writers), frame reference counts, and fork's
// copy-on-write address spaces on a plain buffer.
import { describe, expect, it } from "vitest";
import { resolvePath } from "../kernel/path.ts";
import { PIPE_BUF, PIPE_SIZE, PipeBuffer, PipeService } from "../kernel/pipe.ts";
import { MSG } from "../kernel/protocol.ts";
import { E } from "../kernel/names.ts";
import type { ServiceReply, ServiceRequest } from "../kernel/service.ts";
import { PTE } from "../kernel/vm.ts";
import { MEM } from "../kernel/layout.ts";
import { FakeWorld, PAGE } from "./helpers/fake-kernel.ts";

describe("resolvePath", () => {
  it("keeps absolute paths, normalising . .. and repeated slashes", () => {
    expect(resolvePath("/home", "/bin/echo")).toBe("/bin/echo");
    expect(resolvePath("/", "//bin///./echo")).toBe("/bin/echo");
    expect(resolvePath("/", "/a/b/../c")).toBe("/a/c");
    expect(resolvePath("/", "/..")).toBe("/");
    expect(resolvePath("/x", "/")).toBe("/");
  });

  it("resolves relative paths against the working directory", () => {
    expect(resolvePath("/home", "readme.txt")).toBe("/home/readme.txt");
    expect(resolvePath("/home/sub", "../readme.txt")).toBe("/home/readme.txt");
    expect(resolvePath("/home/sub", "./x/./y")).toBe("/home/sub/x/y");
    expect(resolvePath("/home", "../../../..")).toBe("/");
    expect(resolvePath("/", ".")).toBe("/");
    expect(resolvePath("/home", "..")).toBe("/");
  });

  it("keeps a trailing slash (a directory is meant), except on /", () => {
    expect(resolvePath("/", "home/")).toBe("/home/");
    expect(resolvePath("/home", "sub//")).toBe("/home/sub/");
    expect(resolvePath("/home", "../")).toBe("/");
  });
});

describe("PipeBuffer", () => {
  it("is FIFO across the wrap-around and takes only what fits", () => {
    const b = new PipeBuffer(8);
    expect(b.write(Uint8Array.of(1, 2, 3, 4, 5, 6))).toBe(6);
    const out = new Uint8Array(8);
    expect(b.peek(out, 4)).toBe(4);
    b.consume(4);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(b.write(Uint8Array.of(7, 8, 9, 10, 11, 12, 13))).toBe(6); // 2 + 6 = full
    expect(b.length).toBe(8);
    expect(b.room).toBe(0);
    expect(b.write(Uint8Array.of(99))).toBe(0);
    expect(b.peek(out, 8)).toBe(8);
    expect(Array.from(out)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    b.consume(8);
    expect(b.length).toBe(0);
    expect(b.peek(out, 8)).toBe(0);
  });

  it("peek does not consume; peek is cut to the destination", () => {
    const b = new PipeBuffer(16);
    b.write(Uint8Array.of(1, 2, 3));
    const small = new Uint8Array(2);
    expect(b.peek(small, 10)).toBe(2);
    expect(b.length).toBe(3);
  });
});

/** A pipe service with a recording environment. */
function pipeWorld() {
  const replies: { client: number; w0: number; data: number[] }[] = [];
  const gone = new Set<number>();
  const s = new PipeService();
  s.start({
    ports: undefined as never,
    reply: (client: number, r: ServiceReply) => {
      if (gone.has(client)) return false;
      replies.push({ client, w0: r.w0, data: Array.from(r.payload ?? []) });
      return true;
    },
    service: () => undefined,
    irqAck: () => {},
    nowMs: () => 0,
  });
  const req = (client: number, w0: number, w1 = 0, w2 = 0, payload: number[] = [], replyCap = 0): ServiceReply | null => {
    const r = s.request({ client, w0, w1, w2, payload: Uint8Array.from(payload), replyCap } satisfies ServiceRequest);
    return r && { ...r, payload: r.payload && (Array.from(r.payload) as unknown as Uint8Array) };
  };
  return { s, replies, gone, req };
}

describe("PipeService", () => {
  it("creates pipes; a read takes what is there; EOF once the write end closes and the pipe is empty", () => {
    const { s, req } = pipeWorld();
    const id = req(1, MSG.PIPE_CREATE)!.w0;
    expect(id).toBeGreaterThan(0);
    expect(req(1, MSG.PIPE_WRITE, id, 0, [104, 105])!.w0).toBe(2);
    expect(req(2, MSG.PIPE_READ, id, 0, [], 1)).toMatchObject({ w0: 1, payload: [104] });
    expect(req(1, MSG.PIPE_CLOSE, id, 1)!.w0).toBe(0);
    expect(req(2, MSG.PIPE_READ, id, 0, [], 10)).toMatchObject({ w0: 1, payload: [105] });
    expect(req(2, MSG.PIPE_READ, id, 0, [], 10)!.w0).toBe(0);
    expect(req(2, MSG.PIPE_CLOSE, id, 0)!.w0).toBe(0);
    expect(s.open).toBe(0);
    expect(req(2, MSG.PIPE_READ, id, 0, [], 10)!.w0).toBe(-E.BADF);
  });

  it("a reader waits for data (deferred), and a waiting reader gets EOF when the write end closes", () => {
    const { replies, req } = pipeWorld();
    const id = req(1, MSG.PIPE_CREATE)!.w0;
    expect(req(2, MSG.PIPE_READ, id, 0, [], 4)).toBeNull();
    expect(req(1, MSG.PIPE_WRITE, id, 0, [1, 2, 3, 4, 5, 6])!.w0).toBe(6);
    expect(replies).toEqual([{ client: 2, w0: 4, data: [1, 2, 3, 4] }]);
    expect(req(3, MSG.PIPE_READ, id, 0, [], 4)).toMatchObject({ w0: 2, payload: [5, 6] });
    expect(req(3, MSG.PIPE_READ, id, 0, [], 4)).toBeNull();
    req(1, MSG.PIPE_CLOSE, id, 1);
    expect(replies.at(-1)).toEqual({ client: 3, w0: 0, data: [] });
  });

  it("a writer waits on a full pipe and is told to write again when a read makes room; -EPIPE once the read end closes", () => {
    const { replies, req } = pipeWorld();
    const id = req(1, MSG.PIPE_CREATE)!.w0;
    const big = new Array<number>(PIPE_SIZE + 10).fill(7);
    expect(req(1, MSG.PIPE_WRITE, id, 0, big)!.w0).toBe(PIPE_SIZE);
    expect(req(1, MSG.PIPE_WRITE, id, 0, [7])).toBeNull();
    expect(req(2, MSG.PIPE_READ, id, 0, [], 100)!.w0).toBe(100);
    expect(replies).toEqual([{ client: 1, w0: 0, data: [] }]); // room now: write again
    req(1, MSG.PIPE_WRITE, id, 0, new Array<number>(100).fill(1));
    expect(req(1, MSG.PIPE_WRITE, id, 0, [7])).toBeNull();
    req(2, MSG.PIPE_CLOSE, id, 0);
    expect(replies.at(-1)).toEqual({ client: 1, w0: -E.PIPE, data: [] });
    expect(req(1, MSG.PIPE_WRITE, id, 0, [7])!.w0).toBe(-E.PIPE);
  });

  it("a write of up to PIPE_BUF bytes goes in whole or waits (never split between two writers); a longer one takes what fits", () => {
    const { replies, req } = pipeWorld();
    const id = req(1, MSG.PIPE_CREATE)!.w0;
    const fill = PIPE_SIZE - 100;
    expect(req(1, MSG.PIPE_WRITE, id, 0, new Array<number>(fill).fill(1))!.w0).toBe(fill);
    expect(req(2, MSG.PIPE_WRITE, id, 0, new Array<number>(PIPE_BUF).fill(2))).toBeNull(); // 100 bytes of room: none taken
    expect(req(3, MSG.PIPE_WRITE, id, 0, new Array<number>(100).fill(3))!.w0).toBe(100); // fits whole
    expect(req(4, MSG.PIPE_READ, id, 0, [], 10)!.w0).toBe(10);
    expect(replies).toEqual([]); // 10 bytes of room: not worth waking a writer that needs 4096
    expect(req(4, MSG.PIPE_READ, id, 0, [], PIPE_BUF - 10)!.w0).toBe(PIPE_BUF - 10);
    expect(replies).toEqual([{ client: 2, w0: 0, data: [] }]); // room now: write again
    expect(req(2, MSG.PIPE_WRITE, id, 0, new Array<number>(PIPE_BUF).fill(2))!.w0).toBe(PIPE_BUF);
    expect(req(5, MSG.PIPE_READ, id, 0, [], 4 * PIPE_BUF)!.w0).toBe(PIPE_SIZE); // drain: the pipe is empty
    expect(req(1, MSG.PIPE_WRITE, id, 0, new Array<number>(PIPE_SIZE - 10).fill(1))!.w0).toBe(PIPE_SIZE - 10);
    expect(req(1, MSG.PIPE_WRITE, id, 0, new Array<number>(PIPE_BUF + 1).fill(1))!.w0).toBe(10); // past PIPE_BUF: what fits
  });

  it("a reader that went away takes nothing; a cancelled waiter is forgotten", () => {
    const { gone, replies, s, req } = pipeWorld();
    const id = req(1, MSG.PIPE_CREATE)!.w0;
    expect(req(2, MSG.PIPE_READ, id, 0, [], 4)).toBeNull();
    expect(req(3, MSG.PIPE_READ, id, 0, [], 4)).toBeNull();
    gone.add(2);
    req(1, MSG.PIPE_WRITE, id, 0, [9, 8]);
    expect(replies).toEqual([{ client: 3, w0: 2, data: [9, 8] }]);
    expect(req(4, MSG.PIPE_READ, id, 0, [], 4)).toBeNull();
    s.cancel(4);
    req(1, MSG.PIPE_WRITE, id, 0, [5]);
    expect(replies).toHaveLength(1);
    expect(req(5, MSG.PIPE_READ, id, 0, [], 4)).toMatchObject({ w0: 1, payload: [5] });
  });

  it("unknown requests get -ENOSYS", () => {
    const { req } = pipeWorld();
    expect(req(1, 99)!.w0).toBe(-E.NOSYS);
  });
});

describe("copy-on-write address spaces", () => {
  const U = MEM.userBase;

  it("frames are reference-counted: shared frames are freed by the last release", () => {
    const w = new FakeWorld();
    const f = w.frames.alloc();
    const free = w.frames.freeCount;
    w.frames.share(f);
    expect(w.frames.refCount(f)).toBe(2);
    w.frames.release(f);
    expect(w.frames.freeCount).toBe(free);
    w.frames.release(f);
    expect(w.frames.freeCount).toBe(free + 1);
  });

  it("cloneFrom shares every page, writable ones read-only + COW in both; a write copies, the last owner reclaims", () => {
    const w = new FakeWorld();
    const parent = w.addressSpace();
    parent.mapNew(U, false); // text
    parent.mapNew(U + PAGE, true); // data
    parent.poke(U + PAGE, Uint8Array.of(1, 2, 3));
    const before = w.frames.freeCount;
    const child = w.addressSpace();
    expect(child.cloneFrom(parent)).toBe(true);
    expect(child.pageCount).toBe(2);
    expect(child.translate(U + PAGE, false)).toBe(parent.translate(U + PAGE, false));
    expect(parent.translate(U, true)).toBe(-1); // text stays read-only: not COW
    expect(child.breakCow(U)).toBeNull();
    // The child writes (as the kernel would for it): its own copy, with the old bytes.
    const b = new Uint8Array(3);
    expect(child.copyOut(U + PAGE, Uint8Array.of(9))).toBe(true);
    expect(child.copyIn(U + PAGE, 3, b)).toBe(true);
    expect(Array.from(b)).toEqual([9, 2, 3]);
    expect(parent.copyIn(U + PAGE, 3, b)).toBe(true);
    expect(Array.from(b)).toEqual([1, 2, 3]);
    expect(child.translate(U + PAGE, false)).not.toBe(parent.translate(U + PAGE, false));
    // The parent is the last owner of the old frame: writing reclaims it without a copy.
    expect(parent.breakCow(U + PAGE)).toBe("reclaimed");
    expect(parent.breakCow(U + PAGE)).toBeNull();
    child.destroy();
    parent.destroy();
    expect(w.frames.freeCount).toBe(before + 2 + 2); // the parent's directory, table and two pages
  });

  it("breakCow copies while the frame is shared", () => {
    const w = new FakeWorld();
    const a = w.addressSpace();
    a.mapNew(U, true);
    const b = w.addressSpace();
    b.cloneFrom(a);
    expect(a.breakCow(U)).toBe("copied");
    expect(b.breakCow(U)).toBe("reclaimed");
    const pte = (as: typeof a) => as.translate(U, true);
    expect(pte(a)).toBeGreaterThan(0);
    expect(pte(b)).toBeGreaterThan(0);
    expect(PTE.COW).toBe(0x200);
  });
});
