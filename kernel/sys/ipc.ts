// IPC system calls (placeholders until the IPC core lands).
import { E } from "../names.ts";
import type { SyscallHandler } from "../syscalls.ts";
const nosys: SyscallHandler = () => -E.NOSYS;
export const sysIpcSend = nosys, sysIpcReceive = nosys, sysIpcReply = nosys, sysIpcCall = nosys, sysIpcReplyRecv = nosys, sysIpcNotify = nosys, sysIpcLookup = nosys;
