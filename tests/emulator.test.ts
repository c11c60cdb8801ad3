// The emulator layer's reliance on v86 internals (wasm offsets, CPU property names, the multiboot
// loader, port hooks, determinism hooks). If a v86 upgrade moves any of them, this fails loudly.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { Machine } from "../emulator/machine.ts";
import { ROOT } from "./helpers/cli.ts";

const LOAD = 0x0010_0000;

/** A hand-encoded multiboot guest: eax=0x12345678, loop 100 times, `out 0x556, eax`, then cli; hlt. */
function tinyGuest(loops = 100): Uint8Array {
  const header = new Uint32Array([0x1badb002, 0x0001_0000, (-(0x1badb002 + 0x0001_0000)) >>> 0, LOAD, LOAD, 0, 0, LOAD + 32]);
  const code = [
    0xb8, 0x78, 0x56, 0x34, 0x12, // mov eax, 0x12345678
    0xb9, loops & 0xff, (loops >> 8) & 0xff, 0, 0, // mov ecx, loops
    0x49, // dec ecx
    0x75, 0xfd, // jnz -3
    0x66, 0xba, 0x56, 0x05, // mov dx, 0x556
    0xef, // out dx, eax
    0xfa, 0xf4, // cli; hlt
  ];
  const img = new Uint8Array(32 + code.length);
  img.set(new Uint8Array(header.buffer), 0);
  img.set(code, 32);
  return img;
}

async function runTiny(loops: number) {
  const m = await Machine.create({ multiboot: tinyGuest(loops), memoryBytes: 16 << 20 });
  const seen: { value: number; eax: number; cpl: number; icount: number; image: number }[] = [];
  m.onPortWrite32(0x556, (value) => {
    seen.push({ value, eax: m.reg32[0]! >>> 0, cpl: m.cpl, icount: m.icount(), image: m.read32(LOAD) });
  });
  const stop = await m.run();
  const result = { stop, seen, icount: m.icount(), ecx: m.reg32[1]! };
  m.destroy();
  return result;
}

describe("emulator/Machine over v86 0.5.462", () => {
  it("boots a multiboot image without a BIOS and calls the port hook synchronously, with live register and memory views", async () => {
    const r = await runTiny(100);
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]!.value).toBe(0x12345678);
    expect(r.seen[0]!.eax).toBe(0x12345678); // reg32 view at wasm offset 64
    expect(r.seen[0]!.cpl).toBe(0);
    expect(r.seen[0]!.image).toBe(0x1badb002); // guest memory view at mem8.byteOffset
    expect(r.ecx).toBe(0);
    // cli; hlt with nobody asking to stop: the machine reports a dead CPU.
    expect(r.stop).toEqual({ kind: "dead" });
  });

  it("prepareMachines compiles v86's wasm ahead, once; a machine created after it runs the same", async () => {
    // In a process of its own: this one has compiled the wasm already.
    const machineUrl = pathToFileURL(path.join(ROOT, "emulator", "machine.ts")).href;
    const script = `
      import { Machine, prepareMachines } from ${JSON.stringify(machineUrl)};
      prepareMachines();
      prepareMachines(); // a second call changes nothing
      const m = await Machine.create({ multiboot: Uint8Array.from(${JSON.stringify(Array.from(tinyGuest(100)))}), memoryBytes: 16 << 20 });
      const seen = [];
      m.onPortWrite32(0x556, (value) => seen.push(value));
      const stop = await m.run();
      console.log(JSON.stringify({ stop, seen, icount: m.icount() }));
      m.destroy();
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const here = await runTiny(100);
    expect(JSON.parse(r.stdout)).toEqual({ stop: here.stop, seen: here.seen.map((s) => s.value), icount: here.icount });
  });

  it("counts instructions (wasm offset 664) and does so identically on every run", async () => {
    // v86 updates the counter at block exits, so inside a port handler it may lag by the current
    // block; at the end of the run every instruction is counted.
    const a = await runTiny(1000);
    const b = await runTiny(1000);
    const small = await runTiny(10);
    expect(a.icount).toBeGreaterThan(2000); // 2 instructions per loop iteration
    expect(a.icount).toBeLessThan(2100);
    expect(a.seen[0]!.icount).toBe(b.seen[0]!.icount);
    expect(a.icount).toBe(b.icount);
    expect(a.icount - small.icount).toBe(2 * 990);
  });

  it("stops at maxInstructions", async () => {
    const m = await Machine.create({ multiboot: tinyGuest(60000), memoryBytes: 16 << 20, maxInstructions: 20_000 });
    const stop = await m.run();
    expect(stop.kind).toBe("max-instructions");
    expect(m.icount()).toBeGreaterThanOrEqual(20_000);
    expect(m.icount()).toBeLessThan(20_000 + 200_000); // within one main-loop slice
    m.destroy();
  });

  it("derives virtual time from the instruction count", async () => {
    const m = await Machine.create({ multiboot: tinyGuest(5000), memoryBytes: 16 << 20, ipms: 1000 });
    let at = 0;
    let ic = 0;
    m.onPortWrite32(0x556, () => {
      at = m.nowUs();
      ic = m.icount();
    });
    await m.run();
    const end = [m.nowUs(), m.icount()];
    m.destroy();
    expect(at).toBeCloseTo(ic, 0); // 1000 instructions per ms = 1 per µs
    expect(end[0]).toBeCloseTo(end[1]!, 0);
    expect(end[1]).toBeGreaterThan(10_000);
  });
});
