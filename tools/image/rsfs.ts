// RSFS v1, the ringside on-disk file system (docs/image.md), as a host library: format, open,
// read, write, list, unlink and fsck an image held in memory. Every edit happens in place in
// `bytes`, with the same allocation rules as the ring-3 file server (servers/fs.asm):
// blocks first fit from data_start, the lowest free inode, the first empty directory slot.

/** Every problem with an image, a path or an operation on it. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/** One directory entry (or, from stat, the file or directory a path names). */
export interface DirEntry {
  name: string;
  ino: number;
  type: "file" | "dir";
  size: number;
}

/** The superblock's fields (docs/image.md "Superblock"). */
export interface Superblock {
  totalBlocks: number;
  bitmapStart: number;
  bitmapBlocks: number;
  inodeStart: number;
  inodeBlocks: number;
  inodeCount: number;
  dataStart: number;
  rootInode: number;
}

/** Free space: what `statfs` reports. */
export interface FsStats {
  totalBlocks: number;
  dataStart: number;
  freeBlocks: number;
  inodeCount: number;
  freeInodes: number;
}

export const BLOCK_SIZE = 4096;
export const MAGIC = 0x53465352; // "RSFS" little-endian
export const VERSION = 1;
export const INODE_SIZE = 64;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const DIRENT_SIZE = 32;
export const NAME_MAX = 27;
export const NDIRECT = 12;
export const NINDIRECT = BLOCK_SIZE / 4;
export const MAX_FILE_SIZE = (NDIRECT + NINDIRECT) * BLOCK_SIZE;
export const ROOT_INODE = 1;
export const TYPE_FREE = 0;
export const TYPE_FILE = 1;
export const TYPE_DIR = 2;
const BITS_PER_BLOCK = BLOCK_SIZE * 8;
const DEFAULT_SIZE = 8 * 1024 * 1024;
const DEFAULT_INODES = 256;

// Inode field offsets.
const I_TYPE = 0;
const I_LINKS = 2;
const I_SIZE = 4;
const I_DIRECT = 8;
const I_INDIRECT = 56;
const I_RESERVED = 60;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The layout a file system of `totalBlocks` blocks and `inodeCount` inodes must have. */
export function layoutFor(totalBlocks: number, inodeCount: number): Superblock {
  const bitmapBlocks = Math.ceil(totalBlocks / BITS_PER_BLOCK);
  const inodeBlocks = Math.ceil(inodeCount / INODES_PER_BLOCK);
  const inodeStart = 1 + bitmapBlocks;
  return {
    totalBlocks,
    bitmapStart: 1,
    bitmapBlocks,
    inodeStart,
    inodeBlocks,
    inodeCount,
    dataStart: inodeStart + inodeBlocks,
    rootInode: ROOT_INODE,
  };
}

