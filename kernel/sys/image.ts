import { E } from "../names.ts";
import type { SyscallHandler } from "../syscalls.ts";
const nosys: SyscallHandler = () => -E.NOSYS;
export const sysSpawnImage = nosys, sysProcinfo = nosys;
