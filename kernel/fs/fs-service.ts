// The file system as an in-kernel service (monolithic mode): the "fs" service answers the FS_*
// protocol (docs/microkernel.md "Server protocols") exactly as the ring-3 file server
// servers/fs.asm does — the same reply words, payloads and errors for every request, and the same
// blocks and inodes allocated — over the RSFS library (kernel/fs/rsfs.ts) on the "disk" service's
// block device. Write-through: every change is on the device before the reply.
//
// The job, as fs.asm's:  mount (find the disk, check the superblock) · for each request: dispatch
// on w0, do the work, reply. Until a mount succeeds every request is answered -EIO; a device error
// answers -EIO and unmounts (the next request mounts again). Nothing a client sends is trusted.
import { E } from "../abi/errno.ts";
import { DT, FS_APPEND, FS_FLAG, FTYPE, IPC_MAX, MSG, O } from "../protocol.ts";
import { reply, type KernelService, type ServiceEnv, type ServiceReply, type ServiceRequest } from "../service.ts";
import { DeviceError, ImageError, NoSpaceError } from "./errors.ts";
import { Inode } from "./inode.ts";
import { DIRENT_SIZE, DIRENTS_PER_BLOCK, MAX_FILE_SIZE, NAME_MAX, ROOT_INODE, TYPE_DIR, TYPE_FILE, TYPE_FREE } from "./layout.ts";
import { Rsfs } from "./rsfs.ts";

const SLASH = 0x2f;
/** struct linux_dirent: d_ino u32, d_off u32, d_reclen u16, then the name. */
const DIRENT_NAME = 10;

/**
 * True if the request's path (payload) is /boot or under it and w2 lacks FS_FLAG.PRIVILEGED (set by the
 * kernel for servers only): /boot is written by the image tools, never by a program (fs.asm's boot_guard).
 */
function bootDenied(req: ServiceRequest): boolean {
  if ((req.w2 >>> 0) & FS_FLAG.PRIVILEGED) return false;
  const p = req.payload;
  let i = 0;
  while (i < p.length && p[i] === SLASH) i++;
  const boot = [0x62, 0x6f, 0x6f, 0x74];
  for (let j = 0; j < 4; j++) if (p[i + j] !== boot[j]) return false;
  const next = i + 4 < p.length ? p[i + 4]! : 0;
  return next === 0 || next === SLASH;
}

export class FsService implements KernelService {
  readonly name = "fs";
  readonly irqs: readonly number[] = [];
  private env: ServiceEnv | null = null;
  /** The mounted file system; null until a mount succeeds (and after a device error). */
  private fs: Rsfs | null = null;
  private readonly diskName: string;
  /** The reply payload (READ data, READDIR records). */
  private readonly out = new Uint8Array(IPC_MAX);
  /** resolve: the directory holding the path's last component (fs.asm's mi_p). */
  private readonly parent = new Inode();
  /** The inode a request is about (fs.asm's mi_a). */
  private readonly node = new Inode();
  /** resolve: the last component, the path is "/" itself, a '/' follows the last component. */
  private lastName: Uint8Array = new Uint8Array(0);
  private isRoot = false;
  private trailingSlash = false;

  /** A file service that will use the block device of the service called `diskName`. */
  constructor(diskName = "disk") {
    this.diskName = diskName;
  }

  /** Remembers the kernel's environment and mounts if the disk is usable (else the first request retries). */
  start(env: ServiceEnv): void {
    this.env = env;
    try {
      this.mount();
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
    }
  }

  /** Serves one FS_* request at once (never deferred): w0 = result or -errno, w1, w2, payload. */
  request(req: ServiceRequest): ServiceReply {
    const type = req.w0 >>> 0;
    if (type < MSG.FS_OPEN || type > MSG.FS_READDIR) return reply(-E.NOSYS); // as every server answers an unknown request
    try {
      const fs = this.fs ?? this.mount();
      switch (type) {
        case MSG.FS_OPEN: return this.open(fs, req);
        case MSG.FS_READ: return this.read(fs, req);
        case MSG.FS_WRITE: return this.write(fs, req);
        case MSG.FS_CLOSE: return reply(0);
        case MSG.FS_UNLINK: return this.unlink(fs, req);
        case MSG.FS_MKDIR: return this.mkdir(fs, req);
        default: return this.readdir(fs, req);
      }
    } catch (e) {
      if (e instanceof NoSpaceError) return reply(-E.NOSPC);
      if (e instanceof DeviceError) this.fs = null; // mount again next time
      if (e instanceof ImageError) return reply(-E.IO);
      throw e;
    }
  }

  /** The file service has no interrupts. */
  interrupt(_irq: number): void {}

  /** Whether a file system is mounted now. */
  get mounted(): boolean {
    return this.fs !== null;
  }

  // ---- the requests ------------------------------------------------------------------------

