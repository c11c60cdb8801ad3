// The device-path repairs in emulator/v86-patches.ts rely on the exact source of seven v86 0.5.462
// functions. If a v86 upgrade changes any of them, this fails and names it: re-verify the function,
// update PATCHED_SOURCES and the replacement together (or drop the patch).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Machine } from "../emulator/machine.ts";
import { PATCHED_SOURCES, applyDevicePatches, ideReadBuffer, type PatchName } from "../emulator/v86-patches.ts";
import type { V86Cpu } from "../emulator/v86-internals.ts";
import { ROOT, ringside } from "./helpers/cli.ts";

const LOAD = 0x0010_0000;

/**
 * A multiboot guest that sends "hi\n" on COM1 (polling LSR), reads IDENTIFY-less data words from the
 * IDE data port after READ SECTORS of LBA 0 (32-bit `in`), stores the first word at 0x8000, then
 * `cli; hlt`.
 */
function guest(): Uint8Array {
  const header = new Uint32Array([0x1badb002, 0x0001_0000, (-(0x1badb002 + 0x0001_0000)) >>> 0, LOAD, LOAD, 0, 0, LOAD + 32]);
  const code: number[] = [];
  const outb = (port: number, v: number) => code.push(0x66, 0xba, port & 0xff, port >> 8, 0xb0, v, 0xee); // mov dx; mov al; out dx, al
  for (const ch of [0x68, 0x69, 0x0a]) {
    // wait for THR empty: mov dx, 0x3fd; in al, dx; test al, 0x20; jz back
    code.push(0x66, 0xba, 0xfd, 0x03, 0xec, 0xa8, 0x20, 0x74, 0xfb);
    outb(0x3f8, ch);
  }
  outb(0x1f6, 0xe0); // LBA, master
  outb(0x1f2, 1);
  outb(0x1f3, 0);
  outb(0x1f4, 0);
  outb(0x1f5, 0);
  outb(0x1f7, 0x20); // READ SECTORS
  // wait for DRQ: mov dx, 0x1f7; in al, dx; test al, 8; jz back
  code.push(0x66, 0xba, 0xf7, 0x01, 0xec, 0xa8, 0x08, 0x74, 0xfb);
  code.push(0x66, 0xba, 0xf0, 0x01, 0xed); // mov dx, 0x1f0; in eax, dx
  code.push(0xa3, 0x00, 0x80, 0x00, 0x00); // mov [0x8000], eax
  code.push(0xfa, 0xf4); // cli; hlt
  const img = new Uint8Array(32 + code.length);
  img.set(new Uint8Array(header.buffer), 0);
  img.set(code, 32);
  return img;
}

describe("v86 device-path patches", () => {
  it("every patched function still has the verified source in the installed v86, in both its builds", () => {
    const dir = path.dirname(createRequire(import.meta.url).resolve("v86"));
    const unwrapped = (s: string) => s.replace(/\n/g, "");
    for (const build of ["libv86.mjs", "libv86.js"]) {
      const lib = unwrapped(readFileSync(path.join(dir, build), "utf8"));
      for (const [name, src] of Object.entries(PATCHED_SOURCES)) {
        expect(lib.includes(unwrapped(src)), `v86 changed ${name} in ${build}: emulator/v86-patches.ts no longer applies`).toBe(true);
      }
    }
  });

  it("the ringside command (its bundle runs v86's script build) applies them all: no warning, also past a bad code cache", () => {
    const r = ringside(["run", "examples/hello.asm"]);
    expect(r.stdout).toContain("Hello, World!");
    expect(r.stderr).not.toContain("RINGSIDE_V86_PATCH");
    // v86's code cache beside the bundle: garbage in it is ignored and replaced
    const cache = path.join(ROOT, "build", "cli", "libv86.js.v8cache");
    writeFileSync(cache, "x".repeat(64) + "not a cache");
    const again = ringside(["run", "examples/hello.asm"]);
    expect(again.stdout).toContain("Hello, World!");
    expect(again.stderr).not.toContain("RINGSIDE_V86_PATCH");
    expect(readFileSync(cache, "latin1").slice(0, 64)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a function that is not the verified one is left alone and reported", () => {
    const reprinted = function (this: unknown, a2: number) {
      return a2;
    };
    const proto = { read_data: reprinted, read_buffer: reprinted };
    const cpu = { devices: { ide: { primary: { master: Object.create(proto) } } }, io: { ports: [] } } as unknown as V86Cpu;
    const missed: PatchName[] = [];
    expect(applyDevicePatches(cpu, () => {}, missed)).toEqual([]);
    expect(missed).toEqual(["ideReadData", "ideReadBuffer"]);
    expect(proto.read_data).toBe(reprinted);
  });

  it("a machine has all seven applied, and the UART and IDE behave as before", async () => {
    const disk = new Uint8Array(512);
    disk.set([0x11, 0x22, 0x33, 0x44], 0);
    const m = await Machine.create({ multiboot: guest(), memoryBytes: 16 << 20, hda: disk });
    expect([...m.devicePatches].sort()).toEqual(Object.keys(PATCHED_SOURCES).sort());
    const out: number[] = [];
    m.onSerialOutput((b) => out.push(b));
    const stop = await m.run();
    m.destroy();
    expect(stop.kind).toBe("dead"); // cli; hlt
    expect(String.fromCharCode(...out)).toBe("hi\n");
    expect(m.read32(0x8000)).toBe(0x44332211);
  });

  it("ideReadBuffer: a read that completes inside get makes no AbortController and leaves nothing in flight; one in flight is cancelled by a reset as before", () => {
    const ide = { last_io_id: 0, in_progress_io_ids: new Map<number, { abort(): void }>(), cancelled_io_ids: new Set<number>(), buffer: undefined as unknown };
    const got: number[][] = [];
    let signalsAsked = 0;
    ide.buffer = { get: (start: number, len: number, fn: (d: Uint8Array) => void) => fn(Uint8Array.of(start, len)) };
    ideReadBuffer.call(ide, 3, 2, (d) => got.push([...d]));
    expect(got).toEqual([[3, 2]]);
    expect(ide.in_progress_io_ids.size).toBe(0);
    // an asynchronous buffer: asks for the signal, answers later
    const later: (() => void)[] = [];
    let signal: AbortSignal | undefined;
    ide.buffer = {
      get: (start: number, len: number, fn: (d: Uint8Array) => void, opts: { signal: AbortSignal }) => {
        signalsAsked++;
        signal = opts.signal;
        later.push(() => fn(Uint8Array.of(start, len)));
      },
    };
    ideReadBuffer.call(ide, 5, 1, (d) => got.push([...d]));
    ideReadBuffer.call(ide, 6, 1, (d) => got.push([...d]));
    expect([...ide.in_progress_io_ids.keys()]).toEqual([1, 2]);
    later.shift()!(); // the first completes
    expect(got).toEqual([[3, 2], [5, 1]]);
    expect([...ide.in_progress_io_ids.keys()]).toEqual([2]);
    // a device reset (v86's cancel_io_operations) while the second is in flight
    for (const [id, c] of ide.in_progress_io_ids) ide.cancelled_io_ids.add(id), c.abort();
    ide.in_progress_io_ids.clear();
    expect(signal!.aborted).toBe(true);
    later.shift()!(); // its data arrives after all: dropped
    expect(got).toEqual([[3, 2], [5, 1]]);
    expect(ide.cancelled_io_ids.size).toBe(0);
    expect(signalsAsked).toBe(2);
  });
});
