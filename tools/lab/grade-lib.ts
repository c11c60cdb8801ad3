// The grading library every lab's grader uses (labs/<lab>/grader.ts; docs/labs.md "The grader API").
//
// A test runs programs exactly as `ringside run` does (or boots an image with scripted input, as
// `ringside boot --input` does), with a budget in guest instructions — never wall seconds — and
// asserts on what the machine did: the trace recorded at the trap boundary (below the code a student
// edits), the console output, exit statuses and the image's files after the run. A failed assertion
// says what was expected and what happened, shows the trace events around the first mismatch in
// `trace show` form, and prints one command that replays exactly that run and writes its trace.
import path from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { KERNEL_VERSION, loadImage, type Kernel, type KernelMode, type ProgramSpec, type RunResult } from "../../kernel/kernel.ts";
import { loadBootImage, type BootImage } from "../../boot/loader.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { createKernel } from "../build/kernel.ts";
import { TextFormatter } from "../trace/format-text.ts";
import type { TraceEvent } from "../trace/schema.ts";
import { readTraceText } from "../trace/reader.ts";
import { ROOT } from "../paths.ts";
import type { SchedPolicy } from "../../kernel/sched/policy.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import type { FaultSpec } from "../../kernel/faults.ts";
import { splitLines } from "../build/input.ts";

// ---- what a lab is -----------------------------------------------------------------------------

/** One graded test. */
export interface LabTest {
  /** Short id (`--test <name>`), e.g. "uptime". */
  name: string;
  /** One line: what the test checks. */
  title: string;
  points: number;
  /** False for a test that passes without the solution too (default true: it must fail in the handout). */
  needsSolution?: boolean;
  run(t: TestContext): Promise<void>;
}

/** A lab: its handout is labs/<name>/README.md, its solution the code between `LAB <name>` markers. */
export interface LabDef {
  name: string;
  title: string;
  /** The files a student edits (repository paths). Every file with this lab's markers must be here. */
  edits: string[];
  /** Typical grading time on a laptop, in seconds (shown by `lab list`). */
  typicalSeconds: number;
  /** Project tests (file › test title) that need this lab's solution: skipped in a handout. */
  projectTests?: string[];
  tests: LabTest[];
}

export interface Lab extends LabDef {
  readonly points: number;
}

/** Declares a lab (the default export of labs/<lab>/grader.ts). */
export function defineLab(def: LabDef): Lab {
  const names = new Set<string>();
  for (const t of def.tests) {
    if (names.has(t.name)) throw new Error(`lab ${def.name}: two tests are named ${t.name}`);
    names.add(t.name);
  }
  return { ...def, points: def.tests.reduce((s, t) => s + t.points, 0) };
}

// ---- failures --------------------------------------------------------------------------------------

/** A failed assertion: the message a student reads. */
export class LabFailure extends Error {}

// ---- runs ------------------------------------------------------------------------------------------

/** A run as `ringside run` makes it. Paths are relative to the repository root. */
export interface RunSpec {
  programs: string[];
  /** Arguments after `--` (every program gets them). */
  args?: string[];
  /** More programs `spawn` can start by name (`--module`). */
  modules?: string[];
  mode?: KernelMode;
  /** Text typed into the console, one line each time the guest waits (`--input` of boot). */
  input?: string;
  /** Guest instructions the run may take (`--max-instructions`). */
  budget: number;
  /**
   * The scheduling policy, made from the virtual clock (ms) when the kernel is created (default: the
   * system's, priority-rr). `policyName` names it in the replay line.
   */
  policy?: (now: () => number) => SchedPolicy;
  policyName?: string;
  /**
   * A manifest fragment (a repository path: `server` lines, docs/microkernel.md) whose servers are
   * added after the built-in image's; each one's program is the module of the same name (`modules`).
   */
  manifest?: string;
  /** Faults to inject (`--inject`, kernel/faults.ts) and the seed of their randomness (`--seed`, default 1). */
  faults?: FaultSpec[];
  seed?: number;
}

