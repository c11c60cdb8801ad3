// User memory as the kernel sees it: one rule for where a process's heap and stack may grow (used by
// the page-fault handler and by every check of a system-call buffer), buffer checks that map growable
// pages the way touching them would, and the page-fault handler itself.
import { PAGE } from "./frames.ts";
import { MEM } from "./layout.ts";
import type { Process } from "./process.ts";

/** The user stack may grow (lazily) to this size below MEM.userTop; the page under it is the guard. */
export const STACK_MAX = 1024 * 1024;

/**
 * "No one-page physical address known": the copy walks the page tables. A checked buffer that lies
 * in one page carries its physical address instead, so a short message is copied without a walk.
 */
export const NO_PA = -1;
/** `userBuffer`'s answer for a buffer the process may not use (-EFAULT). */
export const BAD_BUFFER = -2;

/** True if the page at `page` lies in `p`'s heap ([brkStart, brk)) or its stack region: it may be mapped on first touch. */
export function growable(p: Process, page: number): boolean {
  const inHeap = page + PAGE > p.brkStart && page < p.brk;
  const inStack = page >= MEM.userTop - STACK_MAX && page < MEM.userTop;
  return inHeap || inStack;
}

/** Maps a growable page on a not-present fault; the outcome for the trace: "mapped", "out-of-memory" or "killed". */
export function pageFaultOutcome(p: Process, errorCode: number, cr2: number): "mapped" | "out-of-memory" | "killed" {
  if (errorCode & 1) return "killed"; // a protection fault on a present page
  // LAB lazy: BEGIN
  const page = Math.floor(cr2 / PAGE) * PAGE;
  if (!growable(p, page) || p.as.isMapped(page)) return "killed";
  return p.as.mapNew(page, true) >= 0 ? "mapped" : "out-of-memory";
  // LAB lazy: HANDOUT
  // // TODO(lab lazy): map a heap or stack page on first touch (LAB.md, step 2). Until then every
  // // page fault kills the process.
  // return "killed";
  // LAB lazy: END
}

/**
 * Checks that [va, va+len) is user memory the process may read (or write), mapping growable heap
 * and stack pages on the way, as touching them would.
 */
export function touchUser(p: Process, va: number, len: number, write: boolean): boolean {
  if (len <= 0) return true;
  const end = va + len;
  if (end > MEM.userTop || va < MEM.userBase) return false;
  for (let page = Math.floor(va / PAGE) * PAGE; page < end; page += PAGE) {
    if (p.as.translate(page, write) >= 0) continue;
    if (p.as.isMapped(page)) return false; // mapped but read-only
    // LAB lazy: BEGIN
    if (!growable(p, page) || p.as.mapNew(page, true) < 0) return false;
    // LAB lazy: HANDOUT
    // return false; // TODO(lab lazy): a system call's buffer may lie in a heap or stack page not touched yet (LAB.md, step 3)
    // LAB lazy: END
  }
  return true;
}

/**
 * Checks the user buffer [va, va+len) like `touchUser` and says where it is: its physical address
 * when it lies in one page, NO_PA when it is empty or spans pages, or BAD_BUFFER when the process
 * may not use it.
 */
export function userBuffer(p: Process, va: number, len: number, write: boolean): number {
  if (len <= 0) return NO_PA;
  const onePage = (va & (PAGE - 1)) + len <= PAGE;
  if (onePage) {
    const pa = p.as.translate(va, write);
    if (pa >= 0) return pa;
  }
  if (!touchUser(p, va, len, write)) return BAD_BUFFER;
  return onePage ? p.as.translate(va, write) : NO_PA;
}
