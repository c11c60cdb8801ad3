// `ringside fuzz <target>`: seeded, deterministic fuzzing of the kernel and the tools. Each run i of
// seed s is derived from (s, i) alone, so any finding replays with `--seed <s+i> --count 1`.
//
// Targets:
//   syscalls  a ring-3 program makes random system calls (numbers mostly implemented ones, arguments
//             small, huge, signed-looking, user, kernel and page-edge pointers); the kernel must answer
//             each without a panic, a host exception or a hang.
//   ipc       the same with the IPC and microkernel calls only, under a manifest (programs have no
//             send rights; every call must fail cleanly).
//   elf       a valid ELF program with random bytes changed, started at boot: it must be refused
//             (ElfError) or run; never a host exception or a panic other than "cannot start".
//   image     an RSFS image with random bytes changed: mount + fsck must report, never throw otherwise.
//   trace     trace lines with random changes: the checker must answer with a message, never throw.
//   asm       assembler source with random changes: diagnostics, never an exception.
import { createKernel } from "../build/kernel.ts";
import { assembleProgram } from "../asm/program.ts";
import { ElfError } from "../../kernel/elf.ts";
import { SYSCALLS } from "../../kernel/syscalls.ts";
import type { Manifest } from "../../kernel/manifest.ts";

export const TARGETS = ["syscalls", "ipc", "elf", "image", "trace", "asm"] as const;
export type Target = (typeof TARGETS)[number];

export interface Finding {
  target: Target;
  seed: number;
  kind: "panic" | "host-error" | "hang";
  detail: string;
}

export interface FuzzSummary {
  target: Target;
  runs: number;
  /** System calls made (syscalls, ipc). */
  syscalls: number;
  hostErrors: number;
  panics: number;
  hangs: number;
  findings: Finding[];
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** System calls per program (syscalls, ipc). */
  callsPerRun?: number;
  onFinding?: (f: Finding) => void;
}

/** The command that replays one finding. */
export function reproduction(f: Finding): string {
  return `npx ringside fuzz ${f.target} --count 1 --seed ${f.seed}`;
}

