// Microkernel benchmarks (issue 5): an IPC round trip (call + reply, 16-byte payload, two address
// spaces) against the null syscall in the same run; boot of the default image to the shell prompt;
// reading a 1 MiB file through the file server and the disk server, against the host reading the image.
import { readFileSync } from "node:fs";
import { Kernel, type KernelOptions } from "../../kernel/kernel.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import { loadBootImage } from "../../boot/loader.ts";
import { assembleProgram } from "../cli/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { Rsfs } from "../image/rsfs.ts";
import type { Bench, BenchResult } from "./types.ts";
import { GETPID, loop } from "./core.ts";

const N = Number(process.env.RINGSIDE_BENCH_IPC_N ?? 50_000);
const FILE_BYTES = 1024 * 1024;

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
    mov ebx, 0
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
const client = (n: number) => `
%include "ulib.inc"
section .data
s_name db "s", 0
section .bss
buf resb 16
section .text
global _start
_start:
    SYSCALL SYS_ipc_lookup, s_name
    mov ebx, eax
    mov edx, ${n}
    test edx, edx
    jz .done
.loop:
    push edx
    mov eax, SYS_ipc_call
    mov ecx, 1
    mov esi, buf
    mov edi, 16 | (16 << 16)
    int 0x80
    pop edx
    dec edx
    jnz .loop
.done:
    mov ebx, 0
    call ulib_exit
`;
const getpidLoop = (n: number) => loop(GETPID, n);
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

async function timeRun(opts: KernelOptions): Promise<number> {
  const k = await Kernel.create(opts);
  const t0 = performance.now();
  const r = await k.run();
  const t = performance.now() - t0;
  k.destroy();
  if ((r.reason !== "exit" && r.reason !== "shutdown") || r.status !== 0) throw new Error(`bench run failed: ${r.reason} ${r.status} ${r.panic ?? ""}`);
  return t;
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

/** One IPC ping-pong run of n round trips (for profiling). */
export async function ipcRun(n: number): Promise<number> {
  const manifest = parseManifest("server s /s\nserver c /c send=s\ninit init /init\nshell sh /bin/sh\n");
  const [init, server, c] = await Promise.all([asm(INIT), asm(SERVER), asm(client(n))]);
  return timeRun({ programs: [{ name: "init", image: init }], modules: [{ name: "s", image: server }, { name: "c", image: c }], manifest, onIdle: () => false });
}

export const microkernelBench: Bench = {
  name: "microkernel",
  async run(): Promise<BenchResult[]> {
    const reps = 3;
    const manifest = parseManifest("server s /s\nserver c /c send=s\ninit init /init\nshell sh /bin/sh\n");
    const [init, server, clientN, client0, getN, get0, reader] = await Promise.all([asm(INIT), asm(SERVER), asm(client(N)), asm(client(0)), asm(getpidLoop(N)), asm(getpidLoop(0)), asm(READER)]);
    const ipcRun = (c: Uint8Array) => timeRun({ programs: [{ name: "init", image: init }], modules: [{ name: "s", image: server }, { name: "c", image: c }], manifest, onIdle: () => false });
    await ipcRun(clientN); // warm up
    const ipc = await best(reps, async () => (await ipcRun(clientN)) - (await ipcRun(client0)));
    const nullCall = await best(reps, async () => (await timeRun({ programs: [{ name: "g", image: getN }] })) - (await timeRun({ programs: [{ name: "g", image: get0 }] })));
    const perTrip = (ipc / N) * 1e6, perNull = (nullCall / N) * 1e6;

    // Boot to the shell prompt: from creating the machine to the first "$ " on the console.
    const disk = await defaultDisk();
    const bootMs = await best(reps, async () => {
      const boot = loadBootImage(disk.slice());
      let t1 = 0, last = 0;
      const t0 = performance.now();
      const k = await Kernel.create({
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
    fs.writeFile("/bin/readbig", reader);
    const text = new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, "shell readbig /bin/readbig");
    fs.writeFile("/boot/manifest", new TextEncoder().encode(text));
    const readMs = await best(reps, async () => {
      const boot = loadBootImage(fs.bytes.slice());
      let tS = 0, tE = 0;
      const k = await Kernel.create({
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
    const ratio = perTrip / perNull;
    return [
      {
        id: "ipc_roundtrip_ratio",
        value: Math.round(ratio * 1000) / 1000,
        unit: "ratio",
        goal: "≤ 3.0",
        ok: ratio <= 3.0,
        detail: `ipc_call + ipc_reply_recv with a 16-byte payload each way between two address spaces: ${perTrip.toFixed(0)} ns per round trip vs getpid ${perNull.toFixed(0)} ns (${N} iterations, best of ${reps})`,
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
