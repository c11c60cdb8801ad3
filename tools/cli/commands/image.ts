// `ringside image build|ls|cat|fsck`: make and inspect RSFS v1 disk images (docs/image.md).
// Exit codes (exit-codes.ts): 0 success (fsck: clean), 1 fsck found problems, 2 any error (no stack traces).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { EXIT, UserError } from "../errors.ts";
import { escapeControl } from "../io.ts";
import { checkOutputPath, readInputFile, sameFile, writeWhole } from "../../host-files.ts";
import type { Rsfs } from "../../../kernel/fs/rsfs.ts";
import { MAGIC, SB } from "../../../kernel/fs/layout.ts";

const ERROR = EXIT.USAGE;
const MAX_SIZE_MIB = 1024;

/** Reads a host file; a missing, unreadable or non-regular one (a device, a FIFO) is a UserError. */
function readHost(file: string): Uint8Array {
  return readInputFile(file, ERROR);
}

/** Runs fn, turning an ImageError into a one-line UserError prefixed with `what`. */
async function imageOp<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  const { ImageError } = await import("../../../kernel/fs/rsfs.ts");
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ImageError) throw new UserError(`${what}: ${escapeControl(e.message)}`, ERROR);
    throw e;
  }
}

/** Opens the image file `file` (read into memory). */
async function openImage(file: string): Promise<Rsfs> {
  const bytes = readHost(file);
  const { Rsfs } = await import("../../../kernel/fs/rsfs.ts");
  return imageOp(file, () => Rsfs.open(bytes));
}

/** Parses `--add <host-file>[:<path>]`: the image path defaults to /home/<basename>; a path given must be absolute. */
export function parseAddSpec(spec: string): { host: string; target: string } {
  const colon = spec.lastIndexOf(":");
  if (colon > 0 && spec[colon + 1] === "/") return { host: spec.slice(0, colon), target: spec.slice(colon + 1) };
  if (spec.length === 0) throw new UserError("--add needs a file", ERROR);
  if (colon > 0 && unreadableAsIs(spec)) {
    throw new UserError(`--add ${spec}: the path in the image must be absolute (like ${spec.slice(0, colon)}:/home/${spec.slice(colon + 1)})`, ERROR);
  }
  return { host: spec, target: `/home/${path.basename(spec)}` };
}

/** True if `spec` is not itself the name of an existing host file (so a colon in it separates a path). */
function unreadableAsIs(spec: string): boolean {
  try {
    readInputFile(spec);
    return false;
  } catch {
    return true;
  }
}

/**
 * Throws a UserError if `output` is a regular file whose bytes differ from `bytes`: an image a session
 * wrote files into, or any other file, is not replaced without --force (building the same image again is).
 */
function refuseToReplace(output: string, bytes: Uint8Array): void {
  let old: Buffer;
  try {
    if (!statSync(output).isFile()) return; // a device, a FIFO: written in place
    old = readFileSync(output);
  } catch {
    return; // not there yet
  }
  if (old.equals(bytes)) return;
  const what = hasRsfsMagic(old) ? "an image that differs from the one built (files written into it would be lost)" : "a file that is not an RSFS image";
  throw new UserError(`-o ${output}: it exists and is ${what}; add --force to replace it`, ERROR);
}

/** True if `bytes` start with an RSFS superblock's magic (whatever else is wrong with them). */
function hasRsfsMagic(bytes: Uint8Array): boolean {
  return bytes.length >= SB.magic + 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(SB.magic, true) === MAGIC;
}

