// What the floor and kernel benches rest on: switching the trace recorder off and on within one run
// (Kernel.setTraceRecording), the in-machine anchor (bench-only vector 0x83) really moving 16
// bytes each way between two address spaces while the kernel keeps running around it, and the
// framed host crossing (bench-only vector 0x85) saving a whole trap frame and giving every register back.
import { describe, expect, it } from "vitest";
import { createKernel } from "../tools/build/kernel.ts";
import { assembleProgram } from "../tools/asm/program.ts";
import { parseManifest } from "../kernel/manifest.ts";
import { TraceRecorder } from "../kernel/trace/recorder.ts";
import { syscallName } from "../kernel/syscalls.ts";
import { anchorPartner, armAnchor } from "../tools/bench/anchor.ts";
import { initSpawning } from "../tools/bench/chunks.ts";
import { BENCH_NULL_PORT, FRAME } from "../kernel/layout.ts";

const GETPIDS = `
%include "ulib.inc"
section .data
x db "x"
y db "y"
section .text
global _start
_start:
    SYSCALL SYS_write, 1, x, 1
    mov edx, 7
.a: mov eax, SYS_getpid
    int 0x80
    dec edx
    jnz .a
    SYSCALL SYS_write, 1, y, 1
    mov edx, 3
.b: mov eax, SYS_getpid
    int 0x80
    dec edx
    jnz .b
    mov ebx, 0
    call ulib_exit
`;

/** getpid syscall events in a run of GETPIDS; with `toggle`, recording stops at "x" and resumes at "y". */
async function getpidEvents(toggle: boolean): Promise<number> {
  let text = "";
  const trace = new TraceRecorder((t) => (text += t), { ipms: 100_000, mode: "monolithic", tool: "test" }, syscallName, { version: 1 });
  const image = await assembleProgram("getpids.asm", GETPIDS);
  const k = await createKernel({
    programs: [{ name: "getpids", image }],
    trace,
    onConsole: (b) => {
      if (toggle) k.setTraceRecording(b === 0x79);
    },
  });
  const r = await k.run();
  k.destroy();
  trace.finish();
  expect(r.status).toBe(0);
  return text.split("\n").filter((l) => l.includes('"kind":"syscall"') && l.includes('"name":"getpid"')).length;
}

describe("Kernel.setTraceRecording", () => {
  it("records nothing while off and everything again once back on", async () => {
    expect(await getpidEvents(false)).toBe(10);
    expect(await getpidEvents(true)).toBe(3);
  });
});

/**
 * The client parks the partner (takes its call, never answers), has the host arm the anchor, then
 * makes 1,000 anchor round trips: each sends 16 bytes and expects them back complemented by the
 * partner; a getpid between trips keeps the TypeScript kernel in the loop. Exit 0 only if every
 * byte came back right.
 */
const CLIENT = `
%include "ulib.inc"
section .data
arm db "a"
section .bss
msg resb 16
section .text
global _start
_start:
    mov dword [msg], 0
    SYSCALL SYS_ipc_receive, -1, 0, 0, msg, 16
    SYSCALL SYS_write, 1, arm, 1
    sub esp, 16
    mov ebp, 1000
.trip:
    mov [esp], ebp
    lea eax, [ebp + 0x1000]
    mov [esp + 4], eax
    lea eax, [ebp * 2]
    mov [esp + 8], eax
    mov dword [esp + 12], 0x5a5a5a5a
    mov esi, esp
    int 0x83
    mov eax, [esp]
    not eax
    cmp eax, ebp
    jne .bad
    mov eax, [esp + 4]
    not eax
    lea ecx, [ebp + 0x1000]
    cmp eax, ecx
    jne .bad
    mov eax, [esp + 8]
    not eax
    lea ecx, [ebp * 2]
    cmp eax, ecx
    jne .bad
    cmp dword [esp + 12], 0xa5a5a5a5
    jne .bad
    mov eax, SYS_getpid
    int 0x80
    dec ebp
    jnz .trip
    mov ebx, 0
    call ulib_exit
.bad:
    mov ebx, 1
    call ulib_exit
`;

