// The one-line text form of trace events (QEMU -d int / trace161 / ftrace-like, but both directions,
// names, symbols and decoded arguments). Used by `trace show` and by `run/boot --trace-format text`.
import { MSG } from "../../kernel/protocol.ts";
import {
  describePfError,
  describeSelectorError,
  formatRet,
  formatSyscall,
  hex32,
  irqLabel,
  syscallName,
  vectorName,
} from "./names.ts";
import type { TraceEvent } from "./schema.ts";
import { SymbolMap } from "./symbols.ts";
import { EntryPairing } from "./pairing.ts";

const COMMON = new Set(["seq", "icount", "vt", "kind", "pid", "proc"]);

const C = {
  reset: "\x1b[0m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  magenta: "\x1b[35m",
  cyan: "\x1b[36m",
  boldRed: "\x1b[1;31m",
};

const KIND_COLOR: Record<string, string> = {
  syscall: C.cyan,
  exception: C.boldRed,
  irq: C.yellow,
  return: C.green,
};

/** Who an event is about: "shell-2" (ftrace style), "<idle>" for ring events with no process. */
export function who(ev: TraceEvent): string {
  if (ev.pid === null) return ev.kind === "return" || ev.kind === "syscall" || ev.kind === "exception" || ev.kind === "irq" ? "<idle>" : "<kernel>";
  return `${ev.proc ?? "?"}-${ev.pid}`;
}

/** "3→0", "0→3", "0→0", or "" for events that are not ring transitions. */
export function ringArrow(ev: TraceEvent): string {
  if (ev.kind === "return") return `0→${ev.cpl_to}`;
  if (ev.kind === "syscall" || ev.kind === "exception" || ev.kind === "irq") return `${ev.cpl_from}→0`;
  return "";
}

/** Short label of a kernel entry: "write", "#PF", "IRQ0 timer". */
export function entryLabel(ev: TraceEvent): string {
  if (ev.kind === "syscall") return syscallName(ev.nr ?? -1, ev.name);
  if (ev.kind === "exception") return vectorName(ev.vector ?? -1);
  if (ev.kind === "irq") return irqLabel(ev.irq ?? -1, ev.name);
  return ev.kind;
}

/**
 * Formats events one line each. Keeps the state a line needs from earlier events: symbol tables from
 * `load` events and each process's open kernel entry (so a `return` can say what it returns from:
 * a blocked call returns, to its own process, after other processes have run).
 */
export class TextFormatter {
  private readonly color: boolean;
  private symbols = new SymbolMap();
  /** The open kernel entry of each process (pairing.ts): what its return comes from. */
  private open = new EntryPairing<{ label: string; syscall: boolean }>();

  constructor(opts: { color?: boolean } = {}) {
    this.color = opts.color ?? false;
  }

  /** Symbol state, e.g. for callers that print EIPs of their own. */
  get symbolMap(): SymbolMap {
    return this.symbols;
  }

  /** An independent copy with the same state (symbols, open entries). */
  clone(): TextFormatter {
    const c = new TextFormatter({ color: this.color });
    c.symbols = this.symbols.clone();
    c.open = this.open.clone();
    return c;
  }

  /** Updates the formatter's state from `ev` without producing text (cheap for most events). */
  observe(ev: TraceEvent): void {
    const k = ev.kind;
    if (k === "syscall" || k === "exception" || k === "irq") {
      this.open.enter(ev.pid, { label: entryLabel(ev), syscall: k === "syscall" });
    } else if (k === "return") {
      this.open.leave(ev.pid);
    } else if (k === "load" || k === "spawn") {
      this.symbols.observe(ev);
    }
  }

  /** One line for `ev` without a newline; "" for the header (which is not an event). */
  format(ev: TraceEvent | Record<string, unknown>): string {
    const e = ev as TraceEvent;
    if ((ev as Record<string, unknown>).trace === "ringside" || typeof e.kind !== "string") return "";
    const from = e.kind !== "return" ? undefined : this.open.peek(e.pid);
    this.observe(e);
    const col = this.color;
    const paint = (c: string, s: string) => (col && s ? c + s + C.reset : s);
    const seq = String(e.seq).padStart(7);
    const t = (e.vt / 1e6).toFixed(6).padStart(11);
    const w = who(e).padEnd(14);
    const ring = ringArrow(e).padEnd(3);
    const kind = e.kind.padEnd(9);
    const detail = this.detail(e, from);
    return (
      `${paint(C.dim, seq)} ${paint(C.dim, t)} ${paint(C.blue, w)} ${paint(e.kind === "return" && e.cpl_to === 3 ? C.green : C.yellow, ring)} ` +
      `${paint(KIND_COLOR[e.kind] ?? C.magenta, kind)} ${detail}`
    ).trimEnd();
  }

  /** `what`, then "<word> <eip, symbolized>"; `after`: the eip follows the instruction (a system call's). */
  private at(e: TraceEvent, what: string, word: string, after = false): string {
    if (typeof e.eip !== "number") return what;
    return `${what.padEnd(36)} ${word} ${after ? this.symbols.symbolizeAfter(e.pid, e.eip) : this.symbols.symbolize(e.pid, e.eip)}`;
  }

  private detail(e: TraceEvent, from: { label: string; syscall: boolean } | undefined): string {
    switch (e.kind) {
      case "syscall":
        return this.at(e, formatSyscall(e.nr ?? -1, e.args, e.name), "at", true);
      case "exception": {
        const v = e.vector ?? -1;
        const code = e.error_code ?? 0;
        let what = vectorName(v);
        if (v === 14) {
          what += ` err=0x${code.toString(16)} (${describePfError(code)})`;
          if (typeof e.cr2 === "number") what += ` cr2=${hex32(e.cr2)}`;
        } else if (v === 8 || (v >= 10 && v <= 13) || v === 17 || v === 21) {
          const d = describeSelectorError(code);
          what += ` err=0x${code.toString(16)}${d ? ` (${d})` : ""}`;
        }
        const line = this.at(e, what, "at");
        return e.insn ? `${line}: ${e.insn}` : line;
      }
      case "irq":
        return this.at(e, irqLabel(e.irq ?? -1, e.name), "at");
      case "return": {
        let what: string;
        if (from?.syscall) what = typeof e.ret === "number" ? `${from.label} ${formatRet(e.ret)}` : from.label;
        else if (from) what = `from ${from.label}`;
        else what = typeof e.ret === "number" ? formatRet(e.ret) : "";
        return this.at(e, what, "to");
      }
      case "load": {
        const entry = typeof e.entry === "number" ? ` entry=${this.symbols.symbolize(e.pid, e.entry)}` : "";
        const segs = Array.isArray(e.segments) ? e.segments.map((s) => `${hex32(s.vaddr)}+0x${(s.memsz >>> 0).toString(16)} ${s.flags}`).join(", ") : "";
        const n = Array.isArray(e.symbols) ? e.symbols.length : 0;
        return `${e.path ?? "?"}${entry} [${segs}] ${n} symbols`;
      }
      case "spawn":
        return `${JSON.stringify(e.argv ?? [])}${e.parent !== undefined ? ` parent=${e.parent ?? "-"}` : ""}`;
      case "exit": {
        if (typeof e.vector === "number") {
          return `killed by ${vectorName(e.vector)}${e.report ? `: ${e.report}` : ""}`;
        }
        return `status=${e.status ?? "-"}${e.report ? `: ${e.report}` : ""}`;
      }
      case "fpu":
        return `${typeof e.eip === "number" ? `at ${this.symbols.symbolize(e.pid, e.eip)} ` : ""}FPU registers ${typeof e.from === "number" && e.from >= 0 ? `saved for pid ${e.from}, ` : ""}loaded`;
      case "halt":
        return `${e.reason ?? "?"}${e.status !== undefined && e.status !== null ? ` status=${e.status}` : ""}`;
      case "ipc": {
        const op = e.op ?? "ipc";
        return `${op} ${e.src ?? "-"}→${e.dst ?? "-"}${typeof e.bytes === "number" ? ` ${e.bytes} bytes` : ""}${rest(e, ["op", "src", "dst", "bytes"])}`;
      }
      case "service": {
        const svc = typeof e.service === "string" ? e.service : "?";
        if (e.op === "request") return `request ${svc} ${messageName(svc, Number(e.type))}${typeof e.bytes === "number" ? ` ${e.bytes} bytes` : ""}`;
        return `reply   ${svc} ${formatRet(Number(e.result))}${typeof e.bytes === "number" ? ` ${e.bytes} bytes` : ""}`;
      }
      default:
        return rest(e, []).trimStart();
    }
  }
}

/** The protocol name of request type `type` to service `svc` ("FS_OPEN", "CON_WRITE", "DEV_READ"), or the number. */
function messageName(svc: string, type: number): string {
  const prefix = svc === "console" ? "CON_" : svc === "fs" ? "FS_" : svc === "disk" ? "DISK_" : "DEV_";
  for (const [name, value] of Object.entries(MSG)) if (value === type && name.startsWith(prefix)) return name;
  return String(type);
}

/** " key=value …" for the keys of `e` that are neither common nor in `skip` (unknown kinds and keys). */
function rest(e: TraceEvent, skip: string[]): string {
  let s = "";
  for (const k of Object.keys(e)) {
    if (COMMON.has(k) || skip.includes(k)) continue;
    const v = e[k];
    s += ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`;
  }
  return s;
}
