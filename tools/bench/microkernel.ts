// Microkernel benchmarks: an IPC round trip (call + reply, 16-byte payload, two address
// spaces) against the null syscall in the same run, and beside it the same round trip made of two
// bare context switches (sched_yield ping-pong), the floor under any round trip between address
// spaces; boot of the default image to the shell prompt; reading a 1 MiB file through the file
// server and the disk server, against the host reading the image.
import { readFileSync } from "node:fs";
import { createKernel } from "../build/kernel.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import { loadBootImage } from "../../boot/loader.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import type { TraceRecorder } from "../../kernel/trace/recorder.ts";
import { median } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

/**
 * A round-trip client alternates ROUNDS chunks of CHUNK getpid calls and CHUNK round trips, after
 * WARM untimed ones of each (v86's JIT compiles a page after ~200k interpreted instructions).
 */
export const CHUNK = Number(process.env.RINGSIDE_BENCH_IPC_CHUNK ?? 10_000);
export const ROUNDS = 10;
export const WARM = 50_000;
const FILE_BYTES = 1024 * 1024;

/** The console marks the client writes as each timed chunk starts, and at the end. */
const MARK_NULL = 0x67, MARK_TRIP = 0x74, MARK_END = 0x65; // "g", "t", "e"

const INIT = `
%include "ulib.inc"
section .data
s_name db "s", 0
c_name db "c", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, s_name, 0
    SYSCALL SYS_spawn, c_name, 0
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    shr ebx, 8
    call ulib_exit
`;
/** The server: reply to the last caller and take the next request, forever. */
const SERVER = `
%include "ringside.inc"
section .bss
buf resb 16
section .text
global _start
_start:
    xor ebx, ebx
.loop:
    mov eax, SYS_ipc_reply_recv
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80
    mov ebx, eax
    jmp .loop
`;

/** The yield partner: gives the CPU back, forever. */
const PARTNER = `
%include "ringside.inc"
section .text
global _start
_start:
    mov eax, SYS_sched_yield
    int 0x80
    jmp _start
`;

/**
 * A round-trip client: \`setup\`, then warms up both loops untimed, then ROUNDS times writes "g" and
 * makes CHUNK getpid calls, writes "t" and makes CHUNK round trips (\`trip\`: one round trip with EBX
 * as set by \`setup\`, the count in EDX preserved, result in EAX, 0 = success); then "e". The host
 * times each chunk between the marks, so neither building the machine nor the JIT's warm-up is
 * counted, and the two loops share every slow spell of the host.
 */
const roundTripClient = (setup: string, trip: string) => `
%include "ulib.inc"
section .data
s_name db "s", 0
mark_null db "g"
mark_trip db "t"
mark_end db "e"
section .bss
peer resd 1
rounds resd 1
buf resb 16
section .text
global _start
_start:
${setup}
    mov edx, ${WARM}
    call getpids
    mov edx, ${WARM}
    call trips
    mov dword [rounds], ${ROUNDS}
.round:
    SYSCALL SYS_write, 1, mark_null, 1
    mov edx, ${CHUNK}
    call getpids
    SYSCALL SYS_write, 1, mark_trip, 1
    mov edx, ${CHUNK}
    call trips
    dec dword [rounds]
    jnz .round
    SYSCALL SYS_write, 1, mark_end, 1
    mov ebx, 0
    call ulib_exit

; EDX getpid calls (the null syscall)
getpids:
    mov eax, SYS_getpid
    int 0x80
    dec edx
    jnz getpids
    ret

; EDX round trips; exits 1 if one fails
trips:
    mov ebx, [peer]
.loop:
    push edx
${trip}
    pop edx
    test eax, eax
    jnz .fail
    dec edx
    jnz .loop
    ret
.fail:
    mov ebx, 1
    call ulib_exit
`;

/** The IPC client: ipc_call to the server "s" with 16 bytes each way. */
const IPC_CLIENT = roundTripClient(
  "    SYSCALL SYS_ipc_lookup, s_name\n    mov [peer], eax",
  `    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80`,
);