  /** FS_OPEN: w1 = flags, payload = path → w0 = inode, w1 = size, w2 = type (1 file, 2 directory). */
  private open(fs: Rsfs, req: ServiceRequest): ServiceReply {
    const flags = req.w1 >>> 0;
    if (flags & (O.ACCMODE | O.CREAT | O.TRUNC) && bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs, req.payload);
    if (err < 0) return reply(err);
    const ino = this.isRoot ? ROOT_INODE : fs.lookup(this.parent, this.lastName);
    if (ino === 0) {
      if (!(flags & O.CREAT) || flags & O.DIRECTORY) return reply(-E.NOENT); // O_CREAT makes files only
      if (this.trailingSlash) return reply(-E.ISDIR); // "new/": not a file name (as Linux)
      const made = fs.create(this.parent, this.lastName, TYPE_FILE);
      return reply(made.ino, 0, FTYPE.FILE);
    }
    if ((flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL)) return reply(-E.EXIST);
    const node = fs.readInode(ino, this.node);
    if (node.type === TYPE_DIR) {
      if (flags & (O.ACCMODE | O.TRUNC | O.CREAT)) return reply(-E.ISDIR); // a directory opens read-only
      return reply(ino, node.size, FTYPE.DIR);
    }
    if (node.type !== TYPE_FILE) return reply(-E.IO);
    if (flags & O.DIRECTORY || this.trailingSlash) return reply(-E.NOTDIR);
    if (flags & O.TRUNC) fs.truncate(node);
    return reply(ino, node.size, FTYPE.FILE);
  }

  /** FS_READ: w1 = inode, w2 = offset → w0 = bytes (up to IPC_MAX, to the end of the file), w1 = the file's size, payload = them. */
  private read(fs: Rsfs, req: ServiceRequest): ServiceReply {
    const node = this.handle(fs, req.w1);
    if (node === null) return reply(-E.BADF);
    if (node.type === TYPE_DIR) return reply(-E.ISDIR);
    const n = fs.readAt(node, req.w2 >>> 0, this.out);
    return reply(n, node.size, 0, this.out.subarray(0, n));
  }

  /**
   * FS_WRITE: w1 = inode, w2 = offset (FS_APPEND: the current size), payload = data → w0 = bytes
   * written (short: the disk filled), w1 = new size, w2 = the offset used.
   */
  private write(fs: Rsfs, req: ServiceRequest): ServiceReply {
    const node = this.handle(fs, req.w1);
    if (node === null) return reply(-E.BADF);
    if (node.type === TYPE_DIR) return reply(-E.ISDIR);
    const data = req.payload.length > IPC_MAX ? req.payload.subarray(0, IPC_MAX) : req.payload;
    const at = req.w2 >>> 0 === FS_APPEND ? node.size : req.w2 >>> 0;
    if (at >= MAX_FILE_SIZE) return reply(-E.FBIG); // past the largest file: no disk would hold it
    const n = fs.writeAt(node, at, data); // NoSpaceError (-ENOSPC) if nothing fit
    return reply(n, node.size, at);
  }

  /** FS_UNLINK: w1 = 0 (a file) or not 0 (an empty directory), payload = path → w0 = 0, w1 = the inode freed. */
  private unlink(fs: Rsfs, req: ServiceRequest): ServiceReply {
    if (bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs, req.payload);
    if (err < 0) return reply(err);
    if (this.isRoot) return reply(-E.BUSY);
    const ino = fs.lookup(this.parent, this.lastName);
    if (ino === 0) return reply(-E.NOENT);
    const slot = fs.foundSlot;
    const node = fs.readInode(ino, this.node);
    if (req.w1 !== 0) {
      if (node.type !== TYPE_DIR) return reply(-E.NOTDIR);
      if (!fs.isEmptyDir(node)) return reply(-E.NOTEMPTY);
    } else {
      if (node.type === TYPE_DIR) return reply(-E.ISDIR);
      if (node.type !== TYPE_FILE) return reply(-E.IO);
      if (this.trailingSlash) return reply(-E.NOTDIR);
    }
    fs.remove(this.parent, slot, node);
    return reply(0, ino);
  }

  /** FS_MKDIR: payload = path → w0 = 0. The new directory is empty (size 0, no blocks). */
  private mkdir(fs: Rsfs, req: ServiceRequest): ServiceReply {
    if (bootDenied(req)) return reply(-E.ACCES);
    const err = this.resolve(fs, req.payload);
    if (err < 0) return reply(err);
    if (this.isRoot || fs.lookup(this.parent, this.lastName) !== 0) return reply(-E.EXIST);
    fs.create(this.parent, this.lastName, TYPE_DIR);
    return reply(0);
  }

