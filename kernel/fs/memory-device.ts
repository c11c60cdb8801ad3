// A block device whose sectors are a Uint8Array in memory: a disk image held by the host tools, or a
// test's disk. It also lends out views of its sectors (`map`), so the file system can work on them
// in place with no copies. Pure TypeScript, no node: modules.
import type { BlockDevice } from "../service.ts";
import { SECTOR } from "../protocol.ts";

/** A BlockDevice over `bytes` (its length rounded down to whole sectors); edits land in `bytes`. */
export class MemoryBlockDevice implements BlockDevice {
  readonly bytes: Uint8Array;
  readonly sectors: number;

  /** Wraps `bytes` without copying. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.sectors = Math.floor(bytes.length / SECTOR);
  }

  /** Copies `count` sectors from `lba` into `into`; false if the range is not on the device. */
  read(lba: number, count: number, into: Uint8Array): boolean {
    if (!this.inRange(lba, count) || into.length < count * SECTOR) return false;
    into.set(this.bytes.subarray(lba * SECTOR, (lba + count) * SECTOR));
    return true;
  }

  /** Copies `data` (whole sectors) to sector `lba`; false if it is not whole sectors on the device. */
  write(lba: number, data: Uint8Array): boolean {
    if (data.length % SECTOR !== 0 || !this.inRange(lba, data.length / SECTOR)) return false;
    this.bytes.set(data, lba * SECTOR);
    return true;
  }

  /** The device's own bytes of `count` sectors from `lba` (a live view: writes to it are writes to the disk). */
  map(lba: number, count: number): Uint8Array {
    if (!this.inRange(lba, count)) throw new RangeError(`sectors ${lba}+${count} are not on a ${this.sectors}-sector device`);
    return this.bytes.subarray(lba * SECTOR, (lba + count) * SECTOR);
  }

  /** Whether sectors lba … lba+count-1 exist. */
  private inRange(lba: number, count: number): boolean {
    return Number.isInteger(lba) && Number.isInteger(count) && lba >= 0 && count >= 0 && lba + count <= this.sectors;
  }
}
