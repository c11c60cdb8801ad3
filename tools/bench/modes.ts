// The same workloads in both shapes of the system: `cat` of a 1 MiB file (read in 4 KiB pieces and
// written to the console) and 1,000 small (16-byte) writes to a file, each booted from the same
// image as the shell of a monolithic machine (services in the kernel) and of a microkernel machine
// (services as ring-3 servers). Runs alternate between the modes after an untimed warm-up of each;
// each workload is timed between console marks, in guest instructions and in host wall time, and
// the ratios micro ÷ mono are those of the medians. No goal: these are the figures the
// monolithic-versus-microkernel debate is about.
import { createKernel } from "../build/kernel.ts";
import { loadBootImage } from "../../boot/loader.ts";
import type { KernelMode } from "../../kernel/kernel.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { readFileSync } from "node:fs";
import type { Bench, BenchResult } from "./types.ts";

const FILE_BYTES = 1024 * 1024;
const WRITES = 1000;
const RUNS = 5;
const MARK_START = 0x01, MARK_END = 0x02; // control bytes: not in the file's output (see below)

/** Reads /home/big.bin in 4 KiB pieces and writes each to stdout, between the marks. */
const CAT = `
%include "ulib.inc"
section .data
path db "/home/big.bin", 0
m_start db ${MARK_START}
m_end db ${MARK_END}
section .bss
fd resd 1
buf resb 4096
section .text
global _start
_start:
    SYSCALL SYS_write, 1, m_start, 1
    SYSCALL SYS_open, path, O_RDONLY, 0
    test eax, eax
    js .fail
    mov [fd], eax
.next:
    SYSCALL SYS_read, [fd], buf, 4096
    test eax, eax
    js .fail
    jz .done
    mov ebx, 1
    mov ecx, buf
    mov edx, eax
    call ulib_write_all
    test eax, eax
    js .fail
    jmp .next
.done:
    SYSCALL SYS_close, [fd]
    SYSCALL SYS_write, 1, m_end, 1
    mov ebx, 0
    call ulib_exit
.fail:
    mov ebx, 1
    call ulib_exit
`;

/** Creates /home/small.txt and writes ${WRITES} lines of 16 bytes to it, between the marks. */
export const WRITER = `
%include "ulib.inc"
section .data
path db "/home/small.txt", 0
line db "0123456789abcde", 10
m_start db ${MARK_START}
m_end db ${MARK_END}
section .bss
fd resd 1
left resd 1
section .text
global _start
_start:
    SYSCALL SYS_write, 1, m_start, 1
    SYSCALL SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, 0
    test eax, eax
    js .fail
    mov [fd], eax
    mov dword [left], ${WRITES}
.next:
    SYSCALL SYS_write, [fd], line, 16
    cmp eax, 16
    jne .fail
    dec dword [left]
    jnz .next
    SYSCALL SYS_close, [fd]
    SYSCALL SYS_write, 1, m_end, 1
    mov ebx, 0
    call ulib_exit
.fail:
    mov ebx, 1
    call ulib_exit
`;

interface Sample {
  instructions: number;
  ms: number;
}

/** An image whose shell is `program` (with /home/big.bin on it); `manifest` may rewrite the manifest. */
export async function imageWith(name: string, program: string, manifest: (text: string) => string = (t) => t): Promise<Uint8Array> {
  const raw = readFileSync(await ensureDefaultImage());
  const fs = Rsfs.open(new Uint8Array(raw));
  const big = new Uint8Array(FILE_BYTES);
  for (let i = 0; i < big.length; i++) big[i] = 0x20 + (((i * 2654435761) >>> 24) % 0x5f); // printable: no mark bytes
  fs.writeFile("/home/big.bin", big);
  fs.writeFile(`/bin/${name}`, await assembleProgram(`${name}.asm`, program));
  const text = manifest(new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, `shell ${name} /bin/${name}`));
  fs.writeFile("/boot/manifest", new TextEncoder().encode(text));
  return fs.bytes;
}

/** Boots `disk` in `mode` and measures the workload between its marks. */
export async function measure(disk: Uint8Array, mode: KernelMode): Promise<Sample> {
  const boot = loadBootImage(disk.slice());
  let i0 = 0, i1 = 0, t0 = 0, t1 = 0;
  const k = await createKernel({
    ...boot,
    mode,
    onConsole: (b) => {
      if (b === MARK_START) {
        t0 = performance.now();
        i0 = k.machine.icount();
      } else if (b === MARK_END) {
        t1 = performance.now();
        i1 = k.machine.icount();
      }
    },
    onIdle: () => false,
  });
  const r = await k.run();
  k.destroy();
  if (r.status !== 0 || !t1) throw new Error(`the ${mode} workload failed: ${r.reason} status ${r.status} ${r.panic ?? ""}`);
  return { instructions: i1 - i0, ms: t1 - t0 };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
export const range = (xs: number[], digits: number): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(digits)}/${median(xs).toFixed(digits)}/${s[s.length - 1]!.toFixed(digits)}`;
};

/** One workload in both modes, alternating, after an untimed run of each. */
async function compare(id: string, what: string, disk: Uint8Array): Promise<BenchResult[]> {
  await measure(disk, "monolithic");
  await measure(disk, "microkernel");
  const mono: Sample[] = [], micro: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    mono.push(await measure(disk, "monolithic"));
    micro.push(await measure(disk, "microkernel"));
  }
  const mi = median(micro.map((s) => s.instructions)), ni = median(mono.map((s) => s.instructions));
  const mw = median(micro.map((s) => s.ms)), nw = median(mono.map((s) => s.ms));
  return [
    {
      id: `${id}_ratio`,
      value: Math.round((mw / nw) * 1000) / 1000,
      unit: "ratio",
      detail: `${what}: microkernel ÷ monolithic host wall time, ${mw.toFixed(1)} ms vs ${nw.toFixed(1)} ms (min/median/max: micro ${range(micro.map((s) => s.ms), 1)} ms, mono ${range(mono.map((s) => s.ms), 1)} ms; ${RUNS} alternating runs after one untimed of each). Guest instructions: micro ${mi} vs mono ${ni} (${(mi / ni).toFixed(2)}×); the in-kernel services' work is host time the guest clock does not count`,
    },
    { id: `${id}_instructions_ratio`, value: Math.round((mi / ni) * 1000) / 1000, unit: "ratio", detail: `${what}: guest instructions, microkernel ${mi} ÷ monolithic ${ni}` },
  ];
}

export const modesBench: Bench = {
  name: "modes",
  async run(): Promise<BenchResult[]> {
    return [
      ...(await compare("mode_cat_1mib", "cat of a 1 MiB file (4 KiB reads, written to the console)", await imageWith("catbig", CAT))),
      ...(await compare("mode_small_writes", `${WRITES} writes of 16 bytes to a file`, await imageWith("writes", WRITER))),
    ];
  },
};
