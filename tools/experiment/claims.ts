// The experiments: each names a claim of the monolithic-versus-microkernel debate, runs the same
// workload on the same image in both shapes (and with faults where the claim is about failure),
// and judges the claim from what the traces show. Every session is a replayable `ringside boot`.
import { readFileSync } from "node:fs";
import { loadBootImage } from "../../boot/loader.ts";
import { DEFAULT_COST_MODEL } from "../../kernel/cost-model.ts";
import { createKernel } from "../build/kernel.ts";
import { fromRoot } from "../paths.ts";
import { acks, callCosts, marked, pidOf, ringsUsed, type CallCost } from "./measure.ts";
import type { Ev, SessionResult, SessionSpec } from "./runner.ts";
import { BATCH_BYTES, BIG_BYTES, buildImage, SMALL_WRITES, withoutRs } from "./workloads.ts";
import { ringZeroCode } from "./tcb.ts";

export type Verdict = "supported" | "refuted" | "depends";

/** One row of the claims table. */
export interface ClaimRow {
  name: string;
  claim: string;
  source: string;
  /** Column names (e.g. monolithic, microkernel) and the figures, one line per measured quantity. */
  columns: string[];
  figures: { label: string; values: (number | string)[] }[];
  verdict: Verdict;
  why: string;
  /** Commands that replay each session of the experiment (and write its trace). */
  replay: string[];
  /** Data for the report's chart (bars per label and column). */
  chart?: { title: string; unit: string; labels: string[]; series: { name: string; values: number[] }[] };
  /** Where figures were counted: a session's trace and the seq window of one call. */
  evidence?: { trace: string; mode: string; call: string; fromSeq: number; toSeq: number; modeSwitches: number }[];
  /** For the crash experiments: each session's events on a timeline (vt µs, kind, label). */
  timeline?: { name: string; marks: { us: number; what: string }[] }[];
}

export interface Experiment {
  name: string;
  title: string;
  /** The sessions to run (images are built here). */
  plan(): Promise<SessionSpec[]>;
  /** Judges the claim from the sessions' results (in plan order). */
  judge(results: SessionResult[]): Promise<ClaimRow>;
}

const MODES = ["monolithic", "microkernel"] as const;
const SHELL_SESSION = "echo two shapes\nls /home\ncat /home/readme.txt\nwrite /home/n.txt a note\ncat /home/n.txt\nrm /home/n.txt\nps\nexit\n";
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const ratio = (a: number, b: number) => round(a / b, 2);

/** Guest instructions, and virtual µs the model charged, of the processes named (within [from, to]). */
function ring3Us(events: Ev[], pids: Set<number>, from: number, to: number): number {
  let us = 0, cur: number | null = null, since = 0;
  for (const e of events) {
    if (e.vt < from) continue;
    if (e.vt > to) break;
    if (e.kind === "return" && e.cpl_to === 3) {
      cur = e.pid;
      since = e.vt;
    } else if ((e.kind === "syscall" || e.kind === "irq" || e.kind === "exception") && e.cpl_from === 3 && cur !== null) {
      if (pids.has(cur)) us += e.vt - since;
      cur = null;
    }
  }
  return us;
}

/** Wall ms of a whole in-process run of `image` in `mode` (boot included), for the interleaved wall-time figure. */
async function wallMs(image: string, mode: "monolithic" | "microkernel", input: string): Promise<number> {
  const boot = loadBootImage(new Uint8Array(readFileSync(fromRoot(image))));
  const k = await createKernel({ ...boot, mode, costModel: { ...DEFAULT_COST_MODEL }, onIdle: () => false });
  for (const line of input.split(/(?<=\n)/)) if (line) k.machine.queueSerialInput(new TextEncoder().encode(line));
  const t0 = performance.now();
  await k.run();
  const t = performance.now() - t0;
  k.destroy();
  return t;
}

const spec = (id: string, image: string, mode: (typeof MODES)[number], extra: Partial<SessionSpec> = {}): SessionSpec => ({ id, image, mode, ...extra });

