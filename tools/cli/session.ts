// Runs a kernel session for the CLI: wires console output, the trace file (JSONL or text), kill
// reports and the per-process summary, and maps the outcome to an exit status.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { KERNEL_VERSION, type Kernel, type KernelMode, type ProgramSpec, type RunResult } from "../../kernel/kernel.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import { createKernel } from "../build/kernel.ts";
import { EXIT, UserError } from "./errors.ts";
import { escapeControl, isStdoutClosed, onStdoutClosed } from "./io.ts";
import { errnoText } from "../host-files.ts";
import type { Manifest } from "../../kernel/manifest.ts";
import { faultText, type FaultSpec } from "../../kernel/faults.ts";
import type { CostModel } from "../../kernel/cost-model.ts";
import { splitLines } from "../build/input.ts";

export interface SessionOptions {
  programs: ProgramSpec[];
  modules?: ProgramSpec[];
  trace?: string;
  traceFormat?: string;
  /** The trace schema version to write (default: the recorder's, 2). */
  traceVersion?: 1 | 2;
  maxInstructions?: number;
  /** Print `[pid N name] exit S` lines to stderr. */
  summary?: boolean;
  /** Where services run (default: microkernel with a manifest, else monolithic). */
  mode?: KernelMode;
  /** The boot manifest and the disk (see boot/loader.ts). */
  manifest?: Manifest;
  hda?: Uint8Array;
  /** The kernel starts the services itself (no init): `ringside run`. */
  startServices?: boolean;
  /** Text typed into the console, one line each time the guest waits for input; then end of input (Ctrl-D). */
  input?: Uint8Array;
  /** Text typed on the PS/2 keyboard instead of the serial console (same pacing as `input`). */
  keys?: string;
  /** Interactive terminal: raw-mode stdin is typed into the console; Ctrl-] powers off. */
  interactive?: boolean;
  /** Faults to inject (`--inject`), and the seed of their randomness (`--seed`). */
  faults?: FaultSpec[];
  seed?: number;
  /** Charge kernel work to virtual time (`--cost-model`). */
  costModel?: CostModel;
  /** Show the machine state (and stop in an attached debugger) as trace event <seq> is recorded. */
  breakAt?: number;
}

/** Console bytes held before they are written to stdout (a line ends a batch sooner). */
const CONSOLE_BUFFER = 4096;

/** Writes all of `bytes` to the trace file `fd` (writeSync may take fewer than asked); a failure (a full disk) is a UserError naming `file`. */
function writeAll(file: string, fd: number, bytes: Uint8Array): void {
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    throw new UserError(`cannot write trace file ${file}: ${errnoText(e)}`);
  }
}

/** The key that powers the machine off in an interactive session (Ctrl-]). */
export const ESCAPE_KEY = 0x1d;
const EOF_KEY = 0x04;

