// disk: the in-kernel (monolithic-mode) ATA disk service — servers/disk.asm in TypeScript. Drives
// the master drive of the primary ATA channel (ports 0x1f0–0x1f7 and 0x3f6, IRQ 14) in PIO mode
// with 28-bit LBA and 512-byte sectors, for clients (MSG.DISK_*) and for the in-kernel file system
// (`blockDevice`).
//
// start: irqAck(14) (enables the line), 0 to the device control register 0x3f6 (nIEN = 0: v86 resets
//   with nIEN = 1), select the master, IDENTIFY DEVICE (0xec): the size is words 60–61 (at most
//   2^28). No drive (alternate status 0 or 0xff) or a failed IDENTIFY leaves the size 0: then every
//   transfer is refused with -EINVAL. If word 47 says the drive moves blocks of 8 sectors or more per
//   DRQ block, SET MULTIPLE MODE (0xc6) with 8: transfers then use READ MULTIPLE (0xc4) and WRITE
//   MULTIPLE (0xc5), one interrupt and one DRQ wait per 8 sectors instead of per sector; a drive
//   that cannot (or refuses the mode) gets READ SECTORS (0x20) and WRITE SECTORS (0x30).
// request:
//   DISK_READ   w1 = LBA, w2 = count (1–8): READ MULTIPLE (or READ SECTORS); reply w0 = count × 512,
//               payload = data
//   DISK_WRITE  w1 = LBA, w2 = count (1–8), payload = count × 512 bytes: WRITE MULTIPLE (or WRITE
//               SECTORS); reply w0 = count × 512
//   DISK_SIZE   reply w0 = sectors on the disk
//   LBA + count beyond the disk, a count outside 1–8 or a short write payload → -EINVAL; a device
//   error → -EIO; other requests → -ENOSYS. w1 = w2 = 0 in every reply.
//
// Waiting: the ring-3 server waits for IRQ 14 once per DRQ block. v86's IDE device completes a
// command synchronously inside the port write (the command, or the data transfer that ends a
// block), so this driver polls instead: the alternate status (0x3f6, no side effects) until BSY is
// clear and DRQ set (ERR or DF → -EIO), once per DRQ block, at most `pollLimit` polls per wait — a
// status that never becomes ready is -EIO, never an endless loop. Data moves with 32-bit port
// accesses on 0x1f0 (v86's IDE data port takes them: read_data(4) / write_data_port32), 128 per
// sector instead of 256 16-bit ones, halving port exits. The device still raises IRQ 14 per DRQ
// block (for reads when the block's data is ready, for writes when the block has been taken); those
// interrupts reach this service as `interrupt(14)` after the guest resumes (several coalesce at the
// PIC), and it reads the status register (which lowers the drive's interrupt request) and calls
// irqAck(14).
import { IPC_MAX, MSG, SECTOR } from "../protocol.ts";
import { E } from "../names.ts";
import { reply, type BlockDevice, type KernelService, type PortBus, type ServiceEnv, type ServiceReply, type ServiceRequest } from "../service.ts";

const ATA_DATA = 0x1f0;
const ATA_COUNT = 0x1f2;
const ATA_LBA0 = 0x1f3;
const ATA_LBA1 = 0x1f4;
const ATA_LBA2 = 0x1f5;
const ATA_DRIVE = 0x1f6;
const ATA_STATUS = 0x1f7; // status (read; lowers the interrupt request), command (write)
const ATA_CTRL = 0x3f6; // device control (write), alternate status (read; no side effects)
const ST_ERR = 0x01;
const ST_DRQ = 0x08;
const ST_DF = 0x20;
const ST_BSY = 0x80;
const CMD_READ = 0x20; // READ SECTORS: a DRQ block (and an interrupt) per sector
const CMD_WRITE = 0x30; // WRITE SECTORS
const CMD_READ_MULTIPLE = 0xc4; // a DRQ block of `MULTIPLE` sectors (SET MULTIPLE MODE's count)
const CMD_WRITE_MULTIPLE = 0xc5;
const CMD_SET_MULTIPLE = 0xc6; // sector count register = sectors per DRQ block
const CMD_IDENTIFY = 0xec;
const DISK_IRQ = 14;
/** Most sectors per DISK_READ/DISK_WRITE request (the protocol's limit). */
export const DISK_MAX_COUNT = 8;
/** Most sectors per READ/WRITE SECTORS command (LBA28: a count register of 0 means 256). */
const CMD_MAX_COUNT = 256;
/** Sectors per DRQ block in multiple mode: a whole DISK_READ/DISK_WRITE request, one 4 KiB file block. */
export const DISK_MULTIPLE = DISK_MAX_COUNT;
/** Default status polls per wait before the drive counts as failed. */
export const DISK_POLL_LIMIT = 100_000;
const LBA28_LIMIT = 1 << 28;

export interface DiskServiceOptions {
  /** Status polls per wait before a transfer fails with -EIO (default DISK_POLL_LIMIT). */
  pollLimit?: number;
}

