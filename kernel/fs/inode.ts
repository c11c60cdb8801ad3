// An inode in memory: its 64 on-disk bytes (docs/image.md "Inodes") and its number. The file system
// reads one with `readInode`, changes it here, and writes it back whole with `writeInode`.
import { INODE, INODE_SIZE, TYPE_FREE } from "./layout.ts";

export class Inode {
  /** The inode's number (its index in the inode table). */
  ino = 0;
  /** The 64 bytes as on the disk. */
  readonly raw = new Uint8Array(INODE_SIZE);
  private readonly view = new DataView(this.raw.buffer);

  /** 0 free, 1 regular file, 2 directory (anything else: a damaged inode). */
  get type(): number {
    return this.view.getUint16(INODE.type, true);
  }

  /** Directory entries naming it: 1 while in use. */
  get links(): number {
    return this.view.getUint16(INODE.links, true);
  }

  /** Size in bytes. */
  get size(): number {
    return this.view.getUint32(INODE.size, true);
  }

  set size(bytes: number) {
    this.view.setUint32(INODE.size, bytes, true);
  }

  /** The indirect block's number (0 = none). */
  get indirect(): number {
    return this.view.getUint32(INODE.indirect, true);
  }

  set indirect(block: number) {
    this.view.setUint32(INODE.indirect, block, true);
  }

  /** The reserved word (0 in a sound inode). */
  get reserved(): number {
    return this.view.getUint32(INODE.reserved, true);
  }

  /** Block number of direct pointer k (0 = a hole). */
  direct(k: number): number {
    return this.view.getUint32(INODE.direct + 4 * k, true);
  }

  /** Sets direct pointer k. */
  setDirect(k: number, block: number): void {
    this.view.setUint32(INODE.direct + 4 * k, block, true);
  }

  /** Makes this a new inode `ino`: `type`, links 1, everything else 0 (TYPE_FREE: all zero). */
  init(ino: number, type: number): this {
    this.ino = ino;
    this.raw.fill(0);
    if (type !== TYPE_FREE) {
      this.view.setUint16(INODE.type, type, true);
      this.view.setUint16(INODE.links, 1, true);
    }
    return this;
  }
}
