// Per-process symbol tables built from the trace's own `load` events, so a trace symbolizes itself.
import { hex32 } from "./names.ts";
import type { TraceEvent } from "./schema.ts";

/** One loaded image: symbol addresses (ascending) and the address ranges its segments cover. */
export class SymbolTable {
  readonly addrs: number[];
  readonly names: string[];
  readonly ranges: [number, number][]; // [lo, hi) of each segment; empty means "unknown, accept all"

  constructor(symbols: readonly { name: string; addr: number }[], segments: readonly { vaddr: number; memsz: number }[] = []) {
    const sorted = symbols
      .filter((s) => s && typeof s.name === "string" && Number.isInteger(s.addr))
      .slice()
      .sort((a, b) => a.addr - b.addr);
    this.addrs = sorted.map((s) => s.addr >>> 0);
    this.names = sorted.map((s) => s.name);
    this.ranges = segments
      .filter((s) => s && Number.isInteger(s.vaddr) && Number.isInteger(s.memsz))
      .map((s) => [s.vaddr >>> 0, (s.vaddr >>> 0) + s.memsz]);
  }

  /** The symbol containing `addr` (greatest symbol ≤ addr, inside a segment), or undefined. */
  lookup(addr: number): { name: string; offset: number } | undefined {
    const a = addr >>> 0;
    if (this.ranges.length > 0 && !this.ranges.some(([lo, hi]) => a >= lo && a < hi)) return undefined;
    let lo = 0;
    let hi = this.addrs.length - 1;
    if (hi < 0 || a < this.addrs[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.addrs[mid] <= a) lo = mid;
      else hi = mid - 1;
    }
    return { name: this.names[lo], offset: a - this.addrs[lo] };
  }
}

/** Symbol state of a whole trace: one table per pid, plus kernel symbols from a `load` with pid null. */
export class SymbolMap {
  private readonly byPid = new Map<number | null, SymbolTable>();

  /** Updates the tables from a `load` (replaces the pid's image) or `spawn` (child inherits its parent's image). */
  observe(ev: TraceEvent): void {
    if (ev.kind === "load") {
      this.byPid.set(ev.pid, new SymbolTable(Array.isArray(ev.symbols) ? ev.symbols : [], Array.isArray(ev.segments) ? ev.segments : []));
    } else if (ev.kind === "spawn" && ev.pid !== null && typeof ev.parent === "number" && !this.byPid.has(ev.pid)) {
      const t = this.byPid.get(ev.parent);
      if (t) this.byPid.set(ev.pid, t);
    }
  }

  /** The symbol holding `eip` and the offset into it, or undefined when no loaded image covers `eip`. */
  private hit(pid: number | null, eip: number): { name: string; offset: number } | undefined {
    return (pid !== null ? this.byPid.get(pid)?.lookup(eip) : undefined) ?? this.byPid.get(null)?.lookup(eip);
  }

  /** "read_line+0x1c" (or "read_line" at offset 0), or undefined when no loaded image covers `eip`. */
  symbol(pid: number | null, eip: number): string | undefined {
    const hit = this.hit(pid, eip);
    if (!hit) return undefined;
    return hit.offset === 0 ? hit.name : `${hit.name}+0x${hit.offset.toString(16)}`;
  }

  /** "0x00401a2c <read_line+0x1c>", or just "0x00401a2c". */
  symbolize(pid: number | null, eip: number): string {
    const s = this.symbol(pid, eip);
    return s ? `${hex32(eip)} <${s}>` : hex32(eip);
  }

  /**
   * As symbolize, for the address just past an instruction (a system call's eip follows its
   * `int 0x80`): named after the symbol that holds the instruction, so a call that ends a block is
   * not shown under the label that follows it (`<_start+0x4d>`, not `<_start.fail>`).
   */
  symbolizeAfter(pid: number | null, eip: number): string {
    const hit = eip > 0 ? this.hit(pid, eip - 1) : undefined;
    return hit ? `${hex32(eip)} <${hit.name}+0x${(hit.offset + 1).toString(16)}>` : this.symbolize(pid, eip);
  }

  /** An independent copy (tables are immutable, so sharing them is safe). */
  clone(): SymbolMap {
    const c = new SymbolMap();
    for (const [k, v] of this.byPid) c.byPid.set(k, v);
    return c;
  }
}
