// Listing and symbol map: offsets, bytes and source like `nasm -l`; map sorted by address.
import { describe, expect, it } from "vitest";
import { assemble } from "../tools/asm/index.ts";

describe("asm listing and map", () => {
  const src = "org 0x7c00\nbits 16\nstart:\n  mov ax, 0x1234 ; comment\n  times 12 db 0xAA\nbuf: resb 4\n  jmp start\nK equ 5\n";
  const r = assemble(src, { file: "l.asm" });

  it("lists line number, section offset, bytes (wrapping long data) and the source text", () => {
    expect(r.ok).toBe(true);
    const lines = r.listing.split("\n");
    expect(lines[0]).toMatch(/^\s+1\s+org 0x7c00$/);
    expect(lines[3]).toMatch(/^\s+4 00000000 B83412\s+ mov ax, 0x1234 ; comment$/);
    expect(lines[4]).toMatch(/^\s+5 00000003 AAAAAAAAAAAAAAAAAA-\s+ times 12 db 0xAA$/);
    expect(lines[5]).toMatch(/^\s+5 0000000C AAAAAA$/);
    expect(lines[6]).toMatch(/^\s+6 0000000F <res 00000004>\s+buf: resb 4$/);
    expect(lines[7]).toMatch(/^\s+7 00000013 EBEB\s+ jmp start$/);
  });

  it("map lists every symbol as XXXXXXXX name, sorted by value", () => {
    expect(r.map).toBe("00000005 K\n00007C00 start\n00007C0F buf\n");
    expect(r.symbols).toEqual([
      { name: "K", value: 5 },
      { name: "start", value: 0x7c00, section: ".text" },
      { name: "buf", value: 0x7c0f, section: ".text" },
    ]);
  });
});