/** Boots a machine with the programs, runs it to the end, and returns the process exit status. */
export async function runSession(opts: SessionOptions): Promise<number> {
  const format = opts.traceFormat ?? "jsonl";
  if (format !== "jsonl" && format !== "text") throw new UserError(`--trace-format must be jsonl or text, not "${format}"`);
  let fd: number | undefined;
  let trace: TraceRecorder | undefined;
  const header = { ipms: 100_000, mode: opts.mode ?? (opts.manifest ? "microkernel" : "monolithic"), tool: KERNEL_VERSION } as const;
  // The recorder's options: --trace-version; --break-at: show the machine's state as event <seq> is
  // recorded, and stop in an attached debugger.
  let kernelRef: Kernel | undefined;
  const breakOpts =
    opts.breakAt === undefined
      ? { version: opts.traceVersion }
      : {
          version: opts.traceVersion,
          breakAt: opts.breakAt,
          onBreak: (seq: number, pid: number) => {
            process.stderr.write(`ringside: break at trace event ${seq}\n${kernelRef?.describeState(pid) ?? ""}\n`);
            // eslint-disable-next-line no-debugger
            debugger; // with --inspect, the debugger stops here: step on into the kernel's handling of this event
          },
        };
  if (opts.trace) {
    try {
      fd = openSync(opts.trace, "w");
    } catch (e) {
      throw new UserError(`cannot write trace file ${opts.trace}: ${errnoText(e)}`);
    }
    const out = fd;
    // JSONL goes to the file as the recorder's UTF-8 bytes (no decode, no string per piece).
    const file = opts.trace;
    if (format === "jsonl") trace = new TraceRecorder(() => {}, header, syscallName, { ...breakOpts, bytes: (b) => writeAll(file, out, b) });
    else trace = new TraceRecorder(await textSink(file, out), header, syscallName, breakOpts);
  } else if (opts.breakAt !== undefined) trace = new TraceRecorder(() => {}, header, syscallName, breakOpts); // events counted, nothing written
  const stdout = process.stdout;
  // Console bytes collect in one preallocated buffer (room for a CR before each LF): nothing is
  // allocated per byte; a flush hands stdout one copy of what is pending.
  const pending = new Uint8Array(CONSOLE_BUFFER + 1);
  let pendingLength = 0;
  let eofSent = false;
  let lastByte = 10; // the console's last byte: an interactive session ends on a fresh line
  const scripted = opts.input !== undefined || opts.keys !== undefined || (opts.manifest !== undefined && !opts.startServices && !opts.interactive);
  const keyboard = opts.keys !== undefined ? await import("../../emulator/keyboard-layout.ts") : undefined;
  const kernel: Kernel = await createKernel({
    programs: opts.programs,
    modules: opts.modules,
    mode: opts.mode,
    manifest: opts.manifest,
    hda: opts.hda,
    startServices: opts.startServices,
    faults: opts.faults,
    seed: opts.seed,
    costModel: opts.costModel,
    trace,
    maxInstructions: opts.maxInstructions,
    onIdle: scripted
      ? () => {
          if (eofSent) return false;
          eofSent = true;
          if (keyboard) kernel.machine.queueKeyboardInput(keyboard.ctrl("d"));
          else kernel.machine.queueSerialInput(Uint8Array.of(EOF_KEY));
          return true;
        }
      : undefined,
    onConsole: (b) => {
      if (opts.interactive && b === 10) pending[pendingLength++] = 13;
      pending[pendingLength++] = b;
      lastByte = b;
      if (b === 10 || pendingLength >= CONSOLE_BUFFER || opts.interactive) flush();
    },
    onReport: (line) => {
      flush();
      process.stderr.write(escapeControl(line) + "\n"); // a process name or message may hold a guest's raw bytes
    },
  });
  kernelRef = kernel;
  function flush() {
    if (pendingLength && !isStdoutClosed()) stdout.write(Buffer.from(pending.subarray(0, pendingLength))); // a copy: stdout may keep it queued
    pendingLength = 0;
  }
  // Nobody reads the console any more (`ringside run prog | head`): power off instead of computing output for no one.
  onStdoutClosed(() => kernel.powerOff());
  if (opts.input) for (const line of splitLines(opts.input)) kernel.machine.queueSerialInput(line);
  if (keyboard && opts.keys) for (const line of splitLines(new TextEncoder().encode(opts.keys))) kernel.machine.queueKeyboardInput(keyboard.scancodes(new TextDecoder().decode(line)));
  const stopTyping = opts.interactive ? typeInteractively(kernel) : undefined;
  // A polite signal (a closed terminal, `kill`, Ctrl-C on the host) powers the machine off, so the
  // session still ends the usual way: the trace is finished and the image written back. The exit
  // status says which signal; a second signal ends the process at once.
  let signalled: number | undefined;
  const onSignal = (name: NodeJS.Signals, num: number) => () => {
    if (signalled !== undefined) process.exit(128 + num); // a second one: now
    signalled = num;
    process.stderr.write(`\nringside: ${name}: powering the machine off\n`);
    kernel.powerOff();
  };
  const handlers = ([["SIGTERM", 15], ["SIGHUP", 1], ["SIGINT", 2]] as const).map(([name, num]) => [name, onSignal(name, num)] as const);
  for (const [name, fn] of handlers) process.on(name, fn);
  let result: RunResult;
  try {
    result = await kernel.run();
  } finally {
    for (const [name, fn] of handlers) process.off(name, fn);
    stopTyping?.();
    if (opts.interactive && lastByte !== 10 && !isStdoutClosed()) pending[pendingLength++] = 10; // the host's prompt starts on its own line
    flush();
    kernel.destroy();
    trace?.finish();
    if (fd !== undefined) closeSync(fd);
  }
  if (opts.summary) for (const p of result.processes) process.stderr.write(`[pid ${p.pid} ${escapeControl(p.name)}] ${describe(p)}\n`);
  for (const { spec, requests } of result.faultsNotStruck ?? []) {
    const why = "request" in spec.when
      ? `${spec.target} received ${requests} request${requests === 1 ? "" : "s"}${requests === 0 ? " (a server that only takes notifications, such as keyboard, gets none: give a time instead, e.g. @5ms)" : ""}`
      : `the run ended at ${Math.round(result.vtUs)} µs of virtual time`;
    process.stderr.write(`ringside: note: --inject ${escapeControl(faultText(spec))} never struck: ${escapeControl(why)}\n`);
  }
  if (opts.breakAt !== undefined && trace && trace.events <= opts.breakAt) process.stderr.write(`ringside: note: the run ended at trace event ${trace.events - 1}, before --break-at ${opts.breakAt}\n`);
  if (signalled !== undefined) return 128 + signalled; // as a shell reports a process a signal ended
  if (result.reason === "max-instructions") {
    process.stderr.write(`ringside: stopped after ${result.icount} instructions (--max-instructions ${opts.maxInstructions})\n`);
    return EXIT.MAX_INSTRUCTIONS;
  }
  if (result.reason === "idle") {
    process.stderr.write(`ringside: stopped: ${result.panic}\n`);
    return EXIT.STOPPED;
  }
  if (result.reason === "deadlock") {
    process.stderr.write(`ringside: deadlock: ${result.panic}\n`);
    return EXIT.INTERNAL;
  }
  if (result.reason === "panic" || result.reason === "dead" || result.reason === "hang") {
    process.stderr.write(`ringside: ${result.reason === "hang" ? "the machine hangs" : "kernel panic"}: ${result.panic}\n`);
    if (opts.trace) {
      const lines = readFileSync(opts.trace, "utf8").trimEnd().split("\n");
      process.stderr.write(`the last events (from ${opts.trace}):\n${lines.slice(-12).join("\n")}\n`);
    } else process.stderr.write("run again with --trace <file> to see the events leading up to it\n");
    return EXIT.INTERNAL;
  }
  return result.status;
}