describe("the in-machine anchor (vector 0x83)", () => {
  it("moves 16 bytes each way between two address spaces, 1,000 times, with no host call", async () => {
    const complement = "    not dword [esi]\n    not dword [esi + 4]\n    not dword [esi + 8]\n    not dword [esi + 12]";
    const asm = (name: string, src: string) => assembleProgram(`${name}.asm`, src);
    let text = "", armedAt = -1;
    const trace = new TraceRecorder((t) => (text += t), { ipms: 100_000, mode: "microkernel", tool: "test" }, syscallName, { version: 1 });
    const k = await createKernel({
      programs: [{ name: "init", image: await asm("init", initSpawning(["p", "c"])) }],
      modules: [
        { name: "p", image: await asm("p", anchorPartner("c", complement)) },
        { name: "c", image: await asm("c", CLIENT) },
      ],
      manifest: parseManifest("server p /p send=c\nserver c /c\ninit init /init\nshell sh /bin/sh\n"),
      benchVector: true,
      trace,
      onIdle: () => false,
      onConsole: (b) => {
        if (b === 0x61) {
          armAnchor(k, "c", "p");
          armedAt = trace.events;
        }
      },
    });
    const r = await k.run();
    k.destroy();
    trace.finish();
    expect(r.reason).toBe("shutdown"); // init ended with the client's status
    expect(r.status).toBe(0);
    // Every kernel entry is a trace event. After arming: the 1,000 getpids and a few calls to end;
    // the 2,000 anchor halves entered the kernel not once.
    const entries = text
      .split("\n")
      .slice(1 + armedAt)
      .filter((l) => /"kind":"(syscall|exception|irq)"/.test(l));
    expect(armedAt).toBeGreaterThan(0);
    expect(entries.filter((l) => l.includes('"name":"getpid"')).length).toBe(1000);
    expect(entries.length).toBeLessThan(1020);
  });
});

/** Sets every general register, calls `int 0x85` 3 times, and exits 0 only if each register came back unchanged. */
const FRAMED = `
%include "ulib.inc"
section .text
global _start
_start:
    mov ecx, 3
.call:
    push ecx
    mov eax, 0x11111111
    mov ebx, 0x22222222
    mov ecx, 0x33333333
    mov edx, 0x44444444
    mov esi, 0x55555555
    mov edi, 0x66666666
    mov ebp, 0x77777777
    int 0x85
    cmp eax, 0x11111111
    jne .bad
    cmp ebx, 0x22222222
    jne .bad
    cmp ecx, 0x33333333
    jne .bad
    cmp edx, 0x44444444
    jne .bad
    cmp esi, 0x55555555
    jne .bad
    cmp edi, 0x66666666
    jne .bad
    cmp ebp, 0x77777777
    jne .bad
    pop ecx
    dec ecx
    jnz .call
    mov ebx, 0
    call ulib_exit
.bad:
    mov ebx, 1
    call ulib_exit
`;

describe("the framed host crossing (vector 0x85)", () => {
  it("hands the host a whole trap frame and gives every register back", async () => {
    const k = await createKernel({ programs: [{ name: "framed", image: await assembleProgram("framed.asm", FRAMED) }], benchVector: true });
    const seen: number[][] = [];
    k.machine.onPortWrite32(BENCH_NULL_PORT, (f) => {
      const at = (off: number) => k.machine.read32(f + off);
      seen.push([at(FRAME.vector), at(FRAME.errorCode), at(FRAME.eax), at(FRAME.ebx), at(FRAME.ecx), at(FRAME.edx), at(FRAME.esi), at(FRAME.edi), at(FRAME.ebp), at(FRAME.cs) & 3, at(FRAME.ds)]);
    });
    const r = await k.run();
    k.destroy();
    expect(r.status).toBe(0);
    expect(seen).toHaveLength(3);
    for (const s of seen) expect(s).toEqual([0x85, 0, 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666, 0x77777777, 3, 0x23]);
  });
});