/** The switch client: sched_yield to the partner, which yields straight back. */
const SWITCH_CLIENT = roundTripClient("", "    mov eax, SYS_sched_yield\n    int 0x80");

const READER = `
%include "ulib.inc"
section .data
path db "/home/big.bin", 0
s db "S"
e db "E"
section .bss
buf resb 4096
section .text
global _start
_start:
    SYSCALL SYS_write, 1, s, 1
    SYSCALL SYS_open, path, 0, 0
    mov esi, eax
    xor ebp, ebp
.loop:
    SYSCALL SYS_read, esi, buf, 4096
    test eax, eax
    jle .done
    add ebp, eax
    jmp .loop
.done:
    SYSCALL SYS_write, 1, e, 1
    xor ebx, ebx
    cmp ebp, ${FILE_BYTES}
    setne bl
    call ulib_exit
`;

const asm = (src: string) => assembleProgram("bench.asm", src);

/**
 * What the emulator charges for an address-space switch on its own: chunks of getpid, of the
 * bench-only vector 0x81 (iret at once) and of 0x82 (reload CR3, then iret: the TLB flush every
 * switch makes, and the refills after it), alternating in one run, each call with a push/pop on the
 * user stack like the round-trip clients. No kernel code runs for 0x81 and 0x82.
 */
const CR3_PROGRAM = `
%include "ulib.inc"
section .data
marks db "gnce"
section .bss
rounds resd 1
section .text
global _start
_start:
    mov edx, ${WARM}
    call getpids
    mov edx, ${WARM}
    call irets
    mov edx, ${WARM}
    call reloads
    mov dword [rounds], ${ROUNDS}
.round:
    SYSCALL SYS_write, 1, marks, 1
    mov edx, ${CHUNK}
    call getpids
    SYSCALL SYS_write, 1, marks + 1, 1
    mov edx, ${CHUNK}
    call irets
    SYSCALL SYS_write, 1, marks + 2, 1
    mov edx, ${CHUNK}
    call reloads
    dec dword [rounds]
    jnz .round
    SYSCALL SYS_write, 1, marks + 3, 1
    mov ebx, 0
    call ulib_exit
getpids:
    push edx
    mov eax, SYS_getpid
    int 0x80
    pop edx
    dec edx
    jnz getpids
    ret
irets:
    push edx
    int 0x81
    pop edx
    dec edx
    jnz irets
    ret
reloads:
    push edx
    int 0x82
    pop edx
    dec edx
    jnz reloads
    ret
`;

/** Per-call times of one round-trip run, in ns: medians over its chunks, and every chunk. */
export interface RoundTrip {
  trip: number;
  nullCall: number;
  tripChunks: number[];
  nullChunks: number[];
}

/** Runs init + server "s" + client "c"; returns the client's chunks timed between its console marks. */
async function roundTripRun(server: string, client: string, manifest: string, trace?: TraceRecorder): Promise<RoundTrip> {
  const [i, s, c] = await Promise.all([asm(INIT), asm(server), asm(client)]);
  const tripChunks: number[] = [], nullChunks: number[] = [];
  let last = 0, open = 0;
  const k = await createKernel({
    programs: [{ name: "init", image: i }],
    modules: [{ name: "s", image: s }, { name: "c", image: c }],
    manifest: parseManifest(manifest),
    trace,
    onIdle: () => false,
    onConsole: (b) => {
      const now = performance.now();
      if (open === MARK_NULL) nullChunks.push(((now - last) / CHUNK) * 1e6);
      else if (open === MARK_TRIP) tripChunks.push(((now - last) / CHUNK) * 1e6);
      open = b;
      last = now;
    },
  });
  const r = await k.run();
  k.destroy();
  if ((r.reason !== "exit" && r.reason !== "shutdown") || r.status !== 0 || open !== MARK_END) throw new Error(`round-trip bench run failed: ${r.reason} ${r.status} ${r.panic ?? ""}`);
  return { trip: median(tripChunks), nullCall: median(nullChunks), tripChunks, nullChunks };
}

/** One IPC round-trip run (also used for profiling): client and server are manifest servers. */
export function ipcRun(trace?: TraceRecorder): Promise<RoundTrip> {
  return roundTripRun(SERVER, IPC_CLIENT, "server s /s\nserver c /c send=s\ninit init /init\nshell sh /bin/sh\n", trace);
}

