// In-kernel driver for the 8254 PIT channel 0: the periodic timer on IRQ0.
import type { Machine } from "../../emulator/machine.ts";

const PIT_HZ = 1_193_182;

/** Starts channel 0 as a rate generator at `hz` interrupts per (virtual) second. */
export function pitInit(m: Machine, hz: number): void {
  const divisor = Math.max(1, Math.min(0xffff, Math.round(PIT_HZ / hz)));
  m.portWrite8(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2
  m.portWrite8(0x40, divisor & 0xff);
  m.portWrite8(0x40, divisor >> 8);
}
