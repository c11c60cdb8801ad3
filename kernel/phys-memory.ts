// The physical-memory seam: what the frame allocator and the page-table code need from the machine.
// The emulated PC (emulator/machine.ts `Machine`) satisfies it structurally; unit tests pass a plain
// buffer. This file is a leaf: it imports nothing.

/** Guest physical memory as the frame allocator and address spaces use it. */
export interface PhysicalMemory {
  /** Size of physical memory in bytes. */
  readonly memoryBytes: number;
  /** All of physical memory, byte by byte (read it anew each time: the view may be replaced). */
  readonly mem8: Uint8Array;
  /** Reads an unsigned 32-bit little-endian word at a physical address (any alignment). */
  read32(paddr: number): number;
  /** Writes a 32-bit word of data (not code) at a physical address. */
  write32(paddr: number, value: number): void;
  /** Writes bytes that may be executed (the machine discards stale JIT code for the range). */
  writeCode(paddr: number, bytes: Uint8Array): void;
  /** Discards cached translations after page-table edits (the emulated PC; a plain buffer has none). */
  flushTlb?(): void;
}
