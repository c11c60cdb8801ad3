// The grader of the `ipc` lab (labs/ipc/README.md): `npx ringside lab grade ipc`.
// The lab's programs run in the monolithic shape (the built-in services in the kernel, so the system
// starts without the student's IPC), with the lab's own ring-3 servers (labs/ipc/manifest:
// ipcecho, a device that keeps what is written; ipca and ipcb, which call each other at start) —
// every message between them goes through the student's kernel/ipc.ts. `boot-shell` boots the whole
// microkernel system into the shell. Checks read `ipc` events, system calls and the programs' output.
import { defineLab, type Run, type TestContext } from "../../tools/lab/grade-lib.ts";

const BUDGET = 100_000_000;
const SERVERS = ["ipcecho", "ipca", "ipcb"];

async function labRun(t: TestContext, program: string): Promise<Run> {
  return t.run({ programs: [t.labFile(`tests/${program}.asm`)], modules: SERVERS.map((s) => t.labFile(`tests/${s}.asm`)), manifest: "labs/ipc/manifest", budget: BUDGET });
}

let pagesRun: Promise<Run> | undefined;
const pages = (t: TestContext) => (pagesRun ??= labRun(t, "pages"));

const pid = (r: Run, name: string) => r.expectEvent({ kind: "spawn", proc: name }, `${name} is started`).pid!;

export default defineLab({
  name: "ipc",
  title: "Synchronous IPC: send, receive, reply, the payload copy and the deadlock check",
  edits: ["kernel/ipc.ts"],
  typicalSeconds: 5,
  tests: [
    {
      name: "rendezvous",
      title: "a write to a ring-3 device is a send to the server, a receive by it and a reply, in that order",
      points: 4,
      async run(t) {
        const r = await pages(t);
        const prog = pid(r, "pages"), echo = pid(r, "ipcecho");
        r.expectInOrder(
          [
            { kind: "ipc", op: "send", src: prog, dst: echo },
            { kind: "ipc", op: "receive", src: prog, dst: echo },
            { kind: "ipc", op: "reply", src: echo, dst: prog },
            { kind: "ipc", op: "send", src: prog, dst: echo },
            { kind: "ipc", op: "receive", src: prog, dst: echo },
            { kind: "ipc", op: "reply", src: echo, dst: prog },
          ],
          "write then read of /dev/ipcecho: send, receive, reply twice",
        );
        r.expectSyscall("write", { proc: "pages", nth: 0, ret: 4096 }, "write(/dev/ipcecho, 4096 bytes) = 4096");
      },
    },
    {
      name: "payload-pages",
      title: "4096 bytes cross both address spaces intact, from and into buffers that straddle page boundaries",
      points: 6,
      async run(t) {
        const r = await pages(t);
        const prog = pid(r, "pages"), echo = pid(r, "ipcecho");
        r.expectEvent({ kind: "ipc", op: "send", src: prog, dst: echo, where: (e) => e.bytes === 4096 }, "the write's payload: 4096 bytes sent");
        r.expectEvent({ kind: "ipc", op: "reply", src: echo, dst: prog, where: (e) => e.bytes === 4096 }, "the read's reply: 4096 bytes");
        r.expectSyscall("read", { proc: "pages", nth: 0, ret: 4096 }, "read(/dev/ipcecho) = 4096");
        r.expectOutput("same\n", "pages compares what it read with what it wrote");
        r.expectStatus(0);
      },
    },
    {
      name: "deadlock",
      title: "two servers that call each other: one call fails -EDEADLK instead of hanging, the other gets its reply",
      points: 5,
      async run(t) {
        const r = await labRun(t, "errors");
        const a = r.expectSyscall("ipc_call", { proc: "ipca", ret: (v) => v === 0 || v === -35, retText: "0 or -EDEADLK" }, "ipca's call to ipcb");
        const b = r.expectSyscall("ipc_call", { proc: "ipcb", ret: (v) => v === 0 || v === -35, retText: "0 or -EDEADLK" }, "ipcb's call to ipca");
        const vals = [a.value! | 0, b.value! | 0].sort();
        if (vals[0] !== -35 || vals[1] !== 0) r.fail("exactly one of the two calls is refused", { expected: "one -EDEADLK (-35), one 0", actual: `ipca: ${a.value! | 0}, ipcb: ${b.value! | 0}`, at: b.entry.seq });
      },
    },
    {
      name: "errors",
      title: "-EPERM without a send right, -EFAULT for a kernel pointer (checked before the IPC core: keep them passing)",
      points: 2,
      needsSolution: false,
      async run(t) {
        const r = await labRun(t, "errors");
        r.expectSyscall("ipc_call", { proc: "errors", ret: -1 }, "a program's ipc_call to ipcecho (no send right)");
        r.expectSyscall("write", { proc: "errors", ret: -14 }, "write(/dev/ipcecho, 0xc0000000, 16)");
        r.expectStatus(0);
      },
    },
    {
      name: "boot-shell",
      title: "the whole microkernel system boots on your IPC: the shell runs `echo ipc works | cat`",
      points: 6,
      async run(t) {
        const r = await t.boot({ input: "echo ipc works | cat\n", budget: 300_000_000 });
        r.expectOutput(/ipc works\r?\n/, "the shell's output");
        r.expectCount({ kind: "ipc", op: "reply" }, { min: 10 }, "replies from the servers");
      },
    },
  ],
});
