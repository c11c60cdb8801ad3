// Ring-0 code in each shape, counted from the build: the TypeScript kernel (lines of code, and the
// bytes of a minified bundle of exactly the modules that run in ring 0), the stub, and the ring-3
// servers the monolithic shape moves into the kernel.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { buildStub } from "../build/stub.ts";
import { fromRoot } from "../paths.ts";

/** In-kernel services: ring 0 only in the monolithic shape. */
const MONOLITHIC_ONLY = [/^kernel\/drivers\/(console|keyboard|disk|line-discipline)\.ts$/, /^kernel\/fs\//];
/** Build-time generators under kernel/ that never run in ring 0. */
const NOT_RUNTIME = [/^kernel\/abi-include\.ts$/, /^kernel\/fs\/rsfs-include\.ts$/];
/** The ring-3 servers whose work the monolithic shape does in the kernel. */
const SERVERS = ["console.asm", "keyboard.asm", "disk.asm", "fs.asm"];

function files(dir: string): string[] {
  return readdirSync(fromRoot(dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

/** Lines that hold code (not blank, not only a comment). */
function codeLines(file: string, comment: RegExp): number {
  return readFileSync(fromRoot(file), "utf8").split("\n").filter((l) => l.trim() && !comment.test(l.trim())).length;
}

/** Minified bytes of `entries` bundled with everything outside kernel/ left out. */
async function bundleBytes(entries: string[]): Promise<number> {
  const r = await build({
    stdin: { contents: entries.map((e) => `export * from ${JSON.stringify("./" + e)};`).join("\n"), resolveDir: fromRoot(), loader: "ts" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "silent",
    plugins: [{ name: "kernel-only", setup(b) {
      b.onResolve({ filter: /.*/ }, (a) => {
        if (a.kind === "entry-point" || !a.importer) return undefined;
        const abs = path.resolve(a.resolveDir, a.path);
        return abs.startsWith(fromRoot("kernel") + path.sep) ? undefined : { path: a.path, external: true };
      });
    } }],
  });
  return r.outputFiles.reduce((n, f) => n + f.contents.length, 0);
}

export interface RingZero {
  monolithic: { lines: number; bytes: number };
  microkernel: { lines: number; bytes: number };
  stubBytes: number;
  serverLines: number;
}

/** Counts ring-0 code in each shape. */
export async function ringZeroCode(): Promise<RingZero> {
  const ts = files("kernel").filter((f) => f.endsWith(".ts") && !NOT_RUNTIME.some((r) => r.test(f)));
  const micro = ts.filter((f) => !MONOLITHIC_ONLY.some((r) => r.test(f)));
  const tsComment = /^(\/\/|\*|\/\*)/;
  const lines = (fs: string[]) => fs.reduce((n, f) => n + codeLines(f, tsComment), 0);
  const inKernel = ["kernel/drivers/console.ts", "kernel/drivers/keyboard.ts", "kernel/drivers/disk.ts", "kernel/fs/fs-service.ts"];
  const serverFiles = [...SERVERS.map((s) => `servers/${s}`), "servers/lib/server.inc", ...files("servers/fs").filter((f) => f.endsWith(".inc"))];
  return {
    microkernel: { lines: lines(micro), bytes: await bundleBytes(["kernel/kernel.ts"]) },
    monolithic: { lines: lines(ts), bytes: await bundleBytes(["kernel/kernel.ts", ...inKernel]) },
    stubBytes: (await buildStub()).bytes.length,
    serverLines: serverFiles.reduce((n, f) => n + codeLines(f, /^;/), 0),
  };
}
