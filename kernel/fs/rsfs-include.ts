// Generates servers/lib/rsfs.inc — RSFS v1's on-disk format for the ring-3 file server — from
// kernel/fs/layout.ts, so the format has one source of truth for TypeScript and NASM. `npm run gen`
// rewrites the file; a test fails if the committed copy is stale.
import { BITS_PER_BLOCK, BLOCK_SIZE, DIRENT_SIZE, DIRENTS_PER_BLOCK, INODE, INODE_SIZE, INODES_PER_BLOCK, MAGIC, MAX_BLOCKS, MAX_FILE_SIZE, NAME_MAX, NDIRECT, NINDIRECT, ROOT_INODE, SB, SECTORS_PER_BLOCK, TYPE_DIR, TYPE_FILE, TYPE_FREE, VERSION } from "./layout.ts";

/** The text of servers/lib/rsfs.inc. */
export function rsfsInclude(): string {
  const equ = (name: string, value: number, comment = "") => `${name.padEnd(16)}equ ${value}${comment ? `    ; ${comment}` : ""}`;
  const sb: [string, number][] = [
    ["SB_MAGIC", SB.magic], ["SB_VERSION", SB.version], ["SB_BLOCK_SIZE", SB.blockSize], ["SB_TOTAL", SB.totalBlocks],
    ["SB_BITMAP_START", SB.bitmapStart], ["SB_BITMAP_BLKS", SB.bitmapBlocks], ["SB_INODE_START", SB.inodeStart],
    ["SB_INODE_BLKS", SB.inodeBlocks], ["SB_INODE_COUNT", SB.inodeCount], ["SB_DATA_START", SB.dataStart], ["SB_ROOT", SB.rootInode],
  ];
  return [
    "; RSFS v1's on-disk format (docs/image.md) for NASM. Generated from kernel/fs/layout.ts by",
    "; `npm run gen`; do not edit.",
    "",
    "%ifndef RSFS_INC",
    "%define RSFS_INC",
    "",
    equ("BLOCK", BLOCK_SIZE),
    equ("SECTORS_PER_BLK", SECTORS_PER_BLOCK),
    equ("NDIRECT", NDIRECT),
    equ("NINDIRECT", NINDIRECT),
    equ("MAX_BLOCKS", MAX_BLOCKS),
    equ("MAX_FILE", MAX_FILE_SIZE, "the largest file, in bytes"),
    equ("DIRENT", DIRENT_SIZE),
    equ("ENT_PER_BLK", DIRENTS_PER_BLOCK),
    equ("NAME_MAX", NAME_MAX),
    equ("INODES_PER_BLK", INODES_PER_BLOCK),
    equ("BITS_PER_BLK", BITS_PER_BLOCK, "bitmap bits per bitmap block"),
    equ("RSFS_MAGIC", MAGIC, '"RSFS"'),
    equ("RSFS_VERSION", VERSION),
    equ("ROOT_INO", ROOT_INODE),
    equ("T_FREE", TYPE_FREE),
    equ("T_FILE", TYPE_FILE),
    equ("T_DIR", TYPE_DIR),
    "",
    `; An inode as on the disk (${INODE_SIZE} bytes; xv6's struct dinode).`,
    "struc inode",
    `    .type:      resw 1      ; +${INODE.type}`,
    `    .links:     resw 1      ; +${INODE.links}`,
    `    .size:      resd 1      ; +${INODE.size}`,
    `    .direct:    resd NDIRECT ; +${INODE.direct}`,
    `    .indirect:  resd 1      ; +${INODE.indirect}`,
    `    .reserved:  resd 1      ; +${INODE.reserved}`,
    "endstruc",
    "",
    "; The superblock's fields (offsets in block 0).",
    ...sb.map(([n, v]) => equ(n, v)),
    "",
    "%endif",
    "",
  ].join("\n");
}