/** The disk service: ATA PIO on the primary master, speaking MSG.DISK_* and exposing a BlockDevice. */
export class DiskService implements KernelService {
  readonly name = "disk";
  readonly irqs: readonly number[] = [DISK_IRQ];
  /** The disk's size in sectors (0: no usable disk). */
  sectors = 0;
  /** Sectors per DRQ block (and per interrupt): DISK_MULTIPLE once SET MULTIPLE MODE succeeded, else 1. */
  perBlock = 1;
  private cmdRead = CMD_READ;
  private cmdWrite = CMD_WRITE;
  /** IDENTIFY's word 47, low byte: the most sectors per DRQ block READ/WRITE MULTIPLE can use (0: none). */
  private maxMultiple = 0;
  /** Whole-sector access for the in-kernel file system (same drive, same commands). */
  readonly blockDevice: BlockDevice;
  private env: ServiceEnv | undefined;
  private ports: PortBus | undefined;
  private readonly pollLimit: number;
  /** Read data (DISK_READ replies; IDENTIFY). */
  private readonly buf = new Uint8Array(IPC_MAX);
  /** buf's first n sectors, for n = 1..DISK_MAX_COUNT (reply payloads without allocating). */
  private readonly views: Uint8Array[] = [];

  constructor(opts: DiskServiceOptions = {}) {
    this.pollLimit = opts.pollLimit ?? DISK_POLL_LIMIT;
    for (let n = 1; n <= DISK_MAX_COUNT; n++) this.views.push(this.buf.subarray(0, n * SECTOR));
    const self = this;
    this.blockDevice = {
      get sectors() {
        return self.sectors;
      },
      read: (lba, count, into) => this.blockRead(lba, count, into),
      write: (lba, data) => this.blockWrite(lba, data),
    };
  }

  /** Enables IRQ 14 and the drive's interrupt, and learns the disk's size (0 if there is no usable drive). */
  start(env: ServiceEnv): void {
    this.env = env;
    this.ports = env.ports;
    env.irqAck(DISK_IRQ);
    this.perBlock = 1;
    this.cmdRead = CMD_READ;
    this.cmdWrite = CMD_WRITE;
    this.maxMultiple = 0;
    this.sectors = this.identify();
    if (this.sectors > 0 && this.maxMultiple >= DISK_MULTIPLE) this.setMultiple();
  }

  /** Serves one MSG.DISK_* request at once (transfers complete synchronously; see the header). */
  request(req: ServiceRequest): ServiceReply {
    switch (req.w0) {
      case MSG.DISK_READ: {
        const lba = req.w1 >>> 0, count = req.w2 >>> 0;
        if (!this.valid(lba, count)) return reply(-E.INVAL);
        if (!this.transfer(false, lba, count, this.buf, 0)) return reply(-E.IO);
        return reply(count * SECTOR, 0, 0, this.views[count - 1]!);
      }
      case MSG.DISK_WRITE: {
        const lba = req.w1 >>> 0, count = req.w2 >>> 0;
        if (!this.valid(lba, count) || req.payload.length < count * SECTOR) return reply(-E.INVAL);
        if (!this.transfer(true, lba, count, req.payload, 0)) return reply(-E.IO);
        return reply(count * SECTOR);
      }
      case MSG.DISK_SIZE:
        return reply(this.sectors);
      default:
        return reply(-E.NOSYS);
    }
  }

  /** IRQ 14: reads the status register (lowers the drive's interrupt request) and unmasks the line. */
  interrupt(irq: number): void {
    if (irq !== DISK_IRQ) return;
    this.ports!.inb(ATA_STATUS);
    this.env!.irqAck(DISK_IRQ);
  }

  /** True if `count` (1–8) sectors from `lba` lie on the disk. */
  private valid(lba: number, count: number): boolean {
    return count >= 1 && count <= DISK_MAX_COUNT && lba < this.sectors && count <= this.sectors - lba;
  }

  /** BlockDevice.read: `count` sectors from `lba` into `into`; false if out of range or on a device error. */
  private blockRead(lba: number, count: number, into: Uint8Array): boolean {
    if (!this.inRange(lba, count) || into.length < count * SECTOR) return false;
    for (let done = 0; done < count; done += CMD_MAX_COUNT) {
      if (!this.transfer(false, lba + done, Math.min(CMD_MAX_COUNT, count - done), into, done * SECTOR)) return false;
    }
    return true;
  }

  /** BlockDevice.write: `data` (whole sectors) at `lba`; false if out of range, not whole sectors, or on a device error. */
  private blockWrite(lba: number, data: Uint8Array): boolean {
    const count = data.length / SECTOR;
    if (!Number.isInteger(count) || !this.inRange(lba, count)) return false;
    for (let done = 0; done < count; done += CMD_MAX_COUNT) {
      if (!this.transfer(true, lba + done, Math.min(CMD_MAX_COUNT, count - done), data, done * SECTOR)) return false;
    }
    return true;
  }

