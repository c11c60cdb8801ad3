// The system-call table as a contract: every number the kernel implements (Linux i386 numbers where
// Linux has the call, ringside's own from 0x200) and the Linux numbers it can name but does not
// implement, each with its arguments (EBX, ECX, EDX, ESI, EDI in order) and how to show them.
// A leaf: it imports nothing, so the kernel, the include generator and the trace tools all read it.

/**
 * How to show one argument register: `int` signed decimal, `uint` unsigned decimal, `ptr` an address
 * (0x%08x), `str` the address of a NUL-terminated string (shown as an address: a trace has no memory),
 * `hex` flags or words (0x%x), `oct` a mode (0%o), `lencap` IPC's `len | cap << 16`, `unused` a
 * register the call ignores (shown as "-").
 */
export type ArgKind = "int" | "uint" | "ptr" | "hex" | "oct" | "str" | "lencap" | "unused";

/** One argument: its name in the call's signature and its shape. */
export interface SyscallArg {
  readonly name: string;
  readonly kind: ArgKind;
}

/** One system call: number (EAX), name, arguments in register order, and whether the kernel implements it. */
export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  readonly args: readonly SyscallArg[];
  readonly implemented: boolean;
}

const a = (name: string, kind: ArgKind): SyscallArg => ({ name, kind });
const call = (nr: number, name: string, implemented: boolean, ...args: SyscallArg[]): SyscallEntry => ({ nr, name, args, implemented });
const YES = true;
const NO = false;

// IPC registers (docs/microkernel.md): EBX endpoint, ECX/EDX message words (EBP, the third word,
// is not in the trace), ESI buffer, EDI length or length | capacity << 16.
const IPC_OUT = [a("dst", "int"), a("w0", "hex"), a("w1", "hex"), a("buf", "ptr")];

/** Every system call ringside knows, sorted by number. */
export const SYSCALL_TABLE: readonly SyscallEntry[] = [
  call(1, "exit", YES, a("status", "int")),
  call(2, "fork", YES),
  call(3, "read", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(4, "write", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(5, "open", YES, a("path", "str"), a("flags", "hex"), a("mode", "oct")),
  call(6, "close", YES, a("fd", "int")),
  call(7, "waitpid", YES, a("pid", "int"), a("status", "ptr"), a("options", "hex")),
  call(8, "creat", NO, a("path", "str"), a("mode", "oct")),
  call(10, "unlink", YES, a("path", "str")),
  call(11, "execve", YES, a("path", "str"), a("argv", "ptr"), a("envp", "ptr")),
  call(12, "chdir", YES, a("path", "str")),
  call(13, "time", NO, a("t", "ptr")),
  call(19, "lseek", YES, a("fd", "int"), a("offset", "int"), a("whence", "int")),
  call(20, "getpid", YES),
  call(37, "kill", YES, a("pid", "int"), a("sig", "int")),
  call(39, "mkdir", YES, a("path", "str"), a("mode", "oct")),
  call(40, "rmdir", YES, a("path", "str")),
  call(41, "dup", YES, a("fd", "int")),
  call(42, "pipe", YES, a("fds", "ptr")),
  call(45, "brk", YES, a("addr", "ptr")),
  call(48, "signal", YES, a("sig", "int"), a("handler", "ptr")),
  call(54, "ioctl", YES, a("fd", "int"), a("cmd", "hex"), a("arg", "hex")),
  call(57, "setpgid", YES, a("pid", "int"), a("pgid", "int")),
  call(63, "dup2", YES, a("oldfd", "int"), a("newfd", "int")),
  call(64, "getppid", YES),
  call(65, "getpgrp", YES),
  call(90, "mmap", NO, a("args", "ptr")),
  call(91, "munmap", NO, a("addr", "ptr"), a("len", "uint")),
  call(97, "setpriority", YES, a("which", "int"), a("who", "int"), a("nice", "int")),
  call(114, "wait4", YES, a("pid", "int"), a("status", "ptr"), a("options", "hex"), a("rusage", "ptr")),
  call(122, "uname", NO, a("buf", "ptr")),
  call(132, "getpgid", YES, a("pid", "int")),
  call(141, "getdents", YES, a("fd", "int"), a("buf", "ptr"), a("count", "uint")),
  call(158, "sched_yield", YES),
  call(162, "nanosleep", YES, a("req", "ptr"), a("rem", "ptr")),
  call(174, "rt_sigaction", YES, a("sig", "int"), a("act", "ptr"), a("oact", "ptr"), a("sigsetsize", "uint")),
  call(183, "getcwd", YES, a("buf", "ptr"), a("size", "uint")),
  call(192, "mmap2", NO, a("addr", "ptr"), a("len", "uint"), a("prot", "hex"), a("flags", "hex"), a("fd", "int")),
  call(224, "gettid", NO),
  call(243, "set_thread_area", NO, a("u_info", "ptr")),
  call(252, "exit_group", YES, a("status", "int")),
  call(331, "pipe2", YES, a("fds", "ptr"), a("flags", "hex")),
  call(0x200, "spawn", YES, a("path", "str"), a("argv", "ptr")),
  call(0x201, "spawn_image", YES, a("image", "ptr"), a("len", "uint"), a("argv", "ptr"), a("name", "str")),
  call(0x210, "ipc_send", YES, ...IPC_OUT, a("len", "uint")),
  call(0x211, "ipc_receive", YES, a("from", "int"), a("w0", "unused"), a("w1", "unused"), a("buf", "ptr"), a("cap", "uint")),
  call(0x212, "ipc_reply", YES, ...IPC_OUT, a("len", "uint")),
  call(0x213, "ipc_call", YES, ...IPC_OUT, a("lens", "lencap")),
  call(0x214, "ipc_reply_recv", YES, ...IPC_OUT, a("lens", "lencap")),
  call(0x215, "ipc_notify", YES, a("dst", "int"), a("bits", "hex")),
  call(0x216, "ipc_lookup", YES, a("name", "str")),
  call(0x220, "irq_ack", YES, a("irq", "int")),
  call(0x221, "alarm", YES, a("ms", "uint")),
  call(0x222, "signal_fg", YES, a("sig", "int")),
  call(0x230, "procinfo", YES, a("pid", "int"), a("buf", "ptr")),
  call(0x231, "server_info", YES, a("index", "int"), a("buf", "ptr")),
  call(0x232, "uptime", YES),
  call(0x233, "sysinfo", YES, a("buf", "ptr")),
];

const byNr = new Map<number, SyscallEntry>(SYSCALL_TABLE.map((s) => [s.nr, s]));
const byName = new Map<string, SyscallEntry>(SYSCALL_TABLE.map((s) => [s.name, s]));

/** The entry for number `nr` (implemented or only known), or undefined. */
export function syscallEntry(nr: number): SyscallEntry | undefined {
  return byNr.get(nr);
}

/** The entry named `name` ("write"), or undefined. */
export function syscallEntryByName(name: string): SyscallEntry | undefined {
  return byName.get(name);
}

/** The calls the kernel implements, sorted by number. */
export const IMPLEMENTED_SYSCALLS: readonly SyscallEntry[] = SYSCALL_TABLE.filter((s) => s.implemented);

/** The calls the kernel can name but does not implement (they return -ENOSYS), sorted by number. */
export const UNIMPLEMENTED_SYSCALLS: readonly SyscallEntry[] = SYSCALL_TABLE.filter((s) => !s.implemented);

/** The name of call `nr` for traces: implemented or known, else "unknown". */
export function syscallTableName(nr: number): string {
  return byNr.get(nr)?.name ?? "unknown";
}
