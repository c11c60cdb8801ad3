// The trace schema (docs/trace.md) as TypeScript types: the normalized events every version reads as
// (version 1's shape; tools/trace/decode.ts fills in what version 2 leaves out). Loose on purpose: readers must
// ignore unknown kinds and keys, so every kind-specific key is optional here and checked by the reader.

/** The newest schema version these tools read: the one the recorder writes by default (they read every older one too); a newer version is refused. */
export { TRACE_VERSION } from "../../kernel/trace/format.ts";

/** Line 1 of every trace. */
export interface TraceHeader {
  trace: "ringside";
  version: number;
  ipms: number; // guest instructions per virtual millisecond
  mode: string; // "monolithic" | "microkernel"
  tool: string;
  [key: string]: unknown;
}

/** Kinds that enter the kernel (each is followed by exactly one `return`). */
export const ENTRY_KINDS = ["syscall", "exception", "irq"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface TraceSymbol {
  name: string;
  addr: number;
}

export interface TraceSegment {
  vaddr: number;
  memsz: number;
  flags: string;
}

/** One event line. Common keys are always present; the rest depend on `kind`. */
export interface TraceEvent {
  seq: number;
  icount: number;
  vt: number; // µs of virtual time since machine start
  kind: string;
  pid: number | null;
  proc: string | null;
  // ring transitions (syscall, exception, irq, return)
  cpl_from?: number;
  cpl_to?: number;
  eip?: number;
  // syscall
  nr?: number;
  name?: string; // syscall name, exception name ("#PF") or irq device name ("ata")
  args?: number[];
  // return
  ret?: number;
  // exception
  vector?: number | null;
  error_code?: number;
  cr2?: number;
  insn?: string;
  // irq
  irq?: number;
  // load
  path?: string;
  entry?: number;
  segments?: TraceSegment[];
  symbols?: TraceSymbol[];
  // spawn
  parent?: number | null;
  argv?: string[];
  // exit / halt
  status?: number | null;
  report?: string | null;
  reason?: string;
  // ipc (future versions: op, src, dst, bytes)
  op?: string;
  src?: number | null;
  dst?: number | null;
  bytes?: number;
  [key: string]: unknown;
}

/** True for syscall / exception / irq events. */
export function isEntry(ev: TraceEvent): boolean {
  const k = ev.kind;
  return k === "syscall" || k === "exception" || k === "irq";
}

/** True for events that cross or stay at a ring boundary (entries and returns). */
export function isTransition(ev: TraceEvent): boolean {
  return ev.kind === "return" || isEntry(ev);
}