  /** True if the whole sectors [lba, lba + count) lie on the disk (count 0: any lba ≤ size). */
  private inRange(lba: number, count: number): boolean {
    return Number.isInteger(lba) && lba >= 0 && count >= 0 && lba + count <= this.sectors;
  }

  /** disk.asm's disk_init: nIEN = 0, select the master, IDENTIFY; the size in sectors, or 0. */
  private identify(): number {
    const p = this.ports!;
    p.outb(ATA_CTRL, 0x00); // nIEN = 0: the drive may interrupt
    p.outb(ATA_DRIVE, 0xa0); // the master drive
    const st = p.inb(ATA_CTRL);
    if (st === 0xff || st === 0) return 0; // floating bus, or nothing there
    if (!this.waitNotBusy()) return 0;
    p.outb(ATA_STATUS, CMD_IDENTIFY);
    if (!this.waitDrq()) return 0;
    this.pioIn(this.buf, 0, 1);
    const b = this.buf;
    this.maxMultiple = b[94]!;
    const words6061 = (b[120]! | (b[121]! << 8) | (b[122]! << 16) | (b[123]! << 24)) >>> 0; // user-addressable sectors
    return Math.min(words6061, LBA28_LIMIT);
  }

  /** disk.asm's set_multiple: SET MULTIPLE MODE with DISK_MULTIPLE; on success transfers use READ/WRITE MULTIPLE. */
  private setMultiple(): void {
    const p = this.ports!;
    if (!this.waitNotBusy()) return;
    p.outb(ATA_COUNT, DISK_MULTIPLE);
    p.outb(ATA_STATUS, CMD_SET_MULTIPLE);
    if (!this.waitNotBusy() || (p.inb(ATA_CTRL) & (ST_ERR | ST_DF)) !== 0) return; // refused: one sector per block
    this.perBlock = DISK_MULTIPLE;
    this.cmdRead = CMD_READ_MULTIPLE;
    this.cmdWrite = CMD_WRITE_MULTIPLE;
  }

  /**
   * Runs the read (or, `write`, the write) command chosen at start for `count` (1–256) sectors at
   * `lba`, moving the data to or from `data` at `offset` one DRQ block (perBlock sectors, fewer at
   * the end) at a time. False if the drive stays busy, reports ERR/DF, or never asks for data.
   */
  private transfer(write: boolean, lba: number, count: number, data: Uint8Array, offset: number): boolean {
    const p = this.ports!;
    if (!this.waitNotBusy()) return false;
    p.outb(ATA_DRIVE, 0xe0 | ((lba >>> 24) & 0x0f)); // LBA, master, LBA bits 24-27
    p.outb(ATA_COUNT, count & 0xff);
    p.outb(ATA_LBA0, lba & 0xff);
    p.outb(ATA_LBA1, (lba >>> 8) & 0xff);
    p.outb(ATA_LBA2, (lba >>> 16) & 0xff);
    p.outb(ATA_STATUS, write ? this.cmdWrite : this.cmdRead);
    for (let s = 0; s < count; s += this.perBlock) {
      if (!this.waitDrq()) return false;
      const at = offset + s * SECTOR, n = Math.min(this.perBlock, count - s);
      if (!write) {
        this.pioIn(data, at, n);
      } else {
        this.pioOut(data, at, n);
        if (!this.waitNotBusy()) return false; // the drive takes the block
        if ((p.inb(ATA_CTRL) & (ST_ERR | ST_DF)) !== 0) return false;
      }
    }
    return true;
  }

  /** Polls the alternate status until BSY clears; false after pollLimit polls. */
  private waitNotBusy(): boolean {
    const p = this.ports!;
    for (let n = 0; n < this.pollLimit; n++) if ((p.inb(ATA_CTRL) & ST_BSY) === 0) return true;
    return false;
  }

  /** Polls the alternate status until the drive wants data (DRQ, not BSY); false on ERR/DF or after pollLimit polls. */
  private waitDrq(): boolean {
    const p = this.ports!;
    for (let n = 0; n < this.pollLimit; n++) {
      const st = p.inb(ATA_CTRL);
      if ((st & ST_BSY) !== 0) continue;
      if ((st & (ST_ERR | ST_DF)) !== 0) return false;
      if ((st & ST_DRQ) !== 0) return true;
    }
    return false;
  }

  /** Reads `n` sectors from the data port into `into` at `at` (128 32-bit reads each). Allocates nothing. */
  private pioIn(into: Uint8Array, at: number, n: number): void {
    const p = this.ports!;
    for (let i = at, end = at + n * SECTOR; i < end; i += 4) {
      const v = p.inl(ATA_DATA);
      into[i] = v;
      into[i + 1] = v >>> 8;
      into[i + 2] = v >>> 16;
      into[i + 3] = v >>> 24;
    }
  }

  /** Writes `n` sectors from `data` at `at` to the data port (128 32-bit writes each). Allocates nothing. */
  private pioOut(data: Uint8Array, at: number, n: number): void {
    const p = this.ports!;
    for (let i = at, end = at + n * SECTOR; i < end; i += 4) {
      p.outl(ATA_DATA, data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    }
  }
}
