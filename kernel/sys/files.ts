// POSIX file calls: the kernel turns each into a request to the service that owns the resource — the
// file service ("fs") or a device ("console", /dev/<name>) — on the caller's behalf, whether that
// service is a ring-3 server (the trace shows the messages) or runs in the kernel (the trace shows
// `service` events). The kernel keeps the descriptor table and offsets; the services keep no
// per-client state.
import { E } from "../names.ts";
import { FS_APPEND, FS_FLAG, FTYPE, IPC_MAX, MSG, O, SEEK } from "../protocol.ts";
import type { SyscallHandler } from "../syscall-contract.ts";
import type { Process } from "../process.ts";
import { release, type OpenFile } from "../files.ts";
import { resolvePath } from "../path.ts";
import type { KernelApi } from "../kernel-api.ts";
import { SIG, sendSignal } from "../signals.ts";

const MAX_PATH = 255;
const MAX_COMPONENT = 27;

/** An IPC failure seen by a POSIX caller: the server is gone → EIO; anything else as is. */
function ioError(err: number): number {
  return err === -E.SRCH ? -E.IO : err;
}

/** A reply whose w0 is the whole result. */
const resultOnly = { done: (w0: number) => w0 | 0, failed: ioError };

/**
 * Reads a path argument and resolves it against the caller's working directory (kernel/path.ts):
 * the NUL-terminated absolute path as kernel bytes, or -errno.
 */
export function pathArg(p: Process, ptr: number): Uint8Array | number {
  const s = p.as.readString(ptr >>> 0, MAX_PATH + 1);
  if (s === null) return p.as.readable(ptr >>> 0, 1) ? -E.NAMETOOLONG : -E.FAULT;
  if (s.length === 0) return -E.NOENT;
  const abs = resolvePath(p.cwd, s);
  if (abs.length > MAX_PATH) return -E.NAMETOOLONG;
  if (abs.split("/").some((c) => c.length > MAX_COMPONENT)) return -E.NAMETOOLONG;
  return new TextEncoder().encode(abs + "\0");
}

/** The device prefix of the namespace: open("/dev/<name>") opens service <name>. */
const DEV = "/dev/";

/** The service name of a /dev/<name> path (kernel bytes, NUL-terminated), or null for any other path. */
function deviceName(path: Uint8Array): string | null {
  const s = new TextDecoder().decode(path.subarray(0, path.length - 1));
  if (!s.startsWith(DEV)) return null;
  const name = s.slice(DEV.length);
  return name.length > 0 && !name.includes("/") ? name : null;
}

/** read(fd, buf, count). */
export const sysRead: SyscallHandler = (k, p, fd, buf, count) => {
  const t = p.files;
  const f = t?.get(fd);
  if (!f) return -E.BADF;
  if ((count | 0) < 0) return -E.INVAL;
  if (count === 0) return 0;
  if ((f.flags & O.ACCMODE) === O.WRONLY) return -E.BADF;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, true)) return -E.FAULT;
  if (f.server === "pipe") return k.serviceRequest(p, "pipe", MSG.PIPE_READ, f.ino, 0, null, buf >>> 0, n, resultOnly);
  if (f.server !== "fs") return k.serviceRequest(p, f.server, MSG.DEV_READ, n, 0, null, buf >>> 0, n, resultOnly);
  if (f.type === FTYPE.DIR) return -E.ISDIR;
  return k.serviceRequest(p, "fs", MSG.FS_READ, f.ino, f.offset, null, buf >>> 0, n, {
    // The server cannot see the count (it is the reply capacity): it may send more than fit. What
    // the caller got is what arrived; the offset moves by that much (the server keeps no state).
    done: (w0, _w1, _w2, bytes) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const got = Math.min(w0, bytes);
      f.offset += got;
      return got;
    },
    failed: ioError,
  });
};