export const EXPERIMENTS: Experiment[] = [
  {
    name: "request-cost",
    title: "What one request costs",
    async plan() {
      const img = await buildImage("req", "req");
      return MODES.map((m) => spec(`request-cost-${m}`, img, m));
    },
    async judge(r) {
      const costs = r.map((s) => callCosts(s.events, pidOf(s.events, "req"), ["open", "read", "write"]));
      const [mono, micro] = costs as [CallCost[], CallCost[]];
      const q: [string, keyof CallCost][] = [["mode switches", "modeSwitches"], ["context switches", "contextSwitches"], ["address-space switches", "addressSpaceSwitches"], ["messages", "messages"], ["in-kernel service calls", "serviceCalls"], ["bytes copied", "bytes"], ["virtual µs (modelled)", "us"]];
      const figures = mono.flatMap((c, i) => q.map(([label, k]) => ({ label: `${c.call}: ${label}`, values: [round(c[k] as number), round(micro[i]![k] as number)] })));
      const monoTwo = mono.every((c) => c.modeSwitches === 2 && c.contextSwitches === 0 && c.messages === 0);
      const microMore = micro.every((c) => c.messages >= 2 && c.contextSwitches >= 2);
      return {
        name: "request-cost",
        claim: "A monolithic system serves a request with two mode switches; a microkernel needs an IPC round trip and a context switch (and passing the data to the server and back means extra copying).",
        source: "the monolithic-vs-microkernel debate (Tanenbaum–Torvalds, 1992, and its later rounds)",
        columns: ["monolithic", "microkernel"],
        figures,
        verdict: monoTwo && microMore ? "supported" : "depends",
        why: `Counted exactly from the traces between each call's entry and its return. Monolithic: ${mono.map((c) => `${c.call} ${c.modeSwitches} mode switches, ${c.contextSwitches} context switches`).join("; ")}. Microkernel: ${micro.map((c) => `${c.call} ${c.modeSwitches} mode switches, ${c.contextSwitches} context switches, ${c.messages} messages`).join("; ")} — a read reaches the disk server too, so it is two round trips and more, not one. Bytes copied: ${mono.map((c, i) => `${c.call} ${c.bytes} monolithic, ${micro[i]!.bytes} microkernel`).join("; ")} — monolithic, the kernel copies the payload once (kernel ↔ process); microkernel, every message carries its own copy, so a read that misses the file server's cache copies a whole sector from the disk server to the file server before the file server's reply copies the bytes asked for to the program.`,
        replay: r.map((s) => s.command),
        evidence: costs.flatMap((cs, i) => cs.map((c) => ({ trace: r[i]!.trace, mode: MODES[i]!, call: c.call, fromSeq: c.fromSeq, toSeq: c.toSeq, modeSwitches: c.modeSwitches }))),
        chart: { title: "Ring crossings and context switches per call", unit: "count", labels: mono.flatMap((c) => [`${c.call} mode sw.`, `${c.call} ctx sw.`]), series: costs.map((cs, i) => ({ name: MODES[i]!, values: cs.flatMap((c) => [c.modeSwitches, c.contextSwitches]) })) },
      };
    },
  },
  {
    name: "throughput",
    title: "Is the microkernel slower?",
    async plan() {
      const cat = await buildImage("catbig", "catbig");
      const writes = await buildImage("writes", "writes");
      const shell = await buildImage("shell", null);
      return MODES.flatMap((m) => [spec(`throughput-cat-${m}`, cat, m), spec(`throughput-writes-${m}`, writes, m), spec(`throughput-shell-${m}`, shell, m, { input: SHELL_SESSION })]);
    },
    async judge(r) {
      const labels = ["cat of 1 MiB", `${SMALL_WRITES} small writes`, "a scripted shell session"];
      // The shell session from the shell's start to the power-off (not the boot before it, which differs by shape).
      const shellStart = (ev: Ev[]): number => ev.find((e) => e.kind === "spawn" && (e.argv as string[])[0] === "sh")!.vt as number;
      const vt = r.map((s, i) => (i % 3 === 2 ? (s.events.at(-1)!.vt as number) - shellStart(s.events) : marked(s.events, pidOf(s.events, i % 3 === 0 ? "catbig" : "writes")).us));
      const slow = labels.map((_, i) => vt[3 + i]! / vt[i]!);
      // The servers' own ring-3 work: what the monolithic shape does in TypeScript, uncharged.
      const servers = new Set(["console", "keyboard", "disk", "fs", "rs"].map((n) => pidOf(r[3]!.events, n)));
      const serverShare = labels.map((_, i) => {
        const ev = r[3 + i]!.events;
        const from = i === 2 ? shellStart(ev) : (ev.find((e) => e.kind === "syscall" && e.name === "getppid")!.vt as number);
        const to = i === 2 ? (ev.at(-1)!.vt as number) : from + vt[3 + i]!;
        return ring3Us(ev, servers, from, to);
      });
      // Wall time: both shapes alternating, one whole run each, after an untimed run of each.
      const wall: number[][] = [[], []];
      for (const m of MODES) await wallMs(r[2]!.spec.image, m, SHELL_SESSION); // untimed: the JIT warms up
      for (let i = 0; i < 3; i++) for (let m = 0; m < 2; m++) wall[m]![i] = await wallMs(r[i]!.spec.image, MODES[m]!, r[i]!.spec.input ?? "");
      const figures = labels.flatMap((l, i) => [
        { label: `${l}: modelled virtual ms`, values: [round(vt[i]! / 1000, 3), round(vt[3 + i]! / 1000, 3)] },
        { label: `${l}: of which servers' own ring-3 work, ms`, values: ["—", round(serverShare[i]! / 1000, 3)] },
        { label: `${l}: emulator wall ms (whole run)`, values: [round(wall[0]![i]!, 1), round(wall[1]![i]!, 1)] },
      ]);
      const shellSlow = slow[2]!;
      return {
        name: "throughput",
        claim: "Microkernels are slower — though L4Linux was shown to be only 2–4 % slower than monolithic Linux.",
        source: "the debate; the L4Linux measurement is Härtig et al., “The Performance of µ-Kernel-Based Systems”, SOSP 1997, which reports 5 % on the AIM benchmark",
        columns: ["monolithic", "microkernel"],
        figures,
        verdict: slow.every((s) => s > 1.05) ? "supported" : "depends",
        why: `Microkernel ÷ monolithic in modelled virtual time: ${labels.map((l, i) => `${l} ${round(slow[i]!)}×`).join(", ")}. Most of it is the servers' own ring-3 work (${labels.map((_, i) => `${round((serverShare[i]! / vt[3 + i]!) * 100, 0)} %`).join(", ")} of the microkernel's time) — work the monolithic shape does in TypeScript that the guest clock does not see, so the monolithic figure is a lower bound. Leaving that work out, what the messages and switches themselves cost is ${labels.map((l, i) => `${round((vt[3 + i]! - serverShare[i]!) / vt[i]!)}×`).join(", ")} the monolithic time — still far from L4Linux's 5 %, whose IPC took a few hundred cycles and whose benchmark spent most of its time in user code.`,
        replay: r.map((s) => s.command),
        chart: { title: "Slowdown, microkernel ÷ monolithic (modelled virtual time)", unit: "×", labels, series: [{ name: "microkernel ÷ monolithic", values: slow.map((s) => round(s)) }] },
      };
    },
  },
  {
    name: "batching",
    title: "Does batching pay?",
    async plan() {
      const b64 = await buildImage("batch64", "batch64");
      const b4k = await buildImage("batch4k", "batch4k");
      return MODES.flatMap((m) => [spec(`batching-64-${m}`, b64, m), spec(`batching-4k-${m}`, b4k, m)]);
    },
    async judge(r) {
      const us = r.map((s, i) => marked(s.events, pidOf(s.events, i % 2 === 0 ? "batch64" : "batch4k")).us);
      const perKib = us.map((u) => u / (BATCH_BYTES / 1024));
      const gain = [us[0]! / us[1]!, us[2]! / us[3]!];
      return {
        name: "batching",
        claim: "Batch the IPC calls: a microkernel must move data in large requests to amortise each message.",
        source: "the debate",
        columns: ["monolithic", "microkernel"],
        figures: [
          { label: "64 B reads: virtual µs per KiB", values: [round(perKib[0]!), round(perKib[2]!)] },
          { label: "4 KiB reads: virtual µs per KiB", values: [round(perKib[1]!), round(perKib[3]!)] },
          { label: "64 B ÷ 4 KiB", values: [round(gain[0]!), round(gain[1]!)] },
        ],
        verdict: gain[1]! > gain[0]! ? "supported" : "refuted",
        why: `Reading the same ${BATCH_BYTES / 1024} KiB with 64-byte instead of 4 KiB buffers costs ${round(gain[0]!)}× as much monolithic and ${round(gain[1]!)}× microkernel: every small read is a whole round trip through the file server there, so batching pays ${gain[1]! > gain[0]! ? "more" : "less"} in the microkernel.`,
        replay: r.map((s) => s.command),
        chart: { title: "Virtual µs per KiB read", unit: "µs/KiB", labels: ["64 B reads", "4 KiB reads"], series: [{ name: "monolithic", values: [round(perKib[0]!), round(perKib[1]!)] }, { name: "microkernel", values: [round(perKib[2]!), round(perKib[3]!)] }] },
      };
    },
  },
  {
    name: "driver-crash",
    title: "A driver crashes",
    async plan() {
      const img = await buildImage("torture", "torture");
      return MODES.map((m) => spec(`driver-crash-${m}`, img, m, { inject: ["disk:crash@60"] }));
    },
    async judge(r) {
      const out = r.map((s) => ({ ...acks(s.stdout), halt: String(s.events.at(-1)!.reason), restarts: s.events.filter((e) => e.kind === "restart").length }));
      return {
        name: "driver-crash",
        claim: "If a driver crashes in a microkernel, only that process goes down; a driver bug in a monolithic kernel takes the whole system down.",
        source: "the debate; MINIX 3's fault-injection study (3.4 M faults into 4 drivers, no OS crash)",
        columns: ["monolithic", "microkernel"],
        figures: [
          { label: "how the run ended", values: [out[0]!.halt, out[1]!.halt] },
          { label: "acknowledged writes (of 60)", values: [out[0]!.acked, out[1]!.acked] },
          { label: "failed writes", values: [out[0]!.failed, out[1]!.failed] },
          { label: "restarts", values: [out[0]!.restarts, out[1]!.restarts] },
        ],
        verdict: out[0]!.halt === "panic" && out[1]!.halt === "shutdown" ? "supported" : "depends",
        why: `The same crash at the disk's 60th request: monolithic, the driver is kernel code — ${out[0]!.halt === "panic" ? "kernel panic, the machine stops" : out[0]!.halt}; microkernel, the disk server dies, the reincarnation server restarts it (${out[1]!.restarts} restart), the file server repeats its request, and the workload finishes with ${out[1]!.acked} of 60 writes acknowledged.`,
        replay: r.map((s) => s.command),
        timeline: r.map((s, i) => ({ name: MODES[i]!, marks: timeline(s.events) })),
      };
    },
  },
  {
    name: "crash-mid-operation",
    title: "A crash while a write is in flight",
    async plan() {
      const img = await buildImage("torture", "torture");
      const bare = await buildImage("torture-no-rs", "torture", withoutRs);
      return [
        spec("mid-op-disk-rs", img, "microkernel", { inject: ["disk:crash@60"] }),
        spec("mid-op-disk-no-rs", bare, "microkernel", { inject: ["disk:crash@60"] }),
        spec("mid-op-fs-rs", img, "microkernel", { inject: ["fs:crash@30"] }),
        spec("mid-op-fs-no-rs", bare, "microkernel", { inject: ["fs:crash@30"] }),
      ];
    },
    async judge(r) {
      const out = r.map((s) => ({ ...acks(s.stdout), halt: String(s.events.at(-1)!.reason) }));
      return {
        name: "crash-mid-operation",
        claim: "If a driver crashes halfway through an operation, no restarting of the driver will restore the system.",
        source: "the debate; Swift et al., “Recovering Device Drivers” (shadow drivers), OSDI 2004, on restarted drivers losing their state",
        columns: ["disk, with restart", "disk, no restart", "fs, with restart", "fs, no restart"],
        figures: [
          { label: "acknowledged writes (of 60)", values: out.map((o) => o.acked) },
          { label: "failed writes", values: out.map((o) => o.failed) },
          { label: "how the run ended", values: out.map((o) => o.halt) },
        ],
        verdict: "depends",
        why: `It depends on the driver's state. The disk server is stateless and a sector write is idempotent: restarted, its in-flight request is repeated by the file server and nothing is lost (${out[0]!.acked} acknowledged, ${out[0]!.failed} failed; without a restart every later write fails: ${out[1]!.failed} failed). The file server holds no request state either: the kernel keeps the client's request and sends it again to the restarted server, which repairs its disk at mount first (${out[2]!.acked} acknowledged, ${out[2]!.failed} failed${out[2]!.failed > 0 ? " — a request that was not idempotent answered differently the second time" : ""}; without a restart ${out[3]!.failed} failed).`,
        replay: r.map((s) => s.command),
        timeline: r.map((s, i) => ({ name: ["disk, restart", "disk, none", "fs, restart", "fs, none"][i]!, marks: timeline(s.events) })),
      };
    },
  },
  {
    name: "critical-server",
    title: "The server whose failure stops everything",
    async plan() {
      const img = await buildImage("shell-rs", null);
      const bare = await buildImage("shell-no-rs", null, withoutRs);
      const input = "ls /home\nls /bin\ncat /home/readme.txt\necho still here\nexit\n";
      return [spec("critical-rs", img, "microkernel", { input, inject: ["fs:crash@12"] }), spec("critical-no-rs", bare, "microkernel", { input, inject: ["fs:crash@12"] })];
    },
    async judge(r) {
      const works = r.map((s) => ({ listed: s.stdout.includes("hello"), catted: s.stdout.includes("teaching microkernel"), errors: (s.stdout.match(/I\/O error|cannot|No such/g) ?? []).length }));
      return {
        name: "critical-server",
        claim: "There is almost always a server whose failure renders the system inoperable.",
        source: "the debate",
        columns: ["with restart", "without restart"],
        figures: [
          { label: "`ls /bin` after the file server died", values: works.map((w) => (w.listed ? "works" : "fails")) },
          { label: "`cat` after it died", values: works.map((w) => (w.catted ? "works" : "fails")) },
          { label: "error lines the user saw", values: works.map((w) => w.errors) },
        ],
        verdict: !works[1]!.catted && works[0]!.catted ? "depends" : works[1]!.catted ? "refuted" : "supported",
        why: "The file server is that server: without it the shell cannot even load a program, so every command fails. With the reincarnation server it is back within about a millisecond of virtual time and the session carries on — the claim holds for a microkernel without recovery and fails for one with it.",
        replay: r.map((s) => s.command),
      };
    },
  },
  {
    name: "tcb",
    title: "The trusted computing base",
    async plan() {
      return [];
    },
    async judge() {
      const t = await ringZeroCode();
      return {
        name: "tcb",
        claim: "Microkernels have a smaller trusted computing base.",
        source: "the debate",
        columns: ["monolithic", "microkernel"],
        figures: [
          { label: "ring-0 TypeScript: lines of code", values: [t.monolithic.lines, t.microkernel.lines] },
          { label: "ring-0 TypeScript: bytes (minified bundle)", values: [t.monolithic.bytes, t.microkernel.bytes] },
          { label: "ring-0 stub (x86): bytes", values: [t.stubBytes, t.stubBytes] },
          { label: "ring-3 servers (NASM): lines", values: [0, t.serverLines] },
        ],
        verdict: t.microkernel.bytes < t.monolithic.bytes ? "supported" : "refuted",
        why: `Counted from the build: ring 0 is the stub plus the TypeScript kernel; the monolithic shape adds the drivers and the file system (${t.monolithic.lines - t.microkernel.lines} more lines). But what a program must trust to keep its files is larger than ring 0: in the microkernel the servers (console, keyboard, disk and file system, with the skeleton they share: ${t.serverLines} lines of NASM) still hold them — the kernel only guarantees that a bug there cannot touch anything else.`,
        replay: ["npx ringside experiment run tcb"],
        chart: { title: "Ring-0 code (minified bytes)", unit: "bytes", labels: ["TypeScript kernel"], series: [{ name: "monolithic", values: [t.monolithic.bytes] }, { name: "microkernel", values: [t.microkernel.bytes] }] },
      };
    },
  },
  {
    name: "rings",
    title: "Which rings are used",
    async plan() {
      const img = await buildImage("shell", null);
      return MODES.map((m) => spec(`rings-${m}`, img, m, { input: SHELL_SESSION }));
    },
    async judge(r) {
      const rings = r.map((s) => ringsUsed(s.events));
      return {
        name: "rings",
        claim: "A monolithic kernel only uses rings 0 and 3 (and a microkernel could use the others for its servers).",
        source: "the debate",
        columns: ["monolithic", "microkernel"],
        figures: [{ label: "privilege levels seen in the trace", values: rings.map((x) => x.join(", ")) }],
        verdict: rings.every((x) => x.join() === "0,3") ? "supported" : "depends",
        why: "Every CPL in every entry and return of both traces: only 0 and 3. ringside's microkernel keeps drivers in ring 3 too — what protects the system from them is the I/O permission bitmap and separate address spaces, not rings 1 and 2 (which paging does not distinguish from ring 0).",
        replay: r.map((s) => s.command),
      };
    },
  },
];

/** Fault, restart, exit and halt events as timeline marks. */
function timeline(events: Ev[]): { us: number; what: string }[] {
  return events
    .filter((e) => e.kind === "fault" || e.kind === "restart" || e.kind === "halt" || (e.kind === "exit" && e.report))
    .map((e) => ({ us: e.vt, what: e.kind === "fault" ? `fault: ${e.target} ${e.fault}` : e.kind === "restart" ? `restart ${e.name}` : e.kind === "halt" ? `halt: ${e.reason}` : `exit: ${e.proc}` }));
}

void BIG_BYTES;