/**
 * One switch round-trip run: client and partner are ordinary programs (a partner that never blocks
 * would starve init at a server's priority).
 */
export function switchRun(): Promise<RoundTrip> {
  return roundTripRun(PARTNER, SWITCH_CLIENT, "init init /init\nshell sh /bin/sh\n");
}

/** Per-call times of one CR3_PROGRAM run, in ns (medians over its chunks). */
export interface Cr3Times {
  nullCall: number;
  iret: number;
  reload: number;
}

/** One run of CR3_PROGRAM on a bench machine (the stub with vectors 0x81 and 0x82), optionally traced. */
export async function cr3Run(trace?: TraceRecorder): Promise<Cr3Times> {
  const ms = new Map<number, number[]>();
  let last = 0, open = 0;
  const k = await createKernel({
    programs: [{ name: "cr3", image: await asm(CR3_PROGRAM) }],
    benchVector: true,
    trace,
    onConsole: (b) => {
      const now = performance.now();
      if (open) {
        let a = ms.get(open);
        if (!a) ms.set(open, (a = []));
        a.push(((now - last) / CHUNK) * 1e6);
      }
      open = b;
      last = now;
    },
  });
  const r = await k.run();
  k.destroy();
  if (r.reason !== "exit" || r.status !== 0 || open !== 0x65) throw new Error(`CR3 bench run failed: ${r.reason} ${r.status}`);
  const per = (mark: string) => median(ms.get(mark.charCodeAt(0)) ?? []);
  return { nullCall: per("g"), iret: per("n"), reload: per("c") };
}

/** Of `reps` runs, the one whose ratio is the median. */
async function medianRun(reps: number, run: () => Promise<RoundTrip>): Promise<RoundTrip> {
  const runs: RoundTrip[] = [];
  for (let i = 0; i < reps; i++) runs.push(await run());
  runs.sort((a, b) => a.trip / a.nullCall - b.trip / b.nullCall);
  return runs[reps >> 1]!;
}

async function best(reps: number, f: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < reps; i++) b = Math.min(b, await f());
  return b;
}

/** The default image's bytes (a private copy). */
async function defaultDisk(): Promise<Uint8Array> {
  const raw = readFileSync(await ensureDefaultImage());
  const disk = new Uint8Array(raw.length);
  disk.set(raw);
  return disk;
}

