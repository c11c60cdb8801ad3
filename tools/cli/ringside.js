#!/usr/bin/env node
// The `ringside` command. Runs build/cli/main.cjs: an esbuild bundle of tools/cli/main.ts in one
// CommonJS file, with the packages v86 and commander inside it, compiled through a V8 code cache
// (code-cache.js: one cache file per command, kept next to the bundle and used only for the exact
// bytes it was made from). The bundle is rebuilt first whenever a source it is made of is newer, so
// it is never stale. Set RINGSIDE_NO_BUNDLE=1 to run the sources through tsx instead.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { runCommonJs } from "./code-cache.js";

// Node's built-in modules through require: an ES import of node:fs builds its ES-module facade, which
// reads every export and so loads fs streams and more that the launcher never uses.
const require = createRequire(import.meta.url);
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const path = require("node:path");

const launcher = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(launcher), "..", "..");
const outdir = path.join(root, "build", "cli");
const bundle = path.join(outdir, "main.cjs");
/** The packages' files the bundle holds (root-relative; written with it): they count as sources too. */
const packageInputs = path.join(outdir, "package-inputs.json");
const SOURCE_DIRS = ["emulator", "kernel", "tools", "boot", "servers"];
/** Packages bundled in (their code is compiled through the code cache too); all others load from node_modules. */
const BUNDLED_PACKAGES = ["v86", "commander"];

