// Timed chunks in one run: a bench client program makes, after an untimed warm-up of each, ROUNDS
// rounds of one chunk of CHUNK calls per kind, the kinds alternating, and writes a one-byte console
// mark as each chunk starts. The host times each chunk between marks, so building the machine and
// the JIT's warm-up are not counted, and every kind shares the host's slow spells. An upper-case mark
// has the kernel record its trace during that chunk (Kernel.setTraceRecording), a lower-case one not:
// traced and untraced chunks alternate on one machine.
import { createKernel } from "../build/kernel.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import { assembleProgram } from "../asm/program.ts";
import { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { syscallName } from "../../kernel/syscalls.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { BENCH_NULL_PORT } from "../../kernel/layout.ts";
import { median } from "./stats.ts";

/** Calls per timed chunk; rounds of chunks; untimed calls of each kind first (v86's JIT compiles a page after ~200k interpreted instructions). */
export const CHUNK = Number(process.env.RINGSIDE_BENCH_IPC_CHUNK ?? 10_000);
export const ROUNDS = 10;
export const WARM = 50_000;

/** The mark the client writes when it is done. */
const MARK_END = "e";

/** One kind of timed chunk in a client. */
export interface ChunkKind {
  /** The console mark written as each chunk of this kind starts (one letter; upper case: traced). */
  mark: string;
  /** One call. EAX, EBX, ECX, ESI, EDI are free; EDX is the loop count. */
  call: string;
  /** Push EDX before the call and pop it after (the call may change it, or the loop is to use the stack). */
  keepEdx?: boolean;
  /** The call leaves 0 in EAX on success; anything else ends the client with status 1. */
  check?: boolean;
}

/** A client's parts besides its kinds: code run first, and its own .data and .bss lines. */
export interface ClientParts {
  setup?: string;
  data?: string;
  bss?: string;
}

/** The client program's source (ringside's ulib: SYSCALL, ulib_exit). */
export function chunkClient(kinds: readonly ChunkKind[], parts: ClientParts = {}): string {
  const marks = kinds.map((k) => k.mark).join("") + MARK_END;
  const chunk = (n: number) => kinds.map((k, i) => `    SYSCALL SYS_write, 1, marks + ${i}, 1\n    mov edx, ${n}\n    call kind${i}\n`).join("");
  const loops = kinds
    .map(
      (k, i) => `kind${i}:
${k.keepEdx ? "    push edx\n" : ""}${k.call}
${k.keepEdx ? "    pop edx\n" : ""}${k.check ? "    test eax, eax\n    jnz fail\n" : ""}    dec edx
    jnz kind${i}
    ret`,
    )
    .join("\n");
  return `
%include "ulib.inc"
section .data
marks db "${marks}"
${parts.data ?? ""}
section .bss
rounds resd 1
${parts.bss ?? ""}
section .text
global _start
_start:
${parts.setup ?? ""}
${chunk(WARM)}
    mov dword [rounds], ${ROUNDS}
.round:
${chunk(CHUNK)}
    dec dword [rounds]
    jnz .round
    SYSCALL SYS_write, 1, marks + ${kinds.length}, 1
    mov ebx, 0
    call ulib_exit
${loops}
fail:
    mov ebx, 1
    call ulib_exit
`;
}

/** An init that spawns the manifest servers `names` in order, waits for the last, and exits with its status. */
export function initSpawning(names: readonly string[]): string {
  return `
%include "ulib.inc"
section .data
${names.map((n, i) => `name${i} db "${n}", 0`).join("\n")}
status dd 0
section .text
global _start
_start:
${names.map((_, i) => `    SYSCALL SYS_spawn, name${i}, 0`).join("\n")}
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    shr ebx, 8
    call ulib_exit
`;
}

/** A machine for a chunked run: ring-3 programs, and a manifest when servers are involved. */
export interface ChunkMachine {
  /** Boot programs (the first is init), then manifest modules, as name → source. */
  programs: { name: string; source: string }[];
  modules?: { name: string; source: string }[];
  manifest?: string;
  /** Build the stub with the bench-only vectors (0x81 iret, 0x82 CR3 reload, 0x83 anchor, 0x84 null host call, 0x85 the same with a trap frame). */
  benchVector?: boolean;
  /** Called at each mark, before the chunk runs (e.g. to arm the anchor). */
  onMark?: (k: Kernel, mark: string) => void;
}

/** Per-call ns of every timed chunk, by mark. */
export type ChunkTimes = Map<string, number[]>;

/** Median per-call ns of a kind's chunks. */
export const per = (t: ChunkTimes, mark: string): number => median(t.get(mark) ?? []);

/** Each round's chunk of kind `a` over its chunk of kind `b` (the two ran moments apart). */
export const chunkRatios = (t: ChunkTimes, a: string, b: string): number[] => (t.get(a) ?? []).map((x, i) => x / (t.get(b) ?? [])[i]!);

const asm = (name: string, src: string) => assembleProgram(`${name}.asm`, src);

/**
 * Runs the machine until the client's end mark; per-call ns of each chunk by mark (warm-up chunks,
 * each kind's first, left out). The kernel records into a recorder whose output is dropped (what
 * recording costs, not formatting: the trace bench measures that), only during upper-case chunks.
 */
export async function chunkedRun(spec: ChunkMachine): Promise<ChunkTimes> {
  const programs = await Promise.all(spec.programs.map(async (p) => ({ name: p.name, image: await asm(p.name, p.source) })));
  const modules = await Promise.all((spec.modules ?? []).map(async (p) => ({ name: p.name, image: await asm(p.name, p.source) })));
  const times: ChunkTimes = new Map();
  const seen = new Set<string>();
  let open = "", last = 0, k: Kernel | undefined;
  const trace = new TraceRecorder(() => {}, { ipms: 100_000, mode: spec.manifest ? "microkernel" : "monolithic", tool: "bench" }, syscallName, { bytes: () => {} });
  k = await createKernel({
    programs,
    modules,
    manifest: spec.manifest ? parseManifest(spec.manifest) : undefined,
    benchVector: spec.benchVector,
    trace,
    onIdle: () => false,
    onConsole: (b) => {
      const now = performance.now();
      if (open) {
        if (seen.has(open)) {
          let a = times.get(open);
          if (!a) times.set(open, (a = []));
          a.push(((now - last) / CHUNK) * 1e6);
        } else seen.add(open);
      }
      open = String.fromCharCode(b);
      if (k) {
        k.setTraceRecording(open !== open.toLowerCase());
        spec.onMark?.(k, open);
      }
      last = performance.now();
    },
  });
  k.setTraceRecording(false);
  if (spec.benchVector) k.machine.onPortWrite32(BENCH_NULL_PORT, () => {});
  const r = await k.run();
  k.destroy();
  if ((r.reason !== "exit" && r.reason !== "shutdown") || r.status !== 0 || open !== MARK_END) {
    throw new Error(`chunked bench run failed: ${r.reason} status ${r.status} last mark ${JSON.stringify(open)} ${r.panic ?? ""}`);
  }
  return times;
}
