// Listing (`-l`) and symbol map (`--map`) text.
import type { Emitted } from "./layout.ts";

const BYTES_PER_ROW = 9;

/** Formats the listing: line number, section offset, hex bytes (or <res N>), source text — like nasm -l. */
export function formatListing(emitted: Emitted[], allLines: Array<{ file: string; line: number; text: string }>): string {
  const rows: string[] = [];
  const byLine = new Map<string, Emitted[]>();
  for (const e of emitted) {
    const k = e.stmt.loc.file + "\0" + e.stmt.loc.line + "\0" + e.stmt.text;
    const l = byLine.get(k);
    if (l) l.push(e);
    else byLine.set(k, [e]);
  }
  const num = (n: number) => String(n).padStart(6, " ");
  const hex8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, "0");
  for (const src of allLines) {
    const k = src.file + "\0" + src.line + "\0" + src.text;
    const es = byLine.get(k);
    if (!es) {
      rows.push(`${num(src.line)} ${" ".repeat(8)} ${" ".repeat(BYTES_PER_ROW * 2 + 6)}${src.text}`);
      continue;
    }
    byLine.delete(k);
    for (const e of es) {
      if (e.reserved !== undefined) {
        const cell = e.reserved ? `<res ${hex8(e.reserved)}>` : "";
        rows.push(`${num(src.line)} ${e.reserved ? hex8(e.offset) : " ".repeat(8)} ${cell.padEnd(BYTES_PER_ROW * 2 + 6)}${src.text}`);
        continue;
      }
      const b = e.bytes ?? new Uint8Array(0);
      const hex = (from: number, to: number) => Array.from(b.subarray(from, to), (x) => x.toString(16).toUpperCase().padStart(2, "0")).join("");
      const first = Math.min(b.length, BYTES_PER_ROW);
      const more = b.length > first;
      const addr = b.length ? hex8(e.offset) : " ".repeat(8);
      rows.push(`${num(src.line)} ${addr} ${(hex(0, first) + (more ? "-" : "")).padEnd(BYTES_PER_ROW * 2 + 6)}${src.text}`);
      for (let at = first; at < b.length; at += BYTES_PER_ROW) {
        const end = Math.min(b.length, at + BYTES_PER_ROW);
        rows.push(`${num(src.line)} ${hex8(e.offset + at)} ${hex(at, end)}${end < b.length ? "-" : ""}`);
      }
    }
  }
  return rows.join("\n") + (rows.length ? "\n" : "");
}

/** Formats the symbol map: one "XXXXXXXX name" line per symbol, sorted by value then name. */
export function formatMap(symbols: Array<{ name: string; value: number }>): string {
  return symbols.map((s) => `${(s.value >>> 0).toString(16).toUpperCase().padStart(8, "0")} ${s.name}\n`).join("");
}
