#!/usr/bin/env node
// The `ringside` command. Runs build/cli/main.js, an esbuild bundle of tools/cli/main.ts split into
// chunks (a command loads only the code it needs: `boot` does not parse the assembler, the trace
// tools or the labs), and rebuilds it first whenever any TypeScript source is newer (so it is never
// stale). Set RINGSIDE_NO_BUNDLE=1 to run the sources through tsx instead.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const outdir = path.join(root, "build", "cli");
const bundle = path.join(outdir, "main.js");
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
  // Built into a fresh folder, then swapped in: concurrent invocations never see a partial bundle.
  const tmp = `${outdir}.${process.pid}.tmp`;
  await build({
    entryPoints: { main: path.join(root, "tools", "cli", "main.ts") },
    outdir: tmp,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    logLevel: "error",
  });
  const old = `${outdir}.${process.pid}.old`;
  mkdirSync(path.dirname(outdir), { recursive: true });
  try {
    renameSync(outdir, old);
  } catch {
    // no previous bundle
  }
  try {
    renameSync(tmp, outdir);
  } catch {
    // another invocation swapped in its (equally fresh) bundle first
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}

// A `boot` or `run` session is usually short: `boot --input exit` runs its guest to the shell's prompt
// and back in well under 0.1 s. Meanwhile V8 would tier v86's wasm up to TurboFan — above all its two
// interpreter functions of 130 KB each: 24 functions, 1.1 s of compiling on other threads
// (--trace-wasm-compilation-times) that competes with the guest for the CPU and that the process
// then waits for at exit. With Liftoff code only, `boot --input exit` takes about 0.2 s less, and a
// guest loop of 20 M instructions about half the time; at 120 M instructions the two are even.
// Set before anything is compiled; other commands (bench, torture, lab …) keep V8's default, and
// RINGSIDE_WASM_TIERUP=1 keeps it for long compute-bound sessions too (docs/cli.md).
const command = process.argv[2];
if ((command === "boot" || command === "run") && !process.env.RINGSIDE_WASM_TIERUP) {
  const { setFlagsFromString } = await import("node:v8");
  setFlagsFromString("--liftoff-only");
}

// `--inspect` (run, boot): the same command again under the Node inspector, stopped before the
// first line, with source maps so breakpoints go into kernel/*.ts. Options after `--` are the guest's.
const dash = process.argv.indexOf("--");
const own = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
if (own.includes("--inspect") && !process.execArgv.some((a) => a.startsWith("--inspect"))) {
  const { spawnSync } = await import("node:child_process");
  const args = process.argv.slice(2).filter((a, i) => a !== "--inspect" || (dash >= 0 && i + 2 > dash));
  process.stderr.write("ringside: waiting for a debugger (chrome://inspect, or VS Code: Attach to Node Process); breakpoints in kernel/*.ts work\n");
  const r = spawnSync(process.execPath, ["--inspect-brk", "--enable-source-maps", fileURLToPath(import.meta.url), ...args], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

if (process.env.RINGSIDE_NO_BUNDLE) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
} else {
  await ensureBundle();
  await import(pathToFileURL(bundle).href);
}