/**
 * Raw-mode stdin typed into the console; Ctrl-] powers the machine off. Returns a function that stops it.
 * What is typed arrives at once (queued at the current virtual time), not when the guest next idles:
 * a Ctrl-C must reach a program that never waits.
 */
function typeInteractively(kernel: Kernel): () => void {
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  const onData = (chunk: Buffer) => {
    const esc = chunk.indexOf(ESCAPE_KEY);
    const bytes = esc >= 0 ? chunk.subarray(0, esc) : chunk;
    if (bytes.length) kernel.machine.queueSerialInput(new Uint8Array(bytes), kernel.machine.nowUs());
    if (esc >= 0) kernel.powerOff();
  };
  stdin.on("data", onData);
  stdin.resume();
  return () => {
    stdin.off("data", onData);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  };
}

function describe(p: RunResult["processes"][number]): string {
  if (p.status !== null) return `exit ${p.status}`;
  if (p.vector !== null) return `killed by vector ${p.vector} (exit ${128 + p.vector})`;
  if (p.signal !== null) return `killed by signal ${p.signal}`;
  return "still running";
}

/** A sink that turns the recorder's JSONL into the trace viewer's one-line text form. */
async function textSink(file: string, fd: number): Promise<(text: string) => void> {
  const { TextFormatter } = await import("../trace/format-text.ts");
  const { EventDecoder } = await import("../trace/decode.ts");
  const fmt = new TextFormatter({ color: false });
  let dec: InstanceType<typeof EventDecoder> | undefined; // set by the header, the first line
  return (text: string) => {
    let out = "";
    for (const line of text.split("\n")) {
      if (!line) continue;
      const parsed: unknown = JSON.parse(line);
      if (!dec) dec = new EventDecoder((parsed as { version: number }).version);
      const s = fmt.format(dec.decode(parsed) as Parameters<typeof fmt.format>[0]);
      if (s) out += s + "\n";
    }
    writeAll(file, fd, new TextEncoder().encode(out));
  };
}
