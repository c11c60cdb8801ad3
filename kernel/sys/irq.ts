import { E } from "../names.ts";
import type { SyscallHandler } from "../syscalls.ts";
const nosys: SyscallHandler = () => -E.NOSYS;
export const sysIrqAck = nosys, sysAlarm = nosys;
