// A deterministic generator of realistic schema-v1 traces (docs/trace.md): a few processes making
// syscalls, timer and disk IRQs arriving in ring 3 and in the idle loop, page faults (some fatal),
// a #GP from a forbidden `int`, exits, respawns and a final halt. Used by tests, the bench and the docs.
import { closeSync, createWriteStream, openSync, writeSync } from "node:fs";
import { ManualClock, TraceRecorder } from "../../kernel/trace/recorder.ts";
import { TRACE_VERSION, type TraceVersion } from "../../kernel/trace/format.ts";
import { IPC_OPS } from "../../kernel/trace/records.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { once } from "node:events";

export interface SynthOptions {
  /** Approximate number of events (the trace ends with exit + halt at or just past this). */
  events?: number;
  seed?: number;
  ipms?: number;
  mode?: "monolithic" | "microkernel";
  /** Also emit future kinds (ipc, switch) that a v1 reader must tolerate. */
  future?: boolean;
  /** Simulates one changed input byte: the first `read` at or after this seq returns one more byte. */
  perturbAt?: number;
}

interface Program {
  path: string;
  symbols: { name: string; addr: number }[];
  size: number;
}

const BASE = 0x00401000;

function program(path: string, names: string[]): Program {
  let addr = BASE;
  const symbols = names.map((name, i) => {
    const s = { name, addr };
    addr += 0x40 + ((i * 0x37) & 0xf0);
    return s;
  });
  return { path, symbols, size: addr - BASE + 0x40 };
}

const PROGRAMS: Program[] = [
  program("/bin/init", ["_start", "main", "spawn_shell", "wait_loop"]),
  program("/bin/sh", ["_start", "main", "read_line", "parse", "run_cmd", "print", "strlen"]),
  program("/bin/worker", ["_start", "main", "compute", "fault_here", "write_out", "sleep_ms"]),
];

const IDLE_EIP = 0xc0100a40;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Proc {
  pid: number;
  name: string;
  prog: Program;
  wakeAt: number; // icount at which a sleeping process becomes ready; 0 = ready
  alive: boolean;
}

