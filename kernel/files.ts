// Per-process open files: what each descriptor refers to (a device service such as the console, or
// an inode of the file service) and its offset. The services keep no per-client state.
import { E } from "./names.ts";

export const MAX_FDS = 16;

/** One open file description. */
export interface OpenFile {
  /** The service that serves it: "fs", or a device ("console", any /dev/<name>). */
  server: string;
  /** Inode number (fs), 0 for a device. */
  ino: number;
  offset: number;
  /** open(2) flags. */
  flags: number;
  /** FTYPE: 1 file, 2 directory (fs), 0 a device. */
  type: number;
  /** The size the server last reported (for O_APPEND and SEEK_END). */
  size: number;
}

/** A process's descriptor table. */
export class FileTable {
  readonly fds: (OpenFile | null)[] = new Array<OpenFile | null>(MAX_FDS).fill(null);

  /** A table with 0, 1 and 2 open on the console. */
  static standard(): FileTable {
    const t = new FileTable();
    for (let fd = 0; fd < 3; fd++) t.fds[fd] = { server: "console", ino: 0, offset: 0, flags: fd === 0 ? 0 : 1, type: 0, size: 0 };
    return t;
  }

  /** The open file for `fd`, or undefined for a bad or closed descriptor. */
  get(fd: number): OpenFile | undefined {
    return fd >= 0 && fd < MAX_FDS ? (this.fds[fd] ?? undefined) : undefined;
  }

  /** True if a descriptor is free. */
  hasFree(): boolean {
    return this.fds.includes(null);
  }

  /** Installs `f` at the lowest free descriptor; returns it, or -EMFILE. */
  add(f: OpenFile): number {
    const fd = this.fds.indexOf(null);
    if (fd < 0) return -E.MFILE;
    this.fds[fd] = f;
    return fd;
  }

  /** Closes `fd`; returns what was open there. */
  remove(fd: number): OpenFile | undefined {
    const f = this.get(fd);
    if (f) this.fds[fd] = null;
    return f;
  }
}
