// The system-call contract: what a handler is and what it may return. A leaf module (type imports
// only), so every handler module can be imported on its own.
import type { KernelApi } from "./kernel-api.ts";
import type { Process } from "./process.ts";

/**
 * A handler gets the kernel interface, the calling process and the five argument registers (EBX,
 * ECX, EDX, ESI, EDI as unsigned or signed 32-bit numbers) and returns the value for EAX — any
 * 32-bit value, negative = -errno — or one of the two sentinels below.
 */
export type SyscallHandler = (k: KernelApi, p: Process, a0: number, a1: number, a2: number, a3: number, a4: number) => number;

/**
 * The caller does not resume (it exited). Both sentinels lie outside the 32-bit range, so no real
 * result (signed or unsigned) can be mistaken for them: `lseek(fd, 0x7fff0001, SEEK_SET)` returns
 * 0x7fff0001.
 */
export const NO_RETURN = -0x1_0000_0001;
/** The caller sleeps; whoever ends the wait writes its result (`KernelApi.complete`). */
export const BLOCKED = -0x1_0000_0002;
