// Runs a CommonJS bundle (the CLI's build/cli/main.cjs) through a V8 code cache, so a process does
// not parse and compile the same megabyte of JavaScript again each time it starts. Node 20 has no
// compile cache of its own, but `vm.Script` takes V8's `cachedData` and can produce it after a run,
// with every function compiled by then.
//
// A cache file is only ever used for the exact bytes it was made from: its header records the
// SHA-256 of the bundle and of the cache data itself and V8's version, so a rebuilt bundle, a cache
// from another V8, a truncated or corrupt file are all ignored (and replaced at the end of the run),
// never handed to V8. V8 checks the data once more itself (`cachedDataRejected`).
import { createRequire } from "node:module";

// Node's built-in modules through require: an ES import of one builds its ES-module facade, which
// reads every export — for node:fs and node:crypto that loads modules nobody here uses (several ms).
const require = createRequire(import.meta.url);
/** @type {typeof import("node:buffer")} */
const { isAscii } = require("node:buffer");
/** @type {typeof import("node:crypto")} */
const { createHash } = require("node:crypto");
/** @type {typeof import("node:fs")} */
const { readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
/** @type {typeof import("node:path")} */
const path = require("node:path");
/** @type {typeof import("node:vm")} */
const vm = require("node:vm");

const MAGIC = "ringside v8 code cache 1\n";

/** SHA-256 of `bytes`, hex. */
function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The header line of a cache file for a bundle with hash `sourceHash` and a payload with hash `payloadHash`. */
function header(sourceHash, payloadHash) {
  return `${MAGIC}${sourceHash} ${payloadHash} ${process.versions.v8}\n`;
}

/**
 * The cache data in `file` if it was made from a bundle whose SHA-256 is `sourceHash` by this V8 and
 * is intact; undefined otherwise (missing, unreadable, stale, truncated or corrupt). Never throws.
 * @param {string} file
 * @param {string} sourceHash
 * @returns {Buffer | undefined}
 */
export function readCodeCache(file, sourceHash) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  // MAGIC, then "<64 hex> <64 hex> <v8 version>\n", then the payload.
  const end = bytes.indexOf(10, MAGIC.length);
  if (end < 0 || end > MAGIC.length + 200 || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) return undefined;
  const [source, payloadHash, v8] = bytes.toString("latin1", MAGIC.length, end).split(" ");
  if (source !== sourceHash || v8 !== process.versions.v8) return undefined;
  const payload = bytes.subarray(end + 1);
  if (payload.length === 0 || sha256(payload) !== payloadHash) return undefined;
  return payload;
}

/**
 * Writes `data` as the cache of the bundle with hash `sourceHash`, atomically (a concurrent reader
 * sees the old file or the new one, whole). Failures are ignored: a read-only checkout still runs,
 * only without a cache.
 * @param {string} file
 * @param {string} sourceHash
 * @param {Buffer} data
 */
export function writeCodeCache(file, sourceHash, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(header(sourceHash, sha256(data)), "latin1"), data]));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/**
 * Runs the CommonJS file `file` as this process's program: with `module`, `exports`, a `require`
 * relative to it, `__filename` and `__dirname`, and `__ringside_importer`, Node's import() for an
 * absolute file: URL. The file itself must not use `import()`: V8 (in Node 20) drops a script's
 * import() callback when the script comes from a code cache.
 * With `cacheFile`, its code is compiled from that cache when the cache is valid for these exact
 * bytes; when it is not (missing, stale, corrupt, rejected by V8), a new one is written as the
 * process exits — if `keep(exitCode)` says the run is worth caching (a run that only printed a usage
 * error compiled little of the code). Returns true if the code came from the cache.
 * @param {string} file
 * @param {{ cacheFile?: string, keep?: (exitCode: number) => boolean }} [opts]
 * @returns {boolean}
 */
export function runCommonJs(file, opts = {}) {
  const bytes = readFileSync(file);
  const sourceHash = opts.cacheFile ? sha256(bytes) : "";
  const cachedData = opts.cacheFile ? readCodeCache(opts.cacheFile, sourceHash) : undefined;
  // (An all-ASCII file, as the launcher writes the bundle, decodes as Latin-1: the same string, several times faster.)
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  // The wrapper is on the bundle's first line, so line numbers (and its source map) stay right.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __ringside_importer) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const fromCache = cachedData !== undefined && script.cachedDataRejected !== true;
  if (opts.cacheFile && !fromCache) {
    const cacheFile = opts.cacheFile;
    const keep = opts.keep ?? (() => true);
    process.once("exit", (code) => {
      if (!keep(code)) return;
      try {
        writeCodeCache(cacheFile, sourceHash, script.createCachedData());
      } catch {
        // no cache this time
      }
    });
  }
  const module = { exports: {}, filename: file, id: ".", loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), importer);
  return fromCache;
}

/** Node's import() of an absolute file: URL, for the bundle (which cannot call import() itself). */
function importer(url) {
  return import(url);
}
