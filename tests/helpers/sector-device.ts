// A test disk for the RSFS code: memory reached only through whole-sector reads and writes (no `map`,
// as the in-kernel disk driver's block device), counting its calls and failing on demand.
import { MemoryBlockDevice } from "../../kernel/fs/memory-device.ts";
import type { BlockDevice } from "../../kernel/service.ts";

export class SectorDevice implements BlockDevice {
  private readonly mem: MemoryBlockDevice;
  reads = 0;
  writes = 0;
  /** While true, every read and write fails (returns false). */
  failing = false;

  /** A device over `bytes` (edits land in them). */
  constructor(bytes: Uint8Array) {
    this.mem = new MemoryBlockDevice(bytes);
  }

  get sectors(): number {
    return this.mem.sectors;
  }

  /** As MemoryBlockDevice.read, unless failing. */
  read(lba: number, count: number, into: Uint8Array): boolean {
    this.reads++;
    return !this.failing && this.mem.read(lba, count, into);
  }

  /** As MemoryBlockDevice.write, unless failing. */
  write(lba: number, data: Uint8Array): boolean {
    this.writes++;
    return !this.failing && this.mem.write(lba, data);
  }
}
