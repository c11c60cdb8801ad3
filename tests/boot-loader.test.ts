// boot/loader.ts checks each server program without its section headers (the symbol table decides
// nothing about validity): the verdict and the message must be exactly those of the kernel's own
// check of the whole file, and the programs it returns are the files' bytes, untouched.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { BootImageError, loadBootImage } from "../boot/loader.ts";
import { loadImage } from "../kernel/exec.ts";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { ensureDefaultImage } from "../tools/image/default.ts";

let base: Uint8Array;
let serverPath: string;
let serverName: string;
let original: Uint8Array;

beforeAll(async () => {
  base = new Uint8Array(readFileSync(await ensureDefaultImage()));
  const boot = loadBootImage(base.slice());
  const server = boot.manifest.servers[0]!;
  serverName = server.name;
  serverPath = server.program;
  original = boot.modules[0]!.image;
});

/** The default image with the first server's program replaced by `program`. */
function withServer(program: Uint8Array): Uint8Array {
  const fs = Rsfs.open(base.slice());
  fs.writeFile(serverPath, program);
  return fs.bytes;
}

/** What loadImage says of `program` ("ok", or its error message). */
function kernelVerdict(program: Uint8Array): string {
  try {
    loadImage(program);
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

/** What loadBootImage says of an image holding `program` as the first server ("ok", or the message). */
function loaderVerdict(program: Uint8Array): string {
  try {
    loadBootImage(withServer(program), "img");
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(BootImageError);
    return (e as Error).message;
  }
}

const u32 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
const u16 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, true);

describe("boot loader: checking a server program", () => {
  it("returns every program's bytes as they are in the image, section headers and symbols included", () => {
    const boot = loadBootImage(base.slice());
    const fs = Rsfs.open(base.slice());
    for (const [i, s] of boot.manifest.servers.entries()) expect(boot.modules[i]!.image).toEqual(fs.readFile(s.program));
    expect(loadImage(original).symbols.length).toBeGreaterThan(0); // the kernel still finds the symbols
  });

  it("refuses exactly what the kernel refuses, with the kernel's reason; accepts what it accepts", () => {
    const variants: [string, (b: Uint8Array) => Uint8Array][] = [
      ["as built", (b) => b],
      ["truncated to 40 bytes", (b) => b.slice(0, 40)],
      ["64-bit class", (b) => ((b[4] = 2), b)],
      ["not ET_EXEC", (b) => (u16(b, 16, 3), b)],
      ["no program headers", (b) => (u16(b, 44, 0), b)],
      ["entry outside every segment", (b) => (u32(b, 24, 0x100), b)],
      ["program headers past the end", (b) => (u32(b, 28, b.length), b)],
      ["section headers past the end", (b) => (u32(b, 32, b.length + 4096), b)],
      ["wild section header count", (b) => (u16(b, 48, 0xffff), b)],
      ["bad section entry size", (b) => (u16(b, 46, 12), b)],
      ["symbol table pointing anywhere", (b) => {
        const shoff = new DataView(b.buffer, b.byteOffset).getUint32(32, true);
        const shnum = new DataView(b.buffer, b.byteOffset).getUint16(48, true);
        for (let i = 0; i < shnum; i++) u32(b, shoff + i * 40 + 16, 0xfffffff0); // every section's offset
        return b;
      }],
    ];
    for (const [what, make] of variants) {
      const program = make(original.slice());
      const kernel = kernelVerdict(program);
      const expected = kernel === "ok" ? "ok" : `img: ${serverPath} (${serverName}) is not a valid program: ${kernel}`;
      expect(loaderVerdict(program), what).toBe(expected);
    }
  });
});
