// Microkernel benchmarks: an IPC round trip (call + reply, 16-byte payload, two address
// spaces) against the null syscall in the same run, and beside it the same round trip made of two
// bare context switches (sched_yield ping-pong), the floor under any round trip between address
// spaces; boot of the default image to the shell prompt; reading a 1 MiB file through the file
// server and the disk server, against the host reading the image.
import { readFileSync } from "node:fs";
import { createKernel } from "../build/kernel.ts";
import { loadBootImage } from "../../boot/loader.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { ANCHOR_TRIP, anchorPartner, armAnchor } from "./anchor.ts";
import { CHUNK, ROUNDS, WARM, chunkClient, chunkRatios, chunkedRun, initSpawning, per, type ChunkKind, type ChunkTimes } from "./chunks.ts";
import { spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

const FILE_BYTES = 1024 * 1024;

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

const GETPID: ChunkKind = { mark: "g", call: "    mov eax, SYS_getpid\n    int 0x80" };
const NULL_IRET: ChunkKind = { mark: "n", call: "    int 0x81" };
const NULL_HOST: ChunkKind = { mark: "h", call: "    int 0x84" };
const FRAME_HOST: ChunkKind = { mark: "f", call: "    int 0x85" };
const IPC_TRIP = `    mov ebx, [peer]
    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80`;

/**
 * One IPC run (microkernel shape, bench stub): the client "c" alternates chunks of getpid (g), of
 * the in-guest null \`int 0x81\` → \`iret\` (n), of \`int 0x84\` (h: a call to a host handler that
 * does nothing, and \`iret\`), of \`int 0x85\` (f: the same with the stub's trap frame saved and
 * restored around it, as for a kernel entry), of ipc_call round trips to the server "s" with 16 bytes
 * each way (t), of the in-machine anchor's round trip to "p" with 16 bytes each way (a), and of
 * the IPC round trip again with the trace recorded (T). \`only\` (e.g. "t") keeps only those kinds
 * (to profile one).
 */
export function ipcRun(only?: string): Promise<ChunkTimes> {
  const kinds = [GETPID, NULL_IRET, NULL_HOST, FRAME_HOST, { mark: "t", call: IPC_TRIP, keepEdx: true, check: true }, { mark: "a", call: ANCHOR_TRIP, keepEdx: true }, { mark: "T", call: IPC_TRIP, keepEdx: true, check: true }];
  const client = chunkClient(
    kinds.filter((k) => only === undefined || only.includes(k.mark)),
    {
      data: 's_name db "s", 0',
      bss: "peer resd 1\nbuf resb 16",
      // the partner's message says it is parked; it is never answered. 16 bytes of stack for the anchor.
      setup: "    mov dword [buf], 0\n    SYSCALL SYS_ipc_receive, -1, 0, 0, buf, 16\n    SYSCALL SYS_ipc_lookup, s_name\n    mov [peer], eax\n    sub esp, 16",
    },
  );
  return chunkedRun({
    programs: [{ name: "init", source: initSpawning(["s", "p", "c"]) }],
    modules: [{ name: "s", source: SERVER }, { name: "p", source: anchorPartner("c") }, { name: "c", source: client }],
    manifest: "server s /s\nserver p /p send=c\nserver c /c send=s\ninit init /init\nshell sh /bin/sh\n",
    benchVector: true,
    onMark: (k, mark) => {
      if (mark === "a") armAnchor(k, "c", "p");
    },
  });
}

/**
 * One switch run: getpid chunks (g) and sched_yield round trips (t) to a partner that yields straight
 * back. Client and partner are ordinary programs (a partner that never blocks would starve init at a
 * server's priority).
 */
export function switchRun(): Promise<ChunkTimes> {
  const client = chunkClient([GETPID, { mark: "t", call: "    mov eax, SYS_sched_yield\n    int 0x80", keepEdx: true }]);
  return chunkedRun({ programs: [{ name: "init", source: initSpawning(["s", "c"]) }], modules: [{ name: "s", source: PARTNER }, { name: "c", source: client }], manifest: "init init /init\nshell sh /bin/sh\n" });
}

/**
 * What the emulator charges for an address-space switch on its own, and what tracing costs a null
 * call: one program (monolithic, bench stub) alternates chunks of getpid (g), of the bench-only
 * vector 0x81 (n: iret at once), of 0x82 (c: reload CR3, then iret: the TLB flush every switch
 * makes, and the refills after it), of 0x84 (h: a call to a host port handler that does nothing,
 * then iret) and of getpid with the trace recorded (G), each call with a push/pop on the user stack
 * like the round-trip loops. No kernel code runs for 0x81, 0x82 and 0x84.
 */
export function cr3Run(): Promise<ChunkTimes> {
  const kinds: ChunkKind[] = [
    { ...GETPID, keepEdx: true },
    { ...NULL_IRET, keepEdx: true },
    { mark: "c", call: "    int 0x82", keepEdx: true },
    { ...NULL_HOST, keepEdx: true },
    { ...GETPID, mark: "G", keepEdx: true },
  ];
  return chunkedRun({ programs: [{ name: "cr3", source: chunkClient(kinds) }], benchVector: true });
}

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

/** Of `reps` runs, the one whose `ratio` is the median. */
async function medianRun(reps: number, run: () => Promise<ChunkTimes>, ratio: (t: ChunkTimes) => number): Promise<ChunkTimes> {
  const runs: ChunkTimes[] = [];
  for (let i = 0; i < reps; i++) runs.push(await run());
  runs.sort((a, b) => ratio(a) - ratio(b));
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
    const tripRatio = (t: ChunkTimes) => per(t, "t") / per(t, "g");
    const switchCost = (t: ChunkTimes) => (per(t, "c") - per(t, "n")) / per(t, "g");
    const ipcT = await medianRun(reps, ipcRun, tripRatio);
    const swT = await medianRun(reps, switchRun, tripRatio);
    const cr3T = await medianRun(reps, cr3Run, switchCost);
    const ipc = { trip: per(ipcT, "t"), nullCall: per(ipcT, "g") }, sw = { trip: per(swT, "t"), nullCall: per(swT, "g") };
    const cr3 = { reload: per(cr3T, "c"), iret: per(cr3T, "n"), nullCall: per(cr3T, "g") };
    const cr3Ratio = switchCost(cr3T);

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
    const rounds = (t: ChunkTimes) => `per round min/median/max ${spread(chunkRatios(t, "t", "g"), 2)}`;
    return [
      {
        id: "ipc_roundtrip_ratio",
        value: Math.round(ratio * 1000) / 1000,
        unit: "ratio",
        detail: `ipc_call + ipc_reply_recv with a 16-byte payload each way between two address spaces: ${ipc.trip.toFixed(0)} ns per round trip vs getpid ${ipc.nullCall.toFixed(0)} ns, ${rounds(ipcT)} (${how}). IPC over a bare switch round trip: ${(ratio / swRatio).toFixed(2)}×. No goal in getpids: two address-space switches alone cost about 4 (cr3_reload_ratio); the goal is against the in-machine anchor, ipc_vs_inguest`,
      },
      {
        id: "switch_roundtrip_ratio",
        value: Math.round(swRatio * 1000) / 1000,
        unit: "ratio",
        detail: `the floor under any round trip between address spaces: sched_yield to a partner that yields straight back (two context switches: CR3, kernel stack, TSS.esp0; no IPC) ${sw.trip.toFixed(0)} ns vs getpid ${sw.nullCall.toFixed(0)} ns, ${rounds(swT)} (${how})`,
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
