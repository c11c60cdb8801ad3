// RSFS v1, the ringside on-disk file system (docs/image.md), over a BlockDevice. One implementation
// for the host tools (format, open, read, write, list, unlink and fsck an image held in memory:
// `Rsfs.open(bytes)`, edits land in place in `bytes`) and for the in-kernel file service (the
// inode-level operations: lookup, create, readAt, writeAt, remove, with servers/fs.asm's rules).
// Allocation is exactly docs/image.md's, as the ring-3 file server does it: blocks first fit from
// data_start, the lowest free inode, the first empty directory slot. Pure TypeScript, no node: modules.
import type { BlockDevice } from "../service.ts";
import { BlockCache } from "./block-cache.ts";
import { DeviceError, ImageError, NoSpaceError } from "./errors.ts";
import { fsck } from "./fsck.ts";
import { Inode } from "./inode.ts";
import {
  BITS_PER_BLOCK, BLOCK_SIZE, DIRENT_SIZE, DIRENTS_PER_BLOCK, INODE, INODE_SIZE, INODES_PER_BLOCK, MAX_BLOCKS,
  MAX_FILE_SIZE, NAME_MAX, NDIRECT, NINDIRECT, ROOT_INODE, SECTOR_SIZE, TYPE_DIR, TYPE_FILE, TYPE_FREE,
  checkSuperblock, encodeSuperblock, layoutFor, mountableSuperblock, type Superblock,
} from "./layout.ts";
import { MemoryBlockDevice } from "./memory-device.ts";

export { ImageError, NoSpaceError, DeviceError } from "./errors.ts";
export { Inode } from "./inode.ts";
export { MemoryBlockDevice } from "./memory-device.ts";
export {
  BLOCK_SIZE, MAGIC, VERSION, INODE_SIZE, INODES_PER_BLOCK, DIRENT_SIZE, NAME_MAX, NDIRECT, NINDIRECT,
  MAX_FILE_SIZE, ROOT_INODE, TYPE_FREE, TYPE_FILE, TYPE_DIR, layoutFor, type Superblock,
} from "./layout.ts";

/** One directory entry (or, from stat, the file or directory a path names). */
export interface DirEntry {
  name: string;
  ino: number;
  type: "file" | "dir";
  size: number;
}

/** Free space: what `statfs` reports. */
export interface FsStats {
  totalBlocks: number;
  dataStart: number;
  freeBlocks: number;
  inodeCount: number;
  freeInodes: number;
}

/** The most inodes the mount-time repair covers (the ring-3 file server's mark bitmaps: servers/fs/repair.inc). */
export const REPAIR_INODES = 32768;

/** How strictly `Rsfs.mount` checks the superblock: as fsck does, or as the file server mounts. */
export type MountRule = "strict" | "server";

const DEFAULT_SIZE = 8 * 1024 * 1024;
const DEFAULT_INODES = 256;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Splits a path into validated names ("/a//b/" → ["a", "b"]; "" and "/" → []); relative = from /. */
export function splitPath(path: string): string[] {
  if (typeof path !== "string") throw new ImageError("a path must be a string");
  const names = path.split("/").filter((n) => n.length > 0);
  for (const n of names) {
    const len = utf8.encode(n).length;
    if (n === "." || n === "..") throw new ImageError(`bad path "${path}": RSFS has no "." or ".." entries`);
    if (n.includes("\0")) throw new ImageError(`bad path "${path}": a name cannot contain NUL`);
    if (len > NAME_MAX) throw new ImageError(`bad path "${path}": "${n}" is ${len} bytes, longer than ${NAME_MAX}`);
  }
  return names;
}

/** True if `path` ends in "/" after a name: it may only name a directory. */
function dirOnly(path: string): boolean {
  return path.endsWith("/") && /[^/]/.test(path);
}

/** Length of a NUL-padded name (the whole field if it has no NUL). */
export function nameLength(raw: Uint8Array): number {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw.length : nul;
}

export class Rsfs {
  readonly device: BlockDevice;
  readonly superblock: Superblock;
  /** Metadata blocks, written through. */
  private readonly cache: BlockCache;
  /** No block below this one is free (keeps first-fit allocation cheap). */
  private freeHint: number;
  /** Set by `lookup`: the entry index of the match. */
  foundSlot = -1;
  /** Set by `bmapAlloc`: whether the block it returned was just allocated (its contents stale). */
  allocatedNew = false;
  private readonly freeList: number[] = [];

  /** Wraps a device whose superblock has already been checked. */
  private constructor(device: BlockDevice, sb: Superblock) {
    this.device = device;
    this.superblock = sb;
    this.cache = new BlockCache(device);
    this.freeHint = sb.dataStart;
  }

  // ---- making and opening ------------------------------------------------------------------

