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
  // Everything that boots the microkernel shape or reaches a ring-3 server by IPC, and the IPC core's
  // unit tests: without the student's IPC they cannot pass (the file server retries its first disk
  // call forever, so a microkernel run only ends at its budget). tests/lab-project-tests.test.ts
  // keeps this list and the solutionCut("ipc") markers in step.
  projectTests: [
    "tests/cli-hardening.test.ts › image cat, image fsck, run and boot exit quietly when the reader goes away",
    "tests/cli-hardening.test.ts › the last --input line is typed even without a newline",
    "tests/cli-hardening.test.ts › --snapshot keeps writes in memory; a second session on a locked image is refused before booting",
    "tests/drivers.test.ts › console server",
    "tests/drivers.test.ts › disk server",
    "tests/drivers.test.ts › keyboard server",
    "tests/experiment.test.ts › ringside experiment",
    "tests/faults.test.ts › disk:crash@5 in the microkernel: the session completes; the trace shows the crash, the restart and the repeated request",
    "tests/faults.test.ts › fs:hang@3: the heartbeat kills the spinning file server, it is restarted, and the session completes",
    "tests/faults.test.ts › counts disk requests as docs/faults.md says: a cat of a small file after boot is 21 in the monolithic shape, 26 in the microkernel",
    "tests/faults.test.ts › a fault due at a request strikes before the server serves it, even one it takes from its queue (the caller's return fast path)",
    "tests/faults.test.ts › typed input waits for the shell while a crashed server restarts during boot (lines and keys)",
    "tests/faults.test.ts › a monolithic wild write lands in kernel memory, where the trace shows it; a microkernel one stays in the server",
    "tests/fpu.test.ts › fork copies it, and two processes taking turns on the FPU each keep their own registers",
    "tests/fs-crash.test.ts › the file server after a crash",
    "tests/fs-server.test.ts › the file server",
    "tests/hardening-fs.test.ts › a program cannot write /boot; appends through two descriptors keep every byte (${mode})",
    "tests/hardening-fs.test.ts › a descriptor of a removed file is cut off (-EBADF): it never reaches the next file given the inode (${mode})",
    "tests/hardening-fs.test.ts › a write at the largest file size is -EFBIG, not -ENOSPC; one across it writes what fits (${mode})",
    "tests/hardening-fs.test.ts › cat and echo say \"write error\" when their output fills the disk (cat: not that its input failed) (${mode})",
    "tests/image.test.ts › after the guest's file server writes, fsck is clean and the disk matches the library doing the same",
    "tests/ipc.test.ts › IPC between two servers",
    "tests/ipc.test.ts › IPC edge cases",
    "tests/kernel-run.test.ts › boots the default image (npm start) into the shell, which runs the hello program from /bin",
    "tests/line-editing.test.ts › arrow keys edit the line and up recalls the previous command (%s)",
    "tests/line-editing.test.ts › the two shapes echo the same bytes",
    "tests/line-editing.test.ts › cursor keys on the PS/2 keyboard (--keys) edit and recall the same way",
    "tests/microkernel.test.ts › a shell session on the microkernel",
    "tests/modes.test.ts › a shell session prints the same bytes, exits the same, and leaves the same fsck-clean disk",
    "tests/modes.test.ts › a file written in one mode reads back in the other",
    "tests/modes.test.ts › microkernel: the same call shows the messages hop by hop (cat → fs → disk → IRQ 14 → disk → fs → cat)",
    "tests/modes.test.ts › a driver server declared with dev=yes is reachable as /dev/<name> (${mode})",
    "tests/modes.test.ts › lseek to 0x7fff0001 and 0x7fff0002 returns those offsets (run --mode ${mode})",
    "tests/pty-session.test.ts › ringside boot on a terminal (tmux)",
    "tests/readme-tour.test.ts › every `npx ringside` command prints what the README shows, and `echo $?` gets the status shown",
    "tests/recovery.test.ts › recovery: what a client sees when a server dies",
    "tests/server-skeleton.test.ts › answers unknown request types -ENOSYS in console, keyboard, disk and fs, and keeps serving",
    "tests/shell.test.ts › a shell session",
    "tests/shell.test.ts › init and the shell's exit status",
    "tests/shell2.test.ts › pipes, redirects, cd and pwd",
    "tests/shell2.test.ts › ; & >> quotes $? and the new programs",
    "tests/shell2.test.ts › grep, head, wc and cd name the error of a file they cannot read, as cat does",
    "tests/shell2.test.ts › Ctrl-C (\\x03 on the serial line) stops the foreground job; the shell survives",
    "tests/shell2.test.ts › Ctrl-C typed on the keyboard (--keys) stops the foreground job; the shell survives",
    "tests/shell2.test.ts › Ctrl-C on the %s stops a job spinning in the foreground",
    "tests/torture.test.ts › 8 seeded faults into disk and fs: 0 lost acknowledged writes, 0 fsck problems, 0 hung clients",
    "tests/torture.test.ts › a run replays exactly (same acknowledgements, same outcome)",
    "tests/trace-v2.test.ts › trace schema version 2 on a recorded session (${mode} boot)",
    "tests/trace-session.test.ts › the trace tools on a shell-session trace",
    "tests/unit-ipc.test.ts › send to a waiting receiver copies the payload across a page boundary and wakes the receiver",
    "tests/unit-ipc.test.ts › traces nothing and reads no clock without a recorder",
    "tests/unit-ipc.test.ts › with a recorder: a direct delivery counts its bytes on the send event, a queued one on the receive",
    "tests/unit-ipc.test.ts › the payload is cut to the receiver's capacity and to IPC_MAX",
    "tests/unit-ipc.test.ts › copies by physical address when both one-page buffers are known (aligned small, unaligned, large)",
    "tests/unit-ipc.test.ts › a payload from an unmapped source copies what it can (0 bytes here)",
    "tests/unit-ipc.test.ts › send to a busy receiver queues the sender; receive delivers it and completes the sender with 0",
    "tests/unit-ipc.test.ts › a receiver waiting for another pid does not take the message: the sender queues",
    "tests/unit-ipc.test.ts › send to a zombie fails -ESRCH",
    "tests/unit-ipc.test.ts › call → the caller awaits → reply completes it with the words and the payload",
    "tests/unit-ipc.test.ts › a call queued at a busy server awaits after its receive, then the reply completes it",
    "tests/unit-ipc.test.ts › a reply from anyone but the callee is -EINVAL",
    "tests/unit-ipc.test.ts › a kernel-made call: the request turns the reply words into the call's result",
    "tests/unit-ipc.test.ts › refuses -EDEADLK when the receiver is (transitively) blocked sending to the sender",
    "tests/unit-ipc.test.ts › counts a caller awaiting a reply as part of a cycle",
    "tests/unit-ipc.test.ts › bits accumulate while the receiver is busy or waits for a pid; the next receive takes them all",
    "tests/unit-ipc.test.ts › queued senders and awaiting callers of the ended process fail -ESRCH; others are untouched",
    "tests/unit-ipc.test.ts › a kernel-made call fails through its request",
    "tests/unit-ipc.test.ts › an ended sender leaves the queue it was in",
    "tests/unit-services.test.ts › a ring-3 server takes precedence: the request is a kernel-made call by IPC, answered by reply",
    "tests/unit-services.test.ts › a request by IPC to a server that is gone fails through req.failed",
    "tests/unix-nasm-ld.test.ts › runs unchanged (%s): the child execs /bin/echo into the pipe, the parent prints it and exits 40",
    "tests/unix-nasm-ld.test.ts › runs from the shell of a booted image (/bin/forkpipe, started by fork and execve)",
    "tests/unix-run.test.ts › a classic Linux i386 program forks, pipes to its child and the child execs /bin/echo",
    "tests/unix-run.test.ts › kill of a zombie succeeds and does nothing until it is reaped; then -ESRCH",
    "tests/unix-run.test.ts › an orphan is handed to init (the first process): getppid says 1, and init's waitpid reaps it",
    "tests/unix-run.test.ts › a pointer into a heap or stack page not touched yet works in waitpid, nanosleep, ioctl and execve's argv; execve takes 6 KiB of arguments",
    "tests/unix-run.test.ts › a process that finds no free frame for a heap page is killed and told so; its frames go back and its parent carries on",
    "tests/unix-run.test.ts › pipes: EOF after the last writer closes, -EPIPE with SIGPIPE ignored, SIGPIPE kills by default, a writer blocks on a full pipe",
    "tests/unix-run.test.ts › dup2 redirects stdout into a file; dup and fork share the description's offset",
    "tests/unix-run.test.ts › chdir, getcwd and relative paths (resolved by the kernel against the cwd)",
    "tests/unix-run.test.ts › execve: -ENOENT, -ENOEXEC (a text file), -EACCES (a directory) leave the caller running; then /bin/echo replaces it",
    "tests/unix-run.test.ts › kill(-pgid, SIGTERM) ends a whole process group; waitpid(-pgid) reaps it",
    "tests/unix-run.test.ts › 50 forked children are all reaped",
    "tests/unix-termios.test.ts › TCGETS reads the console's c_lflag and c_cc; TCSETS, TCSETSW and TCSETSF set it; -EFAULT, -ENOTTY, -EBADF",
    "tests/unix-termios.test.ts › keys switches the console to raw mode: bytes as typed, no echo, no line editing; the shell's line editing is back after",
    "tests/unix-termios.test.ts › a program that leaves the console raw (no echo, no line editing) does not leave the shell so",
    "tests/unix-termios.test.ts › lines typed while a program sleeps are read after TCSETS and gone after TCSETSF",
    "tests/unix-termios.test.ts › keys typed on the keyboard (keyboard server → console server) reach keys one byte at a time",
    "tests/usertests.test.ts › prints ALL TESTS PASSED and leaves an fsck-clean disk",
  ],
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
