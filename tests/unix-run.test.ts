// The Unix calls through `ringside run`, in the monolithic shape (the default) and as a microkernel:
// a Linux tutorial program (pipe, fork, dup2, execve /bin/echo) runs unchanged; copy-on-write faults
// in the trace; pipe EOF, EPIPE and SIGPIPE; dup2 redirection and shared offsets; chdir, getcwd and
// relative paths; execve errors; kill of a process group; 50 forks reaped.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "ringside-unix-"));
const MODES = ["monolithic", "microkernel"] as const;

function run(name: string, mode: string, extra: string[] = []) {
  return ringside(["run", "--mode", mode, prog(`${name}.asm`), ...extra]);
}

describe.each(MODES)("Unix calls (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("a classic Linux i386 program forks, pipes to its child and the child execs /bin/echo", () => {
    const r = run("forkpipe", mode);
    expect(r.stdout).toBe("parent got: hello through a pipe\n");
    expect(r.code).toBe(40); // the child's exit status 0, plus 40
    expect(r.stderr).toMatch(/\[pid \d+ echo\] exit 0/);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("pipes: EOF after the last writer closes, -EPIPE with SIGPIPE ignored, SIGPIPE kills by default, a writer blocks on a full pipe", () => {
    const r = run("pipes", mode);
    expect(r.stdout).toBe("eof 0\nepipe -32\nsigpipe 13\nbytes 40000\nwriter wrote k 40\n");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/killed by signal 13/);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("dup2 redirects stdout into a file; dup and fork share the description's offset", () => {
    const r = run("dupredir", mode);
    expect(r.stdout).toBe("file:\ninto the file\nchild line\nparent line\ndup2 closed fd: -9\n");
    expect(r.code).toBe(0);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("chdir, getcwd and relative paths (resolved by the kernel against the cwd)", () => {
    const r = run("cwd", mode);
    expect(r.stdout).toBe(
      "cwd / 2\nchdir 0\ncwd /home 6\ncwd /home/sub 10\nread ringsid\ncwd / 2\nenoent -2\nenotdir -20\nerange -34\n",
    );
    expect(r.code).toBe(0);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("execve: -ENOENT, -ENOEXEC (a text file), -EACCES (a directory) leave the caller running; then /bin/echo replaces it", () => {
    const r = run("execerr", mode);
    expect(r.stdout).toBe("missing -2\ntext -8\ndir -13\nexec works\n");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[pid 1 echo\] exit 0/); // the same pid, the new name
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("kill(-pgid, SIGTERM) ends a whole process group; waitpid(-pgid) reaps it", () => {
    const r = run("pgkill", mode);
    expect(r.stdout).toBe("kill 0\nreaped signal 15\nreaped signal 15\nreaped signal 15\nwaitpid -10\nreaped 3\nkill gone group -3\n");
    expect(r.code).toBe(0);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel" || solutionCut("lazy"))("a process that finds no free frame for a heap page is killed and told so; its frames go back and its parent carries on", () => {
    const r = run("oom", mode);
    expect(r.code).toBe(11); // the parent reaped its child, killed with SIGSEGV
    expect(r.stderr).toMatch(/\[pid \d+ oom\] killed by #PF \(vector 14\) out of memory: no free frame for the page error_code=0x6 cr2=0x[0-9a-f]{8} at eip=0x[0-9a-f]{8} <touch\.page>: mov dword \[edi\],1\n/);
    expect(r.stderr).toMatch(/\[pid 1 oom\] exit 11\n/);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("an orphan is handed to init (the first process): getppid says 1, and init's waitpid reaps it", () => {
    const r = run("orphan", mode);
    expect(r.stdout).toBe("ppid 1\n");
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/^\[pid 1 orphan\] exit 7\n\[pid \d+ orphan\] exit 3\n\[pid \d+ orphan\] exit 7\n/m); // init, the parent, the orphan
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("kill of a zombie succeeds and does nothing until it is reaped; then -ESRCH", () => {
    const r = run("killzombie", mode);
    expect(r.code, `failed check ${r.code}`).toBe(0);
    expect(r.stderr).toMatch(/\] exit 3\n/); // the child's own status, not SIGTERM's
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel" || solutionCut("lazy"))("a pointer into a heap or stack page not touched yet works in waitpid, nanosleep, ioctl and execve's argv; execve takes 6 KiB of arguments", () => {
    const r = run("freshptr", mode);
    expect(r.code, `failed check ${r.code}`).toBe(0);
    expect(r.stdout).toBe(`${"x".repeat(2000)} ${"x".repeat(2000)} ${"x".repeat(2000)}\n`);
  });

  it.skipIf(solutionCut("ipc") && mode === "microkernel")("50 forked children are all reaped", () => {
    const r = run("fork50", mode);
    expect(r.stdout).toBe("waitpid -10\nreaped 50\nsum 1225\n");
    expect(r.code).toBe(0);
  });
});

describe("copy-on-write in the trace", () => {
  it("fork shares the data page; the child's write is a pagefault resolved by a copy, the parent's later write reclaims the frame", () => {
    const file = path.join(tmp, "cow.jsonl");
    const r = ringside(["run", prog("cow.asm"), "--trace", file]);
    expect(r.stdout).toBe("child 2\nparent 1\nparent 3\n");
    const events = parseTrace(readFileSync(file, "utf8")).slice(1);
    const forkRet = events.filter((e) => e.kind === "return" && e.ret === 0 && e.pid !== 1);
    expect(forkRet.length).toBeGreaterThan(0); // the child's fork returns 0
    expect(events.find((e) => e.kind === "spawn" && e.pid !== 1)).toMatchObject({ parent: 1, fork: true });
    const faults = events.filter((e) => e.kind === "pagefault");
    const child = faults.find((e) => e.pid !== 1 && e.outcome === "copied");
    expect(child).toBeDefined();
    // The #PF before it is a write to a present page (error code P|W|U = 7).
    const i = events.indexOf(child!);
    expect(events[i - 1]).toMatchObject({ kind: "exception", name: "#PF", error_code: 7 });
    expect(faults.find((e) => e.pid === 1 && e.outcome === "reclaimed")).toBeDefined();
    expect(faults.every((e) => e.outcome !== "killed")).toBe(true);
  });
});

describe("the kill right in ringside run", () => {
  it("a program the first program spawns inherits it (setpriority below 0 and kill of pid 1 succeed), as a forked one does", () => {
    const r = ringside(["run", prog("killright.asm")]);
    expect([r.code, r.stderr]).toEqual([0, "[pid 1 killright] exit 0\n[pid 2 killright] exit 0\n"]);
  });
});