export const microkernelBench: Bench = {
  name: "microkernel",
  async run(): Promise<BenchResult[]> {
    const reps = 3;
    const ipc = await medianRun(reps, ipcRun);
    const sw = await medianRun(reps, switchRun);
    const cr3s: Cr3Times[] = [];
    for (let i = 0; i < reps; i++) cr3s.push(await cr3Run());
    const switchCost = (t: Cr3Times) => (t.reload - t.iret) / t.nullCall;
    cr3s.sort((a, b) => switchCost(a) - switchCost(b));
    const cr3 = cr3s[reps >> 1]!;
    const cr3Ratio = switchCost(cr3);

    // Boot to the shell prompt: from creating the machine to the first "$ " on the console.
    const disk = await defaultDisk();
    const bootMs = await best(reps, async () => {
      const boot = loadBootImage(disk.slice());
      let t1 = 0, last = 0;
      const t0 = performance.now();
      const k = await createKernel({
        ...boot,
        onConsole: (b) => {
          if (last === 36 && b === 32 && !t1) {
            t1 = performance.now();
            k.powerOff();
          }
          last = b;
        },
        onIdle: () => false,
      });
      await k.run();
      k.destroy();
      if (!t1) throw new Error("the shell prompt never appeared");
      return t1 - t0;
    });

    // 1 MiB through fs + disk: the default image with a big file and a reader as the "shell".
    const fs = Rsfs.open(await defaultDisk());
    const big = new Uint8Array(FILE_BYTES);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    fs.writeFile("/home/big.bin", big);
    fs.writeFile("/bin/readbig", await asm(READER));
    const text = new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, "shell readbig /bin/readbig");
    fs.writeFile("/boot/manifest", new TextEncoder().encode(text));
    const readMs = await best(reps, async () => {
      const boot = loadBootImage(fs.bytes.slice());
      let tS = 0, tE = 0;
      const k = await createKernel({
        ...boot,
        onConsole: (b) => {
          if (b === 83) tS = performance.now();
          if (b === 69) tE = performance.now();
        },
        onIdle: () => false,
      });
      const r = await k.run();
      k.destroy();
      if (r.status !== 0 || !tE) throw new Error(`the reader failed: ${r.reason} ${r.status}`);
      return tE - tS;
    });
    const hostMs = await best(5, async () => {
      const t0 = performance.now();
      const copy = Rsfs.open(fs.bytes).readFile("/home/big.bin");
      const t = performance.now() - t0;
      if (copy.length !== FILE_BYTES) throw new Error("host read failed");
      return t;
    });
    const mibs = FILE_BYTES / 1048576 / (readMs / 1000);
    const hostMibs = FILE_BYTES / 1048576 / (hostMs / 1000);
    const ratio = ipc.trip / ipc.nullCall, swRatio = sw.trip / sw.nullCall;
    const how = `${ROUNDS} chunks of ${CHUNK} alternating with getpid chunks in one run, after ${WARM} untimed; the median run of ${reps}`;
    return [
      {
        id: "ipc_roundtrip_ratio",
        value: Math.round(ratio * 1000) / 1000,
        unit: "ratio",
        goal: "≤ 3.0",
        ok: ratio <= 3.0,
        detail: `ipc_call + ipc_reply_recv with a 16-byte payload each way between two address spaces: ${ipc.trip.toFixed(0)} ns per round trip vs getpid ${ipc.nullCall.toFixed(0)} ns (${how}). IPC over a bare switch round trip: ${(ratio / swRatio).toFixed(2)}×`,
      },
      {
        id: "switch_roundtrip_ratio",
        value: Math.round(swRatio * 1000) / 1000,
        unit: "ratio",
        detail: `the floor under any round trip between address spaces: sched_yield to a partner that yields straight back (two context switches: CR3, kernel stack, TSS.esp0; no IPC) ${sw.trip.toFixed(0)} ns vs getpid ${sw.nullCall.toFixed(0)} ns (${how})`,
      },
      {
        id: "cr3_reload_ratio",
        value: Math.round(cr3Ratio * 1000) / 1000,
        unit: "ratio",
        detail: `what the emulator charges for one address-space switch on its own, in null syscalls: int 0x82 (reload CR3, iret: the TLB flush and the refills after it) ${cr3.reload.toFixed(0)} ns minus int 0x81 (iret only) ${cr3.iret.toFixed(0)} ns, vs getpid ${cr3.nullCall.toFixed(0)} ns; no kernel code runs. Any round trip makes two switches, so it costs at least 2 + 2 × ${cr3Ratio.toFixed(2)} = ${(2 + 2 * cr3Ratio).toFixed(2)} null syscalls (${how})`,
      },
      {
        id: "boot_to_shell_ms",
        value: Math.round(bootMs * 10) / 10,
        unit: "ms",
        goal: "≤ 300",
        ok: bootMs <= 300,
        detail: `from creating the machine (default image) to the shell's first prompt: init, console, keyboard, disk, fs, /bin/sh loaded through fs (best of ${reps})`,
      },
      {
        id: "file_read_mib_s",
        value: Math.round(mibs * 100) / 100,
        unit: "MiB/s",
        detail: `read(2) of a 1 MiB file in 4 KiB calls: kernel → fs server → disk server (ATA PIO, IRQ14) and back; ${readMs.toFixed(1)} ms. The host reading the same file from the image: ${hostMibs.toFixed(0)} MiB/s, ${(hostMibs / mibs).toFixed(0)}× faster (best of ${reps})`,
      },
      {
        id: "file_read_host_ratio",
        value: Math.round((hostMibs / mibs) * 10) / 10,
        unit: "ratio",
        detail: "host read speed ÷ guest read speed for the same 1 MiB file (how much the ring-3 path costs)",
      },
    ];
  },
};
