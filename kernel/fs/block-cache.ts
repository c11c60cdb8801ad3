// The file system's view of its disk: 4 KiB blocks over a BlockDevice of 512-byte sectors. Metadata
// (superblock, bitmap, inodes, directories, indirect blocks) goes through a small write-through
// cache — a read is served from it when it can, every change is written to the device at once (just
// the sectors that changed), so the disk is consistent whenever an operation has finished. File data
// bypasses the cache. A device that lends out its memory (MemoryBlockDevice's `map`) is used in
// place: no cache, no copies, and edits made to that memory by others are seen at once.
import type { BlockDevice } from "../service.ts";
import { DeviceError } from "./errors.ts";
import { BLOCK_SIZE, SECTOR_SIZE, SECTORS_PER_BLOCK } from "./layout.ts";

/** A block device whose sectors live in memory it can lend out. */
export interface MappedBlockDevice extends BlockDevice {
  /** A live view of `count` sectors from `lba`: writing to it writes the disk. */
  map(lba: number, count: number): Uint8Array;
}

/** Whether `device` lends out its memory. */
function isMapped(device: BlockDevice): device is MappedBlockDevice {
  return typeof (device as Partial<MappedBlockDevice>).map === "function";
}

/** Cache slots for a device that is not mapped (fs.asm keeps 8; the TS code holds up to 4 at once). */
const DEFAULT_SLOTS = 16;

export class BlockCache {
  readonly device: BlockDevice;
  /** Whole 4 KiB blocks on the device. */
  readonly blocks: number;
  private readonly mapped: MappedBlockDevice | null;
  private readonly views: (Uint8Array | undefined)[] = [];
  private readonly slotBlock: Int32Array;
  private readonly slotUse: Float64Array;
  private readonly slotData: Uint8Array[];
  private clock = 0;
  private readonly scratch = new Uint8Array(BLOCK_SIZE);

  /** A cache of `slots` blocks over `device` (none if the device is mapped). */
  constructor(device: BlockDevice, slots = DEFAULT_SLOTS) {
    this.device = device;
    this.blocks = Math.floor(device.sectors / SECTORS_PER_BLOCK);
    this.mapped = isMapped(device) ? device : null;
    const n = this.mapped ? 0 : slots;
    this.slotBlock = new Int32Array(n).fill(-1);
    this.slotUse = new Float64Array(n);
    this.slotData = Array.from({ length: n }, () => new Uint8Array(BLOCK_SIZE));
  }

  /**
   * Block b's 4096 bytes (read on a miss). The buffer stays valid until `slots` other blocks have
   * been fetched; change it only together with `sync`. Throws DeviceError if the read fails.
   */
  get(b: number): Uint8Array {
    if (this.mapped) return this.view(b);
    const slot = this.find(b);
    if (slot >= 0) return this.slotData[slot]!;
    const claimed = this.claim(b);
    const data = this.slotData[claimed]!;
    this.slotBlock[claimed] = -1; // empty until the read succeeds
    if (!this.device.read(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, data)) throw new DeviceError(`disk read of block ${b} failed`);
    this.slotBlock[claimed] = b;
    return data;
  }

  /** Block b as zeros, not read: the caller fills it and writes all of it with `sync(b, buf, 0, BLOCK_SIZE)`. */
  fresh(b: number): Uint8Array {
    if (this.mapped) return this.view(b).fill(0);
    const slot = this.find(b);
    return this.slotData[slot >= 0 ? slot : this.claim(b)]!.fill(0);
  }

  /** Writes bytes [from, to) of block b's buffer (from get/fresh) to the device: the sectors holding them. */
  sync(b: number, buf: Uint8Array, from: number, to: number): void {
    if (this.mapped || to <= from) return; // a mapped buffer is the disk itself
    const first = Math.floor(from / SECTOR_SIZE);
    const last = Math.floor((to - 1) / SECTOR_SIZE);
    this.writeSectors(b * SECTORS_PER_BLOCK + first, buf.subarray(first * SECTOR_SIZE, (last + 1) * SECTOR_SIZE));
  }

  /** Forgets block b (it was freed, or written around the cache). */
  drop(b: number): void {
    const slot = this.find(b);
    if (slot >= 0) {
      this.slotBlock[slot] = -1;
      this.slotUse[slot] = 0;
    }
  }

  /** Forgets every block (after a device error, or before reading what others may have changed). */
  reset(): void {
    this.slotBlock.fill(-1);
    this.slotUse.fill(0);
  }