/** A byte count for people: 1234 bytes, 12 KiB, 3.5 MiB. */
function human(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Adds `ringside image` and its subcommands build, ls, cat and fsck. */
export function registerImage(program: Command): void {
  const image = program.command("image").description("build and inspect RSFS v1 disk images (docs/image.md)");

  image
    .command("build")
    .description("write the default disk image, plus any --add files")
    .option("-o, --output <img>", "output image file", "ringside.img")
    .option("--add <host-file[:path]>", "add a host file (default path in the image: /home/<basename>; repeatable)", collect, [])
    .option("--replace", "let --add replace a file the default image already has (e.g. /bin/sh)")
    .option("--size <MiB>", "image size in MiB (default 8)")
    .option("--force", "replace an existing output file that differs from the image built (its contents are lost)")
    .action(async (opts: { output: string; add: string[]; size?: string; replace?: boolean; force?: boolean }) => {
      const adds = opts.add.map(parseAddSpec).map((a) => ({ ...a, data: readHost(a.host) }));
      for (const a of adds) if (sameFile(a.host, opts.output)) throw new UserError(`-o ${opts.output}: that is the file --add ${a.host} reads; refusing to overwrite it`, ERROR);
      for (let i = 0; i < adds.length; i++) {
        const twin = adds.findIndex((b, j) => j < i && b.target === adds[i]!.target);
        if (twin >= 0) throw new UserError(`--add ${escapeControl(adds[twin]!.host)} and --add ${escapeControl(adds[i]!.host)} both write ${escapeControl(adds[i]!.target)}`, ERROR);
      }
      checkOutputPath("-o", opts.output);
      // A session writes its image back when it ends: a build under it would be lost (or lose the session's writes).
      const { lockHolder } = await import("../disk.ts");
      const holder = lockHolder(opts.output);
      if (holder !== undefined) throw new UserError(`${opts.output} is in use by another ringside session (pid ${holder}); wait for it to end`, ERROR);
      const { Rsfs } = await import("../../../kernel/fs/rsfs.ts");
      const { buildDefaultImage } = await import("../../image/default.ts");
      const mib = opts.size === undefined ? undefined : Number(opts.size);
      if (mib !== undefined && (!/^\d+$/.test(opts.size!) || mib < 1 || mib > MAX_SIZE_MIB)) {
        throw new UserError(`--size must be a whole number of MiB from 1 to ${MAX_SIZE_MIB}, not "${opts.size}"`, ERROR);
      }
      let bytes: Uint8Array;
      try {
        // Always fresh: build/ringside.img is also the disk `ringside boot` writes back to.
        bytes = await buildDefaultImage(mib === undefined ? {} : { totalBytes: mib * 1024 * 1024 });
      } catch (e) {
        if (e instanceof UserError) throw new UserError(e.message, ERROR);
        throw e;
      }
      const fs = Rsfs.open(bytes);
      for (const a of adds) {
        const what = `--add ${escapeControl(a.host)}:${escapeControl(a.target)}`;
        const there = await imageOp(what, () => fs.stat(a.target));
        if (there && !opts.replace) {
          throw new UserError(`${what}: the default image already has ${escapeControl(a.target)}${there.type === "dir" ? " (a directory)" : ""}; add --replace to replace it`, ERROR);
        }
        await imageOp(`cannot add ${escapeControl(a.host)}`, () => fs.writeFile(a.target, a.data));
      }
      if (!opts.force) refuseToReplace(opts.output, fs.bytes);
      await writeWhole(opts.output, async (write) => write(fs.bytes));
      const st = fs.statfs();
      const used = (st.totalBlocks - st.freeBlocks) * 4096;
      const files = st.inodeCount - 2 - st.freeInodes; // inode 0 and the root are not files
      process.stdout.write(`wrote ${opts.output}: RSFS v1, ${human(bytes.length)}, ${files} files and directories, ${human(used)} used\n`);
      for (const a of adds) process.stdout.write(`  added ${escapeControl(a.target)} (${human(a.data.length)}) from ${escapeControl(a.host)}\n`);
    });

  image
    .command("ls")
    .description("list a directory in an image (type, size, name; directories end in /)")
    .argument("<img>", "image file")
    .argument("[path]", "directory or file in the image", "/")
    .action(async (img: string, where: string) => {
      const fs = await openImage(img);
      const entries = await imageOp(img, () => {
        const st = fs.stat(where);
        if (!st) throw new UserError(`${img}: ${where}: no such file or directory`, ERROR);
        return st.type === "dir" ? fs.list(where) : [st];
      });
      const lines = entries.map((e) => `${e.type.padEnd(4)} ${String(e.size).padStart(8)}  ${escapeControl(e.name)}${e.type === "dir" ? "/" : ""}\n`);
      process.stdout.write(lines.join(""));
    });

  image
    .command("cat")
    .description("write a file from an image to stdout, byte for byte")
    .argument("<img>", "image file")
    .argument("<path>", "file in the image")
    .action(async (img: string, file: string) => {
      const fs = await openImage(img);
      const data = await imageOp(img, () => fs.readFile(file));
      process.stdout.write(data);
    });

  image
    .command("reset")
    .description("rebuild the default image (build/ringside.img) from servers/, discarding what sessions wrote to it")
    .action(resetImage);

  image
    .command("fsck")
    .description('check an image: prints "clean" (exit 0) or one line per problem (exit 1)')
    .argument("<img>", "image file")
    .action(async (img: string) => {
      const bytes = readHost(img);
      // Not a disk at all (as boot says): nothing to check. A disk whose file system is damaged is fsck's business.
      if (bytes.length === 0 || bytes.length % 512 !== 0) throw new UserError(`${img}: not a disk image (size ${bytes.length} is not a positive multiple of 512)`, ERROR);
      const { Rsfs } = await import("../../../kernel/fs/rsfs.ts");
      // No RSFS magic: not an RSFS image at all (as ls and cat say), rather than a damaged one.
      if (!hasRsfsMagic(bytes)) throw new UserError(`${img}: not an RSFS v1 image (it does not start with "RSFS")`, ERROR);
      const problems = Rsfs.check(bytes);
      if (problems.length === 0) {
        process.stdout.write("clean\n");
        return;
      }
      // a corrupt name may hold any bytes: shown escaped, never as raw control characters
      process.stdout.write(problems.map((p) => escapeControl(p) + "\n").join(""));
      process.stdout.write(`${img}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
      process.exitCode = EXIT.FAILED;
    });
}

/** `image reset`: rebuilds the default image from servers/, discarding what sessions wrote to it (refused while a session holds it). */
async function resetImage(): Promise<void> {
  const { DEFAULT_IMAGE_PATH, heldChanges, resetDefaultImage } = await import("../../image/default.ts");
  const { lockHolder } = await import("../disk.ts");
  const rel = path.relative(process.cwd(), DEFAULT_IMAGE_PATH);
  const name = rel && !rel.startsWith("..") ? rel : DEFAULT_IMAGE_PATH;
  const holder = lockHolder(DEFAULT_IMAGE_PATH);
  if (holder !== undefined) throw new UserError(`${name} is in use by a ringside session (pid ${holder}); end it first`, ERROR);
  const discarded = heldChanges(DEFAULT_IMAGE_PATH);
  await resetDefaultImage();
  process.stdout.write(`rebuilt ${name} from servers/${discarded ? " (the files sessions had written to it are gone)" : ""}\n`);
}

/** Commander helper: accumulates a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