/** Reads the superblock and lists every way it differs from docs/image.md; never throws. */
function readSuperblock(bytes: Uint8Array): { sb?: Superblock; problems: string[] } {
  if (bytes.length < BLOCK_SIZE) return { problems: [`image is ${bytes.length} bytes, too small for a superblock (${BLOCK_SIZE})`] };
  const v = new DataView(bytes.buffer, bytes.byteOffset, BLOCK_SIZE);
  const u32 = (off: number): number => v.getUint32(off, true);
  const magic = u32(0);
  if (magic !== MAGIC) return { problems: [`superblock: bad magic 0x${magic.toString(16).padStart(8, "0")} (an RSFS image starts with "RSFS")`] };
  const problems: string[] = [];
  if (u32(4) !== VERSION) problems.push(`superblock: version ${u32(4)}, expected ${VERSION}`);
  if (u32(8) !== BLOCK_SIZE) problems.push(`superblock: block_size ${u32(8)}, expected ${BLOCK_SIZE}`);
  const totalBlocks = u32(12);
  const inodeCount = u32(32);
  const fits = Math.floor(bytes.length / BLOCK_SIZE);
  if (totalBlocks !== fits) problems.push(`superblock: total_blocks ${totalBlocks}, but the image holds ${fits} blocks`);
  if (inodeCount === 0 || inodeCount % INODES_PER_BLOCK !== 0) problems.push(`superblock: inode_count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
  const want = layoutFor(totalBlocks, inodeCount);
  const fields: [string, number, number][] = [
    ["bitmap_start", 16, want.bitmapStart],
    ["bitmap_blocks", 20, want.bitmapBlocks],
    ["inode_start", 24, want.inodeStart],
    ["inode_blocks", 28, want.inodeBlocks],
    ["data_start", 36, want.dataStart],
    ["root_inode", 40, want.rootInode],
  ];
  for (const [name, off, expected] of fields) {
    if (u32(off) !== expected) problems.push(`superblock: ${name} ${u32(off)}, expected ${expected}`);
  }
  if (want.dataStart > totalBlocks) problems.push(`superblock: the metadata (${want.dataStart} blocks) does not fit in ${totalBlocks} blocks`);
  if (bytes.subarray(44, BLOCK_SIZE).some((b) => b !== 0)) problems.push("superblock: reserved bytes (44–4095 of block 0) are not zero");
  return problems.length > 0 ? { problems } : { sb: want, problems };
}

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

/** A name as a printable string for messages (control bytes escaped). */
function printable(raw: Uint8Array): string {
  return JSON.stringify(fromUtf8.decode(raw));
}

export class Rsfs {
  /** The whole image; edits happen in place. */
  readonly bytes: Uint8Array;
  readonly superblock: Superblock;
  private readonly view: DataView;
  /** No block below this one is free (keeps first-fit allocation cheap). */
  private freeHint: number;

  /** Wraps bytes whose superblock has already been checked. */
  private constructor(bytes: Uint8Array, sb: Superblock) {
    this.bytes = bytes;
    this.superblock = sb;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.freeHint = sb.dataStart;
  }

  /** An empty file system of totalBytes (a multiple of 4096) with `inodeCount` inodes and an empty root. */
  static format(totalBytes: number = DEFAULT_SIZE, inodeCount: number = DEFAULT_INODES): Rsfs {
    if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0 || totalBytes % BLOCK_SIZE !== 0) {
      throw new ImageError(`image size ${totalBytes} is not a positive multiple of ${BLOCK_SIZE} bytes`);
    }
    if (!Number.isSafeInteger(inodeCount) || inodeCount <= 0 || inodeCount % INODES_PER_BLOCK !== 0) {
      throw new ImageError(`inode count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
    }
    const totalBlocks = totalBytes / BLOCK_SIZE;
    if (totalBlocks > 0xffffffff) throw new ImageError(`image size ${totalBytes} is too large`);
    const sb = layoutFor(totalBlocks, inodeCount);
    if (sb.dataStart >= totalBlocks) {
      throw new ImageError(`an image of ${totalBytes} bytes is too small for ${inodeCount} inodes (needs more than ${sb.dataStart} blocks)`);
    }
    const bytes = new Uint8Array(totalBytes);
    const v = new DataView(bytes.buffer);
    const put = (off: number, x: number): void => v.setUint32(off, x, true);
    put(0, MAGIC);
    put(4, VERSION);
    put(8, BLOCK_SIZE);
    put(12, sb.totalBlocks);
    put(16, sb.bitmapStart);
    put(20, sb.bitmapBlocks);
    put(24, sb.inodeStart);
    put(28, sb.inodeBlocks);
    put(32, sb.inodeCount);
    put(36, sb.dataStart);
    put(40, sb.rootInode);
    const fs = new Rsfs(bytes, sb);
    for (let b = 0; b < sb.dataStart; b++) fs.setBit(b, true);
    for (let b = sb.totalBlocks; b < sb.bitmapBlocks * BITS_PER_BLOCK; b++) fs.setBit(b, true);
    fs.initInode(ROOT_INODE, TYPE_DIR);
    return fs;
  }

  /** Wraps an existing image (no copy); throws ImageError if its superblock is not exactly RSFS v1. */
  static open(bytes: Uint8Array): Rsfs {
    if (!(bytes instanceof Uint8Array)) throw new ImageError("an image must be a Uint8Array");
    const { sb, problems } = readSuperblock(bytes);
    if (!sb) throw new ImageError(`not an RSFS v1 image: ${problems[0]}`);
    return new Rsfs(bytes, sb);
  }

  /** fsck for raw bytes: superblock problems when it cannot even be opened, else `fsck()`. */
  static check(bytes: Uint8Array): string[] {
    const { sb, problems } = readSuperblock(bytes);
    return sb ? new Rsfs(bytes, sb).fsck() : problems;
  }

  // ---- public operations -------------------------------------------------------------------

  /** The contents of the file at `path`; ImageError if it is missing or a directory. */
  readFile(path: string): Uint8Array {
    const ino = this.resolve(path);
    if (this.type(ino) === TYPE_DIR) throw new ImageError(`${path}: is a directory`);
    return this.readData(ino);
  }

  /** Creates or replaces the file at `path` (creating parent directories) with `data`. */
  writeFile(path: string, data: Uint8Array): void {
    const names = splitPath(path);
    if (names.length === 0) throw new ImageError(`${path}: is a directory`);
    if (!(data instanceof Uint8Array)) throw new ImageError(`${path}: data must be a Uint8Array`);
    if (data.length > MAX_FILE_SIZE) throw new ImageError(`${path}: ${data.length} bytes is larger than the largest RSFS file (${MAX_FILE_SIZE} bytes)`);
    const dataBlocks = Math.ceil(data.length / BLOCK_SIZE);
    const needBlocks = dataBlocks + (dataBlocks > NDIRECT ? 1 : 0) + names.length;
    this.atomically(needBlocks, names.length, () => {
      const parent = this.makeDirs(path, names.slice(0, -1));
      const name = utf8.encode(names.at(-1)!);
      const found = this.lookup(parent, name);
      let ino: number;
      if (found) {
        ino = found.ino;
        if (this.type(ino) === TYPE_DIR) throw new ImageError(`${path}: is a directory`);
        this.truncate(ino);
      } else {
        ino = this.allocInode(path);
        this.initInode(ino, TYPE_FILE);
        this.addEntry(parent, name, ino, path);
      }
      for (let i = 0; i < dataBlocks; i++) {
        const b = this.allocFileBlock(ino, i, path);
        const chunk = data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
        this.bytes.set(chunk, b * BLOCK_SIZE);
      }
      this.setSize(ino, data.length);
    });
  }

  /** Makes the directory `path` and any missing parents; fine if it already exists. */
  mkdir(path: string): void {
    const names = splitPath(path);
    this.atomically(names.length, names.length, () => void this.makeDirs(path, names));
  }

  /** The entries of the directory at `path`, in on-disk (slot) order. */
  list(path: string): DirEntry[] {
    const ino = this.resolve(path);
    if (this.type(ino) !== TYPE_DIR) throw new ImageError(`${path}: not a directory`);
    const out: DirEntry[] = [];
    this.forEachEntry(ino, (_slot, child, raw) => {
      out.push(this.entryFor(fromUtf8.decode(raw.subarray(0, nameLength(raw))), child));
    });
    return out;
  }

  /** What `path` names, or undefined if nothing does (ImageError only for a malformed path). */
  stat(path: string): DirEntry | undefined {
    const names = splitPath(path);
    let ino = ROOT_INODE;
    for (const n of names) {
      if (this.type(ino) !== TYPE_DIR) return undefined;
      const found = this.lookup(ino, utf8.encode(n));
      if (!found) return undefined;
      ino = found.ino;
    }
    return this.entryFor(names.length === 0 ? "/" : names.at(-1)!, ino);
  }

  /** Removes the file (or empty directory) at `path`, freeing its blocks and inode. */
  unlink(path: string): void {
    const names = splitPath(path);
    if (names.length === 0) throw new ImageError(`${path}: cannot remove the root directory`);
    const parent = this.resolveNames(path, names.slice(0, -1));
    if (this.type(parent) !== TYPE_DIR) throw new ImageError(`${path}: not a directory`);
    const found = this.lookup(parent, utf8.encode(names.at(-1)!));
    if (!found) throw new ImageError(`${path}: no such file or directory`);
    if (this.type(found.ino) === TYPE_DIR) {
      let empty = true;
      this.forEachEntry(found.ino, () => void (empty = false));
      if (!empty) throw new ImageError(`${path}: directory not empty`);
    }
    this.truncate(found.ino);
    this.bytes.fill(0, this.inodeOffset(found.ino), this.inodeOffset(found.ino) + INODE_SIZE);
    const at = this.slotOffset(parent, found.slot);
    this.bytes.fill(0, at, at + DIRENT_SIZE);
  }

  /** Counts of free blocks and inodes. */
  statfs(): FsStats {
    const sb = this.superblock;
    let freeBlocks = 0;
    for (let b = sb.dataStart; b < sb.totalBlocks; b++) if (!this.bit(b)) freeBlocks++;
    let freeInodes = 0;
    for (let i = 1; i < sb.inodeCount; i++) if (this.type(i) === TYPE_FREE) freeInodes++;
    return { totalBlocks: sb.totalBlocks, dataStart: sb.dataStart, freeBlocks, inodeCount: sb.inodeCount, freeInodes };
  }

  /** [] when the image is consistent (docs/image.md "Consistency"), else one line per problem. */
  fsck(): string[] {
    const { sb: checked, problems } = readSuperblock(this.bytes);
    if (!checked) return problems;
    const sb = this.superblock;
    const p: string[] = [];
    const N = sb.inodeCount;
    const T = sb.totalBlocks;
    const paths = new Map<number, string>([[ROOT_INODE, "/"]]);
    const label = (i: number): string => (paths.has(i) ? `inode ${i} (${paths.get(i)})` : `inode ${i}`);

    // Reachability and names: walk the tree from the root.
    const rootType = this.type(ROOT_INODE);
    if (rootType !== TYPE_DIR) p.push(`inode 1 (/): the root is not a directory (type ${rootType})`);
    else {
      const queue = [ROOT_INODE];
      while (queue.length > 0) {
        const dir = queue.shift()!;
        const dirPath = paths.get(dir)!;
        const seen = new Set<string>();
        this.forEachEntry(dir, (slot, child, raw) => {
          const len = nameLength(raw);
          const name = fromUtf8.decode(raw.subarray(0, len));
          const childPath = (dirPath === "/" ? "/" : dirPath + "/") + name;
          const bad = len === 0 || len > NAME_MAX || raw.subarray(0, len).includes(0x2f) || raw.subarray(len).some((b) => b !== 0);
          if (bad) p.push(`${dirPath}: entry ${slot}: bad name ${printable(raw.subarray(0, Math.min(len, DIRENT_SIZE - 4)))}`);
          else if (seen.has(name)) p.push(`${dirPath}: entry ${slot}: duplicate name "${name}"`);
          seen.add(name);
          if (child >= N) return void p.push(`${childPath}: entry names inode ${child}, past the inode table (${N} inodes)`);
          const t = this.type(child);
          if (t === TYPE_FREE) return void p.push(`${childPath}: entry names inode ${child}, which is free`);
          if (paths.has(child)) return void p.push(`inode ${child}: reachable more than once (${paths.get(child)} and ${childPath})`);
          paths.set(child, childPath);
          if (t === TYPE_DIR) queue.push(child);
        }, true);
      }
    }

    // Inodes and the blocks they use.
    const owner = new Int32Array(T); // 0 = nobody
    const claim = (b: number, ino: number, what: string): void => {
      if (b < sb.dataStart || b >= T) return void p.push(`${label(ino)}: ${what} ${b} is outside the data region (${sb.dataStart}–${T - 1})`);
      if (owner[b] !== 0) return void p.push(`block ${b}: used by both ${label(owner[b]!)} and ${label(ino)}`);
      owner[b] = ino;
      if (!this.bit(b)) p.push(`block ${b}: used by ${label(ino)} but marked free in the bitmap`);
    };
    if (this.type(0) !== TYPE_FREE) p.push("inode 0: in use (inode 0 is never used)");
    for (let i = 1; i < N; i++) {
      const t = this.type(i);
      if (t === TYPE_FREE) continue;
      if (t !== TYPE_FILE && t !== TYPE_DIR) {
        p.push(`${label(i)}: bad type ${t}`);
        continue;
      }
      if (!paths.has(i)) p.push(`inode ${i}: in use but not reachable from /`);
      const off = this.inodeOffset(i);
      const links = this.view.getUint16(off + I_LINKS, true);
      if (links !== 1) p.push(`${label(i)}: links ${links}, expected 1`);
      if (this.u32(off + I_RESERVED) !== 0) p.push(`${label(i)}: reserved field is not 0`);
      const size = this.size(i);
      if (size > MAX_FILE_SIZE) p.push(`${label(i)}: size ${size} is larger than the largest file (${MAX_FILE_SIZE})`);
      if (t === TYPE_DIR && size % DIRENT_SIZE !== 0) p.push(`${label(i)}: directory size ${size} is not a multiple of ${DIRENT_SIZE}`);
      const nb = Math.ceil(Math.min(size, MAX_FILE_SIZE) / BLOCK_SIZE);
      for (let k = 0; k < NDIRECT; k++) {
        const b = this.u32(off + I_DIRECT + 4 * k);
        if (b === 0) continue;
        if (k >= nb) p.push(`${label(i)}: block pointer ${k} past the file size is ${b}, not 0`);
        claim(b, i, "block");
      }
      const ind = this.u32(off + I_INDIRECT);
      if (ind === 0) continue;
      if (nb <= NDIRECT) p.push(`${label(i)}: indirect block ${ind} past the file size, not 0`);
      const inRange = ind >= sb.dataStart && ind < T;
      claim(ind, i, "indirect block");
      if (!inRange) continue;
      for (let j = 0; j < NINDIRECT; j++) {
        const b = this.u32(ind * BLOCK_SIZE + 4 * j);
        if (b === 0) continue;
        if (NDIRECT + j >= nb) p.push(`${label(i)}: block pointer ${NDIRECT + j} past the file size is ${b}, not 0`);
        claim(b, i, "block");
      }
    }

    // The bitmap: metadata and the bits past the end in use, no data block marked that nothing uses.
    for (let b = 0; b < sb.dataStart; b++) if (!this.bit(b)) p.push(`block ${b}: metadata block marked free in the bitmap`);
    for (let b = sb.dataStart; b < T; b++) if (this.bit(b) && owner[b] === 0) p.push(`block ${b}: marked in use but nothing uses it`);
    let pastEnd = 0;
    for (let b = T; b < sb.bitmapBlocks * BITS_PER_BLOCK; b++) if (!this.bit(b)) pastEnd++;
    if (pastEnd > 0) p.push(`bitmap: ${pastEnd} bits past total_blocks (${T}) are not set`);
    return p;
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Runs an edit; if free space might not suffice, restores the image when the edit fails. */
  private atomically(needBlocks: number, needInodes: number, edit: () => void): void {
    const st = this.statfs();
    if (st.freeBlocks >= needBlocks && st.freeInodes >= needInodes) return edit();
    const saved = this.bytes.slice();
    const hint = this.freeHint;
    try {
      edit();
    } catch (e) {
      this.bytes.set(saved);
      this.freeHint = hint;
      throw e;
    }
  }

  /** The little-endian u32 at byte `off` of the image. */
  private u32(off: number): number {
    return this.view.getUint32(off, true);
  }

  /** Stores a little-endian u32 at byte `off`. */
  private setU32(off: number, x: number): void {
    this.view.setUint32(off, x, true);
  }

  /** Whether block b is marked in use in the bitmap. */
  private bit(b: number): boolean {
    const off = this.superblock.bitmapStart * BLOCK_SIZE + (b >> 3);
    return (this.bytes[off]! & (1 << (b & 7))) !== 0;
  }

  /** Marks block b in use (on) or free in the bitmap. */
  private setBit(b: number, on: boolean): void {
    const off = this.superblock.bitmapStart * BLOCK_SIZE + (b >> 3);
    if (on) this.bytes[off]! |= 1 << (b & 7);
    else this.bytes[off]! &= ~(1 << (b & 7));
  }

  /** The lowest free data block, now marked in use and zeroed; ImageError when the image is full. */
  private allocBlock(path: string): number {
    const { totalBlocks } = this.superblock;
    for (let b = this.freeHint; b < totalBlocks; b++) {
      if (!this.bit(b)) {
        this.setBit(b, true);
        this.bytes.fill(0, b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE);
        this.freeHint = b + 1;
        return b;
      }
    }
    this.freeHint = totalBlocks;
    throw new ImageError(`${path}: no space left in the image (all ${totalBlocks} blocks in use)`);
  }

  /** Marks data block b free (pointers outside the data region are ignored). */
  private freeBlock(b: number): void {
    if (b < this.superblock.dataStart || b >= this.superblock.totalBlocks) return; // corrupt pointer: nothing to free
    this.setBit(b, false);
    if (b < this.freeHint) this.freeHint = b;
  }

  /** The lowest free inode (from 1); ImageError when there is none. */
  private allocInode(path: string): number {
    for (let i = 1; i < this.superblock.inodeCount; i++) if (this.type(i) === TYPE_FREE) return i;
    throw new ImageError(`${path}: no free inodes left in the image (${this.superblock.inodeCount})`);
  }

  /** Writes a whole new inode: `type`, links 1, everything else 0. */
  private initInode(ino: number, type: number): void {
    const off = this.inodeOffset(ino);
    this.bytes.fill(0, off, off + INODE_SIZE);
    this.view.setUint16(off + I_TYPE, type, true);
    this.view.setUint16(off + I_LINKS, 1, true);
  }

  /** Byte offset of inode `ino` in the image. */
  private inodeOffset(ino: number): number {
    return this.superblock.inodeStart * BLOCK_SIZE + ino * INODE_SIZE;
  }

  /** The inode's type (0 free, 1 file, 2 directory); ImageError past the inode table. */
  private type(ino: number): number {
    if (ino >= this.superblock.inodeCount) throw new ImageError(`corrupt image: inode ${ino} is past the inode table`);
    return this.view.getUint16(this.inodeOffset(ino) + I_TYPE, true);
  }

  /** The inode's size in bytes. */
  private size(ino: number): number {
    return this.u32(this.inodeOffset(ino) + I_SIZE);
  }

  /** Sets the inode's size in bytes. */
  private setSize(ino: number, size: number): void {
    this.setU32(this.inodeOffset(ino) + I_SIZE, size);
  }

  /** b itself if it is 0 or in the data region; otherwise ImageError (a corrupt pointer). */
  private checkBlock(b: number, ino: number): number {
    if (b !== 0 && (b < this.superblock.dataStart || b >= this.superblock.totalBlocks)) {
      throw new ImageError(`corrupt image: inode ${ino} points at block ${b}, outside the data region`);
    }
    return b;
  }

  /** Block number of the file's block `idx` (0 = a hole); ImageError for a corrupt pointer. */
  private blockOf(ino: number, idx: number): number {
    const off = this.inodeOffset(ino);
    if (idx < NDIRECT) return this.checkBlock(this.u32(off + I_DIRECT + 4 * idx), ino);
    const ind = this.checkBlock(this.u32(off + I_INDIRECT), ino);
    if (ind === 0) return 0;
    return this.checkBlock(this.u32(ind * BLOCK_SIZE + 4 * (idx - NDIRECT)), ino);
  }

  /** The file's block `idx`, allocating it (and the indirect block just before it) when it is a hole. */
  private allocFileBlock(ino: number, idx: number, path: string): number {
    const existing = this.blockOf(ino, idx);
    if (existing !== 0) return existing;
    const off = this.inodeOffset(ino);
    if (idx < NDIRECT) {
      const b = this.allocBlock(path);
      this.setU32(off + I_DIRECT + 4 * idx, b);
      return b;
    }
    let ind = this.u32(off + I_INDIRECT);
    if (ind === 0) {
      ind = this.allocBlock(path);
      this.setU32(off + I_INDIRECT, ind);
    }
    const b = this.allocBlock(path);
    this.setU32(ind * BLOCK_SIZE + 4 * (idx - NDIRECT), b);
    return b;
  }

  /** Frees every block of the inode (data and indirect) and sets its size to 0. */
  private truncate(ino: number): void {
    const off = this.inodeOffset(ino);
    for (let k = 0; k < NDIRECT; k++) {
      this.freeBlock(this.u32(off + I_DIRECT + 4 * k));
      this.setU32(off + I_DIRECT + 4 * k, 0);
    }
    const ind = this.u32(off + I_INDIRECT);
    if (ind >= this.superblock.dataStart && ind < this.superblock.totalBlocks) {
      for (let j = 0; j < NINDIRECT; j++) this.freeBlock(this.u32(ind * BLOCK_SIZE + 4 * j));
    }
    this.freeBlock(ind);
    this.setU32(off + I_INDIRECT, 0);
    this.setSize(ino, 0);
  }

  /** The inode's contents (holes read as zeros); ImageError for a corrupt inode. */
  private readData(ino: number): Uint8Array {
    const size = this.size(ino);
    if (size > MAX_FILE_SIZE) throw new ImageError(`corrupt image: inode ${ino} has size ${size}, larger than any RSFS file`);
    const out = new Uint8Array(size);
    for (let i = 0; i * BLOCK_SIZE < size; i++) {
      const b = this.blockOf(ino, i);
      if (b === 0) continue; // a hole reads as zeros
      const n = Math.min(BLOCK_SIZE, size - i * BLOCK_SIZE);
      out.set(this.bytes.subarray(b * BLOCK_SIZE, b * BLOCK_SIZE + n), i * BLOCK_SIZE);
    }
    return out;
  }

  /** Byte offset of directory slot `slot`, allocating its block if it lies in a hole. */
  private slotOffset(dir: number, slot: number, path = ""): number {
    const idx = Math.floor((slot * DIRENT_SIZE) / BLOCK_SIZE);
    const b = this.blockOf(dir, idx) || this.allocFileBlock(dir, idx, path);
    return b * BLOCK_SIZE + ((slot * DIRENT_SIZE) % BLOCK_SIZE);
  }

  /**
   * Calls fn(slot, ino, rawName28) for each used slot of a directory, in order. With `lenient`
   * (fsck), a corrupt block pointer is skipped (fsck reports it elsewhere) instead of throwing.
   */
  private forEachEntry(dir: number, fn: (slot: number, ino: number, raw: Uint8Array) => void, lenient = false): void {
    const slots = Math.floor(Math.min(this.size(dir), MAX_FILE_SIZE) / DIRENT_SIZE);
    const perBlock = BLOCK_SIZE / DIRENT_SIZE;
    for (let s = 0; s < slots; s += perBlock) {
      let b: number;
      try {
        b = this.blockOf(dir, s / perBlock);
      } catch (e) {
        if (lenient && e instanceof ImageError) continue;
        throw e;
      }
      if (b === 0) continue;
      for (let k = 0; k < perBlock && s + k < slots; k++) {
        const at = b * BLOCK_SIZE + k * DIRENT_SIZE;
        const ino = this.u32(at);
        if (ino !== 0) fn(s + k, ino, this.bytes.subarray(at + 4, at + DIRENT_SIZE));
      }
    }
  }

  /** The entry called `name` in directory `dir`, if any. */
  private lookup(dir: number, name: Uint8Array): { slot: number; ino: number } | undefined {
    let hit: { slot: number; ino: number } | undefined;
    this.forEachEntry(dir, (slot, ino, raw) => {
      if (hit === undefined && nameLength(raw) === name.length && name.every((c, i) => raw[i] === c)) hit = { slot, ino };
    });
    return hit;
  }

  /** Puts (name → ino) in the first empty slot of `dir`, else in a new slot at its end. */
  private addEntry(dir: number, name: Uint8Array, ino: number, path: string): void {
    const size = this.size(dir);
    let slot = -1;
    for (let s = 0; s < size / DIRENT_SIZE && slot < 0; s++) {
      const b = this.blockOf(dir, Math.floor((s * DIRENT_SIZE) / BLOCK_SIZE));
      if (b === 0 || this.u32(b * BLOCK_SIZE + ((s * DIRENT_SIZE) % BLOCK_SIZE)) === 0) slot = s;
    }
    if (slot < 0) {
      if (size + DIRENT_SIZE > MAX_FILE_SIZE) throw new ImageError(`${path}: the directory is full`);
      slot = size / DIRENT_SIZE;
    }
    const at = this.slotOffset(dir, slot, path);
    this.bytes.fill(0, at, at + DIRENT_SIZE);
    this.setU32(at, ino);
    this.bytes.set(name, at + 4);
    if (slot * DIRENT_SIZE >= size) this.setSize(dir, size + DIRENT_SIZE);
  }

  /** Walks `names` from the root, creating missing directories; returns the last one's inode. */
  private makeDirs(path: string, names: string[]): number {
    let dir = ROOT_INODE;
    for (let i = 0; i < names.length; i++) {
      const name = utf8.encode(names[i]!);
      const found = this.lookup(dir, name);
      if (found) {
        if (this.type(found.ino) !== TYPE_DIR) throw new ImageError(`${path}: /${names.slice(0, i + 1).join("/")} is not a directory`);
        dir = found.ino;
        continue;
      }
      const ino = this.allocInode(path);
      this.initInode(ino, TYPE_DIR);
      this.addEntry(dir, name, ino, path);
      dir = ino;
    }
    return dir;
  }

  /** The inode `path` names; ImageError if any part is missing. */
  private resolve(path: string): number {
    return this.resolveNames(path, splitPath(path));
  }

  /** The inode reached by walking `names` from the root; ImageError naming `path` if missing. */
  private resolveNames(path: string, names: string[]): number {
    let ino = ROOT_INODE;
    for (let i = 0; i < names.length; i++) {
      if (this.type(ino) !== TYPE_DIR) throw new ImageError(`${path}: /${names.slice(0, i).join("/")} is not a directory`);
      const found = this.lookup(ino, utf8.encode(names[i]!));
      if (!found) throw new ImageError(`${path}: no such file or directory`);
      ino = found.ino;
    }
    return ino;
  }

  /** A DirEntry for inode `ino`; ImageError if the inode is not in use. */
  private entryFor(name: string, ino: number): DirEntry {
    const type = ino < this.superblock.inodeCount ? this.type(ino) : TYPE_FREE;
    if (type !== TYPE_FILE && type !== TYPE_DIR) throw new ImageError(`corrupt image: "${name}" names inode ${ino}, which is not in use`);
    return { name, ino, type: type === TYPE_DIR ? "dir" : "file", size: this.size(ino) };
  }
}

/** Length of a NUL-padded name (the whole field if it has no NUL). */
function nameLength(raw: Uint8Array): number {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw.length : nul;
}
