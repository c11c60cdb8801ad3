// A deterministic CMOS real-time clock. v86 0.5.462's RTC (ports 0x70-0x71, IRQ 8) reads the host's
// wall clock: it starts at Date.now() and advances with Date.now() in its timer; writing register B
// (periodic or update-ended interrupts) reads Date.now() too. Under the deterministic clock that would
// make a guest's reading of the date — and IRQ 8's timing — differ from run to run. This makes the RTC
// run on virtual time: the date it reports is RTC_EPOCH_MS + the machine's virtual ms, so a run reads
// the same date, to the second, every time (labs/driver's grader derives its expected output from it).
// Only the alarm interrupt's date part (register B bit 5, `new Date()`) is left on the host's clock.
import type { V86Cpu } from "./v86-internals.ts";

/** The date of virtual time 0: 2026-01-01 00:00:00 UTC. */
export const RTC_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/** The RTC's date at virtual time `ms`. */
export function rtcDateAt(ms: number): Date {
  return new Date(RTC_EPOCH_MS + ms);
}

interface RtcDevice {
  rtc_time: number;
  last_update: number;
  next_interrupt: number;
  timer: (now: number, paused: boolean) => number;
}

interface PortEntry {
  write8: Function;
}

/** Runs `fn` with Date.now() reading the virtual date. */
function onVirtualTime<T>(nowMs: () => number, fn: () => T): T {
  const real = Date.now;
  Date.now = () => RTC_EPOCH_MS + nowMs();
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

/** Puts the machine's RTC on virtual time. Returns false if the device is not where v86 0.5.462 keeps it. */
export function makeRtcDeterministic(cpu: V86Cpu, nowMs: () => number): boolean {
  const rtc = (cpu.devices as { rtc?: RtcDevice }).rtc;
  const ports = (cpu.io as unknown as { ports: PortEntry[] }).ports;
  if (!rtc || typeof rtc.timer !== "function" || !ports?.[0x71]) return false;
  rtc.rtc_time = rtc.last_update = RTC_EPOCH_MS + nowMs();
  rtc.next_interrupt = 0;
  const timer = rtc.timer;
  rtc.timer = function (this: RtcDevice, now: number, paused: boolean) {
    return onVirtualTime(nowMs, () => timer.call(this, now, paused));
  };
  const port = ports[0x71]!;
  const write8 = port.write8;
  port.write8 = function (this: unknown, ...args: unknown[]) {
    return onVirtualTime(nowMs, () => write8.apply(this, args));
  };
  return true;
}
