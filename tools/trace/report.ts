// One self-contained HTML report (inline CSS and JS, no network requests): a timeline with one lane per
// process coloured by ring, the summary tables, and a filterable list of events. Two streaming passes
// over the trace; the timeline is bucketed and the event list capped, so memory stays bounded.
import type { FilterOptions } from "./filter.ts";
import { EventFilter } from "./filter.ts";
import { TextFormatter } from "./format-text.ts";
import { TraceReader, type ReadOptions } from "./reader.ts";
import { summarizeTrace } from "./commands.ts";
import type { Summary } from "./summary.ts";

export interface ReportOptions extends FilterOptions {
  skipBad?: boolean;
  /** Maximum events listed (the rest are counted, not listed). */
  maxEvents?: number;
  buckets?: number;
}

interface Lane {
  pid: number | null;
  name: string;
  user: number[]; // µs in ring 3 per bucket
  kernel: number[]; // µs in ring 0 on behalf of this process (or the idle loop's kernel work)
  idle: number[]; // µs halted in the idle loop
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Builds the report for `path` and returns the HTML text. */
export async function buildReport(path: string, o: ReportOptions = {}, read: ReadOptions = {}): Promise<string> {
  const summary = await summarizeTrace(path, { ...o }, read);
  const B = o.buckets ?? 1000;
  const maxEvents = o.maxEvents ?? 5000;
  const t0 = summary.vt_us.first;
  const span = Math.max(summary.vt_us.span, 1e-3);
  const lanes = new Map<number | null, Lane>();
  const lane = (pid: number | null, name: string): Lane => {
    let l = lanes.get(pid);
    if (!l) {
      l = { pid, name, user: new Array(B).fill(0), kernel: new Array(B).fill(0), idle: new Array(B).fill(0) };
      lanes.set(pid, l);
    }
    return l;
  };
  for (const p of summary.processes) lane(p.pid, p.proc);
  const add = (arr: number[], a: number, b: number) => {
    // spreads the interval [a, b) µs over the buckets it covers
    let x = ((a - t0) / span) * B;
    const y = ((b - t0) / span) * B;
    while (x < y) {
      const i = Math.min(B - 1, Math.floor(x));
      const next = Math.min(y, i + 1);
      arr[i] += ((next - x) * span) / B;
      if (next <= x) break;
      x = next;
    }
  };

  const reader = await TraceReader.open(path, { skipBad: o.skipBad, onWarning: () => {} });
  const filter = new EventFilter(o);
  const window = new EventFilter({ from: o.from, to: o.to });
  const fmt = new TextFormatter();
  const rows: string[] = [];
  let listed = 0;
  let matched = 0;
  let seg: { kind: "user" | "kernel" | "idle"; pid: number | null; name: string; vt: number } | null = null;
  const stack: { pid: number | null; name: string }[] = [];
  const closeSeg = (vt: number) => {
    if (!seg) return;
    const l = lane(seg.pid, seg.name);
    add(seg.kind === "user" ? l.user : seg.kind === "kernel" ? l.kernel : l.idle, seg.vt, vt);
  };
  await reader.forEach((ev) => {
    if (filter.pastEnd(ev)) return false;
    if (window.accept(ev)) {
      const k = ev.kind;
      const name = ev.pid === null ? "<idle>" : (ev.proc ?? "?");
      if (k === "syscall" || k === "exception" || k === "irq") {
        closeSeg(ev.vt);
        stack.push({ pid: ev.pid, name });
        seg = { kind: "kernel", pid: ev.pid, name, vt: ev.vt };
      } else if (k === "return") {
        closeSeg(ev.vt);
        stack.pop();
        const outer = stack[stack.length - 1];
        seg = ev.cpl_to === 3 ? { kind: "user", pid: ev.pid, name, vt: ev.vt }
          : outer ? { kind: "kernel", pid: outer.pid, name: outer.name, vt: ev.vt }
          : { kind: "idle", pid: null, name: "<idle>", vt: ev.vt };
      }
    }
    const ok = filter.empty || filter.accept(ev);
    if (!ok) {
      fmt.observe(ev);
      return;
    }
    const text = fmt.format(ev);
    if (!filter.acceptText(text)) return;
    matched++;
    if (listed < maxEvents) {
      listed++;
      rows.push(`<tr data-k="${esc(ev.kind)}" data-p="${ev.pid ?? ""}"><td>${esc(text)}</td></tr>`);
    }
  });
  closeSeg(summary.vt_us.last);

  const round = (a: number[]) => a.map((x) => Math.round(x * 1000) / 1000);
  const data = {
    t0, span, buckets: B,
    lanes: [...lanes.values()].map((l) => ({ pid: l.pid, name: l.name, user: round(l.user), kernel: round(l.kernel), idle: round(l.idle) })),
  };
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const kinds = Object.keys(summary.by_kind);
  return page(path, summary, json, rows, listed, matched, kinds);
}

function htmlTable(headers: string[], rows: (string | number)[][]): string {
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const tr = rows.map((r) => "<tr>" + r.map((c) => `<td${typeof c === "number" ? ' class="n"' : ""}>${esc(String(c))}</td>`).join("") + "</tr>").join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

const us = (x: number) => (x >= 1e6 ? (x / 1e6).toFixed(3) + " s" : x >= 1e3 ? (x / 1e3).toFixed(3) + " ms" : x.toFixed(1) + " µs");

function summaryHtml(s: Summary): string {
  const parts: string[] = [];
  parts.push(
    `<p>${s.events} events` + (s.first_seq !== null ? ` (seq ${s.first_seq}–${s.last_seq})` : "") +
      `, ${esc(us(s.vt_us.span))} of virtual time, ${s.icount.span} guest instructions, mode ${esc(s.trace.mode)}, ` +
      `${s.transitions.total} ring transitions (${s.transitions.per_virtual_second} per virtual second, ${s.transitions.unattributed} unattributed)` +
      (s.halted ? `; halted: ${esc(s.halted.reason)}` : "; no halt event") + `.</p>`,
  );
  parts.push(`<div class="cols"><div><h3>By kind</h3>${htmlTable(["kind", "count"], Object.entries(s.by_kind))}</div>`);
  parts.push(`<div><h3>Exceptions and IRQs</h3>${htmlTable(["vector", "count"], Object.entries(s.by_vector))}</div>`);
  parts.push(`<div><h3>Syscalls</h3>${htmlTable(["syscall", "count", "errors", "last error"], Object.entries(s.by_syscall).map(([n, v]) => [n, v.count, v.errors, v.last_error ?? ""]))}</div></div>`);
  parts.push(
    `<h3>Processes and ring residency</h3>` +
      htmlTable(
        ["pid", "proc", "events", "entries", "returns", "syscalls", "exceptions", "irqs", "ring 3 instr", "ring 0 instr", "ring 3 time", "ring 0 time", "idle time"],
        s.processes.map((p) => [p.pid ?? "-", p.proc, p.events, p.entries, p.returns, p.syscalls, p.exceptions, p.irqs, p.ring3_instr, p.ring0_instr + p.idle_instr, us(p.ring3_us), us(p.ring0_us), p.idle_us ? us(p.idle_us) : ""]),
      ),
  );
  if (s.ipc.length) parts.push(`<h3>IPC by sender → receiver</h3>${htmlTable(["pair", "messages", "bytes"], s.ipc.map((p) => [p.pair, p.count, p.bytes]))}`);
  if (s.top_faults.length) {
    parts.push(`<h3>Top faulting EIPs</h3>${htmlTable(["count", "vector", "pid", "proc", "eip", "instruction"], s.top_faults.map((f) => [f.count, f.vector, f.pid ?? "-", f.proc, f.where, f.insn ?? ""]))}`);
  }
  return parts.join("\n");
}

function page(path: string, s: Summary, json: string, rows: string[], listed: number, matched: number, kinds: string[]): string {
  const opts = kinds.map((k) => `<option value="${esc(k)}">${esc(k)}</option>`).join("");
  const more = matched > listed ? `<p class="note">Listing the first ${listed} of ${matched} events; use <code>ringside trace show</code> with filters for the rest.</p>` : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>ringside trace report: ${esc(path)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fcfcfc}
h1{font-size:1.3em}h2{font-size:1.15em;margin-top:1.5em;border-bottom:1px solid #ddd}h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.3em 0}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;font-variant-numeric:tabular-nums}
td.n{text-align:right}th{background:#f0f0f0}.cols{display:flex;gap:2em;flex-wrap:wrap}
#lanes{position:relative}.lane{display:flex;align-items:center;margin:2px 0}.lane span{width:11em;font:12px monospace;overflow:hidden;white-space:nowrap}
canvas{border:1px solid #ccc;background:#fff}.legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
#tip{position:fixed;pointer-events:none;background:#333;color:#fff;padding:3px 6px;font:12px monospace;border-radius:3px;display:none}
#events td{font:12px monospace;white-space:pre;border:0;padding:0 4px}#events tr:nth-child(odd){background:#f6f6f6}
.note{color:#666}code{background:#eee;padding:0 3px}
</style></head><body>
<h1>ringside trace report</h1>
<p class="note">${esc(path)} — ${esc(s.trace.tool)}, schema v${s.trace.version}, ${s.trace.ipms} instructions per virtual ms</p>
<h2>Timeline</h2>
<p class="legend">Each lane is a process; colour shows where its time went in each slice of virtual time:<i style="background:#2e9d49"></i>ring 3<i style="background:#d9534f"></i>ring 0 (kernel)<i style="background:#b0b7c3"></i>idle (halted)</p>
<div id="lanes"></div><div id="tip"></div>
<h2>Summary</h2>
${summaryHtml(s)}
<h2>Events</h2>
<p>Filter: <input id="q" size="40" placeholder="text or regular expression"> kind: <select id="kind"><option value="">all</option>${opts}</select> pid: <input id="pid" size="5"> <span id="count"></span></p>
${more}
<table id="events"><tbody>
${rows.join("\n")}
</tbody></table>
<script type="application/json" id="data">${json}</script>
<script>
(function(){
var d=JSON.parse(document.getElementById("data").textContent);
var W=Math.min(1200,Math.max(300,window.innerWidth-220)),H=22,lanes=document.getElementById("lanes"),tip=document.getElementById("tip");
function fmt(us){return us>=1e6?(us/1e6).toFixed(3)+" s":us>=1e3?(us/1e3).toFixed(3)+" ms":us.toFixed(1)+" µs";}
d.lanes.forEach(function(l){
  var row=document.createElement("div");row.className="lane";
  var label=document.createElement("span");label.textContent=(l.pid===null?"":l.pid+" ")+l.name;row.appendChild(label);
  var c=document.createElement("canvas");c.width=W;c.height=H;row.appendChild(c);lanes.appendChild(row);
  var g=c.getContext("2d"),bw=W/d.buckets,cap=d.span/d.buckets;
  for(var i=0;i<d.buckets;i++){
    var u=l.user[i]/cap,k=l.kernel[i]/cap,z=l.idle[i]/cap,y=H;
    g.fillStyle="#2e9d49";g.fillRect(i*bw,y-u*H,Math.max(bw,1),u*H);y-=u*H;
    g.fillStyle="#d9534f";g.fillRect(i*bw,y-k*H,Math.max(bw,1),k*H);y-=k*H;
    g.fillStyle="#b0b7c3";g.fillRect(i*bw,y-z*H,Math.max(bw,1),z*H);
  }
  c.onmousemove=function(e){var r=c.getBoundingClientRect(),i=Math.floor((e.clientX-r.left)/bw);if(i<0||i>=d.buckets)return;
    var t=d.t0+i*cap;tip.style.display="block";tip.style.left=(e.clientX+12)+"px";tip.style.top=(e.clientY+12)+"px";
    tip.textContent=l.name+" @ "+fmt(t)+"–"+fmt(t+cap)+": ring3 "+fmt(l.user[i])+", ring0 "+fmt(l.kernel[i])+(l.idle[i]?", idle "+fmt(l.idle[i]):"");};
  c.onmouseleave=function(){tip.style.display="none";};
});
var rows=[].slice.call(document.querySelectorAll("#events tr")),q=document.getElementById("q"),kind=document.getElementById("kind"),pid=document.getElementById("pid"),count=document.getElementById("count");
function apply(){var re=null;try{re=q.value?new RegExp(q.value):null;}catch(e){re=null;}
  var n=0;rows.forEach(function(r){var ok=(!kind.value||r.getAttribute("data-k")===kind.value)&&(!pid.value||r.getAttribute("data-p")===pid.value.trim())&&(!re||re.test(r.textContent));r.style.display=ok?"":"none";if(ok)n++;});
  count.textContent=n+" of "+rows.length+" listed events";}
q.oninput=kind.onchange=pid.oninput=apply;apply();
})();
</script>
</body></html>
`;
}
