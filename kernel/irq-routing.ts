// IRQ routing: each of the 16 legacy lines belongs to at most one target — a ring-3 server (the
// interrupt becomes a notification) or an in-kernel service (its `interrupt` is called). A line is
// masked at the PIC when it is delivered and unmasked when its owner acknowledges it (notify + ack).
import type { Process } from "./process.ts";
import type { KernelService } from "./service.ts";

export type IrqTarget = Process | KernelService;

export class IrqRouter {
  private readonly owner: (IrqTarget | null)[] = new Array<IrqTarget | null>(16).fill(null);
  /** The PIC mask the stub should apply (bit n masks IRQ n): the timer only, until owners ack. */
  mask = 0xffff & ~1;
  /** Set when `mask` changed since the stub last applied it. */
  dirty = false;

  constructor(private readonly notifyProcess: (p: Process, irq: number) => void) {}

  /** Makes `t` the owner of `irq` (the line stays masked until `t` acks it). */
  own(irq: number, t: IrqTarget): void {
    this.owner[irq] = t;
  }

  /** `t` ended: its lines lose their owner and are masked. */
  release(t: IrqTarget): void {
    for (let irq = 0; irq < 16; irq++) {
      if (this.owner[irq] !== t) continue;
      this.owner[irq] = null;
      this.setMasked(irq, true);
    }
  }

  /** IRQ 1–15 arrived: masked until its owner acks it, and delivered to the owner. */
  deliver(irq: number): void {
    const t = this.owner[irq];
    this.setMasked(irq, true);
    if (!t) return;
    if ("pid" in t) this.notifyProcess(t, irq);
    else t.interrupt(irq);
  }

  /** The owner `t` has handled `irq`: unmask it (the first ack enables it). False if `t` does not own it. */
  ack(t: IrqTarget, irq: number): boolean {
    if (this.owner[irq] !== t) return false;
    this.setMasked(irq, false);
    return true;
  }

  private setMasked(irq: number, masked: boolean): void {
    let mask = masked ? this.mask | (1 << irq) : this.mask & ~(1 << irq);
    // The slave PIC (IRQ 8–15) reaches the CPU through IRQ 2: open it while any slave line is open.
    mask = (mask & 0xff00) === 0xff00 ? mask | 4 : mask & ~4;
    if (mask === this.mask) return;
    this.mask = mask;
    this.dirty = true;
  }
}
