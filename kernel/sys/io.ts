// Console output in the monolithic `run` setup: served by the in-kernel UART driver.
import { E } from "../names.ts";
import type { SyscallHandler } from "../syscalls.ts";

const MAX_WRITE = 1 << 20;
const scratch = new Uint8Array(MAX_WRITE);

/** write(fd, buf, len): fds 1 and 2 go to the console; the buffer is copied in through the page tables. */
export const sysConsoleWrite: SyscallHandler = (k, p, fd, buf, len) => {
  if (fd !== 1 && fd !== 2) return -E.BADF;
  if (len === 0) return 0;
  if ((len | 0) < 0) return -E.INVAL;
  const n = Math.min(len, MAX_WRITE);
  if (!p.as.copyIn(buf >>> 0, n, scratch)) return -E.FAULT;
  k.consoleWrite(scratch.subarray(0, n));
  return n;
};
