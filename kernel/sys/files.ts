import { E } from "../names.ts";
import type { SyscallHandler } from "../syscalls.ts";
const nosys: SyscallHandler = () => -E.NOSYS;
export const sysRead = nosys, sysOpen = nosys, sysClose = nosys, sysUnlink = nosys, sysLseek = nosys, sysMkdir = nosys, sysRmdir = nosys, sysGetdents = nosys;