/** write(fd, buf, count). */
export const sysWrite: SyscallHandler = (k, p, fd, buf, count) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if ((count | 0) < 0) return -E.INVAL;
  if (count === 0) return 0;
  if ((f.flags & O.ACCMODE) === O.RDONLY) return -E.BADF;
  if (f.server === "pipe") return k.touchUser(p, buf >>> 0, count, false) ? pipeWrite(k, p, f.ino, buf >>> 0, count, 0) : -E.FAULT;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, false)) return -E.FAULT;
  const payload = { va: buf >>> 0, len: n };
  if (f.server !== "fs") return k.serviceRequest(p, f.server, MSG.DEV_WRITE, 0, 0, payload, 0, 0, resultOnly);
  // O_APPEND: the file service writes at the size it knows (another descriptor may have grown the file).
  const at = f.flags & O.APPEND ? FS_APPEND : f.offset;
  return k.serviceRequest(p, "fs", MSG.FS_WRITE, f.ino, at, payload, 0, 0, {
    done: (w0, w1, w2) => {
      if ((w0 | 0) >= 0) {
        f.offset = (w2 >>> 0) + w0;
        f.size = w1 >>> 0;
      }
      return w0 | 0;
    },
    failed: ioError,
  });
};

/**
 * open(path, flags, mode): /dev/<name> opens a device service; any other path asks the file
 * service for the inode. The descriptor lives in the kernel.
 */
export const sysOpen: SyscallHandler = (k, p, pathPtr, flags) => {
  const t = p.files;
  if (!t) return -E.NOSYS;
  const path = pathArg(p, pathPtr);
  if (typeof path === "number") return path;
  if (!t.hasFree()) return -E.MFILE;
  const dev = deviceName(path);
  if (dev !== null) {
    if (!k.isDevice(dev)) return -E.NOENT;
    if (!k.serviceRunning(dev)) return -E.NXIO;
    return t.add({ server: dev, ino: 0, offset: 0, flags, type: 0, size: 0 });
  }
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, flags, privileged(p), path, 0, 0, {
    done: (w0, w1, w2) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const f: OpenFile = { server: "fs", ino: w0, offset: 0, flags, type: w2, size: w1 >>> 0 };
      return t.add(f);
    },
    failed: ioError,
  });
};

/**
 * A pipe write of [buf, buf+n) of which `done` bytes are written: asks the pipe service to take
 * the rest (at most IPC_MAX bytes a request), again and again, until all of it is in the pipe (a
 * blocking write to a pipe writes everything, as Linux's). A closed read end is SIGPIPE (which
 * terminates the writer unless it ignores SIGPIPE) and -EPIPE (or the bytes written before).
 */
function pipeWrite(k: KernelApi, p: Process, id: number, buf: number, n: number, done: number): number {
  return k.serviceRequest(p, "pipe", MSG.PIPE_WRITE, id, 0, { va: buf + done, len: Math.min(n - done, IPC_MAX) }, 0, 0, {
    done: (w0) => {
      const r = w0 | 0;
      if (r === -E.PIPE) {
        sendSignal(k, p, SIG.PIPE);
        return done > 0 ? done : r;
      }
      if (r < 0) return done > 0 ? done : r;
      if (done + r >= n) return done + r;
      return pipeWrite(k, p, id, buf, n, done + r); // r = 0: room now, write again
    },
    failed: ioError,
  });
}

/** close(fd): the last descriptor of an open file description closes it. */
export const sysClose: SyscallHandler = (k, p, fd) => {
  const f = p.files?.remove(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs") {
    k.closeFile(p, f);
    return 0;
  }
  if (!release(f)) return 0;
  return k.serviceRequest(p, "fs", MSG.FS_CLOSE, f.ino, 0, null, 0, 0, resultOnly);
};

/**
 * unlink(path) and rmdir(path). The file service frees the inode at once and names it (w1): every
 * descriptor still open on it is cut off (its inode becomes 0, which the service answers -EBADF),
 * so it can never reach the next file that gets the inode.
 */
