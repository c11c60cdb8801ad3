// The host-side boot loader: reads a ringside disk image's file system, parses /boot/manifest, and
// turns it into what the kernel boots — init as the first program (with the server names and the
// shell in its argv) and every server as a boot module — plus the disk itself.
import { ImageError, Rsfs } from "../kernel/fs/rsfs.ts";
import { ManifestError, parseManifest, type Manifest } from "../kernel/manifest.ts";
import { loadImage, type ProgramSpec } from "../kernel/exec.ts";
import { ElfError, isElf } from "../kernel/elf.ts";

export const MANIFEST_PATH = "/boot/manifest";

export interface BootImage {
  manifest: Manifest;
  /** init, with argv = [init, servers…, "--", shell program]. */
  programs: ProgramSpec[];
  /** The servers, by manifest name. */
  modules: ProgramSpec[];
  /** The whole disk (the kernel's ATA master; guest writes land here). */
  hda: Uint8Array;
}

export class BootImageError extends Error {}

/**
 * A copy of an ELF program whose header lists no section headers (e_shnum = 0); other images as they
 * are. Section headers only locate the symbol table, which kernel/elf.ts reads best-effort after every
 * check (a bad one yields no symbols, never an error): whether a program is valid, and the error if it
 * is not, are the same without them — and checking skips decoding every symbol name, which the kernel
 * does anyway when it loads the program.
 */
function withoutSectionHeaders(image: Uint8Array): Uint8Array {
  if (!isElf(image) || image.length < 52) return image;
  const copy = image.slice();
  copy[48] = 0;
  copy[49] = 0;
  return copy;
}

/** Reads the manifest and the server programs from `disk`; throws BootImageError with a clear message. */
export function loadBootImage(disk: Uint8Array, label = "the image"): BootImage {
  try {
    const fs = Rsfs.open(disk);
    const text = new TextDecoder().decode(fs.readFile(MANIFEST_PATH));
    const manifest = parseManifest(text, `${label}:${MANIFEST_PATH}`);
    const program = (name: string, path: string, argv: string[]): ProgramSpec => {
      const image = fs.readFile(path);
      try {
        loadImage(withoutSectionHeaders(image));
      } catch (e) {
        throw new BootImageError(`${label}: ${path} (${name}) is not a valid program: ${(e as Error).message}`);
      }
      return { name, image, argv };
    };
    const init = program(manifest.init.name, manifest.init.program, [manifest.init.name, ...manifest.servers.map((s) => s.name), "--", manifest.shell.program]);
    const modules = manifest.servers.map((s) => program(s.name, s.program, [s.name]));
    if (!fs.stat(manifest.shell.program)) throw new BootImageError(`${label}: the shell ${manifest.shell.program} named in ${MANIFEST_PATH} does not exist`);
    return { manifest, programs: [init], modules, hda: disk };
  } catch (e) {
    if (e instanceof BootImageError) throw e;
    if (e instanceof ImageError || e instanceof ManifestError || e instanceof ElfError) throw new BootImageError(`${label}: ${e.message}`);
    throw e;
  }
}
