// How the trace tools show what the CPU and the kernel see: exception vectors, IRQ lines, system calls
// and their arguments, errno values. The tables are the kernel's own (kernel/names.ts, kernel/abi/);
// this file only formats and parses. Nothing here reads a trace.
import { IRQ_NAMES, VECTOR_NAMES } from "../../kernel/names.ts";
import { syscallEntry, syscallEntryByName, type ArgKind } from "../../kernel/abi/syscall-table.ts";
import { errnoName } from "../../kernel/abi/errno.ts";

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

/** "IRQ14 ata". */
export function irqLabel(irq: number, name?: string): string {
  return `IRQ${irq} ${name ?? IRQ_NAMES[irq] ?? "?"}`;
}

/** Syscall number for a name ("write" → 4) or a numeric string; undefined if unknown. */
export function syscallNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return syscallEntryByName(s)?.nr;
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
    case "lencap":
      return `${v & 0xffff}|${v >>> 16}<<16`;
    case "unused":
      return "-";
  }
}

/** "write(1, 0x00402000, 13)"; unknown numbers show as "syscall_99(0x…, …)" with all five registers. */
export function formatSyscall(nr: number, args: readonly number[] | undefined, traceName?: string): string {
  const sig = syscallEntry(nr);
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
  return syscallEntry(nr)?.name ?? `syscall_${nr}`;
}

/** "= 13", "= -9 EBADF". */
export function formatRet(ret: number): string {
  if (ret < 0 && ret > -4096) {
    const e = errnoName(-ret);
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
