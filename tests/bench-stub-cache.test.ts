// The stub cache on disk (tools/build/stub.ts): a second process-level build takes the disk copy
// without assembling, and editing the source rebuilds it.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STUB_SOURCE, buildStub, clearStubMemoryCache } from "../tools/build/stub.ts";

const dir = mkdtempSync(path.join(tmpdir(), "ringside-stub-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stub cache on disk", () => {
  it("writes the stub, reuses it, and rebuilds when the source changes", async () => {
    const src = path.join(dir, "stub.asm");
    copyFileSync(STUB_SOURCE, src);
    const cacheDir = path.join(dir, "cache");
    const a = await buildStub({ source: src, cacheDir });
    const file = path.join(cacheDir, "stub-std.json");
    const first = readFileSync(file, "utf8");
    expect(JSON.parse(first).bytes).toBe(Buffer.from(a.bytes).toString("base64"));
    expect(a.symbols.get("idle")).toBeTypeOf("number");

    // A planted cache entry with the right key is used as is (nothing is assembled).
    const planted = JSON.parse(first);
    planted.symbols = [["planted", 7]];
    writeFileSync(file, JSON.stringify(planted));
    clearStubMemoryCache();
    const b = await buildStub({ source: src, cacheDir });
    expect(b.symbols.get("planted")).toBe(7);
    expect(b.bytes).toEqual(a.bytes);

    // Editing the source changes the key: assembled again, the cache rewritten.
    writeFileSync(src, readFileSync(src, "utf8") + "\n; edited\n    nop\n");
    clearStubMemoryCache();
    const c = await buildStub({ source: src, cacheDir });
    expect(c.bytes.length).toBe(a.bytes.length + 1);
    expect(JSON.parse(readFileSync(file, "utf8")).bytes).toBe(Buffer.from(c.bytes).toString("base64"));
    expect(statSync(file).size).toBeGreaterThan(0);
  });
});