/** A boot of the built-in image into the shell with scripted input, as `ringside boot --input`. */
export interface BootSpec {
  input: string;
  mode?: KernelMode;
  budget: number;
  /** Faults to inject (`--inject`) and their seed (`--seed`, default 1). */
  faults?: FaultSpec[];
  seed?: number;
}

/** What an event must look like: any of its keys (compared exactly), plus an optional predicate. */
export type EventFilter = Partial<Pick<TraceEvent, "kind" | "pid" | "proc" | "name" | "nr" | "vector" | "op" | "src" | "dst" | "outcome" | "cpl_from" | "cpl_to" | "reason">> & {
  where?: (e: TraceEvent) => boolean;
};

/** A system call's entry and its return (undefined if the run ended inside the call). */
export interface SyscallPair {
  entry: TraceEvent;
  ret: TraceEvent | undefined;
  /** The value the call returned (signed), or undefined. */
  value: number | undefined;
}

/** The test's view of the world: runs, boots, and the lab's files. */
export class TestContext {
  constructor(
    readonly lab: string,
    readonly test: string,
  ) {}

  /** The repository path of a file of this lab: `labs/<lab>/<rel>`. */
  labFile(rel: string): string {
    return `labs/${this.lab}/${rel}`;
  }

  /** Runs programs as `ringside run` does and returns what happened (never throws for a bad exit). */
  async run(spec: RunSpec): Promise<Run> {
    try {
      const programs: ProgramSpec[] = [];
      for (const f of spec.programs) programs.push(await programFile(f, spec.args ?? []));
      const modules: ProgramSpec[] = [];
      for (const f of spec.modules ?? []) modules.push(await programFile(f, []));
      const disk = await builtInImage();
      if (spec.manifest) {
        const extra = parseManifest(`${readFileSync(path.join(ROOT, spec.manifest), "utf8")}\ninit init /boot/init\nshell sh /bin/sh\n`, spec.manifest);
        disk.manifest = { ...disk.manifest, servers: [...disk.manifest.servers, ...extra.servers] };
      }
      const mode = spec.mode ?? "monolithic";
      return await execute(this, spec, replayRun(spec, this.test), {
        programs,
        modules: [...modules, ...disk.modules],
        manifest: disk.manifest,
        hda: disk.hda,
        mode,
        startServices: true,
      });
    } catch (e) {
      if (e instanceof LabFailure) throw e;
      throw new LabFailure(`could not start the run: ${(e as Error).message}\n  replay: ${replayRun(spec, this.test)}`);
    }
  }

  /** Boots the built-in image into the shell, types `input`, and returns what happened. */
  async boot(spec: BootSpec): Promise<Run> {
    const disk = await builtInImage();
    const run: RunSpec = { programs: [], budget: spec.budget, input: spec.input, mode: spec.mode ?? "microkernel", faults: spec.faults, seed: spec.seed };
    return execute(this, run, replayBoot(spec, this.test), {
      programs: disk.programs,
      modules: disk.modules,
      manifest: disk.manifest,
      hda: disk.hda,
      mode: run.mode!,
      startServices: false,
    });
  }
}

/** A program as `ringside run <file>` loads it: `.asm` assembled (servers/lib on the include path), else read. */
async function programFile(file: string, args: string[]): Promise<ProgramSpec> {
  const full = path.join(ROOT, file);
  const name = path.basename(file).replace(/\.(asm|elf|bin|s)$/i, "");
  let image: Uint8Array = new Uint8Array(readFileSync(full));
  if (/\.(asm|s)$/i.test(file)) image = await assembleProgram(full, new TextDecoder().decode(image));
  loadImage(image); // throws with the reason if it is not a program
  return { name, image, argv: [name, ...args] };
}

/** The built-in image (build/ringside.img, built on demand) as the kernel boots it, on a private copy of the disk. */
async function builtInImage(): Promise<BootImage> {
  const file = await ensureDefaultImage();
  const raw = readFileSync(file);
  const disk = new Uint8Array(raw.length); // its own buffer: the emulated disk writes into it
  disk.set(raw);
  return loadBootImage(disk, file);
}

