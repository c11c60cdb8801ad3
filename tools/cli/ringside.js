#!/usr/bin/env node
// The `ringside` command. Runs build/ringside.mjs, an esbuild bundle of tools/cli/main.ts, and
// rebuilds it first whenever any TypeScript source is newer (so it is never stale). Set
// RINGSIDE_NO_BUNDLE=1 to run the sources through tsx instead.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bundle = path.join(root, "build", "ringside.mjs");
const SOURCE_DIRS = ["emulator", "kernel", "tools", "boot", "servers"];

/** Newest mtime (ms) of the .ts files under the source folders. */
function newestSource() {
  let newest = statSync(path.join(root, "package.json")).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(path.join(dir, e.name)).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  return newest;
}

async function ensureBundle() {
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) return;
  const { build } = await import("esbuild");
  mkdirSync(path.dirname(bundle), { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [path.join(root, "tools", "cli", "main.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error",
  });
  renameSync(tmp, bundle); // atomic: concurrent invocations never see a partial bundle
}

if (process.env.RINGSIDE_NO_BUNDLE) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
} else {
  await ensureBundle();
  await import(pathToFileURL(bundle).href);
}
