// Names for what the CPU and the kernel see: exception vectors, IRQ lines, Linux i386 syscall numbers
// and their arguments, errno values. Pure tables and formatters; nothing here reads a trace.

/** Mnemonics of the 32 CPU exception vectors (Intel SDM vol. 3 table 6-1). */
export const VECTOR_NAMES: readonly string[] = [
  "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
  "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
  "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
];

/** "#PF" for 14; "#?" outside 0–31. */
export function vectorName(v: number): string {
  return VECTOR_NAMES[v] ?? `#${v}`;
}

/** Vector number from "14", "0x0e", "#PF", "pf" (case-insensitive); undefined if not a vector. */
export function parseVector(s: string): number | undefined {
  const t = s.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
    const n = Number(t);
    return n >= 0 && n <= 31 ? n : undefined;
  }
  const want = (t.startsWith("#") ? t : "#" + t).toUpperCase();
  const i = VECTOR_NAMES.findIndex((n) => n.toUpperCase() === want || n.toUpperCase() === want.slice(1));
  return i >= 0 ? i : undefined;
}

/** Standard PC IRQ line owners, used when an irq event carries no name. */
export const IRQ_DEFAULT_NAMES: readonly string[] = [
  "timer", "kbd", "cascade", "com2", "com1", "lpt2", "floppy", "lpt1",
  "rtc", "acpi", "irq10", "irq11", "mouse", "fpu", "ata", "ata2",
];

/** "IRQ14 ata". */
export function irqLabel(irq: number, name?: string): string {
  return `IRQ${irq} ${name ?? IRQ_DEFAULT_NAMES[irq] ?? "?"}`;
}

/** How to show one syscall argument. */
export type ArgKind = "int" | "uint" | "ptr" | "hex" | "oct" | "str";

export interface SyscallSig {
  name: string;
  args: { name: string; kind: ArgKind }[];
}

const A = (name: string, kind: ArgKind) => ({ name, kind });

/** Linux i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl) with argument shapes. */
export const SYSCALLS: ReadonlyMap<number, SyscallSig> = new Map<number, SyscallSig>([
  [1, { name: "exit", args: [A("status", "int")] }],
  [2, { name: "fork", args: [] }],
  [3, { name: "read", args: [A("fd", "int"), A("buf", "ptr"), A("count", "uint")] }],
  [4, { name: "write", args: [A("fd", "int"), A("buf", "ptr"), A("count", "uint")] }],
  [5, { name: "open", args: [A("path", "str"), A("flags", "hex"), A("mode", "oct")] }],
  [6, { name: "close", args: [A("fd", "int")] }],
  [7, { name: "waitpid", args: [A("pid", "int"), A("status", "ptr"), A("options", "hex")] }],
  [8, { name: "creat", args: [A("path", "str"), A("mode", "oct")] }],
  [10, { name: "unlink", args: [A("path", "str")] }],
  [11, { name: "execve", args: [A("path", "str"), A("argv", "ptr"), A("envp", "ptr")] }],
  [12, { name: "chdir", args: [A("path", "str")] }],
  [13, { name: "time", args: [A("t", "ptr")] }],
  [19, { name: "lseek", args: [A("fd", "int"), A("offset", "int"), A("whence", "int")] }],
  [20, { name: "getpid", args: [] }],
  [37, { name: "kill", args: [A("pid", "int"), A("sig", "int")] }],
  [41, { name: "dup", args: [A("fd", "int")] }],
  [42, { name: "pipe", args: [A("fds", "ptr")] }],
  [45, { name: "brk", args: [A("addr", "ptr")] }],
  [54, { name: "ioctl", args: [A("fd", "int"), A("cmd", "hex"), A("arg", "hex")] }],
  [63, { name: "dup2", args: [A("oldfd", "int"), A("newfd", "int")] }],
  [64, { name: "getppid", args: [] }],
  [90, { name: "mmap", args: [A("args", "ptr")] }],
  [91, { name: "munmap", args: [A("addr", "ptr"), A("len", "uint")] }],
  [114, { name: "wait4", args: [A("pid", "int"), A("status", "ptr"), A("options", "hex"), A("rusage", "ptr")] }],
  [122, { name: "uname", args: [A("buf", "ptr")] }],
  [158, { name: "sched_yield", args: [] }],
  [162, { name: "nanosleep", args: [A("req", "ptr"), A("rem", "ptr")] }],
  [192, { name: "mmap2", args: [A("addr", "ptr"), A("len", "uint"), A("prot", "hex"), A("flags", "hex"), A("fd", "int")] }],
  [224, { name: "gettid", args: [] }],
  [252, { name: "exit_group", args: [A("status", "int")] }],
]);