  /** Copies bytes [off, off+len) of data block b into `into` at `at`, around the cache. */
  readData(b: number, off: number, len: number, into: Uint8Array, at: number): void {
    if (this.mapped) return void into.set(this.view(b).subarray(off, off + len), at);
    if (off === 0 && len === BLOCK_SIZE) return this.readSectors(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, into.subarray(at, at + BLOCK_SIZE));
    const first = Math.floor(off / SECTOR_SIZE);
    const last = Math.floor((off + len - 1) / SECTOR_SIZE);
    this.readSectors(b * SECTORS_PER_BLOCK + first, last - first + 1, this.scratch);
    into.set(this.scratch.subarray(off - first * SECTOR_SIZE, off - first * SECTOR_SIZE + len), at);
  }

  /**
   * Writes `data` at byte `off` of data block b, around the cache. A `fresh` block (just allocated)
   * is written whole, zeros around the data; an old one has the sectors the data only partly
   * covers read, patched and written back.
   */
  writeData(b: number, off: number, data: Uint8Array, fresh: boolean): void {
    this.drop(b);
    if (this.mapped) {
      const view = this.view(b);
      if (fresh) view.fill(0);
      return void view.set(data, off);
    }
    const lba = b * SECTORS_PER_BLOCK;
    if (off === 0 && data.length === BLOCK_SIZE) return this.writeSectors(lba, data);
    if (fresh) {
      this.scratch.fill(0);
      this.scratch.set(data, off);
      return this.writeSectors(lba, this.scratch);
    }
    const first = Math.floor(off / SECTOR_SIZE);
    const last = Math.floor((off + data.length - 1) / SECTOR_SIZE);
    const count = last - first + 1;
    const start = off - first * SECTOR_SIZE;
    if (start % SECTOR_SIZE !== 0 || (off + data.length) % SECTOR_SIZE !== 0) this.readSectors(lba + first, count, this.scratch);
    this.scratch.set(data, start);
    this.writeSectors(lba + first, this.scratch.subarray(0, count * SECTOR_SIZE));
  }

  /** Every byte of the device (a snapshot to restore a failed edit from), read 8 sectors at a time. */
  snapshot(): Uint8Array {
    if (this.mapped) return this.mapped.map(0, this.device.sectors).slice();
    const out = new Uint8Array(this.device.sectors * SECTOR_SIZE);
    for (let lba = 0; lba < this.device.sectors; lba += SECTORS_PER_BLOCK) {
      const n = Math.min(SECTORS_PER_BLOCK, this.device.sectors - lba);
      this.readSectors(lba, n, out.subarray(lba * SECTOR_SIZE, (lba + n) * SECTOR_SIZE));
    }
    return out;
  }

  /** Puts back a snapshot taken with `snapshot`. */
  restore(bytes: Uint8Array): void {
    this.reset();
    if (this.mapped) return void this.mapped.map(0, this.device.sectors).set(bytes);
    for (let lba = 0; lba * SECTOR_SIZE < bytes.length; lba += SECTORS_PER_BLOCK) {
      this.writeSectors(lba, bytes.subarray(lba * SECTOR_SIZE, Math.min(bytes.length, (lba + SECTORS_PER_BLOCK) * SECTOR_SIZE)));
    }
  }

  /** Block b's live view on a mapped device (made once per block). */
  private view(b: number): Uint8Array {
    let v = this.views[b];
    if (v === undefined) {
      if (!(b >= 0 && b < this.blocks)) throw new DeviceError(`block ${b} is not on the disk (${this.blocks} blocks)`);
      v = this.mapped!.map(b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK);
      this.views[b] = v;
    }
    return v;
  }

  /** The slot holding block b, stamped as just used; -1 if none. */
  private find(b: number): number {
    for (let s = 0; s < this.slotBlock.length; s++) {
      if (this.slotBlock[s] === b) {
        this.slotUse[s] = ++this.clock;
        return s;
      }
    }
    return -1;
  }

  /** The least recently used slot, now holding block b (its contents stale). */
  private claim(b: number): number {
    if (!(b >= 0 && b < this.blocks)) throw new DeviceError(`block ${b} is not on the disk (${this.blocks} blocks)`);
    let slot = 0;
    for (let s = 1; s < this.slotUse.length; s++) if (this.slotUse[s]! < this.slotUse[slot]!) slot = s;
    this.slotBlock[slot] = b;
    this.slotUse[slot] = ++this.clock;
    return slot;
  }

  /** Reads `count` sectors from `lba` into `into`; DeviceError if the device refuses. */
  private readSectors(lba: number, count: number, into: Uint8Array): void {
    if (!this.device.read(lba, count, into)) throw new DeviceError(`disk read of ${count} sectors at ${lba} failed`);
  }

  /** Writes whole sectors at `lba`; DeviceError if the device refuses. */
  private writeSectors(lba: number, data: Uint8Array): void {
    if (!this.device.write(lba, data)) throw new DeviceError(`disk write of ${data.length / SECTOR_SIZE} sectors at ${lba} failed`);
  }
}
