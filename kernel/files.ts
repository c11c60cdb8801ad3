// Per-process open files: what each descriptor refers to (a device service such as the console, an
// inode of the file service, or one end of a pipe) and its offset. The services keep no per-client
// state. An open file description may be shared — by fork, dup and dup2, as in Linux — and then its
// offset is shared too; `refs` counts the descriptors (in every table) that refer to it.
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
  /** Descriptors referring to this description, in all tables (absent = 1). */
  refs?: number;
}

/** One more descriptor refers to `f`. */
export function retain(f: OpenFile): OpenFile {
  f.refs = (f.refs ?? 1) + 1;
  return f;
}

/** One descriptor less refers to `f`; true if it was the last (the description is closed). */
export function release(f: OpenFile): boolean {
  const n = (f.refs ?? 1) - 1;
  f.refs = n;
  return n <= 0;
}

/** A process's descriptor table. */
export class FileTable {
  readonly fds: (OpenFile | null)[] = new Array<OpenFile | null>(MAX_FDS).fill(null);
  /** Close-on-exec flags (bit n = descriptor n). */
  cloexec = 0;

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

  /** Closes `fd`; returns what was open there (the caller releases it). */
  remove(fd: number): OpenFile | undefined {
    const f = this.get(fd);
    if (f) {
      this.fds[fd] = null;
      this.cloexec &= ~(1 << fd);
    }
    return f;
  }

  /** Installs `f` (already retained by the caller) at descriptor `fd`, which must be free. */
  put(fd: number, f: OpenFile): void {
    this.fds[fd] = f;
    this.cloexec &= ~(1 << fd);
  }

  /** A copy for a forked child: the same descriptions (each retained once more), the same flags. */
  fork(): FileTable {
    const t = new FileTable();
    for (let fd = 0; fd < MAX_FDS; fd++) {
      const f = this.fds[fd];
      if (f) t.fds[fd] = retain(f);
    }
    t.cloexec = this.cloexec;
    return t;
  }
}
