// fsck for RSFS v1: every way a file system differs from docs/image.md "Consistency", one line per
// problem, in a fixed order (superblock, the tree from the root, inodes in number order, the bitmap).
// Reads only, through the file system's public block and inode operations.
import type { Rsfs } from "./rsfs.ts";
import {
  BITS_PER_BLOCK, BLOCK_SIZE, DIRENT_SIZE, MAX_FILE_SIZE, NAME_MAX, NDIRECT, NINDIRECT, ROOT_INODE,
  TYPE_DIR, TYPE_FILE, TYPE_FREE, checkSuperblock,
} from "./layout.ts";

const fromUtf8 = new TextDecoder();

/** Length of a NUL-padded name (the whole field if it has no NUL). */
function nameLength(raw: Uint8Array): number {
  const nul = raw.indexOf(0);
  return nul < 0 ? raw.length : nul;
}

/** A name as a printable string for messages (control bytes escaped). */
function printable(raw: Uint8Array): string {
  return JSON.stringify(fromUtf8.decode(raw));
}

/** The little-endian u32 at byte `off` of `bytes`. */
function u32(bytes: Uint8Array, off: number): number {
  return (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
}

/** [] when the file system is consistent, else one line per problem. */
export function fsck(fs: Rsfs): string[] {
  const { problems } = checkSuperblock(fs.imageBytes >= BLOCK_SIZE ? fs.readMetaBlock(0) : null, fs.imageBytes);
  if (problems.length > 0) return problems;
  const sb = fs.superblock;
  const p: string[] = [];
  const N = sb.inodeCount;
  const T = sb.totalBlocks;
  const paths = new Map<number, string>([[ROOT_INODE, "/"]]);
  const label = (i: number): string => (paths.has(i) ? `inode ${i} (${paths.get(i)})` : `inode ${i}`);

  // Reachability and names: walk the tree from the root.
  const rootType = fs.inodeType(ROOT_INODE);
  if (rootType !== TYPE_DIR) p.push(`inode 1 (/): the root is not a directory (type ${rootType})`);
  else {
    const queue = [ROOT_INODE];
    while (queue.length > 0) {
      const dir = queue.shift()!;
      const dirPath = paths.get(dir)!;
      const seen = new Set<string>();
      fs.forEachEntry(fs.readInode(dir), (slot, child, raw) => {
        const len = nameLength(raw);
        const name = fromUtf8.decode(raw.subarray(0, len));
        const childPath = (dirPath === "/" ? "/" : dirPath + "/") + name;
        const bad = len === 0 || len > NAME_MAX || raw.subarray(0, len).includes(0x2f) || raw.subarray(len).some((b) => b !== 0);
        if (bad) p.push(`${dirPath}: entry ${slot}: bad name ${printable(raw.subarray(0, Math.min(len, DIRENT_SIZE - 4)))}`);
        else if (seen.has(name)) p.push(`${dirPath}: entry ${slot}: duplicate name "${name}"`);
        seen.add(name);
        if (child >= N) return void p.push(`${childPath}: entry names inode ${child}, past the inode table (${N} inodes)`);
        const t = fs.inodeType(child);
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
    if (!fs.isBlockUsed(b)) p.push(`block ${b}: used by ${label(ino)} but marked free in the bitmap`);
  };
  if (fs.inodeType(0) !== TYPE_FREE) p.push("inode 0: in use (inode 0 is never used)");
  for (let i = 1; i < N; i++) {
    const t = fs.inodeType(i);
    if (t === TYPE_FREE) continue;
    if (t !== TYPE_FILE && t !== TYPE_DIR) {
      p.push(`${label(i)}: bad type ${t}`);
      continue;
    }
    if (!paths.has(i)) p.push(`inode ${i}: in use but not reachable from /`);
    const inode = fs.readInode(i);
    if (inode.links !== 1) p.push(`${label(i)}: links ${inode.links}, expected 1`);
    if (inode.reserved !== 0) p.push(`${label(i)}: reserved field is not 0`);
    const size = inode.size;
    if (size > MAX_FILE_SIZE) p.push(`${label(i)}: size ${size} is larger than the largest file (${MAX_FILE_SIZE})`);
    if (t === TYPE_DIR && size % DIRENT_SIZE !== 0) p.push(`${label(i)}: directory size ${size} is not a multiple of ${DIRENT_SIZE}`);
    const nb = Math.ceil(Math.min(size, MAX_FILE_SIZE) / BLOCK_SIZE);
    for (let k = 0; k < NDIRECT; k++) {
      const b = inode.direct(k);
      if (b === 0) continue;
      if (k >= nb) p.push(`${label(i)}: block pointer ${k} past the file size is ${b}, not 0`);
      claim(b, i, "block");
    }
    const ind = inode.indirect;
    if (ind === 0) continue;
    if (nb <= NDIRECT) p.push(`${label(i)}: indirect block ${ind} past the file size, not 0`);
    const inRange = ind >= sb.dataStart && ind < T;
    claim(ind, i, "indirect block");
    if (!inRange) continue;
    for (let j = 0; j < NINDIRECT; j++) {
      const b = u32(fs.readMetaBlock(ind), 4 * j);
      if (b === 0) continue;
      if (NDIRECT + j >= nb) p.push(`${label(i)}: block pointer ${NDIRECT + j} past the file size is ${b}, not 0`);
      claim(b, i, "block");
    }
  }

  // The bitmap: metadata and the bits past the end in use, no data block marked that nothing uses.
  for (let b = 0; b < sb.dataStart; b++) if (!fs.isBlockUsed(b)) p.push(`block ${b}: metadata block marked free in the bitmap`);
  for (let b = sb.dataStart; b < T; b++) if (fs.isBlockUsed(b) && owner[b] === 0) p.push(`block ${b}: marked in use but nothing uses it`);
  let pastEnd = 0;
  for (let b = T; b < sb.bitmapBlocks * BITS_PER_BLOCK; b++) if (!fs.isBlockUsed(b)) pastEnd++;
  if (pastEnd > 0) p.push(`bitmap: ${pastEnd} bits past total_blocks (${T}) are not set`);
  return p;
}
