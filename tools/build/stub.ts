// Builds the ring-0 stub image from boot/stub.asm with the project's assembler, layout.inc generated
// from kernel/layout.ts. Built once per process and cached.
import { readFileSync } from "node:fs";
import path from "node:path";
import { layoutInclude } from "../../kernel/layout.ts";
import type { StubImage } from "../../kernel/stub-image.ts";
import { fromRoot } from "../paths.ts";

export type { StubImage } from "../../kernel/stub-image.ts";

export const STUB_SOURCE = fromRoot("boot", "stub.asm");
const cache = new Map<string, StubImage>();

/** Assembles the stub; `benchVector` adds the bench-only vectors 0x81 (iret) and 0x82 (CR3 reload, iret). */
export async function buildStub(opts: { benchVector?: boolean } = {}): Promise<StubImage> {
  const key = opts.benchVector ? "bench" : "std";
  const hit = cache.get(key);
  if (hit) return hit;
  const { assemble, formatDiagnostic } = await import("../asm/index.ts");
  const include = new TextEncoder().encode(layoutInclude());
  const res = assemble(readFileSync(STUB_SOURCE, "utf8"), {
    file: STUB_SOURCE,
    format: "bin",
    defines: opts.benchVector ? { BENCH_NULL_VECTOR: "1" } : {},
    readFile: (p) => (path.basename(p) === "layout.inc" ? include : tryRead(p)),
  });
  if (!res.ok) throw new Error("the ring-0 stub does not assemble:\n" + res.diagnostics.map(formatDiagnostic).join("\n"));
  const built = { bytes: res.bytes, symbols: new Map(res.symbols.map((s) => [s.name, s.value])) };
  cache.set(key, built);
  return built;
}

function tryRead(p: string): Uint8Array | undefined {
  try {
    return readFileSync(p);
  } catch {
    return undefined;
  }
}
