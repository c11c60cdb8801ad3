// The default disk image (docs/image.md "The default image"): the servers, the programs, the boot
// manifest and the text files under servers/files/, built into build/ringside.img on demand.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fromRoot } from "../paths.ts";
import { UserError } from "../errors.ts";
import { ImageError, Rsfs } from "../../kernel/fs/rsfs.ts";

/** The default image's size and inode count. */
export const DEFAULT_IMAGE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_INODES = 256;

/** Where the default image is cached. */
export const DEFAULT_IMAGE_PATH = fromRoot("build", "ringside.img");

/** Options for buildDefaultImage: a different size, or a different servers/ folder (tests). */
export interface DefaultImageOptions {
  totalBytes?: number;
  serversDir?: string;
}

/** Sorted names of the `.asm` files directly in `dir` ([] if it does not exist). */
function asmFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".asm"))
    .map((e) => e.name)
    .sort();
}

/** Every regular file under `dir`, as paths relative to it with "/" separators, sorted. */
function filesUnder(dir: string, rel = ""): string[] {
  const here = path.join(dir, rel);
  if (!existsSync(here)) return [];
  const out: string[] = [];
  for (const e of readdirSync(here, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Assembles one program; any failure becomes a UserError that names the file. */
async function assembleFile(file: string): Promise<Uint8Array> {
  const { assembleProgram } = await import("../asm/program.ts");
  const fromRepo = path.relative(fromRoot(), file);
  const rel = fromRepo.startsWith("..") || path.isAbsolute(fromRepo) ? file : fromRepo;
  try {
    return await assembleProgram(file, readFileSync(file, "utf8"));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UserError(`ringside: cannot build the default image: ${rel} does not assemble:\n${msg}`);
  }
}

/**
 * A fresh default image (deterministic: same sources, same bytes): servers/*.asm → /boot/<name>,
 * servers/apps/*.asm → /bin/<name>, servers/manifest → /boot/manifest, servers/files/** → /**.
 */
export async function buildDefaultImage(opts: DefaultImageOptions = {}): Promise<Uint8Array> {
  const servers = opts.serversDir ?? fromRoot("servers");
  const fs = Rsfs.format(opts.totalBytes ?? DEFAULT_IMAGE_BYTES, DEFAULT_INODES);
  const put = (imagePath: string, data: Uint8Array): void => {
    try {
      fs.writeFile(imagePath, data);
    } catch (e) {
      if (e instanceof ImageError) throw new UserError(`ringside: cannot build the default image: ${e.message}`);
      throw e;
    }
  };
  fs.mkdir("/boot");
  fs.mkdir("/bin");
  const manifest = path.join(servers, "manifest");
  if (existsSync(manifest)) put("/boot/manifest", new Uint8Array(readFileSync(manifest)));
  for (const name of asmFiles(servers)) put(`/boot/${name.slice(0, -4)}`, await assembleFile(path.join(servers, name)));
  const apps = path.join(servers, "apps");
  for (const name of asmFiles(apps)) put(`/bin/${name.slice(0, -4)}`, await assembleFile(path.join(apps, name)));
  const files = path.join(servers, "files");
  for (const rel of filesUnder(files)) put(`/${rel}`, new Uint8Array(readFileSync(path.join(files, rel))));
  return fs.bytes;
}

/** What the default image is made from: the servers and programs, the image writer, and the assembler. */
const imageSources = (): string[] => [fromRoot("servers"), fromRoot("tools", "image"), fromRoot("tools", "asm")];

/** Newest modification time (ms) of any file under the given folders. */
function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return newest;
}

/** The side file that records the SHA-256 of the default image as it was built ("<image>.built"). */
export const builtMarkerPath = (image: string): string => `${image}.built`;

/** SHA-256 of `bytes`, hex. */
export function imageHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The side file a session leaves when it writes the default image ("<image>.written"). */
export const writtenMarkerPath = (image: string): string => `${image}.written`;

/** Records that a session is writing `image` (the default image): from now on it is never rebuilt silently. */
export function markWritten(image: string): void {
  writeFileSync(writtenMarkerPath(image), `written by a ringside session (pid ${process.pid}) at ${new Date().toISOString()}\n`);
}

/** True if a session wrote `image` after it was built and its bytes are no longer the built ones. */
export function heldChanges(image: string): boolean {
  if (!existsSync(image) || !existsSync(writtenMarkerPath(image))) return false;
  const built = builtMarkerPath(image);
  return !existsSync(built) || readFileSync(built, "utf8").trim() !== imageHash(readFileSync(image));
}

/** Writes a freshly built default image to `out` atomically, then its marker; `stamp` is the source time it reflects. */
async function writeDefaultImage(out: string, stamp: number): Promise<void> {
  const bytes = await buildDefaultImage();
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  // Stamp it with the newest source time seen before building, so an edit made during the build
  // still counts as newer next time. (Rounded up past whole milliseconds: utimes keeps about that precision.)
  if (stamp > 0) utimesSync(tmp, new Date(), new Date(Math.ceil(stamp) + 1));
  renameSync(tmp, out); // atomic: a concurrent reader never sees half an image
  writeFileSync(builtMarkerPath(out), imageHash(bytes) + "\n");
  rmSync(writtenMarkerPath(out), { force: true });
}

/**
 * The path of build/ringside.img, rebuilt first if missing or older than its sources (imageSources) —
 * unless a guest has written it since it was built: then it is never rebuilt silently; it is kept as
 * it is and `onKept` (default: a note on stderr) says how to rebuild it (`ringside image reset`).
 */
export async function ensureDefaultImage(onKept: (note: string) => void = (n) => void process.stderr.write(n + "\n")): Promise<string> {
  const out = DEFAULT_IMAGE_PATH;
  const newest = newestMtime(imageSources());
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  if (heldChanges(out)) {
    onKept(
      `ringside: note: ${path.relative(process.cwd(), out) || out} is older than servers/ but holds files written in a session; ` +
        "using it as it is (not rebuilt). `ringside image reset` rebuilds it and discards those changes.",
    );
    return out;
  }
  await writeDefaultImage(out, newest);
  return out;
}

/** Rebuilds the default image from servers/ now, discarding any changes a guest made to it. */
export async function resetDefaultImage(): Promise<string> {
  await writeDefaultImage(DEFAULT_IMAGE_PATH, newestMtime(imageSources()));
  return DEFAULT_IMAGE_PATH;
}
