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
  // LAB lazy: BEGIN
  if (newTop < oldTop) {
    for (let va = newTop; va < oldTop; va += PAGE) p.as.unmap(va);
    k.flushTlb();
  }
  // LAB lazy: HANDOUT
  // // TODO(lab lazy): allocate nothing here (LAB.md, step 1); free the frames of pages above a lower
  // // break (step 4). Today every new heap page gets a frame at once, and shrinking frees nothing.
  // for (let va = oldTop; va < newTop; va += PAGE) if (!p.as.isMapped(va) && p.as.mapNew(va, true) < 0) return -E.NOMEM;
  // if (newTop < oldTop) k.flushTlb();
  // LAB lazy: END
  p.brk = a;
  return a;
};