/** Newest mtime (ms) of what the bundle is made of: the .ts files under the source folders, package.json, this launcher and the bundled packages' files; Infinity if one of those is gone. */
function newestSource() {
  let newest = Math.max(statSync(path.join(root, "package.json")).mtimeMs, statSync(launcher).mtimeMs);
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}${path.sep}${e.name}`; // (path.join would normalize each path again)
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  try {
    for (const f of JSON.parse(readFileSync(packageInputs, "utf8"))) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  } catch {
    return Infinity; // no list, a bad one, or a package file gone (reinstalled): rebuild
  }
  return newest;
}

/**
 * esbuild plugin: v86 runs from its own file, exactly as published, not reprinted into the bundle.
 * esbuild re-prints what it bundles (spacing, renamed parameters), and the device-path repairs
 * (emulator/v86-patches.ts) recognise the v86 functions they replace by their exact source: bundled,
 * none applied, and disk and console I/O ran several times slower. The package's script build
 * (build/libv86.js, the same code as the module build the sources import) is compiled on first use
 * of `V86`, with the bundle's `require`, through a V8 code cache beside the bundle
 * (libv86.js.v8cache: used only if made from the same source by the same V8, written at exit when
 * there was none; a bad one is ignored).
 */
const v86Verbatim = {
  name: "v86-verbatim",
  setup(b) {
    b.onResolve({ filter: /^v86$/ }, () => ({ path: "v86", namespace: "v86-verbatim" }));
    b.onLoad({ filter: /.*/, namespace: "v86-verbatim" }, () => ({
      loader: "js",
      contents: `
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
let loaded;
function load() {
  if (loaded) return loaded;
  const file = require.resolve("v86/build/libv86.js");
  const source = fs.readFileSync(file, "latin1");
  const key = require("node:crypto").createHash("sha256").update(source).update(process.versions.v8).digest("hex");
  const cacheFile = path.join(__dirname, "libv86.js.v8cache");
  let cachedData;
  try {
    const c = fs.readFileSync(cacheFile);
    if (c.length > 64 && c.toString("latin1", 0, 64) === key) cachedData = c.subarray(64);
  } catch {}
  const script = new vm.Script("(function (module, exports, require) {" + source + "\\n})", { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        const tmp = cacheFile + "." + process.pid + ".tmp";
        fs.writeFileSync(tmp, Buffer.concat([Buffer.from(key, "latin1"), script.createCachedData()]));
        fs.renameSync(tmp, cacheFile);
      } catch {}
    });
  }
  const m = { exports: {} };
  script.runInThisContext().call(m.exports, m, m.exports, require);
  if (typeof m.exports.V86 !== "function") throw new Error(file + " did not define V86");
  return (loaded = m.exports);
}
Object.defineProperty(exports, "V86", { enumerable: true, get: () => load().V86 });
`,
    }));
  },
};

/**
 * esbuild plugin: `import(<expression>)` — a module whose path is known only at run time, such as a
 * lab's freshly built grader — becomes `__ringside_import(<expression>)`, Node's own import() handed
 * to the bundle by its loader (code-cache.js), or `import()` itself where the bundle is loaded by
 * Node's CommonJS loader. The path must be absolute (a file: URL): it is not resolved from the module.
 */
const runtimeImports = {
  name: "runtime-imports",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!/\bimport\((?!\s*["'])/.test(text)) return undefined;
      return { contents: text.replace(/\bimport\((?!\s*["'])/g, "__ringside_import("), loader: "ts" };
    });
  },
};

/**
 * Rewrites `file` (esbuild's output) as ASCII only: esbuild already escapes every non-ASCII character
 * in strings, templates, regular expressions and names; what is left, in comments, becomes a \uXXXX
 * escape too. An ASCII file is decoded as Latin-1 at every start (code-cache.js), several ms faster
 * than UTF-8 for a bundle this size.
 */
function asciiOnly(file) {
  const text = readFileSync(file, "utf8");
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return;
  writeFileSync(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * Builds the bundle if a source is newer; a source that does not compile (a syntax error in a file a
 * lab has the student edit) ends the command with one `file:line:col: error: …` line per error and
 * exit 1 — the source's fault, as when an assembly source does not assemble — never a stack trace.
 */
async function ensureBundle() {
  try {
    await buildBundle();
  } catch (e) {
    if (!Array.isArray(e?.errors) || !e.errors.length) throw e;
    for (const m of e.errors) {
      const at = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
      process.stderr.write(`${at}error: ${m.text}\n`);
    }
    process.stderr.write(`ringside: its TypeScript sources do not compile (${e.errors.length} error${e.errors.length === 1 ? "" : "s"}); nothing was run\n`);
    process.exit(1);
  }
}

async function buildBundle() {
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) return;
  const { build } = await import("esbuild");
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((n) => !BUNDLED_PACKAGES.includes(n));
  // Built into a fresh folder, then swapped in: concurrent invocations never see a partial bundle, and
  // the code caches of the old bundle go with it.
  const tmp = `${outdir}.${process.pid}.tmp`;
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, "tools", "cli", "main.ts")],
    outfile: path.join(tmp, "main.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external,
    // Each module's import.meta.url becomes the bundle's own URL (build/cli/, as the modules' chunks were).
    define: { "import.meta.url": "__ringside_bundle_url" },
    // The banner comes before esbuild's own "use strict", which would then be a mere expression: the
    // bundle's modules are ES modules, strict, so the file says so first.
    banner: {
      js:
        '"use strict";\n' +
        'var __ringside_bundle_url = require("node:url").pathToFileURL(__filename).href;\n' +
        'var __ringside_import = typeof __ringside_importer === "function" ? __ringside_importer : (url) => import(url);',
    },
    // No import() is left in the bundle: V8 drops a script's import() callback when the script comes
    // from a code cache (Node 20). import("<name>") becomes require (and a bundled module is simply
    // initialised); import(<expression>) calls the loader's `__ringside_import` (see runtimeImports).
    supported: { "dynamic-import": false },
    plugins: [runtimeImports, v86Verbatim],
    sourcemap: "linked",
    metafile: true,
    logLevel: "silent", // errors: reported by buildOrExit, one line each
  });
  asciiOnly(path.join(tmp, "main.cjs"));
  writeFileSync(path.join(tmp, path.basename(packageInputs)), JSON.stringify(Object.keys(result.metafile.inputs).filter((f) => f.startsWith("node_modules/"))));
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
const liftoffOnly = (command === "boot" || command === "run") && !process.env.RINGSIDE_WASM_TIERUP;
if (liftoffOnly) {
  const { setFlagsFromString } = require("node:v8");
  setFlagsFromString("--liftoff-only");
}

// `--inspect` (run, boot): the same command again under the Node inspector, stopped before the
// first line, with source maps so breakpoints go into kernel/*.ts. Options after `--` are the guest's.
const dash = process.argv.indexOf("--");
const own = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
if (own.includes("--inspect") && !process.execArgv.some((a) => a.startsWith("--inspect"))) {
  const { spawnSync } = require("node:child_process");
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
  if (process.execArgv.some((a) => a.startsWith("--inspect"))) {
    require(bundle); // under a debugger: Node's own loader (source maps for stack traces too), no cache
  } else {
    // One cache per command (what a command compiles differs), and per V8 flags (a cache made under
    // other flags is rejected): boot and run run with --liftoff-only (above) unless RINGSIDE_WASM_TIERUP.
    const name = /^[a-z][a-z-]{0,31}$/.test(command ?? "") ? command : "other";
    const cacheFile = path.join(outdir, `main.cjs.${name}${liftoffOnly ? ".liftoff" : ""}.v8cache`);
    // Exit code 2 is a usage error: nothing was done, so little was compiled; the next run writes the cache.
    const run = () => runCommonJs(bundle, { cacheFile, keep: (code) => code !== 2 });
    try {
      run();
    } catch (e) {
      // Another invocation swapped in a rebuilt bundle between the check and the read: check again.
      if (e?.code !== "ENOENT" || e?.path !== bundle) throw e;
      await ensureBundle();
      run();
    }
  }
}
