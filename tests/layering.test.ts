// The folder graph is a DAG: the CLI on top, tools below it, then boot, kernel and the
// emulator at the bottom. Nothing imports the CLI, the kernel and boot import no host tool, the
// emulator imports no kernel; and every kernel module can be imported on its own (no import cycle
// that only works in one order).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.ts";

/** Every .ts file under `dir` (repository-relative, "/"-separated), sorted. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = `${rel}/${d.name}`;
      if (d.isDirectory()) walk(r);
      else if (d.name.endsWith(".ts") && !d.name.endsWith(".d.ts")) out.push(r);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The repository files `file` imports: static `import … from`, `export … from`, bare `import "…"`
 * and dynamic `import("…")` with a relative specifier (packages are not layers).
 */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specs = new Set<string>();
  for (const re of [/\b(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const m of text.matchAll(re)) specs.add(m[1]);
  }
  return [...specs].filter((s) => s.startsWith(".")).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

const under = (file: string, dir: string) => file.startsWith(dir + "/");

/** What a file may not import, by layer; the reason is shown with each broken edge. */
function forbidden(from: string, to: string): string | undefined {
  if (under(to, "tools/cli") && !under(from, "tools/cli") && !under(from, "tests")) return "nothing below the CLI imports tools/cli";
  if (under(from, "kernel") && under(to, "tools")) return "the kernel imports no host tool";
  if (under(from, "boot") && under(to, "tools")) return "boot imports no host tool";
  if (under(from, "emulator") && (under(to, "kernel") || under(to, "tools") || under(to, "boot"))) return "the emulator imports nothing above it";
  return undefined;
}


describe("layering", () => {
  const files = ["emulator", "boot", "kernel", "tools", "servers", "tests"].flatMap((d) => {
    try {
      return tsFiles(d);
    } catch {
      return []; // a layer with no TypeScript yet
    }
  });

  it("finds the import lines it checks", () => {
    expect(importsOf("tools/cli/program.ts")).toContain("tools/asm/program.ts");
    expect(importsOf("tools/image/default.ts")).toContain("tools/asm/program.ts"); // a dynamic import
    expect(files.length).toBeGreaterThan(100);
  });

  it("keeps the folder graph a DAG: nothing imports the CLI, the kernel and boot import no tool, the emulator imports no kernel", () => {
    const broken: string[] = [];
    for (const from of files) {
      for (const to of importsOf(from)) {
        const why = forbidden(from, to);
        if (!why) continue;
        const edge = `${from} -> ${to}`;
        broken.push(`${edge} (${why})`);
      }
    }
    expect(broken).toEqual([]);
  });

});

/** Every kernel module can be imported first, on its own (no import cycle at runtime). */
describe("every kernel module imports on its own", () => {
  const kernel = tsFiles("kernel");
  let results: Record<string, string | null> = {};

  beforeAll(() => {
    // One child process; tsx's tsImport gives each import its own module namespace, so each file is
    // evaluated in a fresh module graph, exactly as `node --import tsx -e "await import(file)"` would.
    const script = `
      import { tsImport } from "tsx/esm/api";
      import { pathToFileURL } from "node:url";
      const out = {};
      for (const f of JSON.parse(process.argv[1])) {
        try { await tsImport(pathToFileURL(f).href, import.meta.url); out[f] = null; }
        catch (e) { out[f] = String(e && e.message || e).split("\\n")[0]; }
      }
      process.stdout.write(JSON.stringify(out));
      process.exit(0);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(kernel)], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`import probe failed: ${r.stderr}`);
    results = JSON.parse(r.stdout) as Record<string, string | null>;
  });

  for (const file of kernel) {
    it(file, () => {
      expect(results[file], file).toBeNull();
    });
  }
});
