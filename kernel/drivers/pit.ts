// In-kernel driver for the 8254 PIT channel 0: a one-shot timer on IRQ0, armed by the scheduler
// for its next deadline (tickless). Times are virtual (the machine's clock).
import type { Machine } from "../../emulator/machine.ts";

const PIT_HZ = 1_193_181.666;
/** The longest one-shot the 16-bit counter allows, in ms (~54.9). */
export const PIT_MAX_MS = 65535 / (PIT_HZ / 1000);

/** Arms channel 0 in mode 0 (interrupt on terminal count) to fire after `ms` (clamped to 1 tick … PIT_MAX_MS). */
export function pitOneShot(m: Machine, ms: number): void {
  const count = Math.max(1, Math.min(0xffff, Math.ceil((ms * PIT_HZ) / 1000)));
  m.portWrite8(0x43, 0x30); // channel 0, lobyte/hibyte, mode 0
  m.portWrite8(0x40, count & 0xff);
  m.portWrite8(0x40, count >> 8);
}
