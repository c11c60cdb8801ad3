// The disk image a `run` or `boot` session uses: read (the default image is built on demand), checked,
// turned into what the kernel boots (boot/loader.ts), and saved back atomically if the guest wrote it.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { UserError } from "./errors.ts";
import type { KernelMode } from "../../kernel/kernel.ts";
import type { BootImage } from "../../boot/loader.ts";

export interface SessionDisk {
  file: string;
  boot: BootImage;
  /** Writes the guest's changes back to the file (atomically), if there were any. */
  save(): void;
  /** True if the guest changed the disk. */
  changed(): boolean;
}

/** Parses a --mode value. */
export function parseMode(command: string, value: string | undefined, fallback: KernelMode): KernelMode {
  if (value === undefined) return fallback;
  if (value === "monolithic" || value === "microkernel") return value;
  throw new UserError(`ringside ${command}: --mode must be monolithic or microkernel, not "${value}"`);
}

/** Opens `image` (default: build/ringside.img, built on demand) for a session. */
export async function openSessionDisk(image: string | undefined): Promise<SessionDisk> {
  const { loadBootImage, BootImageError } = await import("../../boot/loader.ts");
  let file = image;
  if (!file) {
    const { ensureDefaultImage } = await import("../image/default.ts");
    file = await ensureDefaultImage();
  }
  let disk: Uint8Array;
  try {
    const raw = readFileSync(file);
    disk = new Uint8Array(raw.length); // its own ArrayBuffer: the emulated disk writes into it
    disk.set(raw);
  } catch (e) {
    throw new UserError(`ringside: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (disk.length === 0 || disk.length % 512 !== 0) throw new UserError(`ringside: ${file}: not a disk image (size ${disk.length} is not a positive multiple of 512)`);
  let boot: BootImage;
  try {
    boot = loadBootImage(disk, file);
  } catch (e) {
    if (e instanceof BootImageError) throw new UserError(`ringside: cannot boot ${e.message}`);
    throw e;
  }
  const before = disk.slice();
  const path = file;
  return {
    file,
    boot,
    changed() {
      return Buffer.compare(before, disk) !== 0;
    },
    save() {
      if (Buffer.compare(before, disk) === 0) return;
      // Atomically: a reader of the image never sees half of it.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, disk);
      renameSync(tmp, path);
    },
  };
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
    text = readFileSync(value, "utf8");
  } catch (e) {
    throw new UserError(`ringside ${command}: --cost-model: cannot read ${value}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    return parseCostModel(text, value);
  } catch (e) {
    if (e instanceof CostModelError) throw new UserError(`ringside ${command}: --cost-model: ${e.message}`);
    throw e;
  }
}
