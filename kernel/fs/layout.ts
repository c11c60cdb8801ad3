// RSFS v1's on-disk format (docs/image.md): sizes, field offsets, the layout a disk of a given size
// must have, and the superblock checks — strict (the host tools, fsck) and as the file server
// mounts (servers/fs.asm `mount`). Pure data and functions; imports nothing but the error class.

export const BLOCK_SIZE = 4096;
export const SECTOR_SIZE = 512;
export const SECTORS_PER_BLOCK = BLOCK_SIZE / SECTOR_SIZE;
export const MAGIC = 0x53465352; // "RSFS" little-endian
export const VERSION = 1;
export const INODE_SIZE = 64;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const DIRENT_SIZE = 32;
export const DIRENTS_PER_BLOCK = BLOCK_SIZE / DIRENT_SIZE;
export const NAME_MAX = 27;
export const NDIRECT = 12;
export const NINDIRECT = BLOCK_SIZE / 4;
export const MAX_BLOCKS = NDIRECT + NINDIRECT;
export const MAX_FILE_SIZE = MAX_BLOCKS * BLOCK_SIZE;
export const ROOT_INODE = 1;
export const TYPE_FREE = 0;
export const TYPE_FILE = 1;
export const TYPE_DIR = 2;
export const BITS_PER_BLOCK = BLOCK_SIZE * 8;

/** Superblock field offsets (block 0). */
export const SB = {
  magic: 0, version: 4, blockSize: 8, totalBlocks: 12, bitmapStart: 16, bitmapBlocks: 20,
  inodeStart: 24, inodeBlocks: 28, inodeCount: 32, dataStart: 36, rootInode: 40, reserved: 44,
} as const;

/** Inode field offsets (64 bytes). */
export const INODE = { type: 0, links: 2, size: 4, direct: 8, indirect: 56, reserved: 60 } as const;

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

/** Writes `sb` as a superblock into `block0` (4096 bytes, the rest left as it is). */
export function encodeSuperblock(sb: Superblock, block0: Uint8Array): void {
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const put = (off: number, x: number): void => v.setUint32(off, x, true);
  put(SB.magic, MAGIC);
  put(SB.version, VERSION);
  put(SB.blockSize, BLOCK_SIZE);
  put(SB.totalBlocks, sb.totalBlocks);
  put(SB.bitmapStart, sb.bitmapStart);
  put(SB.bitmapBlocks, sb.bitmapBlocks);
  put(SB.inodeStart, sb.inodeStart);
  put(SB.inodeBlocks, sb.inodeBlocks);
  put(SB.inodeCount, sb.inodeCount);
  put(SB.dataStart, sb.dataStart);
  put(SB.rootInode, sb.rootInode);
}

/**
 * The superblock in `block0` if it is exactly docs/image.md's for an image of `imageBytes` bytes,
 * else every way it differs (`block0` null: the image is too small to hold one). Never throws.
 */
export function checkSuperblock(block0: Uint8Array | null, imageBytes: number): { sb?: Superblock; problems: string[] } {
  if (block0 === null || imageBytes < BLOCK_SIZE) return { problems: [`image is ${imageBytes} bytes, too small for a superblock (${BLOCK_SIZE})`] };
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const u32 = (off: number): number => v.getUint32(off, true);
  const magic = u32(SB.magic);
  if (magic !== MAGIC) return { problems: [`superblock: bad magic 0x${magic.toString(16).padStart(8, "0")} (an RSFS image starts with "RSFS")`] };
  const problems: string[] = [];
  if (u32(SB.version) !== VERSION) problems.push(`superblock: version ${u32(SB.version)}, expected ${VERSION}`);
  if (u32(SB.blockSize) !== BLOCK_SIZE) problems.push(`superblock: block_size ${u32(SB.blockSize)}, expected ${BLOCK_SIZE}`);
  const totalBlocks = u32(SB.totalBlocks);
  const inodeCount = u32(SB.inodeCount);
  const fits = Math.floor(imageBytes / BLOCK_SIZE);
  if (totalBlocks !== fits) problems.push(`superblock: total_blocks ${totalBlocks}, but the image holds ${fits} blocks`);
  if (inodeCount === 0 || inodeCount % INODES_PER_BLOCK !== 0) problems.push(`superblock: inode_count ${inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
  const want = layoutFor(totalBlocks, inodeCount);
  const fields: [string, number, number][] = [
    ["bitmap_start", SB.bitmapStart, want.bitmapStart],
    ["bitmap_blocks", SB.bitmapBlocks, want.bitmapBlocks],
    ["inode_start", SB.inodeStart, want.inodeStart],
    ["inode_blocks", SB.inodeBlocks, want.inodeBlocks],
    ["data_start", SB.dataStart, want.dataStart],
    ["root_inode", SB.rootInode, want.rootInode],
  ];
  for (const [name, off, expected] of fields) {
    if (u32(off) !== expected) problems.push(`superblock: ${name} ${u32(off)}, expected ${expected}`);
  }
  if (want.dataStart > totalBlocks) problems.push(`superblock: the metadata (${want.dataStart} blocks) does not fit in ${totalBlocks} blocks`);
  if (block0.subarray(SB.reserved, BLOCK_SIZE).some((b) => b !== 0)) problems.push("superblock: reserved bytes (44–4095 of block 0) are not zero");
  return problems.length > 0 ? { problems } : { sb: want, problems };
}

/**
 * The superblock in `block0` if the file server would mount it on a disk of `diskSectors` sectors
 * (servers/fs.asm `mount`: the layout fields exact, the file system no larger than the disk, LBAs
 * within 32 bits; reserved bytes not checked), else undefined.
 */
export function mountableSuperblock(block0: Uint8Array, diskSectors: number): Superblock | undefined {
  const v = new DataView(block0.buffer, block0.byteOffset, BLOCK_SIZE);
  const u32 = (off: number): number => v.getUint32(off, true);
  if (u32(SB.magic) !== MAGIC || u32(SB.version) !== VERSION || u32(SB.blockSize) !== BLOCK_SIZE || u32(SB.rootInode) !== ROOT_INODE) return undefined;
  const totalBlocks = u32(SB.totalBlocks);
  const inodeCount = u32(SB.inodeCount);
  if (totalBlocks >= 1 << 28 || totalBlocks * SECTORS_PER_BLOCK > diskSectors) return undefined;
  if (inodeCount === 0 || inodeCount % INODES_PER_BLOCK !== 0) return undefined;
  const want = layoutFor(totalBlocks, inodeCount);
  if (u32(SB.bitmapStart) !== want.bitmapStart || u32(SB.bitmapBlocks) !== want.bitmapBlocks || u32(SB.inodeStart) !== want.inodeStart) return undefined;
  if (u32(SB.inodeBlocks) !== want.inodeBlocks || u32(SB.dataStart) !== want.dataStart || want.dataStart >= totalBlocks) return undefined;
  return want;
}
