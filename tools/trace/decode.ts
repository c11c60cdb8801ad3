// Normalizes trace events: every schema version this ringside reads becomes the one event shape the
// tools work with, the version-1 shape (docs/trace.md): every key present, in the documented order.
// Version 2 leaves out what a reader can derive; this puts it back:
//   proc       the name last given (by a `proc` key) for the event's pid; null for none / no pid
//   name       a syscall's from `nr` (kernel/abi/syscall-table.ts), an exception's from `vector`,
//              an IRQ's from `irq` (kernel/names.ts)
//   cpl_to     0 on an entry (syscall, exception, irq); cpl_from 0 on a return
//   src, dst   an ipc's, when the line has none: the event's pid
//   to         a switch's, when the line has none: the event's pid
// One decoder per trace, fed its events in file order: it remembers the process names.
import { IRQ_NAMES, VECTOR_NAMES } from "../../kernel/names.ts";
import { syscallTableName } from "../../kernel/abi/syscall-table.ts";

/** A syscall's name as version 1 writes it ("write", "unknown", …). */
export const syscallNameOf = (nr: number): string => syscallTableName(nr);
/** An exception's name as version 1 writes it ("#PF"; "#n" outside the table). */
export const vectorNameOf = (v: number): string => VECTOR_NAMES[v] ?? `#${v}`;
/** An IRQ line's device name as version 1 writes it ("ata"; "irqN" outside the table). */
export const irqNameOf = (line: number): string => IRQ_NAMES[line] ?? `irq${line}`;

/** Turns the parsed lines of one trace (of schema version `version`) into normalized events. */
export class EventDecoder {
  private readonly procs = new Map<number, string>();
  /** True when events need filling in (version 2); version-1 events pass through unchanged. */
  readonly compact: boolean;

  constructor(readonly version: number) {
    this.compact = version >= 2;
  }

  /**
   * The `proc` of a normalized event about `pid`, given the line's own `proc` value (undefined when
   * the line has none): a string given is remembered for that pid from here on; a missing one is the
   * pid's remembered name, or null. Anything else (null pid, a malformed value) is returned as given,
   * for the validator to judge.
   */
  procFor(pid: unknown, given: unknown): unknown {
    if (typeof pid !== "number") return given === undefined ? null : given;
    if (typeof given === "string") {
      this.procs.set(pid, given);
      return given;
    }
    if (given !== undefined) return given;
    return this.procs.get(pid) ?? null;
  }

  /**
   * The normalized form of one parsed event line: for version 2 a new object with the derived keys
   * put back in version-1 order (keys the line has are kept, with their values; unknown keys stay
   * where they were); for version 1, or anything not an object, the value itself.
   */
  decode(raw: unknown): unknown {
    if (!this.compact || typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
    const r = raw as Record<string, unknown>;
    const kind = r.kind;
    const entry = kind === "syscall" || kind === "exception" || kind === "irq";
    const out: Record<string, unknown> = {};
    for (const key in r) {
      const v = r[key];
      switch (key) {
        case "__proto__":
          continue; // a JSON key that would not be an ordinary property
        case "pid":
          out.pid = v;
          out.proc = this.procFor(v, r.proc);
          continue;
        case "proc":
          if (!("pid" in r)) out.proc = v; // otherwise placed after pid
          continue;
        case "cpl_from":
          out.cpl_from = v;
          if (entry) out.cpl_to = 0;
          continue;
        case "cpl_to":
          if (kind === "return") out.cpl_from = 0;
          out.cpl_to = v;
          continue;
        case "nr":
          out.nr = v;
          if (kind === "syscall" && Number.isInteger(v)) out.name = syscallNameOf(v as number);
          continue;
        case "vector":
          out.vector = v;
          if (kind === "exception" && Number.isInteger(v)) out.name = vectorNameOf(v as number);
          continue;
        case "op": // an ipc's src and dst follow
          out.op = v;
          if (kind === "ipc" && r.pid !== undefined && !("src" in r)) {
            out.src = r.pid;
            if (!("dst" in r)) out.dst = r.pid;
          }
          continue;
        case "src":
          out.src = v;
          if (kind === "ipc" && r.pid !== undefined && !("dst" in r)) out.dst = r.pid;
          continue;
        case "from":
          out.from = v;
          if (kind === "switch" && !("to" in r) && r.pid !== undefined) out.to = r.pid;
          continue;
        case "irq":
          out.irq = v;
          if (kind === "irq" && Number.isInteger(v)) out.name = irqNameOf(v as number);
          continue;
        default:
          out[key] = v;
      }
    }
    return out;
  }
}
