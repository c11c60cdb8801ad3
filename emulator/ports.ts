// The machine's I/O ports as a `PortBus` (kernel/service.ts): what in-kernel (monolithic-mode)
// drivers use to reach the emulated UART, PS/2 controller and IDE channel. Each access is one call
// into v86's port table, exactly what an `in`/`out` instruction of a ring-3 driver reaches — minus
// the trap. Values are masked to the access width; reads come back unsigned. (The emulator imports
// nothing above it, so PortIo matches PortBus structurally instead of naming it.)
import type { Machine } from "./machine.ts";

/** Port I/O on a Machine's JS-implemented devices (not the PIC: the kernel owns that); a PortBus. */
export class PortIo {
  constructor(private readonly machine: Machine) {}

  /** Reads a byte from `port`. */
  inb(port: number): number {
    return this.machine.portRead8(port) & 0xff;
  }

  /** Writes the low byte of `value` to `port`. */
  outb(port: number, value: number): void {
    this.machine.portWrite8(port, value & 0xff);
  }

  /** Reads a 16-bit word from `port`. */
  inw(port: number): number {
    return this.machine.portRead16(port);
  }

  /** Writes the low 16 bits of `value` to `port`. */
  outw(port: number, value: number): void {
    this.machine.portWrite16(port, value);
  }

  /** Reads a 32-bit doubleword (unsigned) from `port`. */
  inl(port: number): number {
    return this.machine.portRead32(port);
  }

  /** Writes `value` as a 32-bit doubleword to `port`. */
  outl(port: number, value: number): void {
    this.machine.portWrite32(port, value);
  }
}