interface MachineSetup {
  programs: ProgramSpec[];
  modules: ProgramSpec[];
  manifest: import("../../kernel/manifest.ts").Manifest;
  hda: Uint8Array;
  mode: KernelMode;
  startServices: boolean;
}

/** A trace recorder that also samples the kernel's free frames at every system-call entry. */
class SamplingRecorder extends TraceRecorder {
  kernel: Kernel | undefined;
  readonly freeAtSeq = new Map<number, number>();
  override syscall(pid: number, cplFrom: number, eip: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number): void {
    if (this.kernel) this.freeAtSeq.set(this.events, this.kernel.freeFrames);
    super.syscall(pid, cplFrom, eip, nr, a0, a1, a2, a3, a4);
  }
}

async function execute(t: TestContext, spec: RunSpec, replay: string, setup: MachineSetup): Promise<Run> {
  let jsonl = "";
  const trace = new SamplingRecorder((s) => (jsonl += s), { ipms: 100_000, mode: setup.mode, tool: KERNEL_VERSION }, syscallName);
  const out: number[] = [];
  const reports: string[] = [];
  let eofSent = false;
  let clock: (() => number) | undefined;
  const policy = spec.policy?.(() => (clock ? clock() : 0));
  const scripted = spec.input !== undefined || !setup.startServices;
  const kernel: Kernel = await createKernel({
    programs: setup.programs,
    modules: setup.modules,
    mode: setup.mode,
    manifest: setup.manifest,
    hda: setup.hda,
    startServices: setup.startServices,
    faults: spec.faults ?? [],
    seed: spec.seed ?? 1,
    trace,
    ...(policy ? { policy } : {}),
    maxInstructions: spec.budget,
    onIdle: scripted
      ? () => {
          if (eofSent) return false;
          eofSent = true;
          kernel.machine.queueSerialInput(Uint8Array.of(4));
          return true;
        }
      : undefined,
    onConsole: (b) => void out.push(b),
    onReport: (line) => void reports.push(line),
  });
  trace.kernel = kernel;
  clock = () => kernel.machine.nowMs();
  if (spec.input !== undefined) for (const line of splitLines(new TextEncoder().encode(spec.input))) kernel.machine.queueSerialInput(line);
  let result: RunResult;
  try {
    result = await kernel.run();
  } finally {
    kernel.destroy();
    trace.finish();
  }
  if (!replayable(spec)) {
    const f = path.join(ROOT, graderTrace(t.test));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, jsonl);
  }
  const events = readTraceText(jsonl).events;
  const run = new Run(t, spec, replay, result, new TextDecoder().decode(Uint8Array.from(out)), reports, events, trace.freeAtSeq, setup.hda);
  if (result.reason === "max-instructions") {
    const last = [...events].reverse().find((e) => e.pid !== null);
    const who = last ? `${last.proc}-${last.pid}` : "no process (the idle loop)";
    throw run.failure(`the run used up its budget of ${spec.budget.toLocaleString("en-US")} guest instructions`, {
      expected: "the run to end within its budget",
      actual: `still running after ${result.icount.toLocaleString("en-US")} instructions; ${who} was running`,
      at: events.length - 1,
      last: true,
    });
  }
  if (result.reason === "panic" || result.reason === "dead" || result.reason === "hang" || result.reason === "deadlock") {
    throw run.failure(`the kernel stopped with ${result.reason}: ${result.panic ?? ""}`, { at: events.length - 1, last: true });
  }
  return run;
}