  /**
   * FS_READDIR: w1 = a directory inode, w2 = entry index → w0 = bytes of linux_dirent records (as
   * many whole records as fit in IPC_MAX; d_off = the next entry's index), w1 = the index to
   * continue from. Empty slots are skipped.
   */
  private readdir(fs: Rsfs, req: ServiceRequest): ServiceReply {
    const dir = this.handle(fs, req.w1);
    if (dir === null) return reply(-E.BADF);
    if (dir.type !== TYPE_DIR) return reply(-E.NOTDIR);
    const entries = Math.floor(dir.size / DIRENT_SIZE);
    const out = this.out;
    let idx = req.w2 >>> 0;
    let pos = 0;
    for (; idx < entries; idx++) {
      const b = fs.bmap(dir, Math.floor(idx / DIRENTS_PER_BLOCK));
      if (b === 0) continue; // a hole: empty slots
      const block = fs.readMetaBlock(b);
      const at = (idx % DIRENTS_PER_BLOCK) * DIRENT_SIZE;
      const ino = (block[at]! | (block[at + 1]! << 8) | (block[at + 2]! << 16) | (block[at + 3]! << 24)) >>> 0;
      if (ino === 0) continue;
      let len = 0;
      while (len < NAME_MAX && block[at + 4 + len] !== 0) len++;
      const reclen = (len + DIRENT_NAME + 2 + 3) & ~3; // name, NUL, type byte, 4-aligned
      if (pos + reclen > IPC_MAX) break; // does not fit: continue here next time
      out[pos] = ino & 0xff;
      out[pos + 1] = (ino >>> 8) & 0xff;
      out[pos + 2] = (ino >>> 16) & 0xff;
      out[pos + 3] = ino >>> 24;
      const next = idx + 1;
      out[pos + 4] = next & 0xff;
      out[pos + 5] = (next >>> 8) & 0xff;
      out[pos + 6] = (next >>> 16) & 0xff;
      out[pos + 7] = next >>> 24;
      out[pos + 8] = reclen & 0xff;
      out[pos + 9] = reclen >>> 8;
      out.fill(0, pos + DIRENT_NAME, pos + reclen);
      out.set(block.subarray(at + 4, at + 4 + len), pos + DIRENT_NAME);
      out[pos + reclen - 1] = this.direntType(fs, ino);
      pos += reclen;
    }
    return reply(pos, idx, 0, out.subarray(0, pos));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Mounts the disk service's block device as fs.asm would; ImageError (→ -EIO) if it cannot. */
  private mount(): Rsfs {
    this.fs = null;
    const device = this.env?.service(this.diskName)?.blockDevice;
    if (!device) throw new ImageError(`no "${this.diskName}" service with a block device`);
    this.fs = Rsfs.mount(device, "server");
    return this.fs;
  }

  /** The inode a client's handle names (into `node`), or null (-EBADF) if out of range or free. */
  private handle(fs: Rsfs, w: number): Inode | null {
    const ino = w >>> 0;
    if (ino === 0 || ino >= fs.superblock.inodeCount) return null;
    const node = fs.readInode(ino, this.node);
    return node.type === TYPE_FREE ? null : node;
  }

  /** d_type for an entry naming `ino`: DT_DIR, DT_REG, or 0 (DT_UNKNOWN) for a damaged entry. */
  private direntType(fs: Rsfs, ino: number): number {
    if (ino >= fs.superblock.inodeCount) return 0;
    const t = fs.inodeType(ino);
    return t === TYPE_DIR ? DT.DIR : t === TYPE_FILE ? DT.REG : 0;
  }

  /**
   * Walks the path in `payload` (up to its first NUL) from the root, as fs.asm's `resolve`: leaves
   * the directory holding the last component in `parent`, that component in `lastName`, and sets
   * `isRoot` and `trailingSlash`. Returns 0, or -ENOENT (empty path, or a directory on the way is
   * missing), -ENOTDIR (one is a file), -ENAMETOOLONG (a component over 27 bytes).
   */
  private resolve(fs: Rsfs, payload: Uint8Array): number {
    const nul = payload.indexOf(0);
    const end = Math.min(nul < 0 ? payload.length : nul, IPC_MAX);
    if (end === 0) return -E.NOENT;
    this.isRoot = false;
    this.trailingSlash = false;
    fs.readInode(ROOT_INODE, this.parent);
    let i = 0;
    while (i < end && payload[i] === SLASH) i++;
    if (i === end) {
      this.isRoot = true;
      return 0;
    }
    for (;;) {
      const start = i;
      while (i < end && payload[i] !== SLASH) i++;
      if (i - start > NAME_MAX) return -E.NAMETOOLONG;
      const name = payload.subarray(start, i);
      let j = i;
      while (j < end && payload[j] === SLASH) j++;
      if (j === end) {
        this.lastName = name;
        this.trailingSlash = j !== i; // "name/": only a directory will do
        return 0;
      }
      const ino = fs.lookup(this.parent, name); // a directory on the way
      if (ino === 0) return -E.NOENT;
      if (fs.readInode(ino, this.parent).type !== TYPE_DIR) return -E.NOTDIR;
      i = j;
    }
  }
}