/** xorshift32 from a seed (never 0). */
export function rng(seed: number): () => number {
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Calls that would end, replace or fork the fuzzing program, or sleep for long: never made. */
const SKIP = new Set(["exit", "exit_group", "kill", "fork", "execve", "nanosleep", "spawn", "spawn_image", "signal_fg"]);
const IPC = new Set(["ipc_send", "ipc_receive", "ipc_reply", "ipc_call", "ipc_reply_recv", "ipc_notify", "ipc_lookup", "irq_ack", "alarm", "procinfo", "server_info", "uptime", "sysinfo"]);

/** Argument words the generated program draws from (besides random ones and pointers near its data). */
const SPECIAL = [0, 1, 2, 3, 0xff, 0x1000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0xfffff000, 0x00400000, 0x003ff000, 0xbff00000, 0xbfeffffc, 0xbffffff0, 0xc0000000];

/** NASM source of the fuzzing program: `calls` random calls from `numbers` seeded by `seed`, then exit 0. */
export function fuzzProgram(seed: number, calls: number, numbers: number[]): string {
  return `
%include "ringside.inc"
section .data
seed    dd ${(seed >>> 0) || 1}
numbers dd ${numbers.join(", ")}
special dd ${SPECIAL.map((v) => `0x${v.toString(16)}`).join(", ")}
section .bss
scratch resb 8192
section .text
global _start
rand:                                   ; EAX = next xorshift32 (EDX clobbered)
    mov eax, [seed]
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [seed], eax
    ret
arg:                                    ; EAX = an argument word
    call rand
    mov ecx, eax
    shr ecx, 28
    call rand
    cmp ecx, 4
    jb .small
    cmp ecx, 8
    jb .user
    cmp ecx, 12
    jb .special
    cmp ecx, 13
    jb .kernel
    ret                                 ; anything
.small:
    and eax, 0x3f
    ret
.user:
    and eax, 0x1fff
    add eax, scratch
    ret
.special:
    and eax, 0xff
    xor edx, edx
    mov ecx, ${SPECIAL.length}
    div ecx
    mov eax, [special + edx*4]
    ret
.kernel:
    and eax, 0x3fffff
    ret
_start:
    mov ebp, ${calls}
.next:
    call rand
    xor edx, edx
    mov ecx, ${numbers.length}
    div ecx
    push dword [numbers + edx*4]
    call arg
    push eax
    call arg
    push eax
    call arg
    push eax
    call arg
    push eax
    call arg
    mov edi, eax
    pop esi
    pop edx
    pop ecx
    pop ebx
    pop eax
    push ebp
    int 0x80
    pop ebp
    dec ebp
    jnz .next
    mov eax, SYS_exit
    xor ebx, ebx
    int 0x80
`;
}

/** One kernel run of `programs` (optionally under a manifest); classifies the outcome. */
async function runKernel(target: Target, seed: number, programs: { name: string; image: Uint8Array; argv?: string[] }[], extra: Record<string, unknown> = {}): Promise<Finding | null> {
  let kernel;
  try {
    kernel = await createKernel({ programs, onConsole: () => {}, onReport: () => {}, onIdle: () => false, maxInstructions: 400_000_000, ...extra });
  } catch (e) {
    if (e instanceof ElfError) return null; // refused before it ran
    return { target, seed, kind: "host-error", detail: `at create: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
  try {
    const r = await kernel.run();
    if (r.reason === "panic") {
      const why = r.panic ?? "";
      // A boot program the kernel cannot start stops the boot with a clear error: not a finding.
      if (/^cannot start /.test(why)) return null;
      return { target, seed, kind: "panic", detail: why };
    }
    if (r.reason === "max-instructions" || r.reason === "hang") return { target, seed, kind: "hang", detail: `${r.reason} after ${r.icount} instructions` };
    return null;
  } catch (e) {
    return { target, seed, kind: "host-error", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  } finally {
    kernel.destroy();
  }
}

let ipcinit: Uint8Array | undefined;

async function syscallsRun(target: Target, seed: number, calls: number): Promise<Finding | null> {
  const numbers = SYSCALLS.filter((s) => !SKIP.has(s.name) && (target === "ipc" ? IPC.has(s.name) : true)).map((s) => s.nr);
  if (target === "syscalls") numbers.push(0, 9999, 0x20f, 0x7fffffff, 0xffffffff); // unknown numbers too
  const image = await assembleProgram(`/fuzz-${seed}.asm`, fuzzProgram(seed, calls, numbers));
  if (target === "syscalls") return runKernel(target, seed, [{ name: "fuzz", image }]);
  // ipc: the program runs under a manifest with one server it may not send to.
  ipcinit ??= await assembleProgram("/ipcinit.asm", IPCINIT);
  const server = { name: "srv", program: "/srv", irqs: [], ports: [], send: [], device: false, supervisor: false, restart: null, backoffMs: 0, heartbeatMs: 0 };
  const manifest: Manifest = { servers: [server], init: { name: "init", program: "/init" }, shell: { name: "sh", program: "/bin/sh" } };
  const srv = await assembleProgram("/srv.asm", fuzzProgram(seed ^ 0x5a5a5a5a, calls, numbers));
  return runKernel(target, seed, [{ name: "init", image: ipcinit, argv: ["init", "srv", "fuzz"] }], {
    manifest,
    modules: [{ name: "srv", image: srv }, { name: "fuzz", image }],
  });
}

/** init for the ipc target: spawns its arguments, reaps them, exits 0. */
const IPCINIT = `
%include "ringside.inc"
section .text
global _start
_start:
    mov esi, [esp]
    lea ebp, [esp + 8]
.spawn:
    dec esi
    jz .wait
    mov ebx, [ebp]
    mov eax, SYS_spawn
    xor ecx, ecx
    int 0x80
    add ebp, 4
    jmp .spawn
.wait:
    mov eax, SYS_waitpid
    mov ebx, -1
    xor ecx, ecx
    xor edx, edx
    int 0x80
    test eax, eax
    jg .wait
    mov eax, SYS_exit
    xor ebx, ebx
    int 0x80
`;

/** Changes 1–8 random bytes of `bytes` (a copy). */
function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = bytes.slice();
  const n = 1 + (next() % 8);
  for (let i = 0; i < n && out.length > 0; i++) {
    const at = next() % out.length;
    const how = next() % 4;
    out[at] = how === 0 ? 0 : how === 1 ? 0xff : how === 2 ? out[at]! ^ (1 << (next() % 8)) : next() & 0xff;
  }
  return out;
}

let elfBase: Uint8Array | undefined;

async function elfRun(seed: number): Promise<Finding | null> {
  elfBase ??= await assembleProgram("/hello.asm", `%include "ringside.inc"\nsection .data\nmsg db "hi", 10\nsection .bss\nbig resb 8192\nsection .text\nglobal _start\n_start:\n    mov eax, SYS_write\n    mov ebx, 1\n    mov ecx, msg\n    mov edx, 3\n    int 0x80\n    mov eax, SYS_exit\n    xor ebx, ebx\n    int 0x80\n`);
  const next = rng(seed);
  // Mostly the headers (the first 256 bytes), where the loader's decisions are.
  const head = mutate(elfBase.subarray(0, 256), next);
  const image = elfBase.slice();
  image.set(next() % 4 === 0 ? mutate(elfBase, next).subarray(0, 256) : head);
  return runKernel("elf", seed, [{ name: "elf", image }], { maxInstructions: 20_000_000 });
}

async function hostRun(target: "image" | "trace" | "asm", seed: number): Promise<Finding | null> {
  const next = rng(seed);
  try {
    if (target === "image") {
      const { Rsfs } = await import("../../kernel/fs/rsfs.ts");
      const { fsck } = await import("../../kernel/fs/fsck.ts");
      const { ImageError, DeviceError } = await import("../../kernel/fs/errors.ts");
      const base = await baseImage();
      const bytes = base.slice();
      // Mutate the metadata: the superblock, bitmap and inode table (the first 8 blocks).
      const meta = mutate(bytes.subarray(0, 8 * 4096), next);
      bytes.set(meta);
      try {
        const fs = Rsfs.open(bytes);
        fsck(fs);
        for (const p of ["/", "/boot", "/bin", "/etc/motd", "/boot/manifest"]) {
          try {
            fs.stat(p);
          } catch (e) {
            if (!(e instanceof ImageError || e instanceof DeviceError)) throw e;
          }
        }
      } catch (e) {
        if (e instanceof ImageError || e instanceof DeviceError) return null;
        throw e;
      }
      return null;
    }
    if (target === "trace") {
      const { checkEvent } = await import("../trace/reader.ts");
      const { EventDecoder } = await import("../trace/decode.ts");
      const { fastParse, fastParseCompact } = await import("../trace/fast-parse.ts");
      // A version-1 or a version-2 line (schema versions 1 and 2), mutated.
      const base = (seed & 1) === 0
        ? '{"seq":1,"icount":10,"vt":0.1,"kind":"syscall","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":4194304,"nr":4,"name":"write","args":[1,4194400,3,0,0]}'
        : '{"seq":1,"icount":10,"vt":0.1,"kind":"ipc","pid":1,"proc":"sh","op":"send","dst":2,"bytes":3}';
      const text = new TextDecoder().decode(mutate(new TextEncoder().encode(base), next));
      const dec = new EventDecoder(2);
      fastParse(text);
      fastParseCompact(text, dec);
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return null; // not JSON: the reader reports the line
      }
      checkEvent(v, null);
      checkEvent(dec.decode(v), null);
      return null;
    }
    const { assemble } = await import("../asm/index.ts");
    const src = fuzzProgram(seed, 3, [20]).replace('%include "ringside.inc"', "SYS_exit equ 1");
    const text = new TextDecoder().decode(mutate(new TextEncoder().encode(src), next));
    assemble(text, { file: "fuzz.asm", format: (next() & 1) === 0 ? "elf" : "bin", includePaths: [], readFile: () => undefined });
    return null;
  } catch (e) {
    return { target, seed, kind: "host-error", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

let imageBytes: Uint8Array | undefined;
async function baseImage(): Promise<Uint8Array> {
  if (!imageBytes) {
    const { Rsfs } = await import("../../kernel/fs/rsfs.ts");
    const fs = Rsfs.format(256 * 4096);
    fs.writeFile("/boot/manifest", new TextEncoder().encode("init init /boot/init\nshell sh /bin/sh\n"));
    fs.writeFile("/etc/motd", new TextEncoder().encode("hello\n"));
    fs.writeFile("/bin/big", new Uint8Array(20000).fill(7));
    imageBytes = fs.bytes.slice();
  }
  return imageBytes;
}

/** Runs `count` fuzz runs of `target` with seeds seed, seed+1, …; findings are reported as they come. */
export async function fuzz(target: Target, opts: FuzzOptions): Promise<FuzzSummary> {
  const calls = opts.callsPerRun ?? 2000;
  const s: FuzzSummary = { target, runs: 0, syscalls: 0, hostErrors: 0, panics: 0, hangs: 0, findings: [] };
  for (let i = 0; i < opts.count; i++) {
    const seed = (opts.seed + i) >>> 0;
    const f =
      target === "syscalls" || target === "ipc" ? await syscallsRun(target, seed, calls)
      : target === "elf" ? await elfRun(seed)
      : await hostRun(target, seed);
    s.runs++;
    if (target === "syscalls" || target === "ipc") s.syscalls += calls;
    if (f) {
      s.findings.push(f);
      if (f.kind === "host-error") s.hostErrors++;
      else if (f.kind === "panic") s.panics++;
      else s.hangs++;
      opts.onFinding?.(f);
    }
  }
  return s;
}
