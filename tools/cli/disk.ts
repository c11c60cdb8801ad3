// The disk image a `run` or `boot` session uses: read (the default image is built on demand), checked,
// turned into what the kernel boots (boot/loader.ts), locked against a second writing session, and
// saved back atomically if the guest wrote it — or, with --snapshot, not written at all.
import { accessSync, constants, existsSync, openSync, closeSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.ts";
import { errnoText, readInputFile } from "../host-files.ts";
import { builtMarkerPath, imageHash, markWritten } from "../image/default.ts";
import type { KernelMode } from "../../kernel/kernel.ts";
import type { BootImage } from "../../boot/loader.ts";

export interface SessionDisk {
  file: string;
  boot: BootImage;
  /** Writes the guest's changes back to the file (atomically), if there were any and the disk is not a snapshot; releases the lock. */
  save(): void;
  /** True if the guest changed the disk (a snapshot disk: only if opened with `trackChanges`). */
  changed(): boolean;
}

/** Parses a --mode value. */
export function parseMode(command: string, value: string | undefined, fallback: KernelMode): KernelMode {
  if (value === undefined) return fallback;
  if (value === "monolithic" || value === "microkernel") return value;
  throw new UserError(`ringside ${command}: --mode must be monolithic or microkernel, not "${value}"`);
}

/** The file a path names, symlinks followed (the path itself if it does not exist yet). */
function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * The lock file of an image: it exists while a session may write the image back. It sits beside
 * the file the path names, so every spelling of it and every symlink to it share one lock.
 */
export const lockPath = (image: string): string => `${realFile(image)}.lock`;

/** The pid holding `image`'s lock, if a live process holds it (a stale lock left by a killed session is removed). */
export function lockHolder(image: string): number | undefined {
  const lock = lockPath(image);
  let pid: number;
  try {
    pid = Number(readFileSync(lock, "utf8").trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
    try {
      process.kill(pid, 0);
      return pid;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPERM") return pid;
    }
  }
  try {
    unlinkSync(lock);
  } catch {
    // someone else removed it
  }
  return undefined;
}

/** Takes `image`'s lock for this process; guarantees a UserError (before booting) if another live session holds it or the folder is not writable. */
function takeLock(image: string): () => void {
  const lock = lockPath(image);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new UserError(`cannot write ${image} back: ${path.dirname(image) || "."}: ${errnoText(e)}; use --snapshot to keep this session's writes in memory`);
      const holder = lockHolder(image);
      if (holder !== undefined) throw new UserError(`${image} is in use by another ringside session (pid ${holder}); wait for it to end, or add --snapshot to boot a copy in memory`);
      if (attempt > 3) throw new UserError(`cannot lock ${image}: ${lock} keeps reappearing`);
    }
  }
  const release = (): void => {
    try {
      if (readFileSync(lock, "utf8").trim() === String(process.pid)) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return release;
}

/** Throws (before anything boots) unless `file` can be written back: the file and its folder must be writable. */
function checkWritable(file: string): void {
  for (const [what, mode] of [[file, constants.W_OK], [path.dirname(file) || ".", constants.W_OK | constants.X_OK]] as const) {
    try {
      accessSync(what, mode);
    } catch (e) {
      throw new UserError(`cannot write ${file} back: ${what}: ${errnoText(e)}; use --snapshot to keep this session's writes in memory`);
    }
  }
}

/**
 * Opens `image` (default: build/ringside.img, built on demand) for a session. Unless `snapshot`, the
 * image is locked and checked writable now, so a session never learns only at its end that its
 * writes cannot be kept. A snapshot's disk is the image as read, with no copy of the original kept
 * (8 MiB less to allocate and copy) unless `trackChanges` asks for one, for `changed()`.
 */
export async function openSessionDisk(image: string | undefined, opts: { snapshot?: boolean; trackChanges?: boolean } = {}): Promise<SessionDisk> {
  const { loadBootImage, BootImageError } = await import("../../boot/loader.ts");
  let file = image;
  const isDefault = !file;
  if (!file) {
    const { ensureDefaultImage } = await import("../image/default.ts");
    const abs = await ensureDefaultImage();
    const rel = path.relative(process.cwd(), abs);
    file = rel && !rel.startsWith("..") ? rel : abs; // build/ringside.img from the repository root
  }
  const disk = readInputFile(file); // its own ArrayBuffer: the emulated disk writes into it
  // The image as read: what save() and changed() compare with.
  const before = !opts.snapshot || opts.trackChanges ? disk.slice() : undefined;
  if (disk.length === 0 || disk.length % 512 !== 0) throw new UserError(`${file}: not a disk image (size ${disk.length} is not a positive multiple of 512)`);
  let boot: BootImage;
  try {
    boot = loadBootImage(disk, file);
  } catch (e) {
    if (e instanceof BootImageError) throw new UserError(`cannot boot ${e.message}`);
    throw e;
  }
  const target = realFile(file); // written back there: a symlink to the image stays a symlink
  let release = (): void => {};
  if (!opts.snapshot) {
    checkWritable(target);
    release = takeLock(file);
  }
  return {
    file,
    boot,
    changed() {
      if (!before) throw new Error("changed() of a snapshot disk opened without trackChanges");
      return Buffer.compare(before, disk) !== 0;
    },
    save() {
      try {
        if (opts.snapshot || !before || Buffer.compare(before, disk) === 0) return;
        if (isDefault) recordBuilt(target, before);
        // Atomically: a reader of the image never sees half of it.
        const tmp = `${target}.${process.pid}.tmp`;
        try {
          writeFileSync(tmp, disk);
          renameSync(tmp, target);
        } catch (e) {
          const kept = `${target}.${process.pid}.unsaved`;
          let where = "";
          try {
            if (existsSync(tmp)) renameSync(tmp, kept);
            else writeFileSync(kept, disk);
            where = `; the session's disk is in ${kept}`;
          } catch {
            // nowhere to keep it
          }
          throw new UserError(`cannot write ${target} back: ${errnoText(e)}${where}`);
        }
      } finally {
        release();
      }
    },
  };
}

/** Before a session writes the default image: records that it did (a build marker too, if there is none yet), so it is never rebuilt over the guest's files. */
function recordBuilt(image: string, before: Uint8Array): void {
  try {
    if (!existsSync(builtMarkerPath(image))) writeFileSync(builtMarkerPath(image), imageHash(before) + "\n");
    markWritten(image);
  } catch {
    // best effort: without it the image counts as never written
  }
}

/** Parses every `--inject <service>:<fault>[@<when>]` value; a bad one is a UserError naming it. */
export async function parseInjections(command: string, values: string[]): Promise<import("../../kernel/faults.ts").FaultSpec[]> {
  const { parseFaultSpec, FaultSpecError } = await import("../../kernel/faults.ts");
  return values.map((v) => {
    try {
      return parseFaultSpec(v);
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UserError(`ringside ${command}: --inject: ${e.message}`);
      throw e;
    }
  });
}

/** Throws a UserError (before booting) if an injected fault names a service the image's manifest does not declare: a typo would otherwise strike nothing. */
export function checkInjectionTargets(command: string, faults: readonly import("../../kernel/faults.ts").FaultSpec[], boot: BootImage): void {
  const names = boot.manifest.servers.map((s) => s.name);
  for (const f of faults) {
    if (!names.includes(f.target)) throw new UserError(`ringside ${command}: --inject: no service named "${f.target}" in the image's manifest (services: ${names.join(", ")})`);
  }
}

/** Parses `--seed`: a non-negative integer (default 1). */
export function parseSeed(command: string, value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new UserError(`ringside ${command}: --seed needs an integer 0…4294967295, not "${value}"`);
  return Number(value);
}

/** Parses `--cost-model`: "off" (default), "on" (the default figures) or a JSON file of costs in ns. */
export async function parseCostModelOption(command: string, value: string | undefined): Promise<import("../../kernel/cost-model.ts").CostModel | undefined> {
  if (value === undefined || value === "off") return undefined;
  const { DEFAULT_COST_MODEL, parseCostModel, CostModelError } = await import("../../kernel/cost-model.ts");
  if (value === "on") return { ...DEFAULT_COST_MODEL };
  let text: string;
  try {
    text = new TextDecoder().decode(readInputFile(value)); // a regular file: a FIFO or device is refused, not read
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`ringside ${command}: --cost-model: ${e.message}`);
    throw e;
  }
  try {
    return parseCostModel(text, value);
  } catch (e) {
    if (e instanceof CostModelError) throw new UserError(`ringside ${command}: --cost-model: ${e.message}`);
    throw e;
  }
}
