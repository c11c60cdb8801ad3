// Memory system calls: brk. Heap pages are not mapped here; the page-fault handler maps them on
// first touch (lazy allocation).
import { PAGE } from "../frames.ts";
import { E } from "../names.ts";
import type { SyscallHandler } from "../syscall-contract.ts";

/** The largest heap a process may have. */
export const HEAP_MAX = 16 * 1024 * 1024;

/**
 * brk(addr): sets the program break. brk(0), or an address below the heap start, returns the
 * current break. An address past the heap limit returns -ENOMEM (Linux returns the old break
 * instead; both are "not what you asked for"). Shrinking frees the pages above the new break.
 */
export const sysBrk: SyscallHandler = (k, p, addr) => {
  const a = addr >>> 0;
  if (a === 0 || a < p.brkStart) return p.brk;
  if (a > p.brkStart + HEAP_MAX) return -E.NOMEM;
  const oldTop = Math.ceil(p.brk / PAGE) * PAGE;
  const newTop = Math.ceil(a / PAGE) * PAGE;
  if (newTop < oldTop) {
    for (let va = newTop; va < oldTop; va += PAGE) p.as.unmap(va);
    k.flushTlb();
  }
  p.brk = a;
  return a;
};
