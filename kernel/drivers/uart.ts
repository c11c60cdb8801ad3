// In-kernel (monolithic-mode) driver for the 16550 UART on COM1: the console.
import type { Machine } from "../../emulator/machine.ts";

export const COM1 = 0x3f8;

/** Programs COM1 for 115200 8N1 with FIFOs; output needs nothing else. */
export function uartInit(m: Machine): void {
  m.portWrite8(COM1 + 1, 0x00); // no interrupts yet
  m.portWrite8(COM1 + 3, 0x80); // DLAB
  m.portWrite8(COM1 + 0, 0x01); // divisor 1: 115200 baud
  m.portWrite8(COM1 + 1, 0x00);
  m.portWrite8(COM1 + 3, 0x03); // 8N1
  m.portWrite8(COM1 + 2, 0xc7); // FIFO on, cleared
  m.portWrite8(COM1 + 4, 0x0b); // DTR, RTS, OUT2
}

/** Transmits bytes through the THR (the emulated UART sends each at once). */
export function uartWrite(m: Machine, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) m.portWrite8(COM1, bytes[i]!);
}
