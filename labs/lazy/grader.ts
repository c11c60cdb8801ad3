// The grader of the `lazy` lab (labs/lazy/README.md): `npx ringside lab grade lazy`.
// Every check reads the trace recorded at the trap boundary (#PF exceptions and the `pagefault`
// events that explain them, system calls and their results, exits) and the kernel's free-frame count
// sampled by the grader at system-call entries — never what the student's code says about itself.
import { defineLab, type Run } from "../../tools/lab/grade-lib.ts";

const BUDGET = 20_000_000;
const PAGE = 4096;
const STACK_TOP = 0xc0000000;
const STACK_MAX = 1024 * 1024;

/** The first page boundary at or above `a` (the heap's first page may share .bss's, mapped already). */
const pageUp = (a: number) => Math.ceil(a / PAGE) * PAGE;

/** The heap's start: what the program's first brk(0) returned. */
function heapStart(r: Run, proc: string): number {
  return r.expectSyscall("brk", { proc, nth: 0, args: [0], ret: (v) => v > 0, retText: "the current break" }, "brk(0)").value! >>> 0;
}

export default defineLab({
  name: "lazy",
  title: "Demand paging: heap and stack pages mapped on first touch",
  edits: ["kernel/user-memory.ts", "kernel/sys/mem.ts"],
  typicalSeconds: 8,
  projectTests: [
    "tests/kernel-core.test.ts › memory › brk grows the heap lazily, refuses a break past the limit, and shrinks",
    "tests/kernel-core.test.ts › memory › a program that recurses forever is killed with #PF at the stack guard page",
    "tests/unix-run.test.ts › a pointer into a heap or stack page not touched yet works in waitpid, nanosleep, ioctl and execve's argv; execve takes 6 KiB of arguments",
    "tests/unix-run.test.ts › a process that finds no free frame for a heap page is killed and told so; its frames go back and its parent carries on",
  ],
  tests: [
    {
      name: "heap-on-touch",
      title: "each heap page is mapped by the page-fault handler when it is first touched (outcome mapped)",
      points: 5,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/touch.asm")], budget: BUDGET });
        const base = pageUp(heapStart(r, "touch"));
        const top = base + 65536;
        const faults = r.expectPagefaults({ proc: "touch", outcome: "mapped", count: 16, where: (e) => (e.addr as number) >= base && (e.addr as number) < top }, "16 heap pages, each mapped at its first touch");
        // Each pagefault event explains the #PF just before it, on the same address.
        for (const f of faults) {
          const pf = r.events[f.seq - 1];
          if (pf?.kind !== "exception" || pf.vector !== 14 || pf.cr2 !== f.addr) r.fail("a pagefault event follows the #PF it explains", { expected: `#PF cr2=0x${(f.addr as number).toString(16)} at event ${f.seq - 1}`, actual: pf ? `${pf.kind} ${pf.name ?? ""}` : "nothing", at: f.seq });
        }
        r.expectCount({ kind: "pagefault", proc: "touch", outcome: "killed" }, 0, "no page fault kills the program");
        r.expectStatus(0, "touch.asm reads back what it wrote and exits 0");
      },
    },
    {
      name: "only-touched",
      title: "brk allocates no memory; touching 3 of 256 new heap pages takes 3 frames",
      points: 5,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/sparse.asm")], budget: BUDGET });
        r.expectStatus(0);
        const grow = r.expectSyscall("brk", { proc: "sparse", nth: 1, ret: (v) => v > 0, retText: "the new break" }, "brk(start + 1 MiB)");
        const a = r.expectSyscall("getpid", { proc: "sparse", nth: 0 }, "checkpoint A");
        const b = r.expectSyscall("getpid", { proc: "sparse", nth: 1 }, "checkpoint B");
        const byBrk = r.freeFramesAt(grow.entry) - r.freeFramesAt(a.entry);
        if (byBrk > 1) r.fail("growing the break by 1 MiB must not allocate its pages", { expected: "at most 1 frame (a page table) taken by brk", actual: `${byBrk} frames taken between brk and the next system call`, at: grow.ret!.seq });
        const byTouch = r.freeFramesAt(a.entry) - r.freeFramesAt(b.entry);
        if (byTouch < 3 || byTouch > 4) r.fail("touching 3 heap pages", { expected: "3 frames (4 with a new page table)", actual: `${byTouch} frames`, at: b.entry.seq });
        r.expectPagefaults({ proc: "sparse", outcome: "mapped", count: 3 }, "one mapped page fault per touched page");
      },
    },
    {
      name: "stack-grows",
      title: "the stack grows on first touch down to its 1 MiB limit; the guard page below still kills",
      points: 5,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/stack.asm")], budget: BUDGET });
        r.expectPagefaults({ proc: "stack", outcome: "mapped", count: { min: 15, max: 16 }, where: (e) => (e.addr as number) >= STACK_TOP - STACK_MAX }, "64 KiB of stack, page by page");
        r.expectStatus(0, "stack.asm exits 0");
        const deep = await t.run({ programs: [t.labFile("tests/recurse.asm")], budget: BUDGET });
        deep.expectPagefaults({ proc: "recurse", outcome: "mapped", count: { min: 250, max: 256 } }, "a 1 MiB stack, mapped page by page");
        const killed = deep.expectPagefaults({ proc: "recurse", outcome: "killed", count: 1 }, "one fatal fault");
        const addr = killed[0]!.addr as number;
        if (addr !== STACK_TOP - STACK_MAX - 4) deep.fail("the fatal fault is in the guard page, right below the 1 MiB stack", { expected: `cr2=0x${(STACK_TOP - STACK_MAX - 4).toString(16)}`, actual: `cr2=0x${addr.toString(16)}`, at: killed[0]!.seq });
        deep.expectKilled("recurse", 14, "recurse.asm killed by #PF");
      },
    },
    {
      name: "past-break",
      title: "a touch past the break is still killed with #PF (outcome killed)",
      points: 3,
      needsSolution: false,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/pastbrk.asm")], budget: BUDGET });
        const start = heapStart(r, "pastbrk");
        const bad = start + 16384;
        r.expectInOrder(
          [
            { kind: "exception", proc: "pastbrk", vector: 14, where: (e) => e.cr2 === bad },
            { kind: "pagefault", proc: "pastbrk", outcome: "killed", where: (e) => e.addr === bad },
            { kind: "exit", proc: "pastbrk", vector: 14 },
          ],
          `the touch at 0x${bad.toString(16)} (two pages past the break)`,
        );
        r.expectStatus(128 + 14);
      },
    },
    {
      name: "shrink-frees",
      title: "shrinking the break frees the frames above it, and those pages are gone",
      points: 4,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/shrink.asm")], budget: BUDGET });
        const start = heapStart(r, "shrink");
        const a = r.expectSyscall("getpid", { proc: "shrink", nth: 0 }, "checkpoint A");
        r.expectSyscall("brk", { proc: "shrink", nth: 2, args: [start], ret: start }, "brk(start): the heap given back");
        const b = r.expectSyscall("getpid", { proc: "shrink", nth: 1 }, "checkpoint B");
        const freed = r.freeFramesAt(b.entry) - r.freeFramesAt(a.entry);
        if (freed < 16) r.fail("shrinking the break by 16 touched pages", { expected: "16 frames freed", actual: `${freed}`, at: b.entry.seq });
        const bad = pageUp(start) + 8192;
        r.expectInOrder([{ kind: "pagefault", proc: "shrink", outcome: "killed", where: (e) => e.addr === bad }, { kind: "exit", proc: "shrink", vector: 14 }], `a touch at 0x${bad.toString(16)} after the shrink`);
      },
    },
    {
      name: "syscall-buffer",
      title: "a system call may be given a buffer in a heap or stack page never touched",
      points: 3,
      async run(t) {
        const r = await t.run({ programs: [t.labFile("tests/bufs.asm")], budget: BUDGET });
        const start = heapStart(r, "bufs");
        r.expectSyscall("procinfo", { proc: "bufs", nth: 0, args: [1, start + 8192], ret: 1 }, "procinfo into an untouched heap page");
        r.expectSyscall("procinfo", { proc: "bufs", nth: 1, ret: 1 }, "procinfo into an untouched stack page");
        r.expectStatus(0);
        r.expectOutput("bufs\nbufs\n");
      },
    },
  ],
});
