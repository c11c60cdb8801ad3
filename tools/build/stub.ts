// Builds the ring-0 stub image from boot/stub.asm with the project's assembler, layout.inc generated
// from kernel/layout.ts. Cached in memory per process and on disk (build/stub-<variant>.bin and its
// symbols), like the default image: the disk copy is used only when its recorded key — a hash of the
// stub's source and the generated layout include — matches, so a `run` or `boot` process loads no
// assembler; editing boot/stub.asm or kernel/layout.ts rebuilds it.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { layoutInclude } from "../../kernel/layout.ts";
import type { StubImage } from "../../kernel/stub-image.ts";
import { fromRoot } from "../paths.ts";

export type { StubImage } from "../../kernel/stub-image.ts";

export const STUB_SOURCE = fromRoot("boot", "stub.asm");
/** Where assembled stubs are cached (one JSON file per variant). */
export const STUB_CACHE_DIR = fromRoot("build");
/** Bump when the cache file's shape or the assembler's output for the same source changes. */
const CACHE_FORMAT = 1;
const cache = new Map<string, StubImage>();

/** Where to find the sources and cache (tests point these elsewhere). */
export interface StubBuildOptions {
  /** Assemble with the bench-only vectors 0x81 (iret) and 0x82 (CR3 reload, iret). */
  benchVector?: boolean;
  /** The stub source (default boot/stub.asm). */
  source?: string;
  /** The cache folder (default build/); null: no disk cache. */
  cacheDir?: string | null;
}

/** What the on-disk cache file holds. */
interface CacheFile {
  key: string;
  bytes: string; // base64
  symbols: [string, number][];
}

/** Forgets the stubs cached in this process (tests: the next build consults the disk). */
export function clearStubMemoryCache(): void {
  cache.clear();
}

/** Assembles the stub (or takes it from the memory or disk cache). */
export async function buildStub(opts: StubBuildOptions = {}): Promise<StubImage> {
  const variant = opts.benchVector ? "bench" : "std";
  const source = opts.source ?? STUB_SOURCE;
  const text = readFileSync(source, "utf8");
  const include = layoutInclude();
  const key = createHash("sha256").update(`${CACHE_FORMAT}\0${variant}\0${text}\0${include}`).digest("hex");
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = opts.cacheDir === undefined ? STUB_CACHE_DIR : opts.cacheDir;
  const file = dir === null ? undefined : path.join(dir, `stub-${variant}.json`);
  if (file) {
    const disk = readCache(file, key);
    if (disk) {
      cache.set(key, disk);
      return disk;
    }
  }
  const built = await assembleStub(source, text, include, opts.benchVector === true);
  cache.set(key, built);
  if (file) writeCache(file, key, built);
  return built;
}

async function assembleStub(source: string, text: string, include: string, benchVector: boolean): Promise<StubImage> {
  const { assemble, formatDiagnostic } = await import("../asm/index.ts");
  const inc = new TextEncoder().encode(include);
  const res = assemble(text, {
    file: source,
    format: "bin",
    defines: benchVector ? { BENCH_NULL_VECTOR: "1" } : {},
    readFile: (p) => (path.basename(p) === "layout.inc" ? inc : tryRead(p)),
  });
  if (!res.ok) throw new Error("the ring-0 stub does not assemble:\n" + res.diagnostics.map(formatDiagnostic).join("\n"));
  return { bytes: res.bytes, symbols: new Map(res.symbols.map((s) => [s.name, s.value])) };
}

/** The cached stub in `file` if its key is `key`, else undefined (missing, stale or unreadable). */
function readCache(file: string, key: string): StubImage | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
    if (c.key !== key) return undefined;
    return { bytes: new Uint8Array(Buffer.from(c.bytes, "base64")), symbols: new Map(c.symbols) };
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (a concurrent reader sees the old file or the new one); failures are ignored. */
function writeCache(file: string, key: string, stub: StubImage): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const body: CacheFile = { key, bytes: Buffer.from(stub.bytes).toString("base64"), symbols: [...stub.symbols] };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, file);
  } catch {
    // a read-only checkout still works: the stub is assembled each time
  }
}

function tryRead(p: string): Uint8Array | undefined {
  try {
    return readFileSync(p);
  } catch {
    return undefined;
  }
}
