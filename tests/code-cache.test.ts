// The CLI's V8 code cache (tools/cli/code-cache.js): a CommonJS bundle runs from a cache only when
// the cache was made from its exact bytes; a changed bundle, a corrupt, truncated or foreign cache
// file are ignored (never a crash) and replaced at the end of the run; import() still works from
// cached code.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodeCache, writeCodeCache } from "../tools/cli/code-cache.js";
import { ROOT, ringside } from "./helpers/cli.ts";

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

let dir: string;
let program: string;
let cache: string;
let runner: string;

/** A program whose output shows that its code ran, an import() from it worked, and under which name. */
function programText(greeting: string): string {
  const lib = pathToFileURL(path.join(dir, "lib.mjs")).href;
  return `const path = require("node:path");
__ringside_importer(${JSON.stringify(lib)}).then((m) => {
  console.log("${greeting} " + path.basename(__filename) + " " + m.answer);
  process.exitCode = Number(process.env.EXIT_CODE ?? 0);
});
`;
}

/** Runs `program` through the cache in a fresh process: what it printed, and whether its code came from the cache. */
function run(env: Record<string, string> = {}): { stdout: string; fromCache: boolean; code: number | null } {
  const r = spawnSync(process.execPath, [runner, program, cache], { encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.stderr.replace(/^(cached|compiled)\n/, "")).toBe("");
  return { stdout: r.stdout, fromCache: r.stderr.startsWith("cached"), code: r.status };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "ringside-code-cache-"));
  program = path.join(dir, "program.cjs");
  cache = path.join(dir, "program.v8cache");
  runner = path.join(dir, "runner.mjs");
  writeFileSync(path.join(dir, "lib.mjs"), "export const answer = 42;\n");
  writeFileSync(
    runner,
    `import { runCommonJs } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "tools", "cli", "code-cache.js")).href)};
process.stderr.write(runCommonJs(process.argv[2], { cacheFile: process.argv[3], keep: (code) => code !== 3 }) ? "cached\\n" : "compiled\\n");
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("code cache", () => {
  it("compiles the first time, writes the cache as the process exits, and runs from it the next time", () => {
    writeFileSync(program, programText("hello"));
    rmSync(cache, { force: true });
    const first = run();
    expect(first).toEqual({ stdout: "hello program.cjs 42\n", fromCache: false, code: 0 });
    expect(existsSync(cache)).toBe(true);
    const second = run();
    expect(second).toEqual({ stdout: "hello program.cjs 42\n", fromCache: true, code: 0 }); // import() works from cached code too
  });

  it("never runs a changed file from the old cache (even one of the same length), and caches the new one", () => {
    writeFileSync(program, programText("hello"));
    run();
    expect(run().fromCache).toBe(true);
    writeFileSync(program, programText("HELLO")); // same length: V8's own check (the length) would pass
    expect(run()).toEqual({ stdout: "HELLO program.cjs 42\n", fromCache: false, code: 0 });
    expect(run()).toEqual({ stdout: "HELLO program.cjs 42\n", fromCache: true, code: 0 });
  });

  it("ignores a corrupt, truncated, empty or foreign cache file, and replaces it", () => {
    writeFileSync(program, programText("hello"));
    run();
    const good = readFileSync(cache);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 0xff; // the header still matches; the data does not
    const foreign = Buffer.from(good.toString("latin1").replace(sha256(readFileSync(program)), "0".repeat(64)), "latin1");
    const variants: [string, Buffer][] = [
      ["garbage", Buffer.from("not a cache at all\n".repeat(100))],
      ["empty", Buffer.alloc(0)],
      ["truncated", good.subarray(0, good.length >> 1)],
      ["a flipped byte", flipped],
      ["another bundle's", foreign],
      ["header only", good.subarray(0, good.indexOf(10, 30) + 1)],
    ];
    for (const [what, bytes] of variants) {
      writeFileSync(cache, bytes);
      expect(run(), what).toEqual({ stdout: "hello program.cjs 42\n", fromCache: false, code: 0 });
      expect(run().fromCache, `${what}: replaced`).toBe(true);
    }
  });

  it("writes no cache for a run its caller does not want cached (a usage error)", () => {
    writeFileSync(program, programText("hello"));
    rmSync(cache, { force: true });
    expect(run({ EXIT_CODE: "3" })).toEqual({ stdout: "hello program.cjs 42\n", fromCache: false, code: 3 });
    expect(existsSync(cache)).toBe(false);
    expect(run({ EXIT_CODE: "1" }).code).toBe(1);
    expect(existsSync(cache)).toBe(true);
  });

  it("reads back exactly what it wrote, for that bundle only", () => {
    const file = path.join(dir, "unit.v8cache");
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    writeCodeCache(file, sha256("bundle"), data);
    expect(readCodeCache(file, sha256("bundle"))).toEqual(data);
    expect(readCodeCache(file, sha256("another bundle"))).toBeUndefined();
    expect(readCodeCache(path.join(dir, "missing.v8cache"), sha256("bundle"))).toBeUndefined();
    writeCodeCache(path.join(dir, "no-such-folder", "x.v8cache"), sha256("bundle"), data); // ignored, no throw
  });

  it("the ringside command runs as usual over a corrupt cache file of its own, and replaces it", () => {
    // `ringside --version` uses the cache of "other" (argv[2] is not a command name); its file is
    // corrupted here, as a crash during a write or a disk error might leave it.
    const version = ringside(["--version"]);
    expect(version.code).toBe(0);
    const file = path.join(ROOT, "build", "cli", "main.cjs.other.v8cache");
    writeFileSync(file, "corrupt\n".repeat(64));
    const again = ringside(["--version"]);
    expect(again).toEqual(version);
    const bundle = readFileSync(path.join(ROOT, "build", "cli", "main.cjs"));
    expect(readCodeCache(file, sha256(bundle))).toBeDefined();
    // The bundle's modules are ES modules: its code is strict, the directive first (before the banner).
    expect(bundle.toString("latin1").startsWith('"use strict";\n')).toBe(true);
  });
});
