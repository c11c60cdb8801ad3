// argv and envp pass through the kernel byte for byte, UTF-8 or not (kernel/bytes-text.ts): the pure
// encoding, and an execve of /bin/echo with bytes that are not UTF-8.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBytes, encodeBytes } from "../kernel/bytes-text.ts";
import { ROOT, prog } from "./helpers/cli.ts";

describe("bytes as strings (surrogateescape)", () => {
  it("valid UTF-8 decodes as TextDecoder decodes it, and encodes back as TextEncoder would", () => {
    const text = "plain ascii, é, ∑, 😀, and a NUL-free end";
    const bytes = new TextEncoder().encode(text);
    expect(decodeBytes(bytes)).toBe(text);
    expect(Buffer.from(encodeBytes(text)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("any bytes come back as they went in", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const cases = [
      [0xff, 0xfe, 0x80, 0x41],
      [0xc3], // a sequence cut short
      [0xe2, 0x82], // the same, two bytes of three
      [0xc0, 0xaf], // overlong '/'
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      Array.from({ length: 4096 }, rnd),
    ];
    for (const c of cases) {
      const b = Uint8Array.from(c);
      expect(Buffer.from(encodeBytes(decodeBytes(b))).equals(Buffer.from(b)), c.slice(0, 8).join(",")).toBe(true);
    }
    expect(decodeBytes(Uint8Array.of(0xff, 0x41))).toBe("\udcffA");
  });
});

describe("execve", () => {
  it("hands the new program its arguments byte for byte", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "tools", "cli", "ringside.js"), "run", prog("argbytes.asm")], { cwd: ROOT, timeout: 120_000 });
    expect(r.status).toBe(0);
    expect([...r.stdout]).toEqual([0xff, 0xfe, 0x80, 0x41, 0x20, 0xc3, 0xa9, 0x0a]);
  });
});
