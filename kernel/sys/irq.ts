// Interrupt and timer system calls: irq_ack and alarm.
import { E } from "../names.ts";
import type { SyscallHandler } from "../syscall-contract.ts";

/** irq_ack(irq): the owner has handled IRQ `irq`; the line is unmasked (the first ack enables it). */
export const sysIrqAck: SyscallHandler = (k, p, irq) => {
  if (irq >>> 0 > 15) return -E.INVAL;
  return k.irqAck(p, irq) ? 0 : -E.PERM;
};

/** alarm(ms): after `ms` virtual milliseconds the caller gets the NOTIFY_TIMER notification; 0 cancels. */
export const sysAlarm: SyscallHandler = (k, p, ms) => {
  if ((ms | 0) < 0) return -E.INVAL;
  k.setAlarm(p, ms);
  return 0;
};