const BY_NAME = new Map<string, number>([...SYSCALLS].map(([nr, s]) => [s.name, nr]));

/** Syscall number for a name ("write" → 4) or a numeric string; undefined if unknown. */
export function syscallNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return BY_NAME.get(s);
}

/** Interprets an unsigned 32-bit register as signed. */
export const signed32 = (v: number): number => v | 0;

/** "0x00401a2c". */
export function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

function formatArg(v: number, kind: ArgKind): string {
  switch (kind) {
    case "int":
      return String(signed32(v));
    case "uint":
      return String(v >>> 0);
    case "ptr":
    case "str":
      return hex32(v);
    case "hex":
      return "0x" + (v >>> 0).toString(16);
    case "oct":
      return "0" + (v >>> 0).toString(8);
  }
}

/** "write(1, 0x00402000, 13)"; unknown numbers show as "syscall_99(0x…, …)" with all five registers. */
export function formatSyscall(nr: number, args: readonly number[] | undefined, traceName?: string): string {
  const sig = SYSCALLS.get(nr);
  const a = args ?? [];
  if (!sig) {
    const name = traceName && traceName !== "unknown" ? traceName : `syscall_${nr}`;
    return `${name}(${a.map((v) => "0x" + (v >>> 0).toString(16)).join(", ")})`;
  }
  const shown = sig.args.map((s, i) => formatArg(a[i] ?? 0, s.kind));
  return `${traceName && traceName !== "unknown" ? traceName : sig.name}(${shown.join(", ")})`;
}

/** Syscall name: the trace's own, else the table's, else "syscall_<nr>". */
export function syscallName(nr: number, traceName?: string): string {
  if (traceName && traceName !== "unknown") return traceName;
  return SYSCALLS.get(nr)?.name ?? `syscall_${nr}`;
}

/** Linux errno names for the values a teaching kernel returns. */
export const ERRNO: ReadonlyMap<number, string> = new Map([
  [1, "EPERM"], [2, "ENOENT"], [3, "ESRCH"], [4, "EINTR"], [5, "EIO"], [7, "E2BIG"], [8, "ENOEXEC"],
  [9, "EBADF"], [10, "ECHILD"], [11, "EAGAIN"], [12, "ENOMEM"], [13, "EACCES"], [14, "EFAULT"],
  [16, "EBUSY"], [17, "EEXIST"], [20, "ENOTDIR"], [21, "EISDIR"], [22, "EINVAL"], [24, "EMFILE"],
  [25, "ENOTTY"], [28, "ENOSPC"], [29, "ESPIPE"], [32, "EPIPE"], [34, "ERANGE"], [38, "ENOSYS"],
]);

/** "= 13", "= -9 EBADF". */
export function formatRet(ret: number): string {
  if (ret < 0 && ret > -4096) {
    const e = ERRNO.get(-ret);
    return e ? `= ${ret} ${e}` : `= ${ret}`;
  }
  return `= ${ret}`;
}

/** Page-fault error code in words: "user write, page present". */
export function describePfError(code: number): string {
  const who = code & 4 ? "user" : "kernel";
  const what = code & 16 ? "fetch" : code & 2 ? "write" : "read";
  const why = code & 1 ? "protection" : "not-present";
  return `${who} ${what}, ${why}`;
}

/** Selector error code (#GP/#NP/#SS/#TS) in words: "idt[0x30]"; "" when it is 0. */
export function describeSelectorError(code: number): string {
  if (code === 0) return "";
  const index = code >>> 3;
  const table = code & 2 ? "idt" : code & 4 ? "ldt" : "gdt";
  return `${table}[0x${index.toString(16)}]${code & 1 ? " ext" : ""}`;
}