  /** An empty in-memory file system of totalBytes (a multiple of 4096) with `inodeCount` inodes. */
  static format(totalBytes: number = DEFAULT_SIZE, inodeCount: number = DEFAULT_INODES): Rsfs {
    if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0 || totalBytes % BLOCK_SIZE !== 0) {
      throw new ImageError(`image size ${totalBytes} is not a positive multiple of ${BLOCK_SIZE} bytes`);
    }
    if (totalBytes / BLOCK_SIZE > 0xffffffff) throw new ImageError(`image size ${totalBytes} is too large`);
    return Rsfs.mkfs(new MemoryBlockDevice(new Uint8Array(totalBytes)), inodeCount);
  }

  /**
   * Writes an empty file system with `inodeCount` inodes and an empty root over the whole device
   * (superblock, bitmap and inode table; the data region is left as it is).
   */
  static mkfs(device: BlockDevice, inodeCount: number = DEFAULT_INODES): Rsfs {
    if (!Number.isSafeInteger(inodeCount) || inodeCount <= 0 || inodeCount % INODES_PER_BLOCK !== 0) {
      throw new ImageError(`inode count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
    }
    const totalBytes = Math.floor((device.sectors * SECTOR_SIZE) / BLOCK_SIZE) * BLOCK_SIZE;
    const sb = layoutFor(totalBytes / BLOCK_SIZE, inodeCount);
    if (sb.dataStart >= sb.totalBlocks) {
      throw new ImageError(`an image of ${totalBytes} bytes is too small for ${inodeCount} inodes (needs more than ${sb.dataStart} blocks)`);
    }
    const fs = new Rsfs(device, sb);
    for (let b = 0; b < sb.dataStart; b++) {
      const block = fs.cache.fresh(b);
      if (b === 0) encodeSuperblock(sb, block);
      if (b >= sb.bitmapStart && b < sb.bitmapStart + sb.bitmapBlocks) {
        // Blocks 0 … data_start-1 and the bits past total_blocks are always in use.
        const first = (b - sb.bitmapStart) * BITS_PER_BLOCK;
        for (let bit = 0; bit < BITS_PER_BLOCK; bit++) {
          const blk = first + bit;
          if (blk < sb.dataStart || blk >= sb.totalBlocks) block[bit >> 3]! |= 1 << (bit & 7);
        }
      }
      fs.cache.sync(b, block, 0, BLOCK_SIZE);
    }
    fs.writeInode(new Inode().init(ROOT_INODE, TYPE_DIR));
    return fs;
  }

  /** Wraps an image in memory (no copy); ImageError if its superblock is not exactly RSFS v1. */
  static open(bytes: Uint8Array): Rsfs {
    if (!(bytes instanceof Uint8Array)) throw new ImageError("an image must be a Uint8Array");
    return Rsfs.mount(new MemoryBlockDevice(bytes));
  }

  /**
   * The file system on `device`. "strict": ImageError unless the superblock is exactly RSFS v1 for
   * the device's size; "server": mounts what servers/fs.asm mounts (ImageError otherwise) and, as the
   * file server does, repairs what a crash may have leaked (`repair`). A failed read is a DeviceError.
   */
  static mount(device: BlockDevice, rule: MountRule = "strict"): Rsfs {
    const imageBytes = device instanceof MemoryBlockDevice ? device.bytes.length : device.sectors * SECTOR_SIZE;
    const block0 = imageBytes >= BLOCK_SIZE ? new BlockCache(device, 1).get(0) : null;
    if (rule === "strict") {
      const { sb, problems } = checkSuperblock(block0, imageBytes);
      if (!sb) throw new ImageError(`not an RSFS v1 image: ${problems[0]}`);
      return new Rsfs(device, sb);
    }
    const sb = block0 ? mountableSuperblock(block0, device.sectors) : undefined;
    if (!sb) throw new ImageError("not an RSFS v1 file system the file server can mount");
    const fs = new Rsfs(device, sb);
    if (fs.inodeType(ROOT_INODE) !== TYPE_DIR) throw new ImageError("the root inode is not a directory");
    fs.repair();
    return fs;
  }

  /** fsck for raw bytes: superblock problems when it cannot even be opened, else `fsck()`. */
  static check(bytes: Uint8Array): string[] {
    const device = new MemoryBlockDevice(bytes);
    const { sb, problems } = checkSuperblock(bytes.length >= BLOCK_SIZE ? bytes.subarray(0, BLOCK_SIZE) : null, bytes.length);
    return sb ? new Rsfs(device, sb).fsck() : problems;
  }

  /** The size the image's superblock is checked against: the device's whole sectors (a memory image: its length). */
  get imageBytes(): number {
    return this.device instanceof MemoryBlockDevice ? this.device.bytes.length : this.device.sectors * SECTOR_SIZE;
  }

  /** The whole image, when the device is memory (MemoryBlockDevice); edits happen in place. */
  get bytes(): Uint8Array {
    if (this.device instanceof MemoryBlockDevice) return this.device.bytes;
    throw new ImageError("this file system is on a block device, not an image in memory");
  }

  // ---- the host library's operations (paths as strings; every problem an ImageError) ----------

  /** The contents of the file at `path`; ImageError if it is missing or a directory. */
  readFile(path: string): Uint8Array {
    const inode = this.readInode(this.resolve(path));
    if (inode.type === TYPE_DIR) throw new ImageError(`${path}: is a directory`);
    if (inode.size > MAX_FILE_SIZE) throw new ImageError(`corrupt image: inode ${inode.ino} has size ${inode.size}, larger than any RSFS file`);
    const out = new Uint8Array(inode.size);
    this.readAt(inode, 0, out);
    return out;
  }

  /** Creates or replaces the file at `path` (creating parent directories) with `data`. */
  writeFile(path: string, data: Uint8Array): void {
    const names = splitPath(path);
    if (names.length === 0) throw new ImageError(`${path}: is a directory`);
    if (!(data instanceof Uint8Array)) throw new ImageError(`${path}: data must be a Uint8Array`);
    if (data.length > MAX_FILE_SIZE) throw new ImageError(`${path}: ${data.length} bytes is larger than the largest RSFS file (${MAX_FILE_SIZE} bytes)`);
    const dataBlocks = Math.ceil(data.length / BLOCK_SIZE);
    const needBlocks = dataBlocks + (dataBlocks > NDIRECT ? 1 : 0) + names.length;
    this.atomically(path, needBlocks, names.length, () => {
      const parent = this.makeDirs(path, names.slice(0, -1));
      const name = utf8.encode(names.at(-1)!);
      const found = this.lookup(parent, name);
      let file: Inode;
      if (found !== 0) {
        file = this.readInode(found);
        if (file.type === TYPE_DIR) throw new ImageError(`${path}: is a directory`);
        this.truncate(file);
      } else {
        file = this.create(parent, name, TYPE_FILE);
      }
      if (this.writeAt(file, 0, data) < data.length) throw new NoSpaceError(this.fullMessage());
    });
  }

  /** Makes the directory `path` and any missing parents; fine if it already exists. */
  mkdir(path: string): void {
    const names = splitPath(path);
    this.atomically(path, names.length, names.length, () => void this.makeDirs(path, names));
  }

  /** The entries of the directory at `path`, in on-disk (slot) order. */
  list(path: string): DirEntry[] {
    const dir = this.readInode(this.resolve(path));
    if (dir.type !== TYPE_DIR) throw new ImageError(`${path}: not a directory`);
    const out: DirEntry[] = [];
    this.forEachEntry(dir, (_slot, child, raw) => {
      out.push(this.entryFor(fromUtf8.decode(raw.subarray(0, nameLength(raw))), child));
    });
    return out;
  }

  /**
   * What `path` names, or undefined if nothing does (ImageError only for a malformed path, or one
   * that ends in "/" and names a file: as on Unix, a trailing slash asks for a directory).
   */
  stat(path: string): DirEntry | undefined {
    const names = splitPath(path);
    let ino = ROOT_INODE;
    for (const n of names) {
      const dir = this.readInode(ino);
      if (dir.type !== TYPE_DIR) return undefined;
      ino = this.lookup(dir, utf8.encode(n));
      if (ino === 0) return undefined;
    }
    const entry = this.entryFor(names.length === 0 ? "/" : names.at(-1)!, ino);
    if (dirOnly(path) && entry.type !== "dir") throw new ImageError(`${path}: not a directory`);
    return entry;
  }

  /** Removes the file (or empty directory) at `path`, freeing its blocks and inode. */
  unlink(path: string): void {
    const names = splitPath(path);
    if (names.length === 0) throw new ImageError(`${path}: cannot remove the root directory`);
    const parent = this.readInode(this.resolveNames(path, names.slice(0, -1)));
    if (parent.type !== TYPE_DIR) throw new ImageError(`${path}: not a directory`);
    const found = this.lookup(parent, utf8.encode(names.at(-1)!));
    if (found === 0) throw new ImageError(`${path}: no such file or directory`);
    const slot = this.foundSlot;
    const victim = this.readInode(found);
    if (victim.type === TYPE_DIR && !this.isEmptyDir(victim)) throw new ImageError(`${path}: directory not empty`);
    this.remove(parent, slot, victim);
  }

  /** Counts of free blocks and inodes. */
  statfs(): FsStats {
    const sb = this.superblock;
    let freeBlocks = 0;
    for (let b = sb.dataStart; b < sb.totalBlocks; b++) if (!this.isBlockUsed(b)) freeBlocks++;
    let freeInodes = 0;
    for (let i = 1; i < sb.inodeCount; i++) if (this.inodeType(i) === TYPE_FREE) freeInodes++;
    return { totalBlocks: sb.totalBlocks, dataStart: sb.dataStart, freeBlocks, inodeCount: sb.inodeCount, freeInodes };
  }

  /** [] when the image is consistent (docs/image.md "Consistency"), else one line per problem. */
  fsck(): string[] {
    this.cache.reset(); // read what is on the device now
    return fsck(this);
  }

  /**
   * The file server's repair at mount (servers/fs/repair.inc; docs/image.md "Crash safety"): frees
   * what a server killed in the middle of a request can leave behind — inodes no entry reaches, block
   * pointers past a file's size, blocks marked in use that nothing uses — and marks used blocks that
   * are marked free. Mark and sweep from the root; on a consistent image it writes nothing. Pointers
   * outside the data region (damage, not a crash) are left alone and count as holes. Returns how many
   * inodes, pointers and bitmap bits it changed.
   */
  repair(): { inodes: number; pointers: number; bits: number } {
    const sb = this.superblock;
    const done = { inodes: 0, pointers: 0, bits: 0 };
    const N = sb.inodeCount;
    if (N > REPAIR_INODES) return done;
    const inData = (b: number): number => (b >= sb.dataStart && b < sb.totalBlocks ? b : 0);
    const blocksOf = (inode: Inode): number => Math.ceil(Math.min(inode.size, MAX_FILE_SIZE) / BLOCK_SIZE);
    const u32 = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    const bmap = (inode: Inode, idx: number): number => {
      if (idx < NDIRECT) return inData(inode.direct(idx));
      if (idx >= MAX_BLOCKS) return 0;
      const ind = inData(inode.indirect);
      return ind === 0 ? 0 : inData(u32(this.cache.get(ind), 4 * (idx - NDIRECT)));
    };
    const isInUse = (t: number): boolean => t === TYPE_FILE || t === TYPE_DIR;
    // Mark: the inodes reachable from the root.
    const mark = new Uint8Array(N);
    const seen = new Uint8Array(N);
    mark[ROOT_INODE] = 1;
    for (let more = true; more; ) {
      more = false;
      for (let i = 1; i < N; i++) {
        if (!mark[i] || seen[i]) continue;
        seen[i] = 1;
        const dir = this.readInode(i);
        if (dir.type !== TYPE_DIR) continue;
        const entries = Math.floor(Math.min(dir.size, MAX_FILE_SIZE) / DIRENT_SIZE);
        for (let e = 0; e < entries; e++) {
          const b = bmap(dir, Math.floor(e / DIRENTS_PER_BLOCK));
          if (b === 0) {
            e |= DIRENTS_PER_BLOCK - 1;
            continue;
          }
          const child = u32(this.cache.get(b), (e % DIRENTS_PER_BLOCK) * DIRENT_SIZE);
          if (child === 0 || child >= N || mark[child]) continue;
          const t = this.inodeType(child);
          if (!isInUse(t)) continue;
          if (t === TYPE_DIR) more = true;
          mark[child] = 1;
        }
      }
    }
    // Trim the reachable inodes' pointers past their size; free the unreachable inodes.
    for (let i = 1; i < N; i++) {
      const inode = this.readInode(i);
      if (!isInUse(inode.type)) continue;
      if (!mark[i]) {
        this.writeInode(inode.init(i, TYPE_FREE));
        done.inodes++;
        continue;
      }
      const nb = blocksOf(inode);
      let changed = false;
      for (let k = nb; k < NDIRECT; k++) {
        if (inode.direct(k) === 0) continue;
        inode.setDirect(k, 0);
        changed = true;
        done.pointers++;
      }
      if (inode.indirect !== 0) {
        if (nb <= NDIRECT) {
          inode.indirect = 0;
          changed = true;
          done.pointers++;
        } else if (inData(inode.indirect) !== 0) {
          const list = this.cache.get(inode.indirect);
          let lo = BLOCK_SIZE, hi = 0;
          for (let j = nb - NDIRECT; j < NINDIRECT; j++) {
            if (u32(list, 4 * j) === 0) continue;
            list.fill(0, 4 * j, 4 * j + 4);
            lo = Math.min(lo, 4 * j);
            hi = 4 * j + 4;
            done.pointers++;
          }
          if (hi > lo) this.cache.sync(inode.indirect, list, lo, hi);
        }
      }
      if (changed) this.writeInode(inode);
    }
    // Sweep the bitmap: its data-region bits become exactly the blocks reachable inodes use.
    for (let first = 0; first < sb.totalBlocks; first += BITS_PER_BLOCK) {
      const end = Math.min(first + BITS_PER_BLOCK, sb.totalBlocks);
      const ref = new Uint8Array(BLOCK_SIZE);
      const set = (b: number): void => {
        if (inData(b) !== 0 && b >= first && b < end) ref[(b - first) >> 3]! |= 1 << ((b - first) & 7);
      };
      for (let i = 1; i < N; i++) {
        if (!mark[i]) continue;
        const inode = this.readInode(i);
        const nb = blocksOf(inode);
        for (let k = 0; k < Math.min(nb, NDIRECT); k++) set(inode.direct(k));
        if (nb <= NDIRECT || inData(inode.indirect) === 0) continue;
        set(inode.indirect);
        const list = this.cache.get(inode.indirect);
        for (let j = 0; j < nb - NDIRECT; j++) set(u32(list, 4 * j));
      }
      const bmBlock = sb.bitmapStart + first / BITS_PER_BLOCK;
      const bm = this.cache.get(bmBlock);
      let lo = BLOCK_SIZE, hi = 0;
      for (let b = Math.max(first, sb.dataStart); b < end; b++) {
        const bit = b - first, mask = 1 << (bit & 7);
        if ((bm[bit >> 3]! & mask) === (ref[bit >> 3]! & mask)) continue;
        bm[bit >> 3]! ^= mask;
        lo = Math.min(lo, bit >> 3);
        hi = (bit >> 3) + 1;
        done.bits++;
      }
      if (hi > lo) this.cache.sync(bmBlock, bm, lo, hi);
    }
    if (done.bits > 0) this.freeHint = sb.dataStart;
    return done;
  }

  // ---- blocks and inodes (the file server's operations) -------------------------------------

  /** Block b's 4096 bytes, read through the cache (valid until 16 other blocks are read; do not change). */
  readMetaBlock(b: number): Uint8Array {
    return this.cache.get(b);
  }

  /** Forgets every cached block and restarts first fit at data_start (after a device error). */
  forgetCache(): void {
    this.cache.reset();
    this.freeHint = this.superblock.dataStart;
  }

  /** Whether block b is marked in use in the bitmap. */
  isBlockUsed(b: number): boolean {
    const bm = this.cache.get(this.superblock.bitmapStart + Math.floor(b / BITS_PER_BLOCK));
    const bit = b % BITS_PER_BLOCK;
    return (bm[bit >> 3]! & (1 << (bit & 7))) !== 0;
  }

  /** The lowest free block at or above data_start, marked in use on the disk; 0 if the disk is full. */
  allocBlock(): number {
    const { totalBlocks, bitmapStart } = this.superblock;
    let b = this.freeHint;
    while (b < totalBlocks) {
      const bmBlock = bitmapStart + Math.floor(b / BITS_PER_BLOCK);
      const bm = this.cache.get(bmBlock);
      const end = Math.min(totalBlocks, (Math.floor(b / BITS_PER_BLOCK) + 1) * BITS_PER_BLOCK);
      for (; b < end; b++) {
        const bit = b % BITS_PER_BLOCK;
        if ((bit & 7) === 0 && bm[bit >> 3] === 0xff && b + 8 <= end) {
          b += 7; // 8 used blocks: skip them at once
          continue;
        }
        if ((bm[bit >> 3]! & (1 << (bit & 7))) === 0) {
          bm[bit >> 3]! |= 1 << (bit & 7);
          this.cache.sync(bmBlock, bm, bit >> 3, (bit >> 3) + 1);
          this.freeHint = b + 1;
          return b;
        }
      }
    }
    this.freeHint = totalBlocks;
    return 0;
  }

  /** Marks data blocks free (one write per bitmap block touched) and forgets them in the cache. */
  freeBlocks(blocks: readonly number[]): void {
    const { bitmapStart } = this.superblock;
    let bmBlock = -1, lo = BLOCK_SIZE, hi = -1;
    let bm: Uint8Array | null = null;
    for (const b of blocks) {
      this.cache.drop(b);
      if (b < this.freeHint) this.freeHint = b;
      const want = bitmapStart + Math.floor(b / BITS_PER_BLOCK);
      if (want !== bmBlock) {
        if (bm && hi >= lo) this.cache.sync(bmBlock, bm, lo, hi + 1);
        bmBlock = want;
        lo = BLOCK_SIZE;
        hi = -1;
      }
      bm = this.cache.get(bmBlock);
      const bit = b % BITS_PER_BLOCK;
      bm[bit >> 3]! &= ~(1 << (bit & 7));
      lo = Math.min(lo, bit >> 3);
      hi = Math.max(hi, bit >> 3);
    }
    if (bm && hi >= lo) this.cache.sync(bmBlock, this.cache.get(bmBlock), lo, hi + 1);
  }

  /** The type of inode `ino` (0 free, 1 file, 2 directory); ImageError past the inode table. */
  inodeType(ino: number): number {
    const bytes = this.cache.get(this.inodeBlock(ino));
    const at = (ino % INODES_PER_BLOCK) * INODE_SIZE + INODE.type;
    return bytes[at]! | (bytes[at + 1]! << 8);
  }

  /** Inode `ino` as it is on the disk, into `into` (a new Inode if not given); ImageError past the table. */
  readInode(ino: number, into: Inode = new Inode()): Inode {
    const at = (ino % INODES_PER_BLOCK) * INODE_SIZE;
    into.raw.set(this.cache.get(this.inodeBlock(ino)).subarray(at, at + INODE_SIZE));
    into.ino = ino;
    return into;
  }

  /** Writes the inode to the inode table (one sector). */
  writeInode(inode: Inode): void {
    const block = this.inodeBlock(inode.ino);
    const at = (inode.ino % INODES_PER_BLOCK) * INODE_SIZE;
    const bytes = this.cache.get(block);
    bytes.set(inode.raw, at);
    this.cache.sync(block, bytes, at, at + INODE_SIZE);
  }

  /** The lowest free inode number (≥ 1), not yet marked; 0 if none is free. */
  allocInode(): number {
    for (let i = 1; i < this.superblock.inodeCount; i++) if (this.inodeType(i) === TYPE_FREE) return i;
    return 0;
  }

  /** Disk block of the file's block `idx` (0 = a hole); ImageError past the largest file or for a corrupt pointer. */
  bmap(inode: Inode, idx: number): number {
    if (idx < NDIRECT) return this.checkBlock(inode.direct(idx), inode.ino);
    if (idx >= MAX_BLOCKS) throw new ImageError(`corrupt image: inode ${inode.ino} has a block ${idx} past the largest file`);
    const ind = this.checkBlock(inode.indirect, inode.ino);
    if (ind === 0) return 0;
    const bytes = this.cache.get(ind);
    const at = 4 * (idx - NDIRECT);
    return this.checkBlock((bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0, inode.ino);
  }

  /**
   * The file's block `idx` (< MAX_BLOCKS), allocating it — and the indirect block, written zeroed,
   * right before the first block it lists — if it is a hole; `allocatedNew` says whether it was (its
   * contents are then stale: the caller writes all of it). 0 if the disk is full, with nothing
   * changed. Changes the in-memory inode (the caller writes it) and the indirect block on the disk.
   */
  bmapAlloc(inode: Inode, idx: number): number {
    this.allocatedNew = false;
    const existing = this.bmap(inode, idx);
    if (existing !== 0) return existing;
    if (idx < NDIRECT) {
      const b = this.allocBlock();
      if (b === 0) return 0;
      inode.setDirect(idx, b);
      this.allocatedNew = true;
      return b;
    }
    let newIndirect = false;
    if (inode.indirect === 0) {
      const ind = this.allocBlock();
      if (ind === 0) return 0;
      inode.indirect = ind;
      newIndirect = true;
      this.cache.sync(ind, this.cache.fresh(ind), 0, BLOCK_SIZE);
    }
    const b = this.allocBlock();
    if (b === 0) {
      if (newIndirect) {
        this.freeBlocks([inode.indirect]); // take back the new indirect block
        inode.indirect = 0;
      }
      return 0;
    }
    const list = this.cache.get(inode.indirect);
    const at = 4 * (idx - NDIRECT);
    list[at] = b & 0xff;
    list[at + 1] = (b >>> 8) & 0xff;
    list[at + 2] = (b >>> 16) & 0xff;
    list[at + 3] = b >>> 24;
    this.cache.sync(inode.indirect, list, at, at + 4);
    this.allocatedNew = true;
    return b;
  }

  /** Frees every block the inode uses (data and indirect), sets its size and pointers to 0 and writes it. */
  truncate(inode: Inode): void {
    const blocks = this.freeList;
    blocks.length = 0;
    for (let k = 0; k < NDIRECT; k++) {
      const b = this.checkBlock(inode.direct(k), inode.ino);
      if (b === 0) continue;
      blocks.push(b);
      inode.setDirect(k, 0);
    }
    const ind = this.checkBlock(inode.indirect, inode.ino);
    if (ind !== 0) {
      for (let j = 0; j < NINDIRECT; j++) {
        const bytes = this.cache.get(ind);
        const b = (bytes[4 * j]! | (bytes[4 * j + 1]! << 8) | (bytes[4 * j + 2]! << 16) | (bytes[4 * j + 3]! << 24)) >>> 0;
        if (b !== 0) blocks.push(this.checkBlock(b, inode.ino));
      }
      blocks.push(ind);
      inode.indirect = 0;
    }
    if (blocks.length === 0 && inode.size === 0) return; // already empty: nothing to write
    inode.size = 0;
    this.writeInode(inode);
    this.freeBlocks(blocks);
  }

  /**
   * Reads file bytes from `offset` into `into` (up to its length, to the end of the file); holes
   * read as zeros. Returns the bytes read.
   */
  readAt(inode: Inode, offset: number, into: Uint8Array): number {
    if (inode.size <= offset) return 0;
    const count = Math.min(inode.size - offset, into.length);
    for (let pos = 0; pos < count; ) {
      const at = offset + pos;
      const inBlock = at % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - inBlock, count - pos);
      const b = this.bmap(inode, Math.floor(at / BLOCK_SIZE));
      if (b === 0) into.fill(0, pos, pos + n);
      else this.cache.readData(b, inBlock, n, into, pos);
      pos += n;
    }
    return count;
  }

  /**
   * Writes `data` at `offset`, filling holes and growing the file, and writes the inode. Returns
   * the bytes written: short if the disk filled up (or at the largest file size). NoSpaceError if
   * nothing fit.
   */
  writeAt(inode: Inode, offset: number, data: Uint8Array): number {
    if (data.length === 0) return 0;
    if (offset >= MAX_FILE_SIZE) throw new NoSpaceError(`inode ${inode.ino}: offset ${offset} is past the largest RSFS file`);
    const count = Math.min(data.length, MAX_FILE_SIZE - offset);
    let pos = 0;
    while (pos < count) {
      const at = offset + pos;
      const inBlock = at % BLOCK_SIZE;
      const b = this.bmapAlloc(inode, Math.floor(at / BLOCK_SIZE));
      if (b === 0) break; // the disk is full
      const n = Math.min(BLOCK_SIZE - inBlock, count - pos);
      this.cache.writeData(b, inBlock, data.subarray(pos, pos + n), this.allocatedNew);
      pos += n;
      if (offset + pos > inode.size) inode.size = offset + pos;
    }
    if (pos === 0) throw new NoSpaceError(this.fullMessage());
    this.writeInode(inode);
    return pos;
  }

  /**
   * Calls fn(slot, ino, rawName28) for each used slot of a directory, in order. With `lenient`
   * (fsck), a corrupt block pointer is skipped (fsck reports it elsewhere) instead of throwing.
   */
  forEachEntry(dir: Inode, fn: (slot: number, ino: number, raw: Uint8Array) => void, lenient = false): void {
    const slots = Math.floor(Math.min(dir.size, MAX_FILE_SIZE) / DIRENT_SIZE);
    for (let s = 0; s < slots; s += DIRENTS_PER_BLOCK) {
      let b: number;
      try {
        b = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      } catch (e) {
        if (lenient && e instanceof ImageError && !(e instanceof DeviceError)) continue;
        throw e;
      }
      if (b === 0) continue;
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const bytes = this.cache.get(b);
        const at = k * DIRENT_SIZE;
        const ino = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
        if (ino !== 0) fn(s + k, ino, bytes.subarray(at + 4, at + DIRENT_SIZE));
      }
    }
  }

  /** The inode number of the entry called `name` in `dir` (0 if none); `foundSlot` = its index. */
  lookup(dir: Inode, name: Uint8Array): number {
    let hit = 0;
    this.foundSlot = -1;
    const slots = dir.size / DIRENT_SIZE;
    for (let s = 0; s < slots && hit === 0; s += DIRENTS_PER_BLOCK) {
      const b = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      if (b === 0) continue;
      const bytes = this.cache.get(b);
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const at = k * DIRENT_SIZE;
        const ino = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
        if (ino !== 0 && sameName(bytes, at + 4, name)) {
          this.foundSlot = s + k;
          hit = ino;
          break;
        }
      }
    }
    return hit;
  }

  /**
   * Puts (name → ino) in the first empty slot of `dir`, else in a new slot at its end (writing the
   * directory inode when it grows or gains a block). NoSpaceError, nothing changed, if a block is
   * needed and none is free or the directory is as large as a file can be.
   */
  addEntry(dir: Inode, name: Uint8Array, ino: number): void {
    const slots = dir.size / DIRENT_SIZE;
    let slot = -1;
    for (let s = 0; s < slots && slot < 0; s += DIRENTS_PER_BLOCK) {
      const b = this.bmap(dir, s / DIRENTS_PER_BLOCK);
      if (b === 0) {
        slot = s; // a hole: all its slots are empty
        break;
      }
      const bytes = this.cache.get(b);
      for (let k = 0; k < DIRENTS_PER_BLOCK && s + k < slots; k++) {
        const at = k * DIRENT_SIZE;
        if ((bytes[at]! | bytes[at + 1]! | bytes[at + 2]! | bytes[at + 3]!) === 0) {
          slot = s + k;
          break;
        }
      }
    }
    if (slot < 0) {
      slot = Math.floor(slots);
      if (slot >= MAX_BLOCKS * DIRENTS_PER_BLOCK) throw new NoSpaceError(`inode ${dir.ino}: the directory is full`);
    }
    const b = this.bmapAlloc(dir, Math.floor(slot / DIRENTS_PER_BLOCK));
    if (b === 0) throw new NoSpaceError(this.fullMessage());
    const fresh = this.allocatedNew;
    const bytes = fresh ? this.cache.fresh(b) : this.cache.get(b);
    const at = (slot % DIRENTS_PER_BLOCK) * DIRENT_SIZE;
    bytes.fill(0, at, at + DIRENT_SIZE);
    bytes[at] = ino & 0xff;
    bytes[at + 1] = (ino >>> 8) & 0xff;
    bytes[at + 2] = (ino >>> 16) & 0xff;
    bytes[at + 3] = ino >>> 24;
    bytes.set(name, at + 4);
    if (fresh) this.cache.sync(b, bytes, 0, BLOCK_SIZE);
    else this.cache.sync(b, bytes, at, at + DIRENT_SIZE);
    const end = (slot + 1) * DIRENT_SIZE;
    const grows = end > dir.size;
    if (grows) dir.size = end;
    if (grows || fresh) this.writeInode(dir);
  }

  /** Zeroes entry `slot` of `dir` on the disk. */
  clearEntry(dir: Inode, slot: number): void {
    const b = this.bmap(dir, Math.floor(slot / DIRENTS_PER_BLOCK));
    if (b === 0) return;
    const bytes = this.cache.get(b);
    const at = (slot % DIRENTS_PER_BLOCK) * DIRENT_SIZE;
    bytes.fill(0, at, at + DIRENT_SIZE);
    this.cache.sync(b, bytes, at, at + DIRENT_SIZE);
  }

  /** Whether the directory has no entry in use. */
  isEmptyDir(dir: Inode): boolean {
    let empty = true;
    this.forEachEntry(dir, () => void (empty = false));
    return empty;
  }

  /**
   * A new empty inode of `type` entered in `parent` under `name` (which the caller found missing).
   * NoSpaceError, nothing changed, if no inode or no block is free.
   */
  create(parent: Inode, name: Uint8Array, type: number): Inode {
    const ino = this.allocInode();
    if (ino === 0) throw new NoSpaceError(`no free inodes left in the image (${this.superblock.inodeCount})`);
    // The inode before the entry naming it (the file server's crash-safe order, docs/image.md).
    const inode = new Inode().init(ino, type);
    this.writeInode(inode);
    try {
      this.addEntry(parent, name, ino);
    } catch (e) {
      this.writeInode(new Inode().init(ino, TYPE_FREE)); // no room for the entry: free it again
      throw e;
    }
    return inode;
  }

  /** Removes `victim`, the entry `slot` of `parent`: empties the entry, frees its blocks, zeroes the inode. */
  remove(parent: Inode, slot: number, victim: Inode): void {
    this.clearEntry(parent, slot);
    this.truncate(victim);
    this.writeInode(victim.init(victim.ino, TYPE_FREE));
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Runs an edit of `path`; if free space might not suffice, restores the image when the edit fails. */
  private atomically(path: string, needBlocks: number, needInodes: number, edit: () => void): void {
    const st = this.statfs();
    if (st.freeBlocks >= needBlocks && st.freeInodes >= needInodes) return this.withPath(path, edit);
    const saved = this.cache.snapshot();
    const hint = this.freeHint;
    try {
      this.withPath(path, edit);
    } catch (e) {
      this.cache.restore(saved);
      this.freeHint = hint;
      throw e;
    }
  }

  /** Runs `edit`, naming `path` in a NoSpaceError it throws. */
  private withPath(path: string, edit: () => void): void {
    try {
      edit();
    } catch (e) {
      if (e instanceof NoSpaceError) throw new NoSpaceError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /** The message for a full disk. */
  private fullMessage(): string {
    return `no space left in the image (all ${this.superblock.totalBlocks} blocks in use)`;
  }

  /** The inode-table block holding inode `ino`; ImageError past the inode table. */
  private inodeBlock(ino: number): number {
    if (!(ino >= 0 && ino < this.superblock.inodeCount)) throw new ImageError(`corrupt image: inode ${ino} is past the inode table`);
    return this.superblock.inodeStart + Math.floor(ino / INODES_PER_BLOCK);
  }

  /** b itself if it is 0 or in the data region; otherwise ImageError (a corrupt pointer). */
  private checkBlock(b: number, ino: number): number {
    if (b !== 0 && (b < this.superblock.dataStart || b >= this.superblock.totalBlocks)) {
      throw new ImageError(`corrupt image: inode ${ino} points at block ${b}, outside the data region`);
    }
    return b;
  }

  /** Walks `names` from the root, creating missing directories; returns the last one. */
  private makeDirs(path: string, names: string[]): Inode {
    let dir = this.readInode(ROOT_INODE);
    for (let i = 0; i < names.length; i++) {
      const name = utf8.encode(names[i]!);
      const found = this.lookup(dir, name);
      if (found !== 0) {
        const next = this.readInode(found);
        if (next.type !== TYPE_DIR) throw new ImageError(`${path}: /${names.slice(0, i + 1).join("/")} is not a directory`);
        dir = next;
        continue;
      }
      dir = this.create(dir, name, TYPE_DIR);
    }
    return dir;
  }

  /** The inode `path` names; ImageError if any part is missing, or if `path` ends in "/" and names a file. */
  private resolve(path: string): number {
    const ino = this.resolveNames(path, splitPath(path));
    if (dirOnly(path) && this.readInode(ino).type !== TYPE_DIR) throw new ImageError(`${path}: not a directory`);
    return ino;
  }

  /** The inode reached by walking `names` from the root; ImageError naming `path` if missing. */
  private resolveNames(path: string, names: string[]): number {
    let ino = ROOT_INODE;
    for (let i = 0; i < names.length; i++) {
      const dir = this.readInode(ino);
      if (dir.type !== TYPE_DIR) throw new ImageError(`${path}: /${names.slice(0, i).join("/")} is not a directory`);
      ino = this.lookup(dir, utf8.encode(names[i]!));
      if (ino === 0) throw new ImageError(`${path}: no such file or directory`);
    }
    return ino;
  }

  /** A DirEntry for inode `ino`; ImageError if the inode is not in use. */
  private entryFor(name: string, ino: number): DirEntry {
    const inode = ino < this.superblock.inodeCount ? this.readInode(ino) : null;
    const type = inode ? inode.type : TYPE_FREE;
    if (type !== TYPE_FILE && type !== TYPE_DIR) throw new ImageError(`corrupt image: "${name}" names inode ${ino}, which is not in use`);
    return { name, ino, type: type === TYPE_DIR ? "dir" : "file", size: inode!.size };
  }
}

/** Whether the NUL-padded 28-byte name at `bytes[at…]` is exactly `name` (1–27 bytes). */
function sameName(bytes: Uint8Array, at: number, name: Uint8Array): boolean {
  if (name.length < DIRENT_SIZE - 4 && bytes[at + name.length] !== 0) return false;
  for (let i = 0; i < name.length; i++) if (bytes[at + i] !== name[i]) return false;
  return true;
}