function removeCall(dir: boolean): SyscallHandler {
  return (k, p, pathPtr) => {
    if (!p.files) return -E.NOSYS;
    const path = pathArg(p, pathPtr);
    if (typeof path === "number") return path;
    return k.serviceRequest(p, "fs", MSG.FS_UNLINK, dir ? 1 : 0, privileged(p), path, 0, 0, {
      done: (w0, w1) => {
        if ((w0 | 0) === 0 && w1 !== 0) cutOff(k, w1 >>> 0);
        return w0 | 0;
      },
      failed: ioError,
    });
  };
}

/** Every open file description of inode `ino` of the file service now names no inode (0). */
function cutOff(k: KernelApi, ino: number): void {
  for (const q of k.liveProcesses()) {
    const t = q.files;
    if (!t) continue;
    for (const f of t.fds) if (f && f.server === "fs" && f.ino === ino) f.ino = 0;
  }
}
export const sysUnlink = removeCall(false);
export const sysRmdir = removeCall(true);

/** mkdir(path, mode). */
export const sysMkdir: SyscallHandler = (k, p, pathPtr) => {
  if (!p.files) return -E.NOSYS;
  const path = pathArg(p, pathPtr);
  if (typeof path === "number") return path;
  return k.serviceRequest(p, "fs", MSG.FS_MKDIR, 0, privileged(p), path, 0, 0, resultOnly);
};

/**
 * lseek(fd, offset, whence): kernel-side, except SEEK_END on a file, which asks the file service for
 * the size (a read of 0 bytes at the end: another descriptor may have grown the file).
 */
export const sysLseek: SyscallHandler = (k, p, fd, offset, whence) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs") return -E.SPIPE; // a device or a pipe
  const seek = (base: number): number => {
    const pos = base + (offset | 0);
    if (pos < 0 || pos > 0x7fffffff) return -E.INVAL;
    f.offset = pos;
    return pos;
  };
  if (whence === SEEK.END && f.type === FTYPE.FILE) {
    return k.serviceRequest(p, "fs", MSG.FS_READ, f.ino, 0xffffffff, null, 0, 0, {
      done: (w0, w1) => {
        if ((w0 | 0) < 0) return w0 | 0;
        f.size = w1 >>> 0;
        return seek(f.size);
      },
      failed: ioError,
    });
  }
  const base = whence === SEEK.SET ? 0 : whence === SEEK.CUR ? f.offset : whence === SEEK.END ? f.size : NaN;
  if (Number.isNaN(base)) return -E.INVAL;
  return seek(base);
};

/** getdents(fd, buf, count): linux_dirent records from the file server. */
export const sysGetdents: SyscallHandler = (k, p, fd, buf, count) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "fs" || f.type !== FTYPE.DIR) return -E.NOTDIR;
  if ((count | 0) <= 0) return -E.INVAL;
  const n = Math.min(count, IPC_MAX);
  if (!k.touchUser(p, buf >>> 0, n, true)) return -E.FAULT;
  return k.serviceRequest(p, "fs", MSG.FS_READDIR, f.ino, f.offset, null, buf >>> 0, n, {
    done: (w0, w1, _w2, bytes) => {
      if ((w0 | 0) < 0) return w0 | 0;
      if (bytes >= w0) {
        f.offset = w1 >>> 0;
        return w0;
      }
      // Cut to the caller's count: keep the whole records and continue after the last of them.
      const got = new Uint8Array(bytes);
      if (!p.as.copyIn(buf >>> 0, bytes, got)) return -E.FAULT;
      const dv = new DataView(got.buffer);
      let pos = 0, next = f.offset;
      while (pos + 10 <= bytes) {
        const reclen = dv.getUint16(pos + 8, true);
        if (reclen < 12 || pos + reclen > bytes) break;
        next = dv.getUint32(pos + 4, true);
        pos += reclen;
      }
      if (pos === 0) return -E.INVAL; // the buffer cannot hold one record (as Linux)
      f.offset = next;
      return pos;
    },
    failed: ioError,
  });
};


/** FS_FLAG bits for p's path requests: PRIVILEGED for a server (it may write /boot; programs may not). */
function privileged(p: Process): number {
  return p.priv ? FS_FLAG.PRIVILEGED : 0;
}