/** Yields the trace's lines (without "\n"), header first. */
export function* synthLines(opts: SynthOptions = {}): Generator<string> {
  const target = opts.events ?? 200;
  const ipms = opts.ipms ?? 100000;
  const mode = opts.mode ?? "monolithic";
  const rand = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  let seq = 0;
  let icount = 0;
  let idleUs = 0;
  let perturbed = false;
  const vt = () => Math.round((icount * 1000) / ipms * 1000 + idleUs * 1000) / 1000;

  yield JSON.stringify({ trace: "ringside", version: 1, ipms, mode, tool: "ringside 0.1.0 (synth)" });

  const ev = (kind: string, p: Proc | null, extra: Record<string, unknown>): string =>
    JSON.stringify({ seq: seq++, icount, vt: vt(), kind, pid: p ? p.pid : null, proc: p ? p.name : null, ...extra });

  const procs: Proc[] = [];
  let nextPid = 1;
  const symAt = (p: Proc, min = 0): number => {
    const s = pick(p.prog.symbols.slice(min));
    return s.addr + 2 * between(1, 24);
  };
  function* spawn(parent: Proc | null, prog: Program, name: string): Generator<string, Proc> {
    const p: Proc = { pid: nextPid++, name, prog, wakeAt: 0, alive: true };
    procs.push(p);
    yield ev("spawn", p, { parent: parent ? parent.pid : null, argv: [prog.path] });
    yield ev("load", p, {
      path: prog.path,
      entry: prog.symbols[0].addr,
      segments: [
        { vaddr: BASE, memsz: prog.size, flags: "r-x" },
        { vaddr: 0x00800000, memsz: 0x2000, flags: "rw-" },
      ],
      symbols: prog.symbols,
    });
    return p;
  }

  // Boot: init, a shell and a worker; the kernel enters ring 3 for the first time.
  const init = yield* spawn(null, PROGRAMS[0], "init");
  yield* spawn(init, PROGRAMS[1], "sh");
  yield* spawn(init, PROGRAMS[2], "worker");
  let cur: Proc | null = init;
  icount += 5000;
  yield ev("return", cur, { cpl_from: 0, cpl_to: 3, eip: init.prog.symbols[0].addr });

  const ready = () => procs.filter((p) => p.alive && p.wakeAt <= icount && p.pid !== 1);
  const nextReady = (after: Proc | null): Proc | null => {
    const r = ready();
    if (r.length === 0) return null;
    const i = after ? r.findIndex((p) => p.pid > after.pid) : 0;
    return r[i < 0 ? 0 : i];
  };
  // Leaves the kernel: to `p` in ring 3, or to the idle loop.
  const leave = (p: Proc | null, eip: number, extra: Record<string, unknown> = {}): string =>
    p ? ev("return", p, { cpl_from: 0, cpl_to: 3, eip, ...extra }) : ev("return", null, { cpl_from: 0, cpl_to: 0, eip: IDLE_EIP, ...extra });
  const resumeEip = new Map<number, number>();
  const eipOf = (p: Proc) => resumeEip.get(p.pid) ?? symAt(p);

  while (seq < target - 4) {
    if (cur === null) {
      // Idle loop: halted until the next wake-up (virtual time skips), then an IRQ from ring 0.
      const wake = Math.min(...procs.filter((p) => p.alive && p.pid !== 1).map((p) => p.wakeAt));
      const skip = Number.isFinite(wake) ? Math.max(0, wake - icount) : 50000;
      idleUs += Math.round((skip * 1000) / ipms);
      icount += between(20, 60);
      for (const p of procs) if (p.wakeAt <= icount + skip) p.wakeAt = 0;
      const disk = rand() < 0.2;
      yield ev("irq", null, { cpl_from: 0, cpl_to: 0, eip: IDLE_EIP, irq: disk ? 14 : 0, name: disk ? "ata" : "timer" });
      icount += between(150, 400);
      if (disk) {
        yield leave(null, IDLE_EIP);
        continue;
      }
      cur = nextReady(null);
      yield leave(cur, cur ? eipOf(cur) : IDLE_EIP);
      continue;
    }
    const p: Proc = cur;
    icount += between(200, 6000); // ring 3 work
    const r = rand();
    if (r < 0.12) {
      // Timer IRQ in ring 3; round-robin preemption.
      const eip = symAt(p);
      yield ev("irq", p, { cpl_from: 3, cpl_to: 0, eip, irq: 0, name: "timer" });
      icount += between(150, 500);
      if (opts.future && rand() < 0.3) {
        const n = nextReady(p);
        if (n && n !== p) yield ev("switch", p, { from: p.pid, to: n.pid });
      }
      resumeEip.set(p.pid, eip);
      cur = nextReady(p) ?? p;
      yield leave(cur, eipOf(cur));
      continue;
    }
    if (r < 0.15) {
      // Page fault: demand-zero (resumed) or fatal (kill report, exit, switch).
      const fatal = p.prog.path === "/bin/worker" && rand() < 0.5;
      const f = p.prog.symbols.find((s) => s.name === "fault_here") ?? p.prog.symbols[1];
      const eip = fatal ? f.addr + 0x0c : symAt(p);
      const cr2 = fatal ? 0 : 0x00800000 + between(0, 0x1fff);
      const code = fatal ? 6 : 4 | (rand() < 0.5 ? 2 : 0);
      yield ev("exception", p, {
        cpl_from: 3, cpl_to: 0, eip, vector: 14, name: "#PF", error_code: code, cr2,
        insn: fatal ? "mov dword [eax], 0x1" : pick(["mov eax, [ebx+0x4]", "mov [esi], al", "push ebp"]),
      });
      icount += between(300, 1200);
      if (!fatal) {
        yield leave(p, eip);
        continue;
      }
      const report = `worker (pid ${p.pid}) killed: #PF writing 0x00000000 at ${"0x" + eip.toString(16).padStart(8, "0")} <fault_here+0xc>`;
      yield ev("exit", p, { status: null, vector: 14, report });
      p.alive = false;
      procs.splice(procs.indexOf(p), 1); // keep only live processes: generation stays O(1) per event
      if (procs.filter((q) => q.alive).length < 4) yield* spawn(init, PROGRAMS[2], "worker");
      cur = nextReady(null);
      yield leave(cur, cur ? eipOf(cur) : IDLE_EIP);
      continue;
    }
    if (r < 0.155 && p.prog.path === "/bin/sh") {
      // `int 0x30` from ring 3 on a vector closed to ring 3 arrives as #GP(0x30*8+2).
      const eip = symAt(p);
      yield ev("exception", p, { cpl_from: 3, cpl_to: 0, eip, vector: 13, name: "#GP", error_code: 0x30 * 8 + 2, insn: "int 0x30" });
      icount += between(300, 900);
      yield ev("exit", p, { status: null, vector: 13, report: `sh (pid ${p.pid}) killed: #GP(0x182) at 0x${eip.toString(16).padStart(8, "0")}` });
      p.alive = false;
      procs.splice(procs.indexOf(p), 1);
      yield* spawn(init, PROGRAMS[1], "sh");
      cur = nextReady(null);
      yield leave(cur, cur ? eipOf(cur) : IDLE_EIP);
      continue;
    }
    // A syscall.
    const eip = symAt(p) + 2;
    const call = pick(["write", "write", "read", "getpid", "brk", "sched_yield", "nanosleep", "close", "getppid", "kill", "waitpid", "open"]);
    const buf = 0x00800000 + 16 * between(0, 255);
    let nr = 0;
    let args = [0, 0, 0, 0, 0];
    let ret = 0;
    let block = false;
    switch (call) {
      case "write": {
        const n = between(1, 80);
        nr = 4; args = [1, buf, n, 0, 0]; ret = n;
        break;
      }
      case "read": {
        nr = 3; args = [0, buf, 128, 0, 0]; ret = between(0, 40);
        if (opts.perturbAt !== undefined && !perturbed && seq >= opts.perturbAt) {
          perturbed = true;
          ret += 1;
          icount += 7;
        }
        break;
      }
      case "getpid": nr = 20; ret = p.pid; break;
      case "getppid": nr = 64; ret = 1; break;
      case "brk": nr = 45; args = [0x00900000 + 0x1000 * between(0, 16), 0, 0, 0, 0]; ret = args[0]; break;
      case "sched_yield": nr = 158; ret = 0; block = true; break;
      case "nanosleep": nr = 162; args = [0x00801f00, 0, 0, 0, 0]; ret = 0; block = true; p.wakeAt = icount + between(20000, 400000); break;
      case "close": nr = 6; args = [between(3, 9), 0, 0, 0, 0]; ret = -9; break;
      case "kill": nr = 37; args = [between(50, 60), 9, 0, 0, 0]; ret = -3; break;
      case "waitpid": nr = 7; args = [0xffffffff, 0x00801f10, 1, 0, 0]; ret = -10; break;
      case "open": nr = 5; args = [0x00800100, 0, 0, 0, 0]; ret = -2; break;
    }
    yield ev("syscall", p, { cpl_from: 3, cpl_to: 0, eip, nr, name: call, args });
    icount += between(200, 900);
    if (opts.future && (call === "write" || call === "read") && mode === "microkernel") {
      yield ev("ipc", p, { op: "send", src: p.pid, dst: 1, bytes: 24 + (call === "write" ? args[2] : 0) });
      yield ev("ipc", init, { op: "reply", src: 1, dst: p.pid, bytes: 8 + (call === "read" ? ret : 0) });
    }
    resumeEip.set(p.pid, eip);
    if (block) {
      cur = nextReady(p);
      if (cur === p && call === "nanosleep") cur = null;
    }
    if (cur === null) {
      yield ev("return", null, { cpl_from: 0, cpl_to: 0, eip: IDLE_EIP, ret }); // ret to the sleeper, resumed from idle
      continue;
    }
    yield leave(cur, eipOf(cur), cur === p ? { ret } : {});
  }

  // Shutdown: a last timer tick hands the CPU to init, which exits; the machine halts.
  icount += 1000;
  yield ev("irq", cur, { cpl_from: cur ? 3 : 0, cpl_to: 0, eip: cur ? symAt(cur) : IDLE_EIP, irq: 0, name: "timer" });
  icount += 200;
  yield leave(init, init.prog.symbols[3].addr);
  icount += 500;
  const eip = init.prog.symbols[3].addr + 0x10;
  yield ev("syscall", init, { cpl_from: 3, cpl_to: 0, eip, nr: 1, name: "exit", args: [0, 0, 0, 0, 0] });
  icount += 300;
  yield ev("exit", init, { status: 0, vector: null, report: null });
  yield ev("halt", null, { reason: "exit", status: 0 });
}