/** A shell word: as is when safe, else single-quoted ($'…' when it holds control characters). */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_./:=,+@%-]+$/.test(s)) return s;
  if (/[\x00-\x1f']/.test(s)) return "$'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/[\x00-\x1f]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")) + "'";
  return `'${s}'`;
}

/** A fault as `--inject` spells it: disk:crash@17, fs:hang@10ms. */
function faultWord(f: FaultSpec): string {
  const w = f.when as { request?: number; us?: number } | undefined;
  return `${f.target}:${f.fault}${w?.request !== undefined ? `@${w.request}` : w?.us !== undefined ? `@${w.us}us` : ""}`;
}

/**
 * Where the grader writes the trace of a run no CLI command can replay: one with a lab's policy (no
 * option selects one) or with a lab's manifest lines added to the image's (no option adds them).
 */
export function graderTrace(test: string): string {
  return `build/lab-trace/${test}.jsonl`;
}

/** True if `ringside run` can replay the run exactly (else the grader writes its trace: graderTrace). */
function replayable(spec: RunSpec): boolean {
  return !spec.policy && !spec.manifest;
}

function replayRun(spec: RunSpec, test: string): string {
  const w = ["npx", "ringside", "run", ...spec.programs.map(shellWord)];
  for (const m of spec.modules ?? []) w.push("--module", shellWord(m));
  if (spec.mode && spec.mode !== "monolithic") w.push("--mode", spec.mode);
  for (const f of spec.faults ?? []) w.push("--inject", faultWord(f));
  if (spec.faults?.length && spec.seed !== undefined) w.push("--seed", String(spec.seed));
  w.push("--max-instructions", String(spec.budget), "--trace", `${test}.jsonl`);
  if (spec.args?.length) w.push("--", ...spec.args.map(shellWord));
  if (spec.policy) return `npx ringside trace show ${graderTrace(test)}  (this run's trace, written by the grader: the run uses the ${spec.policyName ?? "lab's"} scheduling policy, which \`ringside run\` does not select; the same programs under the system's policy: ${w.join(" ")})`;
  if (spec.manifest) return `npx ringside trace show ${graderTrace(test)}  (this run's trace, written by the grader: it adds the servers of ${spec.manifest} to the image's manifest, which \`ringside run\` cannot; to boot them yourself, see the lab's handout)`;
  return w.join(" ");
}

function replayBoot(spec: BootSpec, test: string): string {
  const w = ["npx", "ringside", "boot"];
  if (spec.mode && spec.mode !== "microkernel") w.push("--mode", spec.mode);
  for (const f of spec.faults ?? []) w.push("--inject", faultWord(f));
  if (spec.faults?.length && spec.seed !== undefined) w.push("--seed", String(spec.seed));
  w.push("--input", shellWord(spec.input), "--max-instructions", String(spec.budget), "--trace", `${test}.jsonl`);
  return w.join(" ");
}

// ---- a finished run and its assertions -------------------------------------------------------------

function describeFilter(f: EventFilter): string {
  const parts = Object.entries(f)
    .filter(([k]) => k !== "where")
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (f.where) parts.push("where …");
  return `an event with ${parts.join(" ") || "any fields"}`;
}

function matches(e: TraceEvent, f: EventFilter): boolean {
  for (const [k, v] of Object.entries(f)) {
    if (k === "where") continue;
    if (e[k] !== v) return false;
  }
  return f.where ? f.where(e) : true;
}

/** Signed 32-bit: how a trace shows a register as a signed value. */
const signed = (x: number) => x | 0;

export class Run {
  constructor(
    private readonly t: TestContext,
    readonly spec: RunSpec,
    /** One command that replays exactly this run and writes its trace. */
    readonly replay: string,
    readonly result: RunResult,
    /** Everything the programs wrote to the console. */
    readonly stdout: string,
    /** The kernel's kill reports (what `ringside run` prints on stderr). */
    readonly reports: string[],
    /** The trace, without its header; events[i].seq === i. */
    readonly events: TraceEvent[],
    private readonly freeAtSeq: Map<number, number>,
    private readonly hda: Uint8Array,
  ) {}

  /** The exit status `ringside run` would give (the first program's). */
  get status(): number {
    return this.result.status;
  }

  /** Every event matching `f`, in order. */
  all(f: EventFilter): TraceEvent[] {
    return this.events.filter((e) => matches(e, f));
  }

  /** The first event matching `f` at or after `from` (a seq), or undefined. */
  find(f: EventFilter, from = 0): TraceEvent | undefined {
    for (let i = Math.max(0, from); i < this.events.length; i++) if (matches(this.events[i]!, f)) return this.events[i];
    return undefined;
  }

  /** The calls named `name` (by process name `proc`, if given), each with its return. */
  syscalls(name: string, proc?: string): SyscallPair[] {
    const out: SyscallPair[] = [];
    for (const entry of this.events) {
      if (entry.kind !== "syscall" || entry.name !== name || (proc !== undefined && entry.proc !== proc)) continue;
      const ret = this.find({ kind: "return", pid: entry.pid, where: (e) => e.seq > entry.seq }, entry.seq + 1);
      out.push({ entry, ret, value: ret?.ret });
    }
    return out;
  }

  /** Free physical frames when the system call at `entry` entered the kernel. */
  freeFramesAt(entry: TraceEvent): number {
    const n = this.freeAtSeq.get(entry.seq);
    if (n === undefined) throw new Error(`freeFramesAt: event ${entry.seq} is not a system-call entry`);
    return n;
  }

  /** The run's disk image after the run (its own copy of the built-in image). */
  get image(): Uint8Array {
    return this.hda;
  }

  /** The contents of `file` on the run's disk image after the run (undefined if it does not exist). */
  file(file: string): string | undefined {
    try {
      return new TextDecoder().decode(Rsfs.open(this.hda).readFile(file));
    } catch {
      return undefined;
    }
  }

  // ---- assertions: each throws a LabFailure with the trace around the mismatch and the replay

  /** The run's status (the first program's exit code, 128 + vector if an exception killed it). */
  expectStatus(status: number, why = "the exit status"): this {
    if (this.status !== status) {
      const exit = this.find({ kind: "exit", pid: this.events.find((e) => e.kind === "spawn" && !e.in_kernel)?.pid ?? 1 });
      throw this.failure(why, { expected: `status ${status}`, actual: `status ${this.status}${this.reports.length ? ` (${this.reports.join("; ")})` : ""}`, at: exit?.seq ?? this.events.length - 1 });
    }
    return this;
  }

  /** The console output contains `text` (or matches the pattern). */
  expectOutput(pattern: string | RegExp, why = "the console output"): this {
    const ok = typeof pattern === "string" ? this.stdout.includes(pattern) : pattern.test(this.stdout);
    if (!ok) throw this.failure(why, { expected: `output ${typeof pattern === "string" ? "containing " + JSON.stringify(pattern) : "matching " + String(pattern)}`, actual: `output ${JSON.stringify(this.stdout.length > 600 ? this.stdout.slice(0, 600) + "…" : this.stdout)}` });
    return this;
  }

  /** At least one event matches; returns the first. */
  expectEvent(f: EventFilter, why = "an event"): TraceEvent {
    const e = this.find(f);
    if (!e) throw this.failure(why, { expected: describeFilter(f), actual: "no such event in the trace", at: this.events.length - 1, last: true });
    return e;
  }

  /** No event matches. */
  expectNoEvent(f: EventFilter, why = "no such event"): this {
    const e = this.find(f);
    if (e) throw this.failure(why, { expected: `no ${describeFilter(f).slice(3)}`, actual: `event ${e.seq}`, at: e.seq });
    return this;
  }

  /** The number of events matching `f` is `n` (or within [min, max]). */
  expectCount(f: EventFilter, n: number | { min?: number; max?: number }, why = "how many events"): TraceEvent[] {
    const got = this.all(f);
    const min = typeof n === "number" ? n : (n.min ?? 0);
    const max = typeof n === "number" ? n : (n.max ?? Infinity);
    if (got.length < min || got.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min}…${max}`;
      const at = got.length > max ? got[max]!.seq : (got[got.length - 1]?.seq ?? this.events.length - 1);
      throw this.failure(why, { expected: `${want} × ${describeFilter(f).slice(3)}`, actual: `${got.length}`, at });
    }
    return got;
  }

  /** Events matching the filters occur in this order (others may come between). Returns them. */
  expectInOrder(filters: EventFilter[], why = "events in order"): TraceEvent[] {
    const found: TraceEvent[] = [];
    let from = 0;
    for (const f of filters) {
      const e = this.find(f, from);
      if (!e) {
        const prev = found[found.length - 1];
        throw this.failure(why, {
          expected: `${describeFilter(f)}${prev ? ` after event ${prev.seq}` : ""}`,
          actual: prev ? `none after event ${prev.seq}` : "none in the trace",
          at: prev ? prev.seq : 0,
        });
      }
      found.push(e);
      from = e.seq + 1;
    }
    return found;
  }

  /**
   * The `nth` (0-based, default 0) call `name` by process `proc`: its entry arguments (undefined =
   * any) and its return value (a number, or a predicate on the signed value).
   */
  expectSyscall(name: string, opts: { proc?: string; nth?: number; args?: (number | undefined)[]; ret?: number | ((v: number) => boolean); retText?: string } = {}, why = `the call ${name}`): SyscallPair {
    const calls = this.syscalls(name, opts.proc);
    const nth = opts.nth ?? 0;
    const c = calls[nth];
    if (!c) throw this.failure(why, { expected: `${nth + 1} call(s) of ${name}${opts.proc ? ` by ${opts.proc}` : ""}`, actual: `${calls.length}`, at: this.events.length - 1, last: true });
    if (opts.args) {
      opts.args.forEach((want, i) => {
        if (want !== undefined && (c.entry.args?.[i] ?? 0) >>> 0 !== want >>> 0) {
          throw this.failure(`${why}: argument ${i + 1}`, { expected: `0x${(want >>> 0).toString(16)}`, actual: `0x${((c.entry.args?.[i] ?? 0) >>> 0).toString(16)}`, at: c.entry.seq });
        }
      });
    }
    if (opts.ret !== undefined) {
      if (c.value === undefined) throw this.failure(`${why}: return value`, { expected: `${name} to return`, actual: "no return (the run ended inside the call)", at: c.entry.seq });
      const v = signed(c.value);
      const ok = typeof opts.ret === "number" ? v === signed(opts.ret) : opts.ret(v);
      if (!ok) throw this.failure(`${why}: return value`, { expected: typeof opts.ret === "number" ? `${name} = ${signed(opts.ret)}${errnoName(opts.ret)}` : (opts.retText ?? "a different value"), actual: `${name} = ${v}${errnoName(v)}`, at: c.ret!.seq });
    }
    return c;
  }

  /** Page faults (the `pagefault` events explaining #PF) by `proc`, optionally of one outcome; count checked if given. */
  expectPagefaults(opts: { proc?: string; outcome?: "mapped" | "killed" | "out-of-memory"; count?: number | { min?: number; max?: number }; where?: (e: TraceEvent) => boolean }, why = "page faults"): TraceEvent[] {
    const f: EventFilter = { kind: "pagefault" };
    if (opts.proc !== undefined) f.proc = opts.proc;
    if (opts.outcome !== undefined) f.outcome = opts.outcome;
    if (opts.where) f.where = opts.where;
    return this.expectCount(f, opts.count ?? { min: 1 }, why);
  }

  /** Ring transitions of `proc`: kernel entries from ring 3 and returns to ring 3, counted. */
  ringTransitions(proc: string): { up: number; down: number } {
    let up = 0;
    let down = 0;
    for (const e of this.events) {
      if (e.proc !== proc) continue;
      if ((e.kind === "syscall" || e.kind === "exception" || e.kind === "irq") && e.cpl_from === 3) up++;
      if (e.kind === "return" && e.cpl_to === 3) down++;
    }
    return { up, down };
  }

  /** An IPC step from `src` to `dst` (pids; null = the kernel). */
  expectIpc(opts: { op?: string; src?: number | null; dst?: number | null }, why = "an IPC message"): TraceEvent {
    return this.expectEvent({ kind: "ipc", ...opts }, why);
  }

  /** Process `proc` was killed by exception `vector`; returns its exit event. */
  expectKilled(proc: string, vector: number, why = `${proc} killed`): TraceEvent {
    const exit = this.find({ kind: "exit", proc });
    if (!exit || exit.vector !== vector) {
      throw this.failure(why, { expected: `${proc} killed by vector ${vector}`, actual: exit ? (exit.vector !== null ? `killed by vector ${exit.vector}` : exit.signal !== null ? `killed by signal ${exit.signal}` : `exit ${exit.status}`) : `${proc} did not end`, at: exit?.seq ?? this.events.length - 1, last: !exit });
    }
    return exit;
  }

  /** A failure of any other check, with the trace around event `at`. */
  fail(why: string, opts: { expected?: string; actual?: string; at?: number } = {}): never {
    throw this.failure(why, opts);
  }

  /** Builds the failure message: what was expected, what happened, ±10 events around `at`, the replay. */
  failure(why: string, opts: { expected?: string; actual?: string; at?: number; last?: boolean }): LabFailure {
    const lines: string[] = [why];
    if (opts.expected !== undefined) lines.push(`  expected: ${opts.expected}`);
    if (opts.actual !== undefined) lines.push(`  got:      ${opts.actual}`);
    if (this.events.length) {
      const at = Math.max(0, Math.min(opts.at ?? this.events.length - 1, this.events.length - 1));
      const from = Math.max(0, at - 10);
      const to = Math.min(this.events.length - 1, opts.last ? at : at + 10);
      const fmt = new TextFormatter({ color: false });
      for (let i = 0; i < from; i++) fmt.observe(this.events[i]!);
      lines.push(opts.last ? `  trace, the last events (${from}…${to}):` : `  trace, events ${from}…${to} (the mismatch at ${at} is marked >):`);
      for (let i = from; i <= to; i++) lines.push(`  ${i === at ? ">" : " "}${fmt.format(this.events[i]!)}`);
    }
    lines.push(`  replay: ${this.replay}`);
    const from = this.events.length ? ` --from ${Math.max(0, (opts.at ?? this.events.length - 1) - 10)}` : "";
    if (replayable(this.spec)) lines.push(`  then:   npx ringside trace show ${this.t.test}.jsonl${from}`);
    else if (!this.spec.policy) lines.push(`  then:   npx ringside trace show ${graderTrace(this.t.test)}${from}`);
    return new LabFailure(lines.join("\n"));
  }
}

const ERRNO_NAMES: Record<number, string> = { 1: "EPERM", 2: "ENOENT", 3: "ESRCH", 9: "EBADF", 12: "ENOMEM", 14: "EFAULT", 22: "EINVAL", 38: "ENOSYS" };
function errnoName(v: number): string {
  const n = signed(v);
  return n < 0 && ERRNO_NAMES[-n] ? ` (-${ERRNO_NAMES[-n]})` : "";
}

// ---- running a lab's tests -------------------------------------------------------------------------

/** One test's result, as every report format carries it. */
export interface TestResult {
  name: string;
  title: string;
  points: number;
  max: number;
  passed: boolean;
  needsSolution: boolean;
  seconds: number;
  output: string;
}

/** Runs the tests (all, or those named), calling `progress` before and after each. */
export async function runTests(lab: Lab, only: string[] | undefined, progress: (phase: "start" | "end", i: number, n: number, t: LabTest, r?: TestResult) => void): Promise<TestResult[]> {
  const tests = only?.length ? lab.tests.filter((t) => only.includes(t.name)) : lab.tests;
  const results: TestResult[] = [];
  for (let i = 0; i < tests.length; i++) {
    const test = tests[i]!;
    progress("start", i, tests.length, test);
    const t0 = performance.now();
    let passed = false;
    let output = "";
    try {
      await test.run(new TestContext(lab.name, test.name));
      passed = true;
    } catch (e) {
      output = e instanceof LabFailure ? e.message : `the grader failed: ${(e as Error)?.stack ?? String(e)}`;
    }
    const r: TestResult = { name: test.name, title: test.title, points: passed ? test.points : 0, max: test.points, passed, needsSolution: test.needsSolution !== false, seconds: (performance.now() - t0) / 1000, output };
    results.push(r);
    progress("end", i, tests.length, test, r);
  }
  return results;
}
