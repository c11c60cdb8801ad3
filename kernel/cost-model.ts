// The cost model: the TypeScript kernel runs inside a hypercall, so the guest's instruction clock
// charges nothing for kernel work. With a cost model on, each kernel event below adds a fixed cost
// to virtual time (deterministically: the same run gives the same trace), so ring-0 residency and
// comparisons of the two shapes count the kernel's share. Figures and their sources: docs/experiments.md.

/** Nanoseconds charged per event. */
export interface CostModel {
  /** A kernel entry and its exit (trap or system call, and the return to ring 3). */
  entryExitNs: number;
  /** Loading another address space (CR3) and refilling the TLB after it. */
  addressSpaceSwitchNs: number;
  /** One page-table walk the kernel makes to reach user memory (per page touched by a copy). */
  pageWalkNs: number;
  /** One byte copied between address spaces (or between a process and an in-kernel service). */
  copyNsPerByte: number;
  /** One message delivered (send, reply, notification) or one request handed to an in-kernel service. */
  messageNs: number;
}

/** Representative figures for a ~3 GHz x86 of the last decade (docs/experiments.md says where from). */
export const DEFAULT_COST_MODEL: Readonly<CostModel> = Object.freeze({
  entryExitNs: 100,
  addressSpaceSwitchNs: 200,
  pageWalkNs: 30,
  copyNsPerByte: 0.1,
  messageNs: 60,
});

const KEYS = Object.keys(DEFAULT_COST_MODEL) as (keyof CostModel)[];

export class CostModelError extends Error {}

/**
 * Parses a cost model file: a JSON object with any of the keys of CostModel (numbers ≥ 0, ns); the
 * keys it leaves out keep their default. Throws CostModelError naming the bad key.
 */
export function parseCostModel(text: string, file = "cost model"): CostModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CostModelError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CostModelError(`${file}: expected a JSON object of costs in ns`);
  const model: CostModel = { ...DEFAULT_COST_MODEL };
  for (const [k, v] of Object.entries(raw)) {
    if (!KEYS.includes(k as keyof CostModel)) throw new CostModelError(`${file}: unknown cost "${k}" (known: ${KEYS.join(", ")})`);
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new CostModelError(`${file}: "${k}" must be a number of ns ≥ 0`);
    model[k as keyof CostModel] = v;
  }
  return model;
}

/** Charges modelled costs to a clock (the machine's `charge`, in ms). Calls cost nothing when off. */
export class CostMeter {
  constructor(
    private readonly model: CostModel | undefined,
    private readonly charge: (ms: number) => void,
  ) {}

  get on(): boolean {
    return this.model !== undefined;
  }

  entry(): void {
    if (this.model) this.charge(this.model.entryExitNs / 1e6);
  }

  addressSpaceSwitch(): void {
    if (this.model) this.charge(this.model.addressSpaceSwitchNs / 1e6);
  }

  /** A copy of `bytes` bytes across `pages` pages (each page one walk). */
  copy(bytes: number, pages: number): void {
    const m = this.model;
    if (m && bytes > 0) this.charge((bytes * m.copyNsPerByte + pages * m.pageWalkNs) / 1e6);
  }

  message(): void {
    if (this.model) this.charge(this.model.messageNs / 1e6);
  }
}

/** Pages spanned by [va, va+len) (0 for an empty range). */
export function pagesSpanned(va: number, len: number): number {
  return len <= 0 ? 0 : ((va + len - 1) >>> 12) - (va >>> 12) + 1;
}