/** Writes a synthetic trace to `path` in bounded memory; resolves to the number of lines written. */
export async function writeSynthTrace(path: string, opts: SynthOptions = {}): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  let buf = "";
  for (const line of synthLines(opts)) {
    buf += line + "\n";
    n++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "finish");
  return n;
}

/**
 * The same trace, recorded again by the kernel's TraceRecorder in schema `version` (2: the form
 * `ringside` writes by default) and written to `path`; returns the number of lines. With version 1
 * the file is byte for byte what writeSynthTrace writes.
 */
export function recordSynthTrace(path: string, opts: SynthOptions = {}, version: TraceVersion = TRACE_VERSION): number {
  const fd = openSync(path, "w");
  try {
    const clock = new ManualClock();
    let rec: TraceRecorder | undefined;
    const names = new Map<number, string | null>();
    let n = 0;
    for (const line of synthLines(opts)) {
      n++;
      const e = JSON.parse(line) as Record<string, any>;
      if (!rec) {
        rec = new TraceRecorder(() => {}, { ipms: e.ipms, mode: e.mode, tool: e.tool }, syscallName, { bytes: (b) => void writeSync(fd, b), version, clock });
        continue;
      }
      const { seq: _seq, icount, vt, kind, pid: p, proc, ...fields } = e;
      const pid: number = p ?? -1;
      if (p !== null && proc !== null && names.get(p) !== proc) {
        rec.nameProcess(p, proc);
        names.set(p, proc);
      }
      clock.at(icount, vt);
      const f = fields;
      if (kind === "syscall") rec.syscall(pid, f.cpl_from, f.eip, f.nr, f.args[0], f.args[1], f.args[2], f.args[3], f.args[4]);
      else if (kind === "return") rec.ret(pid, f.cpl_to, f.eip, f.ret);
      else if (kind === "irq") rec.irq(pid, f.cpl_from, f.eip, f.irq);
      else if (kind === "exception") rec.exception(pid, f.cpl_from, f.eip, f.vector, f.error_code, f.cr2 ?? 0, f.insn);
      else if (kind === "ipc") rec.ipc(pid, IPC_OPS.indexOf(f.op), f.src ?? -1, f.dst ?? -1, f.bytes);
      else rec.action(pid, kind, fields);
    }
    rec?.finish();
    return n;
  } finally {
    closeSync(fd);
  }
}
