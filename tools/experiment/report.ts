// The experiments' report: one self-contained HTML page (no network, no scripts from elsewhere) with
// the claims table, a bar chart per experiment that has one, and the crash timelines — inline SVG,
// readable by someone who never ran a command.
import type { ClaimRow } from "./claims.ts";

const esc = (s: unknown) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const COLORS = ["#3b6fb6", "#d07a2b", "#4a9a5b", "#a04d9c"];
const VERDICT = { supported: "#2e7d32", refuted: "#c62828", depends: "#8d6e00" } as const;

/** A horizontal bar chart of `chart` as inline SVG. */
function barChart(c: NonNullable<ClaimRow["chart"]>): string {
  const max = Math.max(1e-9, ...c.series.flatMap((s) => s.values));
  const rowH = 18, groupH = rowH * c.series.length + 10, labelW = 170, barW = 420;
  const h = c.labels.length * groupH + 30 + c.series.length * 16;
  let y = 10;
  const bars: string[] = [];
  c.labels.forEach((label, i) => {
    bars.push(`<text x="0" y="${y + 13}" class="lbl">${esc(label)}</text>`);
    c.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const w = Math.max(1, (v / max) * barW);
      bars.push(`<rect class="bar" data-value="${v}" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${COLORS[j % COLORS.length]}"><title>${esc(s.name)}: ${v} ${esc(c.unit)}</title></rect>`);
      bars.push(`<text x="${labelW + w + 4}" y="${y + 11}" class="val">${v}</text>`);
      y += rowH;
    });
    y += 10;
  });
  c.series.forEach((s, j) => {
    bars.push(`<rect x="${labelW}" y="${y + j * 16}" width="10" height="10" fill="${COLORS[j % COLORS.length]}"/><text x="${labelW + 14}" y="${y + j * 16 + 9}" class="lbl">${esc(s.name)}</text>`);
  });
  return `<figure><figcaption>${esc(c.title)} (${esc(c.unit)})</figcaption><svg class="chart" width="${labelW + barW + 60}" height="${h}" role="img" aria-label="${esc(c.title)}">${bars.join("")}</svg></figure>`;
}

/** The crash timelines: one line per session, events placed by virtual time. */
function timelines(t: NonNullable<ClaimRow["timeline"]>): string {
  const end = Math.max(1, ...t.flatMap((s) => s.marks.map((m) => m.us)));
  const w = 600, rowH = 44;
  const parts: string[] = [];
  t.forEach((s, i) => {
    const y = 20 + i * rowH;
    parts.push(`<text x="0" y="${y + 4}" class="lbl">${esc(s.name)}</text><line x1="120" y1="${y}" x2="${120 + w}" y2="${y}" stroke="#999"/>`);
    s.marks.forEach((m, k) => {
      const x = 120 + (m.us / end) * w;
      const color = m.what.startsWith("fault") ? "#c62828" : m.what.startsWith("restart") ? "#2e7d32" : "#555";
      parts.push(`<circle class="mark" cx="${x.toFixed(1)}" cy="${y}" r="5" fill="${color}"><title>${esc(m.what)} at ${m.us} µs</title></circle><text x="${x.toFixed(1)}" y="${y + (k % 2 ? 18 : -9)}" class="tiny">${esc(m.what)}</text>`);
    });
  });
  return `<figure><figcaption>Timeline (virtual µs; red = the fault, green = a restart)</figcaption><svg class="timeline" width="${w + 160}" height="${20 + t.length * rowH}" role="img" aria-label="crash timeline">${parts.join("")}</svg></figure>`;
}

/** The whole report page. */
export function reportHtml(rows: ClaimRow[]): string {
  const summary = rows.map((r) => `<tr><td><a href="#${esc(r.name)}">${esc(r.name)}</a></td><td>${esc(r.claim)}</td><td class="verdict" style="color:${VERDICT[r.verdict]}">${esc(r.verdict)}</td></tr>`).join("");
  const sections = rows
    .map((r) => {
      const table = `<table class="figures"><tr><th></th>${r.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>${r.figures.map((f) => `<tr><td>${esc(f.label)}</td>${f.values.map((v) => `<td class="num">${esc(v)}</td>`).join("")}</tr>`).join("")}</table>`;
      return `<section id="${esc(r.name)}"><h2>${esc(r.name)} — <span style="color:${VERDICT[r.verdict]}">${esc(r.verdict)}</span></h2>
<blockquote>“${esc(r.claim)}”<br><small>${esc(r.source)}</small></blockquote>${table}
${r.chart ? barChart(r.chart) : ""}${r.timeline ? timelines(r.timeline) : ""}
<p>${esc(r.why)}</p><details><summary>Replay these runs</summary><pre>${r.replay.map(esc).join("\n")}</pre></details></section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringside: the monolithic-vs-microkernel claims, measured</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}.verdict{font-weight:bold;text-transform:uppercase}
blockquote{margin:.5em 0;padding:.4em .8em;border-left:4px solid #bbb;background:#f7f7f7}
svg text.lbl{font-size:12px}svg text.val,svg text.tiny{font-size:10px;fill:#444}
pre{white-space:pre-wrap;font-size:12px;background:#f4f4f4;padding:.5em}
</style></head><body>
<h1>The monolithic-vs-microkernel claims, measured</h1>
<p>ringside runs the same system in two shapes: with its console, keyboard, disk and file system inside the kernel
(<b>monolithic</b>) or as ring-3 servers reached by messages (<b>microkernel</b>). Each experiment runs the same
workload on the same disk image in both shapes (and with injected faults where the claim is about failure), and
judges the claim from the traces, which record every entry into and exit from the kernel. Virtual time includes a
cost model for the kernel's own work; every run can be replayed exactly with the command shown.</p>
<table><tr><th>experiment</th><th>claim</th><th>verdict</th></tr>${summary}</table>
${sections}
</body></html>
`;
}
