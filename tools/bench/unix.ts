// Unix benchmarks: what fork + exit + wait costs, and a 1-byte pipe round trip between two
// processes, each in null syscalls (getpid) measured in the same run. One program alternates ROUNDS
// chunks of getpid calls, of fork/exit/waitpid and of pipe round trips (after untimed warm-up of
// each: v86 compiles a page after ~200k interpreted instructions); the host times each chunk between
// the console marks the program writes as it starts one, as tools/bench/microkernel.ts does, so
// neither building the machine nor the JIT's warm-up counts, and all three share the host's slow
// spells. Monolithic shape (pipes are an in-kernel service in both shapes).
import { createKernel } from "../build/kernel.ts";
import { assembleProgram } from "../asm/program.ts";
import { median, r3, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

const NULL_CHUNK = 10_000;
const FORK_CHUNK = 200;
const PIPE_CHUNK = 2_000;
const ROUNDS = 10;
const WARM_NULL = 50_000;
const WARM_FORK = 200;
const WARM_PIPE = 2_000;
const MARK_NULL = 0x67, MARK_FORK = 0x66, MARK_PIPE = 0x70, MARK_END = 0x65; // "g", "f", "p", "e"

const PROGRAM = `
section .data
marks db "gfpe"
section .bss
p2c resd 2
c2p resd 2
byte1 resb 4
rounds resd 1
section .text
global _start
_start:
    mov eax, 42                 ; pipe(p2c), pipe(c2p)
    mov ebx, p2c
    int 0x80
    mov eax, 42
    mov ebx, c2p
    int 0x80
    mov eax, 2                  ; the echo child
    int 0x80
    test eax, eax
    jz echo
    mov edx, ${WARM_NULL}
    call getpids
    mov edx, ${WARM_FORK}
    call forks
    mov edx, ${WARM_PIPE}
    call trips
    mov dword [rounds], ${ROUNDS}
.round:
    mov ecx, marks
    call mark
    mov edx, ${NULL_CHUNK}
    call getpids
    mov ecx, marks + 1
    call mark
    mov edx, ${FORK_CHUNK}
    call forks
    mov ecx, marks + 2
    call mark
    mov edx, ${PIPE_CHUNK}
    call trips
    dec dword [rounds]
    jnz .round
    mov ecx, marks + 3
    call mark
    mov eax, 6                  ; close(p2c[1]): the echo child sees EOF and exits
    mov ebx, [p2c+4]
    int 0x80
    mov eax, 7                  ; waitpid(-1, 0, 0)
    mov ebx, -1
    xor ecx, ecx
    xor edx, edx
    int 0x80
    mov eax, 1
    xor ebx, ebx
    int 0x80

; mark: writes the byte at ECX to stdout.
mark:
    mov eax, 4
    mov ebx, 1
    mov edx, 1
    int 0x80
    ret

; EDX getpid calls.
getpids:
    mov eax, 20
    int 0x80
    dec edx
    jnz getpids
    ret

; EDX times: fork, the child exits at once, waitpid for it.
forks:
    push edx
    mov eax, 2
    int 0x80
    test eax, eax
    jz .child
    mov ebx, eax
    mov eax, 7
    xor ecx, ecx
    xor edx, edx
    int 0x80
    pop edx
    dec edx
    jnz forks
    ret
.child:
    mov eax, 1
    xor ebx, ebx
    int 0x80

; EDX round trips: 1 byte to the echo child, 1 byte back.
trips:
    push edx
    mov eax, 4
    mov ebx, [p2c+4]
    mov ecx, byte1
    mov edx, 1
    int 0x80
    mov eax, 3
    mov ebx, [c2p]
    mov ecx, byte1
    mov edx, 1
    int 0x80
    pop edx
    cmp eax, 1
    jne .fail
    dec edx
    jnz trips
    ret
.fail:
    mov eax, 1
    mov ebx, 1
    int 0x80

; The echo child: reads a byte from p2c, writes it to c2p, until end of file.
echo:
    mov eax, 6
    mov ebx, [p2c+4]
    int 0x80
    mov eax, 6
    mov ebx, [c2p]
    int 0x80
.loop:
    mov eax, 3
    mov ebx, [p2c]
    mov ecx, byte1
    mov edx, 1
    int 0x80
    cmp eax, 1
    jne .done
    mov eax, 4
    mov ebx, [c2p+4]
    mov ecx, byte1
    mov edx, 1
    int 0x80
    jmp .loop
.done:
    mov eax, 1
    xor ebx, ebx
    int 0x80
`;

/** Per-operation times of one run, in ns, chunk by chunk. */
interface UnixTimes {
  nullChunks: number[];
  forkChunks: number[];
  pipeChunks: number[];
}

async function unixRun(): Promise<UnixTimes> {
  const image = await assembleProgram("unix-bench.asm", PROGRAM);
  const t: UnixTimes = { nullChunks: [], forkChunks: [], pipeChunks: [] };
  let last = 0, open = 0;
  const k = await createKernel({
    programs: [{ name: "unix", image }],
    onConsole: (b) => {
      const now = performance.now();
      if (open === MARK_NULL) t.nullChunks.push(((now - last) / NULL_CHUNK) * 1e6);
      else if (open === MARK_FORK) t.forkChunks.push(((now - last) / FORK_CHUNK) * 1e6);
      else if (open === MARK_PIPE) t.pipeChunks.push(((now - last) / PIPE_CHUNK) * 1e6);
      open = b;
      last = now;
    },
  });
  const r = await k.run();
  k.destroy();
  if (r.reason !== "exit" || r.status !== 0 || open !== MARK_END) throw new Error(`unix bench run failed: ${r.reason} ${r.status} ${r.panic ?? ""}`);
  return t;
}

export const unixBench: Bench = {
  name: "unix",
  async run(): Promise<BenchResult[]> {
    const t = await unixRun();
    const nullNs = median(t.nullChunks);
    // Each chunk's ratio against the getpid chunk timed just before it (same round).
    const forkRatios = t.forkChunks.map((f, i) => f / t.nullChunks[i]!);
    const pipeRatios = t.pipeChunks.map((p, i) => p / t.nullChunks[i]!);
    const how = `${ROUNDS} rounds of ${NULL_CHUNK} getpid / ${FORK_CHUNK} fork+exit+waitpid / ${PIPE_CHUNK} pipe round trips in one run (monolithic), after untimed warm-up; each chunk over the getpid chunk of its round; ratios min/median/max`;
    return [
      {
        id: "fork_exit_ratio",
        value: r3(median(forkRatios)),
        unit: "null syscalls",
        detail: `fork + child exit + waitpid: ${median(t.forkChunks).toFixed(0)} ns, getpid ${nullNs.toFixed(0)} ns; ratio ${spread(forkRatios, 1)}; ${how}`,
      },
      {
        id: "pipe_roundtrip_ratio",
        value: r3(median(pipeRatios)),
        unit: "null syscalls",
        detail: `1 byte to a child and 1 byte back through two pipes: ${median(t.pipeChunks).toFixed(0)} ns; ratio ${spread(pipeRatios, 1)}; ${how}`,
      },
    ];
  },
};
